// SPDX-License-Identifier: GPL-2.0
/* The dictionary builder's parts, called directly: dedicated or shared
 * (paper §4.2.1) as a table of passive-DNS worlds and the verdict each gives
 * one IoT domain on one day; the certificate rule (§4.2.2); the passive DNS
 * readers (COF lines, DNSDB SAF streams complete or not, hosts files), with
 * malformed lines counted, or fatal with strict. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "dictbuild/certs.h"
#include "dictbuild/namegraph.h"
#include "lib/dnsname.h"
#include "dictbuild/pdns.h"
#include "lib/prefix.h"
#include "unit.h"

#define DAY	1573776000LL	/* 2019-11-15T00:00:00Z */
#define ALWAYS	LLONG_MIN, LLONG_MAX

struct rec {
	const char *rrname, *rrtype, *rdata;
	long long first, last;
};

struct world {
	const char *what;
	struct rec recs[12];
	long long day;			/* start of the day classified */
	const char *domain;
	enum hs_verdict want;
	int want_addrs;			/* -1: not checked */
};

static const struct world worlds[] = {
	{ "same registrable domain on one address: exclusive",
	  { { "api.vendor.com", "A", "192.0.2.1", ALWAYS },
	    { "www.vendor.com", "A", "192.0.2.1", ALWAYS } },
	  DAY, "api.vendor.com", HS_DEDICATED, 1 },
	{ "CNAME into a cloud VM (devA-VM.ec2compute.amazonaws.com): the chain is the domain's own",
	  { { "deva.com", "CNAME", "devA-VM.ec2compute.amazonaws.com.", ALWAYS },
	    { "devA-VM.ec2compute.amazonaws.com", "A", "198.51.100.9", ALWAYS } },
	  DAY, "deva.com", HS_DEDICATED, 1 },
	{ "CDN CNAME whose target many foreign names alias: shared",
	  { { "iot.vendor.com", "CNAME", "e1.akamaiedge.net", ALWAYS },
	    { "e1.akamaiedge.net", "A", "192.0.2.50", ALWAYS },
	    { "www.shop.example", "CNAME", "e1.akamaiedge.net", ALWAYS },
	    { "news.example.org", "CNAME", "e1.akamaiedge.net", ALWAYS } },
	  DAY, "iot.vendor.com", HS_SHARED, 1 },
	{ "foreign name two CNAMEs away from the address: still shared",
	  { { "iot.vendor.com", "A", "192.0.2.51", ALWAYS },
	    { "lb.hoster.net", "A", "192.0.2.51", ALWAYS },
	    { "edge.hoster.net", "CNAME", "lb.hoster.net", ALWAYS },
	    { "www.other.org", "CNAME", "edge.hoster.net", ALWAYS } },
	  DAY, "iot.vendor.com", HS_SHARED, 1 },
	{ "multi-label public suffix: vendor.co.uk and other.co.uk differ",
	  { { "api.vendor.co.uk", "A", "192.0.2.2", ALWAYS },
	    { "www.other.co.uk", "A", "192.0.2.2", ALWAYS } },
	  DAY, "api.vendor.co.uk", HS_SHARED, 1 },
	{ "multi-label public suffix: two names of vendor.co.uk",
	  { { "api.vendor.co.uk", "A", "192.0.2.3", ALWAYS },
	    { "cdn.vendor.co.uk", "A", "192.0.2.3", ALWAYS } },
	  DAY, "api.vendor.co.uk", HS_DEDICATED, 1 },
	{ "address exclusive on the 15th ...",
	  { { "iot.vendor.com", "A", "192.0.2.4", DAY - 86400, DAY + 2 * 86400 },
	    { "cdn.foreign.net", "A", "192.0.2.4", DAY + 86400 + 10, DAY + 86400 + 100 } },
	  DAY, "iot.vendor.com", HS_DEDICATED, 1 },
	{ "... and shared on the 16th",
	  { { "iot.vendor.com", "A", "192.0.2.4", DAY - 86400, DAY + 2 * 86400 },
	    { "cdn.foreign.net", "A", "192.0.2.4", DAY + 86400 + 10, DAY + 86400 + 100 } },
	  DAY + 86400, "iot.vendor.com", HS_SHARED, 1 },
	{ "window edge: a record ending one second before the day does not count",
	  { { "iot.vendor.com", "A", "192.0.2.5", ALWAYS },
	    { "cdn.foreign.net", "A", "192.0.2.5", DAY - 1000, DAY - 1 } },
	  DAY, "iot.vendor.com", HS_DEDICATED, 1 },
	{ "window edge: a record ending at the day's first second counts",
	  { { "iot.vendor.com", "A", "192.0.2.5", ALWAYS },
	    { "cdn.foreign.net", "A", "192.0.2.5", DAY - 1000, DAY } },
	  DAY, "iot.vendor.com", HS_SHARED, 1 },
	{ "window edge: a record starting in the day's last second counts",
	  { { "iot.vendor.com", "A", "192.0.2.5", ALWAYS },
	    { "cdn.foreign.net", "A", "192.0.2.5", DAY + 86399, DAY + 90000 } },
	  DAY, "iot.vendor.com", HS_SHARED, 1 },
	{ "window edge: a record starting at the next midnight does not count",
	  { { "iot.vendor.com", "A", "192.0.2.5", ALWAYS },
	    { "cdn.foreign.net", "A", "192.0.2.5", DAY + 86400, DAY + 90000 } },
	  DAY, "iot.vendor.com", HS_DEDICATED, 1 },
	{ "the domain's own records outside the day: no data",
	  { { "iot.vendor.com", "A", "192.0.2.6", DAY - 5000, DAY - 10 } },
	  DAY, "iot.vendor.com", HS_UNKNOWN, 0 },
	{ "AAAA, exclusive",
	  { { "iot.vendor.com", "AAAA", "2001:db8::1", ALWAYS },
	    { "iot.vendor.com", "A", "192.0.2.7", ALWAYS } },
	  DAY, "iot.vendor.com", HS_DEDICATED, 2 },
	{ "AAAA shared with a foreign name",
	  { { "iot.vendor.com", "AAAA", "2001:db8::2", ALWAYS },
	    { "www.foreign.net", "AAAA", "2001:db8::2", ALWAYS } },
	  DAY, "iot.vendor.com", HS_SHARED, 1 },
	{ "one shared address of several makes the domain shared",
	  { { "iot.vendor.com", "A", "192.0.2.8", ALWAYS },
	    { "iot.vendor.com", "A", "192.0.2.9", ALWAYS },
	    { "www.foreign.net", "A", "192.0.2.9", ALWAYS } },
	  DAY, "iot.vendor.com", HS_SHARED, 2 },
	{ "CNAME loop without an address: terminates, no data",
	  { { "a.vendor.com", "CNAME", "b.vendor.com", ALWAYS },
	    { "b.vendor.com", "CNAME", "a.vendor.com", ALWAYS } },
	  DAY, "a.vendor.com", HS_UNKNOWN, 0 },
	{ "CNAME loop with an address on it",
	  { { "a.vendor.com", "CNAME", "b.vendor.com", ALWAYS },
	    { "b.vendor.com", "CNAME", "a.vendor.com", ALWAYS },
	    { "b.vendor.com", "A", "192.0.2.10", ALWAYS } },
	  DAY, "a.vendor.com", HS_DEDICATED, 1 },
	{ "no record of the domain: unknown",
	  { { "www.foreign.net", "A", "192.0.2.11", ALWAYS } },
	  DAY, "iot.vendor.com", HS_UNKNOWN, 0 },
	{ "pattern *.base covers every name below base",
	  { { "a.transport.home.nest.com", "A", "192.0.2.12", ALWAYS },
	    { "b.transport.home.nest.com", "A", "192.0.2.13", ALWAYS },
	    { "transport.home.nest.com", "A", "192.0.2.14", ALWAYS } },
	  DAY, "*.transport.home.nest.com", HS_DEDICATED, 2 },
	{ "names compare case-insensitively and without the root dot",
	  { { "IoT.Vendor.COM.", "A", "192.0.2.15", ALWAYS },
	    { "www.vendor.com", "A", "192.0.2.15", ALWAYS } },
	  DAY, "iot.vendor.com", HS_DEDICATED, 1 },
	{ "records of other types do not matter",
	  { { "iot.vendor.com", "A", "192.0.2.16", ALWAYS },
	    { "www.foreign.net", "TXT", "192.0.2.16", ALWAYS },
	    { "www.foreign.net", "MX", "iot.vendor.com", ALWAYS } },
	  DAY, "iot.vendor.com", HS_DEDICATED, 1 },
};

