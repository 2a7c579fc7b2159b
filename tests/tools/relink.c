// SPDX-License-Identifier: GPL-2.0
/*
 * relink — rewrite an Ethernet pcap with another link-layer header, so the
 * replay path for captures that are not Ethernet can be tested against the
 * Ethernet original: same packets, same timestamps, only the link layer
 * differs.
 *
 *   relink --to raw|sll|sll2|null|loop|ipv4|ipv6|pcapng IN.pcap OUT
 *
 *   raw     DLT_RAW (LINKTYPE_RAW 101): the IP packet, no link header
 *   ipv4    DLT_IPV4 (228): the same, IPv4 packets only
 *   ipv6    DLT_IPV6 (229): the same, IPv6 packets only
 *   sll     DLT_LINUX_SLL (113): 16-byte Linux cooked header
 *   sll2    DLT_LINUX_SLL2 (276): 20-byte Linux cooked v2 header
 *   null    DLT_NULL (0): 4-byte address family, host byte order
 *   loop    DLT_LOOP (108): 4-byte address family, network byte order
 *   pcapng  the Ethernet frames unchanged, in a pcapng file
 *
 * VLAN tags are stripped (the cooked and raw forms carry the inner
 * ethertype). Errors: one line on stderr, exit 2.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include <pcap/dlt.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2	276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4	228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6	229
#endif

#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define ARPHRD_ETHER	1
/* Linux packet types (linux/if_packet.h), as the cooked headers carry them. */
#define PACKET_HOST		0
#define PACKET_BROADCAST	1
#define PACKET_MULTICAST	2
/* DLT_NULL/DLT_LOOP carry the capturing OS's AF_ value. AF_INET is 2
 * everywhere; for IPv6 the link-type registry (tcpdump.org linktypes.html,
 * LINKTYPE_NULL) lists only the BSD values 24, 28, 30 — Linux's 10 is none
 * of them, so use the one NetBSD and OpenBSD share. */
#define NULL_AF_INET	2
#define NULL_AF_INET6	24
/* Interface index in the SLL2 header: any will do, lo's is 1. */
#define SLL2_IFINDEX	1

enum target { T_RAW, T_IPV4, T_IPV6, T_SLL, T_SLL2, T_NULL, T_LOOP, T_PCAPNG };

static const struct {
	const char *name;
	enum target t;
	int dlt;
} targets[] = {
	{ "raw", T_RAW, DLT_RAW },
	{ "ipv4", T_IPV4, DLT_IPV4 },
	{ "ipv6", T_IPV6, DLT_IPV6 },
	{ "sll", T_SLL, DLT_LINUX_SLL },
	{ "sll2", T_SLL2, DLT_LINUX_SLL2 },
	{ "null", T_NULL, DLT_NULL },
	{ "loop", T_LOOP, DLT_LOOP },
	{ "pcapng", T_PCAPNG, DLT_EN10MB },
};

static const char *in_path, *out_path;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("relink: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (out_path)
		remove(out_path);	/* no half-written output left behind */
	exit(2);
}

static void put16be(unsigned char *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32be(unsigned char *p, uint32_t v)
{
	put16be(p, v >> 16);
	put16be(p + 2, v);
}

static uint16_t get16be(const unsigned char *p)
{
	return p[0] << 8 | p[1];
}

static uint8_t pkttype(const unsigned char *dst)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (!memcmp(dst, bcast, 6))
		return PACKET_BROADCAST;
	return dst[0] & 1 ? PACKET_MULTICAST : PACKET_HOST;
}

/* The link header for frame @p in the @t form, into @hdr; its length. */
static size_t link_header(enum target t, const unsigned char *p, uint16_t proto,
			  unsigned char *hdr, unsigned long long n)
{
	uint32_t af;

	switch (t) {
	case T_RAW:
	case T_IPV4:
	case T_IPV6:
		if ((proto != ETH_P_IP || t == T_IPV6) && (proto != ETH_P_IPV6 || t == T_IPV4))
			die("%s: frame %llu: ethertype 0x%04x has no %s form", in_path, n, proto,
			    t == T_IPV4 ? "DLT_IPV4" : t == T_IPV6 ? "DLT_IPV6" : "raw IP");
		return 0;
	case T_SLL:
		/* tcpdump.org linktypes/LINKTYPE_LINUX_SLL: packet type, ARPHRD_,
		 * address length, 8 address bytes, protocol; all big endian. */
		memset(hdr, 0, 16);
		put16be(hdr, pkttype(p));
		put16be(hdr + 2, ARPHRD_ETHER);
		put16be(hdr + 4, 6);
		memcpy(hdr + 6, p + 6, 6);
		put16be(hdr + 14, proto);
		return 16;
	case T_SLL2:
		/* LINKTYPE_LINUX_SLL2: protocol, reserved, ifindex, ARPHRD_,
		 * packet type, address length, 8 address bytes. */
		memset(hdr, 0, 20);
		put16be(hdr, proto);
		put32be(hdr + 4, SLL2_IFINDEX);
		put16be(hdr + 8, ARPHRD_ETHER);
		hdr[10] = pkttype(p);
		hdr[11] = 6;
		memcpy(hdr + 12, p + 6, 6);
		return 20;
	case T_NULL:
	case T_LOOP:
		if (proto != ETH_P_IP && proto != ETH_P_IPV6)
			die("%s: frame %llu: ethertype 0x%04x has no loopback form", in_path, n,
			    proto);
		af = proto == ETH_P_IP ? NULL_AF_INET : NULL_AF_INET6;
		if (t == T_LOOP)
			put32be(hdr, af);
		else
			memcpy(hdr, &af, 4);
		return 4;
	case T_PCAPNG:
		break;
	}
	return 0;
}

