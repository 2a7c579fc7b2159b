# SPDX-License-Identifier: GPL-2.0
# Shared by the end-to-end tests: TAP output, fixtures, temporary state that
# is always removed on exit (also on failure).

BUILD=${BUILD:-build}
HAYSTACK=$(realpath "${HAYSTACK:-$BUILD/haystack}")
SHARED=${SHARED:-../shared}
FIXTURES=$SHARED/fixtures/small
TMP=$(mktemp -d /tmp/haystack-e2e.XXXXXX)
CLEANUP=()

cleanup() {
	local i
	for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

on_exit() { CLEANUP+=("$*"); }

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { echo "ok - $1 # SKIP $2"; }
# check NAME CMD...: ok when CMD succeeds; its output is shown on failure.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}

have_fixtures() { [ -f "$FIXTURES/export-v5.pcap" ]; }

# Reports are compared as multisets of JSON objects, field by field.
compare_reports() { python3 tests/e2e/compare_reports.py "$@"; }

# A short unique suffix for netns and interface names (IFNAMSIZ is 16).
uniq_id() { printf '%04x%04x' $$ $RANDOM; }

# make_veth_ns PREFIX [MTU]: a netns of the test's own, $ns (PREFIX and a
# unique suffix), holding a veth pair va/vb that is up, removed on exit.
# Fails when no netns can be made.
make_veth_ns() {
	ns=$1-$(uniq_id)
	ip netns add "$ns" || return 1
	on_exit ip netns del "$ns"
	ip -n "$ns" link add va ${2:+mtu $2} type veth peer name vb ${2:+mtu $2}
	ip -n "$ns" link set va up
	ip -n "$ns" link set vb up
}
