#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The end-to-end part of `make bench`: haystack and nfcapd, one after the
# other, fed by the same bounded sender from a veth in a netns of its own at
# the same rates in the same run. A trial sends whole loops of a capture of
# distinct records (bench_kern capture: 100k endpoints, 2 % hit) for about
# BENCH_E2E_SECONDS at a paced rate, then counts what the collector
# decoded: haystack's `records` counter, nfcapd's flows read back with
# nfdump. haystack runs with --consume (BENCH_E2E_HAYSTACK=consume), as the
# collector it is compared with: it drops what it read, as nfcapd takes
# what it read off its socket; with "pass" each datagram goes on up the
# stack, to the socket haystack drains in its place (some 15 % more of the
# last core's time). Lossless: every record sent was counted. The sender
# is said to saturate when it reached less than 95 % of the asked rate.
#
#	bench/e2e.sh OUT_JSON
#
# BENCH_E2E_RATES: records/s, "500000 1000000 2000000 3000000 4000000
# 5000000 6000000 7000000 8000000 10000000 12000000". BENCH_E2E_SENDER:
# bench/sender (the default: AF_PACKET, sendmmsg, BENCH_E2E_THREADS
# threads, 1 by default, from BENCH_E2E_FLOWS source ports, 256 by
# default) or tcpreplay (one port).
# Whichever sends the trials, both are first run unpaced into haystack, for
# their ceilings in the same run. BENCH_E2E_QUEUES: queues of each veth, 8
# by default. BENCH_E2E_NAPI_CORES: the cores haystack's NAPI threads take
# in turn, the last one by default ("0 1": both, the sender's too).
#
# The sender's frames go straight to the veth (no qdisc) and those the
# receiving end has no room for are lost, not sent again: a collector that
# falls behind loses records, as it would behind a link, instead of slowing
# the sender down. The receiving veth has threaded NAPI (it has NAPI, so
# that the setting takes, only once an XDP program is attached), its thread
# FIFO on the last core: XDP runs on a core of its own, apart from the
# sender. The veth has BENCH_E2E_QUEUES queues a side, each with a ring of
# 256 frames (the driver's fixed size) and, with XDP, a NAPI thread of its
# own; the sender's frames spread over them by flow hash (XPS lists every
# queue for every core, and the sender's source ports differ from frame to
# frame), so that a stall of the receiving core is absorbed by QUEUES * 256
# frames instead of 256, as a NIC's many queues and longer rings absorb it:
# 8 queues hold 2,048 datagrams, where nfcapd's 4 MiB (the kernel doubles
# it: 8 MiB of truesize, some 2.3 KiB a datagram) about 3,500. By default
# all of haystack's NAPI threads run on the last core: XDP is held to one
# core, the sender has the other.
# A collector is not tried at higher rates once it lost records at
# two rates in a row.
set -u
cd "$(dirname "$0")/.."
. tests/e2e/lib.sh

OUT=${1:-$BUILD/bench-e2e.json}
RATES=${BENCH_E2E_RATES:-500000 1000000 2000000 3000000 4000000 5000000 6000000 7000000 8000000 10000000 12000000}
SECS=${BENCH_E2E_SECONDS:-2}
SENDER=${BENCH_E2E_SENDER:-sender}
THREADS=${BENCH_E2E_THREADS:-1}
FLOWS=${BENCH_E2E_FLOWS:-256}
QUEUES=${BENCH_E2E_QUEUES:-8}
NAPI_CORES=${BENCH_E2E_NAPI_CORES:-$(( $(nproc) - 1 ))}
HS_MODE=${BENCH_E2E_HAYSTACK:-consume}
case $SENDER in
sender | tcpreplay) ;;
*) echo "bench/e2e.sh: BENCH_E2E_SENDER is sender or tcpreplay" >&2; exit 1 ;;
esac
case $HS_MODE in
consume | pass) ;;
*) echo "bench/e2e.sh: BENCH_E2E_HAYSTACK is consume or pass" >&2; exit 1 ;;
esac
"$BUILD"/bench/bench_kern capture "$TMP" 100000 300000 >"$TMP/capture.txt" ||
	{ echo "bench/e2e.sh: cannot make the capture" >&2; exit 1; }
