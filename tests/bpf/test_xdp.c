// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP program on crafted frames, through BPF_PROG_TEST_RUN (katran style):
 * each case is {description, packet builder, expected verdict, expected
 * stats, expected evidence}. Every case loads the real program afresh (no
 * pinning, never attached), fills its maps from tests/bpf/data/ with the
 * agent's own setup code, runs its frames, then checks the verdict, EVERY
 * stats counter (what should be zero must stay zero) and the whole evidence
 * map.
 *
 * Test dictionary (tests/bpf/data/dictionary.json), domain: prefixes, ports
 *   api.cam.test    203.0.113.0/24, 2001:db8:5::/48   tcp/443
 *   ntp.cam.test    198.51.100.10/32                  udp/123
 *   push.hub.test   192.0.2.0/25                      any port
 *   relay.hub.test  203.0.113.7/32 (inside api.cam's /24)  tcp/443
 * Subscribers: 100.64.0.0/16, 2001:db8:100::/40.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "packet.h"
#include "haystack.h"
#include "haystack.skel.h"
#include "cli.h"
#include "loader.h"
#include "log.h"
#include "prefix.h"
#include "replay.h"

#define DATA_DIR	"tests/bpf/data"

#define HOUR10		1573812000U	/* 2019-11-15T10:00:00Z */
#define HOUR11		(HOUR10 + 3600)
#define T0		(HOUR10 + 7)	/* export time of most cases */

#define PORT		2055		/* a configured collector port */
#define EXPORTER	"10.0.0.1"
#define COLLECTOR	"10.0.0.2"
#define EXPORTER6	"2001:db8:ee::1"
#define COLLECTOR6	"2001:db8:ee::2"

#define SUB		"100.64.0.7"
#define SUB2		"100.64.1.9"
#define NONSUB		"10.9.9.9"
#define CAM		"203.0.113.20"	/* api.cam.test only */
#define RELAY		"203.0.113.7"	/* api.cam.test and relay.hub.test */
#define NTP		"198.51.100.10"
#define HUB		"192.0.2.5"
#define OTHER		"93.184.216.34"	/* in no dictionary prefix */

#define MAX_EV		4
#define MAX_DOMS	4

/* One evidence entry. The rule set is named by the dictionary prefix that
 * carries it and the mask by the domains whose rule matched (each test domain
 * has one rule), so the table does not depend on compile order. */
struct ev_expect {
	const char *sub;		/* NULL ends the list */
	__u64 bin_start;
	const char *prefix;
	const char *domains[MAX_DOMS];
	__u64 packets, bytes, records;
};

struct xdp_case {
	const char *name;
	void (*build)(struct pkt *p, int frame);
	int frames;			/* 0 = 1 */
	bool unconfigured;		/* skip hs_setup_apply: fresh load */
	__u32 flags;			/* config flags (HAYSTACK_F_*) */
	__u64 closed_before;		/* config: bins before this already reported */
	__u32 verdict;
	struct haystack_stats stats;	/* all of it, zeros included */
	struct ev_expect ev[MAX_EV];
};

/* ---- builders ---- */

enum outer { OUT_V4, OUT_V6, OUT_VLAN, OUT_QINQ, OUT_V4_OPTS };

/* Ethernet / [tags] / IP / UDP from the exporter to the collector. */
static void export_begin(struct pkt *p, enum outer o, uint16_t dport)
{
	pkt_init(p);
	pkt_eth(p);
	if (o == OUT_VLAN)
		pkt_vlan(p, ETH_P_8021Q, 100);
	if (o == OUT_QINQ) {
		pkt_vlan(p, ETH_P_8021AD, 10);
		pkt_vlan(p, ETH_P_8021Q, 200);
	}
	if (o == OUT_V6)
		pkt_ipv6(p, EXPORTER6, COLLECTOR6, IPPROTO_UDP);
	else
		pkt_ipv4_opts(p, EXPORTER, COLLECTOR, IPPROTO_UDP, o == OUT_V4_OPTS ? 4 : 0);
	pkt_udp(p, 40000, dport);
}

static void one_record(struct pkt *p, enum outer o, const struct v5rec *r, uint32_t t)
{
	export_begin(p, o, PORT);
	pkt_v5_header(p, 1, t, 0);
	pkt_v5_record(p, r);
	pkt_finish(p);
}

static const struct v5rec SUB_TO_CAM = {
	.src = SUB, .dst = CAM, .sport = 50123, .dport = 443, .proto = IPPROTO_TCP,
	.tcp_flags = 0x18, .packets = 3, .bytes = 420,
};

static void b_sub_src(struct pkt *p, int f)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, T0);
}

