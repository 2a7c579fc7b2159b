#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare two haystack reports (JSON lines) as multisets of objects.

Lines are matched on their identity (type, bin, class, subscriber); each
matched pair is compared field by field over the fields of the expected
line (a report may carry more fields: contracts only add). Prints every
difference; exit 1 if any.
"""
import json
import sys


def load(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def ident(o):
    return (o.get("type"), o.get("bin_start"), o.get("bin_seconds"),
            o.get("class"), o.get("subscriber"))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare_reports.py EXPECTED ACTUAL")
    exp, act = load(sys.argv[1]), load(sys.argv[2])
    index = {}
    for o in act:
        index.setdefault(ident(o), []).append(o)
    errors = []
    for e in exp:
        cands = index.get(ident(e))
        if not cands:
            errors.append("missing: %s" % json.dumps(e))
            continue
        a = cands.pop(0)
        for k, v in e.items():
            if a.get(k) != v:
                errors.append("%s: %s expected %r, got %r" % (ident(e), k, v, a.get(k)))
    for rest in index.values():
        for a in rest:
            errors.append("unexpected: %s" % json.dumps(a))
    for line in errors[:40]:
        print(line)
    if len(errors) > 40:
        print("... %d differences in all" % len(errors))
    print("%d expected lines, %d actual lines, %d differences" % (len(exp), len(act), len(errors)))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
