// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kern/stats.h"
#include "lib/log.h"

#define COUNTER(n, k, h) \
	{ .name = #n, .offset = offsetof(struct haystack_stats, n), .help = h, .kind = k },
const struct hs_counter hs_counters[] = {
	HAYSTACK_COUNTERS(COUNTER)
	{ .name = NULL },
};

int hs_read_stats(int stats_fd, struct haystack_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct haystack_stats *v;
	__u32 zero = 0;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(stats_fd, &zero, v)) {
		err = -errno;
		goto out;
	}
	for (int c = 0; c < ncpu; c++) {
		__u64 *src = (__u64 *)&v[c], *dst = (__u64 *)out;

		for (size_t i = 0; i < HAYSTACK_STAT_COUNT; i++)
			dst[i] += src[i];
		if (v[c].export_time_min &&
		    (!out->export_time_min || v[c].export_time_min < out->export_time_min))
			out->export_time_min = v[c].export_time_min;
		if (v[c].export_time_max > out->export_time_max)
			out->export_time_max = v[c].export_time_max;
	}
out:
	free(v);
	return err;
}

static __u64 counter_value(const struct haystack_stats *st, const struct hs_counter *c)
{
	return *(const __u64 *)((const char *)st + c->offset);
}

int hs_stats_identities(const struct haystack_stats *st, struct hs_identity id[STAT_KINDS])
{
	int wrong = 0;

	memset(id, 0, STAT_KINDS * sizeof(*id));
	for (const struct hs_counter *c = hs_counters; c->name; c++) {
		int outcome = STAT_OUTCOME_KIND(c->kind), whole = STAT_SUM_KIND(c->kind);

		if (outcome != STAT_INFO)
			id[outcome].outcomes += counter_value(st, c);
		if (whole != STAT_INFO) {
			id[whole].whole = c->name;
			id[whole].total = counter_value(st, c);
		}
	}
	for (int k = STAT_INFO + 1; k < STAT_KINDS; k++)
		wrong += !id[k].whole || id[k].total != id[k].outcomes;
	return wrong;
}

void hs_stats_warn(const struct haystack_stats *st)
{
	if (st->fragmented_export)
		hs_warn("%llu export datagrams arrived IP-fragmented and were not read: keep the exporter's export packets within the path MTU (docs/flows.md)",
			(unsigned long long)st->fragmented_export);
}
