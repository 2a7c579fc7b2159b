#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A bounded soak: `haystack run` on a veth pair in a netns of the test's own,
# fed NetFlow v5 at a fixed rate for SOAK_SECONDS (default 60), a dictionary
# loaded every 15 s (each classifying the one endpoint on another port).
# Afterwards every datagram sent was read and every record counted exactly
# once, as a match or a port mismatch; no evidence lost; the agent's RSS,
# sampled every 5 s, did not grow past a leak's worth once warm. The
# samples are printed for the record.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

SECONDS_TOTAL=${SOAK_SECONDS:-60}
PPS=200
W=$TMP/world
mkdir -p "$W"
python3 tests/e2e/make_swaps.py "$W" 12
printf '100.64.0.0/16\n' >"$W/subscribers.txt"
# 600 datagrams a loop: as many loops as the rate and time take
loops=$((SECONDS_TOTAL * PPS / 600))
sent=$((loops * 600))

make_veth_ns hs-soak || { not_ok soak_setup "cannot create a netns"; exit 0; }
ip netns exec "$ns" bash -s "$HAYSTACK" "$W" "$TMP" "$loops" "$PPS" >"$TMP/soak.out" 2>&1 <<'EOS'
H=$1 W=$2 T=$3 LOOPS=$4 PPS=$5
timeout $((LOOPS * 600 / PPS + 60)) "$H" run --iface vb --dict "$W/swap-1.json" \
	--subscribers "$W/subscribers.txt" --out "$T/soak.jsonl" 2>"$T/soak.err" &
pid=$!
for _ in $(seq 50); do grep -q "attached to" "$T/soak.err" 2>/dev/null && break; sleep 0.1; done
agent=$(pgrep -P $pid)	# haystack, under timeout
timeout $((LOOPS * 600 / PPS + 30)) tcpreplay -q --pps "$PPS" --loop "$LOOPS" -i va \
	"$W/swap.pcap" >/dev/null 2>&1 &
sender=$!
k=2 tick=0
while kill -0 $sender 2>/dev/null; do
	sleep 5
	tick=$((tick + 5))
	echo "rss $tick $(awk '/^VmRSS/ {print $2}' /proc/$agent/status)"
	if [ $((tick % 15)) -eq 0 ] && [ $k -le 12 ]; then
		"$H" load --dict "$W/swap-$k.json" >/dev/null 2>&1 && echo "loaded $k"
		k=$((k + 1))
	fi
done
wait $sender
sleep 1.5
"$H" status --json >"$T/soak-status.json"
kill -TERM $pid; wait $pid; echo "exit=$?"
EOS
grep "^rss" "$TMP/soak.out" | tr '\n' ' ' | sed 's/^/# RSS (s kB): /; s/rss //g'; echo
check soak_run_exits_0 grep -qx "exit=0" "$TMP/soak.out"
check soak_loaded_every_15s test "$(grep -c '^loaded' "$TMP/soak.out")" -ge $((SECONDS_TOTAL / 15 - 1))
check soak_every_record_counted_once python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["counters"]
sent = int(sys.argv[2])
ok = (c["v5_packets"] == sent and c["records"] == 10 * sent and
      c["matched"] + c["port_mismatch"] == c["records"] and c["matched"] > 0 and
      c["port_mismatch"] > 0 and c["evidence_full"] == 0)
print("sent %d datagrams; v5_packets %d records %d matched %d port_mismatch %d evidence_full %d" %
      (sent, c["v5_packets"], c["records"], c["matched"], c["port_mismatch"], c["evidence_full"]))
sys.exit(0 if ok else 1)' "$TMP/soak-status.json" "$sent"
# Warm after the first 15 s; a leak of a few bytes a record would show as
# megabytes over the run.
check soak_rss_flat python3 -c '
import sys
s = [int(l.split()[2]) for l in open(sys.argv[1]) if l.startswith("rss ") and len(l.split()) == 3]
warm = [v for i, v in enumerate(s) if (i + 1) * 5 > 15]
sys.exit(0 if warm and max(warm) - warm[0] < 8192 else "RSS kB: %s" % s)' "$TMP/soak.out"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["counters"]
print("# %d datagrams at %s/s: v5_packets %d, records %d, matched %d, port_mismatch %d, evidence_full %d"
      % (int(sys.argv[2]), sys.argv[3], c["v5_packets"], c["records"], c["matched"],
         c["port_mismatch"], c["evidence_full"]))' "$TMP/soak-status.json" "$sent" "$PPS"
