#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# haystack run under what happens to a daemon: its interface deleted and
# created again, a driver without native XDP, a start that fails or is
# interrupted, a full disk under --out, the report file rotated (SIGHUP), and
# SIGTERM. Every case ends with nothing attached and nothing pinned.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

id=$(uniq_id)
ns=hs-$id

# A v5 export of a generated world, in two parts: the datagrams before the
# hour of the last export time, then those of that hour. With --grace 0 the
# first part closes its earlier hours and the second part the hour before
# its own, so each part makes the agent write bins.
make_world "$TMP" 5 || { not_ok runtime_capture "could not make a v5 export capture"; exit 1; }
dict=$TMP/dictionary.json
subs=$TMP/subscribers.txt
port=$WORLD_PORT
split=$(python3 tests/e2e/pcap_cut.py --counts "$TMP/v5.pcap" "$TMP/part1.pcap:before-last-hour" \
	"$TMP/part2.pcap" | tr '\n' ' ')
read -r n1 hours1 n2 _ <<<"$split"
[ "${hours1:-0}" -ge 2 ] && [ "${n2:-0}" -ge 1 ] ||
	{ not_ok runtime_capture "the export capture spans too few hours to close bins twice ($split)"; exit 1; }
"$HAYSTACK" replay --detail --dict "$dict" --subscribers "$subs" --ports "$port" "$TMP/v5.pcap" \
	>"$TMP/replay.jsonl" 2>/dev/null

ip netns add "$ns" || { not_ok runtime_setup "cannot create netns $ns"; exit 1; }
on_exit ip netns del "$ns"

# One mount namespace for the whole sequence: the bpffs haystack mounts and
# the small tmpfs of the disk-full case live as long as it.
ip netns exec "$ns" bash -s "$HAYSTACK" "$dict" "$subs" "$port" "$TMP" "$n1" "$n2" \
	>"$TMP/out" 2>&1 <<'EOS'
