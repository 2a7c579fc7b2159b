/* SPDX-License-Identifier: GPL-2.0 */
/* Report lines (DESIGN §3): JSON objects, one a line. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include "detect/detect.h"
#include "dict/schedule.h"

struct hs_report {
	FILE *out;
	const struct hs_dict_set *dicts;	/* what the evidence was counted with */
	bool detail;			/* also write detection lines */
};

/* Evaluate and write every bin of width bin_seconds with start in
 * [first, last] (both already aligned). A bin is evaluated with the
 * dictionary in force at its start, or the newest whose evidence it holds
 * (a load that split the bin): evidence of older ones joins it by domain
 * name. Returns 0 or -errno. */
int hs_report_bins(struct hs_report *r, const struct hs_evidence *ev, size_t n,
		   __u32 bin_seconds, __u64 first, __u64 last);
