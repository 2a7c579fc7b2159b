// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kern/stats.h"

#define COUNTER(f) { #f, offsetof(struct haystack_stats, f) }
const struct hs_counter hs_counters[] = {
	COUNTER(packets), COUNTER(too_short), COUNTER(not_ip), COUNTER(bad_ip_header),
	COUNTER(ip_fragment), COUNTER(not_udp), COUNTER(bad_udp_length),
	COUNTER(not_collector_port), COUNTER(export_packets), COUNTER(truncated_header),
	COUNTER(bad_version), COUNTER(v5_packets), COUNTER(count_exceeds_packet),
	COUNTER(count_too_large), COUNTER(v9_packets), COUNTER(ipfix_packets),
	COUNTER(length_exceeds_packet), COUNTER(bad_set_length), COUNTER(set_overruns_packet),
	COUNTER(bad_set_id), COUNTER(templates), COUNTER(options_templates),
	COUNTER(templates_withdrawn), COUNTER(template_too_long), COUNTER(bad_template),
	COUNTER(template_map_full), COUNTER(unknown_template), COUNTER(template_expired),
	COUNTER(truncated_record), COUNTER(records_over_limit), COUNTER(options_records),
	COUNTER(exporters_full), COUNTER(no_addresses), COUNTER(record_events_lost),
	COUNTER(records), COUNTER(not_subscriber),
	COUNTER(no_service), COUNTER(port_mismatch), COUNTER(matched), COUNTER(evidence_full),
	COUNTER(late_records), COUNTER(not_configured), { NULL },
};
/* A counter added to haystack.h must be named here (the two time fields
 * close the struct and are not counters). */
_Static_assert(sizeof(hs_counters) / sizeof(hs_counters[0]) - 1 ==
	       offsetof(struct haystack_stats, export_time_min) / sizeof(__u64),
	       "hs_counters misses a counter");

int hs_read_stats(int stats_fd, struct haystack_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct haystack_stats *v;
	__u32 zero = 0;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(stats_fd, &zero, v)) {
		err = -errno;
		goto out;
	}
	for (int c = 0; c < ncpu; c++) {
		__u64 *src = (__u64 *)&v[c], *dst = (__u64 *)out;

		for (size_t i = 0; i < offsetof(struct haystack_stats, export_time_min) / 8; i++)
			dst[i] += src[i];
		if (v[c].export_time_min &&
		    (!out->export_time_min || v[c].export_time_min < out->export_time_min))
			out->export_time_min = v[c].export_time_min;
		if (v[c].export_time_max > out->export_time_max)
			out->export_time_max = v[c].export_time_max;
	}
out:
	free(v);
	return err;
}
