/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one packet builder for tests and test tools: Ethernet (0-2 VLAN tags),
 * IPv4 (with options) or IPv6, UDP or TCP, and NetFlow v5, v9 and IPFIX
 * payloads. Layers are
 * appended in order into a fixed buffer; pkt_finish() then fills every length
 * and checksum, so a test states only what it cares about:
 *
 *	struct pkt p;
 *
 *	pkt_init(&p);
 *	pkt_eth(&p);
 *	pkt_vlan(&p, ETH_P_8021Q, 100);
 *	pkt_ipv4(&p, "192.0.2.1", "192.0.2.2", IPPROTO_UDP);
 *	pkt_udp(&p, 40000, 2055);
 *	pkt_v5_header(&p, 1, 1573812000, 0);
 *	pkt_v5_record(&p, &(struct v5rec){ .src = "100.64.0.7", ... });
 *	pkt_finish(&p);
 *
 * A test that wants a malformed packet edits the finished bytes (p.buf at
 * p.l3 / p.l4 / p.payload). Any misuse (overflow, bad address text) aborts:
 * a test with a wrong packet must not pass quietly.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

/* the largest frame replay takes: an IPv6 datagram of 64 KiB behind
 * Ethernet and two VLAN tags (HS_TEST_RUN_MAX_FRAME) */
#define PKT_MAX (14 + 8 + 40 + 65535)

struct pkt {
	uint8_t buf[PKT_MAX];
	size_t len;
	size_t ethertype;	/* offset of the ethertype the next layer sets; 0 = none */
	int l3;			/* offset of the IP header, -1 = none */
	int l4;			/* offset of the UDP/TCP header, -1 = none */
	int payload;		/* offset after the L4 header, -1 = none */
	uint8_t ipver;		/* 4 or 6 */
	uint8_t l4proto;	/* IPPROTO_UDP / IPPROTO_TCP, 0 = raw */
	uint16_t flowver;	/* 9 or 10 after a v9/IPFIX header, else 0 */
	int msg;		/* offset of the IPFIX header, -1 = none */
	int set;		/* offset of the open v9/IPFIX set, -1 = none */
};

static inline void pkt_die(const char *what)
{
	fprintf(stderr, "packet.h: %s\n", what);
	abort();
}

static inline void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->l3 = p->l4 = p->payload = p->msg = p->set = -1;
}

/* n zeroed bytes at the end of the packet */
static inline uint8_t *pkt_put(struct pkt *p, size_t n)
{
	uint8_t *b;

	if (p->len + n > PKT_MAX)
		pkt_die("packet larger than PKT_MAX");
	b = p->buf + p->len;
	memset(b, 0, n);
	p->len += n;
	return b;
}

static inline void pkt_w16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v;
}

static inline void pkt_w32(uint8_t *b, uint32_t v)
{
	pkt_w16(b, v >> 16);
	pkt_w16(b + 2, v);
}

static inline void pkt_bytes(struct pkt *p, const void *data, size_t n)
{
	memcpy(pkt_put(p, n), data, n);
}

/* Sets the pending ethertype (of the Ethernet header or the last VLAN tag). */
static inline void pkt_ethertype(struct pkt *p, uint16_t type)
{
	if (!p->ethertype)
		pkt_die("no Ethernet header to carry an ethertype");
	pkt_w16(p->buf + p->ethertype, type);
	p->ethertype = 0;
}

static inline void pkt_eth(struct pkt *p)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint8_t *b = pkt_put(p, ETH_HLEN);

	memcpy(b, macs, sizeof(macs));
	p->ethertype = p->len - 2;
}

/* One tag; tpid ETH_P_8021Q, or ETH_P_8021AD for the outer tag of QinQ. */
static inline void pkt_vlan(struct pkt *p, uint16_t tpid, uint16_t vid)
{
	uint8_t *b;

	pkt_ethertype(p, tpid);
	b = pkt_put(p, 4);
	pkt_w16(b, vid & 0xfff);
	p->ethertype = p->len - 2;
}

/* IPv4 address text -> network byte order */
static inline uint32_t pkt_a4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		pkt_die("bad IPv4 address");
	return a.s_addr;
}

