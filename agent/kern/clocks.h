/* SPDX-License-Identifier: GPL-2.0 */
/* The exporters' clocks, read from the exporter_clocks map. */
#pragma once

#include "detect/times.h"

/* hs_times_judge() of the clocks in the exporter_clocks map at fd. Returns
 * 0 or -errno. */
int hs_times_read(int clocks_fd, __u64 host_limit, __u64 now_ns, __u64 active_ns,
		  struct hs_times *out);