static void b_sub_dst(struct pkt *p, int f)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = CAM, .dst = SUB, .sport = 443,
			.dport = 50123, .proto = IPPROTO_TCP, .packets = 3, .bytes = 420 }, T0);
}

static void b_ipv6_outer(struct pkt *p, int f)
{
	one_record(p, OUT_V6, &SUB_TO_CAM, T0);
}

static void b_vlan(struct pkt *p, int f)
{
	one_record(p, OUT_VLAN, &SUB_TO_CAM, T0);
}

static void b_qinq(struct pkt *p, int f)
{
	one_record(p, OUT_QINQ, &SUB_TO_CAM, T0);
}

static void b_ip_options(struct pkt *p, int f)
{
	one_record(p, OUT_V4_OPTS, &SUB_TO_CAM, T0);
}

static void b_not_subscriber(struct pkt *p, int f)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = NONSUB, .dst = CAM, .sport = 50123,
			.dport = 443, .proto = IPPROTO_TCP, .packets = 3, .bytes = 420 }, T0);
}

static void b_port_mismatch(struct pkt *p, int f)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = SUB, .dst = CAM, .sport = 50123,
			.dport = 80, .proto = IPPROTO_TCP, .packets = 3, .bytes = 420 }, T0);
}

static void b_proto_mismatch(struct pkt *p, int f)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = SUB, .dst = NTP, .sport = 50123,
			.dport = 123, .proto = IPPROTO_TCP, .packets = 1, .bytes = 76 }, T0);
}

static void b_udp_rule(struct pkt *p, int f)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = SUB, .dst = NTP, .sport = 50123,
			.dport = 123, .proto = IPPROTO_UDP, .packets = 1, .bytes = 76 }, T0);
}

static void b_portless(struct pkt *p, int f)
{
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 2, T0, 0);
	pkt_v5_record(p, &(struct v5rec){ .src = SUB, .dst = HUB, .sport = 50123,
			.dport = 12345, .proto = IPPROTO_UDP, .packets = 2, .bytes = 200 });
	pkt_v5_record(p, &(struct v5rec){ .src = HUB, .dst = SUB, .sport = 80,
			.dport = 50124, .proto = IPPROTO_TCP, .packets = 5, .bytes = 3000 });
	pkt_finish(p);
}

static void b_no_service(struct pkt *p, int f)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = SUB, .dst = OTHER, .sport = 50123,
			.dport = 443, .proto = IPPROTO_TCP, .packets = 3, .bytes = 420 }, T0);
}

static void b_overlap(struct pkt *p, int f)
{
	one_record(p, OUT_V4, &(struct v5rec){ .src = SUB, .dst = RELAY, .sport = 50123,
			.dport = 443, .proto = IPPROTO_TCP, .packets = 4, .bytes = 500 }, T0);
}

static void b_binning(struct pkt *p, int f)
{
	/* 10:59:59 then 11:00:00: the last second of one hour, the first of the next */
	one_record(p, OUT_V4, &SUB_TO_CAM, f ? HOUR11 : HOUR11 - 1);
}

static void b_truncated_header(struct pkt *p, int f)
{
	export_begin(p, OUT_V4, PORT);
	pkt_w16(pkt_put(p, 12), 5);	/* half a v5 header */
	pkt_finish(p);
}

