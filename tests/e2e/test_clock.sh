#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Time that one exporter cannot break (docs/operations.md, "Time that one
# exporter cannot break"), in replay and live on a veth pair in a netns of
# the test's own. Three exporters export three hours (clock_exports.py); one
# of them sends a header of 1970 or 2106 (and a fourth, new exporter one of
# its own), jumps a year, jumps to a year ahead of this host's clock, or
# stops. The other exporters' bins are those of the capture without it, the
# report holds no other bin, and SIGTERM is answered within a second, also
# while a long backlog of bins is written. Live, records past the host's
# clock and a day add no evidence (past_time_ceiling), and evidence of such
# bins found in pins taken over is deleted.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

port=$((20000 + RANDOM % 20000))
args=(--ports "$port" --dict signatures/sample-dictionary.json
	--subscribers signatures/sample-subscribers.txt --detail)
for s in base 1970 2106 year future ahead stop many; do
	python3 tests/e2e/clock_exports.py "$TMP/$s.pcap" "$s" "$port"
done

# bounded_like OUT: OUT has only bins the base report has, and the lines of
# exporters 10.9.0.2 and .3 (subscribers 100.64.1.2 and .3) are the base's.
bounded_like() {
	python3 - "$TMP/base.jsonl" "$1" <<'PY'
import json, sys
base, got = ([json.loads(l) for l in open(p)] for p in sys.argv[1:])
bins = lambda r: {(o["bin_start"], o["bin_seconds"]) for o in r}
others = lambda r: sorted(json.dumps(o, sort_keys=True) for o in r
                          if o.get("subscriber") in ("100.64.1.2", "100.64.1.3"))
extra = bins(got) - bins(base)
if extra:
    sys.exit("%d lines, bins beyond the base report's: %s" % (len(got), sorted(extra)[:5]))
if others(got) != others(base):
    sys.exit("the other exporters' lines differ:\n%s\nwanted\n%s" % (others(got), others(base)))
PY
}

# -- replay --
"$HAYSTACK" replay "${args[@]}" "$TMP/base.pcap" >"$TMP/base.jsonl" 2>"$TMP/base.err"
check clock_replay_base_detects grep -q '"subscriber":"100.64.1.2","class":"ring"' "$TMP/base.jsonl"
for s in 1970 2106 year future stop; do
	start=$(date +%s%N)
	timeout 60 "$HAYSTACK" replay "${args[@]}" "$TMP/$s.pcap" >"$TMP/r$s.jsonl" 2>"$TMP/r$s.err"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# replay $s: $(wc -l <"$TMP/r$s.jsonl") lines ($(wc -l <"$TMP/base.jsonl") without it) in $ms ms"
	check "clock_replay_${s}_bounded_others_unchanged" bounded_like "$TMP/r$s.jsonl"
done
for s in 1970 2106; do
	check "clock_replay_${s}_counted" grep -q "export_time_jump=1 " "$TMP/r$s.err"
	check "clock_replay_${s}_new_exporter_said" grep -q "1 of 4 exporters have a clock far" "$TMP/r$s.err"
done
check clock_replay_year_followed grep -q "export_time_jump=7 .*export_clock_followed=1" "$TMP/ryear.err"
check clock_replay_future_followed grep -q "export_time_jump=7 .*export_clock_followed=1" "$TMP/rfuture.err"
# replay has no ceiling: a capture may be of any time
check clock_replay_no_time_ceiling bash -c "! grep -q past_time_ceiling '$TMP/rfuture.err'"

# -- live --
if ! make_veth_ns hs-clk; then
	for t in base 1970 2106 year future stop; do not_ok "clock_live_$t" "cannot create a netns"; done
	exit 1
