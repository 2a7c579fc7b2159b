#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Captures from real exporters (../shared/fixtures/real/): every one through
# `haystack replay --records`, the records and their sampling rates equal, as
# a multiset, to what a correct collector decodes from it; one of them live,
# over a veth pair in a netns of the test's own.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

REAL=$SHARED/fixtures/real
if [ ! -f "$REAL/ports.txt" ]; then
	for n in ak_ipfix_physicalinterfaces ak_v9_cisco_opts_tpl_data ak_v9_multisampling \
		ic_example_flows ls_ipfix_procera ls_ipfix_yaf ls_nf9_h3c ls_nf9_h3c_varstring \
		pm_104_00 pm_106_00 pm_401_01 pm_500_00; do
		skip "real_$n" "needs $REAL (the shared captures from real exporters)"
	done
	for t in real_live_run_exits_0 real_live_equals_expected real_live_status_lists_each_sampler; do
		skip "$t" "needs $REAL (the shared captures from real exporters)"
	done
	exit 0
fi

while read -r capture port; do
	case $capture in \#*|"") continue ;; esac
	n=${capture%.pcap}
	"$HAYSTACK" replay --records --ports "$port" --dict "$REAL/dictionary.json" \
		--subscribers "$REAL/subscribers.txt" "$REAL/$capture" \
		>"$TMP/$n.jsonl" 2>"$TMP/$n.err"
	check "real_$n" python3 tests/e2e/compare_expected.py "$REAL/$n.expected.jsonl" "$TMP/$n.jsonl"
done <"$REAL/ports.txt"

# Live: the capture of two samplers sent over a veth pair to a running
# haystack, which decodes it as the replay does, and whose status lists
# each sampler with its rate.
n=ak_v9_multisampling
make_veth_ns hs-real || { not_ok real_live_setup "cannot create a netns"; exit 0; }
ip netns exec "$ns" env HAYSTACK="$HAYSTACK" bash tests/e2e/live_replay.sh "$TMP" \
	"$REAL/$n.pcap" 4 --ports 2055 --dict "$REAL/dictionary.json" \
	--subscribers "$REAL/subscribers.txt" --records --out "$TMP/live.jsonl" >"$TMP/live.out" 2>&1
check real_live_run_exits_0 grep -q "exit=0" "$TMP/live.out"
check real_live_equals_expected python3 tests/e2e/compare_expected.py "$REAL/$n.expected.jsonl" \
	"$TMP/live.jsonl"
check real_live_status_lists_each_sampler python3 -c '
import json, sys
ex = {(e["sampler_id"], e["sampling"]) for e in json.load(open(sys.argv[1]))["exporters"]}
sys.exit(0 if {(1, 2000), (2, 4000)} <= ex else "exporters: %s" % sorted(ex))' "$TMP/status.json"
