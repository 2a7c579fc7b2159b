/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ethernet (up to two VLAN tags) / IPv4 / IPv6 / UDP / TCP, parsed on a
 * cursor: a position and the end of what may be read. The parser says what
 * a packet is, never what to do with it: the caller decides (the entry point:
 * UDP to a collector port is an export datagram). It takes its start from
 * the caller, so a packet inside another one (a mirrored frame, a sampled
 * header of an sFlow datagram) is parsed the same way.
 */
#pragma once

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>

struct vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

/* What is read next, and where direct reading must stop (for XDP, data_end:
 * what the verifier bounds every access against). A multi-buffer frame (a
 * jumbo frame, a large replayed datagram) goes on in fragments after end:
 * tail says how many octets, which only bpf_xdp_load_bytes reads. Headers
 * are read directly; a payload may reach into the tail. */
struct packet_cursor {
	void *pos;
	void *end;
	__u32 tail;
};

/* Why a packet was not parsed down to its L4 payload. */
enum packet_reason {
	PACKET_OK = 0,
	PACKET_TOO_SHORT,	/* ends inside its Ethernet header or VLAN tags */
	PACKET_NOT_IP,		/* neither IPv4 nor IPv6 */
	PACKET_BAD_IP_HEADER,	/* IPv4 ihl below 5, or an IP header beyond the end */
	PACKET_FRAGMENT,	/* an IPv4 or IPv6 fragment, first or later: no whole
				 * datagram (a first one has its ports) */
	PACKET_L4_TRUNCATED,	/* UDP or TCP header cut short */
	PACKET_BAD_L4_LENGTH,	/* UDP length below 8, TCP data offset below 5 */
};

/* What a packet is, as far as it was parsed: a field not reached is 0. */
struct packet {
	__u8 src[16];		/* IPv4-mapped for IPv4 */
	__u8 dst[16];
	__u16 sport;		/* host byte order; UDP and TCP */
	__u16 dport;
	__u8 proto;		/* IPPROTO_* */
	__u8 tcp_flags;
	__u16 _pad;
	__u32 payload_len;	/* octets of L4 payload in the frame, its tail included
				 * (UDP: and within its length) */
	void *payload;		/* after the L4 header */
	void *end;		/* the end of what may be read directly */
};

static __always_inline void addr_from_v4(__u8 dst[16], __be32 a)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &a, 4);
}

/* The same into an address that is 8-aligned (a flow_record's, in a map
 * value): three stores, where clang writes a __u8 array an octet at a
 * time. */
static __always_inline void addr_from_v4_aligned(__u8 dst[16], __be32 a)
{
	__u32 *w = (__u32 *)dst;

	*(__u64 *)dst = 0;
	w[2] = bpf_htonl(0xffff);
	w[3] = a;
}

/* Ethernet and its tags: *proto is the ethertype of what follows. */
static __always_inline enum packet_reason parse_ethernet(struct packet_cursor *c, __u16 *proto)
{
	struct ethhdr *eth = c->pos;

	if ((void *)(eth + 1) > c->end)
		return PACKET_TOO_SHORT;
	*proto = eth->h_proto;
	c->pos = eth + 1;

	/* 802.1Q and 802.1ad (QinQ): at most two tags, as an access or
	 * aggregation network puts them on a mirrored or exported frame. */
#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *vh = c->pos;

		if (*proto != bpf_htons(ETH_P_8021Q) && *proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > c->end)
			return PACKET_TOO_SHORT;
		*proto = vh->encapsulated_proto;
		c->pos = vh + 1;
	}
	return PACKET_OK;
}

/* UDP and TCP ports, which both carry in their first four octets: read even
 * when the rest of the header is cut short. */
static __always_inline bool parse_ports(const struct packet_cursor *c, struct packet *pkt)
{
	__be16 *ports = c->pos;

	if ((void *)(ports + 2) > c->end)
		return false;
	pkt->sport = bpf_ntohs(ports[0]);
	pkt->dport = bpf_ntohs(ports[1]);
	return true;
}

/* RFC 8200 §4.5 */
struct ipv6_fragment_header {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;	/* offset in 8-octet units << 3, M flag in bit 0 */
	__be32 identification;
};

/* The IP header of ethertype proto (network byte order): addresses and
 * protocol into *pkt, the cursor on the L4 header. */
static __always_inline enum packet_reason parse_ip(struct packet_cursor *c, __u16 proto,
						   struct packet *pkt)
{
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = c->pos;
		__u32 hlen;