make_veth_ns hs-bench || { echo "bench/e2e.sh: cannot make a netns" >&2; exit 1; }
# make_veth_ns's pair has one queue a side: replaced by one of QUEUES
ip -n "$ns" link del va &&
	ip -n "$ns" link add va numtxqueues "$QUEUES" numrxqueues "$QUEUES" type veth \
		peer name vb numtxqueues "$QUEUES" numrxqueues "$QUEUES" &&
	ip -n "$ns" link set va up && ip -n "$ns" link set vb up ||
	{ echo "bench/e2e.sh: cannot make a veth of $QUEUES queues" >&2; exit 1; }
# bpf_stats_enabled for the run time of haystack's XDP program, as it was
on_exit sysctl -qw kernel.bpf_stats_enabled="$(sysctl -n kernel.bpf_stats_enabled)"

ip netns exec "$ns" bash -s "$HAYSTACK" "$TMP" "$SECS" "$RATES" "$SENDER" "$THREADS" \
	"$(realpath "$BUILD"/bench/sender)" "$FLOWS" "$NAPI_CORES" "$HS_MODE" >"$TMP/trials.txt" <<'EOS'
H=$1 T=$2 SECS=$3 RATES=$4 SENDER=$5 THREADS=$6 SENDER_BIN=$7 FLOWS=$8 NAPI_CORES=$9 HS_MODE=${10}
ip link set vb address 02:00:00:00:00:02
# Every core may send on every queue, the flow hash choosing: a packet
# socket's frames would otherwise all take the queue of the sending core.
# (One queue has no XPS to set.)
ALL_CPUS=$(printf %x $(( (1 << $(nproc)) - 1 )))
if [ "$(ls -d /sys/class/net/va/queues/tx-* | wc -l)" -gt 1 ]; then
	for q in /sys/class/net/va/queues/tx-*/xps_cpus; do
		echo "$ALL_CPUS" >"$q" || { echo "bench/e2e.sh: cannot set $q" >&2; exit 1; }
	done
fi
ip addr add 192.0.2.1/24 dev va
ip addr add 192.0.2.2/24 dev vb
# the sender's address is this namespace's own (va): accepted on vb
sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.vb.rp_filter=0 net.ipv4.conf.vb.accept_local=1
# records and datagrams in one loop of each capture
declare -A per_loop dgrams
for fmt in v5 v9; do
	per_loop[$fmt]=$(awk "/$fmt.pcap/ {print \$4}" $T/capture.txt)
	dgrams[$fmt]=$(awk "/$fmt.pcap/ {print \$2}" $T/capture.txt)
done

# send WHO FMT RATE: whole loops for about SECS s at RATE records/s (0:
# as fast as WHO goes); prints "records_sent records_per_s_reached
# datagrams_per_s_reached datagrams_refused"
send() {
	local who=$1 fmt=$2 rate=$3 loops pps out
	loops=$(( rate ? (rate * SECS + ${per_loop[$fmt]} - 1) / ${per_loop[$fmt]} : 1000000 ))
	pps=$(( rate * ${dgrams[$fmt]} / ${per_loop[$fmt]} ))
	if [ "$who" = sender ]; then
		out=$(timeout $((SECS * 3 + 15)) $RT_SEND "$SENDER_BIN" va $T/$fmt.pcap $loops $pps $SECS $THREADS $FLOWS)
		awk -v r=${per_loop[$fmt]} -v d=${dgrams[$fmt]} \
			'{ printf "%d %d %d %d\n", $1 * r, $2 * r / d / $3, $2 / $3, $4 }' <<<"${out:-0 0 1 0}"
		return
	fi
	# tcpreplay has no time bound of its own when unpaced: loops for SECS at 5 M/s
	[ "$rate" = 0 ] && loops=$(( (5000000 * SECS + ${per_loop[$fmt]} - 1) / ${per_loop[$fmt]} ))
	out=$(timeout $((SECS * 20 + 30)) $RT_SEND tcpreplay -i va $([ "$rate" = 0 ] && echo --topspeed ||
		echo --pps=$pps) --loop=$loops --preload-pcap $T/$fmt.pcap 2>&1)
	pps=$(sed -n 's/.*Rated: .* \([0-9.]*\) pps.*/\1/p' <<<"$out" | head -1)
	echo "$(( loops * ${per_loop[$fmt]} )) $(awk -v p=${pps:-0} -v r=${per_loop[$fmt]} \
		-v d=${dgrams[$fmt]} 'BEGIN { printf "%d %d", p * r / d, p }') 0"
}

