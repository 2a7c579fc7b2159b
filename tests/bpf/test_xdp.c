// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP program on crafted NetFlow v5 and malformed frames, through
 * BPF_PROG_TEST_RUN; the runner, the test dictionary and subscribers are
 * described in tests/lib/xdp_table.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "xdp_table.h"

/* ---- builders ---- */

/* One v5 record in a datagram from exporter (IPv4 only) to dport. */
static void one_record_from(struct pkt *p, enum outer o, const char *exporter, uint16_t dport,
			    const struct v5rec *r, uint32_t t)
{
	export_begin_from(p, o, exporter, dport);
	pkt_v5_header(p, 1, t, 0);
	pkt_v5_record(p, r);
	pkt_finish(p);
}

static void one_record(struct pkt *p, enum outer o, const struct v5rec *r, uint32_t t)
{
	one_record_from(p, o, EXPORTER, PORT, r, t);
}

static const struct v5rec SUB_TO_CAM = {
	.src = SUB, .dst = CAM, .sport = 50123, .dport = 443, .proto = IPPROTO_TCP,
	.tcp_flags = 0x18, .packets = 3, .bytes = 420,
};

static void b_sub_src(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, T0);
}

static void b_sub_dst(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = CAM, .dst = SUB, .sport = 443,
			.dport = 50123, .proto = IPPROTO_TCP, .packets = 3, .bytes = 420 }, T0);
}

static void b_v5_sampled(struct pkt *p, int f, int v)
{
	/* mode 01 (random) in the top 2 bits, 1-in-10 in the low 14 */
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 1, T0, 0x4000 | 10);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
}

static void b_ipv6_outer(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V6, &SUB_TO_CAM, T0);
}

static void b_vlan(struct pkt *p, int f, int v)
{
	one_record(p, OUT_VLAN, &SUB_TO_CAM, T0);
}

static void b_qinq(struct pkt *p, int f, int v)
{
	one_record(p, OUT_QINQ, &SUB_TO_CAM, T0);
}

static void b_ip_options(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4_OPTS, &SUB_TO_CAM, T0);
}

static void b_not_subscriber(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = NONSUB, .dst = CAM, .sport = 50123,
			.dport = 443, .proto = IPPROTO_TCP, .packets = 3, .bytes = 420 }, T0);
}

/* Ends in /24s that subscribers-blocks.txt fills whole, in part or not at
 * all, each once as source and once as destination, the other end in no
 * subscriber or dictionary prefix: the first five of each half are
 * subscribers, the other five not. */
static const char *const block_ends[10] = {
	"100.64.200.1", "198.18.5.200", "198.18.7.9", "10.255.255.255", "203.0.113.77",
	"100.65.0.1", "198.18.5.100", "198.18.7.10", "11.0.0.0", "9.255.255.255",
};

static void b_subscriber_blocks(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 20, T0, 0);
	for (int i = 0; i < 20; i++) {
		const char *end = block_ends[i % 10];

		pkt_v5_record(p, &(struct v5rec){ .src = i < 10 ? end : OTHER,
						  .dst = i < 10 ? OTHER : end, .sport = 50123,
						  .dport = 443, .proto = IPPROTO_TCP, .packets = 1,
						  .bytes = 60 });
	}
	pkt_finish(p);
}

static void b_port_mismatch(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = SUB, .dst = CAM, .sport = 50123,
			.dport = 80, .proto = IPPROTO_TCP, .packets = 3, .bytes = 420 }, T0);
}

static void b_proto_mismatch(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = SUB, .dst = NTP, .sport = 50123,
			.dport = 123, .proto = IPPROTO_TCP, .packets = 1, .bytes = 76 }, T0);
}

static void b_udp_rule(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = SUB, .dst = NTP, .sport = 50123,
			.dport = 123, .proto = IPPROTO_UDP, .packets = 1, .bytes = 76 }, T0);
}

static void b_portless(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 2, T0, 0);
	pkt_v5_record(p, &(struct v5rec){ .src = SUB, .dst = HUB, .sport = 50123,
			.dport = 12345, .proto = IPPROTO_UDP, .packets = 2, .bytes = 200 });
	pkt_v5_record(p, &(struct v5rec){ .src = HUB, .dst = SUB, .sport = 80,
			.dport = 50124, .proto = IPPROTO_TCP, .packets = 5, .bytes = 3000 });
	pkt_finish(p);
}

static void b_no_service(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = SUB, .dst = OTHER, .sport = 50123,
			.dport = 443, .proto = IPPROTO_TCP, .packets = 3, .bytes = 420 }, T0);
}

static void b_overlap(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = SUB, .dst = RELAY, .sport = 50123,
			.dport = 443, .proto = IPPROTO_TCP, .packets = 4, .bytes = 500 }, T0);
}

/* The exporter's clock (include/haystack.h HAYSTACK_CLOCK_WINDOW): one
 * header from 1970 or 2106 between two sound ones, and a real change of a
 * year, followed after HAYSTACK_CLOCK_FOLLOW datagrams agreeing. */
#define YEAR	(365 * 86400U)

static void b_time_1970(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, f == 1 ? 1 : T0);
}

static void b_time_2106(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, f == 1 ? 0xffffffffU : T0);
}

