// SPDX-License-Identifier: GPL-2.0
/*
 * The NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) decoder of the XDP program
 * on crafted export datagrams, through BPF_PROG_TEST_RUN. Most cases run
 * once per version (BOTH); the runner, the test dictionary and subscribers
 * are described in tests/lib/xdp_table.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "xdp_table.h"

#define DOMAIN		1		/* v9 source ID / IPFIX observation domain */
#define EXPORTER_B	"10.0.0.3"
#define SUB6		"2001:db8:100::7"
#define CAM6		"2001:db8:5::20"

/* a field specifier (IE number, length) */
#define F(i, l)		{ .id = (i), .len = (l) }
#define COUNT(a)	(int)(sizeof(a) / sizeof((a)[0]))
#define FIELDS(a)	a, COUNT(a)

/* IPv4 5-tuple, flags, 4-octet counters: 22 octets, the softflowd layout */
static const struct pkt_ie V4[] = {
	F(8, 4), F(12, 4), F(7, 2), F(11, 2), F(4, 1), F(6, 1), F(2, 4), F(1, 4),
};

/* V4 reordered: destination first, bytes in 8 octets before packets in 2 */
static const struct pkt_ie V4_SWAPPED[] = {
	F(12, 4), F(8, 4), F(11, 2), F(7, 2), F(6, 1), F(4, 1), F(1, 8), F(2, 2),
};

static const struct pkt_ie V6[] = {
	F(27, 16), F(28, 16), F(7, 2), F(11, 2), F(4, 1), F(6, 1), F(2, 4), F(1, 4),
};

/* reduced-size counters (RFC 7011 §6.2) */
static const struct pkt_ie SHORT_PACKETS[] = {
	F(8, 4), F(12, 4), F(7, 2), F(11, 2), F(4, 1), F(6, 1), F(2, 1), F(1, 8),
};

static const struct pkt_ie TWO_OCTET_COUNTERS[] = {
	F(8, 4), F(12, 4), F(7, 2), F(11, 2), F(4, 1), F(6, 1), F(2, 2), F(1, 2),
};

/* only the out counters (24, 23), as some exporters send egress flows */
static const struct pkt_ie OUT_COUNTERS[] = {
	F(8, 4), F(12, 4), F(7, 2), F(11, 2), F(4, 1), F(6, 1), F(24, 4), F(23, 4),
};

/* Enterprise fields with the numbers of fields haystack reads (8: source
 * address, 11: destination port): skipped, never read as those. */
static const struct pkt_ie ENTERPRISE[] = {
	{ .id = 8, .len = 4, .pen = 9 }, F(8, 4), F(12, 4), { .id = 11, .len = 2, .pen = 9 }, F(7, 2), F(11, 2),
	F(4, 1), F(6, 1), F(2, 4), F(1, 4),
};

/* Variable-length fields in the 1-octet length form (5 and 0 octets) and
 * the 3-octet form (300 octets, and 3 octets written long), one of them
 * enterprise-specific. */
static const struct pkt_ie VARIABLE[] = {
	F(8, 4), { .id = 82, .len = PKT_VARLEN, .var = 5 }, F(12, 4), { .id = 100, .len = 4, .pen = 9 }, F(7, 2),
	{ .id = 94, .len = PKT_VARLEN, .var = 300 }, F(11, 2), { .id = 83, .len = PKT_VARLEN, .var = 3, .long_form = true },
	F(4, 1), F(6, 1), F(2, 4), F(1, 4), { .id = 200, .len = PKT_VARLEN, .pen = 29305 },
};

/* Both families in one template (Procera, IOS XR MPLS): 58 octets */
static const struct pkt_ie DUAL[] = {
	F(8, 4), F(12, 4), F(27, 16), F(28, 16), F(7, 2), F(11, 2), F(4, 1), F(6, 1),
	F(2, 4), F(1, 4),
};

/* both families set: IPv4 is read, the IPv6 pair is another flow's */
static const struct pkt_ie DUAL_BOTH_SET[] = {
	F(8, 4), F(12, 4), { .id = 27, .len = 16, .addr = SUB6 }, { .id = 28, .len = 16, .addr = CAM6 },
	F(7, 2), F(11, 2), F(4, 1), F(6, 1), F(2, 4), F(1, 4),
};

/* A tunnel's outer addresses and ports, then the inner flow's: the last
 * occurrence is the flow (30 octets). */
#define OUTER_THEN_INNER \
	{ .id = 8, .len = 4, .addr = "192.0.2.99" }, { .id = 12, .len = 4, .addr = "192.0.2.98" }, \
	F(8, 4), F(12, 4), F(7, 2), F(11, 2), F(4, 1), F(6, 1), F(2, 4), F(1, 4)
static const struct pkt_ie REPEATED[] = { OUTER_THEN_INNER };
/* the same with a variable-length field: the other decoding path */
static const struct pkt_ie REPEATED_VARIABLE[] = {
	OUTER_THEN_INNER, { .id = 82, .len = PKT_VARLEN, .var = 5 },
};

/* total counters only (YAF) */
static const struct pkt_ie TOTAL_COUNTERS[] = {
	F(8, 4), F(12, 4), F(7, 2), F(11, 2), F(4, 1), F(6, 1), F(86, 8), F(85, 8),
};

/* a port and a protocol in more octets than their types, holding values
 * that would read as tcp/443 cut to 16 and 8 bits */
static const struct pkt_ie WIDE_PORT[] = {
	F(8, 4), F(12, 4), F(7, 2), { .id = 11, .len = 4, .has_value = true, .value = 0x101bb },
	F(4, 1), F(6, 1), F(2, 4), F(1, 4),
};
static const struct pkt_ie WIDE_PROTO[] = {
	F(8, 4), F(12, 4), F(7, 2), F(11, 2), { .id = 4, .len = 2, .has_value = true, .value = 0x106 },
	F(6, 1), F(2, 4), F(1, 4),
};
/* the same widths holding values that fit: read */
static const struct pkt_ie WIDE_FITTING[] = {
	F(8, 4), F(12, 4), F(7, 4), F(11, 4), F(4, 2), F(6, 1), F(2, 4), F(1, 4),
};

/* no packet counter at all (Cisco ASA NSEL events) */
static const struct pkt_ie NO_COUNTERS[] = {
	F(8, 4), F(12, 4), F(7, 2), F(11, 2), F(4, 1), F(6, 1),
};

/* a 1-octet record without addresses: the most records a frame can hold */
static const struct pkt_ie TINY[] = { F(4, 1) };

static const struct v5rec SUB_TO_CAM = {
	.src = SUB, .dst = CAM, .sport = 50123, .dport = 443, .proto = IPPROTO_TCP,
	.tcp_flags = 0x18, .packets = 3, .bytes = 420,
};

static const struct v5rec SUB2_TO_CAM = {
	.src = SUB2, .dst = CAM, .sport = 50200, .dport = 443, .proto = IPPROTO_TCP,
	.tcp_flags = 0x02, .packets = 5, .bytes = 700,
};

static const struct v5rec SUB_TO_OTHER = {
	.src = SUB, .dst = OTHER, .sport = 50124, .dport = 443, .proto = IPPROTO_TCP,
	.packets = 2, .bytes = 120,
};

/* ---- builders ---- */

