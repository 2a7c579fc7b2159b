#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rewind_config.py WIDTH [PIN_DIR]

Set the pinned config's report progress of bin width WIDTH back by one bin,
as an agent leaves it that died after appending a report step's lines and
before noting them reported (struct haystack_config: report_width[],
report_next[]).
"""
import sys
from pinned_config import Config

width = int(sys.argv[1])
cfg = Config(*sys.argv[2:3])
widths, _ = cfg.get("report_width")
nexts, _ = cfg.get("report_next")
j = widths.index(width)
if nexts[j] < width:
    sys.exit("width %d has reported nothing" % width)
nexts[j] -= width
cfg.set_list("report_next", nexts)
cfg.write()
print("# report_next of %d s set back to %d" % (width, nexts[j]))