static inline void pkt_a6(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET6, s, out) != 1)
		pkt_die("bad IPv6 address");
}

/* IPv4 header with optlen bytes of options (NOPs, ending in EOL), a multiple
 * of 4: ihl = 5 + optlen / 4. DF set, TTL 64; lengths come in pkt_finish. */
static inline void pkt_ipv4_raw(struct pkt *p, uint32_t src, uint32_t dst, uint8_t proto,
				size_t optlen)
{
	uint8_t *b;

	if (optlen % 4 || optlen > 40)
		pkt_die("IPv4 options: a multiple of 4, at most 40 bytes");
	pkt_ethertype(p, ETH_P_IP);
	p->l3 = (int)p->len;
	p->ipver = 4;
	p->l4proto = proto;
	b = pkt_put(p, 20 + optlen);
	b[0] = 0x40 | (uint8_t)(5 + optlen / 4);
	pkt_w16(b + 4, 1);		/* id */
	pkt_w16(b + 6, 0x4000);		/* DF */
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, &src, 4);
	memcpy(b + 16, &dst, 4);
	if (optlen) {
		memset(b + 20, 1, optlen - 1);	/* NOP */
		b[20 + optlen - 1] = 0;		/* EOL */
	}
}

static inline void pkt_ipv4_opts(struct pkt *p, const char *src, const char *dst, uint8_t proto,
				 size_t optlen)
{
	pkt_ipv4_raw(p, pkt_a4(src), pkt_a4(dst), proto, optlen);
}

static inline void pkt_ipv4(struct pkt *p, const char *src, const char *dst, uint8_t proto)
{
	pkt_ipv4_raw(p, pkt_a4(src), pkt_a4(dst), proto, 0);
}

static inline void pkt_ipv6_raw(struct pkt *p, const uint8_t src[16], const uint8_t dst[16],
				uint8_t nexthdr)
{
	uint8_t *b;

	pkt_ethertype(p, ETH_P_IPV6);
	p->l3 = (int)p->len;
	p->ipver = 6;
	p->l4proto = nexthdr;
	b = pkt_put(p, 40);
	b[0] = 0x60;
	b[6] = nexthdr;
	b[7] = 64;
	memcpy(b + 8, src, 16);
	memcpy(b + 24, dst, 16);
}

static inline void pkt_ipv6(struct pkt *p, const char *src, const char *dst, uint8_t nexthdr)
{
	uint8_t s[16], d[16];

	pkt_a6(src, s);
	pkt_a6(dst, d);
	pkt_ipv6_raw(p, s, d, nexthdr);
}

static inline bool pkt_addr_is_v4(const uint8_t a[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, mapped, sizeof(mapped));
}

/* Addresses as haystack stores them (IPv4-mapped for IPv4): the family
 * follows the addresses, which must agree. */
static inline void pkt_ip(struct pkt *p, const uint8_t src[16], const uint8_t dst[16],
			  uint8_t proto)
{
	uint32_t s, d;

	if (pkt_addr_is_v4(src) != pkt_addr_is_v4(dst))
		pkt_die("IPv4 and IPv6 addresses mixed in one packet");
	if (!pkt_addr_is_v4(src)) {
		pkt_ipv6_raw(p, src, dst, proto);
		return;
	}
	memcpy(&s, src + 12, 4);
	memcpy(&d, dst + 12, 4);
	pkt_ipv4_raw(p, s, d, proto, 0);
}

static inline void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t *b;

	p->l4 = (int)p->len;
	b = pkt_put(p, 8);
	pkt_w16(b, sport);
	pkt_w16(b + 2, dport);
	p->payload = (int)p->len;
}

#define PKT_FIN 0x01
#define PKT_SYN 0x02
#define PKT_RST 0x04
#define PKT_PSH 0x08
#define PKT_ACK 0x10

/* 20-byte TCP header (data offset 5), window 65535. */
static inline void pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint32_t seq,
			   uint32_t ack, uint8_t flags)
{
	uint8_t *b;

	p->l4 = (int)p->len;
	b = pkt_put(p, 20);
	pkt_w16(b, sport);
	pkt_w16(b + 2, dport);
	pkt_w32(b + 4, seq);
	pkt_w32(b + 8, ack);
	b[12] = 5 << 4;
	b[13] = flags;
	pkt_w16(b + 14, 65535);
	p->payload = (int)p->len;
}

