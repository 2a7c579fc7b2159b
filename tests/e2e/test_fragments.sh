#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An export datagram fragmented on its way cannot be read in XDP: its first
# fragment is counted under fragmented_export, its later ones under
# ip_fragment, and replay (as status) warns in one line what to change.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

# One NetFlow v5 datagram of 30 records (1,464 octets of UDP) sent over a
# 1,000-octet MTU: two IPv4 fragments, written as a pcap.
python3 - "$TMP/frag.pcap" <<'PY'
import struct, sys
payload = struct.pack(">HHIIIIBBH", 5, 30, 3600000, 1573812000, 0, 1, 0, 0, 0) + bytes(48 * 30)
udp = struct.pack(">HHHH", 40000, 2055, 8 + len(payload), 0) + payload
def frame(chunk, offset, more):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk), 7, (0x2000 if more else 0) | offset // 8,
                     64, 17, 0, bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + chunk
frames = [frame(udp[:976], 0, True), frame(udp[976:], 976, False)]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for fr in frames:
        f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)) + fr)
PY
"$HAYSTACK" replay --dict signatures/sample-dictionary.json \
	--subscribers signatures/sample-subscribers.txt "$TMP/frag.pcap" >"$TMP/out" 2>"$TMP/err"
check fragments_replay_exits_0 test $? -eq 0
check fragments_first_counted_apart grep -q "fragmented_export=1" "$TMP/err"
check fragments_later_is_ip_fragment grep -q "ip_fragment=1" "$TMP/err"
check fragments_warned_in_one_line \
	test "$(grep -c "1 export datagrams arrived IP-fragmented and were not read" "$TMP/err")" -eq 1
