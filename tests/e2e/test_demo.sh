#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo` runs scripts/demo.sh: it must run through and print what it detected.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

scripts/demo.sh >"$TMP/demo.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then ok demo_runs; else not_ok demo_runs "exit $rc" "$(tail -5 "$TMP/demo.out")"; fi
check demo_prints_day_table grep -qE '2019-11-15T00:00:00Z +alexa-enabled +platform +[0-9]+' "$TMP/demo.out"
check demo_detects_devices grep -qE '^  [1-9][0-9]* detections over the day' "$TMP/demo.out"
check demo_report_written grep -q '"type":"detection"' "$BUILD"/demo/report.jsonl