static void msg_begin_from(struct pkt *p, int v, const char *exporter, uint32_t t,
			   uint32_t domain)
{
	export_begin_from(p, OUT_V4, exporter, PORT);
	if (v == 9)
		pkt_v9_header(p, 2, t, domain);
	else
		pkt_ipfix_header(p, t, domain);
}

static void msg_begin(struct pkt *p, int v, uint32_t t)
{
	msg_begin_from(p, v, EXPORTER, t, DOMAIN);
}

static void template_set(struct pkt *p, uint16_t id, const struct pkt_ie *f, int n)
{
	pkt_set_begin(p, pkt_template_set(p));
	pkt_template(p, id, f, n);
	pkt_set_end(p);
}

/* A data set of nrec records, then padding octets. */
static void data_set(struct pkt *p, uint16_t id, const struct pkt_ie *f, int n,
		     const struct v5rec *r, int nrec, size_t padding)
{
	pkt_set_begin(p, id);
	for (int i = 0; i < nrec; i++)
		pkt_flow_record(p, f, n, &r[i]);
	pkt_put(p, padding);
	pkt_set_end(p);
}

/* An IPFIX template withdrawal (field count 0) in a set of its own. */
static void withdrawal(struct pkt *p, uint16_t set, uint16_t id)
{
	pkt_set_begin(p, set);
	pkt_template(p, id, NULL, 0);
	pkt_set_end(p);
}

/* Options template id with a domain scope (v9: System, IPFIX:
 * observationDomainId) and fields f, and one options data record of it. */
static void options(struct pkt *p, uint16_t id, const struct pkt_ie *f, int n,
		    const uint64_t *values)
{
	static const struct pkt_ie scope_v9 = F(1, 4), scope_ipfix = F(149, 4);

	pkt_set_begin(p, pkt_options_set(p));
	pkt_options_template(p, id, p->flowver == 9 ? &scope_v9 : &scope_ipfix, 1, f, n);
	pkt_set_end(p);
	pkt_set_begin(p, id);
	pkt_uint(p, 4, DOMAIN);
	for (int i = 0; i < n; i++)
		pkt_uint(p, f[i].len, values[i]);
	pkt_set_end(p);
}

/* template 256 and one record of it in one message at export time t */
static void tmpl_and_data(struct pkt *p, int v, uint32_t t, const struct pkt_ie *f, int n,
			  const struct v5rec *r)
{
	msg_begin(p, v, t);
	template_set(p, 256, f, n);
	data_set(p, 256, f, n, r, 1, 0);
	pkt_finish(p);
}

static void data_only(struct pkt *p, int v, uint32_t t, const struct v5rec *r)
{
	msg_begin(p, v, t);
	data_set(p, 256, FIELDS(V4), r, 1, 0);
	pkt_finish(p);
}

static void b_tmpl_data(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(V4), &SUB_TO_CAM);
}

/* One bit flipped in the export time of the middle message (2^30 s: 34
 * years on): not read, its template not stored, no clock moved. */
static void b_time_bit_flip(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, f == 1 ? T0 ^ (1U << 30) : T0, FIELDS(V4), &SUB_TO_CAM);
}

static void b_tmpl_then_data(struct pkt *p, int f, int v)
{
	if (f == 1) {
		data_only(p, v, T0, &SUB_TO_CAM);
		return;
	}
	msg_begin(p, v, T0);
	template_set(p, 256, FIELDS(V4));
	pkt_finish(p);
}

/* data, template, data */
static void b_data_first(struct pkt *p, int f, int v)
{
	if (f == 1)
		b_tmpl_then_data(p, 0, v);
	else
		data_only(p, v, T0, &SUB_TO_CAM);
}

/* the V4 template, then 256 redefined as V4_SWAPPED */
static void b_redefine(struct pkt *p, int f, int v)
{
	if (f == 0)
		tmpl_and_data(p, v, T0, FIELDS(V4), &SUB_TO_CAM);
	else
		tmpl_and_data(p, v, T0, FIELDS(V4_SWAPPED), &SUB2_TO_CAM);
}

static void b_ipv6(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(V6), &(struct v5rec){ .src = SUB6, .dst = CAM6,
			.sport = 50123, .dport = 443, .proto = IPPROTO_TCP, .packets = 3,
			.bytes = 420 });
}

/* IPv6 ends in /24s that subscribers-blocks.txt fills whole (a /20), in
 * part (a /40) and not at all, each once as source and once as
 * destination, the other end in no prefix: two of the five are
 * subscribers. */
static void b_subscriber_blocks6(struct pkt *p, int f, int v)
{
	static const char *const ends[5] = {
		"2001:db8:100::9", "2a00:abc::1", "2001:db8:200::1", "2a00:1000::1", "2001:1db8::1",
	};
	struct v5rec r[10];

	for (int i = 0; i < 10; i++)
		r[i] = (struct v5rec){ .src = i < 5 ? ends[i] : "2600::1",
				       .dst = i < 5 ? "2600::1" : ends[i - 5], .sport = 50123,
				       .dport = 443, .proto = IPPROTO_TCP, .packets = 1,
				       .bytes = 60 };
	msg_begin(p, v, T0);
	template_set(p, 256, FIELDS(V6));
	data_set(p, 256, FIELDS(V6), r, 10, 0);
	pkt_finish(p);
}

static void b_dual_v6(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(DUAL), &(struct v5rec){ .src = SUB6, .dst = CAM6,
			.sport = 50123, .dport = 443, .proto = IPPROTO_TCP, .packets = 3,
			.bytes = 420 });
}

static void b_dual_v4(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(DUAL), &SUB_TO_CAM);
}

static void b_dual_both(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(DUAL_BOTH_SET), &SUB_TO_CAM);
}

static void b_repeated(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(REPEATED), &SUB_TO_CAM);
}

static void b_repeated_variable(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(REPEATED_VARIABLE), &SUB_TO_CAM);
}

static void b_total_counters(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(TOTAL_COUNTERS), &SUB_TO_CAM);
}

static void b_wide_port(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(WIDE_PORT), &SUB_TO_CAM);
}

static void b_wide_proto(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(WIDE_PROTO), &SUB_TO_CAM);
}

static void b_wide_fitting(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(WIDE_FITTING), &SUB_TO_CAM);
}

static void b_no_counters(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(NO_COUNTERS), &SUB_TO_CAM);
}

static void b_reduced(struct pkt *p, int f, int v)
{
	msg_begin(p, v, T0);
	template_set(p, 256, FIELDS(SHORT_PACKETS));
	template_set(p, 257, FIELDS(TWO_OCTET_COUNTERS));
	data_set(p, 256, FIELDS(SHORT_PACKETS), &SUB_TO_CAM, 1, 0);
	data_set(p, 257, FIELDS(TWO_OCTET_COUNTERS), &(struct v5rec){ .src = SUB, .dst = CAM,
			.sport = 50125, .dport = 443, .proto = IPPROTO_TCP, .packets = 300,
			.bytes = 60000 }, 1, 0);
	pkt_finish(p);
}

static void b_out_counters(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(OUT_COUNTERS), &SUB_TO_CAM);
}

static void b_enterprise(struct pkt *p, int f, int v)
{
	tmpl_and_data(p, v, T0, FIELDS(ENTERPRISE), &SUB_TO_CAM);
}

