#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make_fold_day.py DIR

A day of NetFlow v5 exports (2019-11-15, two datagrams an hour, at minutes
10 and 52, and two hours of the next day) whose day bin tells a report
folded from its hours from one made of the hours themselves, written into
DIR as first.pcap (to 2019-11-15T13:52), rest.pcap (the others) and
all.pcap, with the dictionary day1.json (that of make_three_days.py, cam:
api.cam.test 203.0.113.7 tcp/443 primary, ntp.cam.test 198.51.100.10
udp/123 support; 10 packets an hour are active use) and subscribers.txt:

  100.64.0.1  20 packets every half hour: active every hour
  100.64.0.4  4 packets every half hour: detected, never active in an hour
              (8 a hour), though the day's 192 are more than 10
  100.64.0.5  30 packets at 02:52 alone: active in that hour only
  100.64.0.6  api at 01:52, ntp at 20:10: both domains, hours apart
  100.64.0.7  15 packets for 03:45 sent after 06:52, once 03:00 was
              reported: late, counted in the day bin alone

The datagram at :52 is within 10 minutes of the next hour: a live agent
makes the next hour's table then (kern/tables.h, HS_TABLE_AHEAD), so when
they are sent a second apart the records of :52 go to their hour's table
(made at the datagram of :10 or before) and those of :10 mostly too.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_three_days import DAY0, datagram, dictionary, record, write_pcap  # noqa: E402

API, NTP = ("203.0.113.7", 443, 6), ("198.51.100.10", 123, 17)
out = sys.argv[1]


def rec(sub, service, packets):
    addr, port, proto = service
    return record(sub, addr, packets, dport=port, proto=proto)


frames, first = [], 0
for half_hour in range(26 * 2):  # two datagrams an hour
    hour, minute = half_hour // 2, (10, 52)[half_hour % 2]
    t = DAY0 + hour * 3600 + minute * 60
    recs = [rec("100.64.0.1", API, 20)]
    if hour < 24:
        recs.append(rec("100.64.0.4", API, 4))
    if (hour, minute) == (2, 52):
        recs.append(rec("100.64.0.5", API, 30))
    if (hour, minute) == (1, 52):
        recs.append(rec("100.64.0.6", API, 12))
    if (hour, minute) == (20, 10):
        recs.append(rec("100.64.0.6", NTP, 12))
    frames.append(datagram(t, half_hour, recs))
    if (hour, minute) == (6, 52):
        # exported by a clock three hours behind: the records' time is
        # the export time, 03:45
        frames.append(datagram(DAY0 + 3 * 3600 + 2700, 1000, [rec("100.64.0.7", API, 15)]))
    if (hour, minute) == (13, 52):
        first = len(frames)
write_pcap(os.path.join(out, "all.pcap"), frames)
write_pcap(os.path.join(out, "first.pcap"), frames[:first])
write_pcap(os.path.join(out, "rest.pcap"), frames[first:])
with open(os.path.join(out, "day1.json"), "w") as f:
    json.dump(dictionary(0), f, indent=1)
with open(os.path.join(out, "subscribers.txt"), "w") as f:
    f.write("100.64.0.0/16\n")
