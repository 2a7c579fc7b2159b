#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The demo: a synthetic ISP world from the sample dictionary, exported as
# NetFlow v5 by softflowd over loopback, replayed through the real XDP program.
# Needs root (the program is loaded into the kernel). Run via `make demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

dict=signatures/sample-dictionary.json
subs=signatures/sample-subscribers.txt
BUILD=${BUILD:-build}
out=$BUILD/demo
mkdir -p "$out"

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: the XDP program is loaded into the kernel: run as root (sudo make demo)" >&2
	exit 1
fi

echo "== 1. synthetic subscriber traffic (packet level; NetFlow v5 carries its IPv4 part)"
"$BUILD"/tests/tools/gen_traffic --dict "$dict" --subscribers "$subs" -o "$out/traffic.pcap"

echo "== 2. softflowd exports it as NetFlow v5 to 127.0.0.1:$((port = 20000 + RANDOM % 20000)), captured on loopback"
scripts/export-capture.sh "$out/traffic.pcap" "$out/export-v5.pcap" "$port"
echo "   $(tcpdump -r "$out/export-v5.pcap" -n 2>/dev/null | wc -l) export datagrams in $out/export-v5.pcap"

echo "== 3. haystack replay through the XDP program (BPF_PROG_TEST_RUN)"
"$BUILD"/haystack replay --detail --ports "$port" --dict "$dict" --subscribers "$subs" \
	--out "$out/report.jsonl" "$out/export-v5.pcap"

echo "== 4. what was detected (day bins; hourly bins and per-subscriber lines in $out/report.jsonl)"
python3 - "$out/report.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
print("  %-20s %-16s %-13s %11s %7s" % ("day", "class", "level", "subscribers", "active"))
for o in lines:
    if o["type"] == "summary" and o["bin_seconds"] == 86400:
        print("  %-20s %-16s %-13s %11d %7d" % (o["bin_start"], o["class"], o["level"],
                                              o["subscribers"], o["active"]))
dets = [o for o in lines if o["type"] == "detection" and o["bin_seconds"] == 86400]
print("\n  %d detections over the day, for example:" % len(dets))
for o in dets[:5]:
    print("    %-24s %-16s %d of %d domains (%d required), %d packets" % (
        o["subscriber"], o["class"], o["domains_seen"], o["domains_monitored"],
        o["required"], o["packets"]))
PY