static struct hs_dnsgraph *graph_of(const struct rec *recs, size_t n, long long day)
{
	struct hs_dnsgraph *g = hs_dnsgraph_new(day, day + 86400);
	size_t i;

	assert_non_null(g);
	for (i = 0; i < n && recs[i].rrname; i++)
		assert_true(hs_dnsgraph_add(g, recs[i].rrname, recs[i].rrtype, recs[i].rdata,
					    recs[i].first, recs[i].last) >= 0);
	return g;
}

static void test_worlds(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(worlds); i++) {
		const struct world *w = &worlds[i];
		struct hs_dnsgraph *g = graph_of(w->recs, ARRAY_SIZE(w->recs), w->day);
		struct hs_decision d;

		assert_int_equal(hs_classify(g, w->domain, &d), 0);
		if (d.verdict != w->want || (w->want_addrs >= 0 && d.n_addrs != w->want_addrs))
			fail_msg("%s: got %s with %d addresses, want %s with %d", w->what,
				 hs_verdict_name(d.verdict), d.n_addrs, hs_verdict_name(w->want),
				 w->want_addrs);
		hs_decision_free(&d);
		hs_dnsgraph_free(g);
	}
}

/* A chain of n CNAME hops from c0.vendor.com, then an address. */
static enum hs_verdict chain_of(int n)
{
	struct hs_dnsgraph *g = hs_dnsgraph_new(DAY, DAY + 86400);
	char from[64], to[64];
	struct hs_decision d;
	enum hs_verdict v;
	int i;

