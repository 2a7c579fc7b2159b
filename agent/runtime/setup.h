/* SPDX-License-Identifier: GPL-2.0 */
/* --dict, --subscribers and --exporters, loaded and checked before any map is written. */
#pragma once

#include <stddef.h>
#include "dict/dict.h"
#include "haystack.h"
#include "runtime/runtime.h"

/* Everything a verb needs from --dict and --subscribers, validated as a
 * whole before any map is touched. */
struct hs_setup {
	struct hs_dict *dict;
	struct hs_compiled compiled;
	struct haystack_lpm_key *subscribers;
	size_t n_subscribers;
	struct haystack_lpm_key *exporters;	/* --exporters, when given */
	size_t n_exporters;
	struct haystack_config config;
};

int hs_setup_load(const struct hs_options *o, struct hs_setup *s);
void hs_setup_free(struct hs_setup *s);
struct hs_instance;
/* Subscribers, dictionary, exporters, then config: the program starts counting only once
 * everything it reads is in place. */
int hs_setup_apply(const struct hs_setup *s, struct hs_instance *in);
