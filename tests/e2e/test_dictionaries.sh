#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A dictionary for every day (DESIGN §2): three days of exports and three
# dictionaries that classify the same traffic differently (a domain moved,
# a class added, a threshold raised). Replayed with all three, each record is
# classified by the dictionary in force at its export time, and the report
# equals the three days replayed one by one, each with its own dictionary.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

W=$TMP/world
mkdir -p "$W"
python3 tests/e2e/make_three_days.py "$W"
SUBS=$W/subscribers.txt

replay() { "$HAYSTACK" replay --detail --subscribers "$SUBS" "$@"; }
# the subscriber count of one summary line: bin start, width, class
summary() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["type"] == "summary" and d["bin_start"] == sys.argv[2] and \
       d["bin_seconds"] == int(sys.argv[3]) and d["class"] == sys.argv[4]:
        print(d["subscribers"], d.get("generations", ""))' "$@"
}

replay --dict "$W/day1.json" --dict "$W/day2.json" --dict "$W/day3.json" "$W/all.pcap" \
	>"$TMP/all.jsonl" 2>"$TMP/all.err"
check dicts_replay_exits_0 test $? -eq 0
for d in 1 2 3; do
	replay --dict "$W/day$d.json" "$W/day$d.pcap" >>"$TMP/by-day.jsonl" 2>/dev/null
done
check dicts_replay_equals_day_by_day compare_reports "$TMP/by-day.jsonl" "$TMP/all.jsonl"

# what each day's dictionary makes of the same traffic
check dicts_day1_cam_at_its_first_address test "$(summary "$TMP/all.jsonl" 2019-11-15T00:00:00Z 86400 cam)" = "1 "
check dicts_day1_has_no_hub test -z "$(summary "$TMP/all.jsonl" 2019-11-15T00:00:00Z 86400 hub)"
check dicts_day2_cam_moved test "$(summary "$TMP/all.jsonl" 2019-11-16T00:00:00Z 86400 cam)" = "1 "
check dicts_day2_hub_added test "$(summary "$TMP/all.jsonl" 2019-11-16T00:00:00Z 86400 hub)" = "1 "
check dicts_day3_threshold_raised test "$(summary "$TMP/all.jsonl" 2019-11-17T00:00:00Z 86400 cam)" = "0 "
check dicts_day2_subscriber_is_the_moved_ones python3 -c '
import json, sys
subs = {d["subscriber"] for d in map(json.loads, open(sys.argv[1]))
        if d["type"] == "detection" and d["class"] == "cam" and d["bin_start"] == "2019-11-16T00:00:00Z"}
sys.exit(0 if subs == {"100.64.0.2"} else "day 2 cam subscribers: %s" % subs)' "$TMP/all.jsonl"

# The one in force is chosen by valid_from, not by the order given.
replay --dict "$W/day3.json" --dict "$W/day1.json" --dict "$W/day2.json" "$W/all.pcap" \
	>"$TMP/reordered.jsonl" 2>/dev/null
check dicts_order_given_does_not_matter compare_reports "$TMP/all.jsonl" "$TMP/reordered.jsonl"

# Past its valid_until a dictionary still classifies, and says so.
replay --dict "$W/day1.json" "$W/all.pcap" >"$TMP/stale.jsonl" 2>"$TMP/stale.err"
check dicts_stale_still_classifies test "$(summary "$TMP/stale.jsonl" 2019-11-17T00:00:00Z 86400 cam)" = "1 "
check dicts_stale_counted grep -q "stale_dictionary=288" "$TMP/stale.err"
check dicts_in_force_not_stale test "$(grep -c stale_dictionary "$TMP/all.err")" -eq 0

# A dictionary in force from 00:30: the hour 00:00 of day 2 holds evidence of
# both, evaluated with the newer one, its domains joined by name, and says so.
replay --dict "$W/day1.json" --dict "$W/day2-late.json" "$W/all.pcap" >"$TMP/split.jsonl" 2>/dev/null
check dicts_split_bin_joins_by_name test "$(summary "$TMP/split.jsonl" 2019-11-16T00:00:00Z 3600 cam)" = "2 [1, 2]"
check dicts_split_bin_newer_classes test "$(summary "$TMP/split.jsonl" 2019-11-16T00:00:00Z 3600 hub)" = "1 [1, 2]"
check dicts_unsplit_bin_one_dictionary test "$(summary "$TMP/split.jsonl" 2019-11-16T01:00:00Z 3600 cam)" = "1 "

