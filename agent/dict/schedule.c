// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stddef.h>
#include "dict/schedule.h"

int hs_slot_in_force(const struct dictionary_slot *slot, __u64 live, __u64 t)
{
	int best = -1, first = -1;

	for (int i = 0; i < HAYSTACK_MAX_DICTIONARIES; i++) {
		const struct dictionary_slot *d = &slot[i];

		if (!(live & (1ULL << i)))
			continue;
		if (d->valid_from <= t &&
		    (best < 0 || d->valid_from > slot[best].valid_from ||
		     (d->valid_from == slot[best].valid_from &&
		      d->generation > slot[best].generation)))
			best = i;
		if (first < 0 || d->valid_from < slot[first].valid_from ||
		    (d->valid_from == slot[first].valid_from && d->generation > slot[first].generation))
			first = i;
	}
	return best >= 0 ? best : first;
}

const struct hs_loaded_dict *hs_dict_in_force(const struct hs_dict_set *s, long long t)
{
	struct dictionary_slot slot[HAYSTACK_MAX_DICTIONARIES];
	__u64 live = 0;
	int i;

	/* compared as the kernel compares them: on their slots' values */
	for (i = 0; i < s->n && i < HAYSTACK_MAX_DICTIONARIES; i++) {
		slot[i] = hs_dict_slot(s->v[i].dict, s->v[i].generation);
		live |= 1ULL << i;
	}
	i = hs_slot_in_force(slot, live, t < 0 ? 0 : (__u64)t);
	return i < 0 ? NULL : &s->v[i];
}

const struct hs_dict *hs_dict_of(const struct hs_dict_set *s, __u32 generation)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i].generation == generation)
			return s->v[i].dict;
	return NULL;
}

struct dictionary_slot hs_dict_slot(const struct hs_dict *d, __u32 generation)
{
	/* the kernel's clock has no time before 1970: open ends stay open */
	struct dictionary_slot slot = {
		.valid_from = d->valid_from_s < 0 ? 0 : (__u64)d->valid_from_s,
		.valid_until = d->valid_until_s == LLONG_MAX ? ~0ULL :
			       d->valid_until_s < 0 ? 0 : (__u64)d->valid_until_s,
		.dict_hash = d->file_hash,
		.generation = generation,
		.n_domains = d->n_domains,
	};

	return slot;
}
