// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "dict/schedule.h"

int hs_slot_in_force(const struct dictionary_slot *slot, int n, __u64 live, __u64 t)
{
	int best = -1, first = -1;

	for (int i = 0; i < n && i < 64; i++) {
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
	struct dictionary_slot slot[HS_DICT_SET_MAX];
	__u64 live = 0;
	int i;

	/* compared as the kernel compares them, on their slots' values; the
	 * withdrawn too: a bin from before a withdrawal was theirs */
	for (i = 0; i < s->n; i++) {
		slot[i] = hs_dict_slot(s->v[i].dict, s->v[i].generation);
		live |= 1ULL << i;
	}
	i = hs_slot_in_force(slot, s->n, live, t < 0 ? 0 : (__u64)t);
	return i < 0 ? NULL : &s->v[i];
}

int hs_dict_set_add(struct hs_dict_set *s, __u32 generation, const struct hs_dict *d, bool owned,
		    const __u32 *live_gens, int n_live)
{
	if (s->n == HS_DICT_SET_MAX) {
		int drop = -1;

		for (int i = 0; i < s->n && drop < 0; i++) {
			bool live = false;

			for (int k = 0; k < n_live; k++)
				live |= live_gens[k] == s->v[i].generation;
			if (!live)
				drop = i;
		}
		if (drop < 0)
			return -ENOSPC;
		if (s->v[drop].owned)
			hs_dict_free((struct hs_dict *)s->v[drop].dict);
		memmove(&s->v[drop], &s->v[drop + 1], (s->n - drop - 1) * sizeof(s->v[0]));
		s->n--;
	}
	s->v[s->n++] = (struct hs_loaded_dict){ generation, d, owned };
	return 0;
}

void hs_dict_set_free(struct hs_dict_set *s)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i].owned)
			hs_dict_free((struct hs_dict *)s->v[i].dict);
	s->n = 0;
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
	/* the path is the caller's to fill (the kernel keeps it, not the
	 * schedule rule) */
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
