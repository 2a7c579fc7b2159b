#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make_swaps.py DIR N

For the swap under load: N dictionaries DIR/swap-K.json (K = 1..N), all in
force from the same time, so each one loaded replaces the one before. The
odd ones monitor 203.0.113.7 on tcp/443 only (domain a.test), the even ones
on udp/123 only (b.test): a record classified by one dictionary throughout
matches on exactly one of the two ports, so any mix shows. DIR/swap.pcap:
600 NetFlow v5 datagrams, export times a second apart, each with five
tcp/443 and five udp/123 records from subscribers to 203.0.113.7.
"""
import json
import os
import socket
import struct
import sys

T0 = 1573812000  # 2019-11-15T10:00:00Z
out, n = sys.argv[1], int(sys.argv[2])
for k in range(1, n + 1):
    dom = ("a.test", "tcp/443") if k % 2 else ("b.test", "udp/123")
    d = {"format": "haystack-dictionary/1", "valid_from": "2019-11-15T00:00:00Z",
         "valid_until": "2019-11-16T00:00:00Z",
         "classes": [{"name": "cam", "title": "Camera %d" % k, "level": "manufacturer",
                      "parent": None, "threshold": 0.4, "active_packets_per_hour": 10}],
         "domains": [{"name": dom[0], "classes": ["cam"], "role": "primary", "ports": [dom[1]],
                      "prefixes": ["203.0.113.7/32"]}]}
    with open(os.path.join(out, "swap-%d.json" % k), "w") as f:
        json.dump(d, f)


def v5(t, seq):
    recs = b""
    for i in range(10):
        proto, port = (6, 443) if i % 2 == 0 else (17, 123)
        recs += struct.pack(">4s4s4sHHIIIIHHBBBBHHBBH", socket.inet_aton("100.64.0.%d" % (i + 1)),
                            socket.inet_aton("203.0.113.7"), bytes(4), 0, 0, 3, 180, 0, 0,
                            40000 + i, port, 0, 0, proto, 0, 0, 0, 0, 0, 0)
    payload = struct.pack(">HHIIIIBBH", 5, 10, 0, t, 0, seq * 10, 0, 0, 0) + recs
    udp = struct.pack(">HHHH", 40000, 2055, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xffff, 0, 64, 17, 0,
                     bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + udp


with open(os.path.join(out, "swap.pcap"), "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(600):
        fr = v5(T0 + i, i)
        f.write(struct.pack("<IIII", T0, i * 1000, len(fr), len(fr)) + fr)
