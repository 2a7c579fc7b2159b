// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/runtime.h"
#include "runtime/setup.h"
#include "kern/instance.h"
#include "lib/log.h"
#include "lib/prefix.h"

/* Everything is checked against the map sizes before the first map write, so
 * a dictionary or subscriber list too large is refused whole. */
static int check_fits(const struct hs_options *o, const struct hs_setup *s)
{
	if (s->n_subscribers > HAYSTACK_MAX_SUBSCRIBER_PREFIXES) {
		hs_err("%s: %zu subscriber prefixes, at most %d fit", o->subscribers_path,
		       s->n_subscribers, HAYSTACK_MAX_SUBSCRIBER_PREFIXES);
		return -E2BIG;
	}
	if (s->compiled.n_endpoints > HAYSTACK_MAX_ENDPOINTS ||
	    s->compiled.n_rulesets > HAYSTACK_MAX_RULESETS) {
		hs_err("%s: needs %zu endpoints and %zu rule sets, at most %d and %d fit",
		       o->dict_path, s->compiled.n_endpoints, s->compiled.n_rulesets,
		       HAYSTACK_MAX_ENDPOINTS, HAYSTACK_MAX_RULESETS);
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
	int err;

	memset(s, 0, sizeof(*s));
	if (!o->dict_path || !o->subscribers_path) {
		hs_err("--dict and --subscribers are required");
		return -EINVAL;
	}
	err = hs_dict_load(o->dict_path, &s->dict);
	if (err)
		return err;
	err = hs_subscribers_load(o->subscribers_path, &s->subscribers, &s->n_subscribers);
	if (err)
		goto fail;
	err = hs_dict_compile(s->dict, &s->compiled);
	if (err)
		goto fail;
	err = check_fits(o, s);
	if (err)
		goto fail;
	/* tells a restarted agent whether the pinned evidence was counted
	 * against the dictionary it is given */
	s->config.dict_hash = s->dict->file_hash;
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
	hs_dict_free(s->dict);
	hs_compiled_free(&s->compiled);
	free(s->subscribers);
	free(s->exporters);
	memset(s, 0, sizeof(*s));
}

int hs_setup_apply(const struct hs_setup *s, struct hs_instance *in)
{
	int err;

	err = hs_write_subscribers(in, s->subscribers, s->n_subscribers);
	if (!err)
		err = hs_write_dictionary(in, &s->compiled);
	if (!err)
		err = hs_write_exporters(in, s->exporters, s->n_exporters);
	if (!err)
		err = hs_write_config(in, &s->config);
	return err;
}
