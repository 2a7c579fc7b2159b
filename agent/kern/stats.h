/* SPDX-License-Identifier: GPL-2.0 */
/* The stats map: the program's per-CPU counters, summed. */
#pragma once

#include <stddef.h>
#include "haystack.h"

/* Every counter of struct haystack_stats, from the list in
 * haystack_counters.h and in its order, ending with { NULL };
 * export_time_min/max are not counters and are not listed. */
struct hs_counter {
	const char *name;
	size_t offset;
	const char *help;	/* completes "a packet or record that …" */
	int kind;		/* STAT_FRAME, STAT_SUM_OF(STAT_EXPORT), … */
};
extern const struct hs_counter hs_counters[];

/* Sum of the per-CPU stats; export_time_min/max are min/max over CPUs. */
int hs_read_stats(int stats_fd, struct haystack_stats *out);

/* One identity of the counter list: the counter of a whole (packets,
 * export_packets, records) and the sum of the outcomes it ends in. */
struct hs_identity {
	const char *whole;	/* NULL: no counter declares this whole */
	__u64 total;
	__u64 outcomes;
};

/* The identities of st, indexed by STAT_FRAME, STAT_EXPORT, STAT_RECORD
 * (entry STAT_INFO is unused). Returns how many do not hold. The program
 * keeps them in every stats entry; a sum read while it runs on other CPUs
 * may be caught between the two counts of a frame. */
int hs_stats_identities(const struct haystack_stats *st, struct hs_identity id[STAT_KINDS]);

/* One warning line for each counter an operator must act on (export
 * datagrams fragmented on the way): status and replay say them. */
void hs_stats_warn(const struct haystack_stats *st);
