#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the benchmarks of docs/benchmarks.md, on a quiet machine, as
# root. The table on stdout; every figure in $BUILD/bench.json.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
"$BUILD"/bench/bench_kern "$BUILD"/bench/empty.bpf.o "$BUILD"/bench.json
echo
echo "figures in $BUILD/bench.json"
