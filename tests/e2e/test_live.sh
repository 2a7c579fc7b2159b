#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Live end to end: haystack attached to the collector end of a veth pair in a
# private network namespace, softflowd exporting NetFlow v5 from a traffic
# capture to it. The live report must equal the replay of the same stream
# (captured on the collector interface), and, for the shared fixture world,
# the oracle report.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

id=$(uniq_id)
ns=hs-$id
host_if=hsa$id
coll_if=hsb$id
# RFC 2544 benchmarking range: addresses of this test's own two hosts only.
host_ip=198.18.$((RANDOM % 250)).1
coll_ip=${host_ip%.1}.2

if have_fixtures; then
	traffic=$FIXTURES/traffic.pcap
	dict=$FIXTURES/dictionary.json
	subs=$FIXTURES/subscribers.txt
else
	dict=signatures/sample-dictionary.json
	subs=signatures/sample-subscribers.txt
	traffic=$TMP/traffic.pcap
	build/tests/tools/gen_traffic --dict "$dict" --subscribers "$subs" -o "$traffic" 2>/dev/null
fi

ip netns add "$ns" || { not_ok live_setup "cannot create netns $ns"; exit 1; }
on_exit ip netns del "$ns"
ip link add "$host_if" type veth peer name "$coll_if"
on_exit ip link del "$host_if"
ip link set "$coll_if" netns "$ns"
ip addr add "$host_ip/30" dev "$host_if"
ip link set "$host_if" up
ip -n "$ns" addr add "$coll_ip/30" dev "$coll_if"
ip -n "$ns" link set "$coll_if" up
ip -n "$ns" link set lo up

# The collector side records the export stream as it arrives.
ip netns exec "$ns" timeout 120 tcpdump -i "$coll_if" -n -U -w "$TMP/stream.pcap" \
	udp dst port 2055 2>"$TMP/tcpdump.err" &
tcpdump_pid=$!
on_exit kill "$tcpdump_pid"

ip netns exec "$ns" timeout 120 "$HAYSTACK" run --iface "$coll_if" --dict "$dict" \
	--subscribers "$subs" --detail --out "$TMP/live.jsonl" 2>"$TMP/run.err" &
run_pid=$!
on_exit kill "$run_pid"

attached=0
for _ in $(seq 50); do
	grep -q "attached to" "$TMP/run.err" && { attached=1; break; }
	kill -0 "$run_pid" 2>/dev/null || break
	sleep 0.2
done
for _ in $(seq 50); do
	grep -q "listening on" "$TMP/tcpdump.err" && break
	sleep 0.2
done
if [ "$attached" = 1 ]; then ok live_attach; else not_ok live_attach "$(cat "$TMP/run.err")"; exit 1; fi

# softflowd -r reads the whole capture, then expires every flow and exports.
timeout 60 softflowd -d -r "$traffic" -v 5 -n "$coll_ip:2055" -c none -m 256 -a \
	>"$TMP/softflowd.out" 2>&1
check live_softflowd_exported test -s "$TMP/softflowd.out"

# Wait until the program has seen every datagram tcpdump captured.
sent=0 seen=-1
for _ in $(seq 50); do
	sent=$(tcpdump -r "$TMP/stream.pcap" -n 2>/dev/null | wc -l)
	seen=$(nsenter -t "$run_pid" -m -n "$HAYSTACK" status --json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["v5_packets"])')
	[ "$sent" -gt 0 ] && [ "$seen" = "$sent" ] && break
	sleep 0.2
done
check live_status_counts_every_export_packet test "$seen" = "$sent" -a "$sent" -gt 0
[ "$seen" = "$sent" ] || echo "# captured $sent export packets, status says $seen"

# Operators read the pinned maps with bpftool: fields come out by name.
dump=$(nsenter -t "$run_pid" -m -n bpftool map dump pinned /sys/fs/bpf/haystack/evidence 2>&1 | head -40)
check live_bpftool_named_fields grep -q '"rule_mask"' <<<"$dump"
dump=$(nsenter -t "$run_pid" -m -n bpftool map dump pinned /sys/fs/bpf/haystack/stats 2>&1)
check live_bpftool_stats_named grep -q '"not_subscriber"' <<<"$dump"

kill -TERM "$run_pid"
for _ in $(seq 100); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
wait "$run_pid"
check live_exit_status test $? -eq 0
check live_detached_on_exit bash -c "! ip -n $ns link show $coll_if | grep -q xdp"
kill "$tcpdump_pid" 2>/dev/null
wait "$tcpdump_pid" 2>/dev/null

"$HAYSTACK" replay --detail --dict "$dict" --subscribers "$subs" "$TMP/stream.pcap" \
	>"$TMP/replay.jsonl" 2>"$TMP/replay.err"
check live_equals_replay_of_stream compare_reports "$TMP/replay.jsonl" "$TMP/live.jsonl"
if have_fixtures; then
	check live_equals_oracle compare_reports "$FIXTURES/expected-v5-detail.jsonl" "$TMP/live.jsonl"
else
	skip live_equals_oracle "needs $FIXTURES (the shared fixture world)"
fi
