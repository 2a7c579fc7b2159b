#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run --keep leaves the program attached, the maps pinned and the open bins
# open; status reads
# them, the template cache included; the next run takes the program over, and
# the NetFlow v9 templates it learnt before the restart still decode the data
# sent after it; templates not refreshed in time leave the map; detach removes
# program and pins.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

id=$(uniq_id)
ns=hs-$id

# A v9 export of a generated world, cut in two: the first datagram (templates
# and data), then the data-only datagrams that follow it; and its v5 export.
make_world "$TMP" 9 5 || { not_ok lifecycle_capture "could not make v9 and v5 export captures"; exit 1; }
dict=$TMP/dictionary.json
subs=$TMP/subscribers.txt
port=$WORLD_PORT
n_rest=$(python3 tests/e2e/pcap_cut.py --counts "$TMP/v9.pcap" "$TMP/first.pcap:1" \
	"$TMP/rest.pcap:no-template" | sed -n '2s/ .*//p')

ip netns add "$ns" || { not_ok lifecycle_setup "cannot create netns $ns"; exit 1; }
on_exit ip netns del "$ns"
ip -n "$ns" link add va type veth peer name vb
ip -n "$ns" link set va up
ip -n "$ns" link set vb up

# One mount namespace for the whole sequence: the bpffs haystack mounts
# inside `ip netns exec` lives as long as that namespace.
ip netns exec "$ns" bash -s "$HAYSTACK" "$dict" "$subs" "$port" "$TMP" "$n_rest" \
	>"$TMP/out" 2>&1 <<'EOS'