static void b_no_version(struct pkt *p, int f)
{
	export_begin(p, OUT_V4, PORT);
	pkt_put(p, 1);			/* not even the version field */
	pkt_finish(p);
}

static void b_count_exceeds(struct pkt *p, int f)
{
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 3, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
}

static void b_trailer(struct pkt *p, int f)
{
	/* count 2, one record in the datagram, a second one's worth of bytes
	 * after it in the frame (an Ethernet trailer): not a record */
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 2, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
	pkt_v5_record(p, &SUB_TO_CAM);
}

static void b_udp_length_short(struct pkt *p, int f)
{
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 1, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
	pkt_w16(p->buf + p->l4 + 4, 7);	/* UDP length below its own header */
}

static void b_count_too_large(struct pkt *p, int f)
{
	/* 31 records really present: the count alone is the fault */
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 31, T0, 0);
	for (int i = 0; i < 31; i++)
		pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
}

static void b_zero_records(struct pkt *p, int f)
{
	export_begin(p, OUT_V4, PORT);
	pkt_v5_header(p, 0, T0, 0);
	pkt_finish(p);
}

static void b_bad_version(struct pkt *p, int f)
{
	export_begin(p, OUT_V4, PORT);
	pkt_netflow_header(p, 7, 1, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
}

static void b_not_collector_port(struct pkt *p, int f)
{
	export_begin(p, OUT_V4, PORT + 1);
	pkt_v5_header(p, 1, T0, 0);
	pkt_v5_record(p, &SUB_TO_CAM);
	pkt_finish(p);
}

static void b_not_udp(struct pkt *p, int f)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ipv4(p, EXPORTER, COLLECTOR, IPPROTO_TCP);
	pkt_tcp(p, 40000, PORT, 1, 0, PKT_SYN);
	pkt_finish(p);
}

static void b_not_ip(struct pkt *p, int f)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ethertype(p, ETH_P_ARP);
	pkt_put(p, 28);
}

static void b_too_short(struct pkt *p, int f)
{
	pkt_init(p);
	pkt_put(p, 6);			/* a destination MAC and nothing else */
}

static void b_vlan_cut(struct pkt *p, int f)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ethertype(p, ETH_P_8021Q);
	pkt_put(p, 2);			/* half a tag */
}

static void b_ihl_4(struct pkt *p, int f)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, T0);
	p->buf[p->l3] = 0x44;
}

static void b_fragment(struct pkt *p, int f)
{
	/* the first fragment (MF set, offset 0): the datagram is not whole */
	one_record(p, OUT_V4, &SUB_TO_CAM, T0);
	pkt_w16(p->buf + p->l3 + 6, 0x2000);
}

static void b_later_fragment(struct pkt *p, int f)
{
	one_record(p, OUT_V4, &SUB_TO_CAM, T0);
	pkt_w16(p->buf + p->l3 + 6, 185);	/* offset 1480 bytes, last */
}

/* 30 records, record i with i + 1 packets, 100 (i + 1) bytes; by i % 5:
 * SUB as source (hit), SUB2 as destination (hit), no subscriber, no
 * service, port mismatch. */
static void b_thirty(struct pkt *p, int f)
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

