// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/runtime.h"
#include "runtime/setup.h"
#include "kern/instance.h"
#include "lib/log.h"
#include "lib/hash.h"
#include "lib/prefix.h"

/* Everything is checked against the map sizes before the first map write, so
 * a dictionary or subscriber list too large is refused whole. */
static int check_fits(const struct hs_options *o, struct hs_setup *s)
{
	size_t endpoints = 0, rulesets = 0;

	if (s->n_subscribers > HAYSTACK_MAX_SUBSCRIBER_PREFIXES) {
		hs_err("%s: %zu subscriber prefixes, at most %d fit", o->subscribers_path,
		       s->n_subscribers, HAYSTACK_MAX_SUBSCRIBER_PREFIXES);
		return -E2BIG;
	}
	for (int i = 0; i < s->n_dicts; i++) {
		endpoints += s->compiled[i].n_endpoints;
		rulesets += s->compiled[i].n_rulesets;
	}
	s->n_endpoints = endpoints;
	if (endpoints > HAYSTACK_MAX_ENDPOINTS || rulesets > HAYSTACK_MAX_RULESETS) {
		hs_err("%s%s: need %zu endpoints and %zu rule sets, at most %d and %d fit",
		       o->dicts.v[0], s->n_dicts > 1 ? " and the other dictionaries" : "",
		       endpoints, rulesets, HAYSTACK_MAX_ENDPOINTS, HAYSTACK_MAX_RULESETS);
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
	for (int i = 0; i < s->n_dicts; i++) {
		hs_dict_free(s->dict[i]);
		hs_compiled_free(&s->compiled[i]);
	}
	free(s->subscribers);
	free(s->exporters);
	memset(s, 0, sizeof(*s));
}

/* Dictionary i as generation gen: written, then published. */
static int load_dictionary(struct hs_setup *s, struct hs_instance *in, int i, __u32 gen)
{
	struct dictionary_slot slot = hs_dict_slot(s->dict[i], gen);
	int err = hs_write_dictionary(in, &s->compiled[i], gen);

	if (!err) {
		err = hs_publish_dictionary(in, &slot);
		if (err)
			hs_remove_dictionary(in, &s->compiled[i], gen);
	}
	return err;
}

int hs_setup_apply(struct hs_setup *s, struct hs_instance *in)
{
	struct dictionary_schedule pinned;
	__u32 next;
	int err;

	err = hs_write_subscribers(in, s->subscribers, s->n_subscribers);
	if (!err)
		err = hs_schedule_read(hs_instance_map_fd(in, HS_MAP_DICTIONARIES), &pinned);
	if (err)
		return err;
	/* pinned dictionaries the agent is not given any more go first */
	for (int k = 0; k < HAYSTACK_MAX_DICTIONARIES; k++) {
		bool given = false;

		if (!(pinned.live & (1ULL << k)))
			continue;
		for (int i = 0; i < s->n_dicts; i++)
			given |= s->dict[i]->file_hash == pinned.slot[k].dict_hash;
		if (!given) {
			err = hs_withdraw_dictionary(in, pinned.slot[k].generation);
			if (err)
				return err;
			pinned.live &= ~(1ULL << k);
		}
	}
	next = pinned.last_generation + 1;
	s->set.n = 0;
	for (int i = 0; i < s->n_dicts; i++) {
		__u32 gen = 0;

		for (int k = 0; k < HAYSTACK_MAX_DICTIONARIES; k++)
			if ((pinned.live & (1ULL << k)) &&
			    pinned.slot[k].dict_hash == s->dict[i]->file_hash)
				gen = pinned.slot[k].generation;
		if (!gen) {
			gen = next++;
			err = load_dictionary(s, in, i, gen);
			if (err)
				return err;
		}
		s->set.v[s->set.n++] = (struct hs_loaded_dict){ gen, s->dict[i] };
	}
	err = hs_write_exporters(in, s->exporters, s->n_exporters);
	return err ?: hs_write_config(in, &s->config);
}
