#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Replay of captures that are not Ethernet pcap: an export capture rewritten
# with every other link type replay reads (raw IP, Linux cooked v1 and v2,
# BSD loopback in both byte orders, DLT_IPV4 / DLT_IPV6) and as pcapng must
# give the report of the Ethernet original, frame for frame; the same again
# with the export datagrams carried over IPv6. A link type replay does not
# read is refused: exit 2, one line naming the file and the link type.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

RELINK="$BUILD"/tests/tools/relink
GEN="$BUILD"/tests/tools/gen_traffic
KINDS4="raw sll sll2 null loop ipv4 pcapng"
KINDS6="raw sll sll2 null loop ipv6 pcapng"

declare -A LINKTYPE=([raw]=RAW [sll]=LINUX_SLL [sll2]=LINUX_SLL2 [null]=NULL [loop]=LOOP
		     [ipv4]=IPV4 [ipv6]=IPV6 [pcapng]=EN10MB)

all_tests() {
	local k
	echo linktype_reference_detects
	for k in $KINDS4; do
		echo "linktype_${k}_relinked linktype_${k}_same_report linktype_${k}_same_counts"
	done
	echo linktype_v6_ethernet_same_report
	for k in $KINDS6; do
		echo "linktype_v6_${k}_relinked linktype_v6_${k}_same_report linktype_v6_${k}_same_counts"
	done
	echo linktype_unsupported_refused
	echo linktype_unsupported_empty_refused
	echo linktype_oversize_frame_counted
}
skip_all() {
	for t in $(all_tests); do skip "$t" "$1"; done
	exit 0
}

[ -x "$RELINK" ] || skip_all "$RELINK not built (make check builds it)"

# The input: the fixture world's v5 export, or one made here the way the demo
# makes it (softflowd over loopback to a random high port, captured on lo).
if have_fixtures; then
	input=$FIXTURES/export-v5.pcap
	replay_args=(--dict "$FIXTURES/dictionary.json" --subscribers "$FIXTURES/subscribers.txt")
else
	for tool in tcpdump softflowd; do
		command -v $tool >/dev/null || skip_all "needs $FIXTURES or $tool to make an export capture"
	done
	[ -x "$GEN" ] || skip_all "needs $FIXTURES or $GEN to make an export capture"
	dict=signatures/sample-dictionary.json
	subs=signatures/sample-subscribers.txt
	port=$((20000 + RANDOM % 20000))
	input=$TMP/export-v5.pcap
	"$GEN" --dict "$dict" --subscribers "$subs" -o "$TMP/traffic.pcap" 2>"$TMP/gen.err" ||
		skip_all "gen_traffic failed: $(head -1 "$TMP/gen.err")"
	scripts/export-capture.sh "$TMP/traffic.pcap" "$input" "$port" ||
		skip_all "could not make an export capture with softflowd"
	replay_args=(--ports "$port" --dict "$dict" --subscribers "$subs")
fi

# The reference: the Ethernet original. Equal reports prove nothing if both
# are empty, so it must detect something.
"$HAYSTACK" replay --detail "${replay_args[@]}" --out "$TMP/ref4.jsonl" "$input" 2>"$TMP/ref4.err"
check linktype_reference_detects grep -q '"type":"detection"' "$TMP/ref4.jsonl"

# tcpdump, a reader independent of haystack, lists the network layer of every
# packet (-v -x: headers decoded, then the bytes after the link header) with
# its timestamp; the link-layer part of its line is cut off.
tcpdump_view() {
	tcpdump -nn -tt -v -x -r "$1" 2>"$TMP/tcpdump-view.err" |
		sed -E 's/^([0-9]+\.[0-9]+) [^(]*(IP6? \()/\1 \2/'
}
have_tcpdump=0
command -v tcpdump >/dev/null && have_tcpdump=1

# relinked KIND FILE REF: the file has KIND's link type (and pcapng's magic),
# and tcpdump sees the same IP packets at the same times as in REF, so a
# fault in relink cannot pass for one in replay or hide one.
relinked() {
	local kind=$1 file=$2 ref=$3
	if [ "$kind" = pcapng ] && [ "$(head -c4 "$file" | od -An -tx1 | tr -d ' \n')" != 0a0d0d0a ]; then
		echo "$file does not start with a pcapng Section Header Block"
		return 1
	fi
	tcpdump_view "$file" >"$TMP/$kind.view"
	if ! grep -q "link-type ${LINKTYPE[$kind]} " "$TMP/tcpdump-view.err"; then
		echo "expected link type ${LINKTYPE[$kind]}: $(head -1 "$TMP/tcpdump-view.err")"
		return 1
	fi
	tcpdump_view "$ref" >"$TMP/ref.view"
	diff "$TMP/ref.view" "$TMP/$kind.view" | head -20
	return "${PIPESTATUS[0]}"
}

