// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/runtime.h"
#include "runtime/setup.h"
#include "kern/instance.h"
#include "lib/log.h"
#include "lib/hash.h"
#include "lib/prefix.h"
#include "kern/mapwalk.h"
#include "kern/tables.h"

/* Everything is checked against the map sizes before the first map write, so
 * a dictionary or subscriber list too large is refused whole. */
static int check_fits(const struct hs_options *o, struct hs_setup *s)
{
	/* the sizes asked for; a taken-over map's own is checked when written */
	size_t max_sub = o->sizes.subscribers ?: HAYSTACK_MAX_SUBSCRIBER_PREFIXES;
	size_t max_ep = o->sizes.endpoints ?: HAYSTACK_MAX_ENDPOINTS;
	size_t max_rs = o->sizes.rulesets ?: HAYSTACK_MAX_RULESETS;
	size_t endpoints = 0, rulesets = 0;

	if (s->n_subscribers > max_sub) {
		hs_err("%s: %zu subscriber prefixes, at most %zu fit (--max-subscribers)",
		       o->subscribers_path, s->n_subscribers, max_sub);
		return -E2BIG;
	}
	for (int i = 0; i < s->n_dicts; i++) {
		endpoints += s->compiled[i].n_endpoints;
		rulesets += s->compiled[i].n_rulesets;
	}
	s->n_endpoints = endpoints;
	if (endpoints > max_ep || rulesets > max_rs) {
		hs_err("%s%s: need %zu endpoints and %zu rule sets, at most %zu and %zu fit (--max-endpoints, --max-rulesets)",
		       o->dicts.v[0], s->n_dicts > 1 ? " and the other dictionaries" : "",
		       endpoints, rulesets, max_ep, max_rs);
		return -E2BIG;
	}
	return 0;
}

/* --exporters: the allow-list, and the flag that puts it in force. */
static int load_exporters(const struct hs_options *o, struct hs_setup *s)
{
	int err;

	if (!o->exporters_path)
		return 0;
	err = hs_prefix_list_load(o->exporters_path, "exporter", &s->exporters, &s->n_exporters);
	if (err)
		return err;
	if (s->n_exporters > HAYSTACK_MAX_EXPORTER_PREFIXES) {
		hs_err("%s: %zu exporter prefixes, at most %d fit", o->exporters_path,
		       s->n_exporters, HAYSTACK_MAX_EXPORTER_PREFIXES);
		return -E2BIG;
	}
	s->config.flags |= HAYSTACK_F_EXPORTERS;
	return 0;
}

int hs_setup_load(const struct hs_options *o, struct hs_setup *s)
{
	__u64 hash = HS_FNV1A64_INIT;
	int err;

	memset(s, 0, sizeof(*s));
	if (!o->dicts.n || !o->subscribers_path) {
		hs_err("--dict and --subscribers are required");
		return -EINVAL;
	}
	if (o->dicts.n > HAYSTACK_MAX_DICTIONARIES) {
		hs_err("%d dictionaries given, at most %d are loaded at once", o->dicts.n,
		       HAYSTACK_MAX_DICTIONARIES);
		return -E2BIG;
	}
	for (int i = 0; i < o->dicts.n; i++) {
		s->paths[i] = o->dicts.v[i];
		err = hs_dict_load(o->dicts.v[i], &s->dict[i]);
		if (!err) {
			s->n_dicts++;
			err = hs_dict_compile(s->dict[i], &s->compiled[i]);
		}
		if (err)
			goto fail;
		for (int j = 0; j < i; j++)
			if (s->dict[j]->file_hash == s->dict[i]->file_hash) {
				hs_err("%s: the same dictionary as %s", o->dicts.v[i], o->dicts.v[j]);
				err = -EINVAL;
				goto fail;
			}
		hash = hs_fnv1a64(hash, &s->dict[i]->file_hash, sizeof(s->dict[i]->file_hash));
	}
	err = hs_subscribers_load(o->subscribers_path, &s->subscribers, &s->n_subscribers);
	if (err)
		goto fail;
	err = check_fits(o, s);
	if (err)
		goto fail;
	/* tells a restarted agent whether the pinned evidence was counted
	 * against the dictionaries it is given */
	s->config.dict_hash = o->dicts.n == 1 ? s->dict[0]->file_hash : hash;
	memcpy(s->config.ports, o->ports, sizeof(s->config.ports));
	s->config.bin_seconds = HAYSTACK_BASE_BIN;
	s->config.flags = HAYSTACK_F_CONFIGURED | (o->consume ? HAYSTACK_F_CONSUME : 0) |
			  (o->records ? HAYSTACK_F_RECORDS : 0);
	s->config.sampling = o->sampling;
	s->config.template_timeout = o->template_timeout;
	/* Every --bins width from the start, none reported yet (report_next
	 * 0): `haystack status` lists them after the agent is gone, and a run
	 * taking over goes on from report_next only where it is not 0. */
	for (int i = 0; i < o->n_bins && i < HAYSTACK_REPORT_WIDTHS; i++)
		s->config.report_width[i] = o->bins[i];
	err = load_exporters(o, s);
	if (err)
		goto fail;
	return 0;
fail:
	hs_setup_free(s);
	return err;
}