	for (i = 0; i < n; i++) {
		snprintf(from, sizeof(from), "c%d.vendor.com", i);
		snprintf(to, sizeof(to), "c%d.vendor.com", i + 1);
		assert_int_equal(hs_dnsgraph_add(g, from, "CNAME", to, ALWAYS), 1);
	}
	assert_int_equal(hs_dnsgraph_add(g, to, "A", "192.0.2.20", ALWAYS), 1);
	assert_int_equal(hs_classify(g, "c0.vendor.com", &d), 0);
	v = d.verdict;
	assert_int_equal(d.truncated, v == HS_CHAIN_TOO_LONG);
	hs_decision_free(&d);
	hs_dnsgraph_free(g);
	return v;
}

static void test_chain_bound(void **state)
{
	/* the bound is HS_MAX_CHAIN hops: that many still reach the address */
	assert_int_equal(chain_of(1), HS_DEDICATED);
	assert_int_equal(chain_of(HS_MAX_CHAIN), HS_DEDICATED);
	assert_int_equal(chain_of(HS_MAX_CHAIN + 1), HS_CHAIN_TOO_LONG);
	assert_int_equal(chain_of(200), HS_CHAIN_TOO_LONG);
}

static void test_evidence_names_the_foreign_names(void **state)
{
	static const struct rec recs[] = {
		{ "iot.vendor.com", "CNAME", "e1.akamaiedge.net", ALWAYS },
		{ "e1.akamaiedge.net", "A", "192.0.2.50", ALWAYS },
		{ "www.shop.example", "CNAME", "e1.akamaiedge.net", ALWAYS },
		{ "api.vendor.com", "CNAME", "e1.akamaiedge.net", ALWAYS },
	};
	struct hs_dnsgraph *g = graph_of(recs, ARRAY_SIZE(recs), DAY);
	struct hs_decision d;

	assert_int_equal(hs_classify(g, "iot.vendor.com", &d), 0);
	assert_string_equal(d.regdom, "vendor.com");
	assert_int_equal(d.n_chain, 2);
	assert_string_equal(d.chain[0], "e1.akamaiedge.net");
	assert_string_equal(d.chain[1], "iot.vendor.com");
	assert_int_equal(d.n_addrs, 1);
	/* the chain, the domain's sibling and the shop all point here */
	assert_int_equal(d.addrs[0].n_names, 4);
	assert_int_equal(d.addrs[0].n_foreign, 1);
	assert_string_equal(d.addrs[0].foreign[0], "www.shop.example");
	hs_decision_free(&d);
	hs_dnsgraph_free(g);
}

