/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every BPF test program does to load haystack: the agent's own setup
 * of its options, and a fresh program whose maps start empty and are pinned
 * nowhere (a test must never touch a running instance's maps).
 */
#pragma once

#include <stdlib.h>
#include <bpf/libbpf.h>
#include "haystack.skel.h"
#include "runtime/setup.h"
#include "kern/instance.h"
#include "lib/log.h"

/* o read as run and replay read it; with HS_VERBOSE set, -v's log. */
static inline int fixture_setup_load(const struct hs_options *o, struct hs_setup *s)
{
	if (getenv("HS_VERBOSE"))
		hs_log_set_level(HS_LOG_VERBOSE);
	hs_kern_log_setup();
	return hs_setup_load(o, s) ? -1 : 0;
}

/* The program loaded into the kernel, never attached; sizes NULL: the
 * defaults. */
static inline int fixture_instance_open(struct hs_instance *in, const struct hs_map_sizes *sizes)
{
	struct bpf_map *map;

	if (hs_instance_open(in, NULL, sizes))
		return -1;
	bpf_object__for_each_map(map, in->skel->obj)
		if (bpf_map__pin_path(map))
			return -1;
	return hs_instance_load(in) ? -1 : 0;
}
