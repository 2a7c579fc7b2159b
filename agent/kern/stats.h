/* SPDX-License-Identifier: GPL-2.0 */
/* The stats map: the program's per-CPU counters, summed. */
#pragma once

#include <stddef.h>
#include "haystack.h"

/* Every counter of struct haystack_stats by name, in layout order, ending
 * with { NULL }; export_time_min/max are not counters and are not listed. */
struct hs_counter {
	const char *name;
	size_t offset;
};
extern const struct hs_counter hs_counters[];

/* Sum of the per-CPU stats; export_time_min/max are min/max over CPUs. */
int hs_read_stats(int stats_fd, struct haystack_stats *out);