static void test_bad_records(void **state)
{
	struct hs_dnsgraph *g = hs_dnsgraph_new(DAY, DAY + 86400);

	assert_int_equal(hs_dnsgraph_add(g, "a.vendor.com", "A", "2001:db8::1", ALWAYS), -EINVAL);
	assert_int_equal(hs_dnsgraph_add(g, "a.vendor.com", "AAAA", "192.0.2.1", ALWAYS), -EINVAL);
	assert_int_equal(hs_dnsgraph_add(g, "a.vendor.com", "A", "not-an-ip", ALWAYS), -EINVAL);
	assert_int_equal(hs_dnsgraph_add(g, "a..vendor.com", "A", "192.0.2.1", ALWAYS), -EINVAL);
	assert_int_equal(hs_dnsgraph_add(g, "a b.com", "CNAME", "x.com", ALWAYS), -EINVAL);
	assert_int_equal(hs_dnsgraph_add(g, "a.vendor.com", "CNAME", "", ALWAYS), -EINVAL);
	/* outside the day it is not even looked at */
	assert_int_equal(hs_dnsgraph_add(g, "a.vendor.com", "A", "x", 0, 10), 0);
	assert_int_equal(hs_dnsgraph_add(g, "a.vendor.com", "NS", "ns.x.com", ALWAYS), 0);
	hs_dnsgraph_free(g);
}

static void test_name_normal_form(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "API.Vendor.COM.", "api.vendor.com" }, { "*.vendor.com", "*.vendor.com" },
		{ "a_b.vendor.com", "a_b.vendor.com" }, { "x", "x" },
		{ "vendor.com..", NULL }, { "..", NULL }, { ".", NULL }, { "", NULL },
		{ "a..b", NULL }, { ".a", NULL }, { "a.*.b", NULL }, { "*a.b", NULL },
		{ "a b", NULL }, { "caf\xc3\xa9.fr", NULL },
	};
	char buf[300];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int err;

		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		err = hs_name_normalize(buf);
		if (cases[i].out ? err || strcmp(buf, cases[i].out) : err != -EINVAL)
			fail_msg("'%s': %d '%s'", cases[i].in, err, buf);
		/* a fixed point */
		if (cases[i].out && (hs_name_normalize(buf) || strcmp(buf, cases[i].out)))
			fail_msg("'%s' normalizes again to '%s'", cases[i].out, buf);
	}
	memset(buf, 'a', 254);
	buf[254] = '\0';
	assert_int_equal(hs_name_normalize(buf), -EINVAL);
}

static void test_registrable_domain_uses_the_psl(void **state)
{
	assert_string_equal(hs_registrable_domain("a.b.vendor.co.uk"), "vendor.co.uk");
	assert_string_equal(hs_registrable_domain("api.amazon.com"), "amazon.com");
	/* private section: a CloudFront distribution is its own domain */
	assert_string_equal(hs_registrable_domain("d1.cloudfront.net"), "d1.cloudfront.net");
	assert_null(hs_registrable_domain("co.uk"));
}

/* ---- certificates ---- */

static void test_cert_names(void **state)
{
	char *exact[] = { "iot.vendor.com" };
	char *wildcard[] = { "*.vendor.com" };
	char *both[] = { "*.vendor.com", "iot.vendor.com" };
	char *extra_san[] = { "iot.vendor.com", "www.shop.example" };
	char *deeper_wildcard[] = { "*.eu.vendor.com" };
	char *apex[] = { "vendor.com" };

	assert_true(hs_cert_names_match(exact, 1, "iot.vendor.com", "vendor.com"));
	assert_true(hs_cert_names_match(wildcard, 1, "iot.vendor.com", "vendor.com"));
	assert_true(hs_cert_names_match(both, 2, "iot.vendor.com", "vendor.com"));
	assert_false(hs_cert_names_match(extra_san, 2, "iot.vendor.com", "vendor.com"));
	assert_false(hs_cert_names_match(deeper_wildcard, 1, "iot.eu.vendor.com", "vendor.com"));
	assert_false(hs_cert_names_match(apex, 1, "iot.vendor.com", "vendor.com"));
	assert_false(hs_cert_names_match(NULL, 0, "iot.vendor.com", "vendor.com"));
}

static bool want_all(void *ctx, const char *name)
{
	return true;
}