/* NetFlow header fields shared by v5 and the bad-version cases: version,
 * count, sys_uptime, unix_secs, unix_nsecs, flow_sequence, engine, sampling. */
static inline void pkt_netflow_header(struct pkt *p, uint16_t version, uint16_t count,
				      uint32_t unix_secs, uint16_t sampling)
{
	uint8_t *b = pkt_put(p, 24);

	pkt_w16(b, version);
	pkt_w16(b + 2, count);
	pkt_w32(b + 4, 3600000);	/* sys_uptime, ms */
	pkt_w32(b + 8, unix_secs);
	pkt_w32(b + 16, 1);		/* flow_sequence */
	pkt_w16(b + 22, sampling);
}

static inline void pkt_v5_header(struct pkt *p, uint16_t count, uint32_t unix_secs,
				 uint16_t sampling)
{
	pkt_netflow_header(p, 5, count, unix_secs, sampling);
}

/* One flow: a NetFlow v5 record (fields not named here are zero), or the
 * values pkt_flow_record() writes into a v9/IPFIX record. */
struct v5rec {
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t tcp_flags;
	uint32_t packets, bytes;
};

static inline void pkt_v5_record(struct pkt *p, const struct v5rec *r)
{
	uint8_t *b = pkt_put(p, 48);
	uint32_t s = pkt_a4(r->src), d = pkt_a4(r->dst);

	memcpy(b, &s, 4);
	memcpy(b + 4, &d, 4);
	pkt_w32(b + 16, r->packets);
	pkt_w32(b + 20, r->bytes);
	pkt_w32(b + 24, 3599000);	/* first, ms of sys_uptime */
	pkt_w32(b + 28, 3599900);	/* last */
	pkt_w16(b + 32, r->sport);
	pkt_w16(b + 34, r->dport);
	b[37] = r->tcp_flags;
	b[38] = r->proto;
}

/*
 * NetFlow v9 (RFC 3954) and IPFIX (RFC 7011): a header, then sets of
 * template, options template or data records.
 *
 *	pkt_ipfix_header(&p, t, domain);
 *	pkt_set_begin(&p, pkt_template_set(&p));
 *	pkt_template(&p, 256, fields, n);
 *	pkt_set_end(&p);
 *	pkt_set_begin(&p, 256);
 *	pkt_flow_record(&p, fields, n, &(struct v5rec){ ... });
 *	pkt_put(&p, 2);			(padding, if wanted)
 *	pkt_set_end(&p);
 *	pkt_finish(&p);			(also the IPFIX message length)
 */

/* The length of a variable-length field in a template (IPFIX only). */
#define PKT_VARLEN	0xffff

/* A template's field specifier. pen != 0: an enterprise-specific field
 * (IPFIX: bit 15 of the ID set, then the 4-octet PEN). A variable-length
 * field's data records carry var octets, with a length of one octet, or of
 * 255 and two octets when var >= 255 or long_form is set (RFC 7011 §7). */
struct pkt_ie {
	uint16_t id, len;
	uint32_t pen;
	uint16_t var;
	bool long_form;
	const char *addr;	/* an address field written with this, not the record's */
	bool has_value;		/* an integer field written with value, not the record's */
	uint64_t value;
};

/* v9 header: count (of records, as the exporter says), sys_uptime 3600 s,
 * unix_secs, sequence 1, source ID. */
static inline void pkt_v9_header(struct pkt *p, uint16_t count, uint32_t unix_secs,
				 uint32_t source_id)
{
	uint8_t *b = pkt_put(p, 20);

	pkt_w16(b, 9);
	pkt_w16(b + 2, count);
	pkt_w32(b + 4, 3600000);
	pkt_w32(b + 8, unix_secs);
	pkt_w32(b + 12, 1);
	pkt_w32(b + 16, source_id);
	p->flowver = 9;
}

