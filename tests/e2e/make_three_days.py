#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make_three_days.py DIR

Three days of NetFlow v5 (2019-11-15 to 17, two datagrams an hour, at
minutes 10 and 40) and the dictionaries of those days, which classify the
same traffic differently, written into DIR:

  day1.json  cam: api.cam.test at 203.0.113.7, ntp.cam.test; threshold 0.4
  day2.json  api.cam.test moved to 203.0.113.99; a class hub added
  day3.json  as day2, the cam threshold raised to 1.0 (both domains needed)
  day2-late.json  day2 in force from 2019-11-16T00:30:00Z: the hour
             00:00-01:00 of that day is split between two dictionaries
  all.pcap, day1.pcap, day2.pcap, day3.pcap  the exports, whole and by day
  subscribers.txt

Subscriber 100.64.0.1 talks to 203.0.113.7, 100.64.0.2 to 203.0.113.99 and
100.64.0.3 to 192.0.2.5, every half hour, 20 packets each, tcp/443.
"""
import json
import os
import socket
import struct
import sys

DAY0 = 1573776000  # 2019-11-15T00:00:00Z
out = sys.argv[1] if __name__ == "__main__" else None


def iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def dictionary(day, cam_threshold=0.4, moved=False, hub=False, valid_from=None):
    classes = [{"name": "cam", "title": "Camera", "level": "manufacturer", "parent": None,
                "threshold": cam_threshold, "active_packets_per_hour": 10}]
    domains = [{"name": "api.cam.test", "classes": ["cam"], "role": "primary",
                "ports": ["tcp/443"],
                "prefixes": ["203.0.113.99/32" if moved else "203.0.113.7/32"]},
               {"name": "ntp.cam.test", "classes": ["cam"], "role": "support",
                "ports": ["udp/123"], "prefixes": ["198.51.100.10/32"]}]
    if hub:
        classes.append({"name": "hub", "title": "Hub", "level": "manufacturer", "parent": None,
                        "threshold": 0.4, "active_packets_per_hour": 10})
        domains.append({"name": "push.hub.test", "classes": ["hub"], "role": "primary",
                        "ports": ["tcp/443"], "prefixes": ["192.0.2.5/32"]})
    start = DAY0 + day * 86400
    return {"format": "haystack-dictionary/1",
            "valid_from": valid_from or iso(start), "valid_until": iso(start + 86400),
            "classes": classes, "domains": domains}


def write_json(name, d):
    with open(os.path.join(out, name), "w") as f:
        json.dump(d, f, indent=1)


def record(src, dst, packets, dport=443, proto=6, sport=50000):
    """One v5 record of packets from src to dst (60 octets each)."""
    return struct.pack(">4s4s4sHHIIIIHHBBBBHHBBH", socket.inet_aton(src), socket.inet_aton(dst),
                       bytes(4), 0, 0, packets, packets * 60, 0, 0, sport, dport, 0, 0x18,
                       proto, 0, 0, 0, 0, 0, 0)


def datagram(t, seq, recs):
    """An Ethernet frame of one v5 datagram exported at t, from
    192.0.2.1:40000 to 192.0.2.2:2055."""
    head = struct.pack(">HHIIIIBBH", 5, len(recs), 0, t, 0, seq, 0, 0, 0)
    udp_payload = head + b"".join(recs)
    udp = struct.pack(">HHHH", 40000, 2055, 8 + len(udp_payload), 0) + udp_payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xffff, 0, 64, 17, 0,
                     bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + udp


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        # capture times 1 ms apart, so tcpreplay sends them at once: the
        # export times in the headers are what haystack reads
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", DAY0, i * 1000, len(fr), len(fr)) + fr)


FLOWS = (("100.64.0.1", "203.0.113.7"), ("100.64.0.2", "203.0.113.99"),
         ("100.64.0.3", "192.0.2.5"))


def main():
    write_json("day1.json", dictionary(0))
    write_json("day2.json", dictionary(1, moved=True, hub=True))
    write_json("day3.json", dictionary(2, cam_threshold=1.0, moved=True, hub=True))
    write_json("day2-late.json", dictionary(1, moved=True, hub=True,
                                            valid_from="2019-11-16T00:30:00Z"))
    with open(os.path.join(out, "subscribers.txt"), "w") as f:
        f.write("100.64.0.0/16\n")
    frames = []
    for half_hour in range(3 * 48):
        t = DAY0 + half_hour * 1800 + 600
        frames.append(datagram(t, half_hour, [record(src, dst, 20, sport=50000 + i)
                                              for i, (src, dst) in enumerate(FLOWS)]))
    write_pcap(os.path.join(out, "all.pcap"), frames)
    for day in range(3):
        write_pcap(os.path.join(out, "day%d.pcap" % (day + 1)), frames[day * 48:(day + 1) * 48])


if __name__ == "__main__":
    main()
