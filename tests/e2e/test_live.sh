#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Live end to end: haystack attached to the collector end of a veth pair in a
# private network namespace, softflowd exporting NetFlow v5, v9 or IPFIX from
# a traffic capture to it. The live report and records must equal the replay
# of the same stream (captured on the collector interface), and, for the
# shared fixture world, the oracle report.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

subnet_base=$((RANDOM % 240))
worlds=0

# live_world NAME VERSION TRAFFIC DICT SUBSCRIBERS [ORACLE]: one run of the
# whole path with softflowd exporting NetFlow VERSION (5, 9 or 10 = IPFIX);
# test names carry the world's name.
live_world() {
	local w=$1 version=$2 traffic=$3 dict=$4 subs=$5 oracle=${6:-}
	local id ns host_if coll_if host_ip coll_ip tcpdump_pid run_pid attached sent seen dump
	local port=2055 counter=v${version}_packets options=""
	[ "$version" = 10 ] && port=4739 counter=ipfix_packets
	[ "$version" != 5 ] && options=-6	# v9 and IPFIX carry IPv6 flows too
	id=$(uniq_id)
	ns=hs-$id
	host_if=hsa$id
	coll_if=hsb$id
	# RFC 2544 benchmarking range: addresses of this test's own two hosts
	# only, a /24 of its own for every world (their veths live until exit:
	# two worlds in one subnet would route one's exports to the other).
	worlds=$((worlds + 1))
	host_ip=198.18.$((subnet_base + worlds)).1
	coll_ip=${host_ip%.1}.2

	ip netns add "$ns" || { not_ok "live_${w}_setup" "cannot create netns $ns"; return; }
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
	ip netns exec "$ns" timeout 120 tcpdump -i "$coll_if" -n -U -w "$TMP/$w-stream.pcap" \
		udp dst port "$port" 2>"$TMP/$w-tcpdump.err" &
	tcpdump_pid=$!
	on_exit kill "$tcpdump_pid"

	ip netns exec "$ns" timeout 120 "$HAYSTACK" run --iface "$coll_if" --dict "$dict" \
		--subscribers "$subs" --detail --records --out "$TMP/$w-live.jsonl" \
		2>"$TMP/$w-run.err" &
	run_pid=$!
	on_exit kill "$run_pid"

	attached=0
	for _ in $(seq 50); do
		grep -q "attached to" "$TMP/$w-run.err" && { attached=1; break; }
		kill -0 "$run_pid" 2>/dev/null || break
		sleep 0.2
	done
	for _ in $(seq 50); do
		grep -q "listening on" "$TMP/$w-tcpdump.err" && break
		sleep 0.2
	done
	if [ "$attached" = 1 ]; then ok "live_${w}_attach"; else not_ok "live_${w}_attach" "$(cat "$TMP/$w-run.err")"; return; fi

	# softflowd -r reads the whole capture, then expires every flow and exports.
	timeout 60 softflowd -d -r "$traffic" -v "$version" $options -n "$coll_ip:$port" -c none \
		-m 256 -a >"$TMP/$w-softflowd.out" 2>&1
	check live_${w}_softflowd_exported test $? -eq 0

	# Wait until the program has seen every datagram tcpdump captured.
	sent=0 seen=-1
	for _ in $(seq 50); do
		sent=$(tcpdump -r "$TMP/$w-stream.pcap" -n 2>/dev/null | wc -l)
		seen=$(nsenter -t "$run_pid" -m -n "$HAYSTACK" status --json 2>/dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' \
				"$counter")
		[ "$sent" -gt 0 ] && [ "$seen" = "$sent" ] && break
		sleep 0.2
	done
	check live_${w}_status_counts_every_export_packet test "$seen" = "$sent" -a "$sent" -gt 0
	[ "$seen" = "$sent" ] || echo "# captured $sent export packets, status says $seen"

	# Operators read the pinned maps with bpftool: fields come out by name.
	dump=$(nsenter -t "$run_pid" -m -n bpftool map dump pinned /sys/fs/bpf/haystack/evidence 2>&1 | head -40)
	check live_${w}_bpftool_named_fields grep -q '"rule_mask"' <<<"$dump"
	dump=$(nsenter -t "$run_pid" -m -n bpftool map dump pinned /sys/fs/bpf/haystack/stats 2>&1)
	check live_${w}_bpftool_stats_named grep -q '"not_subscriber"' <<<"$dump"
	if [ "$version" != 5 ]; then
		dump=$(nsenter -t "$run_pid" -m -n bpftool map dump pinned /sys/fs/bpf/haystack/templates 2>&1)
		check live_${w}_bpftool_templates_named grep -q '"template_id": 1024' <<<"$dump"
	fi

	kill -TERM "$run_pid"
	for _ in $(seq 100); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
	wait "$run_pid"
	check live_${w}_exit_status test $? -eq 0
	check live_${w}_detached_on_exit bash -c "! ip -n $ns link show $coll_if | grep -q xdp"
	kill "$tcpdump_pid" 2>/dev/null
	wait "$tcpdump_pid" 2>/dev/null

	"$HAYSTACK" replay --detail --records --dict "$dict" --subscribers "$subs" \
		"$TMP/$w-stream.pcap" >"$TMP/$w-replay.jsonl" 2>"$TMP/$w-replay.err"
	check live_${w}_equals_replay_of_stream compare_reports "$TMP/$w-replay.jsonl" "$TMP/$w-live.jsonl"
	check "live_${w}_detects_devices" grep -q '"type":"detection"' "$TMP/$w-live.jsonl"
	check "live_${w}_records_written" grep -q '"type":"record"' "$TMP/$w-live.jsonl"
	if [ -n "$oracle" ]; then
		grep -v '"type":"record"' "$TMP/$w-live.jsonl" >"$TMP/$w-live-reports.jsonl"
		check "live_${w}_equals_oracle" compare_reports "$oracle" "$TMP/$w-live-reports.jsonl"
	fi
}

# The shared fixture world, with its oracle report.
for f in "v5 5" "v9 9" "ipfix 10"; do
	read -r name version <<<"$f"
	if have_fixtures; then
		live_world "fixture_$name" "$version" "$FIXTURES/traffic.pcap" \
			"$FIXTURES/dictionary.json" "$FIXTURES/subscribers.txt" \
			"$FIXTURES/expected-$name-detail.jsonl"
	else
		for t in attach softflowd_exported status_counts_every_export_packet \
			bpftool_named_fields bpftool_stats_named exit_status detached_on_exit \
			equals_replay_of_stream detects_devices records_written equals_oracle \
			$([ "$version" = 5 ] || echo bpftool_templates_named); do
			skip "live_fixture_${name}_$t" "needs $FIXTURES (the shared fixture world)"
		done
	fi
done

# A world this test makes itself from the sample dictionary.
"$BUILD"/tests/tools/gen_traffic --dict signatures/sample-dictionary.json \
	--subscribers signatures/sample-subscribers.txt -o "$TMP/generated.pcap" 2>/dev/null
live_world generated_v5 5 "$TMP/generated.pcap" signatures/sample-dictionary.json \
	signatures/sample-subscribers.txt
live_world generated_ipfix 10 "$TMP/generated.pcap" signatures/sample-dictionary.json \
	signatures/sample-subscribers.txt