/* IPFIX header; its message length is filled in by pkt_finish(). */
static inline void pkt_ipfix_header(struct pkt *p, uint32_t export_time, uint32_t domain_id)
{
	uint8_t *b;

	p->msg = (int)p->len;
	b = pkt_put(p, 16);
	pkt_w16(b, 10);
	pkt_w32(b + 4, export_time);
	pkt_w32(b + 8, 1);
	pkt_w32(b + 12, domain_id);
	p->flowver = 10;
}

/* The template and options template set IDs of the header's version. */
static inline uint16_t pkt_template_set(const struct pkt *p)
{
	if (!p->flowver)
		pkt_die("no v9/IPFIX header before a set");
	return p->flowver == 9 ? 0 : 2;
}

static inline uint16_t pkt_options_set(const struct pkt *p)
{
	return pkt_template_set(p) + 1;
}

static inline void pkt_set_begin(struct pkt *p, uint16_t id)
{
	if (p->set >= 0)
		pkt_die("set begun inside a set");
	p->set = (int)p->len;
	pkt_w16(pkt_put(p, 4), id);
}

/* Fills the open set's length: what was added since pkt_set_begin(). */
static inline void pkt_set_end(struct pkt *p)
{
	if (p->set < 0)
		pkt_die("no set to end");
	pkt_w16(p->buf + p->set + 2, (uint16_t)(p->len - (size_t)p->set));
	p->set = -1;
}

static inline void pkt_ies(struct pkt *p, const struct pkt_ie *f, int n)
{
	for (int i = 0; i < n; i++) {
		uint8_t *b = pkt_put(p, f[i].pen ? 8 : 4);

		pkt_w16(b, f[i].id | (f[i].pen ? 0x8000 : 0));
		pkt_w16(b + 2, f[i].len);
		if (f[i].pen)
			pkt_w32(b + 4, f[i].pen);
	}
}

/* A template record; n 0 is an IPFIX withdrawal of template id. */
static inline void pkt_template(struct pkt *p, uint16_t id, const struct pkt_ie *f, int n)
{
	uint8_t *b = pkt_put(p, 4);

	pkt_w16(b, id);
	pkt_w16(b + 2, (uint16_t)n);
	pkt_ies(p, f, n);
}

/* An options template record: v9 gives scope and option lengths in octets
 * (4 a field), IPFIX the field count and the scope field count. */
static inline void pkt_options_template(struct pkt *p, uint16_t id, const struct pkt_ie *scope,
					int nscope, const struct pkt_ie *f, int n)
{
	uint8_t *b = pkt_put(p, 6);

	pkt_w16(b, id);
	if (p->flowver == 9) {
		pkt_w16(b + 2, (uint16_t)(4 * nscope));
		pkt_w16(b + 4, (uint16_t)(4 * n));
	} else {
		pkt_w16(b + 2, (uint16_t)(nscope + n));
		pkt_w16(b + 4, (uint16_t)nscope);
	}
	pkt_ies(p, scope, nscope);
	pkt_ies(p, f, n);
}

/* An unsigned integer in len octets (1..8), network byte order. */
static inline void pkt_uint(struct pkt *p, size_t len, uint64_t v)
{
	uint8_t *b = pkt_put(p, len);

	for (size_t i = len; i-- > 0; v >>= 8)
		b[i] = (uint8_t)v;
}

/* Octets a reader must skip: 0xee, so that a misread shows. */
static inline void pkt_filler(struct pkt *p, size_t n)
{
	memset(pkt_put(p, n), 0xee, n);
}

/* A field's value in a data record: addresses (8/12: 4 octets, 27/28: 16),
 * ports, protocol, flags and counters (in the template's length) from r;
 * variable-length and unknown fields as filler. */