# Refused whole, before anything is loaded: the same dictionary twice.
replay --dict "$W/day1.json" --dict "$W/day1.json" "$W/all.pcap" >/dev/null 2>"$TMP/twice.err"
check dicts_twice_refused_exit_2 test $? -eq 2
check dicts_twice_one_line test "$(wc -l <"$TMP/twice.err")" -eq 1

# Live: two dictionaries loaded at start; status lists both, the one in
# force at the last export time, and that it is stale (day 3 has none).
make_veth_ns hs-dicts || { not_ok dicts_live_setup "cannot create a netns"; exit 0; }
ip netns exec "$ns" env HAYSTACK="$HAYSTACK" bash tests/e2e/live_replay.sh "$TMP" \
	"$W/all.pcap" 144 --detail --dict "$W/day1.json" --dict "$W/day2.json" --subscribers "$SUBS" \
	--out "$TMP/live.jsonl" >"$TMP/live.out" 2>&1
check dicts_live_run_exits_0 grep -q "exit=0" "$TMP/live.out"
check dicts_live_status_lists_dictionaries python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["dictionaries"]
got = [(x["generation"], x["valid_from"], x["in_force"], x["stale"]) for x in d]
want = [(1, "2019-11-15T00:00:00Z", False, False), (2, "2019-11-16T00:00:00Z", True, True)]
sys.exit(0 if sorted(got) == want else "dictionaries: %s" % got)' "$TMP/status.json"
replay --dict "$W/day1.json" --dict "$W/day2.json" "$W/all.pcap" >"$TMP/two.jsonl" 2>/dev/null
check dicts_live_equals_replay compare_reports "$TMP/two.jsonl" "$TMP/live.jsonl"

# Live, one dictionary a day as an operator loads them: day 1 at start
# (through a symlink, as the refresh keeps it), `haystack load` of day 2
# before day 2's exports, SIGHUP during them after the symlink moved to day 3. Loads
# that fail in between leave what is loaded. The report equals the replay
# with the three dictionaries.
printf '{"format": "haystack-dictionary/1", "classes": [' >"$W/broken.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["domains"] = d["domains"][:1]
json.dump(d, open(sys.argv[2], "w"))' "$W/day2.json" "$W/shrunk.json"
ln -s day1.json "$W/current.json"
ip netns exec "$ns" bash -s "$HAYSTACK" "$W" "$TMP" >"$TMP/load.out" 2>&1 <<'EOS'
H=$1 W=$2 T=$3
# e: export packets counted; d: dictionaries loaded; g: their generations
count() { "$H" status --json | python3 -c 'import json,sys; j=json.load(sys.stdin); d=j["dictionaries"]; print({"e": j["counters"]["export_packets"], "d": len(d), "g": ",".join(str(x["generation"]) for x in d)}[sys.argv[1]])' "$1"; }
wait_for() { for _ in $(seq 50); do [ "$(count "$1")" = "$2" ] && return; sleep 0.1; done; }
timeout 30 "$H" run --iface vb --dict "$W/current.json" --subscribers "$W/subscribers.txt" \
	--detail --out "$T/load.jsonl" 2>"$T/load.err" &