static void b_variable(struct pkt *p, int f, int v)
{
	const struct v5rec r[] = { SUB_TO_CAM, SUB2_TO_CAM };

	msg_begin(p, v, T0);
	template_set(p, 256, FIELDS(VARIABLE));
	data_set(p, 256, FIELDS(VARIABLE), r, 2, 0);
	pkt_finish(p);
}

/* a record and 21 octets of padding: one short of a second record */
static void b_padding(struct pkt *p, int f, int v)
{
	msg_begin(p, v, T0);
	template_set(p, 256, FIELDS(V4));
	data_set(p, 256, FIELDS(V4), &SUB_TO_CAM, 1, 21);
	pkt_finish(p);
}

/* Two records (a match and a miss): what the records ring carries. */
static void b_two_records(struct pkt *p, int f, int v)
{
	const struct v5rec r[] = { SUB_TO_CAM, SUB_TO_OTHER };

	msg_begin(p, v, T0);
	template_set(p, 256, FIELDS(V4));
	data_set(p, 256, FIELDS(V4), r, 2, 0);
	pkt_finish(p);
}

/* templates 256 and 257, then 256 withdrawn, then data of both */
static void b_withdraw(struct pkt *p, int f, int v)
{
	msg_begin(p, v, T0);
	if (f == 0) {
		template_set(p, 256, FIELDS(V4));
		template_set(p, 257, FIELDS(V4));
	} else {
		withdrawal(p, 2, 256);
		data_set(p, 256, FIELDS(V4), &SUB_TO_CAM, 1, 0);
		data_set(p, 257, FIELDS(V4), &SUB2_TO_CAM, 1, 0);
	}
	pkt_finish(p);
}

static const struct pkt_ie SAMPLING_34[] = { F(34, 4) };
/* v9 FLOW_SAMPLER_ID, FLOW_SAMPLER_MODE, FLOW_SAMPLER_RANDOM_INTERVAL */
static const struct pkt_ie SAMPLER_50[] = { F(48, 1), F(49, 1), F(50, 4) };
/* IPFIX samplingPacketInterval, samplingPacketSpace (RFC 5476) */
static const struct pkt_ie INTERVAL_SPACE[] = { F(305, 4), F(306, 4) };

/* frame 0: flow templates 256, 257 and options template 300; frame 1:
 * withdraw all templates (set 2, ID 2) or all options templates (set 3,
 * ID 3), then data of 256 */
static void withdraw_all(struct pkt *p, int f, int v, uint16_t set)
{
	msg_begin(p, v, T0);
	if (f == 0) {
		template_set(p, 256, FIELDS(V4));
		template_set(p, 257, FIELDS(V4));
		options(p, 300, FIELDS(SAMPLING_34), (const uint64_t[]){ 100 });
	} else {
		withdrawal(p, set, set);
		data_set(p, 256, FIELDS(V4), &SUB_TO_CAM, 1, 0);
	}
	pkt_finish(p);
}

static void b_withdraw_all(struct pkt *p, int f, int v)
{
	withdraw_all(p, f, v, 2);
}

static void b_withdraw_all_options(struct pkt *p, int f, int v)
{
	withdraw_all(p, f, v, 3);
}

/* sampling options (template 300), then template 256 and a record */
static void sampled(struct pkt *p, int v, const struct pkt_ie *f, int n,
		    const uint64_t *values)
{
	msg_begin(p, v, T0);
	options(p, 300, f, n, values);
	template_set(p, 256, FIELDS(V4));
	data_set(p, 256, FIELDS(V4), &SUB_TO_CAM, 1, 0);
	pkt_finish(p);
}

static void b_sampling_34(struct pkt *p, int f, int v)
{
	sampled(p, v, FIELDS(SAMPLING_34), (const uint64_t[]){ 100 });
}

static void b_sampling_50(struct pkt *p, int f, int v)
{
	sampled(p, v, FIELDS(SAMPLER_50), (const uint64_t[]){ 1, 2, 64 });
}

/* IPFIX samplingSize, samplingPopulation (RFC 5477) */
static const struct pkt_ie SIZE_POPULATION[] = { F(309, 4), F(310, 4) };
/* Cisco IOS XR: samplingPacketInterval 1 without a space, beside 309/310 */
static const struct pkt_ie INTERVAL_SIZE_POPULATION[] = { F(305, 4), F(309, 4), F(310, 4) };

/* 1 packet of every 256 */
static void b_size_population(struct pkt *p, int f, int v)
{
	sampled(p, v, FIELDS(SIZE_POPULATION), (const uint64_t[]){ 1, 256 });
}

static void b_interval_size_population(struct pkt *p, int f, int v)
{
	sampled(p, v, FIELDS(INTERVAL_SIZE_POPULATION), (const uint64_t[]){ 1, 1, 256 });
}

/*
 * Two samplers in one observation domain (akvorado's capture: 1-in-2000 and
 * 1-in-4000), defined in options data; the records of templates 256 and 257
 * name one each: v9 by FLOW_SAMPLER_ID 48 (system scope), IPFIX by
 * selectorId 302 as the scope (Cisco IOS XR) with 309/310.
 */
#define SAMPLER_FIELD(v, n) { .id = (v) == 9 ? 48 : 302, .len = (v) == 9 ? 2 : 4, \
			      .has_value = true, .value = (n) }
#define NAMING(v, n) F(8, 4), F(12, 4), F(7, 2), F(11, 2), F(4, 1), F(6, 1), F(2, 4), F(1, 4), \
		     SAMPLER_FIELD(v, n)

static void b_two_samplers(struct pkt *p, int f, int v)
{
	static const struct pkt_ie scope_v9 = F(1, 4), scope_ipfix = F(302, 4);
	static const struct pkt_ie rate_v9[] = { F(48, 2), F(50, 4) };
	static const struct pkt_ie rate_ipfix[] = { F(309, 4), F(310, 4) };
	const struct pkt_ie one[] = { NAMING(v, 1) }, two[] = { NAMING(v, 2) };

	msg_begin(p, v, T0);
	pkt_set_begin(p, pkt_options_set(p));
	pkt_options_template(p, 300, v == 9 ? &scope_v9 : &scope_ipfix, 1,
			     v == 9 ? rate_v9 : rate_ipfix, 2);
	pkt_set_end(p);
	pkt_set_begin(p, 300);
	for (uint32_t sampler = 1; sampler <= 2; sampler++) {
		if (v == 9) {
			pkt_uint(p, 4, DOMAIN);
			pkt_uint(p, 2, sampler);
			pkt_uint(p, 4, 2000 * sampler);
		} else {
			pkt_uint(p, 4, sampler);
			pkt_uint(p, 4, 1);
			pkt_uint(p, 4, 2000 * sampler);
		}
	}
	pkt_set_end(p);
	template_set(p, 256, FIELDS(one));
	template_set(p, 257, FIELDS(two));
	data_set(p, 256, FIELDS(one), &SUB_TO_CAM, 1, 0);
	data_set(p, 257, FIELDS(two), &SUB2_TO_CAM, 1, 0);
	pkt_finish(p);
}

/* 1 packet selected, 9 skipped: 1-in-10 */
static void b_interval_space(struct pkt *p, int f, int v)
{
	sampled(p, v, FIELDS(INTERVAL_SPACE), (const uint64_t[]){ 1, 9 });
}