/* frame 0 at T0, then the clock a year on */
static void b_time_year(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, f ? T0 + YEAR + f : T0);
}

/* a jump, then an empty datagram at the old time: it moves no clock, and
 * the jump does not count as agreeing with a later one */
static void b_time_jump_empty(struct pkt *p, int f, int v)
{
	if (f == 2) {
		export_begin(p, OUT_V4, PORT);
		pkt_v5_header(p, 0, T0 + 60, 0);
		pkt_finish(p);
		return;
	}
	one_record(p, OUT_V4, &SUB_TO_CAM, f == 0 ? T0 : T0 + YEAR);
}

/* A flood of valid v5 datagrams from spoofed sources: frames 0 to 19 from
 * 20 sources 10.0.1.x, more than the clock map holds (FLOOD_CLOCKS); then
 * the real exporter, never heard before, every other frame, a new spoofed
 * source between two of its datagrams. */
#define FLOOD_CLOCKS	8
#define FLOOD_FRAMES	40

static void b_flood(struct pkt *p, int f, int v)
{
	char src[24];

	if (f >= 20 && f % 2 == 0) {
		one_record(p, OUT_V4, &SUB_TO_CAM, T0 + f);
		return;
	}
	snprintf(src, sizeof(src), "10.0.%d.%d", f < 20 ? 1 : 2, f + 1);
	one_record_from(p, OUT_V4, src, PORT, &SUB_TO_CAM, T0 + f);
}

/* one record of 2106 (unix_secs 0xffffff00), the exporter's first datagram */
static void b_far_future(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, 0xffffff00U);
}

static void b_binning(struct pkt *p, int f, int v)
{
	/* 10:59:59 then 11:00:00: the last second of one hour, the first of the next */
	one_record(p, OUT_V4, &SUB_TO_CAM, f ? HOUR11 : HOUR11 - 1);
}

static void b_truncated_header(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_V4, PORT);
	pkt_w16(pkt_put(p, 12), 5);	/* half a v5 header */
	pkt_finish(p);
}

static void b_no_version(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_V4, PORT);
	pkt_put(p, 1);			/* not even the version field */
	pkt_finish(p);
}

static void b_count_exceeds(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 3, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
}

static void b_trailer(struct pkt *p, int f, int v)
{
	/* count 2, one record in the datagram, a second one's worth of bytes
	 * after it in the frame (an Ethernet trailer): not a record */
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 2, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
	pkt_v5_record(p, &SUB_TO_CAM);
}

static void b_udp_length_short(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 1, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
	pkt_w16(p->buf + p->l4 + 4, 7);	/* UDP length below its own header */
}

static void b_count_too_large(struct pkt *p, int f, int v)
{
	/* 31 records really present: the count alone is the fault */
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 31, T0, 0);
	for (int i = 0; i < 31; i++)
		pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
}

static void b_zero_records(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 0, T0, 0);
	pkt_finish(p);
}

static void b_bad_version(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_V4, PORT);
	pkt_netflow_header(p, 7, 1, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
}

static void b_not_collector_port(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_V4, PORT + 1);
	pkt_v5_header(p, 1, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
}

/* a TCP SYN from the exporter to the collector port */
static void tcp_syn(struct pkt *p, bool v6)
{
	pkt_init(p);
	pkt_eth(p);
	if (v6)
		pkt_ipv6(p, EXPORTER6, COLLECTOR6, IPPROTO_TCP);
	else
		pkt_ipv4(p, EXPORTER, COLLECTOR, IPPROTO_TCP);
	pkt_tcp(p, 40000, PORT, 1, 0, PKT_SYN);
	pkt_finish(p);
}

static void b_not_udp(struct pkt *p, int f, int v)
{
	tcp_syn(p, false);
}

static void b_not_ip(struct pkt *p, int f, int v)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ethertype(p, ETH_P_ARP);
	pkt_put(p, 28);
}

static void b_too_short(struct pkt *p, int f, int v)
{
	pkt_init(p);
	pkt_put(p, 6);			/* a destination MAC and nothing else */
}

static void b_vlan_cut(struct pkt *p, int f, int v)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ethertype(p, ETH_P_8021Q);
	pkt_put(p, 2);			/* half a tag */
}

static void b_ihl_4(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, T0);
	p->buf[p->l3] = 0x44;
}

static void b_fragment(struct pkt *p, int f, int v)
{
	/* the first fragment (MF set, offset 0): the datagram is not whole */
	one_record(p, OUT_V4, &SUB_TO_CAM, T0);
	pkt_w16(p->buf + p->l3 + 6, 0x2000);
}

static void b_later_fragment(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, T0);
	pkt_w16(p->buf + p->l3 + 6, 185);	/* offset 1480 bytes, last */
}

static void b_middle_fragment(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, T0);
	pkt_w16(p->buf + p->l3 + 6, 0x2000 | 185);	/* MF, offset 1480 bytes */
}

static void b_vlan_fragment(struct pkt *p, int f, int v)
{
	one_record(p, OUT_VLAN, &SUB_TO_CAM, T0);
	pkt_w16(p->buf + p->l3 + 6, 0x2000);
}

