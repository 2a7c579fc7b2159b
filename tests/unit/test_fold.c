// SPDX-License-Identifier: GPL-2.0
/*
 * A day folded from its hours is evaluated as the hours' evidence itself:
 * each folded hour's entries marked folded and given the day's start (as
 * the harvest reads a fold table, agent/kern/tables.h), with the classes
 * its own evaluation found active (hs_detect, list_active). Random worlds of subscribers (IPv4 and IPv6),
 * classes with a parent, domains shared between classes, packets around
 * the activity threshold, over 24 hours; the day's detections and
 * summaries from the fold equal those from every hourly entry, whether
 * all hours were folded or only some (the others still hourly beside it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "detect/detect.h"

#define DAY	1573776000ULL
#define HOUR	3600

static int c0[] = { 0 }, c1[] = { 1 }, c2[] = { 2 }, c01[] = { 0, 1 }, c02[] = { 0, 2 };
static struct hs_class classes[] = {
	{ .name = "platform", .parent = -1, .threshold = 0.4, .active_packets_per_hour = 10 },
	{ .name = "product", .parent = 0, .threshold = 0.5, .active_packets_per_hour = 10 },
	{ .name = "other", .parent = -1, .threshold = 1.0, .active_packets_per_hour = 5 },
};
static struct hs_domain domains[] = {
	{ .name = "d0", .primary = true, .classes = c0, .n_classes = 1 },
	{ .name = "d1", .classes = c0, .n_classes = 1 },
	{ .name = "d2", .primary = true, .classes = c1, .n_classes = 1 },
	{ .name = "d3", .classes = c01, .n_classes = 2 },
	{ .name = "d4", .primary = true, .classes = c2, .n_classes = 1 },
	{ .name = "d5", .classes = c2, .n_classes = 1 },
	{ .name = "d6", .primary = true, .classes = c02, .n_classes = 2 },
	{ .name = "d7", .classes = c1, .n_classes = 1 },
};
static struct hs_dict dict = { .classes = classes, .n_classes = 3, .domains = domains,
			       .n_domains = 8 };

static __u64 rng = 88172645463325252ULL;

static unsigned int next(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

static void subscriber(__u8 a[16], int s)
{
	memset(a, 0, 16);
	if (s % 5 == 4) {		/* IPv6 */
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
		a[15] = (__u8)s, a[14] = (__u8)(s >> 8);
		return;
	}
	a[10] = a[11] = 0xff;
	a[12] = (__u8)(10 + s % 3), a[14] = (__u8)(s >> 8), a[15] = (__u8)s;
}

/* The world's evidence: for every hour, each subscriber 0 to 3 groups. */
static size_t world(struct hs_evidence *ev, size_t cap, int subs)
{
	size_t n = 0;

	for (int h = 0; h < 24; h++)
		for (int s = 0; s < subs; s++)
			for (unsigned int k = next(4); k-- && n < cap;) {
				struct hs_evidence *e = &ev[n++];
				unsigned int want = 1 + next(3);

				memset(e, 0, sizeof(*e));
				subscriber(e->subscriber, s);
				e->hour = DAY + (__u64)h * HOUR;
				e->generation = 1;
				while (e->n_domains < want) {
					__u16 d = (__u16)next(8);
					bool dup = false;

					for (int j = 0; j < e->n_domains; j++)
						dup |= e->domains[j] == d;
					if (!dup)
						e->domains[e->n_domains++] = d;
				}
				e->packets = next(8);	/* 10 an hour: two groups or more */
				e->packets_estimate = e->packets * 3;
			}
	return n;
}

static void assert_same(const struct hs_bin_result *a, const struct hs_bin_result *b)
{
	assert_int_equal(a->n_detections, b->n_detections);
	for (size_t i = 0; i < a->n_detections; i++) {
		const struct hs_detection *x = &a->detections[i], *y = &b->detections[i];

		assert_memory_equal(x->subscriber, y->subscriber, 16);
		assert_int_equal(x->class_id, y->class_id);
		assert_int_equal(x->domains_seen, y->domains_seen);
		assert_int_equal(x->required, y->required);
		assert_int_equal(x->packets, y->packets);
		assert_int_equal(x->packets_estimate, y->packets_estimate);
		assert_int_equal(x->active, y->active);
	}
	assert_int_equal(a->n_summaries, b->n_summaries);
	for (size_t i = 0; i < a->n_summaries; i++) {
		assert_int_equal(a->summaries[i].subscribers, b->summaries[i].subscribers);
		assert_int_equal(a->summaries[i].active, b->summaries[i].active);
	}
}