# relink_all FAMILY INPUT KINDS...: every link type against the Ethernet
# original's report and counts ($TMP/refFAMILY.jsonl, .err); the IPv6 run's
# test names start linktype_v6_.
relink_all() {
	local fam=$1 in=$2 pfx k f
	shift 2
	[ "$fam" = 6 ] && pfx=linktype_v6_ || pfx=linktype_
	for k in "$@"; do
		f=$TMP/$k$fam
		if ! "$RELINK" --to "$k" "$in" "$f.pcap" 2>"$f-relink.err"; then
			not_ok "${pfx}${k}_relinked" "$(cat "$f-relink.err")"
		elif [ "$have_tcpdump" = 1 ]; then
			check "${pfx}${k}_relinked" relinked "$k" "$f.pcap" "$in"
		else
			skip "${pfx}${k}_relinked" "needs tcpdump"
		fi
		"$HAYSTACK" replay --detail "${replay_args[@]}" --out "$f.jsonl" "$f.pcap" 2>"$f.err"
		check "${pfx}${k}_same_report" compare_reports "$TMP/ref$fam.jsonl" "$f.jsonl"
		# Same frames replayed, same export packets, records and matches.
		check "${pfx}${k}_same_counts" diff "$TMP/ref$fam.err" "$f.err"
	done
}
relink_all 4 "$input" $KINDS4

# The same datagrams from ::1 to ::1: the IPv6 side of every link type (the
# version nibble under raw and loopback headers, DLT_IPV6, the cooked
# headers' protocol). The program reads exports over IPv6 as over IPv4.
python3 - "$input" "$TMP/export-v6.pcap" <<'PY'
import struct, sys

src = open(sys.argv[1], "rb").read()
magic, = struct.unpack("<I", src[:4])
e = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
lo6 = bytes(15) + b"\x01"


def csum(b):
    b += b"\0" * (len(b) & 1)
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


out, off = [src[:24]], 24
while off < len(src):
    sec, frac, caplen, length = struct.unpack(e + "IIII", src[off:off + 16])
    fr = src[off + 16:off + 16 + caplen]
    off += 16 + caplen
    if fr[12:14] != b"\x08\x00" or fr[23] != 17 or caplen != length:
        sys.exit("frame %d is not a whole Ethernet/IPv4/UDP frame" % len(out))
    udp = bytearray(fr[14 + (fr[14] & 15) * 4:])
    ulen, = struct.unpack("!H", udp[4:6])
    udp = udp[:ulen]
    udp[6:8] = b"\0\0"
    cs = csum(lo6 + lo6 + struct.pack("!IxxxB", ulen, 17) + bytes(udp)) or 0xffff
    udp[6:8] = struct.pack("!H", cs)
    nf = fr[:12] + b"\x86\xdd" + struct.pack("!IHBB", 0x60000000, ulen, 17, 64) + lo6 + lo6 + udp
    out.append(struct.pack(e + "IIII", sec, frac, len(nf), len(nf)) + nf)
open(sys.argv[2], "wb").write(b"".join(out))
PY
"$HAYSTACK" replay --detail "${replay_args[@]}" --out "$TMP/ref6.jsonl" "$TMP/export-v6.pcap" \
	2>"$TMP/ref6.err"
check linktype_v6_ethernet_same_report compare_reports "$TMP/ref4.jsonl" "$TMP/ref6.jsonl"
relink_all 6 "$TMP/export-v6.pcap" $KINDS6

# IEEE 802.11 (LINKTYPE_IEEE802_11 105): a valid capture replay does not read,
# one frame long (the link type is only looked at with a frame in hand).
python3 - "$TMP/wifi.pcap" <<'PY'
import struct, sys
frame = bytes([0x08, 0x02]) + bytes(22)		# an 802.11 data frame header
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 105))
    f.write(struct.pack("<IIII", 1573810200, 0, len(frame), len(frame)) + frame)
PY
"$HAYSTACK" replay "${replay_args[@]}" "$TMP/wifi.pcap" >"$TMP/wifi.out" 2>"$TMP/wifi.err"
rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/wifi.err")" -eq 1 ] && [ ! -s "$TMP/wifi.out" ] &&
	grep -qF "$TMP/wifi.pcap" "$TMP/wifi.err" && grep -qE '802[._]?11|105' "$TMP/wifi.err"; then
	ok linktype_unsupported_refused
else
	not_ok linktype_unsupported_refused "exit $rc" "$(cat "$TMP/wifi.err")"
fi

# The link type is refused when the file is opened, frames or not.
python3 - "$TMP/wifi-empty.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 105))
PY
"$HAYSTACK" replay "${replay_args[@]}" "$TMP/wifi-empty.pcap" >/dev/null 2>"$TMP/wifi-empty.err"
check linktype_unsupported_empty_refused test $? -eq 2

# A frame larger than a test run takes (libpcap allows 256 KiB) is counted
# and said on stderr, never copied past a buffer.
python3 - "$TMP/big.pcap" <<'PY'
import struct, sys
frame = bytes(12) + b"\x08\x00" + bytes(200000)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    f.write(struct.pack("<IIII", 1573810200, 0, len(frame), len(frame)) + frame)
PY
"$HAYSTACK" replay "${replay_args[@]}" "$TMP/big.pcap" >/dev/null 2>"$TMP/big.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "1 frames larger than" "$TMP/big.err"; then
	ok linktype_oversize_frame_counted
else
	not_ok linktype_oversize_frame_counted "exit $rc" "$(cat "$TMP/big.err")"
fi
