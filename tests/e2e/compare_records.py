#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""compare_records.py NFDUMP.csv HAYSTACK.jsonl [--times]

The flow records nfdump decoded (`nfdump -o csv`) against the "record" lines
of `haystack replay --records` for the same export stream: equal as multisets
of (src, dst, sport, dport, proto, packets, bytes), with --times also of the
flow start and end to the second. Prints one summary line and, on a
difference, the first few records only one side has. Exit 0 when equal.
"""
import collections
import csv
import json
import sys

PROTO = {"ICMP": 1, "TCP": 6, "UDP": 17, "ICMP6": 58, "IPv6-ICMP": 58}


def nfdump_records(path, times):
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
            when = (row[col["ts"]], row[col["te"]]) if times else ()
            out[(row[col["sa"]], row[col["da"]], *ports, proto,
                 int(row[col["ipkt"]]), int(row[col["ibyt"]]), *when)] += 1
    return out


def second(t):
    """"2019-11-15T09:31:01.381Z" as nfdump prints it: "2019-11-15 09:31:01"."""
    return t[:19].replace("T", " ")


def haystack_records(path, times):
    out = collections.Counter()
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") != "record":
                continue
            # ICMP has a type/code where ports would be; nfdump shows it its own way
            ports = (0, 0) if r["proto"] in (1, 58) else (r["sport"], r["dport"])
            when = (second(r.get("flow_start", "")), second(r.get("flow_end", ""))) if times else ()
            out[(r["src"], r["dst"], *ports, r["proto"], r["packets"], r["bytes"], *when)] += 1
    return out


EPOCH = ("1970-01-01 00:00:00", "1970-01-01 00:00:00")


def drop_untimed(nf, hs):
    """nfdump shows a few records without times (the epoch): each of those is
    matched without its times and leaves both sides. Returns how many."""
    untimed = collections.Counter()
    for k in [k for k in nf if k[7:] == EPOCH]:
        untimed[k[:7]] += nf.pop(k)
    n = 0
    for k in list(hs):
        take = min(hs[k], untimed[k[:7]])
        hs[k] -= take
        untimed[k[:7]] -= take
        n += take
    return n


def main():
    times = "--times" in sys.argv[3:]
    nf, hs = nfdump_records(sys.argv[1], times), haystack_records(sys.argv[2], times)
    untimed = drop_untimed(nf, hs) if times else 0
    only_nf, only_hs = nf - hs, hs - nf
    print(f"nfdump {sum(nf.values())} records, haystack {sum(hs.values())} records, "
          f"packets {sum(k[5] * n for k, n in nf.items())} vs {sum(k[5] * n for k, n in hs.items())}, "
          f"{sum(only_nf.values())} only in nfdump, {sum(only_hs.values())} only in haystack"
          + (f", {untimed} without times in nfdump" if times else ""))
    for name, side in (("only nfdump", only_nf), ("only haystack", only_hs)):
        for k in list(side)[:5]:
            print(f"  {name}: {k} x{side[k]}")
    sys.exit(0 if not only_nf and not only_hs else 1)


if __name__ == "__main__":
    main()
