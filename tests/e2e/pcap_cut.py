#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pcap_cut.py [--counts] IN OUT:COUNT... [OUT]

Cut a classic pcap into consecutive pieces, each with IN's file header:
the first COUNT frames into the first OUT, the next COUNT into the second,
and, when a last OUT without a count is given, every frame left into it.
Instead of a number, COUNT may be
  before-last-hour  the frames (from here on) whose export time is before
                    the hour of IN's last export time;
  no-template       the frames (from here on) up to the next one that holds
                    a v9 or IPFIX template set.
Frames are export datagrams over Ethernet, IPv4 or IPv6, UDP (as
scripts/export-capture.sh records them). With --counts, one line per piece
on stdout: its frame count and how many hours of export time it spans.
"""
import struct
import sys


def records(data):
    """Each frame's pcap record (its 16-byte header and the frame)."""
    at = 24
    while at + 16 <= len(data):
        (caplen,) = struct.unpack_from("<I", data, at + 8)
        yield data[at:at + 16 + caplen]
        at += 16 + caplen


def payload(record):
    """The UDP payload of a record: the export datagram."""
    frame = record[16:]
    (ethertype,) = struct.unpack_from(">H", frame, 12)
    ip = frame[14:]
    udp = ip[40:] if ethertype == 0x86DD else ip[(ip[0] & 15) * 4:]
    return udp[8:]


def export_time(record):
    """The export header's time: NetFlow v5/v9 unix_secs, IPFIX export time."""
    p = payload(record)
    (version,) = struct.unpack_from(">H", p, 0)
    return struct.unpack_from(">I", p, 4 if version == 10 else 8)[0]


def has_template(record):
    """A v9 template set (ID 0) or an IPFIX one (ID 2) in the datagram."""
    p = payload(record)
    (version,) = struct.unpack_from(">H", p, 0)
    if version not in (9, 10):
        return False
    at, template = (20, 0) if version == 9 else (16, 2)
    while at + 4 <= len(p):
        set_id, length = struct.unpack_from(">HH", p, at)
        if set_id == template:
            return True
        at += max(length, 4)
    return False


def take_while(frames, keep):
    n = 0
    while n < len(frames) and keep(frames[n]):
        n += 1
    return n


args = sys.argv[1:]
counts = args[:1] == ["--counts"]
if counts:
    args = args[1:]
src = open(args[0], "rb").read()
left = list(records(src))
taken = []
for piece in args[1:]:
    path, _, count = piece.partition(":")
    if count == "before-last-hour":
        last_hour = max(map(export_time, left + taken)) // 3600 * 3600
        take = take_while(left, lambda r: export_time(r) < last_hour)
    elif count == "no-template":
        take = take_while(left, lambda r: not has_template(r))
    else:
        take = int(count) if count else len(left)
    with open(path, "wb") as f:
        f.write(src[:24] + b"".join(left[:take]))
    if counts:
        print(take, len({export_time(r) // 3600 for r in left[:take]}))
    taken += left[:take]
    left = left[take:]
