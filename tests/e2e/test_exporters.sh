#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --exporters: in replay, a datagram from a source outside the allow-list is
# counted under exporter_not_allowed and none of its records is read.
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

