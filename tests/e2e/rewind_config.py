#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rewind_config.py WIDTH [PIN_DIR]

Set the pinned config's report progress of bin width WIDTH back by one bin,
as an agent leaves it that died after appending a report step's lines and
before noting them reported (struct haystack_config: report_width[], the
HAYSTACK_REPORT_WIDTHS u32 at octet 48, then report_next[], as many u64).
"""
import json
import struct
import subprocess
import sys

WIDTHS = 4
width = int(sys.argv[1])
pin = (sys.argv[2] if len(sys.argv) > 2 else "/sys/fs/bpf/haystack") + "/config"
entry = json.loads(subprocess.check_output(["bpftool", "-j", "map", "dump", "pinned", pin]))[0]
value = bytes(int(b, 16) for b in entry["value"])
REPORT_WIDTH = 48       # offsetof(struct haystack_config, report_width)
base = REPORT_WIDTH + 4 * WIDTHS
widths = struct.unpack_from("<%dI" % WIDTHS, value, REPORT_WIDTH)
nexts = list(struct.unpack_from("<%dQ" % WIDTHS, value, base))
j = widths.index(width)
if nexts[j] < width:
    sys.exit("width %d has reported nothing" % width)
nexts[j] -= width
value = value[:base] + struct.pack("<%dQ" % WIDTHS, *nexts) + value[base + 8 * WIDTHS:]
subprocess.check_call(["bpftool", "map", "update", "pinned", pin,
                       "key", "hex", "00", "00", "00", "00",
                       "value", "hex"] + ["%02x" % b for b in value])
print("# report_next of %d s set back to %d" % (width, nexts[j]))
