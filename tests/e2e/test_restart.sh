#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Restart without loss: three days of NetFlow v5 exports, the agent stopped
# part way by a death (kill -9, SIGTERM with --keep, SIGABRT) in the middle
# of an hour and of a day, a few exports sent while no agent runs, a new run
# started on the same pins and --out (the hour tables the first made taken
# over), the rest of the stream sent. The --out
# file, written by both runs, equals the report of the uninterrupted stream:
# no bin lost, none written twice, nothing counted late, and the
# dictionaries `haystack load` added before the death still in force. Last, a death
# between appending a step's lines and noting them in the pins (the pins
# set back by one hour): the run taking over reads --out and goes on after
# the lines already there; and a death part way through a step's write, cut
# where a line ends: the file is cut back to where the step began.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

python3 tests/e2e/make_three_days.py "$TMP" ||
	{ not_ok restart_capture "could not make three days of exports"; exit 1; }
D="--dict $TMP/day1.json --subscribers $TMP/subscribers.txt --ports 2055 --detail"
"$HAYSTACK" replay $D --dict "$TMP/day2.json" --dict "$TMP/day3.json" "$TMP/all.pcap" >"$TMP/whole.jsonl" 2>"$TMP/replay.err" &&
	[ -s "$TMP/whole.jsonl" ] ||
	{ not_ok restart_reference "replay of the whole stream failed" "$(cat "$TMP/replay.err")"; exit 1; }
# The stream cut in three at frame K: before the death (the last export at
# (K-1)/2 hours and 10 minutes after the first), while no agent runs, after
# the restart.
cut() {	# K: writes $TMP/a.pcap (frames < K), b.pcap (K..K+3), c.pcap (the rest)
	python3 tests/e2e/pcap_cut.py "$TMP/all.pcap" "$TMP/a.pcap:$1" "$TMP/b.pcap:4" "$TMP/c.pcap"
}

make_veth_ns hs || { not_ok restart_setup "cannot create a netns"; exit 1; }

# One mount namespace for each sequence: the bpffs haystack mounts inside
# `ip netns exec` lives as long as it.
sequence() {	# NAME K DEATH: DEATH is what stops the first run
	local name=$1 k=$2 death=$3
	cut "$k"
	ip netns exec "$ns" bash -s "$HAYSTACK" "$TMP" "$k" "$death" "$D" >"$TMP/$name.out" 2>&1 <<'EOS'
H=$1 T=$2 k=$3 death=$4 D=$5
. tests/e2e/agent_lib.sh
rm -f $T/out.jsonl
ulimit -c 0	# SIGABRT kills without leaving a core file behind
keep=; [ "$death" = TERM ] && keep=--keep
# no timeout(1) in between: the death is sent to haystack itself
"$H" run --iface vb $D $keep --out $T/out.jsonl 2>$T/run1.err &
pid=$!
started $T/run1.err
# The second and third days' dictionaries only in the pins, as `haystack
# load` adds them: the run taking over is started with the first alone.
"$H" load --dict $T/day2.json --dict $T/day3.json 2>$T/load.err && echo "loaded=1" || sed "s/^/# load: /" $T/load.err
for _ in $(seq 30); do "$H" status | grep -q "^dictionaries: 3" && break; sleep 0.1; done
tcpreplay -q -i va $T/a.pcap >/dev/null 2>&1
wait_counter v5_packets "$k" && echo "first_part_seen=1" || echo "# v5_packets $(counter v5_packets) of $k"
sleep 1.5	# a poll of the bins: the hours closed so far are written
sig=$death; case $death in REWIND|TEAR) sig=KILL;; esac
kill -$sig $pid; wait $pid; echo "first_exit=$?"
echo "# first run wrote $(wc -l <$T/out.jsonl) lines"
[ -s $T/out.jsonl ] && echo "first_wrote=1"
ip link show vb | grep -q "prog/xdp" && [ -e /sys/fs/bpf/haystack/evidence ] && echo "left_counting=1"
# no agent: the program counts on
tcpreplay -q -i va $T/b.pcap >/dev/null 2>&1
wait_counter v5_packets $((k + 4)) && echo "counted_without_agent=1" || echo "# v5_packets $(counter v5_packets) of $((k + 4))"
if [ "$death" = REWIND ]; then
	python3 tests/e2e/rewind_config.py 3600 || echo "# cannot set the pins back"