# The generated world spreads its exports over hours of export time, more
# than the default template timeout between two template refreshes.
H=$1 D="--dict $2 --subscribers $3 --ports $4 --template-timeout 86400" T=$5 n_rest=$6
counter() { "$H" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' "$1"; }
wait_counter() {	# NAME VALUE, bounded
	for _ in $(seq 50); do [ "$(counter "$1")" = "$2" ] && return 0; sleep 0.1; done
	return 1
}
started() { for _ in $(seq 50); do grep -q "attached to" "$1" 2>/dev/null && return; sleep 0.1; done; }

timeout 20 "$H" run --iface vb $D --keep --out $T/run1.jsonl 2>$T/run1.err &
pid=$!
started $T/run1.err
tcpreplay -q -i va "$T/first.pcap" >/dev/null 2>&1
wait_counter v9_packets 1 && echo "first_seen=1"
kill -TERM $pid; wait $pid; echo "keep_exit=$?"
ip link show vb | grep -q "prog/xdp" && echo "still_attached=1"
[ -e /sys/fs/bpf/haystack/evidence ] && [ -e /sys/fs/bpf/haystack/templates ] && echo "still_pinned=1"
"$H" status --json >/dev/null && echo "status_ok=1"
"$H" status | grep -q '"template":256' && echo "status_lists_templates=1"
"$H" status | grep -A1 "^exporters: 1" | grep -q '"version":9,"sampling":1' && echo "status_lists_exporters=1"

# The restart: the same program goes on, with the templates it learnt.
timeout 20 "$H" run --iface vb $D --out $T/run2.jsonl 2>$T/run2.err &
pid=$!
started $T/run2.err
grep -q "took over the haystack attached to vb" $T/run2.err && echo "took_over=1"
records=$(counter records)
tcpreplay -q -i va "$T/rest.pcap" >/dev/null 2>&1
wait_counter v9_packets $((1 + n_rest)) && echo "rest_seen=1"
echo "# records $records -> $(counter records), unknown_template $(counter unknown_template), template_expired $(counter template_expired)"
[ "$(counter unknown_template)" = 0 ] && [ "$(counter records)" -gt "$records" ] &&
	echo "templates_survived=1"
kill -TERM $pid; wait $pid; echo "second_exit=$?"
ip link show vb | grep -q "prog/xdp" || echo "second_detached=1"
# run1 stopped with --keep leaves its open bins (the hour and the day of the
# first datagram) open: the run that took over writes them, with the records
# of the rest, once; none of its records came late.
python3 - $T/run1.jsonl $T/run2.jsonl <<'PY' && echo "open_bins_left_to_successor=1"
import json, sys
bins = [[(o["bin_start"], o["bin_seconds"]) for o in map(json.loads, open(f))] for f in sys.argv[1:]]
print("# lines before the restart %d, after %d" % (len(bins[0]), len(bins[1])))
sys.exit(0 if not bins[0] and bins[1] else 1)
PY
grep -q "arrived for bins already reported" $T/run2.err || echo "nothing_late_after_restart=1"
[ -e /sys/fs/bpf/haystack ] || echo "second_unpinned=1"

# Templates not refreshed within --template-timeout leave the map as export
# time moves on (here by the later v5 exports), looked up again or not.
timeout 20 "$H" run --iface vb $D --template-timeout 60 --keep 2>$T/run3.err &
pid=$!
started $T/run3.err
tcpreplay -q -i va "$T/first.pcap" >/dev/null 2>&1
wait_counter v9_packets 1 && "$H" status | grep -q '"template":256' && echo "templates_learnt=1"
tcpreplay -q -i va "$T/v5.pcap" >/dev/null 2>&1
for _ in $(seq 30); do "$H" status | grep -q "^templates: 0" && break; sleep 0.1; done
"$H" status | grep -q "^templates: 0" && echo "templates_expired=1"
# While a run holds the pin directory, detach and a second run are refused
# (they would blind it or count every record twice); status reads beside it.
"$H" status --json | grep -q '"agent_running":true' && echo "status_sees_agent=1"
"$H" detach --iface vb 2>$T/detach.err; echo "busy_detach_exit=$?"
grep -q "in use by a running haystack" $T/detach.err && [ "$(wc -l <$T/detach.err)" = 1 ] &&
	echo "busy_detach_says_why=1"
ip link show vb | grep -q "prog/xdp" && [ -e /sys/fs/bpf/haystack/evidence ] &&
	echo "busy_detach_left_it=1"
timeout 5 "$H" run --iface vb $D 2>$T/run4.err; echo "busy_run_exit=$?"
grep -q "in use by another running haystack" $T/run4.err && echo "busy_run_says_why=1"
kill -TERM $pid; wait $pid
"$H" status --json | grep -q '"agent_running":false' && echo "status_sees_no_agent=1"

# detach removes what a run --keep left.
"$H" detach --iface vb; echo "detach_exit=$?"
ip link show vb | grep -q "prog/xdp" || echo "detached=1"
[ -e /sys/fs/bpf/haystack ] || echo "unpinned=1"
EOS
r=$(cat "$TMP/out")
check lifecycle_keep_sees_first_export grep -q "first_seen=1" <<<"$r"
check lifecycle_keep_exits_0 grep -q "keep_exit=0" <<<"$r"
check lifecycle_keep_stays_attached grep -q "still_attached=1" <<<"$r"
check lifecycle_keep_stays_pinned grep -q "still_pinned=1" <<<"$r"
check lifecycle_status_reads_pins grep -q "status_ok=1" <<<"$r"
check lifecycle_status_lists_templates grep -q "status_lists_templates=1" <<<"$r"
check lifecycle_status_lists_exporters grep -q "status_lists_exporters=1" <<<"$r"
check lifecycle_second_run_takes_over grep -q "took_over=1" <<<"$r"
check lifecycle_second_run_sees_data grep -q "rest_seen=1" <<<"$r"
check lifecycle_templates_survive_restart grep -q "templates_survived=1" <<<"$r"
check lifecycle_keep_leaves_open_bins_open grep -q "open_bins_left_to_successor=1" <<<"$r"
check lifecycle_nothing_late_after_restart grep -q "nothing_late_after_restart=1" <<<"$r"
check lifecycle_second_run_exits_0 grep -q "second_exit=0" <<<"$r"
check lifecycle_second_run_detaches grep -q "second_detached=1" <<<"$r"
check lifecycle_second_run_unpins grep -q "second_unpinned=1" <<<"$r"
check lifecycle_third_run_learns_templates grep -q "templates_learnt=1" <<<"$r"
check lifecycle_stale_templates_leave_the_map grep -q "templates_expired=1" <<<"$r"
check lifecycle_status_sees_running_agent grep -q "status_sees_agent=1" <<<"$r"
check lifecycle_detach_refused_while_running grep -q "busy_detach_exit=1" <<<"$r"
check lifecycle_detach_refusal_one_line grep -q "busy_detach_says_why=1" <<<"$r"
check lifecycle_detach_refused_leaves_program grep -q "busy_detach_left_it=1" <<<"$r"
check lifecycle_second_run_refused_while_running grep -q "busy_run_exit=1" <<<"$r"
check lifecycle_second_run_refusal_says_why grep -q "busy_run_says_why=1" <<<"$r"
check lifecycle_status_sees_no_agent_after_stop grep -q "status_sees_no_agent=1" <<<"$r"
check lifecycle_detach_exits_0 grep -q "detach_exit=0" <<<"$r"
check lifecycle_detach_removes_program grep -q "detached=1" <<<"$r"
check lifecycle_detach_unpins grep -q "unpinned=1" <<<"$r"
grep "^# " <<<"$r"