fi
# live NAME PCAP WAIT-S RUN-ARGS...: run in the netns, PCAP sent, WAIT-S
# seconds later SIGTERM; prints the ms from SIGTERM to exit and the exit
# status. The report in $TMP/lNAME.jsonl, stderr in $TMP/lNAME.err.
live() {
	local name=$1 pcap=$2 wait=$3
	shift 3
	ip netns exec "$ns" bash -c '
		out=$1 err=$2 pcap=$3 wait=$4
		shift 4
		timeout 60 "$0" run --iface vb "$@" --out "$out" 2>"$err" &
		pid=$!
		for _ in $(seq 50); do grep -q "attached to" "$err" && break; sleep 0.1; done
		timeout 30 tcpreplay -q ${TOPSPEED:+--topspeed} -i va "$pcap" >/dev/null 2>&1
		sleep "$wait"
		[ -n "${SILENT_CHECK:-}" ] && cp "$out" "$out.before-term"
		"$0" status --json >"$out.status" 2>/dev/null
		bpftool -j map dump pinned /sys/fs/bpf/haystack/evidence >"$out.evidence" 2>&1
		bpftool map dump pinned /sys/fs/bpf/haystack/exporter_clocks >"$out.clocks" 2>&1
		date +%s >"$out.now"
		start=$(date +%s%N)
		kill -TERM $pid
		wait $pid
		rc=$?
		echo "$((($(date +%s%N) - start) / 1000000)) $rc"
	' "$HAYSTACK" "$TMP/l$name.jsonl" "$TMP/l$name.err" "$pcap" "$wait" "$@"
}
term_fast() { [ "$1" -lt 1000 ] && [ "$2" = 0 ] || { echo "SIGTERM answered in $1 ms, exit $2"; return 1; }; }

for s in 1970 2106 year future stop; do
	read -r ms rc < <(live "$s" "$TMP/$s.pcap" 1.5 "${args[@]}" --grace 0)
	echo "# live $s: $(wc -l <"$TMP/l$s.jsonl") lines, SIGTERM answered in $ms ms"
	check "clock_live_${s}_term_within_a_second" term_fast "$ms" "$rc"
	check "clock_live_${s}_bounded_others_unchanged" bounded_like "$TMP/l$s.jsonl"
done

# counters FILE EXPR: EXPR over the counters of the status JSON in FILE (c)
counters() {
	python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["counters"]
sys.exit(0 if eval(sys.argv[2]) else "no: %s in %s" % (sys.argv[2], c))' "$@"
}
# no_evidence_past FILE NOW [EMPTY-OK]: a bpftool dump of the evidence map,
# not empty (unless EMPTY-OK), holds no bin (bin_start) past NOW (a file of
# UTC seconds) and a day
no_evidence_past() {
	python3 -c 'import json, sys
dump = json.load(open(sys.argv[1]))
limit = int(open(sys.argv[2]).read()) + 86400
if not dump and len(sys.argv) < 4:
    sys.exit("no evidence at all")
bins = [int.from_bytes(bytes(int(b, 16) for b in e["key"][16:24]), "little") for e in dump]
past = sorted(b for b in bins if b > limit)
if past:
    sys.exit("%d of %d evidence entries past %d: bins %s" % (len(past), len(bins), limit, past[:5]))' "$@"
}
# The exporter that jumped to a year ahead of this host is followed, its
# records read, and none of them evidence: no entry of a bin past the ceiling.
# the clocks in a map of their own, read by name (BTF)
check clock_live_clocks_bpftool_named grep -q '"candidate_count"' "$TMP/lfuture.jsonl.clocks"
check clock_live_future_followed counters "$TMP/lfuture.jsonl.status" \
	"c['export_time_jump'] == 7 and c['export_clock_followed'] == 1"
check clock_live_future_past_time_ceiling counters "$TMP/lfuture.jsonl.status" \
	"(c['past_time_ceiling'], c['records'], c['matched']) == (38, 263, 225)"
check clock_live_future_no_evidence_past_ceiling \
	no_evidence_past "$TMP/lfuture.jsonl.evidence" "$TMP/lfuture.jsonl.now"