static const struct xdp_case cases[] = {
	/* -- matching -- */
	{ "v5: subscriber as source, service port = destination port", b_sub_src,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
	{ "v5: subscriber as destination, service port = source port", b_sub_dst,
	  .verdict = PASS, .stats = ONE_MATCH, .ev = { CAM_EV(SUB) } },
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
	{ "zero records", b_zero_records,
	  .verdict = PASS, .stats = { V5(T0, 0) } },
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
	{ "IPv4 first fragment (MF)", b_fragment,
	  .verdict = PASS, .stats = { .packets = 1, .ip_fragment = 1 } },
	{ "IPv4 non-first fragment", b_later_fragment,
	  .verdict = PASS, .stats = { .packets = 1, .ip_fragment = 1 } },

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
	{ "not configured (bin_seconds 0): passed, nothing parsed", b_sub_src,
	  .unconfigured = true, .verdict = PASS, .stats = { .packets = 1, .not_configured = 1 } },
};

/* ---- checks ---- */

static void assert_stats_equal(const struct haystack_stats *want, const struct haystack_stats *got)
{
	int bad = 0;

	for (int i = 0; hs_counters[i].name; i++) {
		__u64 w = *(const __u64 *)((const char *)want + hs_counters[i].offset);
		__u64 g = *(const __u64 *)((const char *)got + hs_counters[i].offset);

		if (w != g) {
			print_error("stats.%s: expected %llu, got %llu\n", hs_counters[i].name,
				    (unsigned long long)w, (unsigned long long)g);
			bad++;
		}
	}
	if (want->export_time_min != got->export_time_min ||
	    want->export_time_max != got->export_time_max) {
		print_error("stats.export_time: expected %llu..%llu, got %llu..%llu\n",
			    (unsigned long long)want->export_time_min,
			    (unsigned long long)want->export_time_max,
			    (unsigned long long)got->export_time_min,
			    (unsigned long long)got->export_time_max);
		bad++;
	}
	assert_int_equal(bad, 0);
}

static struct {
	struct hs_setup setup;
	struct hs_instance in;
} ctx;

/* The rule set the compiled dictionary gives exactly this prefix. */
static const struct endpoint_ruleset *ruleset_of(const char *prefix, __u32 *id)
{
	const struct hs_compiled *c = &ctx.setup.compiled;
	struct haystack_lpm_key k;

	assert_int_equal(hs_parse_prefix(prefix, &k), 0);
	for (size_t i = 0; i < c->n_endpoints; i++) {
		if (c->endpoints[i].key.prefixlen == k.prefixlen &&
		    !memcmp(c->endpoints[i].key.addr, k.addr, 16)) {
			*id = c->endpoints[i].ruleset;
			return &c->rulesets[*id];
		}
	}
	fail_msg("%s is not a prefix of the test dictionary", prefix);
	return NULL;
}

/* The mask of the rules of the named domains in a rule set. */
static __u32 mask_of(const struct endpoint_ruleset *rs, const char *const domains[MAX_DOMS])
{
	const struct hs_dict *d = ctx.setup.dict;
	__u32 mask = 0;

	for (int k = 0; k < MAX_DOMS && domains[k]; k++) {
		__u32 bit = 0;

		for (__u32 i = 0; i < rs->count; i++)
			if (!strcmp(d->domains[rs->rule[i].domain].name, domains[k]))
				bit |= 1U << i;
		if (!bit)
			fail_msg("domain %s has no rule in this rule set", domains[k]);
		mask |= bit;
	}
	return mask;
}

static void assert_evidence(const struct ev_expect *want)
{
	int fd = bpf_map__fd(ctx.in.skel->maps.evidence);
	struct evidence_key key, next, *prev = NULL;
	struct evidence_value val;
	bool seen[MAX_EV] = {};
	int n_want = 0, n_got = 0;
	char a[HS_ADDRSTRLEN];

	while (n_want < MAX_EV && want[n_want].sub)
		n_want++;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		bool found = false;

		key = next;
		prev = &key;
		assert_int_equal(bpf_map_lookup_elem(fd, &key, &val), 0);
		n_got++;
		for (int i = 0; i < n_want && !found; i++) {
			const struct ev_expect *e = &want[i];
			const struct endpoint_ruleset *rs;
			__u8 sub[16];
			__u32 id = 0;

			assert_int_equal(hs_parse_addr(e->sub, sub), 0);
			rs = ruleset_of(e->prefix, &id);
			if (memcmp(key.subscriber, sub, 16) || key.bin_start != e->bin_start ||
			    key.ruleset != id || key.rule_mask != mask_of(rs, e->domains))
				continue;
			found = seen[i] = true;
			/* the records' own sampled counts, summed per key */
			if (val.packets != e->packets || val.bytes != e->bytes ||
			    val.records != e->records)
				fail_msg("evidence of %s at %llu: packets/bytes/records %llu/%llu/%llu, expected %llu/%llu/%llu",
					 e->sub, (unsigned long long)e->bin_start,
					 (unsigned long long)val.packets,
					 (unsigned long long)val.bytes,
					 (unsigned long long)val.records,
					 (unsigned long long)e->packets,
					 (unsigned long long)e->bytes,
					 (unsigned long long)e->records);
		}
		if (!found)
			fail_msg("unexpected evidence: subscriber %s bin %llu ruleset %u mask %#x",
				 hs_format_addr(key.subscriber, a, sizeof(a)),
				 (unsigned long long)key.bin_start, key.ruleset, key.rule_mask);
	}
	/* every expected entry exists: none missing, none merged */
	for (int i = 0; i < n_want; i++)
		if (!seen[i])
			fail_msg("missing evidence: subscriber %s bin %llu prefix %s", want[i].sub,
				 (unsigned long long)want[i].bin_start, want[i].prefix);
	assert_int_equal(n_got, n_want);
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	struct hs_options o = {
		.dict_path = DATA_DIR "/dictionary.json",
		.subscribers_path = DATA_DIR "/subscribers.txt",
		.ports = { PORT, 9995 },
	};

	hs_log_setup(getenv("HS_VERBOSE") != NULL);
	return hs_setup_load(&o, &ctx.setup) ? -1 : 0;
}

