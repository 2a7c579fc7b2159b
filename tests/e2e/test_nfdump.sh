#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Differential test against a peer collector. softflowd exports one traffic
# capture as NetFlow v9 and as IPFIX (IPv6 flows tracked; unsampled and
# 1-in-10) to nfcapd on loopback while tcpdump records the datagrams; the
# records `haystack replay --records` decodes from that capture must equal
# nfdump's decoding of the same stream: count, 5-tuple, packets, bytes.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

if have_fixtures; then
	traffic=$FIXTURES/traffic.pcap dict=$FIXTURES/dictionary.json subs=$FIXTURES/subscribers.txt
else
	traffic=$TMP/traffic.pcap dict=signatures/sample-dictionary.json
	subs=signatures/sample-subscribers.txt
	"$BUILD"/tests/tools/gen_traffic --dict "$dict" --subscribers "$subs" -o "$traffic" \
		2>/dev/null || { not_ok nfdump_traffic "gen_traffic failed"; exit 1; }
fi

# name, NetFlow version, softflowd options
variants=("v9 9 -6" "v9-s10 9 -6 -s 10" "ipfix 10 -6" "ipfix-s10 10 -6 -s 10")
for v in "${variants[@]}"; do
	read -r name version extra <<<"$v"
	# a UDP port nothing listens on
	for _ in $(seq 10); do
		port=$((20000 + RANDOM % 20000))
		ss -Hlun "sport = :$port" | grep -q . || break
	done
	flows=$TMP/$name-flows
	mkdir -p "$flows"
	# softflowd sends faster than nfcapd reads: with the default socket
	# buffer nfcapd drops IPFIX datagrams; 4 MiB holds the whole stream.
	timeout 120 nfcapd -b 127.0.0.1 -p "$port" -w "$flows" -t 3600 -B 4194304 >"$TMP/$name-nfcapd.log" 2>&1 &
	nfcapd_pid=$!
	on_exit kill "$nfcapd_pid"
	for _ in $(seq 50); do ss -Hlun "sport = :$port" | grep -q . && break; sleep 0.1; done
	scripts/export-capture.sh "$traffic" "$TMP/$name.pcap" "$port" "$version" "$extra" ||
		{ not_ok "nfdump_${name}_capture" "softflowd/tcpdump made no capture"; continue; }
	kill -TERM "$nfcapd_pid"	# nfcapd writes its file on exit
	wait "$nfcapd_pid" 2>/dev/null
	nfdump -R "$flows" -o csv >"$TMP/$name.csv" 2>"$TMP/$name-nfdump.err"
	# nfcapd keeps templates for ever; softflowd -r refreshes them every 16
	# datagrams while export time follows the capture, which in a sparse
	# world leaves hours between two refreshes.
	"$HAYSTACK" replay --records --template-timeout 86400 --ports "$port" --dict "$dict" \
		--subscribers "$subs" "$TMP/$name.pcap" >"$TMP/$name.jsonl" 2>"$TMP/$name.err"
	check "nfdump_${name}_records_equal" \
		python3 tests/e2e/compare_records.py "$TMP/$name.csv" "$TMP/$name.jsonl"
	echo "# $name: $(python3 tests/e2e/compare_records.py "$TMP/$name.csv" "$TMP/$name.jsonl" | head -1)"
	# Flow start and end too, to the second. Not for IPFIX: nfdump 1.7.1
	# reads softflowd's uptime-based IPFIX times with the start after the end.
	if [ "$version" = 9 ]; then
		check "nfdump_${name}_flow_times_equal" \
			python3 tests/e2e/compare_records.py "$TMP/$name.csv" "$TMP/$name.jsonl" --times
	fi
	# The rate comes from the exporter's options data, not from an option
	# (checked where it differs from what an unsampled record gets anyway).
	[[ $extra == *"-s 10"* ]] || continue
	check "nfdump_${name}_sampling_from_options" python3 -c '
import json, sys
rates = {json.loads(l)["sampling"] for l in open(sys.argv[1]) if "\"record\"" in l}
sys.exit(0 if rates == {int(sys.argv[2])} else f"sampling rates {rates}, expected {sys.argv[2]}")
' "$TMP/$name.jsonl" 10
done

# The fixture world's own export captures against the nfdump decoding shipped
# beside them (v5 unsampled only: nfcapd multiplies v5 counts by the header's
# sampling interval, haystack keeps them as exported).
for f in v5 v9 v9-s10 ipfix ipfix-s10; do
	times=$([[ $f == ipfix* ]] || echo flow_times_equal)
	if ! have_fixtures; then
		for t in records_equal $times; do
			skip "nfdump_fixture_${f}_$t" "needs $FIXTURES (the shared fixture world)"
		done
		continue
	fi
	"$HAYSTACK" replay --records --dict "$FIXTURES/dictionary.json" \
		--subscribers "$FIXTURES/subscribers.txt" "$FIXTURES/export-$f.pcap" \
		>"$TMP/fixture-$f.jsonl" 2>/dev/null
	check "nfdump_fixture_${f}_records_equal" \
		python3 tests/e2e/compare_records.py "$FIXTURES/nfdump-$f.csv" "$TMP/fixture-$f.jsonl"
	echo "# fixture $f: $(python3 tests/e2e/compare_records.py "$FIXTURES/nfdump-$f.csv" "$TMP/fixture-$f.jsonl" | head -1)"
	if [ -n "$times" ]; then
		check "nfdump_fixture_${f}_$times" python3 tests/e2e/compare_records.py \
			"$FIXTURES/nfdump-$f.csv" "$TMP/fixture-$f.jsonl" --times
	fi
done