static void test_cert_endpoints(void **state)
{
	static const char scan[] =
		"{\"ip\":\"192.0.2.1\",\"port\":443,\"names\":[\"IoT.vendor.com\"],\"fingerprint\":\"f1\",\"banner_hash\":\"b1\"}\n"
		"{\"ip\":\"192.0.2.2\",\"port\":443,\"names\":[\"iot.vendor.com\"],\"fingerprint\":\"f1\",\"banner_hash\":\"b1\"}\n"
		"{\"ip\":\"192.0.2.3\",\"port\":443,\"names\":[\"iot.vendor.com\"],\"fingerprint\":\"f1\",\"banner_hash\":\"b2\"}\n"
		"{\"ip\":\"192.0.2.4\",\"port\":443,\"names\":[\"iot.vendor.com\",\"x.example\"],\"fingerprint\":\"f2\",\"banner_hash\":\"b1\"}\n"
		"{\"ip\":\"192.0.2.1\",\"port\":8443,\"names\":[\"iot.vendor.com\"],\"fingerprint\":\"f1\",\"banner_hash\":\"b1\"}\n"
		"not json\n";
	struct hs_certs certs = {};
	struct hs_cert_endpoints e;
	struct hs_input_stats st = {};
	char path[64], a[HS_ADDRSTRLEN];

	write_tmp(path, sizeof(path), scan);
	st.path = path;
	assert_int_equal(hs_certs_read(&certs, &st, want_all, NULL), 0);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.first_bad_line, 6);
	assert_int_equal(hs_certs_endpoints(&certs, "iot.vendor.com", "vendor.com", &e), 0);
	/* f1/b1 and f1/b2 are two certificate-and-banner pairs that count;
	 * f2 carries a foreign name and gives nothing */
	assert_int_equal(e.n_certs, 2);
	assert_int_equal(e.n_addrs, 3);
	assert_string_equal(hs_format_addr(e.addrs[0], a, sizeof(a)), "192.0.2.1");
	assert_string_equal(hs_format_addr(e.addrs[2], a, sizeof(a)), "192.0.2.3");
	hs_cert_endpoints_free(&e);
	hs_certs_free(&certs);
	unlink(path);
}

/* ---- passive DNS readers ---- */

#define HOSTS_FIXTURE "data/intl_iot/tshark_all.hosts"

/* What the reader handed over, one "rrname rrtype rdata first last" a line. */
struct seen {
	char text[2048];
	struct hs_dnsgraph *graph;	/* when set, records must also be usable */
};

static int collect(void *ctx, const struct hs_rr *rr)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);
	int err = s->graph ? hs_dnsgraph_add(s->graph, rr->rrname, rr->rrtype, rr->rdata,
					     rr->first, rr->last) : 0;

	if (err < 0)
		return err;
	if (!s->graph)
		snprintf(s->text + n, sizeof(s->text) - n, "%s %s %s %lld %lld\n", rr->rrname,
			 rr->rrtype, rr->rdata, rr->first, rr->last);
	return 0;
}

/* Reads content as fmt; returns the reader's result, stderr in err_text. */
static int read_text(enum hs_pdns_format fmt, const char *content, bool strict,
		     struct hs_pdns_stats *st, struct seen *s, char *err_text, size_t len)
{
	struct capture cap;
	char path[64];
	int err;

	write_tmp(path, sizeof(path), content);
	memset(st, 0, sizeof(*st));
	st->in.path = path;
	st->in.strict = strict;
	capture_start(&cap);
	err = hs_pdns_read(fmt, st, collect, s);
	snprintf(err_text, len, "%s", capture_end(&cap));
	unlink(path);
	st->in.path = NULL;
	return err;
}

static void test_cof_lines(void **state)
{
	static const char cof[] =
		"{\"rrname\":\"iot.vendor.com.\",\"rrtype\":\"A\",\"rdata\":[\"192.0.2.1\",\"192.0.2.2\"],"
		"\"time_first\":100,\"time_last\":200,\"count\":5,\"bailiwick\":\"vendor.com.\"}\n"
		"\n"
		"{\"rrname\":\"www.vendor.com.\",\"rrtype\":\"CNAME\",\"rdata\":\"iot.vendor.com.\","
		"\"zone_time_first\":300,\"zone_time_last\":400}\n";
	struct hs_pdns_stats st;
	struct seen s = {};
	char err[4096];

	assert_int_equal(read_text(HS_PDNS_DNSDB, cof, false, &st, &s, err, sizeof(err)), 0);
	assert_string_equal(s.text,
			    "iot.vendor.com. A 192.0.2.1 100 200\n"
			    "iot.vendor.com. A 192.0.2.2 100 200\n"
			    "www.vendor.com. CNAME iot.vendor.com. 300 400\n");
	assert_false(st.saf);
	assert_int_equal(st.records, 3);
	assert_string_equal(err, "");
}

