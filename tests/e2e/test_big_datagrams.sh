#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Export datagrams larger than a page: an 8,900-octet IPFIX and v9 message,
# a lone 4,180-octet template message and the data after it, and a message
# of 64,950 octets. Replayed, every record is decoded; live, over a veth pair
# with MTU 9000 in a netns of the test's own, the program attaches in native
# mode (a veth refuses a program without multi-buffer support at that MTU)
# and decodes what the replay decodes.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

DICT=signatures/sample-dictionary.json
SUBS=signatures/sample-subscribers.txt
python3 tests/e2e/make_big_exports.py "$TMP/jumbo.pcap" "$TMP/jumbo.expected.jsonl" \
	"$TMP/huge.pcap" "$TMP/huge.expected.jsonl"

for n in jumbo huge; do
	"$HAYSTACK" replay --records --ports 4739 --dict "$DICT" --subscribers "$SUBS" \
		"$TMP/$n.pcap" >"$TMP/$n.jsonl" 2>"$TMP/$n.err"
	check "big_${n}_replay_exits_0" test $? -eq 0
	check "big_${n}_replay_every_frame_run" test "$(grep -c "not replayed" "$TMP/$n.err")" -eq 0
	check "big_${n}_replay_equals_sent" python3 tests/e2e/compare_expected.py \
		"$TMP/$n.expected.jsonl" "$TMP/$n.jsonl"
done

make_veth_ns hs-big 9000 || { not_ok big_live_setup "cannot create a netns"; exit 0; }
ip netns exec "$ns" env HAYSTACK="$HAYSTACK" bash tests/e2e/live_replay.sh "$TMP" \
	"$TMP/jumbo.pcap" 4 --xdp-mode native --ports 4739 --dict "$DICT" --subscribers "$SUBS" \
	--records --out "$TMP/live.jsonl" >"$TMP/live.out" 2>&1
check big_live_run_exits_0 grep -q "exit=0" "$TMP/live.out"
check big_live_attached_native_at_mtu_9000 grep -q "mtu 9000 .*xdp " "$TMP/link"
check big_live_equals_sent python3 tests/e2e/compare_expected.py \
	"$TMP/jumbo.expected.jsonl" "$TMP/live.jsonl"
check big_live_no_fragment python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["counters"]
sys.exit(0 if c["fragmented_export"] == c["ip_fragment"] == 0 else "fragments: %s" % c)' \
	"$TMP/status.json"
