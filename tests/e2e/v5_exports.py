#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""NetFlow v5 export datagrams of one record each, for the --exporters and
collector-port tests: subscriber 100.64.0.7 to avs-alexa-eu.amazon.com
(203.0.113.10, tcp/443) of signatures/sample-dictionary.json, exported at
2019-11-15T10:00:07Z.

  v5_exports.py pcap FILE PORT EXPORTER...   one datagram from each EXPORTER
                                             (IPv4) to 192.0.2.2:PORT, as an
                                             Ethernet pcap
  v5_exports.py send HOST PORT COUNT         COUNT datagrams sent from this
                                             host's own socket (IPv4 or IPv6),
                                             20 ms apart
"""
import socket
import struct
import sys
import time

EXPORT_TIME = 1573812007


def datagram(seq, t=EXPORT_TIME, sub="100.64.0.7", service="203.0.113.10"):
    """One record from sub to service:443, exported at t (also by
    clock_exports.py)."""
    header = struct.pack(">HHIIIIBBH", 5, 1, 3600000, t, 0, seq, 0, 0, 0)
    record = struct.pack(">4s4s4sHHIIIIHHBBBBHHBBH",
                         socket.inet_aton(sub), socket.inet_aton(service),
                         bytes(4), 0, 0, 3, 420, 3590000, 3595000, 50123, 443,
                         0, 0x18, 6, 0, 0, 0, 0, 0, 0)
    return header + record


def frame(exporter, port, payload):
    udp = struct.pack(">HHHH", 40000, port, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     socket.inet_aton(exporter), socket.inet_aton("192.0.2.2"))
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + udp


def write_pcap(path, port, exporters):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, exporter in enumerate(exporters):
            fr = frame(exporter, port, datagram(i))
            f.write(struct.pack("<IIII", EXPORT_TIME, 0, len(fr), len(fr)) + fr)


def send(host, port, count):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(count):
        s.sendto(datagram(i), (host, port))
        time.sleep(0.02)


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "pcap":
        write_pcap(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    elif len(sys.argv) == 5 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