void hs_setup_free(struct hs_setup *s)
{
	hs_dict_set_free(&s->set);
	for (int i = 0; i < s->n_dicts; i++) {
		hs_dict_free(s->dict[i]);
		hs_compiled_free(&s->compiled[i]);
	}
	free(s->subscribers);
	free(s->exporters);
	memset(s, 0, sizeof(*s));
}

/* A compiled dictionary as a new generation: written under a generation no
 * other load has, then published with its file's absolute path. Nothing of
 * it stays on a failure. */
static int publish_new(struct hs_instance *in, const char *path, const struct hs_dict *d,
		       const struct hs_compiled *c, __u32 *gen)
{
	struct dictionary_slot slot;
	char abs[PATH_MAX];
	int k, err;

	if (!realpath(path, abs) || strlen(abs) >= sizeof(slot.path)) {
		hs_err("%s: its absolute path must be shorter than %zu octets", path,
		       sizeof(slot.path));
		return -ENAMETOOLONG;
	}
	*gen = hs_next_generation(in);
	if (!*gen)
		return -ENOMEM;
	slot = hs_dict_slot(d, *gen);
	strcpy(slot.path, abs);
	/* the slot first (claimed, not live), then everything the program
	 * reads of it, then its live bit */
	k = hs_claim_dictionary(in, &slot);
	if (k < 0)
		return k;
	err = hs_write_dictionary(in, c, *gen, k);
	if (!err) {
		err = hs_publish_dictionary(in, k);
		if (err)
			hs_remove_dictionary(in, c, *gen);
	}
	if (err)
		hs_unclaim_dictionary(in, k);
	return err;
}

/* The live generations of a schedule, for hs_dict_set_add. */
static int live_generations(const struct dictionary_schedule *sch, __u32 *gens)
{
	int n = 0;

	for (int k = 0; k < HAYSTACK_MAX_DICTIONARIES; k++)
		if (sch->live & (1ULL << k))
			gens[n++] = sch->slot[k].generation;
	return n;
}

/* A dictionary the pins hold: read again from the path it was loaded from,
 * and only if the file is still the one loaded. */
