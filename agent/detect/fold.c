// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "detect/fold.h"
#include "lib/array.h"
#include "lib/hash.h"

void hs_fold_init(struct hs_fold *f, __u64 bin_start, __u32 bin_seconds)
{
	memset(f, 0, sizeof(*f));
	f->bin_start = bin_start;
	f->bin_seconds = bin_seconds;
}

void hs_fold_free(struct hs_fold *f)
{
	free(f->ev);
	free(f->act);
	free(f->ev_slot);
	free(f->act_slot);
	memset(f, 0, sizeof(*f));
}

static __u64 ev_hash(const struct hs_evidence *e)
{
	__u64 h = hs_fnv1a64(HS_FNV1A64_INIT, e->subscriber, sizeof(e->subscriber));

	h = hs_fnv1a64(h, &e->generation, sizeof(e->generation));
	return hs_fnv1a64(h, e->domains, e->n_domains * sizeof(e->domains[0]));
}

static bool ev_same(const struct hs_evidence *a, const struct hs_evidence *b)
{
	return !memcmp(a->subscriber, b->subscriber, sizeof(a->subscriber)) &&
	       a->generation == b->generation && a->n_domains == b->n_domains &&
	       !memcmp(a->domains, b->domains, a->n_domains * sizeof(a->domains[0]));
}

static __u64 act_hash(const struct hs_activity *a)
{
	__u64 h = hs_fnv1a64(HS_FNV1A64_INIT, a->subscriber, sizeof(a->subscriber));

	h = hs_fnv1a64(h, &a->generation, sizeof(a->generation));
	return hs_fnv1a64(h, &a->class_id, sizeof(a->class_id));
}

static bool act_same(const struct hs_activity *a, const struct hs_activity *b)
{
	return !memcmp(a->subscriber, b->subscriber, sizeof(a->subscriber)) &&
	       a->generation == b->generation && a->class_id == b->class_id;
}

/* The slot of an item in an index of mask + 1 slots: the one holding it,
 * or the free one it would go to. */
#define FIND(slots, mask, items, item, hash, same)			\
	({								\
		size_t _i = (size_t)(hash(item)) & (mask);		\
		while ((slots)[_i] && !same(&(items)[(slots)[_i] - 1], item)) \
			_i = (_i + 1) & (mask);				\
		_i;							\
	})

/* Room for one more item at half load: the index doubled and rebuilt. */
static int index_grow(__u32 **slots, size_t *mask, size_t n, const void *items, size_t size,
		      __u64 (*hash)(const void *))
{
	size_t m = *mask ? 2 * *mask + 1 : 1023;
	__u32 *s;

	if (2 * (n + 1) <= *mask)
		return 0;
	if (n >= 0xffffffffU)
		return -ENOMEM;
	s = calloc(m + 1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t j = (size_t)hash((const char *)items + i * size) & m;

		while (s[j])
			j = (j + 1) & m;
		s[j] = (__u32)(i + 1);
	}
	free(*slots);
	*slots = s;
	*mask = m;
	return 0;
}

static __u64 ev_hash_v(const void *p)
{
	return ev_hash(p);
}

static __u64 act_hash_v(const void *p)
{
	return act_hash(p);
}

static int add_ev(struct hs_fold *f, const struct hs_evidence *e)
{
	size_t i;

	if (index_grow(&f->ev_slot, &f->ev_mask, f->n_ev, f->ev, sizeof(*f->ev), ev_hash_v))
		return -ENOMEM;
	i = FIND(f->ev_slot, f->ev_mask, f->ev, e, ev_hash, ev_same);
	if (f->ev_slot[i]) {
		struct hs_evidence *x = &f->ev[f->ev_slot[i] - 1];

		x->packets += e->packets;
		x->packets_estimate += e->packets_estimate;
		return 0;
	}
	if (hs_grow((void **)&f->ev, &f->cap_ev, f->n_ev, sizeof(*f->ev), 1024))
		return -ENOMEM;
	f->ev[f->n_ev] = *e;
	f->ev[f->n_ev].hour = f->bin_start;
	f->ev[f->n_ev].folded = true;
	f->ev_slot[i] = (__u32)++f->n_ev;
	return 0;
}

static int add_act(struct hs_fold *f, const struct hs_activity *a)
{
	size_t i;

	if (index_grow(&f->act_slot, &f->act_mask, f->n_act, f->act, sizeof(*f->act), act_hash_v))
		return -ENOMEM;
	i = FIND(f->act_slot, f->act_mask, f->act, a, act_hash, act_same);
	if (f->act_slot[i])
		return 0;
	if (hs_grow((void **)&f->act, &f->cap_act, f->n_act, sizeof(*f->act), 1024))
		return -ENOMEM;
	f->act[f->n_act] = *a;
	f->act[f->n_act].bin_start = f->bin_start;
	f->act_slot[i] = (__u32)++f->n_act;
	return 0;
}

static bool in_bin(const struct hs_fold *f, __u64 t)
{
	return t >= f->bin_start && t - f->bin_start < f->bin_seconds;
}

int hs_fold_add(struct hs_fold *f, const struct hs_evidence *ev, size_t n,
		const struct hs_activity *act, size_t n_act)
{
	for (size_t i = 0; i < n; i++)
		if (in_bin(f, ev[i].hour) && add_ev(f, &ev[i]))
			return -ENOMEM;
	for (size_t i = 0; i < n_act; i++)
		if (in_bin(f, act[i].bin_start) && add_act(f, &act[i]))
			return -ENOMEM;
	return 0;
}
