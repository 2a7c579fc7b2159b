#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The end-to-end part of `make bench`: haystack and nfcapd, one after the
# other, fed by the same bounded sender (tcpreplay from a veth in a netns of
# its own) at the same rates in the same run. A trial sends whole loops of a
# capture of distinct records (bench_kern capture: 100k endpoints, 2 % hit)
# for about BENCH_E2E_SECONDS at a paced rate, then counts what the
# collector decoded: haystack's `records` counter, nfcapd's flows read back
# with nfdump. Lossless: every record sent was counted. The sender is said
# to saturate when tcpreplay reached less than 95 % of the asked rate.
#
#	bench/e2e.sh OUT_JSON
#
# BENCH_E2E_RATES: records/s, "250000 500000 1000000 2000000 4000000".
# Receiving veth with threaded NAPI, so XDP and the socket run on the other
# core from the sender (docs/benchmarks.md).
set -u
cd "$(dirname "$0")/.."
. tests/e2e/lib.sh

OUT=${1:-$BUILD/bench-e2e.json}
RATES=${BENCH_E2E_RATES:-250000 500000 1000000 2000000 4000000}
SECS=${BENCH_E2E_SECONDS:-2}
"$BUILD"/bench/bench_kern capture "$TMP" 100000 300000 >"$TMP/capture.txt" ||
	{ echo "bench/e2e.sh: cannot make the capture" >&2; exit 1; }
make_veth_ns hs-bench || { echo "bench/e2e.sh: cannot make a netns" >&2; exit 1; }

ip netns exec "$ns" bash -s "$HAYSTACK" "$TMP" "$SECS" "$RATES" >"$TMP/trials.txt" <<'EOS'
H=$1 T=$2 SECS=$3 RATES=$4
ip link set vb address 02:00:00:00:00:02
ip addr add 192.0.2.1/24 dev va
ip addr add 192.0.2.2/24 dev vb
echo 1 >/sys/class/net/vb/threaded 2>/dev/null
# the sender's address is this namespace's own (va): accepted on vb
sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.vb.rp_filter=0 net.ipv4.conf.vb.accept_local=1
# records in one loop of each capture
declare -A per_loop
per_loop[v5]=$(awk '/v5.pcap/ {print $4}' $T/capture.txt)
per_loop[v9]=$(awk '/v9.pcap/ {print $4}' $T/capture.txt)

# send FMT RATE: whole loops for about SECS s; prints "records pps_reached"
send() {
	local fmt=$1 rate=$2 loops pps out
	loops=$(( (rate * SECS + ${per_loop[$fmt]} - 1) / ${per_loop[$fmt]} ))
	pps=$(( rate / 30 ))
	out=$(timeout $((SECS * 20 + 30)) tcpreplay -i va --pps=$pps --loop=$loops --preload-pcap \
		$T/$fmt.pcap 2>&1)
	echo "$(( loops * ${per_loop[$fmt]} )) $(sed -n 's/.*Rated: .* \([0-9.]*\) pps.*/\1/p' <<<"$out" | head -1)"
}

trial_haystack() {	# FMT RATE
	local pid sent got
	"$H" run --iface vb --xdp-mode native --dict $T/dictionary.json \
		--subscribers $T/subscribers.txt --ports 2055 --bins 1h --out /dev/null \
		--max-endpoints 262144 2>$T/run.err &
	pid=$!
	for _ in $(seq 100); do grep -q "attached to" $T/run.err && break; sleep 0.1; done
	grep -q "attached to" $T/run.err || sed 's/^/# /' $T/run.err >&2
	read -r sent pps < <(send "$1" "$2")
	sleep 1
	got=$("$H" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["records"])')
	kill -TERM $pid; wait $pid
	echo "haystack $1 $2 $sent ${got:-0} ${pps:-0}"
}

trial_nfcapd() {	# FMT RATE
	local pid sent got
	rm -rf $T/nf; mkdir -p $T/nf
	nfcapd -b 192.0.2.2 -p 2055 -B 4194304 -w $T/nf -t 3600 >$T/nfcapd.log 2>&1 &
	pid=$!
	sleep 1
	read -r sent pps < <(send "$1" "$2")
	sleep 1
	kill -TERM $pid; wait $pid
	got=$(nfdump -R $T/nf -I 2>/dev/null | awk '/^Flows:/ {print $2}')
	echo "nfcapd $1 $2 $sent ${got:-0} ${pps:-0}"
}

for fmt in v5 v9; do
	for rate in $RATES; do
		trial_haystack $fmt $rate
		trial_nfcapd $fmt $rate
	done
done
EOS

python3 - "$TMP/trials.txt" "$OUT" <<'PY'
import json, sys
trials = []
for line in open(sys.argv[1]):
    c, fmt, rate, sent, got, pps = line.split()
    rate, sent, got, pps = int(rate), int(sent), int(got), float(pps)
    trials.append({"collector": c, "format": fmt, "rate": rate, "sent": sent,
                   "counted": got, "lossless": got == sent,
                   "sender_records_per_s": round(pps * 30),
                   "sender_saturated": pps * 30 < 0.95 * rate})
best = {}
for t in trials:
    k = "%s_%s" % (t["collector"], t["format"])
    best.setdefault(k, 0)
    if t["lossless"] and not t["sender_saturated"]:
        best[k] = max(best[k], t["rate"])
json.dump({"trials": trials, "highest_lossless_records_per_s": best}, open(sys.argv[2], "w"))
print("%-9s %-6s %10s %10s %10s %9s %14s" % ("collector", "format", "rate/s", "sent", "counted",
                                              "lossless", "sender rate/s"))
for t in trials:
    print("%-9s %-6s %10d %10d %10d %9s %14d%s" % (
        t["collector"], t["format"], t["rate"], t["sent"], t["counted"],
        "yes" if t["lossless"] else "no", t["sender_records_per_s"],
        "  (sender saturated)" if t["sender_saturated"] else ""))
for k, v in sorted(best.items()):
    print("highest lossless, %s: %d records/s" % (k.replace("_", " "), v))
PY
