#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Folding the hours (docs/operations.md): a live run with a day bin folds
# each reported hour into the day's fold table and lets the hour's table
# go, so the kernel holds the open hours alone; its day bin equals the one
# replay makes from the hours themselves (tests/e2e/make_fold_day.py: a
# subscriber active in no hour though its day's packets are many, one
# active in one folded hour, domains seen hours apart, a late record), with
# --bins 1h,1d and with --bins 1d (no hour lines: the hours evaluated for
# their activity alone).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

python3 tests/e2e/make_fold_day.py "$TMP" ||
	{ not_ok fold_capture "could not make the exports"; exit 1; }
D="--dict $TMP/day1.json --subscribers $TMP/subscribers.txt --ports 2055 --detail"
make_veth_ns hs || { not_ok fold_setup "cannot create a netns"; exit 1; }

sequence() {	# NAME BINS
	local name=$1 bins=$2 r
	"$HAYSTACK" replay $D --bins "$bins" "$TMP/all.pcap" >"$TMP/$name-replay.jsonl" 2>/dev/null ||
		{ not_ok "fold_${name}_replay" "replay failed"; return; }
	ip netns exec "$ns" bash -s "$HAYSTACK" "$TMP" "$bins" "$D" >"$TMP/$name.out" 2>&1 <<'EOS'
H=$1 T=$2 bins=$3 D=$4
. tests/e2e/agent_lib.sh
rm -f $T/live.jsonl
n_first=$(tcpdump -r $T/first.pcap -n 2>/dev/null | wc -l)
n_all=$(tcpdump -r $T/all.pcap -n 2>/dev/null | wc -l)
timeout 90 "$H" run --iface vb $D --bins "$bins" --out $T/live.jsonl 2>$T/run.err &
pid=$!
started $T/run.err
# a datagram a second: the agent's tick makes the hour tables as the hours
# come, so that the records go to them (tests/e2e/make_fold_day.py)
tcpreplay -q --pps 1 -i va $T/first.pcap >/dev/null 2>&1
wait_counter v5_packets "$n_first" && echo "first_seen=1"
sleep 1.5	# a poll of the bins: the hours to 13:00 closed, reported, folded
"$H" status --json >$T/status.json
python3 - $T/status.json <<'EOP' && echo "folded=1"
import json, sys
j = json.load(open(sys.argv[1]))
folds, hours = j["fold_tables"], j["hour_tables"]
print("# fold_tables", folds)
print("# hour_tables", hours)
assert [(f["bin_start"], f["bin_seconds"]) for f in folds] == [("2019-11-15T00:00:00Z", 86400)]
assert folds[0]["entries"] > 0 and folds[0]["bytes"] > 0
# the hours reported and folded are no longer in the kernel
assert hours and all(h["hour"] >= "2019-11-15T13:00:00Z" for h in hours), hours
EOP
tcpreplay -q -i va $T/rest.pcap >/dev/null 2>&1
wait_counter v5_packets "$n_all" && echo "rest_seen=1"
kill -TERM $pid; wait $pid; echo "exit=$?"
[ -e /sys/fs/bpf/haystack ] || echo "clean=1"
sed 's/^/# run: /' $T/run.err
EOS
	r=$(cat "$TMP/$name.out")
	check "fold_${name}_first_part_seen" grep -q "first_seen=1" <<<"$r"
	check "fold_${name}_hours_folded_and_let_go" grep -q "folded=1" <<<"$r"
	check "fold_${name}_rest_seen" grep -q "rest_seen=1" <<<"$r"
	check "fold_${name}_exits_0" grep -q "exit=0" <<<"$r"
	check "fold_${name}_clean" grep -q "clean=1" <<<"$r"
	# late for the hour bin; with no hour bin, in time for the day
	[ "$bins" = 1d ] ||
		check "fold_${name}_late_said" grep -q "^# run: .*arrived for bins already reported" <<<"$r"
	# The day bins as replay makes them from the hours; the hour bins too,
	# but the one of the late record (live reported it before the record came).
	grep -v '"bin_start":"2019-11-15T03:00:00Z","bin_seconds":3600' "$TMP/$name-replay.jsonl" >"$TMP/$name-expected.jsonl"
	grep -v '"bin_start":"2019-11-15T03:00:00Z","bin_seconds":3600' "$TMP/live.jsonl" >"$TMP/$name-live.jsonl"
	check "fold_${name}_equals_replay" compare_reports "$TMP/$name-expected.jsonl" "$TMP/$name-live.jsonl"
	check "fold_${name}_same_lines" test "$(wc -l <"$TMP/$name-expected.jsonl")" = "$(wc -l <"$TMP/$name-live.jsonl")"
	check "fold_${name}_day_inactive_kept" grep -q '"bin_seconds":86400,"subscriber":"100.64.0.4".*"active":false' "$TMP/live.jsonl"
	check "fold_${name}_day_active_from_a_folded_hour" grep -q '"bin_seconds":86400,"subscriber":"100.64.0.5".*"active":true' "$TMP/live.jsonl"
	check "fold_${name}_day_has_the_late_record" grep -q '"bin_seconds":86400,"subscriber":"100.64.0.7".*"packets":15' "$TMP/live.jsonl"
	grep "^# " <<<"$r"
}

sequence hours 1h,1d
sequence days 1d
