/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A longer bin (a day) folded from its hours as each is reported, so that
 * an hour's evidence need not be kept for it: the hours' evidence merged,
 * one entry per (subscriber, generation, domains) with the packets summed
 * (folded: its hour the bin's start), and the classes each subscriber was
 * active for in one of the hours, as hs_detect found them in the hour's
 * bin (list_active). hs_detect over the two gives what it gives over the
 * hours' evidence itself (tests/unit/test_fold.c). Pure: no I/O.
 */
#pragma once

#include "detect/detect.h"

struct hs_fold {
	__u64 bin_start;
	__u32 bin_seconds;
	struct hs_evidence *ev;		/* folded entries */
	size_t n_ev, cap_ev;
	struct hs_activity *act;	/* one per (subscriber, generation, class) */
	size_t n_act, cap_act;
	__u32 *ev_slot, *act_slot;	/* open addressing: index + 1, 0 = free */
	size_t ev_mask, act_mask;
};

void hs_fold_init(struct hs_fold *f, __u64 bin_start, __u32 bin_seconds);
/* One hour's evidence (what lies outside the bin is passed over) and the
 * classes active in it, each with the generation of the dictionary the
 * hour was evaluated with. Returns 0 or -ENOMEM (then f is as it was for
 * the entries not yet added: fold an hour again only into a fresh f). */
int hs_fold_add(struct hs_fold *f, const struct hs_evidence *ev, size_t n,
		const struct hs_activity *act, size_t n_act);
void hs_fold_free(struct hs_fold *f);
