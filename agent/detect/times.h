/* SPDX-License-Identifier: GPL-2.0 */
/* The times bins are reported by, from the exporters' clocks (include/
 * haystack.h exporter_info): what no single exporter can move for the
 * others. Pure: kern/clocks.h reads the clocks from the map. */
#pragma once

#include <stddef.h>
#include <linux/types.h>

/* One exporter's clock, as the program keeps it. */
struct hs_clock {
	__u64 clock;		/* latest accepted export time, UTC s */
	__u64 first;		/* earliest accepted since the clock (re)started */
	__u64 seen_ns;		/* CLOCK_MONOTONIC ns of its last accepted datagram */
	__u32 accepted;		/* datagrams accepted since first */
};

/* What the agent reports by. All 0 when no exporter has a plausible clock. */
struct hs_times {
	__u64 first;		/* earliest plausible time: reports begin at its bin */
	__u64 last;		/* latest plausible time: reports end at its bin */
	__u64 close;		/* bins close by this: the lower median of the
				 * plausible clocks active lately; 0 = all silent */
	unsigned int exporters, plausible, active;
};

/*
 * The rule (docs/operations.md, "Time"). A clock past host_limit is not
 * plausible (the host's clock and a day: a 2106 header). Of the others, the
 * median time, each exporter weighed by the datagrams it had accepted, is
 * where the exporters agree; an exporter whose accepted span lies further
 * than HAYSTACK_CLOCK_WINDOW from it (a lone 1970 datagram of an exporter
 * never heard before) is not plausible either. An exporter is active when
 * its last accepted datagram is at most active_ns old on the host's clock
 * at now_ns (active_ns 0: all are, as in a replay).
 */
void hs_times_judge(const struct hs_clock *c, size_t n, __u64 host_limit, __u64 now_ns,
		    __u64 active_ns, struct hs_times *out);
