#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Replay acceptance: the small fixture world's NetFlow v5 export, fed through
# the real XDP program with BPF_PROG_TEST_RUN, gives the oracle's reports.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

if ! have_fixtures; then
	for t in replay_v5_summary replay_v5_detail; do
		skip "$t" "needs $FIXTURES (the shared fixture world)"
	done
	exit 0
fi

"$HAYSTACK" replay --dict "$FIXTURES/dictionary.json" --subscribers "$FIXTURES/subscribers.txt" \
	"$FIXTURES/export-v5.pcap" >"$TMP/v5.jsonl" 2>"$TMP/v5.err"
check replay_v5_summary compare_reports "$FIXTURES/expected-v5.jsonl" "$TMP/v5.jsonl"

"$HAYSTACK" replay --detail --dict "$FIXTURES/dictionary.json" \
	--subscribers "$FIXTURES/subscribers.txt" --out "$TMP/v5-detail.jsonl" \
	"$FIXTURES/export-v5.pcap" 2>"$TMP/v5-detail.err"
check replay_v5_detail compare_reports "$FIXTURES/expected-v5-detail.jsonl" "$TMP/v5-detail.jsonl"
