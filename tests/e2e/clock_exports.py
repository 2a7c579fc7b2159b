#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""NetFlow v5 export captures for the exporter-clock tests (test_clock.sh).

  clock_exports.py FILE SCENARIO PORT

Three exporters, 10.9.0.1 to .3, each send one datagram every 120 s of
export time from 2019-11-15T10:00:00Z for three hours, one record each:
subscriber 100.64.1.N to es.ring.com (203.0.113.70, tcp/443) of
signatures/sample-dictionary.json. The frames are 1 ms apart in the
capture, so tcpreplay sends all of it in a fraction of a second.

SCENARIO changes exporter 10.9.0.1 (subscriber 100.64.1.1), halfway:
  base    nothing
  1970    one datagram of unix_secs 1, and one from a fourth exporter never
          heard before (10.9.0.4, subscriber 100.64.1.4), also of 1970
  2106    the same with unix_secs 0xffffffff
  year    its clock jumps a year ahead and stays there
  future  its clock jumps to a year ahead of this host's clock (FUTURE)
          and stays there: followed, but past the live agent's ceiling
  ahead   10.9.0.1 alone, 10 datagrams of the times future sends last
  stop    it stops after the first hour
  many    one exporter alone, 3,000 datagrams 86,000 s apart, up to
          2019-11-15 (eight years of hour bins, all plausible: a long
          backlog to write)
"""
import struct
import sys
import time

from v5_exports import datagram, frame

T0 = 1573812000
YEAR = 365 * 86400
# a year ahead of this host's clock, whole days: the same in every run of a day
FUTURE = (int(time.time()) // 86400 + 365) * 86400


def exports(scenario):
    """(exporter, subscriber, export time) in the order sent."""
    if scenario == "many":
        return [("10.9.0.1", "100.64.1.1", T0 - i * 86000) for i in range(2999, -1, -1)]
    if scenario == "ahead":
        return [("10.9.0.1", "100.64.1.1", FUTURE + i * 120) for i in range(80, 90)]
    out = []
    for i in range(90):
        t = T0 + i * 120
        for n in (1, 2, 3):
            ta = t
            if n == 1 and scenario == "year" and i >= 45:
                ta = t + YEAR
            if n == 1 and scenario == "future" and i >= 45:
                ta = FUTURE + i * 120
            if n == 1 and scenario == "stop" and i >= 30:
                continue
            out.append(("10.9.0.%d" % n, "100.64.1.%d" % n, ta))
        if i == 45 and scenario in ("1970", "2106"):
            bad = 1 if scenario == "1970" else 0xffffffff
            out.append(("10.9.0.1", "100.64.1.1", bad))
            out.append(("10.9.0.4", "100.64.1.4", bad))
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    path, scenario, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for seq, (exporter, sub, t) in enumerate(exports(scenario)):
            fr = frame(exporter, port, datagram(seq, t, sub, "203.0.113.70"))
            f.write(struct.pack("<IIII", T0 + seq // 1000, seq % 1000 * 1000, len(fr), len(fr)) + fr)


if __name__ == "__main__":
    main()