H=$1 D="--dict $2 --subscribers $3 --ports $4" T=$5 n1=$6 n2=$7
same() {	# KEY REPORT: the report equals the replay of the whole export
	if out=$(python3 tests/e2e/compare_reports.py $T/replay.jsonl "$2" 2>&1); then
		echo "$1=1"
	else
		sed 's/^/# /' <<<"$out"
	fi
}
veth() { ip link add va type veth peer name vb && ip link set va up && ip link set vb up; }
field() { "$H" status --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j.get(sys.argv[1], j["counters"].get(sys.argv[1])))' "$1"; }
wait_field() {	# NAME VALUE, bounded
	for _ in $(seq 50); do [ "$(field "$1" 2>/dev/null)" = "$2" ] && return 0; sleep 0.1; done
	return 1
}
wait_grep() {	# PATTERN FILE, bounded
	for _ in $(seq 50); do grep -q "$1" "$2" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
ms() { echo $(($(date +%s%N) / 1000000)); }
clean() { ! ip link show vb 2>/dev/null | grep -q "prog/xdp" && [ ! -e /sys/fs/bpf/haystack ]; }
veth

# The interface deleted and created again: said, shown by status, attached
# again, and the second part of the export counted as if nothing happened.
timeout 30 "$H" run --iface vb $D --grace 0 --detail --out $T/relink.jsonl 2>$T/relink.err &
pid=$!
wait_grep "attached to" $T/relink.err
tcpreplay -q -i va "$T/part1.pcap" >/dev/null 2>&1
wait_field v5_packets "$n1" && echo "relink_first_part=1"
ip link del va
wait_grep "vb has disappeared" $T/relink.err && echo "relink_gone_said=1"
wait_field interface_gone True && echo "relink_status_gone=1"
# An interface of that name that refuses the program (a bridge: no native
# XDP) is said, and the agent waits on for the next one.
if ip link add vb type bridge 2>/dev/null; then
	wait_grep "cannot attach to vb: it does not support native XDP" $T/relink.err &&
		[ "$(field interface_gone)" = True ] && echo "relink_refused_waits=1"
	ip link del vb
else
	echo "native_no_bridge=1"
fi
veth
wait_grep "vb is back" $T/relink.err && echo "relink_back_said=1"
ip link show vb | grep -q "prog/xdp" && echo "relink_attached_again=1"
[ "$(field interface_gone)" = False ] && echo "relink_status_back=1"
tcpreplay -q -i va "$T/part2.pcap" >/dev/null 2>&1
wait_field v5_packets $((n1 + n2)) && echo "relink_second_part=1"
kill -TERM $pid; wait $pid && echo "relink_exit0=1"
clean && echo "relink_clean=1"
[ -z "$(ls /sys/fs/bpf/xdp 2>/dev/null)" ] && echo "relink_no_dispatcher_pins=1"
same relink_equals_replay $T/relink.jsonl

# A driver without native XDP (a bridge): the refusal names the way out,
# and leaves nothing pinned, nothing attached.
if ip link add br0 type bridge 2>/dev/null; then
	"$H" run --iface br0 $D 2>$T/native.err; [ $? = 1 ] && echo "native_exit1=1"
	grep -q "does not support native XDP.*try --xdp-mode skb" $T/native.err && echo "native_says_skb=1"
	! ip link show br0 | grep -q "xdp" && [ ! -e /sys/fs/bpf/haystack ] && echo "native_clean=1"
	ip link del br0
else
	echo "native_no_bridge=1"
fi

# Another haystack on the interface (left by run --keep with other pins):
# refused, and the pins the refused start made are gone, the other's stay.
timeout 20 "$H" run --iface vb $D --keep --pin /sys/fs/bpf/hs-other 2>$T/other.err &
pid=$!
wait_grep "attached to" $T/other.err
kill -TERM $pid; wait $pid
"$H" run --iface vb $D 2>$T/second.err; [ $? = 1 ] && echo "other_exit1=1"
grep -q "another haystack instance is attached to vb" $T/second.err && echo "other_says_why=1"
[ ! -e /sys/fs/bpf/haystack ] && echo "other_no_pins_left=1"
[ -e /sys/fs/bpf/hs-other/evidence ] && ip link show vb | grep -q "prog/xdp" && echo "other_kept=1"
"$H" detach --iface vb --pin /sys/fs/bpf/hs-other && clean && [ ! -e /sys/fs/bpf/hs-other ] &&
	echo "other_detached=1"

# SIGTERM during the start, at several points of it: a clean exit, nothing
# left behind.
for delay in 0.01 0.05 0.1 0.2; do
	"$H" run --iface vb $D 2>/dev/null &
	pid=$!
	sleep $delay
	kill -TERM $pid; wait $pid; rc=$?
	clean || echo "# SIGTERM after $delay s left something attached or pinned"
	[ $rc = 0 ] || [ $rc = 143 ] || echo "# SIGTERM after $delay s: exit $rc"
	clean && { [ $rc = 0 ] || [ $rc = 143 ]; } && echo "early_term_$delay=1"
done

# SIGTERM while running, with --records (the ring buffer is in the loop):
# answered within a second.
timeout 20 "$H" run --iface vb $D --records --out $T/term.jsonl 2>$T/term.err &
pid=$!
wait_grep "attached to" $T/term.err
tcpreplay -q -i va "$T/part1.pcap" >/dev/null 2>&1
wait_field v5_packets "$n1"
t0=$(ms); kill -TERM $pid; wait $pid; rc=$?; t1=$(ms)
echo "# SIGTERM answered in $((t1 - t0)) ms"
[ $rc = 0 ] && [ $((t1 - t0)) -lt 1000 ] && echo "term_fast=1"
grep -q '"type":"record"' $T/term.jsonl && echo "term_records_written=1"
clean && echo "term_clean=1"

# The report file rotated: after SIGHUP the bins go to the new file. With
# -v the agent says each walk of the evidence map: one read a bin reported
# (an hour, the day: as they close with the first part, the second, the
# exit), one deletion at the first look and one once the day is reported,
# however many seconds the run lasts.
timeout 30 "$H" -v run --iface vb $D --grace 0 --detail --out $T/rot.jsonl 2>$T/rot.err &
pid=$!
wait_grep "attached to" $T/rot.err
tcpreplay -q -i va "$T/part1.pcap" >/dev/null 2>&1
wait_grep '"bin_seconds":3600' $T/rot.jsonl
mv $T/rot.jsonl $T/rot.1.jsonl
kill -HUP $pid
wait_grep "opened again" $T/rot.err && echo "hup_said=1"
grep -q "loaded already, as dictionary generation 1" $T/rot.err && echo "hup_dict_unchanged=1"
tcpreplay -q -i va "$T/part2.pcap" >/dev/null 2>&1
wait_grep '"bin_seconds":3600' $T/rot.jsonl && echo "hup_new_file_written=1"
sleep 2	# two more ticks: nothing closes, nothing is read
kill -TERM $pid; wait $pid && echo "hup_exit0=1"
cat $T/rot.1.jsonl $T/rot.jsonl >$T/rot-all.jsonl
reads=$(grep -c "reading the evidence" $T/rot.err) deletes=$(grep -c "deleting the evidence" $T/rot.err)
bins=$(grep -o '"bin_start":"[^"]*","bin_seconds":[0-9]*' $T/rot-all.jsonl | sort -u | wc -l)
echo "# evidence map walks: $reads reads, $deletes deletions; $bins bins reported"
[ "$bins" -gt 2 ] && [ "$reads" = "$bins" ] && [ "$deletes" = 2 ] && echo "walks_only_on_closing=1"
same hup_equals_replay $T/rot-all.jsonl

# A full disk: a tmpfs of two pages, one taken by a filler, the other by an
# earlier report line but 96 octets. The first bins do not fit: the file
# is cut back to that line, the evidence stays, and once there is room the
# next bin brings them all.
mkdir -p $T/full
mount -t tmpfs -o size=8k tmpfs $T/full
python3 -c 'import json; print(json.dumps({"type":"earlier","pad":"x" * 3970}))' >$T/full/out.jsonl
head -c 4096 /dev/zero >$T/full/filler
timeout 30 "$H" run --iface vb $D --grace 0 --detail --out $T/full/out.jsonl 2>$T/full.err &
pid=$!
wait_grep "attached to" $T/full.err
tcpreplay -q -i va "$T/part1.pcap" >/dev/null 2>&1
wait_grep "report lines of the bins from .* not written" $T/full.err && echo "full_said=1"
sleep 1.5	# another tick or two: what failed is not tried again before a bin closes
[ "$(grep -c "not written" $T/full.err)" = 1 ] && echo "full_said_once=1"
[ "$(stat -c %s $T/full/out.jsonl)" = 4001 ] && [ "$(wc -l <$T/full/out.jsonl)" = 1 ] &&
	echo "full_whole_line=1"
[ "$(field evidence_entries)" -gt 0 ] && echo "full_evidence_kept=1"
mount -o remount,size=1m $T/full
tcpreplay -q -i va "$T/part2.pcap" >/dev/null 2>&1
wait_field v5_packets $((n1 + n2))
wait_grep '"bin_seconds":3600' $T/full/out.jsonl && echo "full_retried=1"
kill -TERM $pid; wait $pid && echo "full_exit0=1"
tail -n +2 $T/full/out.jsonl >$T/full-reports.jsonl
same full_equals_replay $T/full-reports.jsonl
clean && echo "full_clean=1"

# Record lines with no room at all: said once, counted, and said again
# with how many were lost once there is room.
head -c 2M /dev/zero >$T/full/filler2 2>/dev/null	# until the disk is full
timeout 30 "$H" run --iface vb $D --records --out $T/full/records.jsonl 2>$T/records.err &
pid=$!
wait_grep "attached to" $T/records.err
tcpreplay -q -i va "$T/part1.pcap" >/dev/null 2>&1
wait_field v5_packets "$n1"
wait_grep "record lines are lost until it can be written" $T/records.err &&
	[ "$(grep -c "record lines are lost" $T/records.err)" = 1 ] && echo "records_lost_said_once=1"
rm $T/full/filler2
tcpreplay -q -i va "$T/part2.pcap" >/dev/null 2>&1
wait_grep "written again; [0-9]* record lines were lost" $T/records.err && echo "records_lost_counted=1"
kill -TERM $pid; wait $pid && echo "records_exit0=1"
python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' $T/full/records.jsonl &&
	[ -s $T/full/records.jsonl ] && [ "$(tail -c 1 $T/full/records.jsonl | od -An -c | tr -d " ")" = '\n' ] &&
	echo "records_whole_lines=1"
rm -f $T/full/records.jsonl
clean && echo "records_clean=1"

# Still full on exit: the bins not written stay counted and pinned, and the
# next run takes them over and writes them.
rm -f $T/full/out.jsonl
mount -o remount,size=8k $T/full
python3 -c 'import json; print(json.dumps({"type":"earlier","pad":"x" * 3970}))' >$T/full/out.jsonl
timeout 30 "$H" run --iface vb $D --detail --out $T/full/out.jsonl 2>$T/full2.err &
pid=$!
wait_grep "attached to" $T/full2.err
tcpreplay -q -i va "$T/v5.pcap" >/dev/null 2>&1
wait_field v5_packets $((n1 + n2))
kill -TERM $pid; wait $pid; [ $? = 1 ] && echo "full_exit_full1=1"
sed 's/^/# /' $T/full2.err
grep -q "stays in /sys/fs/bpf/haystack" $T/full2.err && echo "full_exit_says_kept=1"
ip link show vb | grep -q "prog/xdp" && [ -e /sys/fs/bpf/haystack/evidence ] && echo "full_exit_kept=1"
mount -o remount,size=1m $T/full
timeout 30 "$H" run --iface vb $D --detail --out $T/full/out.jsonl 2>$T/full3.err &
pid=$!
wait_grep "attached to" $T/full3.err
kill -TERM $pid; wait $pid && echo "full_next_exit0=1"
tail -n +2 $T/full/out.jsonl >$T/full-next.jsonl
same full_next_equals_replay $T/full-next.jsonl
clean && echo "full_next_clean=1"
umount $T/full
EOS
r=$(cat "$TMP/out")
# Each case printed KEY=1 where it held. A line: the test, then its KEY.
while read -r name key; do
	if [[ $name == native_* ]] && grep -q "native_no_bridge=1" <<<"$r"; then
		skip "runtime_$name" "no bridge interfaces here"
	else
		check "runtime_$name" grep -q "^$key=1" <<<"$r"
	fi
done <<'EOF'
relink_counts_first_part relink_first_part
relink_gone_on_stderr relink_gone_said
relink_gone_in_status relink_status_gone
native_relink_refused_waits relink_refused_waits
relink_back_on_stderr relink_back_said
relink_attached_again relink_attached_again
relink_back_in_status relink_status_back
relink_counts_second_part relink_second_part
relink_exits_0 relink_exit0
relink_leaves_nothing relink_clean
relink_no_dispatcher_pins relink_no_dispatcher_pins
relink_report_equals_replay relink_equals_replay
native_refused_exit_1 native_exit1
native_refused_says_skb native_says_skb
native_refused_clean native_clean
other_haystack_refused other_exit1
other_haystack_says_why other_says_why
other_haystack_no_pins_left other_no_pins_left
other_haystack_kept other_kept
other_haystack_detached other_detached
early_term_10ms_clean early_term_0.01
early_term_50ms_clean early_term_0.05
early_term_100ms_clean early_term_0.1
early_term_200ms_clean early_term_0.2
term_within_a_second term_fast
term_records_written term_records_written
term_clean term_clean
hup_said hup_said
hup_dictionary_unchanged_kept hup_dict_unchanged
hup_new_file_written hup_new_file_written
hup_exit_0 hup_exit0
hup_files_equal_replay hup_equals_replay
evidence_read_only_when_bins_close walks_only_on_closing
full_said full_said
full_said_once full_said_once
full_ends_on_whole_line full_whole_line
full_evidence_kept full_evidence_kept
full_retried_at_next_bin full_retried
full_exit_0 full_exit0
full_report_equals_replay full_equals_replay
full_clean full_clean
records_lost_said_once records_lost_said_once
records_lost_counted records_lost_counted
records_exit_0 records_exit0
records_whole_lines records_whole_lines
records_clean records_clean
full_on_exit_fails full_exit_full1
full_on_exit_says_kept full_exit_says_kept
full_on_exit_kept full_exit_kept
full_next_run_exit_0 full_next_exit0
full_next_run_writes_them full_next_equals_replay
full_next_run_clean full_next_clean
EOF
grep "^# " <<<"$r"