/* Hours [0, folded) folded, the others given hourly beside the fold. */
static void day_folded(int folded)
{
	enum { SUBS = 400, CAP = 24 * SUBS * 3 };
	struct hs_evidence *ev = malloc(CAP * sizeof(*ev)), *all, *hour = malloc(CAP * sizeof(*ev));
	struct hs_activity *act = NULL;
	struct hs_bin_result want, got;
	size_t n, n_all = 0, n_act = 0;
	int active = 0;

	for (int i = 0; i < 3; i++)
		classes[i].n_monitored = 0;
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < domains[i].n_classes; j++)
			classes[domains[i].classes[j]].n_monitored++;
	assert_non_null(ev);
	assert_non_null(hour);
	rng = 88172645463325252ULL;
	n = world(ev, CAP, SUBS);
	assert_int_equal(hs_detect(&dict, &(struct hs_detect_in){ .ev = ev, .n_ev = n,
			 .bin_start = DAY, .bin_seconds = 86400 }, &want), 0);
	/* a world where the day's activity is not the sum's */
	for (size_t i = 0; i < want.n_detections; i++)
		active += want.detections[i].active;
	assert_true(want.n_detections > SUBS / 2);
	assert_true(active > 0 && (size_t)active < want.n_detections);

	all = malloc(n * sizeof(*all) + 1);
	assert_non_null(all);
	for (int h = 0; h < folded; h++) {
		__u64 start = DAY + (__u64)h * HOUR;
		struct hs_bin_result r;
		size_t m = 0;

		/* the hour's entries, as its harvest reads them */
		for (size_t i = 0; i < n; i++)
			if (ev[i].hour == start)
				hour[m++] = ev[i];
		assert_int_equal(hs_detect(&dict, &(struct hs_detect_in){ .ev = hour, .n_ev = m,
				 .bin_start = start, .bin_seconds = HOUR, .list_active = true }, &r), 0);
		for (size_t i = 0; i < m; i++) {
			all[n_all] = hour[i];
			all[n_all].hour = DAY;
			all[n_all++].folded = true;
		}
		act = realloc(act, (n_act + r.n_active) * sizeof(*act) + 1);
		assert_non_null(act);
		memcpy(act + n_act, r.active, r.n_active * sizeof(*act));
		n_act += r.n_active;
		hs_bin_result_free(&r);
	}
	/* and what was not folded, hourly */
	for (size_t i = 0; i < n; i++)
		if (ev[i].hour >= DAY + (__u64)folded * HOUR)
			all[n_all++] = ev[i];
	assert_int_equal(n_all, n);
	assert_int_equal(hs_detect(&dict, &(struct hs_detect_in){ .ev = all, .n_ev = n_all,
			 .act = act, .n_act = n_act, .bin_start = DAY, .bin_seconds = 86400 },
			 &got), 0);
	assert_same(&want, &got);
	hs_bin_result_free(&want);
	hs_bin_result_free(&got);
	free(act);
	free(all);
	free(hour);
	free(ev);
}

static void test_all_hours_folded(void **state)
{
	day_folded(24);
}

static void test_some_hours_folded(void **state)
{
	day_folded(13);
}

static void test_nothing_folded(void **state)
{
	day_folded(0);
}

/* Folded packets say nothing of an hour: a day whose hours each stay
 * under the threshold is not active, though their sum reaches it. */
static void test_folded_sum_not_activity(void **state)
{
	struct hs_evidence e = { .hour = DAY, .generation = 1, .domains = { 0, 1 },
				 .n_domains = 2, .folded = true, .packets = 18 };
	struct hs_bin_result r;

	subscriber(e.subscriber, 1);
	classes[0].n_monitored = 3;
	/* three hours of 6 packets, folded: 18, over the threshold of 10 */
	assert_int_equal(hs_detect(&dict, &(struct hs_detect_in){ .ev = &e, .n_ev = 1,
			 .bin_start = DAY, .bin_seconds = 86400 }, &r), 0);
	assert_int_equal(r.n_detections, 1);
	assert_int_equal(r.detections[0].packets, 18);
	assert_false(r.detections[0].active);
	hs_bin_result_free(&r);
	/* the same entry of one hour is */
	e.folded = false;
	assert_int_equal(hs_detect(&dict, &(struct hs_detect_in){ .ev = &e, .n_ev = 1,
			 .bin_start = DAY, .bin_seconds = 86400 }, &r), 0);
	assert_true(r.detections[0].active);
	hs_bin_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_hours_folded),
		cmocka_unit_test(test_some_hours_folded),
		cmocka_unit_test(test_nothing_folded),
		cmocka_unit_test(test_folded_sum_not_activity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
