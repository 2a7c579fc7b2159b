#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Replay acceptance: the small fixture world's NetFlow v5, v9 and IPFIX exports, fed through
# the real XDP program with BPF_PROG_TEST_RUN, gives the oracle's reports.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

if ! have_fixtures; then
	for t in replay_{v5,v9,ipfix}{,-s10}_{summary,detail} replay_{v5,v9,ipfix}_estimate_unsampled \
		replay_{v5,v9,ipfix}-s10_estimate_from_exporter replay_{v5,v9,ipfix}_sampling_option_overrides; do
		skip "$t" "needs $FIXTURES (the shared fixture world)"
	done
	exit 0
fi

# Every export format, unsampled and 1-in-10, summary and detail lines.
for f in v5 v9 ipfix; do
	for s in "" -s10; do
		"$HAYSTACK" replay --dict "$FIXTURES/dictionary.json" \
			--subscribers "$FIXTURES/subscribers.txt" "$FIXTURES/export-$f$s.pcap" \
			>"$TMP/$f$s.jsonl" 2>"$TMP/$f$s.err"
		check "replay_$f${s}_summary" \
			compare_reports "$FIXTURES/expected-$f$s.jsonl" "$TMP/$f$s.jsonl"
		"$HAYSTACK" replay --detail --dict "$FIXTURES/dictionary.json" \
			--subscribers "$FIXTURES/subscribers.txt" --out "$TMP/$f$s-detail.jsonl" \
			"$FIXTURES/export-$f$s.pcap" 2>"$TMP/$f$s-detail.err"
		check "replay_$f${s}_detail" \
			compare_reports "$FIXTURES/expected-$f$s-detail.jsonl" "$TMP/$f$s-detail.jsonl"
	done
done

# Renormalised estimates: packets x the exporter's rate (v5 header, v9/IPFIX
# options data), or x --sampling N whatever the exporter said.
estimate_is() {	# FILE RATE: every detection line's estimate is RATE x packets
	python3 -c '
import json, sys
rate, n = int(sys.argv[2]), 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["type"] == "detection":
        n += 1
        if d["packets_estimate"] != rate * d["packets"]:
            sys.exit(f"{l.strip()}: estimate is not {rate} x packets")
sys.exit(0 if n else "no detection lines")' "$@"
}
for f in v5 v9 ipfix; do
	check "replay_${f}_estimate_unsampled" estimate_is "$TMP/$f-detail.jsonl" 1
	check "replay_${f}-s10_estimate_from_exporter" estimate_is "$TMP/$f-s10-detail.jsonl" 10
	"$HAYSTACK" replay --detail --sampling 250 --dict "$FIXTURES/dictionary.json" \
		--subscribers "$FIXTURES/subscribers.txt" "$FIXTURES/export-$f-s10.pcap" \
		>"$TMP/$f-override.jsonl" 2>/dev/null
	check "replay_${f}_sampling_option_overrides" estimate_is "$TMP/$f-override.jsonl" 250
done