/* template 256 and a record, then what bad() appends, then a record */
static void malformed(struct pkt *p, int v, void (*bad)(struct pkt *p))
{
	msg_begin(p, v, T0);
	template_set(p, 256, FIELDS(V4));
	data_set(p, 256, FIELDS(V4), &SUB_TO_CAM, 1, 0);
	bad(p);
	data_set(p, 256, FIELDS(V4), &SUB2_TO_CAM, 1, 0);
	pkt_finish(p);
}

static void set_length_2(struct pkt *p)
{
	pkt_uint(p, 2, 256);
	pkt_uint(p, 2, 2);
}

static void b_set_length_2(struct pkt *p, int f, int v)
{
	malformed(p, v, set_length_2);
}

static void set_overruns(struct pkt *p)
{
	pkt_uint(p, 2, 256);
	pkt_uint(p, 2, 4 + 4 + 22 + 1);	/* 1 octet beyond the message */
}

static void b_set_overruns(struct pkt *p, int f, int v)
{
	malformed(p, v, set_overruns);
}

/* reserved set IDs, 8 octets of filler each: the closest to the template
 * sets (v9 2, IPFIX 1), and 255 */
static void reserved_sets(struct pkt *p)
{
	pkt_set_begin(p, p->flowver == 9 ? 2 : 1);
	pkt_filler(p, 8);
	pkt_set_end(p);
	pkt_set_begin(p, 255);
	pkt_filler(p, 8);
	pkt_set_end(p);
}

static void b_reserved_sets(struct pkt *p, int f, int v)
{
	malformed(p, v, reserved_sets);
}

/* 2 octets after the last set: not a set header */
static void b_set_header_cut(struct pkt *p, int f, int v)
{
	msg_begin(p, v, T0);
	template_set(p, 256, FIELDS(V4));
	data_set(p, 256, FIELDS(V4), &SUB_TO_CAM, 1, 0);
	pkt_put(p, 2);
	pkt_finish(p);
}

static void b_length_exceeds(struct pkt *p, int f, int v)
{
	b_tmpl_data(p, f, v);
	pkt_w16(p->buf + p->msg + 2, (uint16_t)(p->len - (size_t)p->msg + 1));
}

/* a set after the IPFIX message in the datagram: not read */
static void b_after_message(struct pkt *p, int f, int v)
{
	size_t len;

	b_tmpl_data(p, f, v);
	len = p->len - (size_t)p->msg;
	data_set(p, 256, FIELDS(V4), &SUB2_TO_CAM, 1, 0);
	pkt_finish(p);
	pkt_w16(p->buf + p->msg + 2, (uint16_t)len);
}

/* V4 and n - 8 one-octet fields to skip */
static void long_template(struct pkt *p, uint16_t id, int n, bool data)
{
	struct pkt_ie f[HAYSTACK_TEMPLATE_MAX_FIELDS + 1];

	memcpy(f, V4, sizeof(V4));
	for (int i = COUNT(V4); i < n; i++)
		f[i] = (struct pkt_ie)F(210, 1);	/* paddingOctets */
	template_set(p, id, f, n);
	if (data)
		data_set(p, id, f, n, &SUB_TO_CAM, 1, 0);
}

static void b_64_fields(struct pkt *p, int f, int v)
{
	msg_begin(p, v, T0);
	long_template(p, 256, HAYSTACK_TEMPLATE_MAX_FIELDS, true);
	pkt_finish(p);
}

/* frame 0: template 256 and a record; frame 1: 256 redefined with 65
 * fields and a record of it, then template 257 and a record */
static void b_65_fields(struct pkt *p, int f, int v)
{
	if (f == 0) {
		b_tmpl_data(p, f, v);
		return;
	}
	msg_begin(p, v, T0);
	long_template(p, 256, HAYSTACK_TEMPLATE_MAX_FIELDS + 1, true);
	template_set(p, 257, FIELDS(V4));
	data_set(p, 257, FIELDS(V4), &SUB2_TO_CAM, 1, 0);
	pkt_finish(p);
}

/* Frame 0: template 256 and a record. Frame 1: 256 redefined by a record
 * haystack cannot read, then a record of 256: unknown, never read with the
 * old layout. */
static void redefined_badly(struct pkt *p, int f, int v, void (*bad)(struct pkt *p))
{
	if (f == 0) {
		b_tmpl_data(p, f, v);
		return;
	}
	msg_begin(p, v, T0);
	pkt_set_begin(p, pkt_template_set(p));
	bad(p);
	pkt_set_end(p);
	data_set(p, 256, FIELDS(V4), &SUB2_TO_CAM, 1, 0);
	pkt_finish(p);
}

/* says 8 fields; the set ends after 3 */
static void cut_template(struct pkt *p)
{
	uint8_t *b = pkt_put(p, 4);

	pkt_w16(b, 256);
	pkt_w16(b + 2, 8);
	pkt_ies(p, V4, 3);
}

static void b_cut_template(struct pkt *p, int f, int v)
{
	redefined_badly(p, f, v, cut_template);
}

/* a 6-octet source address */
static const struct pkt_ie WIDE_ADDRESS[] = {
	F(8, 6), F(12, 4), F(7, 2), F(11, 2), F(4, 1), F(6, 1), F(2, 4), F(1, 4),
};

static void wide_address(struct pkt *p)
{
	pkt_template(p, 256, FIELDS(WIDE_ADDRESS));
}

static void b_wide_address(struct pkt *p, int f, int v)
{
	redefined_badly(p, f, v, wide_address);
}

/* v9 has no variable-length fields, but H3C sends length 65535 in v9
 * templates with IPFIX's encoding in the records: both length forms */
static const struct pkt_ie V9_VARIABLE[] = {
	F(8, 4), { .id = 82, .len = PKT_VARLEN, .var = 5 }, F(12, 4), F(7, 2),
	{ .id = 94, .len = PKT_VARLEN, .var = 300 }, F(11, 2),
	{ .id = 83, .len = PKT_VARLEN, .var = 3, .long_form = true }, F(4, 1), F(6, 1), F(2, 4), F(1, 4),
};

static void b_v9_variable(struct pkt *p, int f, int v)
{
	const struct v5rec r[] = { SUB_TO_CAM, SUB2_TO_CAM };

	msg_begin(p, v, T0);
	template_set(p, 256, FIELDS(V9_VARIABLE));
	data_set(p, 256, FIELDS(V9_VARIABLE), r, 2, 0);
	pkt_finish(p);
}

static void b_low_id(struct pkt *p, int f, int v)
{
	msg_begin(p, v, T0);
	template_set(p, 255, FIELDS(V4));
	pkt_finish(p);
}

/* addresses, then a variable-length name */
static const struct pkt_ie NAMED[] = { F(8, 4), F(12, 4), { .id = 82, .len = PKT_VARLEN, .var = 10 } };

/* a record whose variable-length field says 200 octets; 10 are left */
static void b_variable_overrun(struct pkt *p, int f, int v)
{
	size_t at;

	msg_begin(p, v, T0);
	template_set(p, 256, FIELDS(NAMED));
	pkt_set_begin(p, 256);
	at = p->len;
	pkt_flow_record(p, FIELDS(NAMED), &SUB_TO_CAM);
	p->buf[at + 8] = 200;
	pkt_set_end(p);
	pkt_finish(p);
}

