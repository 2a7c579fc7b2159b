/* SPDX-License-Identifier: GPL-2.0 */
/* Ethernet (up to two VLAN tags) / IPv4 / IPv6 / UDP down to the payload. */
#pragma once

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include "haystack.h"

struct vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

/* The export datagram as the collector sees it: who sent it, where it goes. */
struct export_packet {
	__u8 exporter[16];		/* IPv4-mapped for IPv4 */
	__u16 dport;
	void *payload;
	void *end;			/* data_end: what the verifier bounds against */
	__u32 len;			/* payload bytes of the datagram present in the frame */
};

static __always_inline void addr_from_v4(__u8 dst[16], __be32 a)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &a, 4);
}

/* Returns 0 with *pkt filled, or a pointer to the stats field that says why
 * the frame is not a UDP datagram we can read. */
static __always_inline __u64 *parse_udp(struct xdp_md *ctx, struct haystack_stats *st,
					struct export_packet *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u32 udp_len;
	void *l3;
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return &st->too_short;
	proto = eth->h_proto;
	l3 = eth + 1;

	/* 802.1Q and 802.1ad (QinQ): at most two tags, as an access or
	 * aggregation network puts them on a mirrored or exported frame. */
#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *vh = l3;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return &st->too_short;
		proto = vh->encapsulated_proto;
		l3 = vh + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = l3;
		__u32 hlen;

		if ((void *)(iph + 1) > data_end)
			return &st->bad_ip_header;
		hlen = iph->ihl * 4;
		if (hlen < sizeof(*iph) || l3 + hlen > data_end)
			return &st->bad_ip_header;
		/* Any fragment: the datagram is not whole here, and a
		 * non-first one has no UDP header at all. */
		if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))
			return &st->ip_fragment;
		if (iph->protocol != IPPROTO_UDP)
			return &st->not_udp;
		addr_from_v4(pkt->exporter, iph->saddr);
		udp = l3 + hlen;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return &st->bad_ip_header;
		/* Extension headers are not followed: exporters send plain
		 * UDP datagrams. */
		if (ip6->nexthdr != IPPROTO_UDP)
			return &st->not_udp;
		__builtin_memcpy(pkt->exporter, &ip6->saddr, 16);
		udp = (void *)(ip6 + 1);
	} else {
		return &st->not_ip;
	}

	if ((void *)(udp + 1) > data_end)
		return &st->truncated_header;
	/* The datagram ends where UDP says, not at the end of the frame:
	 * an Ethernet trailer must not be read as flow records. A length
	 * beyond the frame (a capture cut short) leaves what is there. */
	udp_len = bpf_ntohs(udp->len);
	if (udp_len < sizeof(*udp))
		return &st->bad_udp_length;
	pkt->dport = bpf_ntohs(udp->dest);
	pkt->payload = udp + 1;
	pkt->end = data_end;
	pkt->len = data_end - pkt->payload;
	if (udp_len - sizeof(*udp) < pkt->len)
		pkt->len = udp_len - sizeof(*udp);
	return 0;
}
