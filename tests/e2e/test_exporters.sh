#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --exporters and the collector ports. replay: a datagram from a source
# outside the allow-list is counted under exporter_not_allowed and none of
# its records is read. run, live over a veth pair between two network
# namespaces of the test's own: with nothing else bound to the collector
# port, haystack holds it, so the exporter sees no ICMP port unreachable
# (tcpdump on its side); the control is a run that finds the port taken by
# another socket, which leaves, and then the same exports are answered. A
# run that takes over from run --keep puts its own allow-list in force.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

dict=signatures/sample-dictionary.json
subs=signatures/sample-subscribers.txt
gen=tests/e2e/v5_exports.py

# counter NAME FILE: NAME's value in replay's "counters:" line (0 if absent)
counter() { grep -o "counters:.*" "$2" | grep -oE "(^| )$1=[0-9]+" | cut -d= -f2 | grep . || echo 0; }

# ---- replay ----
python3 "$gen" pcap "$TMP/two.pcap" 2055 192.0.2.1 198.51.100.9
python3 "$gen" pcap "$TMP/unlisted.pcap" 2055 198.51.100.9 198.51.100.9 198.51.100.9
printf '# the one trusted exporter\n192.0.2.1/32\n' >"$TMP/exporters.txt"

replay() { "$HAYSTACK" replay --records --ports 2055 --dict "$dict" --subscribers "$subs" "$@"; }

replay "$TMP/two.pcap" >"$TMP/all.jsonl" 2>"$TMP/all.err"
check exporters_none_given_reads_every_source \
	test "$(grep -c '"type":"record"' "$TMP/all.jsonl")" -eq 2 -a "$(counter exporter_not_allowed "$TMP/all.err")" -eq 0

replay --exporters "$TMP/exporters.txt" "$TMP/two.pcap" >"$TMP/one.jsonl" 2>"$TMP/one.err"
check exporters_replay_exits_0 test $? -eq 0
check exporters_listed_source_read bash -c "
	test \$(grep -c '\"type\":\"record\"' '$TMP/one.jsonl') -eq 1 &&
	grep '\"type\":\"record\"' '$TMP/one.jsonl' | grep -q '\"exporter\":\"192.0.2.1\"'"
check exporters_unlisted_counted test "$(counter exporter_not_allowed "$TMP/one.err")" -eq 1 \
	-a "$(counter export_packets "$TMP/one.err")" -eq 1

replay --exporters "$TMP/exporters.txt" "$TMP/unlisted.pcap" >"$TMP/none.jsonl" 2>"$TMP/none.err"
check exporters_unlisted_nothing_counted bash -c "
	! grep -q '\"type\":\"record\"' '$TMP/none.jsonl' &&
	test $(counter records "$TMP/none.err") -eq 0 -a $(counter export_packets "$TMP/none.err") -eq 0"
check exporters_unlisted_counter_increments test "$(counter exporter_not_allowed "$TMP/none.err")" -eq 3

# ---- run, live: ICMP port unreachable on the exporter's side ----
id=$(uniq_id)
na=hs-xa-$id nb=hs-xb-$id
exporter_ip=198.18.0.1 collector_ip=198.18.0.2
exporter6=2001:db8:ff::1 collector6=2001:db8:ff::2
if ! ip netns add "$na" || ! ip netns add "$nb"; then
	not_ok exporters_live_setup "cannot create netns $na and $nb"
	exit 0
fi
on_exit ip netns del "$na"
on_exit ip netns del "$nb"
ip link add va netns "$na" type veth peer name vb netns "$nb"
ip -n "$na" addr add "$exporter_ip/30" dev va
ip -n "$nb" addr add "$collector_ip/30" dev vb
ip -n "$na" addr add "$exporter6/64" dev va nodad
ip -n "$nb" addr add "$collector6/64" dev vb nodad
ip -n "$na" link set va up
ip -n "$nb" link set vb up

SENT=20		# of each family: 2 * SENT datagrams a run

# live NAME HOLD RUN-ARGS...: haystack run on vb (after a socket of
# another process took port 2055 and left again, when HOLD is 1), SENT v5
# datagrams from va over IPv4, SENT over IPv6. Leaves NAME.err (the run's
# stderr), NAME.icmp4 and NAME.icmp6 (the ICMP and ICMPv6 port unreachable
# va received) and NAME.status (once every datagram was counted).
live() {
	local name=$1 hold=$2 tcpdump_pid holder_pid run_pid
	shift 2
	ip netns exec "$na" timeout 60 tcpdump -i va -n -U -w "$TMP/$name.pcap" \
		'(icmp[icmptype] == icmp-unreach and icmp[icmpcode] == 3) or (icmp6 and ip6[40] == 1 and ip6[41] == 4)' \
		2>"$TMP/$name.tcpdump" &
	tcpdump_pid=$!
	on_exit kill "$tcpdump_pid"
	for _ in $(seq 50); do grep -q "listening on" "$TMP/$name.tcpdump" && break; sleep 0.1; done
	if [ "$hold" = 1 ]; then
		ip netns exec "$nb" timeout 60 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 2055))
open(sys.argv[1], "w").write("bound\n")
time.sleep(60)' "$TMP/$name.held" &
		holder_pid=$!
		on_exit kill "$holder_pid"
		for _ in $(seq 50); do [ -s "$TMP/$name.held" ] && break; sleep 0.1; done
	fi
	ip netns exec "$nb" timeout 60 "$HAYSTACK" run --iface vb --dict "$dict" \
		--subscribers "$subs" --ports 2055 --out "$TMP/$name.jsonl" "$@" 2>"$TMP/$name.err" &
	run_pid=$!
	on_exit kill "$run_pid"
	for _ in $(seq 50); do grep -q "attached to" "$TMP/$name.err" && break; sleep 0.1; done
	if [ "$hold" = 1 ]; then
		kill "$holder_pid"
		wait "$holder_pid" 2>/dev/null
	fi
	ip netns exec "$na" python3 "$gen" send "$collector_ip" 2055 "$SENT"
	ip netns exec "$na" python3 "$gen" send "$collector6" 2055 "$SENT"
	for _ in $(seq 50); do
		nsenter -t "$run_pid" -m -n "$HAYSTACK" status --json >"$TMP/$name.status" 2>/dev/null
		python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["counters"]
