/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Detection (DESIGN §2) as a pure function: dictionary + evidence -> detections
 * and summaries for one bin. No I/O, no BPF: tested directly with tables.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include "dict/dict.h"

/* Evidence for one subscriber in one hour: a group of records that matched
 * exactly this set of domains (the harvest turns each evidence map entry into
 * one of these). */
struct hs_evidence {
	__u8 subscriber[16];
	__u64 hour;			/* UTC seconds, start of the hour */
	__u32 generation;		/* the dictionary domains[] index into */
	/* distinct indices in hs_dict.domains (HS_DICT_MAX_DOMAINS): 16 bits,
	 * so that a bin of millions of entries takes 80 octets each */
	__u16 domains[HAYSTACK_MAX_RULES];
	__u16 n_domains;
	/* The sum of the hours of a longer bin (a fold table, kern/tables.h):
	 * hour is the bin's start, and the packets say nothing of any one hour's activity,
	 * which hs_activity items carry instead. */
	bool folded;
	__u64 packets;			/* sampled packets of these records */
	__u64 packets_estimate;		/* each record's packets x its sampling rate */
};

/* A class a subscriber was active for (DESIGN §2) in some hour of a bin. */
struct hs_activity {
	__u8 subscriber[16];
	__u64 bin_start;		/* of the bin it was found in */
	__u32 generation;		/* of the dictionary class_id numbers in */
	int class_id;
};

struct hs_detection {
	__u8 subscriber[16];
	int class_id;
	int domains_seen;
	int domains_monitored;		/* N */
	int required;			/* max(1, floor(D x N)) */
	__u64 packets;
	__u64 packets_estimate;		/* renormalised by the sampling rate */
	bool active;
};

struct hs_summary {
	int class_id;
	__u64 subscribers;		/* detections */
	__u64 active;			/* detections with active = true */
};

struct hs_bin_result {
	__u64 bin_start;
	__u32 bin_seconds;
	struct hs_detection *detections;	/* sorted by subscriber, then class */
	size_t n_detections;
	struct hs_summary *summaries;		/* one per class with N > 0, dictionary order */
	size_t n_summaries;
	struct hs_activity *active;		/* with list_active: by subscriber */
	size_t n_active;
};

/* What a bin is evaluated over. */
struct hs_detect_in {
	const struct hs_evidence *ev;
	size_t n_ev;
	/* Classes subscribers were active for in hours folded into ev (any
	 * order; class_id in the classes of the dictionary evaluated with;
	 * bin_start and generation not read). */
	const struct hs_activity *act;
	size_t n_act;
	__u64 bin_start;
	__u32 bin_seconds;
	/* out->active: every (subscriber, class) with evidence in the bin that
	 * was active in one of its hours, detected or not (generation 0: the
	 * caller knows the dictionary) */
	bool list_active;
};

/* Required domains for a class: max(1, floor(D x N)). */
int hs_required(double threshold, int n_monitored);

/* Evaluate bin [bin_start, bin_start + bin_seconds) over the evidence whose
 * hour lies inside it (other evidence is ignored). Returns 0 or -ENOMEM. */
int hs_detect(const struct hs_dict *d, const struct hs_detect_in *in, struct hs_bin_result *out);
void hs_bin_result_free(struct hs_bin_result *r);
