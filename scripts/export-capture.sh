#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# export-capture.sh TRAFFIC.pcap OUT.pcap PORT [VERSION [SOFTFLOWD-OPTIONS]]
# softflowd reads a packet capture and exports its flows (NetFlow v5 unless
# VERSION says 9 or 10; more options such as "-6 -s 10" may follow) to
# 127.0.0.1:PORT; tcpdump on loopback records the export datagrams into
# OUT.pcap. Loopback only, bounded in time.
set -euo pipefail
traffic=$1 out=$2 port=$3 version=${4:-5} extra=${5:-}
log=$(mktemp)
trap 'kill "$tcpdump_pid" 2>/dev/null || true; rm -f "$log"' EXIT

timeout 120 tcpdump -i lo -n -U -w "$out" "udp dst port $port" 2>"$log" &
tcpdump_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$log" && break; sleep 0.1; done
# shellcheck disable=SC2086 # extra is a list of options
timeout 60 softflowd -d -r "$traffic" -v "$version" -n "127.0.0.1:$port" -c none -m 256 -a \
	$extra >/dev/null 2>&1
# tcpdump -U writes each datagram as it comes; give the last ones a moment.
sleep 1
kill "$tcpdump_pid" 2>/dev/null || true
wait "$tcpdump_pid" 2>/dev/null || true
[ -s "$out" ] || { echo "export-capture: no export datagrams captured" >&2; exit 1; }