sys.exit(c["export_packets"] + c["exporter_not_allowed"] != int(sys.argv[2]))' \
			"$TMP/$name.status" $((2 * SENT)) 2>/dev/null && break
		sleep 0.1
	done
	# an answer would be back by now, and run has drained its socket
	# (at least once a second)
	sleep 1.5
	ip netns exec "$nb" ss -Hulnp 'sport = :2055' >"$TMP/$name.ss"
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" 2>/dev/null
	tcpdump -r "$TMP/$name.pcap" -n icmp 2>/dev/null | wc -l >"$TMP/$name.icmp4"
	tcpdump -r "$TMP/$name.pcap" -n icmp6 2>/dev/null | wc -l >"$TMP/$name.icmp6"
	kill -TERM "$run_pid"
	wait "$run_pid"
	echo $? >"$TMP/$name.rc"
}

# status_counter NAME COUNTER
status_counter() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["counters"][sys.argv[2]])' \
		"$TMP/$1.status" "$2" 2>/dev/null || echo none
}

live quiet 0
check exporters_live_port_held_said grep -q "collector ports: 2055 held by haystack" "$TMP/quiet.err"
check exporters_live_every_datagram_read test "$(status_counter quiet export_packets)" = $((2 * SENT))
check exporters_live_no_icmp_port_unreachable test "$(cat "$TMP/quiet.icmp4")" -eq 0
check exporters_live_no_icmp6_port_unreachable test "$(cat "$TMP/quiet.icmp6")" -eq 0
# ss: "UNCONN Recv-Q Send-Q [::]:2055 ... users:(("haystack",...))"
check exporters_live_socket_drained awk '/haystack/ { found = 1; queued += $2 } END { exit !(found && !queued) }' \
	"$TMP/quiet.ss"
check exporters_live_exit_0 test "$(cat "$TMP/quiet.rc")" -eq 0

# The control: the same exports, the port left unbound, are answered.
live control 1
check exporters_live_port_taken_left grep -q "collector ports: 2055 left to the collector bound there" \
	"$TMP/control.err"
check exporters_live_control_every_datagram_read test "$(status_counter control export_packets)" = $((2 * SENT))
check exporters_live_control_icmp_port_unreachable test "$(cat "$TMP/control.icmp4")" -gt 0
check exporters_live_control_icmp6_port_unreachable test "$(cat "$TMP/control.icmp6")" -gt 0
echo "# port unreachable received by the exporter, of $SENT datagrams each: ICMP $(cat "$TMP/quiet.icmp4"), ICMPv6 $(cat "$TMP/quiet.icmp6") with haystack's socket; ICMP $(cat "$TMP/control.icmp4"), ICMPv6 $(cat "$TMP/control.icmp6") with the port unbound"

# Live, the exporter outside --exporters: refused in the kernel, and quiet too.
live refused 0 --exporters "$TMP/exporters.txt"
check exporters_live_unlisted_refused test "$(status_counter refused exporter_not_allowed)" = $((2 * SENT)) \
	-a "$(status_counter refused export_packets)" = 0 -a "$(status_counter refused records)" = 0
check exporters_live_status_lists_prefixes python3 -c '
import json, sys; sys.exit(json.load(open(sys.argv[1])).get("exporter_prefixes") != 1)' "$TMP/refused.status"
check exporters_live_unlisted_no_icmp test "$(cat "$TMP/refused.icmp4")" -eq 0 -a "$(cat "$TMP/refused.icmp6")" -eq 0

# A run taking over (run --keep, then run) writes its own list: the old
# list's prefixes go, so an exporter only the old list held is refused.
printf '192.0.2.0/24\n%s/32\n' "$exporter_ip" >"$TMP/exporters-old.txt"
ip netns exec "$nb" bash -s "$HAYSTACK" "$dict" "$subs" "$TMP" "$na" "$gen" "$collector_ip" \
	>"$TMP/takeover.out" 2>&1 <<'EOS'
H=$1 D="--dict $2 --subscribers $3 --ports 2055" T=$4 na=$5 gen=$6 coll=$7
started() { for _ in $(seq 50); do grep -q "attached to" "$1" 2>/dev/null && return; sleep 0.1; done; }
status() { "$H" status --json | python3 -c 'import json, sys
j = json.load(sys.stdin); print(j.get("exporter_prefixes"), j["counters"]["exporter_not_allowed"])'; }
timeout 20 "$H" run --iface vb $D --exporters $T/exporters-old.txt --keep 2>$T/old.err &
pid=$!
started $T/old.err
kill -TERM $pid; wait $pid
timeout 20 "$H" run --iface vb $D --exporters $T/exporters.txt 2>$T/new.err &
pid=$!
started $T/new.err
grep -q "took over" $T/new.err && echo "took_over=1"
ip netns exec "$na" python3 "$gen" send "$coll" 2055 5
for _ in $(seq 50); do [ "$(status)" = "1 5" ] && break; sleep 0.1; done
echo "status=$(status)"
kill -TERM $pid; wait $pid
EOS
check exporters_takeover_took_over grep -q "took_over=1" "$TMP/takeover.out"
check exporters_takeover_old_list_gone grep -q "status=1 5" "$TMP/takeover.out"