elif [ "$death" = TEAR ]; then
	python3 tests/e2e/tear_step.py $T/out.jsonl || echo "# cannot cut the last step"
fi
timeout 30 "$H" run --iface vb $D --out $T/out.jsonl 2>$T/run2.err &
pid=$!
started $T/run2.err
# the hour tables the first run made (a tick after the first part) are
# taken over with their counts
"$H" status --json | python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit(not j["hour_tables"])' &&
	echo "tables_taken_over=1"
tcpreplay -q -i va $T/c.pcap >/dev/null 2>&1
wait_counter v5_packets 144 && echo "rest_seen=1" || echo "# v5_packets $(counter v5_packets) of 144"
kill -TERM $pid; wait $pid; echo "second_exit=$?"
grep -q "took over the haystack attached to vb" $T/run2.err && echo "took_over=1"
grep -q "arrived for bins already reported" $T/run2.err || echo "nothing_late=1"
ip link show vb | grep -q "prog/xdp" || [ -e /sys/fs/bpf/haystack ] || echo "clean=1"
sed 's/^/# run1: /' $T/run1.err; sed 's/^/# run2: /' $T/run2.err
EOS
	r=$(cat "$TMP/$name.out")
	check "restart_${name}_dictionaries_loaded" grep -q "loaded=1" <<<"$r"
	check "restart_${name}_first_part_seen" grep -q "first_part_seen=1" <<<"$r"
	check "restart_${name}_first_run_wrote_closed_bins" grep -q "first_wrote=1" <<<"$r"
	check "restart_${name}_left_counting" grep -q "left_counting=1" <<<"$r"
	check "restart_${name}_counted_without_agent" grep -q "counted_without_agent=1" <<<"$r"
	check "restart_${name}_taken_over" grep -q "took_over=1" <<<"$r"
	check "restart_${name}_tables_taken_over" grep -q "tables_taken_over=1" <<<"$r"
	check "restart_${name}_rest_seen" grep -q "rest_seen=1" <<<"$r"
	check "restart_${name}_second_exits_0" grep -q "second_exit=0" <<<"$r"
	check "restart_${name}_nothing_late" grep -q "nothing_late=1" <<<"$r"
	check "restart_${name}_clean" grep -q "clean=1" <<<"$r"
	# The file both runs appended to: the uninterrupted report, as a
	# multiset, and no line in it twice.
	check "restart_${name}_equals_uninterrupted" compare_reports "$TMP/whole.jsonl" "$TMP/out.jsonl"
	check "restart_${name}_no_line_twice" test "$(sort "$TMP/out.jsonl" | uniq -d | wc -l)" = 0
	grep "^# " <<<"$r"
	cp "$TMP/out.jsonl" "$TMP/$name.jsonl"
}

# Last export before the death 2019-11-15T14:10: the hour 14:00 and the
# first day open.
sequence kill9 29 KILL
# 2019-11-16T05:40, the second day open.
sequence keep 60 TERM
# 2019-11-17T02:10.
sequence abort 101 ABRT
# kill -9 as the first, then the pins set back by one hour (tests/e2e/rewind_config.py).
sequence rewind 29 REWIND
check restart_rewind_reads_back_out grep -q "^# run2: .*not noted reported in the pins" "$TMP/rewind.out"
check restart_rewind_pins_set_back grep -q "^# report_next of 3600 s set back" "$TMP/rewind.out"
# kill -9, then the file and the pins left as by a death part way through
# the last report step's write, cut where one of its lines ends
# (tests/e2e/tear_step.py): the run taking over cuts the file back to where
# the step began, and writes its bins again.
sequence tear 29 TEAR
check restart_tear_step_cut_at_a_line_end grep -q "^# step of [0-9]* lines .* cut after its first line" "$TMP/tear.out"
check restart_tear_file_cut_back_to_the_step grep -q "^# run2: .*into a report step of [0-9]* bytes" "$TMP/tear.out"