/* the frame ends inside the IPv4 header */
static void b_ipv4_cut(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, T0);
	pkt_cut(p, (size_t)p->l3 + 19);
}

/* ihl 6: the frame ends inside the options */
static void b_ipv4_options_cut(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V4_OPTS, &SUB_TO_CAM, T0);
	pkt_cut(p, (size_t)p->l3 + 22);
}

static void b_ipv6_cut(struct pkt *p, int f, int v)
{
	one_record(p, OUT_V6, &SUB_TO_CAM, T0);
	pkt_cut(p, (size_t)p->l3 + 39);
}

/* a UDP header cut short after n of its 8 octets, to port dport */
static void udp_cut(struct pkt *p, enum outer o, uint16_t dport, size_t n)
{
	export_begin(p, o, dport);
	pkt_v5_header(p, 1, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
	pkt_cut(p, (size_t)p->l4 + n);
}

static void b_udp_cut(struct pkt *p, int f, int v)
{
	udp_cut(p, OUT_V4, PORT, 6);
}

static void b_udp_cut_vlan(struct pkt *p, int f, int v)
{
	udp_cut(p, OUT_VLAN, PORT, 4);
}

static void b_udp_cut_v6(struct pkt *p, int f, int v)
{
	udp_cut(p, OUT_V6, PORT, 7);
}

static void b_udp_cut_other_port(struct pkt *p, int f, int v)
{
	udp_cut(p, OUT_V4, PORT + 1, 6);
}

static void b_udp_cut_before_port(struct pkt *p, int f, int v)
{
	udp_cut(p, OUT_V4, PORT, 3);
}

/* UDP length 7 and the collector port: the length is the fault */
static void b_udp_length_short_other_port(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_V4, PORT + 1);
	pkt_v5_header(p, 1, T0, 0);
	pkt_finish(p);
	pkt_w16(p->buf + p->l4 + 4, 7);
}

static void b_tcp_cut(struct pkt *p, int f, int v)
{
	b_not_udp(p, f, v);
	pkt_cut(p, (size_t)p->l4 + 10);
}

static void b_ipv6_not_udp(struct pkt *p, int f, int v)
{
	tcp_syn(p, true);
}

/* A destination options header before UDP: extension headers other than a
 * fragment header are not followed */
static void b_ipv6_extension(struct pkt *p, int f, int v)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ipv6(p, EXPORTER6, COLLECTOR6, 60);
	pkt_put(p, 8)[0] = IPPROTO_UDP;		/* next header */
	pkt_udp(p, 40000, PORT);
	pkt_v5_header(p, 0, T0, 0);
	pkt_finish(p);
}

/* An IPv6 fragment header (offset and M flag in frag) before a UDP export
 * datagram of no records. */
static void ipv6_fragment(struct pkt *p, uint16_t frag, uint16_t port)
{
	uint8_t *fh;

	pkt_init(p);
	pkt_eth(p);
	pkt_ipv6(p, EXPORTER6, COLLECTOR6, 44);
	fh = pkt_put(p, 8);
	fh[0] = IPPROTO_UDP;			/* next header */
	pkt_w16(fh + 2, frag);
	pkt_udp(p, 40000, port);
	p->l4proto = IPPROTO_UDP;		/* so its length is written */
	pkt_v5_header(p, 0, T0, 0);
	pkt_finish(p);
}

/* offset 0, no more fragments: an atomic fragment, the whole datagram */
static void b_ipv6_atomic_fragment(struct pkt *p, int f, int v)
{
	ipv6_fragment(p, 0, PORT);
}

static void b_ipv6_first_fragment(struct pkt *p, int f, int v)
{
	ipv6_fragment(p, 1, PORT);
}

static void b_ipv6_later_fragment(struct pkt *p, int f, int v)
{
	ipv6_fragment(p, 185 << 3, PORT);
}

static void b_fragment_other_port(struct pkt *p, int f, int v)
{
	ipv6_fragment(p, 1, PORT + 1);
}

/* -- sources outside tests/bpf/data/exporters.txt -- */
#define UNLISTED	"10.0.0.3"
#define UNLISTED6	"2001:db8:ef::1"

static void b_unlisted(struct pkt *p, int f, int v)
{
	one_record_from(p, OUT_V4, UNLISTED, PORT, &SUB_TO_CAM, T0);
}

static void b_unlisted6(struct pkt *p, int f, int v)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ipv6(p, UNLISTED6, COLLECTOR6, IPPROTO_UDP);
	pkt_udp(p, 40000, PORT);
	pkt_v5_header(p, 1, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
}

static void b_unlisted_fragment(struct pkt *p, int f, int v)
{
	b_unlisted(p, f, v);
	pkt_w16(p->buf + p->l3 + 6, 0x2000);	/* MF, offset 0: the first fragment */
}

static void b_unlisted_other_port(struct pkt *p, int f, int v)
{
	one_record_from(p, OUT_V4, UNLISTED, PORT + 1, &SUB_TO_CAM, T0);
}

static void b_vlan_ipv6(struct pkt *p, int f, int v)
{
	one_record(p, OUT_VLAN_V6, &SUB_TO_CAM, T0);
}

