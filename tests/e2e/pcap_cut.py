#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pcap_cut.py IN OUT:COUNT... [OUT]

Cut a classic pcap into consecutive pieces, each with IN's file header:
the first COUNT frames into the first OUT, the next COUNT into the second,
and, when a last OUT without a count is given, every frame left into it.
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


src = open(sys.argv[1], "rb").read()
left = list(records(src))
for piece in sys.argv[2:]:
    path, _, count = piece.partition(":")
    take = int(count) if count else len(left)
    with open(path, "wb") as f:
        f.write(src[:24] + b"".join(left[:take]))
    left = left[take:]
