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
};

struct hs_dict_set {
	struct hs_loaded_dict v[HAYSTACK_MAX_DICTIONARIES];
	int n;
};

/* The one in force at t: the latest valid_from <= t, the earliest when t is
 * before all; of equal valid_from, the higher generation. NULL when empty. */
const struct hs_loaded_dict *hs_dict_in_force(const struct hs_dict_set *s, long long t);
/* The same on the kernel's slots: the index of the live slot in force at
 * t, or -1 when none is live. */
int hs_slot_in_force(const struct dictionary_slot *slot, __u64 live, __u64 t);
/* The dictionary loaded as generation g, or NULL. */
const struct hs_dict *hs_dict_of(const struct hs_dict_set *s, __u32 generation);
/* Its slot in the kernel's dictionaries map (include/haystack.h). */
struct dictionary_slot hs_dict_slot(const struct hs_dict *d, __u32 generation);
