/* SPDX-License-Identifier: GPL-2.0 */
/* NetFlow v5: a 24-byte header and up to 30 fixed 48-byte records. */
#pragma once

#include "classify.h"
#include "packet.h"

#define NETFLOW_V5	5

struct netflow_v5_header {
	__be16 version;
	__be16 count;
	__be32 sys_uptime;
	__be32 unix_secs;
	__be32 unix_nsecs;
	__be32 flow_sequence;
	__u8 engine_type;
	__u8 engine_id;
	__be16 sampling_interval;	/* top 2 bits mode, low 14 bits interval */
};

struct netflow_v5_record {
	__be32 srcaddr;
	__be32 dstaddr;
	__be32 nexthop;
	__be16 input;
	__be16 output;
	__be32 packets;
	__be32 octets;
	__be32 first;
	__be32 last;
	__be16 srcport;
	__be16 dstport;
	__u8 pad1;
	__u8 tcp_flags;
	__u8 proto;
	__u8 tos;
	__be16 src_as;
	__be16 dst_as;
	__u8 src_mask;
	__u8 dst_mask;
	__be16 pad2;
};

_Static_assert(sizeof(struct netflow_v5_header) == 24, "v5 header");
_Static_assert(sizeof(struct netflow_v5_record) == 48, "v5 record");

/* The UDP payload of pkt, an export packet: counted in exactly one export
 * packet outcome. A subprogram of its own, decoding into the cursor's
 * record: the entry's frame, which the v9/IPFIX walk's call chain shares,
 * then holds none of this. */
static __noinline void parse_netflow_v5(struct haystack_stats *st,
					     const struct haystack_config *cfg,
					     const struct packet *pkt)
{
	struct netflow_v5_header *h = pkt->payload;
	struct netflow_v5_record *r = (void *)(h + 1);
	__u32 count, present, sampling, uptime;
	__u64 t, bin, export_ms;
	__u32 generation, slot, zero = 0;
	struct flow_record *rec;
	struct flow_cursor *c;
	__u8 stale;

	if ((void *)(h + 1) > pkt->end || pkt->payload_len < sizeof(*h)) {
		st->truncated_header++;
		return;
	}
	count = bpf_ntohs(h->count);
	if (count > HAYSTACK_V5_MAX_RECORDS) {
		st->count_too_large++;
		return;
	}
	/* A datagram shorter than its header says is malformed as a whole:
	 * none of it is counted rather than a guessed part of it. */
	present = (pkt->payload_len - sizeof(*h)) / sizeof(*r);
	if (count > present) {
		st->count_exceeds_packet++;
		return;
	}
	c = bpf_map_lookup_elem(&cursor, &zero);
	if (!c)
		return;
	rec = &c->rec;
	st->v5_packets++;
	t = bpf_ntohl(h->unix_secs);
	/* v5 has no observation domain; its engine is the closest to one */
	/* v5 has no observation domain; its engine is the closest to one.
	 * count was checked against the datagram: count > 0 are valid records. */
	if (!clock_datagram(st, pkt->src,
			    CLOCK_SCOPE(h->engine_type << 8 | h->engine_id, NETFLOW_V5), t, count))
		return;
	bin = bin_of(cfg, t);
	generation = dictionary_at(t, &stale, &slot);
	/* Low 14 bits: 1-in-N; 0 means unsampled. */
	sampling = bpf_ntohs(h->sampling_interval) & 0x3fff;
	/* the header's clock, for the flow times of --records */
	export_ms = t * 1000 + bpf_ntohl(h->unix_nsecs) / 1000000;
	uptime = bpf_ntohl(h->sys_uptime);

	/* What every record of the datagram shares, written once; a record
	 * writes its own fields and resets what classify_record() wrote. */
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->version = 5;
	rec->export_time = t;
	rec->generation = generation;
	rec->dict_slot = slot;
	rec->stale = stale;
	__builtin_memcpy(rec->exporter, pkt->src, 16);
	for (__u32 i = 0; i < HAYSTACK_V5_MAX_RECORDS; i++) {
		if (i >= count)
			break;
		if ((void *)(r + 1) > pkt->end)
			break;
		rec->sampling = sampling;
		rec->subscriber_side = 0;
		rec->ruleset = 0;
		rec->rule_mask = 0;
		addr_from_v4_aligned(rec->src, r->srcaddr);
		addr_from_v4_aligned(rec->dst, r->dstaddr);
		rec->sport = bpf_ntohs(r->srcport);
		rec->dport = bpf_ntohs(r->dstport);
		rec->proto = r->proto;
		rec->tcp_flags = r->tcp_flags;
		rec->packets = bpf_ntohl(r->packets);
		rec->bytes = bpf_ntohl(r->octets);
		/* first/last are ms of the exporter's uptime at the flow's
		 * edges; they only show in --records, as in v9/IPFIX */
		if (cfg->flags & HAYSTACK_F_RECORDS) {
			rec->start_ms = export_ms - (__u32)(uptime - bpf_ntohl(r->first));
			rec->end_ms = export_ms - (__u32)(uptime - bpf_ntohl(r->last));
		}
		classify_record(st, cfg, bin, rec);
		r++;
	}
}