# The receiving veth's NAPI in threads of their own, on the last core, FIFO:
# they run as soon as there are frames, as a softirq would, and a busy
# machine's other tasks do not hold them back while the veth's rings fill
# up; nfcapd likewise (every trial is bounded, and RT throttling leaves the
# other tasks 5 %). The sender FIFO on the first core: left to the
# scheduler, held to a core it shared, or FIFO beside the collector's, it
# fell short of its rates on a shared machine; one step above the NAPI
# threads, so that those given its core (BENCH_E2E_NAPI_CORES) run only
# while it waits. nfcapd's kernel side runs in the sender's time on that
# core (without XDP a veth has no NAPI: its frames go through the sending
# core's backlog to the socket).
LAST=$(( $(nproc) - 1 ))
RT_RECV="chrt -f 50 taskset -c $LAST"
RT_SEND="chrt -f 51 taskset -c 0"
napi_threads() { ps -eo pid=,comm= | awk '$2 ~ /^napi\/vb-/ {print $1}' | sort; }
# The device stays threaded once set, and an XDP program attached again
# gets its threads at once: off first, so that the threads that come with
# the setting are this trial's, told apart by name from other netns' vb.
# The setting is refused (EOPNOTSUPP) while the veth has no NAPI yet, as
# it sometimes had not when haystack had said "attached to": tried again
# for up to 5 s. A trial whose NAPI never got threads says so on stderr;
# its napi_cpu_s is [0].
napi_own_core() {
	local before pid cores=($NAPI_CORES) i=0
	NAPI_PIDS=
	for _ in $(seq 50); do
		echo 0 2>/dev/null >/sys/class/net/vb/threaded && break
		sleep 0.1
	done
	before=$(napi_threads)
	echo 1 >/sys/class/net/vb/threaded &&
		NAPI_PIDS=$(comm -13 <(echo "$before") <(napi_threads))
	[ -n "$NAPI_PIDS" ] || { echo "# no NAPI thread on vb: XDP ran in softirq" >&2; return; }
	for pid in $NAPI_PIDS; do
		taskset -pc ${cores[i++ % ${#cores[@]}]} $pid >/dev/null && chrt -f -p 50 $pid
	done
}

xdp_run_ns() {	# the run time of the XDP program on vb so far
	local id
	id=$(ip -j -d link show dev vb | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])' 2>/dev/null)
	bpftool prog show id "${id:-0}" -j 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin).get("run_time_ns", 0))' 2>/dev/null || echo 0
}

# NAPI_PIDS: the receiving veth's NAPI threads of this trial (napi_own_core)
napi_cpu_ns() {	# the time each has run so far, "ns,ns,..."
	local pid
	for pid in $NAPI_PIDS; do awk '{print $1}' /proc/$pid/schedstat 2>/dev/null || echo 0; done |
		paste -sd, -
}

records() { "$H" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["records"])'; }

trial_haystack() {	# FMT RATE [WHO]
	local pid sent got rps pps refused ns0 ns1 napi0 napi1
	"$H" run --iface vb --xdp-mode native --dict $T/dictionary.json \
		--subscribers $T/subscribers.txt --ports 2055 --bins 1h --out /dev/null \
		--max-endpoints 262144 $([ "$HS_MODE" = consume ] && echo --consume) 2>$T/run.err &
	pid=$!
	for _ in $(seq 100); do grep -q "attached to" $T/run.err && break; sleep 0.1; done
	grep -q "attached to" $T/run.err || sed 's/^/# /' $T/run.err >&2
	napi_own_core
	sysctl -qw kernel.bpf_stats_enabled=1
	ns0=$(xdp_run_ns)
	napi0=$(napi_cpu_ns)
	read -r sent rps pps refused < <(send "${3:-$SENDER}" "$1" "$2")
	sleep 1
	ns1=$(xdp_run_ns)
	napi1=$(napi_cpu_ns)
	got=$(records)
	kill -TERM $pid; wait $pid
	echo "haystack $1 $2 $sent ${got:-0} ${rps:-0} ${pps:-0} ${refused:-0} $((ns1 - ns0)) ${3:-$SENDER}" \
		"${napi0:-0} ${napi1:-0}"
}

