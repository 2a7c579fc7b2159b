#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""compare_records.py NFDUMP.csv HAYSTACK.jsonl

The flow records nfdump decoded (`nfdump -o csv`) against the "record" lines
of `haystack replay --records` for the same export stream: equal as multisets
of (src, dst, sport, dport, proto, packets, bytes). Prints one summary line
and, on a difference, the first few records only one side has. Exit 0 when
equal.
"""
import collections
import csv
import json
import sys

PROTO = {"ICMP": 1, "TCP": 6, "UDP": 17, "ICMP6": 58, "IPv6-ICMP": 58}


def nfdump_records(path):
    out = collections.Counter()
    with open(path, newline="") as f:
        rows = csv.reader(f)
        head = next(rows)
        col = {name: i for i, name in enumerate(head)}
        for row in rows:
            if len(row) != len(head):  # the summary block after the records
                break
            pr = row[col["pr"]].strip()
            proto = PROTO.get(pr) if not pr.isdigit() else int(pr)
            if proto is None:
                sys.exit(f"{path}: unknown protocol name {pr!r}")
            ports = (0, 0) if proto in (1, 58) else (int(row[col["sp"]]), int(row[col["dp"]]))
            out[(row[col["sa"]], row[col["da"]], *ports, proto,
                 int(row[col["ipkt"]]), int(row[col["ibyt"]]))] += 1
    return out


def haystack_records(path):
    out = collections.Counter()
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") != "record":
                continue
            # ICMP has a type/code where ports would be; nfdump shows it its own way
            ports = (0, 0) if r["proto"] in (1, 58) else (r["sport"], r["dport"])
            out[(r["src"], r["dst"], *ports, r["proto"], r["packets"], r["bytes"])] += 1
    return out


def main():
    nf, hs = nfdump_records(sys.argv[1]), haystack_records(sys.argv[2])
    only_nf, only_hs = nf - hs, hs - nf
    print(f"nfdump {sum(nf.values())} records, haystack {sum(hs.values())} records, "
          f"packets {sum(k[5] * n for k, n in nf.items())} vs {sum(k[5] * n for k, n in hs.items())}, "
          f"{sum(only_nf.values())} only in nfdump, {sum(only_hs.values())} only in haystack")
    for name, side in (("only nfdump", only_nf), ("only haystack", only_hs)):
        for k in list(side)[:5]:
            print(f"  {name}: {k} x{side[k]}")
    sys.exit(0 if not only_nf and not only_hs else 1)


if __name__ == "__main__":
    main()