# status shows each exporter's clock: the 1970 header moved none
clock_of() {
	python3 -c 'import json, sys
for e in json.load(open(sys.argv[1]))["exporters"]:
    if e["exporter"] == sys.argv[2]:
        print(e.get("clock"), e.get("clock_datagrams"))' "$1" "$2"
}
check clock_live_status_shows_clock test "$(clock_of "$TMP/l1970.jsonl.status" 10.9.0.1)" = \
	"2019-11-15T12:58:00Z 90"

# Every exporter silent for the grace period (5 s, and 10 s at least) on the
# host's clock: the open hour (12:00) and day are written before any SIGTERM.
read -r ms rc < <(SILENT_CHECK=1 live silent "$TMP/base.pcap" 12 "${args[@]}" --grace 5)
check clock_live_silent_open_bins_written grep -q '"bin_start":"2019-11-15T12:00:00Z","bin_seconds":3600' \
	"$TMP/lsilent.jsonl.before-term"
check clock_live_silent_day_written grep -q '"bin_start":"2019-11-15T00:00:00Z","bin_seconds":86400' \
	"$TMP/lsilent.jsonl.before-term"

# Eight years of plausible time sent at once: 70,000 hour bins to write, 24
# a tick; SIGTERM comes while they are written, and the stop writes what
# it can in half a second.
read -r ms rc < <(TOPSPEED=1 live many "$TMP/many.pcap" 0.5 "${args[@]}" --grace 0)
echo "# live many: $(wc -l <"$TMP/lmany.jsonl") lines, SIGTERM answered in $ms ms"
check clock_live_many_bins_term_within_a_second term_fast "$ms" "$rc"
check clock_live_many_bins_stop_says_what_is_left grep -q "stopped before the bins from .* were written" "$TMP/lmany.err"

# Evidence of bins past the ceiling in pins taken over (pins of an earlier
# build, a host clock set back): the ceiling of a kept program cleared
# behind its back, an exporter a year ahead of this host counted, then the
# run taking over deletes that evidence and says how much.
ip netns exec "$ns" bash -s "$HAYSTACK" "$TMP" "${args[@]}" >"$TMP/purge.out" 2>&1 <<'EOS'
H=$1 T=$2
shift 2
. tests/e2e/agent_lib.sh	# started: 30 s at most, the machine may be busy
dump() { bpftool -j map dump pinned /sys/fs/bpf/haystack/evidence >"$1" 2>&1; }
timeout 60 "$H" run --iface vb "$@" --keep --out "$T/lpurge.jsonl" 2>"$T/purge1.err" &
pid=$!
started "$T/purge1.err"
kill -TERM $pid
wait $pid
echo "exit1=$?"
python3 - <<'PY' && echo "ceiling=0"
import sys
sys.path.insert(0, "tests/e2e")
from pinned_config import Config
cfg = Config()
cfg.set("time_ceiling", 0)
cfg.set("time_ceiling_ns", 0)
cfg.write()
PY
timeout 30 tcpreplay -q -i va "$T/ahead.pcap" >/dev/null 2>&1
sleep 0.5
dump "$T/purge.before"
date +%s >"$T/purge.now"
timeout 60 "$H" run --iface vb "$@" --out "$T/lpurge.jsonl" 2>"$T/purge2.err" &
pid=$!
started "$T/purge2.err"
dump "$T/purge.after"
kill -TERM $pid
wait $pid
echo "exit2=$?"
EOS
check clock_live_purge_ceiling_cleared grep -qx "ceiling=0" "$TMP/purge.out"
some_evidence_past() { ! no_evidence_past "$@" >/dev/null 2>&1; }
check clock_live_purge_evidence_was_past some_evidence_past "$TMP/purge.before" "$TMP/purge.now"
check clock_live_purge_said grep -qE "deleted [1-9][0-9]* evidence entries of bins past " "$TMP/purge2.err"
check clock_live_purge_none_left no_evidence_past "$TMP/purge.after" "$TMP/purge.now" empty-ok
check clock_live_purge_exits_0 grep -qx "exit2=0" "$TMP/purge.out"