trial_nfcapd() {	# FMT RATE
	local pid sent got rps pps refused
	rm -rf $T/nf; mkdir -p $T/nf
	$RT_RECV nfcapd -b 192.0.2.2 -p 2055 -B 4194304 -w $T/nf -t 3600 >$T/nfcapd.log 2>&1 &
	pid=$!
	sleep 1
	read -r sent rps pps refused < <(send "$SENDER" "$1" "$2")
	sleep 1
	kill -TERM $pid; wait $pid
	got=$(nfdump -R $T/nf -I 2>/dev/null | awk '/^Flows:/ {print $2}')
	echo "nfcapd $1 $2 $sent ${got:-0} ${rps:-0} ${pps:-0} ${refused:-0} 0 $SENDER - -"
}

for fmt in v5 v9; do
	trial_haystack $fmt 0 sender
	trial_haystack $fmt 0 tcpreplay
done
for fmt in v5 v9; do
	declare -A lost=([haystack]=0 [nfcapd]=0)
	for rate in $RATES; do
		for c in haystack nfcapd; do
			[ ${lost[$c]} -ge 2 ] && continue
			line=$(trial_$c $fmt $rate)
			echo "$line"
			read -r _ _ _ sent got _ <<<"$line"
			[ "$sent" = "$got" ] && lost[$c]=0 || lost[$c]=$((lost[$c] + 1))
		done
	done
done
EOS

python3 - "$TMP/trials.txt" "$OUT" "$QUEUES" "$FLOWS" "$NAPI_CORES" "$HS_MODE" <<'PY'
import json, sys
trials, ceilings = [], []
for line in open(sys.argv[1]):
    c, fmt, rate, sent, got, rps, pps, refused, xdp_ns, who, napi0, napi1 = line.split()
    rate, sent, got, rps, pps = int(rate), int(sent), int(got), int(rps), int(pps)
    t = {"collector": c, "format": fmt, "rate": rate, "sent": sent, "counted": got,
         "lossless": got == sent, "sender": who, "sender_records_per_s": rps,
         "sender_datagrams_per_s": pps, "sender_refused": int(refused),
         "sender_saturated": rps < 0.95 * rate}
    if c == "haystack" and got:
        t["xdp_ns_per_record"] = round(int(xdp_ns) / got, 1)
    if c == "haystack":
        # each NAPI thread's time on the CPU over the trial: the spread over
        # the queues, and how busy the last core was
        t["napi_cpu_s"] = [round((int(y) - int(x)) / 1e9, 3)
                           for x, y in zip(napi0.split(","), napi1.split(","))]
    if rate:
        trials.append(t)
    else:
        ceilings.append(t)
best = {}
for t in trials:
    k = "%s_%s" % (t["collector"], t["format"])
    best.setdefault(k, 0)
    if t["lossless"] and not t["sender_saturated"]:
        best[k] = max(best[k], t["rate"])
json.dump({"queues": int(sys.argv[3]), "flows": int(sys.argv[4]),
           "napi_cores": [int(c) for c in sys.argv[5].split()], "haystack_mode": sys.argv[6],
           "sender_ceilings": ceilings, "trials": trials,
           "highest_lossless_records_per_s": best}, open(sys.argv[2], "w"))
print("unpaced into haystack (the senders' ceilings):")
print("%-10s %-6s %14s %14s %10s %12s" % ("sender", "format", "records/s", "datagrams/s",
                                         "refused", "counted/s"))
for t in ceilings:
    # counted over the sender's own time: what haystack decoded while it sent
    secs = t["sent"] / t["sender_records_per_s"] if t["sender_records_per_s"] else 0
    print("%-10s %-6s %14d %14d %10d %12d" % (t["sender"], t["format"], t["sender_records_per_s"],
                                             t["sender_datagrams_per_s"], t["sender_refused"],
                                             t["counted"] / secs if secs else 0))
print()
print("%-9s %-6s %10s %10s %10s %9s %14s %8s %7s" % ("collector", "format", "rate/s", "sent",
                                                     "counted", "lossless", "sender rate/s",
                                                     "xdp ns", "napi s"))
for t in trials:
    napi = "%.2f" % sum(t["napi_cpu_s"]) if "napi_cpu_s" in t else ""
    print("%-9s %-6s %10d %10d %10d %9s %14d %8s %7s%s" % (
        t["collector"], t["format"], t["rate"], t["sent"], t["counted"],
        "yes" if t["lossless"] else "no", t["sender_records_per_s"],
        t.get("xdp_ns_per_record", ""), napi,
        "  (sender saturated)" if t["sender_saturated"] else ""))
for k, v in sorted(best.items()):
    print("highest lossless, %s: %d records/s" % (k.replace("_", " "), v))
PY