/* template and a record at T0, a record at T0 + dt */
static void later_data(struct pkt *p, int f, int v, uint32_t dt)
{
	if (f == 0)
		b_tmpl_data(p, f, v);
	else
		data_only(p, v, T0 + dt, &SUB2_TO_CAM);
}

static void b_after_60(struct pkt *p, int f, int v)
{
	later_data(p, f, v, 60);
}

static void b_after_61(struct pkt *p, int f, int v)
{
	later_data(p, f, v, 61);
}

static void b_after_timeout(struct pkt *p, int f, int v)
{
	later_data(p, f, v, HAYSTACK_TEMPLATE_TIMEOUT);
}

static void b_after_timeout_1(struct pkt *p, int f, int v)
{
	later_data(p, f, v, HAYSTACK_TEMPLATE_TIMEOUT + 1);
}

/* exporter A's template and a record; then a record of the same template
 * ID from exporter B, and from A's domain 2 */
static void b_scope(struct pkt *p, int f, int v)
{
	if (f == 0) {
		b_tmpl_data(p, f, v);
		return;
	}
	msg_begin_from(p, v, f == 1 ? EXPORTER_B : EXPORTER, T0, f == 1 ? DOMAIN : 2);
	data_set(p, 256, FIELDS(V4), &SUB2_TO_CAM, 1, 0);
	pkt_finish(p);
}

/* a template and a record from a source outside exporters.txt */
static void b_unlisted_template(struct pkt *p, int f, int v)
{
	msg_begin_from(p, v, EXPORTER_B, T0, DOMAIN);
	template_set(p, 256, FIELDS(V4));
	data_set(p, 256, FIELDS(V4), &SUB_TO_CAM, 1, 0);
	pkt_finish(p);
}

/* the same template ID in v9 and IPFIX from one exporter and domain */
static void b_other_version(struct pkt *p, int f, int v)
{
	if (f == 0)
		b_tmpl_data(p, f, 9);
	else
		data_only(p, 10, T0, &SUB2_TO_CAM);
}

/* a template of one 1-octet field and n records of it */
static void tiny_records(struct pkt *p, int v, int n)
{
	msg_begin(p, v, T0);
	template_set(p, 256, FIELDS(TINY));
	pkt_set_begin(p, 256);
	for (int i = 0; i < n; i++)
		pkt_flow_record(p, FIELDS(TINY), &SUB_TO_CAM);
	pkt_set_end(p);
	pkt_finish(p);
}

/* A message of 64 KiB: more records than any smaller step limit reads. */
static void b_64k_records(struct pkt *p, int f, int v)
{
	tiny_records(p, v, 65000);
}

/* ---- frames beyond the first page: read from their fragments ---- */

/* Template 256 of f, then nrec records of it in one datagram: every one r
 * but the last, last. */
static void big_message(struct pkt *p, int v, const struct pkt_ie *f, int n, int nrec,
			const struct v5rec *r, const struct v5rec *last)
{
	msg_begin(p, v, T0);
	template_set(p, 256, f, n);
	pkt_set_begin(p, 256);
	for (int i = 1; i < nrec; i++)
		pkt_flow_record(p, f, n, r);
	pkt_flow_record(p, f, n, last);
	pkt_set_end(p);
	pkt_finish(p);
}

/* 400 records of 22 octets: 8,900 octets of UDP, a jumbo frame */
static void b_jumbo(struct pkt *p, int f, int v)
{
	big_message(p, v, FIELDS(V4), 400, &SUB_TO_CAM, &SUB2_TO_CAM);
}

/* 190 records of 46 octets, IPv6 addresses: 8,800 octets of UDP */
static void b_jumbo_v6(struct pkt *p, int f, int v)
{
	const struct v5rec r = { .src = SUB6, .dst = CAM6, .sport = 50123, .dport = 443,
				 .proto = IPPROTO_TCP, .packets = 3, .bytes = 420 };

	big_message(p, v, FIELDS(V6), 190, &r, &r);
}

/* 25 records of 342 octets: 8,650 octets of UDP */
static void b_jumbo_variable(struct pkt *p, int f, int v)
{
	big_message(p, v, FIELDS(VARIABLE), 25, &SUB_TO_CAM, &SUB2_TO_CAM);
}

/* An unknown template's data set over the first page, then the template
 * and its record: what is defined past the page is kept, and read. */
static void b_template_past_page(struct pkt *p, int f, int v)
{
	msg_begin(p, v, T0);
	pkt_set_begin(p, 999);
	pkt_put(p, 4000);
	pkt_set_end(p);
	template_set(p, 256, FIELDS(V4));
	data_set(p, 256, FIELDS(V4), &SUB_TO_CAM, 1, 0);
	pkt_finish(p);
}

/* ---- the table ---- */

#define PASS	XDP_PASS

#define PFX_9		"v9: "
#define PFX_10		"IPFIX: "
#define MSGS_9		.v9_packets
#define MSGS_10		.ipfix_packets
#define UNPAREN(...)	__VA_ARGS__

/* A case of version v whose n frames are all well-formed messages: st, in
 * parentheses, are the counters beyond the per-packet ones. */
