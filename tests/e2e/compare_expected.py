#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""compare_expected.py EXPECTED.jsonl HAYSTACK.jsonl

The records a correct collector decodes from a real exporter's capture
(../shared/fixtures/real/NAME.expected.jsonl) against the "record" lines of
`haystack replay --records`: equal as multisets of (src, dst, sport, dport,
proto, packets, sampling). One summary line and, on a difference, the first
few records only one side has. Exit 0 when equal.
"""
import collections
import json
import sys

KEYS = ("src", "dst", "sport", "dport", "proto", "packets", "sampling")


def records(path, only_type=None):
    out = collections.Counter()
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            if only_type and d.get("type") != only_type:
                continue
            out[tuple(d[k] for k in KEYS)] += 1
    return out


want, got = records(sys.argv[1]), records(sys.argv[2], "record")
missing, extra = want - got, got - want
print("expected %d records, haystack %d, %d missing, %d extra"
      % (sum(want.values()), sum(got.values()), sum(missing.values()), sum(extra.values())))
for name, diff in (("missing", missing), ("extra", extra)):
    for rec in list(diff)[:3]:
        print("  %s: %s" % (name, dict(zip(KEYS, rec))))
sys.exit(0 if not missing and not extra else 1)
