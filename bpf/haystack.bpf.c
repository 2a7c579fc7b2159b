// SPDX-License-Identifier: GPL-2.0
/*
 * haystack XDP program: reads flow export datagrams addressed to the
 * collector ports, classifies every record against the IoT dictionary and
 * counts per-subscriber evidence. Export packets are passed on to the
 * collector's own socket unless the operator asks to consume them.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "haystack.h"
#include "maps.h"
#include "parse_packet.h"
#include "parse_netflow.h"
#include "parse_ipfix.h"

#define NETFLOW_V5	5

static __always_inline bool is_collector_port(const struct haystack_config *cfg, __u16 port)
{
#pragma unroll
	for (int i = 0; i < HAYSTACK_MAX_PORTS; i++)
		if (cfg->ports[i] && cfg->ports[i] == port)
			return true;
	return false;
}

SEC("xdp")
int haystack_xdp(struct xdp_md *ctx)
{
	struct haystack_config *cfg;
	struct haystack_stats *st;
	struct export_packet pkt;
	__u32 zero = 0;
	__u64 *reason;
	__be16 *version;

	st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return XDP_PASS;
	st->packets++;
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg || !cfg->bin_seconds) {
		st->not_configured++;
		return XDP_PASS;
	}

	reason = parse_udp(ctx, st, &pkt);
	if (reason) {
		(*reason)++;
		return XDP_PASS;
	}
	if (!is_collector_port(cfg, pkt.dport)) {
		st->not_collector_port++;
		return XDP_PASS;
	}
	st->export_packets++;

	version = pkt.payload;
	if ((void *)(version + 1) > pkt.end || pkt.len < sizeof(*version)) {
		st->truncated_header++;
	} else if (*version == bpf_htons(NETFLOW_V5)) {
		parse_netflow_v5(st, cfg, &pkt);
	} else if (*version == bpf_htons(NETFLOW_V9) || *version == bpf_htons(IPFIX)) {
		parse_template_flows(ctx, st, cfg, &pkt, bpf_ntohs(*version));
	} else {
		st->bad_version++;
	}
	return (cfg->flags & HAYSTACK_F_CONSUME) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