/*
 * pcapng by hand (draft-ietf-opsawg-pcapng, "General Block Structure"):
 * every block is type, total length, body padded to 32 bits, total length
 * again; written in this host's byte order, which the Section Header
 * Block's byte-order magic announces.
 */
static void ng_block(FILE *f, uint32_t type, const void *body, size_t len, const void *data,
		     size_t data_len)
{
	static const unsigned char pad[4];
	size_t data_pad = -data_len & 3;
	uint32_t total = 12 + len + data_len + data_pad;

	if (fwrite(&type, 4, 1, f) != 1 || fwrite(&total, 4, 1, f) != 1 ||
	    fwrite(body, len, 1, f) != 1 ||
	    (data_len && fwrite(data, data_len, 1, f) != 1) ||
	    (data_pad && fwrite(pad, data_pad, 1, f) != 1) || fwrite(&total, 4, 1, f) != 1)
		die("cannot write %s", out_path);
}

static void ng_header(FILE *f, int snaplen)
{
	/* "Section Header Block": byte-order magic, version 1.0, section
	 * length unknown (-1), no options. */
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int64_t section_len;
	} __attribute__((packed)) shb = { 0x1a2b3c4d, 1, 0, -1 };
	/* "Interface Description Block": link type, reserved, snaplen; no
	 * if_tsresol option, so timestamps are in the default microseconds. */
	struct {
		uint16_t linktype, reserved;
		uint32_t snaplen;
	} idb = { DLT_EN10MB, 0, snaplen };

	ng_block(f, 0x0a0d0d0a, &shb, sizeof(shb), NULL, 0);
	ng_block(f, 1, &idb, sizeof(idb), NULL, 0);
}

static void ng_packet(FILE *f, const struct pcap_pkthdr *h, const unsigned char *p)
{
	/* "Enhanced Packet Block": interface 0, 64-bit timestamp in if_tsresol
	 * units split high/low, captured and original length, then the data. */
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
	uint32_t epb[5] = { 0, ts >> 32, (uint32_t)ts, h->caplen, h->len };

	ng_block(f, 6, epb, sizeof(epb), p, h->caplen);
}

static void usage(void)
{
	fprintf(stderr, "usage: relink --to raw|sll|sll2|null|loop|ipv4|ipv6|pcapng IN.pcap OUT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static unsigned char buf[20 + 262144];
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const unsigned char *p;
	unsigned long long n = 0;
	pcap_dumper_t *dump = NULL;
	pcap_t *in, *dead = NULL;
	FILE *ng = NULL;
	size_t i;
	int rc;

	if (argc != 5 || strcmp(argv[1], "--to"))
		usage();
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (!strcmp(argv[2], targets[i].name))
			break;
	if (i == sizeof(targets) / sizeof(targets[0]))
		usage();
	in_path = argv[3];

	in = pcap_open_offline(in_path, errbuf);
	if (!in)
		die("%s", errbuf);	/* libpcap's message names the file */
	if (pcap_datalink(in) != DLT_EN10MB)
		die("%s: link type %s, expected Ethernet", in_path,
		    pcap_datalink_val_to_name(pcap_datalink(in)) ?: "unknown");

	out_path = argv[4];
	if (targets[i].t == T_PCAPNG) {
		ng = fopen(out_path, "wb");
		if (!ng)
			die("cannot write %s", out_path);
		ng_header(ng, pcap_snapshot(in));
	} else {
		dead = pcap_open_dead(targets[i].dlt, pcap_snapshot(in));
		if (!dead)
			die("pcap_open_dead failed");
		dump = pcap_dump_open(dead, out_path);
		if (!dump)
			die("%s", pcap_geterr(dead));
	}

	while ((rc = pcap_next_ex(in, &h, &p)) == 1) {
		struct pcap_pkthdr oh = *h;
		size_t l3 = ETH_HLEN, hl;
		uint16_t proto;

		n++;
		if (ng) {
			ng_packet(ng, h, p);
			continue;
		}
		if (h->caplen < ETH_HLEN)
			die("%s: frame %llu: shorter than an Ethernet header", in_path, n);
		proto = get16be(p + 12);
		/* 802.1Q and 802.1ad tags: the cooked and raw forms have none. */
		while (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
			if (h->caplen < l3 + 4)
				die("%s: frame %llu: truncated VLAN tag", in_path, n);
			proto = get16be(p + l3 + 2);
			l3 += 4;
		}
		hl = link_header(targets[i].t, p, proto, buf, n);
		memcpy(buf + hl, p + l3, h->caplen - l3);
		oh.caplen = h->caplen - l3 + hl;
		oh.len = (h->len > l3 ? h->len - l3 : 0) + hl;
		pcap_dump((unsigned char *)dump, &oh, buf);
	}
	if (rc == PCAP_ERROR)
		die("%s: frame %llu: %s", in_path, n + 1, pcap_geterr(in));
	if (ng && fclose(ng))
		die("cannot write %s", out_path);
	if (dump && pcap_dump_flush(dump))
		die("cannot write %s", out_path);
	if (dump)
		pcap_dump_close(dump);
	if (dead)
		pcap_close(dead);
	pcap_close(in);
	return 0;
}
