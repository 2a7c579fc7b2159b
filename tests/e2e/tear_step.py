#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tear_step.py OUT [PIN_DIR]

Leave OUT and the pins as an agent leaves them that died part way through
writing its last report step: OUT ends on the end of the step's first line
(a write cut where a line ends, so the file itself shows nothing torn), and
the bins of the step are not noted reported (report_next of each width set
back to the first bin of that width the step holds). The step is the one
the pins noted before the write (struct haystack_config.step).
"""
import calendar
import json
import os
import sys
import time
from pinned_config import Config

out = sys.argv[1]
cfg = Config(*sys.argv[2:3])
offset, _ = cfg.get("step", "offset")
length, _ = cfg.get("step", "length")
ino, _ = cfg.get("step", "ino")
st = os.stat(out)
if not length or ino != st.st_ino or st.st_size < offset + length:
    sys.exit("the pins note no step written whole to %s" % out)
with open(out, "rb") as f:
    f.seek(offset)
    step = f.read(length).decode().splitlines(keepends=True)
if len(step) < 2:
    sys.exit("the last step has %d lines: nothing to cut between two" % len(step))
first = {}
for line in step:
    j = json.loads(line)
    t = calendar.timegm(time.strptime(j["bin_start"], "%Y-%m-%dT%H:%M:%SZ"))
    first[j["bin_seconds"]] = min(first.get(j["bin_seconds"], t), t)
widths, _ = cfg.get("report_width")
nexts, _ = cfg.get("report_next")
for i, w in enumerate(widths):
    if w in first:
        nexts[i] = min(nexts[i], first[w])
cfg.set_list("report_next", nexts)
cfg.write()
os.truncate(out, offset + len(step[0].encode()))
print("# step of %d lines (%d bytes at byte %d) cut after its first line; bins from %s set back"
      % (len(step), length, offset, ",".join("%d:%d" % (w, t) for w, t in sorted(first.items()))))