		if ((void *)(iph + 1) > c->end)
			return PACKET_BAD_IP_HEADER;
		hlen = iph->ihl * 4;
		if (hlen < sizeof(*iph) || c->pos + hlen > c->end)
			return PACKET_BAD_IP_HEADER;
		pkt->proto = iph->protocol;
		addr_from_v4(pkt->src, iph->saddr);
		addr_from_v4(pkt->dst, iph->daddr);
		c->pos += hlen;
		/* Any fragment: the datagram is not whole here. A first one
		 * still has its L4 header, whose ports say whose it was; a
		 * later one has none. */
		if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET)) {
			if (!(iph->frag_off & bpf_htons(IP_OFFSET)))
				parse_ports(c, pkt);
			return PACKET_FRAGMENT;
		}
		return PACKET_OK;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = c->pos;

		if ((void *)(ip6 + 1) > c->end)
			return PACKET_BAD_IP_HEADER;
		/* Extension headers are not followed, but for a fragment
		 * header: exporters send plain UDP datagrams, and one behind
		 * another header is reported as that header's protocol. */
		pkt->proto = ip6->nexthdr;
		__builtin_memcpy(pkt->src, &ip6->saddr, 16);
		__builtin_memcpy(pkt->dst, &ip6->daddr, 16);
		c->pos = ip6 + 1;
		if (pkt->proto == IPPROTO_FRAGMENT) {
			struct ipv6_fragment_header *fh = c->pos;
			__u16 off;

			if ((void *)(fh + 1) > c->end)
				return PACKET_BAD_IP_HEADER;
			pkt->proto = fh->nexthdr;
			c->pos = fh + 1;
			off = bpf_ntohs(fh->frag_off);
			/* offset 0 and no more fragments: an atomic
			 * fragment (RFC 6946), the whole datagram */
			if (off & ~7U || off & 1) {
				if (!(off & ~7U))
					parse_ports(c, pkt);
				return PACKET_FRAGMENT;
			}
		}
		return PACKET_OK;
	}
	return PACKET_NOT_IP;
}

/* The L4 header of pkt->proto: ports, TCP flags, and where the payload is.
 * Other protocols are their own payload. */
static __always_inline enum packet_reason parse_l4(struct packet_cursor *c, struct packet *pkt)
{
	__u32 len = 0;

	if (pkt->proto == IPPROTO_UDP) {
		struct udphdr *udp = c->pos;

		if (!parse_ports(c, pkt) || (void *)(udp + 1) > c->end)
			return PACKET_L4_TRUNCATED;
		/* The datagram ends where UDP says, not at the end of the
		 * frame: an Ethernet trailer must not be read as its payload.
		 * A length beyond the frame (a capture cut short) leaves
		 * what is there. */
		len = bpf_ntohs(udp->len);
		if (len < sizeof(*udp))
			return PACKET_BAD_L4_LENGTH;
		len -= sizeof(*udp);
		c->pos = udp + 1;
	} else if (pkt->proto == IPPROTO_TCP) {
		struct tcphdr *tcp = c->pos;
		__u32 hlen;

		if (!parse_ports(c, pkt) || (void *)(tcp + 1) > c->end)
			return PACKET_L4_TRUNCATED;
		pkt->tcp_flags = ((__u8 *)tcp)[13];
		hlen = tcp->doff * 4;
		if (hlen < sizeof(*tcp))
			return PACKET_BAD_L4_LENGTH;
		if (c->pos + hlen > c->end)
			return PACKET_L4_TRUNCATED;
		c->pos += hlen;
	}
	pkt->payload = c->pos;
	pkt->end = c->end;
	pkt->payload_len = (c->end - c->pos) + c->tail;
	if (pkt->proto == IPPROTO_UDP && len < pkt->payload_len)
		pkt->payload_len = len;
	return PACKET_OK;
}

/* A packet from its Ethernet header at c->pos: *pkt holds what was reached,
 * the cursor stops where parsing stopped (the L4 payload when PACKET_OK). */
static __always_inline enum packet_reason parse_packet(struct packet_cursor *c,
						       struct packet *pkt)
{
	enum packet_reason r;
	__u16 proto = 0;

	__builtin_memset(pkt, 0, sizeof(*pkt));
	r = parse_ethernet(c, &proto);
	if (r == PACKET_OK)
		r = parse_ip(c, proto, pkt);
	if (r == PACKET_OK)
		r = parse_l4(c, pkt);
	return r;
}
