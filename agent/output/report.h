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
 * [first, last] (both already aligned), with act the classes active in
 * hours folded into ev (detect.h; any generation, joined by class name). A bin is evaluated with the
 * dictionary in force at its start, or the newest whose evidence it holds
 * (a load that split the bin): evidence of older ones joins it by domain
 * name. Returns 0 or -errno. */
int hs_report_bins(struct hs_report *r, const struct hs_evidence *ev, size_t n,
		   const struct hs_activity *act, size_t n_act, __u32 bin_seconds, __u64 first,
		   __u64 last);
/* The hour bin at hour evaluated as hs_report_bins does, its lines
 * written when write, and the classes subscribers were active for in it
 * into *active (malloc'd; each with the generation of the dictionary
 * evaluated with): what folding the hour into longer bins keeps of it. */
int hs_report_hour(struct hs_report *r, const struct hs_evidence *ev, size_t n, __u64 hour,
		   bool write, struct hs_activity **active, size_t *n_active);
