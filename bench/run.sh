#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the benchmarks of docs/benchmarks.md, on a quiet machine, as
# root. Tables on stdout; every figure in $BUILD/bench.json (the kernel
# side) and $BUILD/bench-e2e.json (end to end).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
"$BUILD"/bench/bench_kern "$BUILD"/bench/empty.bpf.o "$BUILD"/bench.json
echo
BUILD=$BUILD bench/e2e.sh "$BUILD"/bench-e2e.json
echo
echo "figures in $BUILD/bench.json and $BUILD/bench-e2e.json"
