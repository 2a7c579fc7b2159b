#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Exports that arrive after their bin was reported are said on stderr and do
# not change what was reported. tcpreplay sends an export stream twice into a
# veth pair; with --grace 0 the first pass closes every hour but the last, so
# the second pass is late for those.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

tests="late_attach late_first_pass_seen late_second_pass_seen late_counter_counts late_reported_on_stderr late_closed_bins_unchanged"
if have_fixtures; then
	input=$FIXTURES/export-v5.pcap
	args=(--dict "$FIXTURES/dictionary.json" --subscribers "$FIXTURES/subscribers.txt")
else
	port=$((20000 + RANDOM % 20000))
	input=$TMP/export-v5.pcap
	args=(--ports "$port" --dict signatures/sample-dictionary.json
		--subscribers signatures/sample-subscribers.txt)
	"$BUILD"/tests/tools/gen_traffic --dict signatures/sample-dictionary.json \
		--subscribers signatures/sample-subscribers.txt -o "$TMP/traffic.pcap" 2>/dev/null &&
		scripts/export-capture.sh "$TMP/traffic.pcap" "$input" "$port" ||
		{ for t in $tests; do skip "$t" "could not make an export capture"; done; exit 0; }
fi
"$HAYSTACK" replay --detail "${args[@]}" "$input" >"$TMP/once.jsonl" 2>/dev/null
n=$(tcpdump -r "$input" -n 2>/dev/null | wc -l)

id=$(uniq_id)
ns=hs-$id
ip netns add "$ns" || { not_ok late_attach "cannot create netns $ns"; exit 1; }
on_exit ip netns del "$ns"
ip link add "hsa$id" type veth peer name "hsb$id"
on_exit ip link del "hsa$id"
ip link set "hsb$id" netns "$ns"
ip link set "hsa$id" up
ip -n "$ns" link set "hsb$id" up

ip netns exec "$ns" timeout 120 "$HAYSTACK" run --iface "hsb$id" --grace 0 --detail "${args[@]}" \
	--out "$TMP/live.jsonl" 2>"$TMP/run.err" &
run_pid=$!
on_exit kill "$run_pid"
for _ in $(seq 50); do grep -q "attached to" "$TMP/run.err" && break; sleep 0.2; done
check late_attach grep -q "attached to" "$TMP/run.err"

# wait_seen N: until the program has read N v5 datagrams (bounded).
wait_seen() {
	local seen
	for _ in $(seq 50); do
		seen=$(nsenter -t "$run_pid" -m -n "$HAYSTACK" status --json 2>/dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["v5_packets"])')
		[ "$seen" = "$1" ] && return 0
		sleep 0.2
	done
	echo "saw $seen of $1 datagrams"
	return 1
}
# Bins close on the agent's next poll (once a second) after the first pass.
tcpreplay -q -i "hsa$id" "$input" >/dev/null 2>&1
check late_first_pass_seen wait_seen "$n"
sleep 2.5
tcpreplay -q -i "hsa$id" "$input" >/dev/null 2>&1
check late_second_pass_seen wait_seen $((2 * n))
sleep 2.5
late=$(nsenter -t "$run_pid" -m -n "$HAYSTACK" status --json 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["late_records"])')
check late_counter_counts test "${late:-0}" -gt 0
kill -TERM "$run_pid"
wait "$run_pid"

check late_reported_on_stderr grep -q "matched records arrived for bins already reported" "$TMP/run.err"
# The hours closed after the first pass read as a single pass would have them.
closed_hours() {
	python3 - "$1" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
hours = [o for o in lines if o["bin_seconds"] == 3600]
last = max(o["bin_start"] for o in hours)
for o in hours:
    if o["bin_start"] != last:
        print(json.dumps(o))
PY
}
closed_hours "$TMP/once.jsonl" >"$TMP/once-closed.jsonl"
closed_hours "$TMP/live.jsonl" >"$TMP/live-closed.jsonl"
check late_closed_bins_unchanged compare_reports "$TMP/once-closed.jsonl" "$TMP/live-closed.jsonl"
