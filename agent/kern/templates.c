// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <bpf/bpf.h>
#include "haystack.h"
#include "kern/mapwalk.h"
#include "kern/templates.h"

struct expiry {
	int fd;
	size_t last_seen;	/* offset of the value's export time */
	__u64 before;		/* last seen earlier than this: gone */
};

static int expire_one(const void *key, const void *value, void *ctx)
{
	const struct expiry *x = ctx;

	if (*(const __u64 *)((const char *)value + x->last_seen) < x->before)
		bpf_map_delete_elem(x->fd, key);
	return 0;
}

/* An exporter's entry lives while its options data or its clock is fresh:
 * the clock state of an exporter that goes on exporting is kept. */
static int expire_exporter(const void *key, const void *value, void *ctx)
{
	const struct exporter_info *info = value;
	const struct expiry *x = ctx;

	if (info->last_seen < x->before && info->clock < x->before)
		bpf_map_delete_elem(x->fd, key);
	return 0;
}

void hs_templates_expire(int templates_fd, int exporters_fd, __u64 timeout, __u64 export_time)
{
	struct expiry t = { templates_fd, offsetof(struct flow_template, last_seen),
			    export_time - timeout };
	struct expiry e = { exporters_fd, offsetof(struct exporter_info, last_seen),
			    export_time - timeout };

	if (export_time <= timeout)
		return;
	hs_map_for_each(templates_fd, sizeof(struct template_key), sizeof(struct flow_template),
			expire_one, &t);
	hs_map_for_each(exporters_fd, sizeof(struct exporter_key), sizeof(struct exporter_info),
			expire_exporter, &e);
}