static inline void pkt_field(struct pkt *p, const struct pkt_ie *f, const struct v5rec *r)
{
	if (f->len == PKT_VARLEN) {
		if (f->var >= 255 || f->long_form) {
			pkt_uint(p, 1, 255);
			pkt_uint(p, 2, f->var);
		} else {
			pkt_uint(p, 1, f->var);
		}
		pkt_filler(p, f->var);
		return;
	}
	if (f->has_value) {
		pkt_uint(p, f->len, f->value);
		return;
	}
	switch (f->pen ? 0 : f->id) {
	case 8: case 12: {
		const char *text = f->addr ?: f->id == 8 ? r->src : r->dst;
		uint32_t a = 0;

		/* an IPv6 record in a template with both families: IPv4 zero */
		if (!strchr(text, ':'))
			a = pkt_a4(text);
		pkt_bytes(p, &a, 4);
		return;
	}
	case 27: case 28: {
		const char *text = f->addr ?: f->id == 27 ? r->src : r->dst;

		if (strchr(text, ':'))
			pkt_a6(text, pkt_put(p, 16));
		else
			memset(pkt_put(p, 16), 0, 16);	/* and the reverse */
		return;
	}
	case 7: pkt_uint(p, f->len, r->sport); return;
	case 11: pkt_uint(p, f->len, r->dport); return;
	case 4: pkt_uint(p, f->len, r->proto); return;
	case 6: pkt_uint(p, f->len, r->tcp_flags); return;
	case 2: case 24: case 86: pkt_uint(p, f->len, r->packets); return;
	case 1: case 23: case 85: pkt_uint(p, f->len, r->bytes); return;
	}
	pkt_filler(p, f->len);
}

/* A data record of the template f[0..n). */
static inline void pkt_flow_record(struct pkt *p, const struct pkt_ie *f, int n,
				   const struct v5rec *r)
{
	for (int i = 0; i < n; i++)
		pkt_field(p, &f[i], r);
}

static inline uint32_t pkt_sum(uint32_t sum, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static inline uint16_t pkt_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Fills the IPFIX message length, IP total/payload length, UDP length and
 * the IPv4, UDP and TCP checksums (real ones, so tcpdump and softflowd see
 * clean packets). */
static inline void pkt_finish(struct pkt *p)
{
	uint8_t *ip = p->l3 >= 0 ? p->buf + p->l3 : NULL;
	uint8_t *l4 = p->l4 >= 0 ? p->buf + p->l4 : NULL;
	size_t l4len = l4 ? p->len - (size_t)p->l4 : 0;
	uint32_t sum;

	if (p->set >= 0)
		pkt_die("set not ended");
	if (p->msg >= 0)
		pkt_w16(p->buf + p->msg + 2, (uint16_t)(p->len - (size_t)p->msg));
	if (!ip)
		return;
	if (p->ipver == 4) {
		size_t ihl = (ip[0] & 0xf) * 4u;

		pkt_w16(ip + 2, (uint16_t)(p->len - (size_t)p->l3));
		pkt_w16(ip + 10, 0);
		pkt_w16(ip + 10, pkt_fold(pkt_sum(0, ip, ihl)));
	} else {
		pkt_w16(ip + 4, (uint16_t)(p->len - (size_t)p->l3 - 40));
	}
	if (!l4)
		return;
	if (p->l4proto == IPPROTO_UDP)
		pkt_w16(l4 + 4, (uint16_t)l4len);
	if (p->l4proto != IPPROTO_UDP && p->l4proto != IPPROTO_TCP)
		return;
	/* pseudo-header: addresses, protocol, L4 length */
	sum = p->ipver == 4 ? pkt_sum(0, ip + 12, 8) : pkt_sum(0, ip + 8, 32);
	sum += p->l4proto + (uint32_t)l4len;
	pkt_w16(l4 + (p->l4proto == IPPROTO_UDP ? 6 : 16), 0);
	sum = pkt_fold(pkt_sum(sum, l4, l4len));
	/* UDP sends a computed 0 as 0xffff: 0 means "no checksum" */
	if (p->l4proto == IPPROTO_UDP && !sum)
		sum = 0xffff;
	pkt_w16(l4 + (p->l4proto == IPPROTO_UDP ? 6 : 16), (uint16_t)sum);
}

/* Ends a finished packet after its first n bytes, as a capture's snap
 * length or a sampled header would. */
static inline void pkt_cut(struct pkt *p, size_t n)
{
	if (n > p->len)
		pkt_die("cut beyond the end of the packet");
	p->len = n;
}