static void b_vlan_not_ip(struct pkt *p, int f, int v)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_vlan(p, ETH_P_8021Q, 100);
	pkt_ethertype(p, ETH_P_ARP);
	pkt_put(p, 28);
}

/* three tags: two are followed, the third is no IP header */
static void b_three_tags(struct pkt *p, int f, int v)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_vlan(p, ETH_P_8021AD, 10);
	pkt_vlan(p, ETH_P_8021Q, 200);
	pkt_vlan(p, ETH_P_8021Q, 300);
	pkt_ipv4(p, EXPORTER, COLLECTOR, IPPROTO_UDP);
	pkt_udp(p, 40000, PORT);
	pkt_v5_header(p, 0, T0, 0);
	pkt_finish(p);
}

static void b_qinq_cut(struct pkt *p, int f, int v)
{
	one_record(p, OUT_QINQ, &SUB_TO_CAM, T0);
	pkt_cut(p, ETH_HLEN + 4 + 3);	/* inside the inner tag */
}

static void b_vlan_other_port(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_QINQ, PORT + 1);
	pkt_v5_header(p, 0, T0, 0);
	pkt_finish(p);
}

static void b_eth_cut(struct pkt *p, int f, int v)
{
	pkt_init(p);
	pkt_put(p, ETH_HLEN - 1);
}

/* 30 records, record i with i + 1 packets, 100 (i + 1) bytes; by i % 5:
 * SUB as source (hit), SUB2 as destination (hit), no subscriber, no
 * service, port mismatch. */
static void b_thirty(struct pkt *p, int f, int v)
{
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 30, T0, 0);
	for (int i = 0; i < 30; i++) {
		struct v5rec r = { .src = SUB, .dst = CAM, .sport = 50000 + i, .dport = 443,
				   .proto = IPPROTO_TCP, .packets = i + 1, .bytes = 100 * (i + 1) };

		switch (i % 5) {
		case 1:
			r = (struct v5rec){ .src = CAM, .dst = SUB2, .sport = 443,
					    .dport = 50000 + i, .proto = IPPROTO_TCP,
					    .packets = i + 1, .bytes = 100 * (i + 1) };
			break;
		case 2:
			r.src = NONSUB;
			break;
		case 3:
			r.dst = OTHER;
			break;
		case 4:
			r.dport = 80;
			break;
		}
		pkt_v5_record(p, &r);
	}
	pkt_finish(p);
}

/* ---- the table ---- */

#define PASS	XDP_PASS
#define DROP	XDP_DROP

/* one well-formed v5 packet at export time t with n records */
#define V5(t, n)	.packets = 1, .export_packets = 1, .v5_packets = 1, .records = (n), \
			.export_time_min = (t), .export_time_max = (t)
#define ONE_MATCH	{ V5(T0, 1), .matched = 1 }
#define CAM_EV(s)	{ .sub = (s), .bin_start = HOUR10, .prefix = "203.0.113.0/24", \
			  .domains = { "api.cam.test" }, .packets = 3, .bytes = 420, .records = 1 }

/* the allow-list of tests/bpf/data/exporters.txt in force, and a datagram
 * it refused */
#define LISTED		.allow_list = "exporters.txt"
#define REFUSED		{ .packets = 1, .exporter_not_allowed = 1 }

