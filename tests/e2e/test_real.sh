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
# What haystack does not decode yet, each with the reason: these are skipped
# by name until the feature lands, then removed from this list.
declare -A NOT_YET=(
	[ic_example_flows]="export datagrams over 3,500 octets are not replayed yet"
)

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
	if [ -n "${NOT_YET[$n]:-}" ]; then
		skip "real_$n" "${NOT_YET[$n]}"
		continue
	fi
	"$HAYSTACK" replay --records --ports "$port" --dict "$REAL/dictionary.json" \
		--subscribers "$REAL/subscribers.txt" "$REAL/$capture" \
		>"$TMP/$n.jsonl" 2>"$TMP/$n.err"
	check "real_$n" python3 tests/e2e/compare_expected.py "$REAL/$n.expected.jsonl" "$TMP/$n.jsonl"
done <"$REAL/ports.txt"

# Live: the capture of two samplers sent over a veth pair to a running
# haystack, which decodes it as the replay does, and whose status lists
# each sampler with its rate.
n=ak_v9_multisampling
ns=hs-real-$(uniq_id)
ip netns add "$ns" || { not_ok real_live_setup "cannot create netns $ns"; exit 0; }
on_exit ip netns del "$ns"
ip -n "$ns" link add va type veth peer name vb
ip -n "$ns" link set va up
ip -n "$ns" link set vb up
ip netns exec "$ns" bash -s "$HAYSTACK" "$REAL" "$TMP" >"$TMP/live.out" 2>&1 <<'EOS'
H=$1 R=$2 T=$3
counter() { "$H" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' "$1"; }
timeout 20 "$H" run --iface vb --ports 2055 --dict "$R/dictionary.json" \
	--subscribers "$R/subscribers.txt" --records --out "$T/live.jsonl" 2>"$T/live.err" &
pid=$!
for _ in $(seq 50); do grep -q "attached to" "$T/live.err" 2>/dev/null && break; sleep 0.1; done
tcpreplay -q -i va "$R/ak_v9_multisampling.pcap" >/dev/null 2>&1
for _ in $(seq 50); do [ "$(counter v9_packets)" = 4 ] && break; sleep 0.1; done
"$H" status --json >"$T/status.json"
kill -TERM $pid; wait $pid; echo "exit=$?"
EOS
check real_live_run_exits_0 grep -q "exit=0" "$TMP/live.out"
check real_live_equals_expected python3 tests/e2e/compare_expected.py "$REAL/$n.expected.jsonl" \
	"$TMP/live.jsonl"
check real_live_status_lists_each_sampler python3 -c '
import json, sys
ex = {(e["sampler_id"], e["sampling"]) for e in json.load(open(sys.argv[1]))["exporters"]}
sys.exit(0 if {(1, 2000), (2, 4000)} <= ex else "exporters: %s" % sorted(ex))' "$TMP/status.json"
