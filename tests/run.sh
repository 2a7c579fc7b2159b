#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs every haystack test suite and tallies their TAP lines. The last line is
# the total: "N passed, N failed[, N skipped]". Run from the repository root
# as root (the BPF and end-to-end suites load the program into the kernel).
set -u
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
export CMOCKA_MESSAGE_OUTPUT=TAP
export HAYSTACK=${HAYSTACK:-$BUILD/haystack}
export SHARED=${SHARED:-../shared}

pass=0 fail=0 skip=0
skipped=() failed=()

run_suite() {
	local name=$1; shift
	local out rc
	out=$(timeout 600 "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed "s/^/[$name] /"
	# cmocka writes a skipped test as "not ok N # SKIP": a skip, not a failure.
	local p f s
	p=$(printf '%s\n' "$out" | grep -E '^ok ' | grep -vci '# skip')
	s=$(printf '%s\n' "$out" | grep -E '^(not )?ok ' | grep -ci '# skip')
	f=$(printf '%s\n' "$out" | grep -E '^not ok ' | grep -vci '# skip')
	while IFS= read -r l; do [ -n "$l" ] && skipped+=("$name: $l"); done \
		< <(printf '%s\n' "$out" | grep -E '^(not )?ok ' | grep -i '# skip')
	while IFS= read -r l; do [ -n "$l" ] && failed+=("$name: $l"); done \
		< <(printf '%s\n' "$out" | grep -E '^not ok ' | grep -vi '# skip')
	# A suite that died without saying which test failed still fails.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		failed+=("$name: exited with status $rc")
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && run_suite "$(basename "$t")" "$t"
done
for t in tests/e2e/test_*.sh; do
	[ -f "$t" ] && run_suite "$(basename "$t" .sh)" bash "$t"
done

echo
for l in "${skipped[@]}"; do echo "skipped: $l"; done
for l in "${failed[@]}"; do echo "FAILED: $l"; done
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