static const char saf_head[] =
	"{\"cond\":\"begin\"}\n"
	"{\"obj\":{\"rrname\":\"iot.vendor.com.\",\"rrtype\":\"AAAA\",\"rdata\":[\"2001:db8::1\"],"
	"\"time_first\":100,\"time_last\":200}}\n"
	"{\"cond\":\"ongoing\"}\n";

static void test_saf_complete(void **state)
{
	char text[512], err[4096];
	struct hs_pdns_stats st;
	struct seen s = {};

	snprintf(text, sizeof(text), "%s{\"cond\":\"succeeded\"}\n", saf_head);
	assert_int_equal(read_text(HS_PDNS_DNSDB, text, true, &st, &s, err, sizeof(err)), 0);
	assert_true(st.saf);
	assert_false(st.incomplete);
	assert_string_equal(s.text, "iot.vendor.com. AAAA 2001:db8::1 100 200\n");
	assert_string_equal(err, "");
}

static void test_saf_limited_is_reported(void **state)
{
	char text[512], err[4096];
	struct hs_pdns_stats st;
	struct seen s = {};

	snprintf(text, sizeof(text), "%s{\"cond\":\"limited\",\"msg\":\"Result limit reached\"}\n",
		 saf_head);
	assert_int_equal(read_text(HS_PDNS_DNSDB, text, false, &st, &s, err, sizeof(err)), 0);
	assert_true(st.incomplete);
	assert_string_equal(st.stream_end, "limited");
	assert_int_equal(count_lines(err), 1);
	assert_non_null(strstr(err, ":4: DNSDB stream ended 'limited': Result limit reached"));
	/* with strict, an incomplete stream is bad input */
	assert_int_equal(read_text(HS_PDNS_DNSDB, text, true, &st, &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(count_lines(err), 1);
}

static void test_saf_cut_short_is_reported(void **state)
{
	struct hs_pdns_stats st;
	struct seen s = {};
	char err[4096];

	assert_int_equal(read_text(HS_PDNS_DNSDB, saf_head, false, &st, &s, err, sizeof(err)), 0);
	assert_true(st.incomplete);
	assert_non_null(strstr(err, "no final condition"));
}

static void test_malformed_lines(void **state)
{
	static const char text[] =
		"{\"rrname\":\"a.vendor.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\",\"time_first\":1,\"time_last\":2}\n"
		"{\"rrname\":\"b.vendor.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\"}\n"
		"{\"rrname\":\"c.vendor.com\",\"rrtype\":\"A\",\"rdata\":\"not-ip\",\"time_first\":1,\"time_last\":2}\n"
		"{\"rrname\":\"d.vendor.com\",\n"
		"[1,2]\n";
	struct hs_pdns_stats st;
	struct seen s = { .graph = hs_dnsgraph_new(0, 100) };
	char err[4096];

	assert_int_equal(read_text(HS_PDNS_DNSDB, text, false, &st, &s, err, sizeof(err)), 0);
	assert_int_equal(st.records, 1);
	assert_int_equal(st.in.malformed, 4);
	assert_int_equal(st.in.first_bad_line, 2);
	assert_non_null(strstr(st.in.first_bad, "without time_first/time_last"));
	/* strict: the first bad line, named by number, ends the read */
	assert_int_equal(read_text(HS_PDNS_DNSDB, text, true, &st, &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(count_lines(err), 1);
	assert_non_null(strstr(err, ":2: COF record for 'b.vendor.com' without"));
	hs_dnsgraph_free(s.graph);
}

/* COF lines haystack refuses though json-c reads them: each is malformed,
 * named by the problem. */
static void test_cof_refusals(void **state)
{
	static const struct { const char *line, *problem; } cases[] = {
		{ "{\"rrname\":\"a.vendor.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\",\"rdata\":[],"
		  "\"time_first\":1,\"time_last\":2}", "duplicate key 'rdata'" },
		{ "{\"rrname\":\"a.vendor.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		  "\"time_first\":-1,\"time_last\":2}",
		  "COF record for 'a.vendor.com': time_first is not a time 0..253402300799" },
		{ "{\"rrname\":\"a.vendor.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		  "\"time_first\":1,\"time_last\":253402300800}",
		  "COF record for 'a.vendor.com': time_last is not a time 0..253402300799" },
		{ "{\"rrname\":\"a.vendor.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		  "\"time_first\":1,\"time_last\":18446744073709551615}",
		  "COF record for 'a.vendor.com': time_last is not a time 0..253402300799" },
		{ "{\"rrname\":\"a.vendor.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		  "\"time_first\":1,\"time_last\":99999999999999999999}", "is out of range" },
		{ "{\"rrname\":\"a.vendor.com\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		  "\"zone_time_first\":NaN,\"zone_time_last\":2}", "NaN and Infinity are not JSON" },
	};
	struct hs_pdns_stats st;
	struct seen s = {};
	char text[512], err[4096];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text), "%s\n", cases[i].line);
		if (read_text(HS_PDNS_DNSDB, text, false, &st, &s, err, sizeof(err)) ||
		    st.in.malformed != 1 || !strstr(st.in.first_bad, cases[i].problem))
			fail_msg("case %zu: malformed %lu, '%s'", i, st.in.malformed, st.in.first_bad);
	}
	assert_string_equal(s.text, "");
}

/* A line past HS_LINE_MAX ends the read (no line end is coming). */
static void test_pdns_line_too_long(void **state)
{
	struct hs_pdns_stats st = { .in = { .path = "/dev/zero" } };
	struct seen s = {};
	struct capture c;
	char want[160];
	int err;

	capture_start(&c);
	err = hs_pdns_read(HS_PDNS_HOSTS, &st, collect, &s);
	capture_end(&c);
	assert_int_equal(err, -EFBIG);
	snprintf(want, sizeof(want), "haystack: /dev/zero:1: line too long (limit %d bytes)\n",
		 HS_LINE_MAX);
	assert_string_equal(c.text, want);
}

static void test_hosts_lines(void **state)
{
	static const char text[] =
		"# a comment\n"
		"192.0.2.1\tiot.vendor.com\n"
		"2001:db8::1  a.vendor.com b.vendor.com # trailing comment\n"
		"192.0.2.2\n";
	struct hs_pdns_stats st;
	struct seen s = {};
	char err[4096], want[512];

	assert_int_equal(read_text(HS_PDNS_HOSTS, text, false, &st, &s, err, sizeof(err)), 0);
	/* no time in a hosts file: the records hold for every day */
	snprintf(want, sizeof(want),
		 "iot.vendor.com A 192.0.2.1 %lld %lld\n"
		 "a.vendor.com AAAA 2001:db8::1 %lld %lld\n"
		 "b.vendor.com AAAA 2001:db8::1 %lld %lld\n",
		 LLONG_MIN, LLONG_MAX, LLONG_MIN, LLONG_MAX, LLONG_MIN, LLONG_MAX);
	assert_string_equal(s.text, want);
	assert_int_equal(st.in.malformed, 1);
	assert_int_equal(st.in.first_bad_line, 4);
}

static void test_real_hosts_file(void **state)
{
	struct hs_pdns_stats st = { .in = { .path = fixture(HOSTS_FIXTURE) } };
	struct seen s = { .graph = hs_dnsgraph_new(0, 86400) };
	struct hs_decision d;

	if (access(st.in.path, R_OK)) {
		hs_dnsgraph_free(s.graph);
		skip();
	}
	assert_int_equal(hs_pdns_read(HS_PDNS_HOSTS, &st, collect, &s), 0);
	/* every line but the mDNS name with colons in it */
	assert_int_equal(st.in.malformed, 1);
	assert_int_equal(st.records, st.in.lines - 1);
	assert_int_equal(hs_classify(s.graph, "api.amazon.com", &d), 0);
	assert_int_equal(d.verdict, HS_DEDICATED);
	assert_int_equal(d.n_addrs, 10);
	hs_decision_free(&d);
	hs_dnsgraph_free(s.graph);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worlds),
		cmocka_unit_test(test_chain_bound),
		cmocka_unit_test(test_evidence_names_the_foreign_names),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_name_normal_form),
		cmocka_unit_test(test_registrable_domain_uses_the_psl),
		cmocka_unit_test(test_cert_names),
		cmocka_unit_test(test_cert_endpoints),
		cmocka_unit_test(test_cof_lines),
		cmocka_unit_test(test_saf_complete),
		cmocka_unit_test(test_saf_limited_is_reported),
		cmocka_unit_test(test_saf_cut_short_is_reported),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_cof_refusals),
		cmocka_unit_test(test_pdns_line_too_long),
		cmocka_unit_test(test_hosts_lines),
		cmocka_unit_test(test_real_hosts_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
