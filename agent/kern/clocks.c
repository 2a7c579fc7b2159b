// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include "haystack.h"
#include "kern/clocks.h"
#include "kern/mapwalk.h"
#include "lib/array.h"

struct collect {
	struct hs_clock *c;
	size_t n, cap;
};

static int collect_one(const void *key, const void *value, void *ctx)
{
	const struct exporter_clock *x = value;
	struct collect *col = ctx;

	/* made by a datagram whose records proved invalid: no clock yet */
	if (!x->clock)
		return 0;
	if (hs_grow((void **)&col->c, &col->cap, col->n, sizeof(*col->c), 16))
		return -ENOMEM;
	col->c[col->n++] = (struct hs_clock){ x->clock, x->clock_first, x->clock_seen_ns,
					      x->accepted };
	return 0;
}

int hs_times_read(int clocks_fd, __u64 host_limit, __u64 now_ns, __u64 active_ns,
		  struct hs_times *out)
{
	struct collect col = {};
	int err = hs_map_for_each(clocks_fd, sizeof(struct exporter_clock_key),
				  sizeof(struct exporter_clock), collect_one, &col);

	if (!err)
		hs_times_judge(col.c, col.n, host_limit, now_ns, active_ns, out);
	free(col.c);
	return err;
}
