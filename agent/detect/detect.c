// SPDX-License-Identifier: GPL-2.0
/*
 * Detection (DESIGN §2): dictionary + evidence -> detections and summaries
 * for one bin. Pure: no I/O, no BPF, no globals.
 *
 * The evidence of a bin can hold millions of items, so it is never scanned
 * per subscriber or per class: the in-bin items are sorted by (subscriber,
 * hour) once and each subscriber is then evaluated in one pass over its own
 * items, with per-class and per-domain scratch that is invalidated by
 * generation stamps instead of being cleared. The sort is a radix sort of
 * one 64-bit key an item for IPv4 subscribers (a few passes over memory, not
 * log2(n) comparisons each a cache miss); IPv6 ones, rarer, are compared.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "lib/array.h"
#include "lib/sort.h"
#include "detect/detect.h"

int hs_required(double threshold, int n_monitored)
{
	/*
	 * D is written with a few decimals in the dictionary, so D x N should
	 * often be an exact integer, but binary doubles miss it from below:
	 * 0.29 is 0.28999999999999998, and 0.29 * 100 = 28.999999999999996,
	 * which would floor to 28. The rounding error is about 1e-16 x N; a
	 * true fractional part of D x N (D with up to 6 decimals, N below a
	 * million) is at least 1e-6. 1e-9 sits safely between the two.
	 */
	double x = threshold * n_monitored + 1e-9;

	/* Written so that NaN and negative D also land on the minimum. */
	if (!(x >= 1.0))
		return 1;
	if (x >= (double)INT_MAX)
		return INT_MAX;
	return (int)x;		/* x > 0: truncation is floor, no libm */
}

/* What one subscriber has shown for one class in the bin. */
struct class_acc {
	size_t sub_gen;		/* fields below belong to this subscriber */
	size_t hour_gen;	/* hour_packets belongs to this hour */
	size_t item_gen;	/* packets already counted for this item */
	int seen;		/* distinct domains of the class with evidence */
	bool primary;		/* one of them is primary */
	bool active;		/* some hour of the bin reached the threshold */
	int verdict;		/* detection memo: -1 unknown, 0 no, 1 yes */
	__u64 packets;
	__u64 packets_estimate;
	__u64 hour_packets;
};

struct scratch {
	struct class_acc *cls;	/* n_classes */
	size_t *dom_gen;	/* n_domains: domain already seen by subscriber */
	int *touched;		/* classes with evidence at this subscriber */
	int n_touched;
	int *hour_touched;	/* classes with evidence in the current hour */
	int n_hour_touched;
};

static bool in_bin(__u64 hour, __u64 bin_start, __u32 bin_seconds)
{
	/* Subtraction, not bin_start + bin_seconds: no overflow at the top. */
	return hour >= bin_start && hour - bin_start < bin_seconds;
}

/* An in-bin item in the sort: for an IPv4 subscriber, its address << 32 |
 * the item's hour, in seconds from the bin's start (a bin is less than 136
 * years). */
struct sort_item {
	__u64 key;
	const void *p;		/* the hs_evidence or hs_activity */
};

static bool v4_mapped(const __u8 a[16])
{
	static const __u8 prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, prefix, sizeof(prefix));
}

static int cmp_sub_hour(const void *a, const void *b)
{
	const struct hs_evidence *x = ((const struct sort_item *)a)->p;
	const struct hs_evidence *y = ((const struct sort_item *)b)->p;
	int c = memcmp(x->subscriber, y->subscriber, sizeof(x->subscriber));

	if (c)
		return c;
	return (x->hour > y->hour) - (x->hour < y->hour);
}

static int cmp_activity(const void *a, const void *b)
{
	const struct hs_activity *x = ((const struct sort_item *)a)->p;
	const struct hs_activity *y = ((const struct sort_item *)b)->p;

	return memcmp(x->subscriber, y->subscriber, sizeof(x->subscriber));
}

static __u64 v4_key(const __u8 a[16])
{
	return (__u64)a[12] << 56 | (__u64)a[13] << 48 | (__u64)a[14] << 40 | (__u64)a[15] << 32;
}

/* LSD radix sort of a[0..n) by key, a byte a pass; a byte the same in every
 * key (the top of the hour index, a /8 all subscribers share) costs no
 * pass. tmp holds n items too; the result is in a. */