pid=$!
for _ in $(seq 50); do grep -q "attached to" "$T/load.err" 2>/dev/null && break; sleep 0.1; done
timeout 30 tcpreplay -q -i va "$W/day1.pcap" >/dev/null 2>&1; wait_for e 48
"$H" load --dict "$W/day2.json"; echo "load=$?"
"$H" load --dict "$W/broken.json" 2>"$T/broken.err"; echo "broken=$?"
"$H" load --dict "$W/shrunk.json" 2>"$T/shrunk.err"; echo "shrunk=$?"
"$H" load --dict "$W/day2.json"; echo "again=$?"
echo "after_loads=$(count d)"
# SIGHUP during day 2's stream: day 3's dictionary, read then, is not in
# force before day 3's export times
ln -sfn day3.json "$W/current.json"
timeout 30 tcpreplay -q --pps 48 -i va "$W/day2.pcap" >/dev/null 2>&1 &
sender=$!
sleep 0.5
kill -HUP $pid
wait $sender; wait_for e 96
for _ in $(seq 50); do count g | grep -q 3 && break; sleep 0.1; done
timeout 30 tcpreplay -q -i va "$W/day3.pcap" >/dev/null 2>&1; wait_for e 144
"$H" status --json >"$T/load-status.json"
# day 1 and 2 are reported: their dictionaries go within seconds
for _ in $(seq 50); do grep -q "generation 1 released" "$T/load.err" && break; sleep 0.1; done
kill -TERM $pid; wait $pid; echo "exit=$?"
EOS
check dicts_load_exits_0 grep -qx "load=0" "$TMP/load.out"
check dicts_load_broken_refused_exit_2 grep -qx "broken=2" "$TMP/load.out"
check dicts_load_broken_one_line test "$(wc -l <"$TMP/broken.err")" -eq 1
check dicts_load_shrunk_refused_exit_2 grep -qx "shrunk=2" "$TMP/load.out"
check dicts_load_shrunk_says_force grep -q -- "--force" "$TMP/shrunk.err"
check dicts_load_same_again_is_no_change grep -qx "again=0" "$TMP/load.out"
check dicts_load_refusals_leave_two grep -qx "after_loads=2" "$TMP/load.out"
check dicts_load_run_exits_0 grep -qx "exit=0" "$TMP/load.out"
# day 1's and day 2's may be released by then: day 3's is the one in force
check dicts_load_status_sighup_generation_in_force python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["dictionaries"]
got = [(x["generation"], x["valid_from"]) for x in d if x["in_force"]]
sys.exit(0 if got == [(3, "2019-11-17T00:00:00Z")] else "dictionaries: %s" % d)' "$TMP/load-status.json"
check dicts_load_live_equals_replay compare_reports "$TMP/all.jsonl" "$TMP/load.jsonl"
# once its day is reported, day 1's dictionary is released whole
check dicts_load_day1_released grep -q "dictionary generation 1 released" "$TMP/load.err"

# Swap under load: while a stream runs, dictionaries that classify one
# endpoint differently are loaded over and over (each replacing the one
# before, which is released: more loads than the 8 slots). Every datagram's
# records carry one generation,
# and each record's outcome is the one that generation's dictionary gives.
python3 tests/e2e/make_swaps.py "$W" 40
ip netns exec "$ns" bash -s "$HAYSTACK" "$W" "$TMP" >"$TMP/swap.out" 2>&1 <<'EOS'
H=$1 W=$2 T=$3
timeout 60 "$H" run --iface vb --dict "$W/swap-1.json" --subscribers "$W/subscribers.txt" \
	--records --out "$T/swap.jsonl" 2>"$T/swap.err" &
pid=$!
for _ in $(seq 50); do grep -q "attached to" "$T/swap.err" 2>/dev/null && break; sleep 0.1; done
timeout 30 tcpreplay -q --pps 100 -i va "$W/swap.pcap" >/dev/null 2>&1 &
sender=$!
for k in $(seq 2 40); do
	kill -0 $sender 2>/dev/null || break
	"$H" load --dict "$W/swap-$k.json" 2>&1 | sed -n 's/.*swap-\([0-9]*\)\.json: dictionary generation \([0-9]*\),.*/loaded \1 \2/p'
	sleep 0.2
done
wait $sender
sleep 1.5
kill -TERM $pid; wait $pid; echo "exit=$?"
EOS
check dicts_swap_run_exits_0 grep -qx "exit=0" "$TMP/swap.out"
check dicts_swap_every_record_one_dictionary python3 -c '
import collections, json, sys
# generation -> the file it was loaded from: 1 is swap-1 (at start)
kind = {1: 1}
for l in open(sys.argv[2]):
    if l.startswith("loaded "):
        k, g = map(int, l.split()[1:])
        kind[g] = k % 2
by_time = collections.defaultdict(set)
n = bad = 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["type"] != "record":
        continue
    n += 1
    g = d["generation"]
    by_time[d["export_time"]].add(g)
    tcp = d["proto"] == 6
    want = "matched" if tcp == (kind[g] == 1) else "port_mismatch"
    got = "matched" if d["match"] else d["reason"]
    bad += got != want
split = sum(len(g) > 1 for g in by_time.values())
gens = {g for s in by_time.values() for g in s}
print("%d records, %d datagrams, %d generations, %d loads, %d split, %d wrong" %
      (n, len(by_time), len(gens), len(kind) - 1, split, bad))
# more loads than slots: each replaced one was released in between
sys.exit(0 if n == 6000 and not split and not bad and len(gens) >= 5 and len(kind) > 9 else 1)' \
	"$TMP/swap.jsonl" "$TMP/swap.out"
