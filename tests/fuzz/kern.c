// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "haystack.skel.h"
#include "kern/instance.h"
#include "kern/stats.h"
#include "lib/log.h"
#include "runtime/replay.h"
#include "runtime/setup.h"
#include "kern.h"
#include "fuzz.h"

static struct hs_instance in;
static int prog_fd, stats_fd;

/*
 * Every frame ends in exactly one outcome, every export packet in exactly
 * one of its own, every decoded record in exactly one. One caveat of the
 * counters as they are: truncated_header counts both a frame whose UDP
 * header is cut short (before export_packets) and an export packet whose
 * NetFlow/IPFIX header is (after), so the frame identity holds with the
 * export outcomes in place of export_packets, and the export identity can
 * only bound the export packets' share of truncated_header.
 */
const char *hs_stats_identities(const struct haystack_stats *s, char *why, size_t len)
{
	__u64 frames = s->not_configured + s->too_short + s->not_ip + s->bad_ip_header +
		       s->ip_fragment + s->not_udp + s->bad_udp_length + s->not_collector_port;
	__u64 exports = s->v5_packets + s->v9_packets + s->ipfix_packets + s->bad_version +
			s->count_too_large + s->count_exceeds_packet + s->length_exceeds_packet;
	__u64 records = s->not_subscriber + s->no_service + s->port_mismatch + s->matched +
			s->evidence_full;

	if (s->packets != frames + exports + s->truncated_header)
		snprintf(why, len, "packets %llu != frame outcomes %llu + export outcomes %llu + "
			 "truncated_header %llu", (unsigned long long)s->packets,
			 (unsigned long long)frames, (unsigned long long)exports,
			 (unsigned long long)s->truncated_header);
	else if (s->export_packets < exports || s->export_packets - exports > s->truncated_header)
		snprintf(why, len, "export_packets %llu != export outcomes %llu + their share of "
			 "truncated_header %llu", (unsigned long long)s->export_packets,
			 (unsigned long long)exports, (unsigned long long)s->truncated_header);
	else if (s->records != records)
		snprintf(why, len, "records %llu != record outcomes %llu",
			 (unsigned long long)s->records, (unsigned long long)records);
	else if (s->late_records > s->matched)
		snprintf(why, len, "late_records %llu > matched %llu",
			 (unsigned long long)s->late_records, (unsigned long long)s->matched);
	else
		return NULL;
	return why;
}

void hs_fuzz_kern_init(void)
{
	static char dict[512], subs[512];
	const char *shared = getenv("SHARED");
	struct hs_options o = { .ports = { 2055, 4739, 9995 } };
	struct hs_setup s;

	snprintf(dict, sizeof(dict), "%s/fixtures/small/dictionary.json", shared ?: "../shared");
	snprintf(subs, sizeof(subs), "%s/fixtures/small/subscribers.txt", shared ?: "../shared");
	o.dict_path = access(dict, R_OK) ? "signatures/sample-dictionary.json" : dict;
	o.subscribers_path = access(subs, R_OK) ? "signatures/sample-subscribers.txt" : subs;
	hs_kern_log_setup();
	if (hs_setup_load(&o, &s) || hs_instance_open(&in, NULL) || hs_instance_load(&in) ||
	    hs_setup_apply(&s, &in))
		hs_fuzz_fail("cannot load the XDP program (root? above)");
	hs_setup_free(&s);
	prog_fd = bpf_program__fd(in.skel->progs.haystack_xdp);
	stats_fd = bpf_map__fd(in.skel->maps.stats);
}

void hs_fuzz_replay(const char *path)
{
	struct hs_replay_counts c = {};
	struct haystack_stats st;
	char why[256];

	hs_replay_file(prog_fd, path, &c, NULL);
	if (c.fed > c.frames)
		hs_fuzz_fail("%llu frames fed of %llu read", (unsigned long long)c.fed,
			     (unsigned long long)c.frames);
	if (hs_read_stats(stats_fd, &st))
		hs_fuzz_fail("cannot read the stats map");
	if (hs_stats_identities(&st, why, sizeof(why)))
		hs_fuzz_fail("counter identity broken: %s", why);
}
