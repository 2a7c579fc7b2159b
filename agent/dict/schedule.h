/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dictionaries an instance has loaded, each under its generation, and
 * which is in force when: the rule of DESIGN §2 that the XDP program applies
 * to every datagram (bpf/classify.h, dictionary_at), here for the agent,
 * which evaluates a bin with the dictionary in force for it.
 */
#pragma once

#include "dict/dict.h"
#include "haystack.h"

struct hs_loaded_dict {
	__u32 generation;
	const struct hs_dict *dict;
	bool owned;		/* freed with the set (read from the pins' path) */
};

/* Room for the live dictionaries and as many withdrawn ones whose
 * evidence may still be reported. */
#define HS_DICT_SET_MAX	(2 * HAYSTACK_MAX_DICTIONARIES)

struct hs_dict_set {
	struct hs_loaded_dict v[HS_DICT_SET_MAX];
	int n;
};

/* The one in force at t: the latest valid_from <= t, the earliest when t is
 * before all; of equal valid_from, the higher generation. NULL when empty. */
const struct hs_loaded_dict *hs_dict_in_force(const struct hs_dict_set *s, long long t);
/* The same on the kernel's slots: the index of the live slot in force at
 * t, or -1 when none is live. */
int hs_slot_in_force(const struct dictionary_slot *slot, int n, __u64 live, __u64 t);
/* Add d as generation g; an owned d is freed with the set. When the set
 * is full, the oldest entry of a generation not in live_gens goes first.
 * Returns 0 or -ENOSPC. */
int hs_dict_set_add(struct hs_dict_set *s, __u32 generation, const struct hs_dict *d, bool owned,
		    const __u32 *live_gens, int n_live);
void hs_dict_set_free(struct hs_dict_set *s);
/* The dictionary loaded as generation g, or NULL. */
const struct hs_dict *hs_dict_of(const struct hs_dict_set *s, __u32 generation);
/* Its slot in the kernel's dictionaries map (include/haystack.h). */
struct dictionary_slot hs_dict_slot(const struct hs_dict *d, __u32 generation);
