/* SPDX-License-Identifier: GPL-2.0 */
/* Reading evidence out of the kernel: evidence map entries -> hs_evidence. */
#pragma once

#include <stddef.h>
#include "detect/detect.h"
#include "kern/tables.h"

/* Collect all evidence with bin_start in [from, until) into *out (malloc'd):
 * the evidence map's and the hour tables' (NULL: none). Each entry's rule
 * mask is resolved to its distinct domains through the endpoint_rules map.
 * Returns 0 or -errno. */
int hs_harvest(int evidence_fd, const struct hs_tables *tables, int rules_fd, __u64 from,
	       __u64 until, struct hs_evidence **out, size_t *n);
/* The evidence of one bin of width (> an hour) at bin_start, as
 * hs_harvest's: the map's, its folds' (tables.h: folded, and the classes
 * active in their hours into *act) and what of its hour tables is not in
 * them. */
int hs_harvest_bin(int evidence_fd, const struct hs_tables *tables, int rules_fd, __u32 width,
		   __u64 bin_start, struct hs_evidence **ev, size_t *n, struct hs_activity **act,
		   size_t *n_act);
/* The distinct domains (indices in the domains of the generation's
 * dictionary) of the rules of a rule set that a rule mask names. */
int hs_ruleset_domains(int rules_fd, __u32 generation, __u32 ruleset, __u32 mask,
		       __u16 domains[HAYSTACK_MAX_RULES], int *n);
/* Delete evidence with bin_start < until: bins no longer needed by any report. */
int hs_evidence_expire(int evidence_fd, __u64 until, size_t *n_deleted);
/* The same, in one walk, and the evidence of bins that start past ceiling
 * too (0: none): records the live agent's time ceiling refuses now, from
 * pins of an earlier run or before the host's clock was set back. How many
 * of each were deleted in *n_before and *n_past (either may be NULL). */
int hs_evidence_expire_outside(int evidence_fd, __u64 until, __u64 ceiling, size_t *n_before,
			       size_t *n_past);
/* Number of entries in the evidence map. */
size_t hs_evidence_count(int evidence_fd);