static const struct xdp_case cases[] = {
	/* -- matching -- */
	{ "v5: subscriber as source, service port = destination port", b_sub_src,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "v5: subscriber as destination, service port = source port", b_sub_dst,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "v5 header sampling 1-in-10: packets_estimate = packets x 10", b_v5_sampled,
	  .verdict = PASS, .stats = ONE_MATCH,
	  .ev = { { SUB, HOUR10, "203.0.113.0/24", { "api.cam.test" }, 3, 420, 1, 30 } } },
	{ "v5 header sampling overridden by --sampling 4", b_v5_sampled, .sampling = 4,
	  .verdict = PASS, .stats = ONE_MATCH,
	  .ev = { { SUB, HOUR10, "203.0.113.0/24", { "api.cam.test" }, 3, 420, 1, 12 } } },
	{ "outer IPv6 header", b_ipv6_outer,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "one 802.1Q tag", b_vlan,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "QinQ: 802.1ad outer + 802.1Q inner tag", b_qinq,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "IPv4 with options (ihl 6)", b_ip_options,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "udp/ rule matches UDP", b_udp_rule,
	  .verdict = PASS, .stats = ONE_MATCH,
	  .ev = { { SUB, HOUR10, "198.51.100.10/32", { "ntp.cam.test" }, 1, 76, 1 } } },
	{ "port-less domain matches any port and protocol", b_portless,
	  .verdict = PASS, .stats = { V5(T0, 2), .matched = 2 },
	  .ev = { { SUB, HOUR10, "192.0.2.0/25", { "push.hub.test" }, 7, 3200, 2 } } },
	{ "overlapping prefixes: /32 inside a /24 of another domain matches both", b_overlap,
	  .verdict = PASS, .stats = ONE_MATCH,
	  .ev = { { SUB, HOUR10, "203.0.113.7/32", { "api.cam.test", "relay.hub.test" },
		    4, 500, 1 } } },
	/* -- the exporter's clock -- */
	{ "v5: one header of 1970 between two sound ones: export_time_jump, not read, the clock stays",
	  b_time_1970, .frames = 3, .verdict = PASS,
	  .stats = { .packets = 3, .export_packets = 3, .v5_packets = 3, .records = 2,
		     .matched = 2, .export_time_jump = 1, .export_time_min = T0,
		     .export_time_max = T0 },
	  .ev = { { SUB, HOUR10, "203.0.113.0/24", { "api.cam.test" }, 6, 840, 2 } },
	  .clocks = { { EXPORTER, 0, 5, T0, T0, 2, 0, 1 } } },
	{ "v5: one header of 2106 (unix_secs 0xffffffff): export_time_jump, not read",
	  b_time_2106, .frames = 3, .verdict = PASS,
	  .stats = { .packets = 3, .export_packets = 3, .v5_packets = 3, .records = 2,
		     .matched = 2, .export_time_jump = 1, .export_time_min = T0,
		     .export_time_max = T0 },
	  .ev = { { SUB, HOUR10, "203.0.113.0/24", { "api.cam.test" }, 6, 840, 2 } },
	  .clocks = { { EXPORTER, 0, 5, T0, T0, 2, 0, 0xffffffffU } } },
	{ "v5: the clock jumps a year: 7 datagrams refused, the 8th agreeing one followed",
	  b_time_year, .frames = 1 + HAYSTACK_CLOCK_FOLLOW, .verdict = PASS,
	  .stats = { .packets = 9, .export_packets = 9, .v5_packets = 9, .records = 2,
		     .matched = 2, .export_time_jump = HAYSTACK_CLOCK_FOLLOW - 1,
		     .export_clock_followed = 1, .stale_dictionary = 1, .export_time_min = T0,
		     .export_time_max = T0 + YEAR + HAYSTACK_CLOCK_FOLLOW },
	  .ev = { { SUB, HOUR10, "203.0.113.0/24", { "api.cam.test" }, 3, 420, 1 },
		  { SUB, (T0 + YEAR + HAYSTACK_CLOCK_FOLLOW) / 3600 * 3600, "203.0.113.0/24",
		    { "api.cam.test" }, 3, 420, 1 } },
	  .clocks = { { EXPORTER, 0, 5, T0 + YEAR + HAYSTACK_CLOCK_FOLLOW,
			T0 + YEAR + HAYSTACK_CLOCK_FOLLOW, 1, 0, T0 + YEAR + HAYSTACK_CLOCK_FOLLOW } } },
	{ "v5: a jump, then an empty datagram: no clock moved, the next jump starts anew",
	  b_time_jump_empty, .frames = 4, .verdict = PASS,
	  .stats = { .packets = 4, .export_packets = 4, .v5_packets = 4, .records = 1,
		     .matched = 1, .export_time_jump = 2, .export_time_min = T0,
		     .export_time_max = T0 },
	  .ev = { CAM_EV(SUB) },
	  .clocks = { { EXPORTER, 0, 5, T0, T0, 1, 1, T0 + YEAR } } },
	/* -- clocks in an LRU: a flood of spoofed sources -- */
	{ "v5 flood: 20 spoofed sources fill a clock map of 8, then a new exporter that keeps talking has its clock, moved by each of its datagrams",
	  b_flood, .frames = FLOOD_FRAMES, .sizes = { .exporter_clocks = FLOOD_CLOCKS },
	  .verdict = PASS,
	  .stats = { .packets = FLOOD_FRAMES, .export_packets = FLOOD_FRAMES,
		     .v5_packets = FLOOD_FRAMES, .records = FLOOD_FRAMES, .matched = FLOOD_FRAMES,
		     .export_time_min = T0, .export_time_max = T0 + FLOOD_FRAMES - 1 },
	  .ev = { { SUB, HOUR10, "203.0.113.0/24", { "api.cam.test" }, 3 * FLOOD_FRAMES,
		    420 * FLOOD_FRAMES, FLOOD_FRAMES } },
	  .clocks = { { EXPORTER, 0, 5, T0 + FLOOD_FRAMES - 2, T0 + 20, (FLOOD_FRAMES - 20) / 2 } },
	  /* the LRU holds at most the rest, some of the latest sources */
	  .clocks_other = FLOOD_CLOCKS - 1 },
	/* -- the live agent's time ceiling (haystack_config.time_ceiling) -- */
	{ "time ceiling: a record at the ceiling - 1 counts", b_sub_src, .time_ceiling = T0 + 1,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "time ceiling: a record at the ceiling counts", b_sub_src, .time_ceiling = T0,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	/* its clock moves (the datagram is read), not the status range */
	{ "time ceiling: a record at the ceiling + 1 is past_time_ceiling, no evidence, its reason in --records",
	  b_sub_src, .time_ceiling = T0 - 1, .flags = HAYSTACK_F_RECORDS, .verdict = PASS,
	  .stats = { .packets = 1, .export_packets = 1, .v5_packets = 1, .records = 1,
		     .past_time_ceiling = 1 },
	  .clocks = { { EXPORTER, 0, 5, T0, T0, 1 } },
	  .records = { { EXPORTER, 0, 0, 5, T0, SUB, CAM, 50123, 443, IPPROTO_TCP, 0x18, 3, 420,
			 1, RESULT_PAST_TIME_CEILING, 0 } } },
	{ "time ceiling written 20 s ago moves on with the host's clock: 10 s past it counts",
	  b_sub_src, .time_ceiling = T0 - 10, .ceiling_age_s = 20, .verdict = PASS,
	  .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "time ceiling written 5 s ago: 10 s past it is past_time_ceiling", b_sub_src,
	  .time_ceiling = T0 - 10, .ceiling_age_s = 5, .verdict = PASS,
	  .stats = { .packets = 1, .export_packets = 1, .v5_packets = 1, .records = 1,
		     .past_time_ceiling = 1 },
	  .clocks = { { EXPORTER, 0, 5, T0, T0, 1 } } },
	{ "no time ceiling (0, replay): a record of 2106 counts", b_far_future, .verdict = PASS,
	  .stats = { V5(0xffffff00U, 1), .matched = 1, .stale_dictionary = 1 },
	  .ev = { { SUB, 0xffffff00U / 3600 * 3600, "203.0.113.0/24", { "api.cam.test" }, 3, 420,
		    1 } } },
	{ "export time binning: 10:59:59 and 11:00:00 in two hour bins", b_binning, .frames = 2,
	  .verdict = PASS,
	  .stats = { .packets = 2, .export_packets = 2, .v5_packets = 2, .records = 2,
		     .matched = 2, .export_time_min = HOUR11 - 1, .export_time_max = HOUR11 },
	  .ev = { { SUB, HOUR10, "203.0.113.0/24", { "api.cam.test" }, 3, 420, 1 },
		  { SUB, HOUR11, "203.0.113.0/24", { "api.cam.test" }, 3, 420, 1 } } },
	/* the agent has reported up to 11:00: the 10:59:59 record still
	 * counts (the day bin is open) and is counted late too */
	{ "record for a bin already reported: counted and late", b_binning, .frames = 2,
	  .closed_before = HOUR11, .verdict = PASS,
	  .stats = { .packets = 2, .export_packets = 2, .v5_packets = 2, .records = 2,
		     .matched = 2, .late_records = 1, .export_time_min = HOUR11 - 1,
		     .export_time_max = HOUR11 },
	  .ev = { { SUB, HOUR10, "203.0.113.0/24", { "api.cam.test" }, 3, 420, 1 },
		  { SUB, HOUR11, "203.0.113.0/24", { "api.cam.test" }, 3, 420, 1 } } },
	{ "30 records, mixed hits and misses", b_thirty,
	  .verdict = PASS,
	  .stats = { V5(T0, 30), .matched = 12, .not_subscriber = 6, .no_service = 6,
		     .port_mismatch = 6 },
	  /* packets: sum of i + 1 over i % 5 == 0 (81) and i % 5 == 1 (87) */
	  .ev = { { SUB, HOUR10, "203.0.113.0/24", { "api.cam.test" }, 81, 8100, 6 },
		  { SUB2, HOUR10, "203.0.113.0/24", { "api.cam.test" }, 87, 8700, 6 } } },

	/* -- records not counted -- */
	{ "record between two non-subscribers", b_not_subscriber,
	  .verdict = PASS, .stats = { V5(T0, 1), .not_subscriber = 1 } },
	/* subscriber_blocks answers a whole /24 and an empty one, the trie a
	 * /24 a /25 or a /32 lies in: as the trie alone would */
	{ "subscriber blocks: /24s whole, in part, empty; IPv4 written as IPv6",
	  b_subscriber_blocks, .subscribers = "subscribers-blocks.txt",
	  .verdict = PASS, .stats = { V5(T0, 20), .no_service = 10, .not_subscriber = 10 } },
	{ "service prefix, wrong port", b_port_mismatch,
	  .verdict = PASS, .stats = { V5(T0, 1), .port_mismatch = 1 } },
	{ "service prefix and port, wrong protocol", b_proto_mismatch,
	  .verdict = PASS, .stats = { V5(T0, 1), .port_mismatch = 1 } },
	{ "other end not a service endpoint", b_no_service,
	  .verdict = PASS, .stats = { V5(T0, 1), .no_service = 1 } },

	/* -- malformed export datagrams: passed on, nothing counted -- */
	{ "v5 header cut short", b_truncated_header,
	  .verdict = PASS, .stats = { .packets = 1, .export_packets = 1, .truncated_header = 1 } },
	{ "export datagram without a version field", b_no_version,
	  .verdict = PASS, .stats = { .packets = 1, .export_packets = 1, .truncated_header = 1 } },
	{ "header count 3, 2 records present: none counted", b_count_exceeds,
	  .verdict = PASS,
	  .stats = { .packets = 1, .export_packets = 1, .count_exceeds_packet = 1 } },
	{ "bytes after the UDP datagram are not records", b_trailer,
	  .verdict = PASS,
	  .stats = { .packets = 1, .export_packets = 1, .count_exceeds_packet = 1 } },
	{ "UDP length 7", b_udp_length_short,
	  .verdict = PASS, .stats = { .packets = 1, .bad_udp_length = 1 } },
	{ "header count 31", b_count_too_large,
	  .verdict = PASS, .stats = { .packets = 1, .export_packets = 1, .count_too_large = 1 } },
	/* no valid record: no clock moves, not even the status range */
	{ "zero records", b_zero_records,
	  .verdict = PASS, .stats = { V5(0, 0) } },
	{ "NetFlow version 7 header", b_bad_version,
	  .verdict = PASS, .stats = { .packets = 1, .export_packets = 1, .bad_version = 1 } },

	/* -- not export packets -- */
	{ "UDP to a port that is not a collector's", b_not_collector_port,
	  .verdict = PASS, .stats = { .packets = 1, .not_collector_port = 1 } },
	{ "TCP to the collector port", b_not_udp,
	  .verdict = PASS, .stats = { .packets = 1, .not_udp = 1 } },
	{ "ARP frame", b_not_ip,
	  .verdict = PASS, .stats = { .packets = 1, .not_ip = 1 } },
	{ "6-byte frame", b_too_short,
	  .verdict = PASS, .stats = { .packets = 1, .too_short = 1 } },
	{ "VLAN tag cut short", b_vlan_cut,
	  .verdict = PASS, .stats = { .packets = 1, .too_short = 1 } },
	{ "IPv4 ihl 4", b_ihl_4,
	  .verdict = PASS, .stats = { .packets = 1, .bad_ip_header = 1 } },
	{ "IPv4 first fragment (MF) of an export datagram: fragmented_export", b_fragment,
	  .verdict = PASS, .stats = { .packets = 1, .fragmented_export = 1 } },
	{ "IPv4 non-first fragment", b_later_fragment,
	  .verdict = PASS, .stats = { .packets = 1, .ip_fragment = 1 } },
	{ "IPv4 middle fragment (MF and an offset)", b_middle_fragment,
	  .verdict = PASS, .stats = { .packets = 1, .ip_fragment = 1 } },
	{ "13-byte frame: Ethernet header cut short", b_eth_cut,
	  .verdict = PASS, .stats = { .packets = 1, .too_short = 1 } },
	{ "frame ends inside the IPv4 header", b_ipv4_cut,
	  .verdict = PASS, .stats = { .packets = 1, .bad_ip_header = 1 } },
	{ "frame ends inside the IPv4 options (ihl 6)", b_ipv4_options_cut,
	  .verdict = PASS, .stats = { .packets = 1, .bad_ip_header = 1 } },
	{ "frame ends inside the IPv6 header", b_ipv6_cut,
	  .verdict = PASS, .stats = { .packets = 1, .bad_ip_header = 1 } },
	{ "IPv6 TCP to the collector port", b_ipv6_not_udp,
	  .verdict = PASS, .stats = { .packets = 1, .not_udp = 1 } },
	{ "IPv6 destination options header before UDP: not followed", b_ipv6_extension,
	  .verdict = PASS, .stats = { .packets = 1, .not_udp = 1 } },
	{ "IPv6 atomic fragment (offset 0, no M): the whole datagram, read", b_ipv6_atomic_fragment,
	  .verdict = PASS, .stats = { .packets = 1, .export_packets = 1, .v5_packets = 1 } },
	{ "TCP header cut short, to the collector port", b_tcp_cut,
	  .verdict = PASS, .stats = { .packets = 1, .not_udp = 1 } },
	{ "UDP length 7 to another port", b_udp_length_short_other_port,
	  .verdict = PASS, .stats = { .packets = 1, .bad_udp_length = 1 } },

	/* -- UDP header cut short: an export packet when its port is a collector's -- */
	{ "UDP header cut after 6 octets, to a collector port", b_udp_cut,
	  .verdict = PASS, .stats = { .packets = 1, .export_packets = 1, .truncated_header = 1 } },
	{ "UDP header cut after 4 octets, to a collector port, 802.1Q tag", b_udp_cut_vlan,
	  .verdict = PASS, .stats = { .packets = 1, .export_packets = 1, .truncated_header = 1 } },
	{ "UDP header cut after 7 octets, to a collector port, IPv6", b_udp_cut_v6,
	  .verdict = PASS, .stats = { .packets = 1, .export_packets = 1, .truncated_header = 1 } },
	{ "UDP header cut after 6 octets, to another port", b_udp_cut_other_port,
	  .verdict = PASS, .stats = { .packets = 1, .not_collector_port = 1 } },
	{ "UDP header cut before its destination port", b_udp_cut_before_port,
	  .verdict = PASS, .stats = { .packets = 1, .not_collector_port = 1 } },
	{ "consume: UDP header cut short to a collector port dropped", b_udp_cut,
	  .flags = HAYSTACK_F_CONSUME, .verdict = DROP,
	  .stats = { .packets = 1, .export_packets = 1, .truncated_header = 1 } },

	/* -- VLAN tags in front of every outcome -- */
	{ "802.1Q tag, then IPv6", b_vlan_ipv6,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "802.1Q-tagged ARP", b_vlan_not_ip,
	  .verdict = PASS, .stats = { .packets = 1, .not_ip = 1 } },
	{ "three VLAN tags: the third is not followed", b_three_tags,
	  .verdict = PASS, .stats = { .packets = 1, .not_ip = 1 } },
	{ "QinQ: inner tag cut short", b_qinq_cut,
	  .verdict = PASS, .stats = { .packets = 1, .too_short = 1 } },
	{ "802.1Q-tagged first fragment of an export datagram", b_vlan_fragment,
	  .verdict = PASS, .stats = { .packets = 1, .fragmented_export = 1 } },
	{ "IPv6 first fragment (M) of an export datagram: fragmented_export", b_ipv6_first_fragment,
	  .verdict = PASS, .stats = { .packets = 1, .fragmented_export = 1 } },
	{ "IPv6 first fragment of a datagram to another port: ip_fragment", b_fragment_other_port,
	  .verdict = PASS, .stats = { .packets = 1, .ip_fragment = 1 } },
	{ "IPv6 later fragment (no ports): ip_fragment", b_ipv6_later_fragment,
	  .verdict = PASS, .stats = { .packets = 1, .ip_fragment = 1 } },
	{ "QinQ-tagged UDP to another port", b_vlan_other_port,
	  .verdict = PASS, .stats = { .packets = 1, .not_collector_port = 1 } },

	/* -- --exporters: only the listed sources are read -- */
	{ "exporters: a listed IPv4 exporter is read", b_sub_src, LISTED,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "exporters: a listed IPv6 exporter is read", b_ipv6_outer, LISTED,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "exporters: an IPv4 source outside the list: refused, nothing read", b_unlisted, LISTED,
	  .verdict = PASS, .stats = REFUSED },
	{ "exporters: an IPv6 source outside the list: refused, nothing read", b_unlisted6, LISTED,
	  .verdict = PASS, .stats = REFUSED },
	{ "no --exporters: the same IPv4 source is read", b_unlisted,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "exporters: first fragment from a source outside the list: refused", b_unlisted_fragment,
	  LISTED, .verdict = PASS, .stats = REFUSED },
	{ "exporters: first fragment from a listed exporter: fragmented_export", b_fragment,
	  LISTED, .verdict = PASS, .stats = { .packets = 1, .fragmented_export = 1 } },
	{ "exporters: an unlisted source to another port: not_collector_port", b_unlisted_other_port,
	  LISTED, .verdict = PASS, .stats = { .packets = 1, .not_collector_port = 1 } },
	/* not an export packet: passed on like other traffic, never dropped */
	{ "exporters and consume: an unlisted source is passed on", b_unlisted, LISTED,
	  .flags = HAYSTACK_F_CONSUME, .verdict = PASS, .stats = REFUSED },
	{ "exporters and consume: a listed exporter's datagram is dropped", b_sub_src, LISTED,
	  .flags = HAYSTACK_F_CONSUME, .verdict = DROP, .stats = ONE_MATCH,
	  .ev = { CAM_EV(SUB) } },

	/* -- verdicts with HAYSTACK_F_CONSUME, and before configuration -- */
	{ "consume: export packet dropped, still counted", b_sub_src,
	  .flags = HAYSTACK_F_CONSUME, .verdict = DROP, .stats = ONE_MATCH,
	  .ev = { CAM_EV(SUB) } },
	{ "consume: malformed export packet dropped too", b_bad_version,
	  .flags = HAYSTACK_F_CONSUME, .verdict = DROP,
	  .stats = { .packets = 1, .export_packets = 1, .bad_version = 1 } },
	{ "consume: other UDP passed", b_not_collector_port,
	  .flags = HAYSTACK_F_CONSUME, .verdict = PASS,
	  .stats = { .packets = 1, .not_collector_port = 1 } },
	{ "consume: non-IP passed", b_not_ip,
	  .flags = HAYSTACK_F_CONSUME, .verdict = PASS, .stats = { .packets = 1, .not_ip = 1 } },
	{ "consume: truncated VLAN frame passed", b_vlan_cut,
	  .flags = HAYSTACK_F_CONSUME, .verdict = PASS,
	  .stats = { .packets = 1, .too_short = 1 } },
	{ "not configured (no config written): passed, nothing parsed", b_sub_src,
	  .unconfigured = true, .verdict = PASS, .stats = { .packets = 1, .not_configured = 1 } },
	{ "configured by HAYSTACK_F_CONFIGURED alone: bins of HAYSTACK_BASE_BIN", b_binning,
	  .frames = 2, .config = CONFIG_FLAG_ONLY, .verdict = PASS,
	  .stats = { .packets = 2, .export_packets = 2, .v5_packets = 2, .records = 2,
		     .matched = 2, .export_time_min = HOUR11 - 1, .export_time_max = HOUR11 },
	  .ev = { { SUB, HOUR10, "203.0.113.0/24", { "api.cam.test" }, 3, 420, 1 },
		  { SUB, HOUR11, "203.0.113.0/24", { "api.cam.test" }, 3, 420, 1 } } },
	{ "bin_seconds without HAYSTACK_F_CONFIGURED: not configured, nothing parsed", b_sub_src,
	  .config = CONFIG_BIN_SECONDS_ONLY, .verdict = PASS,
	  .stats = { .packets = 1, .not_configured = 1 } },
};

int main(void)
{
	return run_table("xdp", cases, sizeof(cases) / sizeof(cases[0]));
}
