// SPDX-License-Identifier: GPL-2.0
/*
 * Detection semantics (DESIGN §2), table-driven: each case is a small
 * dictionary, the evidence of some subscribers and the exact detections and
 * summaries expected for one bin. The dictionary is built by hand here (N
 * counted the way the loader counts it), so these tests need no dict.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "detect/detect.h"

#define MAX_C	6
#define MAX_D	8
#define MAX_E	12

/* 2019-11-15T00:00:00Z, and hour i of that day. */
#define DAY	1573776000ULL
#define H(i)	(DAY + (i) * 3600ULL)
#define HOUR	3600
#define WHOLE_DAY 86400

struct tclass {
	const char *name;
	int parent;
	double threshold;
	__u64 active;		/* active_packets_per_hour */
	bool n0;		/* loader says N = 0 whatever the domains */
};

struct tdomain {
	bool primary;
	int classes[MAX_C];
	int n_classes;		/* 0 ends the list */
};

struct tev {
	int sub;		/* subscriber 100.64.0.<sub>; 0 ends the list */
	__u64 hour;
	int doms[HAYSTACK_MAX_RULES];
	int n_doms;
	__u64 packets;
};

struct texp {
	int sub;		/* 0 ends the list */
	int cls;
	int seen;
	int required;
	__u64 packets;
	bool active;
};

struct tsum {
	__u64 subscribers;
	__u64 active;
};

struct tcase {
	const char *name;
	struct tclass classes[MAX_C];	/* NULL name ends the list */
	struct tdomain domains[MAX_D];
	struct tev ev[MAX_E];
	__u64 bin_start;
	__u32 bin_seconds;
	struct texp det[MAX_E];
	int n_summaries;		/* classes with N > 0 */
	struct tsum sum[MAX_C];		/* by class index; unlisted = 0/0 */
};

#define LIST(f, n, ...) .f = { __VA_ARGS__ }, .n = sizeof((int[]){ __VA_ARGS__ }) / sizeof(int)
#define CLASS(nm, p, d, a) { .name = nm, .parent = p, .threshold = d, .active = a }
#define PRIMARY(...) { .primary = true, LIST(classes, n_classes, __VA_ARGS__) }
#define SUPPORT(...) { .primary = false, LIST(classes, n_classes, __VA_ARGS__) }
#define EV(s, h, p, ...) { .sub = s, .hour = h, .packets = p, LIST(doms, n_doms, __VA_ARGS__) }
#define DET(s, c, sn, rq, p, a) { .sub = s, .cls = c, .seen = sn, .required = rq, .packets = p, .active = a }
#define N0(nm, p)  { .name = nm, .parent = p, .threshold = 0.4, .active = 10, .n0 = true }
#define NONE	-1

