// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "haystack.h"
#include "detect/times.h"
#include "lib/sort.h"

static int by_clock(const void *a, const void *b)
{
	const struct hs_clock *x = a, *y = b;

	return x->clock < y->clock ? -1 : x->clock > y->clock;
}

static int by_value(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

void hs_times_judge(const struct hs_clock *c, size_t n, __u64 host_limit, __u64 now_ns,
		    __u64 active_ns, struct hs_times *out)
{
	struct hs_clock *v = calloc(n ? n : 1, sizeof(*v));
	__u64 *act = calloc(n ? n : 1, sizeof(*act));
	__u64 weight = 0, sum = 0, mid = 0;
	size_t k = 0, a = 0;

	*out = (struct hs_times){ .exporters = n };
	if (!v || !act)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (c[i].clock && c[i].clock <= host_limit) {
			v[k] = c[i];
			weight += v[k++].accepted;
		}
	hs_sort(v, k, sizeof(*v), by_clock);
	/* the weighted median: half of all accepted datagrams at or before it */
	for (size_t i = 0; i < k && !mid; i++) {
		sum += v[i].accepted;
		if (2 * sum >= weight)
			mid = v[i].clock;
	}
	for (size_t i = 0; i < k; i++) {
		if (v[i].first > mid + HAYSTACK_CLOCK_WINDOW || v[i].clock + HAYSTACK_CLOCK_WINDOW < mid)
			continue;
		out->plausible++;
		if (!out->first || v[i].first < out->first)
			out->first = v[i].first;
		if (v[i].clock > out->last)
			out->last = v[i].clock;
		if (!active_ns || (now_ns >= v[i].seen_ns && now_ns - v[i].seen_ns <= active_ns))
			act[a++] = v[i].clock;
	}
	out->active = a;
	/* The lower median: an exporter running ahead of the others, or
	 * one of two, cannot move it forward. */
	hs_sort(act, a, sizeof(*act), by_value);
	if (a)
		out->close = act[(a - 1) / 2];
out:
	free(v);
	free(act);
}