static int group_teardown(void **state)
{
	hs_setup_free(&ctx.setup);
	return 0;
}

/* A fresh program per case: counters and evidence start empty. */
static int case_setup(void **state)
{
	const struct xdp_case *c = *state;
	struct haystack_config cfg = ctx.setup.config;
	struct bpf_map *map;

	if (hs_instance_open(&ctx.in, NULL))
		return -1;
	/* nothing may be pinned: the tests must not touch a running instance */
	bpf_object__for_each_map(map, ctx.in.skel->obj)
		if (bpf_map__pin_path(map))
			return -1;
	if (hs_instance_load(&ctx.in))
		return -1;
	if (c->unconfigured)
		return 0;
	if (hs_setup_apply(&ctx.setup, &ctx.in))
		return -1;
	cfg.flags = c->flags;
	cfg.closed_before = c->closed_before;
	return hs_write_config(&ctx.in, &cfg) ? -1 : 0;
}

static int case_teardown(void **state)
{
	hs_instance_close(&ctx.in, false);
	return 0;
}

static void run_case(void **state)
{
	const struct xdp_case *c = *state;
	int prog = bpf_program__fd(ctx.in.skel->progs.haystack_xdp);
	struct haystack_stats st;
	struct pkt p;
	__u32 verdict;
	int err;

	for (int f = 0; f < (c->frames ?: 1); f++) {
		c->build(&p, f);
		/* the kernel runs the frame */
		err = hs_frame_run(prog, p.buf, p.len, &verdict);
		if (err)
			fail_msg("hs_frame_run on a %zu-byte frame: %s (%d)", p.len,
				 strerror(-err), err);
		/* export packets are passed on unless consumed; others always */
		assert_int_equal(verdict, c->verdict);
	}
	assert_int_equal(hs_read_stats(bpf_map__fd(ctx.in.skel->maps.stats), &st), 0);
	/* every counter exactly: the expected reason and no other */
	assert_stats_equal(&c->stats, &st);
	/* the evidence map holds exactly the expected entries */
	assert_evidence(c->ev);
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[N];

	for (int i = 0; i < N; i++)
		tests[i] = (struct CMUnitTest){
			.name = cases[i].name,
			.test_func = run_case,
			.setup_func = case_setup,
			.teardown_func = case_teardown,
			.initial_state = (void *)&cases[i],
		};
	return _cmocka_run_group_tests("xdp", tests, N, group_setup, group_teardown);
}
