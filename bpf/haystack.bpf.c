// SPDX-License-Identifier: GPL-2.0
/*
 * haystack XDP program: reads flow export datagrams addressed to the
 * collector ports, classifies every record against the IoT dictionary and
 * counts per-subscriber evidence. Export packets are passed on to the
 * collector's own socket unless the operator asks to consume them.
 *
 * Every frame ends in exactly one frame outcome (haystack_counters.h), and
 * every export packet in one export packet outcome: the counting here and in
 * the format parsers keeps to that.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "haystack.h"
#include "maps.h"
#include "packet.h"
#include "export_v5.h"
#include "export_v9_ipfix.h"

static __always_inline bool is_configured(const struct haystack_config *cfg)
{
	return cfg && (cfg->flags & HAYSTACK_F_CONFIGURED);
}

static __always_inline bool is_collector_port(const struct haystack_config *cfg, __u16 port)
{
#pragma unroll
	for (int i = 0; i < HAYSTACK_MAX_PORTS; i++)
		if (cfg->ports[i] && cfg->ports[i] == port)
			return true;
	return false;
}

/* NetFlow and IPFIX are plain UDP, whose source anyone can forge: with
 * --exporters only the listed sources are read. */
static __always_inline bool is_allowed_exporter(const struct haystack_config *cfg,
						const struct packet *pkt)
{
	struct haystack_lpm_key key = { .prefixlen = 128 };

	if (!(cfg->flags & HAYSTACK_F_EXPORTERS))
		return true;
	__builtin_memcpy(key.addr, pkt->src, sizeof(key.addr));
	return bpf_map_lookup_elem(&exporter_allow, &key) != NULL;
}

/* The policy: a frame is an export packet when it is UDP to a collector
 * port from an allowed exporter. Returns the frame outcome that says why it
 * is not one, or NULL. A refused exporter's datagram is a frame outcome, not
 * an export packet one: nothing of it is read, not even its version, so the
 * export packet counters speak of the trusted exporters alone. */
static __always_inline __u64 *not_export(struct haystack_stats *st,
					 const struct haystack_config *cfg,
					 enum packet_reason r, const struct packet *pkt)
{
	switch (r) {
	case PACKET_TOO_SHORT:
		return &st->too_short;
	case PACKET_NOT_IP:
		return &st->not_ip;
	case PACKET_BAD_IP_HEADER:
		return &st->bad_ip_header;
	case PACKET_FRAGMENT:
		/* XDP sees each fragment alone and cannot read the datagram:
		 * an export datagram's first fragment is counted apart, so an
		 * operator sees what the exporter's MTU costs */
		if (pkt->proto != IPPROTO_UDP || !is_collector_port(cfg, pkt->dport))
			return &st->ip_fragment;
		return is_allowed_exporter(cfg, pkt) ? &st->fragmented_export :
						       &st->exporter_not_allowed;
	default:
		break;
	}
	if (pkt->proto != IPPROTO_UDP)
		return &st->not_udp;
	if (r == PACKET_BAD_L4_LENGTH)
		return &st->bad_udp_length;
	/* A header cut short before its destination port has port 0, no
	 * collector's: only what is seen going to a collector is read. */
	if (!is_collector_port(cfg, pkt->dport))
		return &st->not_collector_port;
	if (!is_allowed_exporter(cfg, pkt))
		return &st->exporter_not_allowed;
	return NULL;
}

/* xdp.frags: multi-buffer frames too (jumbo frames, large replayed
 * datagrams), whose payload goes on past data_end in fragments. */
SEC("xdp.frags")
int haystack_xdp(struct xdp_md *ctx)
{
	struct packet_cursor cur = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	struct haystack_config *cfg;
	struct haystack_stats *st;
	enum packet_reason r;
	struct packet pkt;
	__u32 zero = 0;
	__u64 *outcome;
	__be16 *version;

	st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return XDP_PASS;
	st->packets++;
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!is_configured(cfg)) {
		st->not_configured++;
		return XDP_PASS;
	}

	cur.tail = bpf_xdp_get_buff_len(ctx) - (cur.end - cur.pos);
	r = parse_packet(&cur, &pkt);
	outcome = not_export(st, cfg, r, &pkt);
	if (outcome) {
		(*outcome)++;
		return XDP_PASS;
	}
	st->export_packets++;

	version = pkt.payload;
	if (r != PACKET_OK || (void *)(version + 1) > pkt.end ||
	    pkt.payload_len < sizeof(*version)) {
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
