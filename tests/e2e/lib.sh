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

# make_world DIR [VERSION...]: a small synthetic world of the repository's
# own, no ../shared needed: DIR/dictionary.json and DIR/subscribers.txt (the
# samples of signatures/), DIR/traffic.pcap (gen_traffic, seed 1: 20
# subscribers, 3 hours from 2019-11-15T09:30:00Z) and, for each VERSION (5,
# 9 or 10; default 5), DIR/vVERSION.pcap: softflowd's unsampled export of it
# to 127.0.0.1 port $WORLD_PORT, captured on loopback. WORLD_PORT is a random
# port unless set before. Fails, saying which step did on stderr.
# Cut an export with tests/e2e/pcap_cut.py.
make_world() {
	local dir=$1 v
	shift
	WORLD_PORT=${WORLD_PORT:-$((20000 + RANDOM % 20000))}
	mkdir -p "$dir" &&
		cp signatures/sample-dictionary.json "$dir/dictionary.json" &&
		cp signatures/sample-subscribers.txt "$dir/subscribers.txt" || return 1
	"$BUILD"/tests/tools/gen_traffic --dict "$dir/dictionary.json" \
		--subscribers "$dir/subscribers.txt" -o "$dir/traffic.pcap" 2>"$dir/gen.err" ||
		{ echo "make_world: gen_traffic failed: $(head -1 "$dir/gen.err")" >&2; return 1; }
	for v in "${@:-5}"; do
		scripts/export-capture.sh "$dir/traffic.pcap" "$dir/v$v.pcap" "$WORLD_PORT" "$v" ||
			{ echo "make_world: no NetFlow v$v export of $dir/traffic.pcap" >&2; return 1; }
	done
}
