// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <string.h>
#include <bpf/bpf.h>
#include "haystack.h"
#include "kern/mapwalk.h"
#include "kern/templates.h"

struct expiry {
	int fd;
	size_t last_seen;	/* offset of the value's export time */
	__u64 before;		/* last seen earlier than this: gone */
	int clocks_fd;		/* exporters: their clocks */
};

static int expire_one(const void *key, const void *value, void *ctx)
{
	const struct expiry *x = ctx;

	if (*(const __u64 *)((const char *)value + x->last_seen) < x->before)
		bpf_map_delete_elem(x->fd, key);
	return 0;
}

/* An exporter's own entry (sampler 0) lives while its options data or its
 * clock is fresh: the rate of an exporter that goes on exporting is kept,
 * however seldom it repeats its options. A sampler's, by its options. */
static int expire_exporter(const void *key, const void *value, void *ctx)
{
	const struct exporter_key *k = key;
	const struct exporter_info *info = value;
	const struct expiry *x = ctx;
	struct exporter_clock_key ck = { .domain_id = k->domain_id, .version = k->version };
	struct exporter_clock c;

	if (info->last_seen >= x->before)
		return 0;
	memcpy(ck.exporter, k->exporter, sizeof(ck.exporter));
	if (!k->sampler_id && !bpf_map_lookup_elem(x->clocks_fd, &ck, &c) && c.clock >= x->before)
		return 0;
	bpf_map_delete_elem(x->fd, key);
	return 0;
}

/* A clock not moved within the timeout is of an exporter gone quiet (or of
 * a source heard once): the LRU would evict it too, but only under
 * pressure, and until then it would widen the report range. */
static int expire_clock(const void *key, const void *value, void *ctx)
{
	const struct exporter_clock *c = value;
	const struct expiry *x = ctx;

	if (c->clock < x->before)
		bpf_map_delete_elem(x->fd, key);
	return 0;
}

void hs_templates_expire(int templates_fd, int exporters_fd, int clocks_fd, __u64 timeout,
			 __u64 export_time)
{
	struct expiry t = { templates_fd, offsetof(struct flow_template, last_seen),
			    export_time - timeout };
	struct expiry e = { exporters_fd, offsetof(struct exporter_info, last_seen),
			    export_time - timeout, clocks_fd };
	struct expiry c = { clocks_fd, 0, export_time - timeout };

	if (export_time <= timeout)
		return;
	hs_map_for_each(templates_fd, sizeof(struct template_key), sizeof(struct flow_template),
			expire_one, &t);
	hs_map_for_each(exporters_fd, sizeof(struct exporter_key), sizeof(struct exporter_info),
			expire_exporter, &e);
	hs_map_for_each(clocks_fd, sizeof(struct exporter_clock_key),
			sizeof(struct exporter_clock), expire_clock, &c);
}