static void radix_sort(struct sort_item *a, struct sort_item *tmp, size_t n)
{
	size_t count[8][256] = { { 0 } };
	struct sort_item *from = a, *to = tmp, *t;

	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < 8; d++)
			count[d][(a[i].key >> (8 * d)) & 0xff]++;
	for (int d = 0; d < 8; d++) {
		size_t sum = 0;

		if (!n || count[d][(a[0].key >> (8 * d)) & 0xff] == n)
			continue;
		for (int v = 0; v < 256; v++) {
			size_t c = count[d][v];

			count[d][v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			to[count[d][(from[i].key >> (8 * d)) & 0xff]++] = from[i];
		t = from, from = to, to = t;
	}
	if (from != a)
		memcpy(a, from, n * sizeof(*a));
}

static int cmp_detection(const void *a, const void *b)
{
	const struct hs_detection *x = a, *y = b;
	int c = memcmp(x->subscriber, y->subscriber, sizeof(x->subscriber));

	if (c)
		return c;
	return (x->class_id > y->class_id) - (x->class_id < y->class_id);
}

/*
 * Close an hour: DESIGN §2 judges active use per hour, never on sums over
 * hours. A threshold of 0 is read as "at least one sampled packet": "reaching
 * 0" would otherwise make every hour of every class active, including hours
 * with no evidence at all, which says nothing about use.
 */
static void close_hour(const struct hs_dict *d, struct scratch *s)
{
	for (int i = 0; i < s->n_hour_touched; i++) {
		int c = s->hour_touched[i];
		struct class_acc *a = &s->cls[c];

		if (a->hour_packets > 0 &&
		    a->hour_packets >= d->classes[c].active_packets_per_hour)
			a->active = true;
		a->hour_packets = 0;
	}
	s->n_hour_touched = 0;
}

static void add_item(const struct hs_dict *d, struct scratch *s,
		     const struct hs_evidence *e, size_t sub_gen,
		     size_t hour_gen, size_t item_gen)
{
	int n = e->n_domains;

	if (n > HAYSTACK_MAX_RULES)
		n = HAYSTACK_MAX_RULES;
	for (int i = 0; i < n; i++) {
		int dom = e->domains[i];
		const struct hs_domain *dm;
		bool first;

		/* Foreign indices (e.g. evidence from an older dictionary
		 * generation) cannot be attributed: skip them. */
		if (dom < 0 || dom >= d->n_domains)
			continue;
		dm = &d->domains[dom];
		first = s->dom_gen[dom] != sub_gen;
		s->dom_gen[dom] = sub_gen;

		for (int j = 0; j < dm->n_classes; j++) {
			int c = dm->classes[j];
			struct class_acc *a;

			if (c < 0 || c >= d->n_classes)
				continue;
			a = &s->cls[c];
			if (a->sub_gen != sub_gen) {
				memset(a, 0, sizeof(*a));
				a->sub_gen = sub_gen;
				a->verdict = -1;
				s->touched[s->n_touched++] = c;
			}
			if (first) {
				a->seen++;
				a->primary |= dm->primary;
			}
			if (a->hour_gen != hour_gen && !e->folded) {
				a->hour_gen = hour_gen;
				s->hour_touched[s->n_hour_touched++] = c;
			}
			/* A record group counts once per class, however many
			 * of the class's domains it matched. */
			if (a->item_gen != item_gen) {
				a->item_gen = item_gen;
				a->packets += e->packets;
				a->packets_estimate += e->packets_estimate;
				if (!e->folded)
					a->hour_packets += e->packets;
			}
		}
	}
}

/* Own criteria of class c at the current subscriber, parent not considered. */
static bool meets(const struct hs_dict *d, const struct scratch *s, int c,
		  size_t sub_gen)
{
	const struct class_acc *a = &s->cls[c];
	const struct hs_class *k = &d->classes[c];

	/* N = 0: nothing to see, and a child of it is never detected. */
	if (k->n_monitored <= 0 || a->sub_gen != sub_gen)
		return false;
	return a->primary && a->seen >= hs_required(k->threshold, k->n_monitored);
}

static bool detected(const struct hs_dict *d, struct scratch *s, int c,
		     size_t sub_gen)
{
	struct class_acc *a = &s->cls[c];
	int p = d->classes[c].parent;
	bool ok;

	if (!meets(d, s, c, sub_gen))
		return false;	/* also covers classes without evidence */
	if (a->verdict >= 0)
		return a->verdict;
	/*
	 * Mark "no" before recursing so a parent cycle (which the loader
	 * should refuse) ends instead of looping. Chains are a few levels.
	 */
	a->verdict = 0;
	ok = p < 0 || (p < d->n_classes && detected(d, s, p, sub_gen));
	a->verdict = ok;
	return ok;
}

static int push_detection(struct hs_bin_result *r, size_t *cap,
			  const struct hs_detection *det)
{
	if (hs_grow((void **)&r->detections, cap, r->n_detections, sizeof(*det), 64))
		return -ENOMEM;
	r->detections[r->n_detections++] = *det;
	return 0;
}

/* The classes the subscriber was active for in hours folded away: those
 * of act[*next..) that are its (act ordered as the subscribers are). */
static void apply_activity(const struct hs_dict *d, struct scratch *s, const __u8 *subscriber,
			   size_t sub_gen, const struct sort_item *act, size_t n_act, size_t *next)
{
	for (; *next < n_act; ++*next) {
		const struct hs_activity *x = act[*next].p;
		int c = memcmp(x->subscriber, subscriber, sizeof(x->subscriber));

		if (c > 0)
			break;
		/* a class without evidence here: nothing to be active for */
		if (!c && x->class_id >= 0 && x->class_id < d->n_classes &&
		    s->cls[x->class_id].sub_gen == sub_gen)
			s->cls[x->class_id].active = true;
	}
}

static int finish_subscriber(const struct hs_dict *d, struct scratch *s,
			     const __u8 *subscriber, size_t sub_gen, bool list_active,
			     struct hs_bin_result *r, size_t *cap, size_t *cap_active)
{
	close_hour(d, s);
	for (int i = 0; list_active && i < s->n_touched; i++) {
		int c = s->touched[i];

		if (!s->cls[c].active)
			continue;
		if (hs_grow((void **)&r->active, cap_active, r->n_active, sizeof(*r->active), 64))
			return -ENOMEM;
		r->active[r->n_active] = (struct hs_activity){ .bin_start = r->bin_start,
							      .class_id = c };
		memcpy(r->active[r->n_active++].subscriber, subscriber, 16);
	}
	for (int i = 0; i < s->n_touched; i++) {
		int c = s->touched[i];
		const struct class_acc *a = &s->cls[c];
		const struct hs_class *k = &d->classes[c];
		struct hs_detection det = {
			.class_id = c,
			.domains_seen = a->seen,
			.domains_monitored = k->n_monitored,
			.required = hs_required(k->threshold, k->n_monitored),
			.packets = a->packets,
			.packets_estimate = a->packets_estimate,
			.active = a->active,
		};

		if (!detected(d, s, c, sub_gen))
			continue;
		memcpy(det.subscriber, subscriber, sizeof(det.subscriber));
		if (push_detection(r, cap, &det))
			return -ENOMEM;
	}
	s->n_touched = 0;
	return 0;
}

static int make_summaries(const struct hs_dict *d, struct hs_bin_result *r)
{
	int *slot;
	size_t n = 0;

	for (int c = 0; c < d->n_classes; c++)
		n += d->classes[c].n_monitored > 0;
	if (!n)
		return 0;
	r->summaries = calloc(n, sizeof(*r->summaries));
	slot = malloc(d->n_classes * sizeof(*slot));
	if (!r->summaries || !slot) {
		free(slot);
		return -ENOMEM;
	}
	for (int c = 0; c < d->n_classes; c++) {
		slot[c] = -1;
		if (d->classes[c].n_monitored <= 0)
			continue;
		slot[c] = r->n_summaries;
		r->summaries[r->n_summaries++].class_id = c;
	}
	for (size_t i = 0; i < r->n_detections; i++) {
		const struct hs_detection *det = &r->detections[i];
		struct hs_summary *sm = &r->summaries[slot[det->class_id]];

		sm->subscribers++;
		sm->active += det->active;
	}
	free(slot);
	return 0;
}

/*
 * Sorts into idx[0..n) (tmp: n more) the items of the m at base, size
 * octets apart, that keep() takes, by key(): IPv4 subscribers first, by
 * radix, then the rest by cmp, as memcmp orders the subscribers.
 */
static size_t order(struct sort_item *idx, struct sort_item *tmp, size_t n, const void *base,
		    size_t m, size_t size, const struct hs_detect_in *in, bool evidence)
{
	size_t n4 = 0, n6 = n;

	for (size_t i = 0; i < m; i++) {
		const void *p = (const char *)base + i * size;
		const __u8 *a;
		__u64 low = 0;

		if (evidence) {
			const struct hs_evidence *e = p;

			if (!in_bin(e->hour, in->bin_start, in->bin_seconds))
				continue;
			a = e->subscriber;
			low = (__u32)(e->hour - in->bin_start);
		} else {
			a = ((const struct hs_activity *)p)->subscriber;
		}
		if (v4_mapped(a))
			idx[n4++] = (struct sort_item){ .key = v4_key(a) | low, .p = p };
		else
			idx[--n6] = (struct sort_item){ .p = p };
	}
	radix_sort(idx, tmp, n4);
	hs_sort(idx + n4, n - n4, sizeof(*idx), evidence ? cmp_sub_hour : cmp_activity);
	return n;
}

int hs_detect(const struct hs_dict *d, const struct hs_detect_in *in, struct hs_bin_result *out)
{
	struct sort_item *idx = NULL, *act = NULL, *tmp = NULL;
	struct scratch s = {};
	struct hs_bin_result r = {
		.bin_start = in->bin_start,
		.bin_seconds = in->bin_seconds,
	};
	size_t n = 0, cap = 0, cap_active = 0, sub_gen = 0, hour_gen = 0, next_act = 0;
	/* +1: calloc(0) may return NULL, which must not read as failure. */
	size_t nc = d->n_classes + 1, nd = d->n_domains + 1;
	size_t most = in->n_act;
	int err = -ENOMEM;

	for (size_t i = 0; i < in->n_ev; i++)
		n += in_bin(in->ev[i].hour, in->bin_start, in->bin_seconds);
	most = most > n ? most : n;
	idx = malloc((n ? n : 1) * sizeof(*idx));
	act = malloc((in->n_act ? in->n_act : 1) * sizeof(*act));
	tmp = malloc((most ? most : 1) * sizeof(*tmp));
	s.cls = calloc(nc, sizeof(*s.cls));
	s.dom_gen = calloc(nd, sizeof(*s.dom_gen));
	s.touched = malloc(nc * sizeof(*s.touched));
	s.hour_touched = malloc(nc * sizeof(*s.hour_touched));
	if (!idx || !act || !tmp || !s.cls || !s.dom_gen || !s.touched || !s.hour_touched)
		goto cleanup;
	order(idx, tmp, n, in->ev, in->n_ev, sizeof(*in->ev), in, true);
	order(act, tmp, in->n_act, in->act, in->n_act, sizeof(*in->act), in, false);
	free(tmp);
	tmp = NULL;

	/* Generations start at 1: the zeroed scratch matches none of them. */
	for (size_t i = 0; i <= n; i++) {
		const struct hs_evidence *e = i < n ? idx[i].p : NULL;
		const struct hs_evidence *prev = i ? idx[i - 1].p : NULL;
		bool new_sub = !prev || !e ||
			       memcmp(e->subscriber, prev->subscriber, sizeof(e->subscriber));

		if (new_sub && prev) {
			apply_activity(d, &s, prev->subscriber, sub_gen, act, in->n_act, &next_act);
			err = finish_subscriber(d, &s, prev->subscriber, sub_gen, in->list_active,
						&r, &cap, &cap_active);
			if (err)
				goto cleanup;
		}
		if (!e)
			break;
		if (new_sub) {
			sub_gen++;
			hour_gen++;
		} else if (e->hour != prev->hour) {
			close_hour(d, &s);
			hour_gen++;
		}
		add_item(d, &s, e, sub_gen, hour_gen, i + 1);
	}

	/* Subscribers come out in order already; classes within one do not. */
	if (r.n_detections)
		qsort(r.detections, r.n_detections, sizeof(*r.detections),
		      cmp_detection);
	err = make_summaries(d, &r);

cleanup:
	free(idx);
	free(act);
	free(tmp);
	free(s.cls);
	free(s.dom_gen);
	free(s.touched);
	free(s.hour_touched);
	if (err) {
		hs_bin_result_free(&r);
		r.bin_start = in->bin_start;
		r.bin_seconds = in->bin_seconds;
	}
	*out = r;
	return err;
}

void hs_bin_result_free(struct hs_bin_result *r)
{
	if (!r)
		return;
	free(r->detections);
	free(r->summaries);
	free(r->active);
	r->active = NULL;
	r->n_active = 0;
	r->detections = NULL;
	r->n_detections = 0;
	r->summaries = NULL;
	r->n_summaries = 0;
}
