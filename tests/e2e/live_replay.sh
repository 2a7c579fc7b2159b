#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# live_replay.sh DIR PCAP EXPORTS RUN-ARGS...: run inside a test's netns with
# a veth pair va/vb. `haystack run --iface vb RUN-ARGS` is started, PCAP sent
# on va with tcpreplay, and once EXPORTS export packets were counted (5 s at
# most) the status is kept in DIR/status.json and the run stopped with
# SIGTERM. Writes DIR/live.err (the run's stderr), DIR/link (`ip link show
# vb` while attached) and prints "exit=N", the run's exit status.
set -u
dir=$1 pcap=$2 exports=$3
shift 3
H=${HAYSTACK:?}

counted() {
	"$H" status --json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["export_packets"])'
}

timeout 20 "$H" run --iface vb "$@" 2>"$dir/live.err" &
pid=$!
for _ in $(seq 50); do grep -q "attached to" "$dir/live.err" 2>/dev/null && break; sleep 0.1; done
ip link show vb >"$dir/link"
timeout 30 tcpreplay -q -i va "$pcap" >/dev/null 2>&1
for _ in $(seq 50); do [ "$(counted)" = "$exports" ] && break; sleep 0.1; done
"$H" status --json >"$dir/status.json"
kill -TERM $pid
wait $pid
echo "exit=$?"