#define ROW(v, desc, fn, n, st, ...)						\
	{ PFX_##v desc, fn, .frames = n, .version = v, .verdict = PASS,		\
	  .stats = { .packets = n, .export_packets = n, MSGS_##v = n, UNPAREN st }, \
	  __VA_ARGS__ }
#define BOTH(...)	ROW(9, __VA_ARGS__), ROW(10, __VA_ARGS__)

#define AT(t)		.export_time_min = (t), .export_time_max = (t)
#define CAM_EV(s, pk, by, n, est) \
	{ (s), HOUR10, "203.0.113.0/24", { "api.cam.test" }, (pk), (by), (n), (est) }
#define ONE_CAM		{ CAM_EV(SUB, 3, 420, 1, 0) }
/* the V4 template 256 of EXPORTER, last seen at t */
#define V4_TMPL(t)	{ EXPORTER, DOMAIN, 256, 0, 8, 22, 22, 0, (t), 4 }

/* options template 300: the scope field and n - 1 options, len octets */
#define SAMPLING_TMPL(n, len)	{ EXPORTER, DOMAIN, 300, 0, (n), (len), (len), 1, T0 }
#define SAMPLED		AT(T0), .options_templates = 1, .options_records = 1, .templates = 1, \
			.records = 1, .matched = 1
#define SUB_TO_CAM_RECORD(rate) \
	{ EXPORTER, DOMAIN, 256, 0, T0, SUB, CAM, 50123, 443, IPPROTO_TCP, 0x18, 3, 420, (rate), \
	  RESULT_MATCHED, 1, "203.0.113.0/24", { "api.cam.test" } }
#define TWO_SAMPLER_RECORDS(t1, t2) \
	{ EXPORTER, DOMAIN, (t1), 0, T0, SUB, CAM, 50123, 443, IPPROTO_TCP, 0x18, 3, 420, 2000, \
	  RESULT_MATCHED, 1, "203.0.113.0/24", { "api.cam.test" } }, \
	{ EXPORTER, DOMAIN, (t2), 0, T0, SUB2, CAM, 50200, 443, IPPROTO_TCP, 0x02, 5, 700, 4000, \
	  RESULT_MATCHED, 1, "203.0.113.0/24", { "api.cam.test" } }
/* template at T0, data at T0 + dt */
#define EXPIRY(dt)	.export_time_min = T0, .export_time_max = T0 + (dt), .templates = 1
/* the same, the data's template expired: no valid record, no clock moved */
#define EXPIRED		AT(T0), .templates = 1
#define TINY_TMPL	{ EXPORTER, DOMAIN, 256, 0, 1, 1, 1, 0, T0 }

static const struct xdp_case cases[] = {
	/* -- templates and data -- */
	BOTH("template then data in one packet", b_tmpl_data, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
	BOTH("one bit flipped in the export time: export_time_jump, the message not read",
	     b_time_bit_flip, 3,
	     (AT(T0), .templates = 2, .records = 2, .matched = 2, .export_time_jump = 1),
	     .ev = { CAM_EV(SUB, 6, 840, 2, 0) }, .templates = { V4_TMPL(T0) },
	     .clocks = { { EXPORTER, DOMAIN, 0, T0, T0, 2, 0, T0 ^ (1U << 30) } }),
	BOTH("template and data in separate packets", b_tmpl_then_data, 2,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
	BOTH("data before its template: skipped, then template, then data counted",
	     b_data_first, 3,
	     (AT(T0), .unknown_template = 1, .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
	BOTH("template redefined with fields swapped: data read with the new layout",
	     b_redefine, 2, (AT(T0), .templates = 2, .records = 2, .matched = 2),
	     .ev = { CAM_EV(SUB, 3, 420, 1, 0), CAM_EV(SUB2, 5, 700, 1, 0) },
	     .templates = { { EXPORTER, DOMAIN, 256, 0, 8, 24, 24, 0, T0 } }),
	BOTH("IPv6 records (fields 27/28)", b_ipv6, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = { { SUB6, HOUR10, "2001:db8:5::/48", { "api.cam.test" }, 3, 420, 1 } },
	     .templates = { { EXPORTER, DOMAIN, 256, 0, 8, 46, 46, 0, T0, 6 } }),
	BOTH("IPv6 subscriber blocks: /24s whole, in part, empty", b_subscriber_blocks6, 1,
	     (AT(T0), .templates = 1, .records = 10, .no_service = 4, .not_subscriber = 6),
	     .templates = { { EXPORTER, DOMAIN, 256, 0, 8, 46, 46, 0, T0 } },
	     .subscribers = "subscribers-blocks.txt"),
	BOTH("IPv4 and IPv6 fields, IPv4 all zero: the IPv6 addresses", b_dual_v6, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = { { SUB6, HOUR10, "2001:db8:5::/48", { "api.cam.test" }, 3, 420, 1 } },
	     .templates = { { EXPORTER, DOMAIN, 256, 0, 10, 54, 54, 0, T0 } }),
	BOTH("IPv4 and IPv6 fields, IPv6 all zero: the IPv4 addresses", b_dual_v4, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { { EXPORTER, DOMAIN, 256, 0, 10, 54, 54, 0, T0, FIXED_NONE } }),
	BOTH("IPv4 and IPv6 fields, both set: the IPv4 addresses", b_dual_both, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { { EXPORTER, DOMAIN, 256, 0, 10, 54, 54, 0, T0 } }),
	BOTH("outer then inner addresses: the last occurrence is the flow", b_repeated, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { { EXPORTER, DOMAIN, 256, 0, 10, 30, 30, 0, T0 } }),
	ROW(10, "outer then inner, with a variable-length field: the same flow", b_repeated_variable, 1,
	    (AT(T0), .templates = 1, .records = 1, .matched = 1),
	    .ev = ONE_CAM, .templates = { { EXPORTER, DOMAIN, 256, 0, 11, 0, 31, 0, T0 } }),
	BOTH("packets and bytes from the total counters 86/85 when 2/1 are absent",
	     b_total_counters, 1, (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { { EXPORTER, DOMAIN, 256, 0, 8, 30, 30, 0, T0 } }),
	BOTH("a 4-octet port holding 0x101bb: refused, never read as 443", b_wide_port, 1,
	     (AT(T0), .templates = 1, .value_out_of_range = 1),
	     .templates = { { EXPORTER, DOMAIN, 256, 0, 8, 24, 24, 0, T0 } }),
	BOTH("a 2-octet protocol holding 0x106: refused, never read as TCP", b_wide_proto, 1,
	     (AT(T0), .templates = 1, .value_out_of_range = 1),
	     .templates = { { EXPORTER, DOMAIN, 256, 0, 8, 23, 23, 0, T0 } }),
	BOTH("4-octet ports and a 2-octet protocol holding values that fit: read", b_wide_fitting,
	     1, (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { { EXPORTER, DOMAIN, 256, 0, 8, 27, 27, 0, T0 } }),
	BOTH("no packet counter: packets 0, evidence all the same, counted", b_no_counters, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1, .no_packet_count = 1),
	     .ev = { CAM_EV(SUB, 0, 0, 1, 0) },
	     .templates = { { EXPORTER, DOMAIN, 256, 0, 6, 14, 14, 0, T0 } }),
	BOTH("reduced-size counters: packets in 1 and 2 octets, bytes in 8 and 2", b_reduced, 1,
	     (AT(T0), .templates = 2, .records = 2, .matched = 2),
	     .ev = { CAM_EV(SUB, 303, 60420, 2, 0) },
	     .templates = { { EXPORTER, DOMAIN, 256, 0, 8, 23, 23, 0, T0 },
			    { EXPORTER, DOMAIN, 257, 0, 8, 18, 18, 0, T0 } }),
	BOTH("packets from field 24, bytes from 23 when 2 and 1 are absent", b_out_counters, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
	BOTH("data set padding shorter than a record is not a record", b_padding, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
	ROW(10, "enterprise fields (bit 15 + PEN) skipped in a fixed-length record",
	    b_enterprise, 1, (AT(T0), .templates = 1, .records = 1, .matched = 1),
	    .ev = ONE_CAM, .templates = { { EXPORTER, DOMAIN, 256, 0, 10, 28, 28, 0, T0 } }),
	ROW(10, "variable-length fields (1- and 3-octet lengths) and enterprise fields skipped",
	    b_variable, 1, (AT(T0), .templates = 1, .records = 2, .matched = 2),
	    .ev = { CAM_EV(SUB, 3, 420, 1, 0), CAM_EV(SUB2, 5, 700, 1, 0) },
	    .templates = { { EXPORTER, DOMAIN, 256, 0, 13, 0, 30, 0, T0, FIXED_NONE } }),

	/* -- the records ring buffer (every other case asserts it stays empty) -- */
	BOTH("--records: each decoded record sent with what became of it", b_two_records, 1,
	     (AT(T0), .templates = 1, .records = 2, .matched = 1, .no_service = 1),
	     .flags = HAYSTACK_F_RECORDS, .ev = ONE_CAM, .templates = { V4_TMPL(T0) },
	     .records = {
		{ EXPORTER, DOMAIN, 256, 0, T0, SUB, CAM, 50123, 443, IPPROTO_TCP, 0x18, 3, 420,
		  1, RESULT_MATCHED, 1, "203.0.113.0/24", { "api.cam.test" } },
		{ EXPORTER, DOMAIN, 256, 0, T0, SUB, OTHER, 50124, 443, IPPROTO_TCP, 0, 2, 120,
		  1, RESULT_NO_SERVICE, 1 } }),
	BOTH("without --records nothing is sent", b_two_records, 1,
	     (AT(T0), .templates = 1, .records = 2, .matched = 1, .no_service = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
	/* -- withdrawal (IPFIX) -- */
	ROW(10, "withdrawal (field count 0) of one template: its data unknown, others read",
	    b_withdraw, 2,
	    (AT(T0), .templates = 2, .templates_withdrawn = 1, .unknown_template = 1,
	     .records = 1, .matched = 1),
	    .ev = { CAM_EV(SUB2, 5, 700, 1, 0) },
	    .templates = { { EXPORTER, DOMAIN, 257, 0, 8, 22, 22, 0, T0 } }),
	ROW(10, "withdraw all (ID 2 in set 2): flow templates gone, options template kept",
	    b_withdraw_all, 2,
	    (AT(T0), .templates = 2, .options_templates = 1, .options_records = 1,
	     .templates_withdrawn = 2, .unknown_template = 1),
	    .templates = { SAMPLING_TMPL(2, 8) },
	    .exporters = { { EXPORTER, DOMAIN, 0, 100, 0, T0 } }),
	ROW(10, "withdraw all options templates (ID 3 in set 3): flow templates kept",
	    b_withdraw_all_options, 2,
	    (AT(T0), .templates = 2, .options_templates = 1, .options_records = 1,
	     .templates_withdrawn = 1, .records = 1, .matched = 1),
	    .ev = { CAM_EV(SUB, 3, 420, 1, 300) },
	    .templates = { V4_TMPL(T0), { EXPORTER, DOMAIN, 257, 0, 8, 22, 22, 0, T0 } },
	    .exporters = { { EXPORTER, DOMAIN, 0, 100, 0, T0 } }),

	/* -- sampling -- */
	BOTH("options data, field 34 = 100: packets_estimate = packets x 100", b_sampling_34, 1,
	     (SAMPLED), .flags = HAYSTACK_F_RECORDS,
	     .ev = { CAM_EV(SUB, 3, 420, 1, 300) },
	     .templates = { V4_TMPL(T0), SAMPLING_TMPL(2, 8) },
	     .exporters = { { EXPORTER, DOMAIN, 0, 100, 0, T0 } },
	     .records = { SUB_TO_CAM_RECORD(100) }),
	BOTH("--sampling 7 wins over the exporter's 100", b_sampling_34, 1,
	     (SAMPLED), .flags = HAYSTACK_F_RECORDS, .sampling = 7,
	     .ev = { CAM_EV(SUB, 3, 420, 1, 21) },
	     .templates = { V4_TMPL(T0), SAMPLING_TMPL(2, 8) },
	     .exporters = { { EXPORTER, DOMAIN, 0, 100, 0, T0 } },
	     .records = { SUB_TO_CAM_RECORD(7) }),
	ROW(9, "options data, field 50 (FLOW_SAMPLER_RANDOM_INTERVAL) = 64 of sampler 1", b_sampling_50, 1,
	    (SAMPLED), .ev = { CAM_EV(SUB, 3, 420, 1, 192) },
	    .templates = { V4_TMPL(T0), SAMPLING_TMPL(4, 10) },
	    .exporters = { { EXPORTER, DOMAIN, 0, 64, 0, T0 }, { EXPORTER, DOMAIN, 0, 64, 0, T0, 1 } }),
	ROW(9, "two samplers (48 in options data and in records): each record at its sampler's rate",
	    b_two_samplers, 1,
	    (AT(T0), .options_templates = 1, .options_records = 2, .templates = 2, .records = 2,
	     .matched = 2), .flags = HAYSTACK_F_RECORDS,
	    .ev = { CAM_EV(SUB, 3, 420, 1, 6000), CAM_EV(SUB2, 5, 700, 1, 20000) },
	    .templates = { { EXPORTER, DOMAIN, 256, 0, 9, 24, 24, 0, T0 },
			   { EXPORTER, DOMAIN, 257, 0, 9, 24, 24, 0, T0 }, SAMPLING_TMPL(3, 10) },
	    .exporters = { { EXPORTER, DOMAIN, 0, 4000, 0, T0 }, { EXPORTER, DOMAIN, 0, 2000, 0, T0, 1 },
			   { EXPORTER, DOMAIN, 0, 4000, 0, T0, 2 } },
	    .records = { TWO_SAMPLER_RECORDS(256, 257) }),
	ROW(10, "two samplers (302 as the options scope, 309/310; 302 in records): each its rate",
	    b_two_samplers, 1,
	    (AT(T0), .options_templates = 1, .options_records = 2, .templates = 2, .records = 2,
	     .matched = 2), .flags = HAYSTACK_F_RECORDS,
	    .ev = { CAM_EV(SUB, 3, 420, 1, 6000), CAM_EV(SUB2, 5, 700, 1, 20000) },
	    .templates = { { EXPORTER, DOMAIN, 256, 0, 9, 26, 26, 0, T0 },
			   { EXPORTER, DOMAIN, 257, 0, 9, 26, 26, 0, T0 }, SAMPLING_TMPL(3, 12) },
	    .exporters = { { EXPORTER, DOMAIN, 0, 4000, 0, T0 }, { EXPORTER, DOMAIN, 0, 2000, 0, T0, 1 },
			   { EXPORTER, DOMAIN, 0, 4000, 0, T0, 2 } },
	    .records = { TWO_SAMPLER_RECORDS(256, 257) }),
	ROW(10, "options data, fields 305/306 = 1/9: 1-in-10", b_interval_space, 1,
	    (SAMPLED), .ev = { CAM_EV(SUB, 3, 420, 1, 30) },
	    .templates = { V4_TMPL(T0), SAMPLING_TMPL(3, 12) },
	    .exporters = { { EXPORTER, DOMAIN, 0, 10, 0, T0 } }),
	ROW(10, "options data, fields 309/310 = 1/256: 1-in-256", b_size_population, 1,
	    (SAMPLED), .ev = { CAM_EV(SUB, 3, 420, 1, 768) },
	    .templates = { V4_TMPL(T0), SAMPLING_TMPL(3, 12) },
	    .exporters = { { EXPORTER, DOMAIN, 0, 256, 0, T0 } }),
	ROW(10, "options data, 305 = 1 without 306 beside 309/310 (IOS XR): 1-in-256",
	    b_interval_size_population, 1,
	    (SAMPLED), .ev = { CAM_EV(SUB, 3, 420, 1, 768) },
	    .templates = { V4_TMPL(T0), SAMPLING_TMPL(4, 16) },
	    .exporters = { { EXPORTER, DOMAIN, 0, 256, 0, T0 } }),

	/* -- malformed messages: what comes before the fault is counted -- */
	BOTH("set length 2: bad_set_length, the rest of the message unread", b_set_length_2, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1, .bad_set_length = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
	BOTH("2 octets after the last set: bad_set_length", b_set_header_cut, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1, .bad_set_length = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
	BOTH("set length 1 octet beyond the message: set_overruns_packet", b_set_overruns, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1, .set_overruns_packet = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
	BOTH("reserved set IDs skipped, the next set read", b_reserved_sets, 1,
	     (AT(T0), .templates = 1, .records = 2, .matched = 2, .bad_set_id = 2),
	     .ev = { CAM_EV(SUB, 3, 420, 1, 0), CAM_EV(SUB2, 5, 700, 1, 0) },
	     .templates = { V4_TMPL(T0) }),
	{ "IPFIX: message length 1 octet beyond the datagram: nothing read", b_length_exceeds,
	  .version = 10, .verdict = PASS,
	  .stats = { .packets = 1, .export_packets = 1, .length_exceeds_packet = 1 } },
	ROW(10, "a set after the message's length is not read", b_after_message, 1,
	    (AT(T0), .templates = 1, .records = 1, .matched = 1),
	    .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),

	/* -- template size limit -- */
	BOTH("template of 64 fields (HAYSTACK_TEMPLATE_MAX_FIELDS) read", b_64_fields, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { { EXPORTER, DOMAIN, 256, 0, 64, 78, 78, 0, T0 } }),
	BOTH("template of 65 fields: refused, the older 256 removed, its data unknown",
	     b_65_fields, 2,
	     (AT(T0), .templates = 2, .template_too_long = 1, .unknown_template = 1,
	      .records = 2, .matched = 2),
	     .ev = { CAM_EV(SUB, 3, 420, 1, 0), CAM_EV(SUB2, 5, 700, 1, 0) },
	     .templates = { { EXPORTER, DOMAIN, 257, 0, 8, 22, 22, 0, T0 } }),

	/* -- templates haystack cannot read: refused, never half-used -- */
#define REFUSED		(AT(T0), .templates = 1, .bad_template = 1, .unknown_template = 1, \
			 .records = 1, .matched = 1)
	BOTH("template record cut short by its set: the older 256 removed, its data unknown",
	     b_cut_template, 2, REFUSED, .ev = ONE_CAM),
	BOTH("6-octet address field: the older 256 removed, its data unknown",
	     b_wide_address, 2, REFUSED, .ev = ONE_CAM),
	ROW(9, "length 65535 in a v9 template (H3C): read with IPFIX's variable-length encoding",
	    b_v9_variable, 1, (AT(T0), .templates = 1, .records = 2, .matched = 2),
	    .ev = { CAM_EV(SUB, 3, 420, 1, 0), CAM_EV(SUB2, 5, 700, 1, 0) },
	    .templates = { { EXPORTER, DOMAIN, 256, 0, 11, 0, 25, 0, T0 } }),
	/* nothing valid in it: no clock moves */
	BOTH("template ID 255: refused, nothing stored", b_low_id, 1,
	     (.bad_template = 1)),
	BOTH("variable-length field running past its set: truncated_record, nothing read",
	    b_variable_overrun, 1, (AT(T0), .templates = 1, .truncated_record = 1),
	    .templates = { { EXPORTER, DOMAIN, 256, 0, 3, 0, 9, 0, T0 } }),

	/* -- template expiry, by export time -- */
	BOTH("template timeout 60: data 60 s after the template read", b_after_60, 2,
	     (EXPIRY(60), .records = 2, .matched = 2), .template_timeout = 60,
	     .ev = { CAM_EV(SUB, 3, 420, 1, 0), CAM_EV(SUB2, 5, 700, 1, 0) },
	     .templates = { V4_TMPL(T0) }),
	BOTH("template timeout 60: data 61 s after it expired, template removed", b_after_61, 2,
	     (EXPIRED, .records = 1, .matched = 1, .template_expired = 1),
	     .template_timeout = 60, .ev = ONE_CAM),
	BOTH("default timeout: data HAYSTACK_TEMPLATE_TIMEOUT s after the template read",
	     b_after_timeout, 2, (EXPIRY(HAYSTACK_TEMPLATE_TIMEOUT), .records = 2, .matched = 2),
	     /* 5400 s later: the next hour's bin */
	     .ev = { CAM_EV(SUB, 3, 420, 1, 0),
		     { SUB2, HOUR11, "203.0.113.0/24", { "api.cam.test" }, 5, 700, 1, 0 } },
	     .templates = { V4_TMPL(T0) }),
	BOTH("default timeout: data HAYSTACK_TEMPLATE_TIMEOUT + 1 s after it expired",
	     b_after_timeout_1, 2,
	     (EXPIRED, .records = 1, .matched = 1,
	      .template_expired = 1), .ev = ONE_CAM),

	/* -- template scope -- */
	BOTH("another exporter's or domain's data is not read with this template", b_scope, 3,
	     (AT(T0), .templates = 1, .unknown_template = 2, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
	/* a source outside --exporters fills no template slot: it could fill
	 * the map and starve the real exporters */
	{ "v9: template and data from a source outside --exporters: refused, nothing stored",
	  b_unlisted_template, .version = 9, .allow_list = "exporters.txt", .verdict = PASS,
	  .stats = { .packets = 1, .exporter_not_allowed = 1 } },
	{ "IPFIX: template and data from a source outside --exporters: refused, nothing stored",
	  b_unlisted_template, .version = 10, .allow_list = "exporters.txt", .verdict = PASS,
	  .stats = { .packets = 1, .exporter_not_allowed = 1 } },
	{ "v9 template, IPFIX data of the same ID, exporter and domain: unknown",
	  b_other_version, .frames = 2, .verdict = PASS,
	  .stats = { .packets = 2, .export_packets = 2, .v9_packets = 1, .ipfix_packets = 1,
		     AT(T0), .templates = 1, .unknown_template = 1, .records = 1, .matched = 1 },
	  .ev = ONE_CAM, .templates = { { EXPORTER, DOMAIN, 256, 9, 8, 22, 22, 0, T0 } } },

	/* -- messages of every size: HAYSTACK_MAX_STEPS, frames past a page -- */
	BOTH("65,000 one-octet records in a 64 KiB message: every one read",
	     b_64k_records, 1, (AT(T0), .templates = 1, .no_addresses = 65000),
	     .templates = { TINY_TMPL }),
	BOTH("an 8,900-octet datagram: the records past the first page read from its fragments",
	     b_jumbo, 1, (AT(T0), .templates = 1, .records = 400, .matched = 400),
	     .ev = { CAM_EV(SUB, 399 * 3, 399 * 420, 399, 0), CAM_EV(SUB2, 5, 700, 1, 0) },
	     .templates = { V4_TMPL(T0) }),
	BOTH("an 8,800-octet datagram of IPv6 records: addresses read from its fragments",
	     b_jumbo_v6, 1, (AT(T0), .templates = 1, .records = 190, .matched = 190),
	     .ev = { { SUB6, HOUR10, "2001:db8:5::/48", { "api.cam.test" }, 190 * 3, 190 * 420, 190 } },
	     .templates = { { EXPORTER, DOMAIN, 256, 0, 8, 46, 46, 0, T0 } }),
	ROW(10, "an 8,650-octet datagram of variable-length records: located past the first page",
	     b_jumbo_variable, 1, (AT(T0), .templates = 1, .records = 25, .matched = 25),
	     .ev = { CAM_EV(SUB, 24 * 3, 24 * 420, 24, 0), CAM_EV(SUB2, 5, 700, 1, 0) },
	     .templates = { { EXPORTER, DOMAIN, 256, 0, 13, 0, 30, 0, T0 } }),
	BOTH("a template defined past the first page: kept, and its data read",
	     b_template_past_page, 1,
	     (AT(T0), .unknown_template = 1, .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
};

int main(void)
{
	return run_table("ipfix", cases, sizeof(cases) / sizeof(cases[0]));
}
