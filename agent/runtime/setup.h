/* SPDX-License-Identifier: GPL-2.0 */
/* --dict, --subscribers and --exporters, loaded and checked before any map is written. */
#pragma once

#include <stddef.h>
#include "dict/dict.h"
#include "dict/schedule.h"
#include "haystack.h"
#include "runtime/runtime.h"

/* Everything a verb needs from --dict and --subscribers, validated as a
 * whole before any map is touched. */
struct hs_setup {
	struct hs_dict *dict[HAYSTACK_MAX_DICTIONARIES];	/* as --dict gave them */
	struct hs_compiled compiled[HAYSTACK_MAX_DICTIONARIES];
	const char *paths[HAYSTACK_MAX_DICTIONARIES];
	int n_dicts;
	size_t n_endpoints;		/* of all of them */
	struct hs_dict_set set;		/* with their generations, once applied */
	struct haystack_lpm_key *subscribers;
	size_t n_subscribers;
	struct haystack_lpm_key *exporters;	/* --exporters, when given */
	size_t n_exporters;
	struct haystack_config config;
};

int hs_setup_load(const struct hs_options *o, struct hs_setup *s);
void hs_setup_free(struct hs_setup *s);
struct hs_instance;
/* Subscribers, the dictionaries (each written, then published as a
 * generation of its own, in the order given: a later one wins a tie), then
 * the exporters and config: the program starts counting only once everything it reads is in
 * place. A dictionary the instance's pins already hold (taken over from
 * `run --keep`) keeps its generation; a pinned one not given is withdrawn. */
int hs_setup_apply(struct hs_setup *s, struct hs_instance *in);
/* The dictionary file at path into a running instance, as a new generation
 * (`haystack load`, SIGHUP): read and validated whole, compiled, written,
 * published; on any failure nothing of it stays and what was loaded is as
 * it was. One already loaded (the same file hash) is left as it is. Unless
 * force, one with fewer than half the domains of the newest loaded one is
 * refused. With set, it joins it. */
int hs_dict_add(struct hs_instance *in, const char *path, bool force, struct hs_dict_set *set,
		__u32 *generation);
/* Generations on their way out, each at its stage. */
struct hs_retiring {
	__u32 gen[HS_DICT_SET_MAX];
	__u8 stage[HS_DICT_SET_MAX];	/* 1: unpublished, 2: endpoints removed */
	__u64 checked_from[HS_DICT_SET_MAX];	/* open_from its evidence was looked for at */
	int n;
};
/* Release what no open bin needs: a dictionary that a later one replaces
 * over all of [open_from, ...) is unpublished (its slot free for the next
 * load), its endpoints removed a call later, its rule sets once no evidence
 * of it is left. Called once a second by the running agent. */
struct hs_tables;
int hs_dict_release(struct hs_instance *in, const struct hs_tables *tables,
		    struct hs_retiring *r, __u64 open_from);
/* Every live dictionary of the pins that set lacks (loaded by another
 * command), read again from its path and checked against its hash. */
int hs_dict_sync(struct hs_instance *in, struct hs_dict_set *set);
