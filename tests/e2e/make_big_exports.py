#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make_big_exports.py JUMBO.pcap JUMBO.expected.jsonl HUGE.pcap HUGE.expected.jsonl

Export datagrams larger than one page, as an Ethernet pcap, with the records
a correct collector decodes from them (the keys of compare_expected.py):

JUMBO.pcap: frames up to 9,014 octets, what a 9,000-octet MTU carries:
  an IPFIX message of 8,900 octets (template and 420 records), a v9 one of
  the same, and a lone IPFIX template message of 4,200 octets (130 templates)
  followed by a small datagram with data of its last template;
HUGE.pcap: one IPFIX message of 64,950 octets over IPv6 (3,090 records), which
  only replay can take.
Same arguments, same bytes.
"""
import ipaddress
import json
import struct
import sys

EXPORT_TIME = 1573812000  # 2019-11-15T10:00:00Z
# IPv4 5-tuple, packets, bytes: 8 sourceIPv4Address, 12 destinationIPv4Address,
# 7/11 ports, 4 protocol, 2 packetDeltaCount, 1 octetDeltaCount
FIELDS = ((8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 4), (1, 4))
RECORD_LEN = sum(n for _, n in FIELDS)


def records(first, count):
    """count records from number first on: subscribers of 100.64.0.0/16
    talking to endpoints of the sample dictionary's 185.216.4.0/24."""
    out = []
    for i in range(first, first + count):
        out.append({"src": "100.64.%d.%d" % (i // 250 % 250, i % 250 + 1),
                    "dst": "185.216.4.%d" % (i % 200 + 1),
                    "sport": 1024 + i % 60000, "dport": (443, 123, 8883)[i % 3],
                    "proto": (6, 17, 6)[i % 3], "packets": i % 7 + 1, "sampling": 1})
    return out


def record_bytes(r):
    return struct.pack(">4s4sHHBII", ipaddress.ip_address(r["src"]).packed,
                       ipaddress.ip_address(r["dst"]).packed, r["sport"], r["dport"],
                       r["proto"], r["packets"], r["packets"] * 60)


def template_record(tid, fields):
    return struct.pack(">HH", tid, len(fields)) + b"".join(struct.pack(">HH", i, n) for i, n in fields)


def set_(sid, body):
    return struct.pack(">HH", sid, 4 + len(body)) + body


def message(version, domain, sets):
    body = b"".join(sets)
    if version == 9:
        return struct.pack(">HHIIII", 9, 0, 3600000, EXPORT_TIME, 0, domain) + body
    return struct.pack(">HHIII", 10, 16 + len(body), EXPORT_TIME, 0, domain) + body


def udp_frame(payload, v6=False):
    udp = struct.pack(">HHHH", 40000, 4739, 8 + len(payload), 0) + payload
    if v6:
        ip = struct.pack(">IHBB16s16s", 0x60000000, len(udp), 17, 64,
                         ipaddress.ip_address("2001:db8::1").packed,
                         ipaddress.ip_address("2001:db8::2").packed)
        return b"\x02" * 6 + b"\x04" * 6 + b"\x86\xdd" + ip + udp
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + udp


def write(pcap, expected, frames, recs):
    with open(pcap, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", EXPORT_TIME + i, 0, len(fr), len(fr)) + fr)
    with open(expected, "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")


def data_message(version, domain, tid, recs, v6=False):
    tmpl = set_(2 if version == 10 else 0, template_record(tid, FIELDS))
    data = set_(tid, b"".join(record_bytes(r) for r in recs))
    return udp_frame(message(version, domain, [tmpl, data]), v6)


jumbo_pcap, jumbo_expected, huge_pcap, huge_expected = sys.argv[1:5]
a, b, c = records(0, 420), records(420, 420), records(840, 3)
# 130 templates of the same layout, 300..429, in one message: 4,180 octets
lone = udp_frame(message(10, 7, [set_(2, b"".join(template_record(t, FIELDS)
                                                    for t in range(300, 430)))]))
later = udp_frame(message(10, 7, [set_(429, b"".join(record_bytes(r) for r in c))]))
frames = [data_message(10, 1, 256, a), data_message(9, 2, 256, b), lone, later]
assert all(len(fr) <= 9014 for fr in frames) and len(frames[0]) > 8900 and len(lone) > 4000
write(jumbo_pcap, jumbo_expected, frames, a + b + c)
huge = records(1000, 3090)
frame = data_message(10, 3, 256, huge, v6=True)
assert 64000 < len(frame) - 62 <= 65535
write(huge_pcap, huge_expected, [frame], huge)
