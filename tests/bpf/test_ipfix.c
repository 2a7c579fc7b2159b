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
#define FIELDS(a)	a, (int)(sizeof(a) / sizeof((a)[0]))

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
#define V4_TMPL(t)	{ EXPORTER, DOMAIN, 256, 0, 8, 22, 22, 0, (t) }

static const struct xdp_case cases[] = {
	/* -- templates and data -- */
	BOTH("template then data in one packet", b_tmpl_data, 1,
	     (AT(T0), .templates = 1, .records = 1, .matched = 1),
	     .ev = ONE_CAM, .templates = { V4_TMPL(T0) }),
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
	     .templates = { { EXPORTER, DOMAIN, 256, 0, 8, 46, 46, 0, T0 } }),
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
	    .templates = { { EXPORTER, DOMAIN, 256, 0, 13, 0, 30, 0, T0 } }),

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
};

int main(void)
{
	return run_table("ipfix", cases, sizeof(cases) / sizeof(cases[0]));
}