static int read_pinned(const struct dictionary_slot *slot, struct hs_dict **out)
{
	int err = hs_dict_load(slot->path, out);

	if (err)
		return err;
	if ((*out)->file_hash != slot->dict_hash) {
		hs_err("%s: changed since it was loaded as dictionary generation %u; put it back, or `haystack detach` to start afresh",
		       slot->path, slot->generation);
		hs_dict_free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

int hs_dict_sync(struct hs_instance *in, struct hs_dict_set *set)
{
	struct dictionary_schedule sch;
	__u32 gens[HAYSTACK_MAX_DICTIONARIES];
	int n, err = hs_schedule_read(hs_instance_map_fd(in, HS_MAP_DICTIONARIES), &sch);

	if (err)
		return err;
	n = live_generations(&sch, gens);
	for (int k = 0; k < HAYSTACK_MAX_DICTIONARIES; k++) {
		const struct dictionary_slot *slot = &sch.slot[k];
		struct hs_dict *d;

		if (!(sch.live & (1ULL << k)) || hs_dict_of(set, slot->generation))
			continue;
		err = read_pinned(slot, &d);
		if (!err) {
			err = hs_dict_set_add(set, slot->generation, d, true, gens, n);
			if (err)
				hs_dict_free(d);
		}
		if (err)
			return err;
		hs_info("dictionary generation %u loaded from %s: %d domains, in force from %s",
			slot->generation, slot->path, d->n_domains, d->valid_from ?: "the start");
	}
	return 0;
}

int hs_dict_add(struct hs_instance *in, const char *path, bool force, struct hs_dict_set *set,
		__u32 *generation)
{
	const struct dictionary_slot *newest = NULL;
	struct dictionary_schedule sch;
	struct hs_compiled c = {};
	struct hs_dict *d;
	__u32 gens[HAYSTACK_MAX_DICTIONARIES];
	int n, err;

	err = hs_schedule_read(hs_instance_map_fd(in, HS_MAP_DICTIONARIES), &sch);
	if (!err)
		err = hs_dict_load(path, &d);
	if (err)
		return err;
	n = live_generations(&sch, gens);
	for (int k = 0; k < HAYSTACK_MAX_DICTIONARIES; k++) {
		const struct dictionary_slot *slot = &sch.slot[k];

		if (!(sch.live & (1ULL << k)))
			continue;
		if (slot->dict_hash == d->file_hash) {
			hs_info("%s: loaded already, as dictionary generation %u", path,
				slot->generation);
			*generation = slot->generation;
			hs_dict_free(d);
			return 0;
		}
		if (!newest || slot->valid_from > newest->valid_from ||
		    (slot->valid_from == newest->valid_from && slot->generation > newest->generation))
			newest = slot;
	}
	/* A refresh from broken inputs must not replace a good dictionary. */
	if (!force && newest && 2 * (__u64)d->n_domains < newest->n_domains) {
		hs_err("%s: %d domains, fewer than half the %u of dictionary generation %u (%s): not loaded; --force loads it",
		       path, d->n_domains, newest->n_domains, newest->generation, newest->path);
		err = -EINVAL;
	}
	if (!err)
		err = hs_dict_compile(d, &c);
	if (!err)
		err = publish_new(in, path, d, &c, generation);
	hs_compiled_free(&c);
	if (!err && set) {
		gens[n++] = *generation;
		err = hs_dict_set_add(set, *generation, d, true, gens, n);
		if (!err)
			return 0;
		hs_withdraw_dictionary(in, *generation);
	}
	hs_dict_free(d);
	return err;
}

/* Whether a live slot other than g is in force over all of [t, ...). */
static bool superseded(const struct dictionary_schedule *sch, const struct dictionary_slot *g,
		       __u64 t)
{
	for (int k = 0; k < HAYSTACK_MAX_DICTIONARIES; k++) {
		const struct dictionary_slot *h = &sch->slot[k];

		if ((sch->live & (1ULL << k)) && h != g && h->valid_from <= t &&
		    (h->valid_from > g->valid_from ||
		     (h->valid_from == g->valid_from && h->generation > g->generation)))
			return true;
	}
	return false;
}

struct generation_search {
	__u32 generation;
	bool found;
};

static int has_generation(const void *key, const void *value, void *ctx)
{
	struct generation_search *g = ctx;

	g->found = ((const struct evidence_key *)key)->generation == g->generation;
	return g->found;	/* non-zero stops the walk */
}

/* Whether any evidence of generation g is left (the walk stops at one). */
static bool evidence_of(struct hs_instance *in, const struct hs_tables *tables, __u32 g)
{
	struct generation_search x = { .generation = g };

	if (hs_tables_of_generation(tables, g))
		return true;
	hs_map_for_each(hs_instance_map_fd(in, HS_MAP_EVIDENCE), sizeof(struct evidence_key), 0,
			has_generation, &x);
	return x.found;
}

int hs_dict_release(struct hs_instance *in, const struct hs_tables *tables,
		    struct hs_retiring *r, __u64 open_from)
{
	struct dictionary_schedule sch;
	int n = 0, err;

	/* a step a call: a datagram that chose a generation just before it
	 * was unpublished has long finished at the next call (a second on) */
	for (int i = 0; i < r->n; i++) {
		if (r->stage[i] == 1) {
			err = hs_remove_generation(in, r->gen[i], false);
			if (err)
				return err;
			r->stage[i] = 2;
			r->checked_from[i] = ~0ULL;
		}
		if (open_from != r->checked_from[i]) {
			/* evidence goes only as bins are reported: looked for
			 * once, then again after each report */
			r->checked_from[i] = open_from;
			if (!evidence_of(in, tables, r->gen[i])) {
				err = hs_remove_generation(in, r->gen[i], true);
				if (err)
					return err;
				hs_info("dictionary generation %u released: no open bin needs it",
					r->gen[i]);
				continue;
			}
		}
		r->gen[n] = r->gen[i];
		r->checked_from[n] = r->checked_from[i];
		r->stage[n++] = r->stage[i];
	}
	r->n = n;
	err = hs_schedule_read(hs_instance_map_fd(in, HS_MAP_DICTIONARIES), &sch);
	for (int k = 0; !err && k < HAYSTACK_MAX_DICTIONARIES; k++) {
		const struct dictionary_slot *g = &sch.slot[k];

		if (!(sch.live & (1ULL << k)) || !superseded(&sch, g, open_from) ||
		    r->n == HS_DICT_SET_MAX)
			continue;
		err = hs_unpublish_dictionary(in, g->generation);
		r->gen[r->n] = g->generation;
		r->stage[r->n++] = 1;
	}
	return err;
}

int hs_setup_apply(struct hs_setup *s, struct hs_instance *in)
{
	struct dictionary_schedule pinned;
	__u32 gens[HAYSTACK_MAX_DICTIONARIES];
	int n, err;

	err = hs_write_subscribers(in, s->subscribers, s->n_subscribers);
	if (!err)
		err = hs_schedule_read(hs_instance_map_fd(in, HS_MAP_DICTIONARIES), &pinned);
	if (err)
		return err;
	/* Taking over pins (run --keep, then run): their dictionaries stay,
	 * those loaded with `haystack load` too; each given one they do not
	 * hold yet is loaded after them, in the order given. */
	n = live_generations(&pinned, gens);
	hs_dict_set_free(&s->set);
	for (int i = 0; i < s->n_dicts; i++) {
		__u32 gen = 0;

		for (int k = 0; k < HAYSTACK_MAX_DICTIONARIES; k++)
			if ((pinned.live & (1ULL << k)) &&
			    pinned.slot[k].dict_hash == s->dict[i]->file_hash)
				gen = pinned.slot[k].generation;
		if (!gen) {
			err = publish_new(in, s->paths[i], s->dict[i], &s->compiled[i], &gen);
			if (err)
				return err;
			gens[n++] = gen;
		}
		err = hs_dict_set_add(&s->set, gen, s->dict[i], false, gens, n);
		if (err)
			return err;
	}
	err = hs_dict_sync(in, &s->set);
	if (!err)
		err = hs_write_exporters(in, s->exporters, s->n_exporters);
	return err ?: hs_write_config(in, &s->config);
}
