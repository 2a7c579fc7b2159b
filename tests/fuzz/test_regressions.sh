#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every libFuzzer harness, built with a plain main (tests/fuzz/driver.c),
# over the inputs that once crashed it (tests/fuzz/regressions/<harness>/)
# and its hand-made seeds (tests/fuzz/corpus/<harness>/): one TAP line each.
# Installed as $BUILD/tests/test_fuzz_regressions; run from the repository
# root, as root (pcap and replay load the XDP program).
set -u
bin=$(dirname "$0")/fuzz
n=0 failed=0

for dir in tests/fuzz/regressions/* tests/fuzz/corpus/*; do
	[ -d "$dir" ] || continue
	h=$(basename "$dir")
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if out=$(timeout 120 "$bin/fuzz_$h" "$f" 2>&1); then
			echo "ok $n - fuzz_$h ${f#tests/fuzz/}"
		else
			failed=$((failed + 1))
			echo "not ok $n - fuzz_$h ${f#tests/fuzz/}"
			printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
		fi
	done
done
echo "1..$n"
[ "$failed" -eq 0 ]