static const struct tcase cases[] = {
{
	.name = "floor_d04_n6_needs_two",
	/* N=6, D=0.4: floor(2.4) = 2; sub 1 has one domain, sub 2 two. */
	.classes = { CLASS("a", NONE, 0.4, 10) },
	.domains = { PRIMARY(0), SUPPORT(0), SUPPORT(0), SUPPORT(0), SUPPORT(0), SUPPORT(0) },
	.ev = { EV(1, H(3), 5, 0), EV(2, H(3), 5, 0), EV(2, H(3), 1, 4) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(2, 0, 2, 2, 6, false) },
	.n_summaries = 1, .sum = { { 1, 0 } },
}, {
	.name = "n1_requires_one",
	.classes = { CLASS("a", NONE, 0.4, 10) },
	.domains = { PRIMARY(0) },
	.ev = { EV(1, H(3), 10, 0) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(1, 0, 1, 1, 10, true) },
	.n_summaries = 1, .sum = { { 1, 1 } },
}, {
	.name = "d1_needs_all_domains",
	/* D=1.0, N=3: sub 1 misses one domain, sub 2 has all three. */
	.classes = { CLASS("a", NONE, 1.0, 10) },
	.domains = { PRIMARY(0), SUPPORT(0), SUPPORT(0) },
	.ev = { EV(1, H(3), 1, 0), EV(1, H(3), 1, 1),
		EV(2, H(3), 1, 0), EV(2, H(3), 1, 1), EV(2, H(3), 1, 2) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(2, 0, 3, 3, 3, false) },
	.n_summaries = 1, .sum = { { 1, 0 } },
}, {
	.name = "tiny_d_floor_zero_requires_one",
	/* D=0.1, N=3: floor(0.3) = 0, max(1, 0) = 1. */
	.classes = { CLASS("a", NONE, 0.1, 10) },
	.domains = { PRIMARY(0), SUPPORT(0), SUPPORT(0) },
	.ev = { EV(1, H(3), 2, 0) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(1, 0, 1, 1, 2, false) },
	.n_summaries = 1, .sum = { { 1, 0 } },
}, {
	.name = "support_only_not_detected",
	/* Three support domains clear the count (2) but none is primary. */
	.classes = { CLASS("a", NONE, 0.4, 10) },
	.domains = { PRIMARY(0), SUPPORT(0), SUPPORT(0), SUPPORT(0), SUPPORT(0) },
	.ev = { EV(1, H(3), 20, 1), EV(1, H(3), 20, 2), EV(1, H(3), 20, 3) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.n_summaries = 1,
}, {
	.name = "parent_missing_child_not_detected",
	/* Parent needs a primary (sub 1 has only its support domain) or
	 * anything at all (sub 2 has nothing of it). */
	.classes = { CLASS("p", NONE, 0.4, 10), CLASS("c", 0, 0.4, 10) },
	.domains = { PRIMARY(0), SUPPORT(0), PRIMARY(1) },
	.ev = { EV(1, H(3), 10, 2), EV(1, H(3), 10, 1), EV(2, H(3), 10, 2) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.n_summaries = 2,
}, {
	.name = "parent_with_n0_blocks_child",
	/* The parent's domains are all excluded (N=0): no summary for it,
	 * and its child can never be detected. */
	.classes = { CLASS("p", NONE, 0.4, 10), CLASS("c", 0, 0.4, 10) },
	.domains = { PRIMARY(1) },
	.ev = { EV(1, H(3), 10, 0) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.n_summaries = 1,
}, {
	.name = "three_level_chain",
	/* platform 0 > manufacturer 1 > product 2. Sub 1 has all levels;
	 * sub 2 lacks the platform; sub 3 lacks the manufacturer. */
	.classes = { CLASS("platform", NONE, 0.4, 10), CLASS("maker", 0, 0.4, 10),
		     CLASS("product", 1, 0.4, 10) },
	.domains = { PRIMARY(0), PRIMARY(1), PRIMARY(2) },
	.ev = { EV(1, H(3), 1, 0), EV(1, H(3), 2, 1), EV(1, H(3), 3, 2),
		EV(2, H(3), 2, 1), EV(2, H(3), 3, 2),
		EV(3, H(3), 1, 0), EV(3, H(3), 3, 2) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(1, 0, 1, 1, 1, false), DET(1, 1, 1, 1, 2, false),
		 DET(1, 2, 1, 1, 3, false), DET(3, 0, 1, 1, 1, false) },
	.n_summaries = 3, .sum = { { 2, 0 }, { 1, 0 }, { 1, 0 } },
}, {
	.name = "child_own_domains_with_parent",
	/* The child counts only its own domains and their packets. */
	.classes = { CLASS("amazon", NONE, 0.4, 10), CLASS("firetv", 0, 0.5, 10) },
	.domains = { PRIMARY(0), SUPPORT(0), PRIMARY(1), SUPPORT(1) },
	.ev = { EV(1, H(3), 7, 0), EV(1, H(3), 4, 1), EV(1, H(3), 11, 2) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(1, 0, 2, 1, 11, true), DET(1, 1, 1, 1, 11, true) },
	.n_summaries = 2, .sum = { { 1, 1 }, { 1, 1 } },
}, {
	.name = "group_of_two_domains_counted_once",
	/* 6 packets matched both domains of the class: 6, not 12. */
	.classes = { CLASS("a", NONE, 0.4, 10) },
	.domains = { PRIMARY(0), SUPPORT(0) },
	.ev = { EV(1, H(3), 6, 0, 1), EV(1, H(3), 3, 0) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(1, 0, 2, 1, 9, false) },
	.n_summaries = 1, .sum = { { 1, 0 } },
}, {
	.name = "shared_endpoint_two_classes",
	/* One record group matched a domain of each class (one endpoint
	 * serving two domains): evidence for both, full packets for both. */
	.classes = { CLASS("a", NONE, 0.4, 10), CLASS("b", NONE, 0.4, 10) },
	.domains = { PRIMARY(0), PRIMARY(1) },
	.ev = { EV(1, H(3), 12, 0, 1) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(1, 0, 1, 1, 12, true), DET(1, 1, 1, 1, 12, true) },
	.n_summaries = 2, .sum = { { 1, 1 }, { 1, 1 } },
}, {
	.name = "domain_listing_two_classes",
	.classes = { CLASS("a", NONE, 0.4, 10), CLASS("b", NONE, 0.4, 10) },
	.domains = { PRIMARY(0, 1), SUPPORT(1) },
	.ev = { EV(1, H(3), 5, 0), EV(1, H(3), 2, 1) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(1, 0, 1, 1, 5, false), DET(1, 1, 2, 1, 7, false) },
	.n_summaries = 2, .sum = { { 1, 0 }, { 1, 0 } },
}, {
	.name = "active_boundary",
	/* Threshold 10: exactly 10 is active (sub 1, and sub 3 from two
	 * groups in the same hour), 9 is not (sub 2). */
	.classes = { CLASS("a", NONE, 0.4, 10) },
	.domains = { PRIMARY(0), SUPPORT(0) },
	.ev = { EV(1, H(3), 10, 0), EV(2, H(3), 9, 0),
		EV(3, H(3), 6, 0), EV(3, H(3), 4, 1) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(1, 0, 1, 1, 10, true), DET(2, 0, 1, 1, 9, false),
		 DET(3, 0, 2, 1, 10, true) },
	.n_summaries = 1, .sum = { { 3, 2 } },
}, {
	.name = "active_not_summed_across_hours",
	/* 9 + 9 packets in two hours: 18 in the day, active in none. */
	.classes = { CLASS("a", NONE, 0.4, 10) },
	.domains = { PRIMARY(0) },
	.ev = { EV(1, H(3), 9, 0), EV(1, H(4), 9, 0) },
	.bin_start = DAY, .bin_seconds = WHOLE_DAY,
	.det = { DET(1, 0, 1, 1, 18, false) },
	.n_summaries = 1, .sum = { { 1, 0 } },
}, {
	.name = "active_in_undetected_hour_counts_for_day",
	/* D=1, N=2: hour 3 (12 packets, active) and hour 4 alone detect
	 * nothing; the day sees both domains and is active. */
	.classes = { CLASS("a", NONE, 1.0, 10) },
	.domains = { PRIMARY(0), SUPPORT(0) },
	.ev = { EV(1, H(3), 12, 0), EV(1, H(4), 2, 1) },
	.bin_start = DAY, .bin_seconds = WHOLE_DAY,
	.det = { DET(1, 0, 2, 2, 14, true) },
	.n_summaries = 1, .sum = { { 1, 1 } },
}, {
	.name = "day_bin_aggregates_hours",
	.classes = { CLASS("a", NONE, 1.0, 10) },
	.domains = { PRIMARY(0), SUPPORT(0) },
	.ev = { EV(1, H(1), 1, 0), EV(1, H(2), 1, 1) },
	.bin_start = DAY, .bin_seconds = WHOLE_DAY,
	.det = { DET(1, 0, 2, 2, 2, false) },
	.n_summaries = 1, .sum = { { 1, 0 } },
}, {
	.name = "hour_bin_sees_only_its_hour",
	/* The same evidence in the hour bin of hour 2: one domain of two. */
	.classes = { CLASS("a", NONE, 1.0, 10) },
	.domains = { PRIMARY(0), SUPPORT(0) },
	.ev = { EV(1, H(1), 1, 0), EV(1, H(2), 1, 1) },
	.bin_start = H(2), .bin_seconds = HOUR,
	.n_summaries = 1,
}, {
	.name = "evidence_outside_bin_ignored",
	/* Bin is hour 5. Sub 1 has its domains only before and after
	 * (H(6) is the bin's end, exclusive); sub 2 in and out. */
	.classes = { CLASS("a", NONE, 1.0, 10) },
	.domains = { PRIMARY(0), SUPPORT(0) },
	.ev = { EV(1, H(4), 50, 0), EV(1, H(6), 50, 1), EV(1, H(5) - 1, 50, 1),
		EV(2, H(5), 3, 0), EV(2, H(5), 4, 1), EV(2, H(4), 50, 0),
		EV(2, H(6), 50, 1) },
	.bin_start = H(5), .bin_seconds = HOUR,
	.det = { DET(2, 0, 2, 2, 7, false) },
	.n_summaries = 1, .sum = { { 1, 0 } },
}, {
	.name = "empty_evidence_all_summaries",
	.classes = { CLASS("p", NONE, 0.4, 10), CLASS("m", 0, 0.4, 10),
		     CLASS("x", 1, 0.4, 10) },
	.domains = { PRIMARY(0), PRIMARY(1), PRIMARY(2) },
	.bin_start = DAY, .bin_seconds = WHOLE_DAY,
	.n_summaries = 3,
}, {
	.name = "n0_class_has_no_summary",
	/* Class 1 has no monitored domain: summaries for 0 and 2 only. */
	.classes = { CLASS("a", NONE, 0.4, 10), CLASS("gone", NONE, 0.4, 10),
		     CLASS("c", NONE, 0.4, 10) },
	.domains = { PRIMARY(0), PRIMARY(2) },
	.ev = { EV(1, H(3), 1, 1) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(1, 2, 1, 1, 1, false) },
	.n_summaries = 2, .sum = { [2] = { 1, 0 } },
}, {
	.name = "loader_n0_trusted",
	/* N comes from the loader: N = 0 means no detection and no
	 * summary even if evidence names a domain listing the class. */
	.classes = { N0("a", NONE), CLASS("b", NONE, 0.4, 10) },
	.domains = { PRIMARY(0, 1) },
	.ev = { EV(1, H(3), 10, 0) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(1, 1, 1, 1, 10, true) },
	.n_summaries = 1, .sum = { [1] = { 1, 1 } },
}, {
	.name = "active_threshold_zero_needs_a_packet",
	/* active_packets_per_hour = 0 reads as "at least one packet":
	 * sub 1's group carries 0 packets, sub 2's one. */
	.classes = { CLASS("a", NONE, 0.4, 0) },
	.domains = { PRIMARY(0) },
	.ev = { EV(1, H(3), 0, 0), EV(2, H(3), 1, 0) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(1, 0, 1, 1, 0, false), DET(2, 0, 1, 1, 1, true) },
	.n_summaries = 1, .sum = { { 2, 1 } },
}, {
	.name = "sorted_by_subscriber_then_class",
	/* Evidence arrives in reverse order, hours interleaved. */
	.classes = { CLASS("a", NONE, 0.4, 10), CLASS("b", NONE, 0.4, 10) },
	.domains = { PRIMARY(0), PRIMARY(1) },
	.ev = { EV(9, H(4), 1, 1), EV(9, H(3), 1, 0), EV(4, H(3), 1, 1),
		EV(2, H(4), 1, 0), EV(9, H(4), 1, 0), EV(2, H(3), 1, 1) },
	.bin_start = DAY, .bin_seconds = WHOLE_DAY,
	.det = { DET(2, 0, 1, 1, 1, false), DET(2, 1, 1, 1, 1, false),
		 DET(4, 1, 1, 1, 1, false), DET(9, 0, 1, 1, 2, false),
		 DET(9, 1, 1, 1, 1, false) },
	.n_summaries = 2, .sum = { { 2, 0 }, { 3, 0 } },
}, {
	.name = "unknown_domain_index_ignored",
	/* Evidence from another dictionary generation may name domains
	 * this one does not have. */
	.classes = { CLASS("a", NONE, 0.4, 10) },
	.domains = { PRIMARY(0) },
	.ev = { EV(1, H(3), 5, 7, -1), EV(2, H(3), 5, 7, 0) },
	.bin_start = H(3), .bin_seconds = HOUR,
	.det = { DET(2, 0, 1, 1, 5, false) },
	.n_summaries = 1, .sum = { { 1, 0 } },
},
};

/* A bin over evidence alone, as a report evaluates one. */
static int detect(const struct hs_dict *d, const struct hs_evidence *ev, size_t n,
		  __u64 bin_start, __u32 bin_seconds, struct hs_bin_result *r)
{
	return hs_detect(d, &(struct hs_detect_in){ .ev = ev, .n_ev = n, .bin_start = bin_start,
						    .bin_seconds = bin_seconds },
			 r);
}

/* The dictionary of a case, built the way the loader would leave it. */
struct built {
	struct hs_dict d;
	struct hs_class classes[MAX_C];
	struct hs_domain domains[MAX_D];
	int dom_classes[MAX_D][MAX_C];
	struct hs_evidence ev[MAX_E];
	size_t n_ev;
};

static void subscriber(__u8 out[16], int sub)
{
	/* IPv4-mapped 100.64.0.<sub>, as the kernel stores it. */
	static const __u8 prefix[12] = { [10] = 0xff, [11] = 0xff };

	memcpy(out, prefix, sizeof(prefix));
	out[12] = 100;
	out[13] = 64;
	out[14] = 0;
	out[15] = sub;
}

static void build(const struct tcase *tc, struct built *b)
{
	memset(b, 0, sizeof(*b));
	for (int c = 0; c < MAX_C && tc->classes[c].name; c++) {
		b->classes[c] = (struct hs_class){
			.name = (char *)tc->classes[c].name,
			.level = HS_LEVEL_PLATFORM,
			.parent = tc->classes[c].parent,
			.threshold = tc->classes[c].threshold,
			.active_packets_per_hour = tc->classes[c].active,
		};
		b->d.n_classes++;
	}
	for (int i = 0; i < MAX_D && tc->domains[i].n_classes; i++) {
		const struct tdomain *td = &tc->domains[i];

		memcpy(b->dom_classes[i], td->classes, sizeof(td->classes));
		b->domains[i] = (struct hs_domain){
			.name = "domain.example",
			.primary = td->primary,
			.classes = b->dom_classes[i],
			.n_classes = td->n_classes,
		};
		/* N: the loader counts monitored domains listing the class. */
		for (int j = 0; j < td->n_classes; j++)
			b->classes[td->classes[j]].n_monitored++;
		b->d.n_domains++;
	}
	for (int c = 0; c < b->d.n_classes; c++)
		if (tc->classes[c].n0)
			b->classes[c].n_monitored = 0;
	b->d.classes = b->classes;
	b->d.domains = b->domains;
	for (int i = 0; i < MAX_E && tc->ev[i].sub; i++) {
		struct hs_evidence *e = &b->ev[b->n_ev++];

		subscriber(e->subscriber, tc->ev[i].sub);
		e->hour = tc->ev[i].hour;
		e->packets = tc->ev[i].packets;
		e->n_domains = tc->ev[i].n_doms;
		for (int k = 0; k < tc->ev[i].n_doms; k++)
			e->domains[k] = (__u16)tc->ev[i].doms[k];
	}
}

static void run_case(void **state)
{
	const struct tcase *tc = *state;
	struct built b;
	struct hs_bin_result r;
	size_t n_det = 0;
	int s = 0;

	build(tc, &b);
	assert_int_equal(detect(&b.d, b.ev, b.n_ev, tc->bin_start,
				   tc->bin_seconds, &r), 0);
	assert_int_equal(r.bin_start, tc->bin_start);
	assert_int_equal(r.bin_seconds, tc->bin_seconds);

	while (n_det < MAX_E && tc->det[n_det].sub)
		n_det++;
	assert_int_equal(r.n_detections, n_det);
	for (size_t i = 0; i < n_det; i++) {
		const struct texp *x = &tc->det[i];
		const struct hs_detection *got = &r.detections[i];
		__u8 sub[16];

		subscriber(sub, x->sub);
		assert_memory_equal(got->subscriber, sub, 16);
		assert_int_equal(got->class_id, x->cls);
		assert_int_equal(got->domains_seen, x->seen);
		assert_int_equal(got->domains_monitored, b.classes[x->cls].n_monitored);
		assert_int_equal(got->required, x->required);
		assert_int_equal(got->packets, x->packets);
		assert_int_equal(got->active, x->active);
	}

	assert_int_equal(r.n_summaries, tc->n_summaries);
	for (int c = 0; c < b.d.n_classes; c++) {
		if (!b.classes[c].n_monitored)
			continue;
		assert_true(s < tc->n_summaries);
		assert_int_equal(r.summaries[s].class_id, c);
		assert_int_equal(r.summaries[s].subscribers, tc->sum[c].subscribers);
		assert_int_equal(r.summaries[s].active, tc->sum[c].active);
		s++;
	}
	hs_bin_result_free(&r);
}

struct required_case {
	const char *name;
	double d;
	int n;
	int want;
};

static const struct required_case required_cases[] = {
	{ "required_0.4x6", 0.4, 6, 2 },
	{ "required_0.4x1", 0.4, 1, 1 },
	{ "required_1.0x7", 1.0, 7, 7 },
	/* 0.29 * 100 = 28.999999999999996 in binary doubles. */
	{ "required_0.29x100", 0.29, 100, 29 },
	{ "required_0.3x10", 0.3, 10, 3 },
	{ "required_0.5x1", 0.5, 1, 1 },
	{ "required_0.25x37", 0.25, 37, 9 },
	{ "required_0.1x3", 0.1, 3, 1 },
	{ "required_0.7x10", 0.7, 10, 7 },
	{ "required_0.57x100", 0.57, 100, 57 },
};

static void run_required(void **state)
{
	const struct required_case *rc = *state;

	assert_int_equal(hs_required(rc->d, rc->n), rc->want);
}

/*
 * Scale: 200k record groups over 50k subscribers must not be quadratic.
 * Every subscriber shows both domains, half of them with 10 packets in an
 * hour (active).
 */
static void many_subscribers(void **state)
{
	enum { SUBS = 50000, PER = 4 };
	struct hs_class cls = { .name = "a", .parent = -1, .threshold = 1.0,
				.active_packets_per_hour = 10, .n_monitored = 2 };
	int dc[1] = { 0 };
	struct hs_domain dom[2] = {
		{ .name = "p", .primary = true, .classes = dc, .n_classes = 1 },
		{ .name = "s", .primary = false, .classes = dc, .n_classes = 1 },
	};
	struct hs_dict d = { .classes = &cls, .n_classes = 1,
			     .domains = dom, .n_domains = 2 };
	struct hs_evidence *ev = calloc(SUBS * PER, sizeof(*ev));
	struct hs_bin_result r;

	assert_non_null(ev);
	for (int i = 0; i < SUBS * PER; i++) {
		/* Interleaved so the sort has work to do. */
		int sub = i % SUBS, k = i / SUBS;

		subscriber(ev[i].subscriber, 0);
		ev[i].subscriber[13] = sub >> 8;
		ev[i].subscriber[14] = sub & 0xff;
		ev[i].hour = H(k);
		ev[i].domains[0] = k & 1;
		ev[i].n_domains = 1;
		ev[i].packets = (sub & 1) ? 10 : 3;
	}
	assert_int_equal(detect(&d, ev, SUBS * PER, DAY, WHOLE_DAY, &r), 0);
	assert_int_equal(r.n_detections, SUBS);
	assert_int_equal(r.n_summaries, 1);
	assert_int_equal(r.summaries[0].subscribers, SUBS);
	assert_int_equal(r.summaries[0].active, SUBS / 2);
	for (size_t i = 1; i < r.n_detections; i++)
		assert_true(memcmp(r.detections[i - 1].subscriber,
				   r.detections[i].subscriber, 16) < 0);
	hs_bin_result_free(&r);
	free(ev);
}

/*
 * The sort by (subscriber, hour): IPv4 subscribers (radix sorted) before
 * IPv6 ones (compared), as memcmp orders them, and each subscriber's hours
 * apart, whatever the input order. Every subscriber has 6 packets in each
 * of two hours: active (10) in neither, whereas the sum of the two would
 * be. Odd ones have 12 in a third hour: active. Items come in reverse and
 * interleaved.
 */
static void mixed_families_sorted(void **state)
{
	enum { SUBS = 600 };
	struct hs_class cls = { .name = "a", .parent = -1, .threshold = 0.5,
				.active_packets_per_hour = 10, .n_monitored = 1 };
	int dc[1] = { 0 };
	struct hs_domain dom = { .name = "p", .primary = true, .classes = dc, .n_classes = 1 };
	struct hs_dict d = { .classes = &cls, .n_classes = 1, .domains = &dom, .n_domains = 1 };
	struct hs_evidence *ev = calloc(SUBS * 3, sizeof(*ev));
	struct hs_bin_result r;
	size_t n = 0;

	assert_non_null(ev);
	for (int k = 2; k >= 0; k--)
		for (int sub = SUBS - 1; sub >= 0; sub--) {
			struct hs_evidence *e = &ev[n];

			if (k == 2 && !(sub & 1))
				continue;
			if (sub % 3 == 0) {	/* IPv6: 2001:db8::<sub> */
				e->subscriber[0] = 0x20, e->subscriber[1] = 0x01;
				e->subscriber[2] = 0x0d, e->subscriber[3] = 0xb8;
				e->subscriber[14] = sub >> 8, e->subscriber[15] = sub & 0xff;
			} else {
				subscriber(e->subscriber, 0);
				e->subscriber[12] = 10 + sub % 7;	/* several /8s */
				e->subscriber[14] = sub >> 8;
				e->subscriber[15] = sub & 0xff;
			}
			e->hour = H(k * 5);
			e->n_domains = 1;
			e->packets = k == 2 ? 12 : 6;
			n++;
		}
	assert_int_equal(detect(&d, ev, n, DAY, WHOLE_DAY, &r), 0);
	assert_int_equal(r.n_detections, SUBS);
	for (size_t i = 0; i < r.n_detections; i++) {
		const struct hs_detection *x = &r.detections[i];
		int sub = x->subscriber[14] << 8 | x->subscriber[15];

		if (i)
			assert_true(memcmp(r.detections[i - 1].subscriber, x->subscriber, 16) < 0);
		assert_int_equal(x->packets, (sub & 1) ? 24 : 12);
		assert_int_equal(x->active, sub & 1);
	}
	/* the IPv4 ones first */
	assert_int_equal(r.detections[0].subscriber[10], 0xff);
	assert_int_equal(r.detections[SUBS - 1].subscriber[0], 0x20);
	hs_bin_result_free(&r);
	free(ev);
}

int main(void)
{
	size_t nc = sizeof(cases) / sizeof(cases[0]);
	size_t nr = sizeof(required_cases) / sizeof(required_cases[0]);
	struct CMUnitTest *tests = calloc(nc + nr + 2, sizeof(*tests));
	size_t n = 0;
	int failed;

	if (!tests)
		return 1;
	/* One named test per table row, so TAP output names the case. */
	for (size_t i = 0; i < nr; i++)
		tests[n++] = (struct CMUnitTest){ .name = required_cases[i].name,
			.test_func = run_required,
			.initial_state = (void *)&required_cases[i] };
	for (size_t i = 0; i < nc; i++)
		tests[n++] = (struct CMUnitTest){ .name = cases[i].name,
			.test_func = run_case, .initial_state = (void *)&cases[i] };
	tests[n++] = (struct CMUnitTest){ .name = "many_subscribers",
		.test_func = many_subscribers };
	tests[n++] = (struct CMUnitTest){ .name = "mixed_families_sorted",
		.test_func = mixed_families_sorted };

	failed = _cmocka_run_group_tests("detect", tests, n, NULL, NULL);
	free(tests);
	return failed;
}
