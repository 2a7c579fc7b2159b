#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# replay --out writes its report whole or not at all: a temporary file beside
# the target, renamed on success; a replay that fails leaves the old report.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

make_world "$TMP" 5 || { not_ok output_capture "could not make a v5 export capture"; exit 1; }
dict=$TMP/dictionary.json
subs=$TMP/subscribers.txt
port=$WORLD_PORT
printf 'not a capture\n' >"$TMP/junk.pcap"
replay() { "$HAYSTACK" replay --dict "$dict" --subscribers "$subs" --ports "$port" "$@"; }

# A replay that fails on its second capture leaves the earlier report.
echo "the earlier report" >"$TMP/report.jsonl"
replay --out "$TMP/report.jsonl" "$TMP/v5.pcap" "$TMP/junk.pcap" 2>"$TMP/fail.err"
check output_failed_replay_exits_2 test $? -eq 2
check output_failed_replay_keeps_old grep -qx "the earlier report" "$TMP/report.jsonl"
check output_failed_replay_leaves_no_temp \
	test "$(find "$TMP" -name 'report.jsonl.*' | wc -l)" -eq 0

# One that succeeds replaces it whole, readable by others as before.
replay --out "$TMP/report.jsonl" "$TMP/v5.pcap" 2>/dev/null
check output_replay_exits_0 test $? -eq 0
check output_replay_replaces_report grep -q '"type":"summary"' "$TMP/report.jsonl"
check output_replay_report_complete bash -c "! grep -q 'the earlier report' '$TMP/report.jsonl'"
check output_replay_report_mode_0644 test "$(stat -c %a "$TMP/report.jsonl")" = 644
check output_replay_leaves_no_temp test "$(find "$TMP" -name 'report.jsonl.*' | wc -l)" -eq 0

# "-" is standard output: the same lines as the file.
replay --out - "$TMP/v5.pcap" >"$TMP/stdout.jsonl" 2>/dev/null
check output_dash_is_stdout cmp "$TMP/report.jsonl" "$TMP/stdout.jsonl"
check output_dash_writes_no_file test ! -e ./-
