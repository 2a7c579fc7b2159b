/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runner of the BPF_PROG_TEST_RUN tables (katran style): each case is
 * {description, packet builder, expected verdict, expected stats, expected
 * maps}. Every case loads the real program afresh (no pinning, never
 * attached), fills its maps from tests/bpf/data/ with the agent's own setup
 * code, runs its frames, then checks the verdict, EVERY stats counter (what
 * should be zero must stay zero), the whole evidence, templates,
 * exporters and exporter_clocks maps (the clocks: exactly in cases that
 * list them, else held to the stats' export time range), and every record in the
 * --records ring buffer (none
 * unless the case sets HAYSTACK_F_RECORDS). After every frame it asserts
 * the identities of the counter list (include/haystack_counters.h): the
 * frame ended in exactly one frame outcome, and export packets and records
 * are the sums of their outcomes.
 *
 * Test dictionary (tests/bpf/data/dictionary.json), domain: prefixes, ports
 *   api.cam.test    203.0.113.0/24, 2001:db8:5::/48   tcp/443
 *   ntp.cam.test    198.51.100.10/32                  udp/123
 *   push.hub.test   192.0.2.0/25                      any port
 *   relay.hub.test  203.0.113.7/32 (inside api.cam's /24)  tcp/443
 * Subscribers: 100.64.0.0/16, 2001:db8:100::/40.
 * Exporters (exporters.txt, in cases that name it): 10.0.0.1/32 (EXPORTER),
 * 2001:db8:ee::/64 (EXPORTER6).
 *
 * Include after <cmocka.h>, in one test program.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "packet.h"
#include "haystack.h"
#include "haystack.skel.h"
#include "runtime/runtime.h"
#include "runtime/setup.h"
#include "kern/instance.h"
#include "kern/mapwalk.h"
#include "kern/testrun.h"
#include "kern/stats.h"
#include "fixture.h"
#include "lib/log.h"
#include "lib/prefix.h"
#include "runtime/replay.h"

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
#define MAX_MAPPED	4		/* templates / exporters a case expects */
#define MAX_RECORDS	4		/* ring buffer records a case expects */

/* One evidence entry. The rule set is named by the dictionary prefix that
 * carries it and the mask by the domains whose rule matched (each test domain
 * has one rule), so the table does not depend on compile order. */
struct ev_expect {
	const char *sub;		/* NULL ends the list */
	__u64 bin_start;
	const char *prefix;
	const char *domains[MAX_DOMS];
	__u64 packets, bytes, records;
	__u64 packets_estimate;		/* 0: = packets (unsampled) */
};

/* One entry of the templates map. version 0: the case's version. */
struct template_expect {
	const char *exporter;		/* NULL ends the list */
	__u32 domain_id;
	__u16 template_id, version;
	__u16 field_count, record_len, min_len;
	__u8 options;
	__u64 last_seen;
	/* its fixed layout (include/haystack.h template_fixed): the family
	 * (4, 6), its offsets those of the roles; FIXED_NONE: none; 0: not
	 * looked at */
	__u8 fixed;
};
#define FIXED_NONE	0xff

/* One entry of the exporters map. version 0: the case's version. */
struct exporter_expect {
	const char *exporter;		/* NULL ends the list */
	__u32 domain_id;
	__u16 version;
	__u32 sampling;
	__u64 system_init_ms;
	__u64 last_seen;
	__u64 sampler_id;		/* 0: the exporter's own entry */
};

/* An exporter's clock (include/haystack.h exporter_clock). version 0: the
 * case's version. */
struct clock_expect {
	const char *exporter;		/* NULL ends the list */
	__u32 domain_id;
	__u16 version;
	__u64 clock, clock_first;
	__u32 accepted, candidate_count;
	__u64 candidate;
};

/* One record of the ring buffer, in the order sent. version 0: the case's.
 * prefix/domains: the rule set and rules matched (RESULT_MATCHED only). */
struct record_expect {
	const char *exporter;		/* NULL ends the list */
	__u32 domain_id;
	__u16 template_id;
	__u8 version;
	__u64 export_time;
	const char *src, *dst;
	__u16 sport, dport;
	__u8 proto, tcp_flags;
	__u64 packets, bytes;
	__u32 sampling;
	__u8 result;			/* enum record_result */
	__u8 subscriber_side;
	const char *prefix;
	const char *domains[MAX_DOMS];
};

/* How a case's config says the agent is done loading. */
enum config_mark {
	CONFIG_AS_AGENT = 0,		/* HAYSTACK_F_CONFIGURED and bin_seconds */
	CONFIG_FLAG_ONLY,		/* HAYSTACK_F_CONFIGURED, bin_seconds 0 */
	CONFIG_BIN_SECONDS_ONLY,	/* a width but not the flag: not configured */
};

struct xdp_case {
	const char *name;
	/* frame f of the case; version: the case's NetFlow version */
	void (*build)(struct pkt *p, int frame, int version);
	int frames;			/* 0 = 1 */
	int version;			/* passed to build (v9/IPFIX cases) */
	bool unconfigured;		/* skip hs_setup_apply: fresh load */
	enum config_mark config;
	__u32 flags;			/* config flags (HAYSTACK_F_*) */
	__u64 closed_before;		/* config: bins before this already reported */
	__u32 sampling;			/* config: --sampling, 0 = as exported */
	__u32 template_timeout;		/* config: 0 = HAYSTACK_TEMPLATE_TIMEOUT */
	const char *allow_list;		/* --exporters file (under DATA_DIR) in force; NULL: none */
	const char *subscribers;	/* --subscribers file (under DATA_DIR) instead of
					 * subscribers.txt; NULL: that one */
	struct hs_map_sizes sizes;	/* --max-evidence, ...; 0 = the defaults */
	__u64 time_ceiling;		/* config: the live agent's ceiling, 0 = none */
	__u64 ceiling_age_s;		/* config: written this long ago (0: fixed) */
	__u32 verdict;
	struct haystack_stats stats;	/* all of it, zeros included */
	struct ev_expect ev[MAX_EV];
	struct template_expect templates[MAX_MAPPED];
	struct exporter_expect exporters[MAX_MAPPED];
	/* listed: the exporters' clocks exactly, and no others (but for
	 * clocks_other, below); none: every clock lies in the stats' range */
	struct clock_expect clocks[MAX_MAPPED];
	/* at most this many clocks beside those listed, and at least one,
	 * each in the stats' range (a flood into an LRU) */
	int clocks_other;
	struct record_expect records[MAX_RECORDS];
};

/* ---- builders ---- */

enum outer { OUT_V4, OUT_V6, OUT_VLAN, OUT_VLAN_V6, OUT_QINQ, OUT_V4_OPTS };

/* Ethernet / [tags] / IP / UDP from an IPv4 exporter to the collector. */
static inline void export_begin_from(struct pkt *p, enum outer o, const char *exporter,
				     uint16_t dport)
{
	pkt_init(p);
	pkt_eth(p);
	if (o == OUT_VLAN || o == OUT_VLAN_V6)
		pkt_vlan(p, ETH_P_8021Q, 100);
	if (o == OUT_QINQ) {
		pkt_vlan(p, ETH_P_8021AD, 10);
		pkt_vlan(p, ETH_P_8021Q, 200);
	}
	if (o == OUT_V6 || o == OUT_VLAN_V6)
		pkt_ipv6(p, EXPORTER6, COLLECTOR6, IPPROTO_UDP);
	else
		pkt_ipv4_opts(p, exporter, COLLECTOR, IPPROTO_UDP, o == OUT_V4_OPTS ? 4 : 0);
	pkt_udp(p, 40000, dport);
}

static inline void export_begin(struct pkt *p, enum outer o, uint16_t dport)
{
	export_begin_from(p, o, EXPORTER, dport);
}

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

/* The identities the program keeps, computed from the kinds the counter
 * list declares; frames: the frames run so far. */
static void assert_identities(const struct haystack_stats *st, int frames)
{
	static const char *const whole_of[STAT_KINDS] = {
		[STAT_FRAME] = "frame", [STAT_EXPORT] = "export packet", [STAT_RECORD] = "record",
	};
	struct hs_identity id[STAT_KINDS];

	if (!hs_stats_identities(st, id) && st->packets == (__u64)frames)
		return;
	for (int k = STAT_INFO + 1; k < STAT_KINDS; k++) {
		if (!id[k].whole)
			print_error("no counter counts every %s\n", whole_of[k]);
		else if (id[k].total != id[k].outcomes)
			print_error("after frame %d: stats.%s = %llu, but its %s outcomes sum to %llu\n",
				    frames, id[k].whole, (unsigned long long)id[k].total, whole_of[k],
				    (unsigned long long)id[k].outcomes);
	}
	if (st->packets != (__u64)frames)
		print_error("after frame %d: stats.packets = %llu\n", frames,
			    (unsigned long long)st->packets);
	fail();
}

static struct {
	struct hs_setup setup;
	struct hs_instance in;
	const struct xdp_case *c;	/* the case running */
	int clocks_seen;		/* exporter clocks the case listed, found */
} ctx;

/* The rule set the compiled dictionary gives exactly this prefix. */
static const struct endpoint_ruleset *ruleset_of(const char *prefix, __u32 *id)
{
	const struct hs_compiled *c = &ctx.setup.compiled[0];
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
	const struct hs_dict *d = ctx.setup.dict[0];
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

static bool addr_is(const __u8 got[16], const char *want)
{
	__u8 a[16];

	assert_int_equal(hs_parse_addr(want, a), 0);
	return !memcmp(got, a, 16);
}

static __u16 version_of(__u16 v)
{
	return v ? v : (__u16)ctx.c->version;
}

/*
 * A whole hash map against the n expected entries: match(i, key, value)
 * says whether entry i has this key (and fails the test when its value
 * differs); show(key) names a key no entry has.
 */
struct map_check {
	int n_want, n_got;
	bool (*match)(int i, const void *key, const void *value);
	const char *(*show)(const void *key);
	bool seen[MAX_MAPPED > MAX_EV ? MAX_MAPPED : MAX_EV];
};

static int check_entry(const void *key, const void *value, void *arg)
{
	struct map_check *m = arg;
	bool found = false;

	m->n_got++;
	for (int i = 0; i < m->n_want && !found; i++)
		if (m->match(i, key, value))
			found = m->seen[i] = true;
	if (!found)
		fail_msg("unexpected map entry: %s", m->show(key));
	return 0;
}

static void assert_map_by(int fd, size_t key_size, size_t value_size, int n_want,
			  bool (*match)(int i, const void *key, const void *value),
			  const char *(*show)(const void *key),
			  int (*each)(const void *key, const void *value, void *arg))
{
	struct map_check m = { .n_want = n_want, .match = match, .show = show };

	assert_int_equal(hs_map_for_each(fd, key_size, value_size, each, &m), 0);
	/* every expected entry exists: none missing, none merged */
	for (int i = 0; i < n_want; i++)
		if (!m.seen[i])
			fail_msg("missing map entry %d", i);
	assert_int_equal(m.n_got, n_want);
}

static void assert_map(int fd, size_t key_size, size_t value_size, int n_want,
		       bool (*match)(int i, const void *key, const void *value),
		       const char *(*show)(const void *key))
{
	assert_map_by(fd, key_size, value_size, n_want, match, show, check_entry);
}

static bool evidence_match(int i, const void *k, const void *v)
{
	const struct ev_expect *e = &ctx.c->ev[i];
	const struct evidence_key *key = k;
	const struct evidence_value *val = v;
	const struct endpoint_ruleset *rs;
	__u64 estimate = e->packets_estimate ?: e->packets;
	__u32 id = 0;

	rs = ruleset_of(e->prefix, &id);
	/* the test dictionary is the instance's one generation */
	if (!addr_is(key->subscriber, e->sub) || key->bin_start != e->bin_start ||
	    key->generation != ctx.setup.set.v[0].generation ||
	    key->ruleset != id || key->rule_mask != mask_of(rs, e->domains))
		return false;
	/* the records' own sampled counts, summed per key, and the estimate */
	if (val->packets != e->packets || val->bytes != e->bytes ||
	    val->records != e->records || val->packets_estimate != estimate)
		fail_msg("evidence of %s at %llu: packets/bytes/records/estimate %llu/%llu/%llu/%llu, expected %llu/%llu/%llu/%llu",
			 e->sub, (unsigned long long)e->bin_start,
			 (unsigned long long)val->packets, (unsigned long long)val->bytes,
			 (unsigned long long)val->records,
			 (unsigned long long)val->packets_estimate,
			 (unsigned long long)e->packets, (unsigned long long)e->bytes,
			 (unsigned long long)e->records, (unsigned long long)estimate);
	return true;
}

static const char *evidence_show(const void *k)
{
	const struct evidence_key *key = k;
	static char s[128];
	char a[HS_ADDRSTRLEN];

	snprintf(s, sizeof(s), "evidence of %s bin %llu ruleset %u mask %#x",
		 hs_format_addr(key->subscriber, a, sizeof(a)),
		 (unsigned long long)key->bin_start, key->ruleset, key->rule_mask);
	return s;
}

static bool template_match(int i, const void *k, const void *v)
{
	const struct template_expect *e = &ctx.c->templates[i];
	const struct template_key *key = k;
	const struct flow_template *t = v;

	if (!addr_is(key->exporter, e->exporter) || key->domain_id != e->domain_id ||
	    key->template_id != e->template_id || key->version != version_of(e->version))
		return false;
	if (t->field_count != e->field_count || t->record_len != e->record_len ||
	    t->min_len != e->min_len || t->options != e->options ||
	    t->last_seen != e->last_seen)
		fail_msg("template %u: fields/record_len/min_len/options/last_seen %u/%u/%u/%u/%llu, expected %u/%u/%u/%u/%llu",
			 e->template_id, t->field_count, t->record_len, t->min_len, t->options,
			 (unsigned long long)t->last_seen, e->field_count, e->record_len,
			 e->min_len, e->options, (unsigned long long)e->last_seen);
	if (e->fixed) {
		__u8 family = e->fixed == FIXED_NONE ? 0 : e->fixed;
		int src = family == 6 ? ROLE_SRC6 : ROLE_SRC4, dst = family == 6 ? ROLE_DST6 : ROLE_DST4;

		if (t->fixed.family != family)
			fail_msg("template %u: fixed layout of family %u, expected %u", e->template_id,
				 t->fixed.family, family);
		if (family && (t->fixed.src != t->role_offset[src] ||
			       t->fixed.dst != t->role_offset[dst] ||
			       t->fixed.sport != t->role_offset[ROLE_SPORT] ||
			       t->fixed.dport != t->role_offset[ROLE_DPORT] ||
			       t->fixed.proto != t->role_offset[ROLE_PROTO]))
			fail_msg("template %u: fixed offsets %u/%u/%u/%u/%u are not its fields'",
				 e->template_id, t->fixed.src, t->fixed.dst, t->fixed.sport,
				 t->fixed.dport, t->fixed.proto);
	}
	return true;
}

static const char *template_show(const void *k)
{
	const struct template_key *key = k;
	static char s[128];
	char a[HS_ADDRSTRLEN];

	snprintf(s, sizeof(s), "template %u of %s domain %u version %u", key->template_id,
		 hs_format_addr(key->exporter, a, sizeof(a)), key->domain_id, key->version);
	return s;
}

/* A clock is one of the case's, or at least inside the stats' range. */
static int check_clock(const void *k, const void *v, void *arg)
{
	const struct exporter_clock_key *key = k;
	const struct exporter_clock *x = v;
	const struct clock_expect *e = ctx.c->clocks;
	int *others = arg;
	struct haystack_stats st;
	char a[HS_ADDRSTRLEN];

	hs_format_addr(key->exporter, a, sizeof(a));
	for (; e < ctx.c->clocks + MAX_MAPPED && e->exporter; e++) {
		if (!addr_is(key->exporter, e->exporter) || key->domain_id != e->domain_id ||
		    key->version != version_of(e->version))
			continue;
		if (x->clock != e->clock || x->clock_first != e->clock_first ||
		    x->accepted != e->accepted || x->candidate_count != e->candidate_count ||
		    x->candidate != e->candidate)
			fail_msg("clock of %s: clock/first/accepted/candidate/count %llu/%llu/%u/%llu/%u, expected %llu/%llu/%u/%llu/%u",
				 a, (unsigned long long)x->clock,
				 (unsigned long long)x->clock_first, x->accepted,
				 (unsigned long long)x->candidate, x->candidate_count,
				 (unsigned long long)e->clock, (unsigned long long)e->clock_first,
				 e->accepted, (unsigned long long)e->candidate, e->candidate_count);
		/* a clock that moved was moved by now: its host time is set */
		if (x->clock && !x->clock_seen_ns)
			fail_msg("clock of %s: no host time", a);
		ctx.clocks_seen++;
		return 0;
	}
	if (ctx.c->clocks[0].exporter && ++*others > ctx.c->clocks_other)
		fail_msg("unexpected exporter clock: %s domain %u version %u", a, key->domain_id,
			 key->version);
	assert_int_equal(hs_read_stats(bpf_map__fd(ctx.in.skel->maps.stats), &st), 0);
	if (x->clock && (x->clock_first > x->clock || x->clock_first < st.export_time_min ||
			 x->clock > st.export_time_max || !x->accepted))
		fail_msg("clock of %s: %llu..%llu (%u datagrams) outside the accepted %llu..%llu",
			 a, (unsigned long long)x->clock_first,
			 (unsigned long long)x->clock, x->accepted,
			 (unsigned long long)st.export_time_min,
			 (unsigned long long)st.export_time_max);
	return 0;
}

static bool exporter_match(int i, const void *k, const void *v)
{
	const struct exporter_expect *e = &ctx.c->exporters[i];
	const struct exporter_key *key = k;
	const struct exporter_info *x = v;

	if (!addr_is(key->exporter, e->exporter) || key->domain_id != e->domain_id ||
	    key->version != version_of(e->version) || key->sampler_id != e->sampler_id)
		return false;
	if (x->sampling != e->sampling || x->system_init_ms != e->system_init_ms ||
	    x->last_seen != e->last_seen)
		fail_msg("exporter %s: sampling/system_init_ms/last_seen %u/%llu/%llu, expected %u/%llu/%llu",
			 e->exporter, x->sampling, (unsigned long long)x->system_init_ms,
			 (unsigned long long)x->last_seen, e->sampling,
			 (unsigned long long)e->system_init_ms, (unsigned long long)e->last_seen);
	return true;
}

static const char *exporter_show(const void *k)
{
	const struct exporter_key *key = k;
	static char s[128];
	char a[HS_ADDRSTRLEN];

	snprintf(s, sizeof(s), "exporter %s domain %u version %u sampler %llu",
		 hs_format_addr(key->exporter, a, sizeof(a)), key->domain_id, key->version,
		 (unsigned long long)key->sampler_id);
	return s;
}

/* Entries of an expected list before the first without an exporter. */
#define N_EXPECTED(list)	({						\
	int __n = 0;								\
										\
	while (__n < (int)(sizeof(list) / sizeof((list)[0])) && (list)[__n].exporter) \
		__n++;								\
	__n;									\
})

static void assert_maps(void)
{
	struct haystack_bpf *s = ctx.in.skel;
	int n_ev = 0, others = 0;

	while (n_ev < MAX_EV && ctx.c->ev[n_ev].sub)
		n_ev++;
	assert_map(bpf_map__fd(s->maps.evidence), sizeof(struct evidence_key),
		   sizeof(struct evidence_value), n_ev, evidence_match, evidence_show);
	assert_map(bpf_map__fd(s->maps.templates), sizeof(struct template_key),
		   sizeof(struct flow_template), N_EXPECTED(ctx.c->templates), template_match,
		   template_show);
	assert_map(bpf_map__fd(s->maps.exporters), sizeof(struct exporter_key),
		   sizeof(struct exporter_info), N_EXPECTED(ctx.c->exporters), exporter_match,
		   exporter_show);
	ctx.clocks_seen = 0;
	assert_int_equal(hs_map_for_each(bpf_map__fd(s->maps.exporter_clocks),
					 sizeof(struct exporter_clock_key),
					 sizeof(struct exporter_clock), check_clock, &others), 0);
	assert_int_equal(ctx.clocks_seen, N_EXPECTED(ctx.c->clocks));
	if (ctx.c->clocks_other)
		assert_in_range(others, 1, ctx.c->clocks_other);
}

/* ---- the records ring buffer ---- */

struct ring_read {
	struct flow_record rec[MAX_RECORDS];
	int n;
};

static int ring_record(void *data, void *buf, size_t size)
{
	struct ring_read *r = data;

	assert_int_equal(size, sizeof(struct flow_record));
	if (r->n < MAX_RECORDS)
		memcpy(&r->rec[r->n], buf, size);
	r->n++;
	return 0;
}

static void assert_record(int i, const struct record_expect *e, const struct flow_record *r)
{
	__u32 ruleset = 0, mask = 0;

	/* the result names the counter the record went to: a record outcome */
	if (r->result >= HAYSTACK_STAT_COUNT ||
	    STAT_OUTCOME_KIND(hs_counters[r->result].kind) != STAT_RECORD)
		fail_msg("record %d: result %u is no record outcome", i, r->result);
	if (e->prefix)
		mask = mask_of(ruleset_of(e->prefix, &ruleset), e->domains);
	if (!addr_is(r->exporter, e->exporter) || r->domain_id != e->domain_id ||
	    r->template_id != e->template_id || r->version != version_of(e->version) ||
	    r->export_time != e->export_time || !addr_is(r->src, e->src) ||
	    !addr_is(r->dst, e->dst) || r->sport != e->sport || r->dport != e->dport ||
	    r->proto != e->proto || r->tcp_flags != e->tcp_flags ||
	    r->packets != e->packets || r->bytes != e->bytes || r->sampling != e->sampling ||
	    r->result != e->result || r->subscriber_side != e->subscriber_side ||
	    r->ruleset != ruleset || r->rule_mask != mask) {
		char s[HS_ADDRSTRLEN], d[HS_ADDRSTRLEN];

		fail_msg("record %d: template %u version %u time %llu %s:%u -> %s:%u proto %u flags %#x packets %llu bytes %llu sampling %u result %u side %u ruleset %u mask %#x",
			 i, r->template_id, r->version, (unsigned long long)r->export_time,
			 hs_format_addr(r->src, s, sizeof(s)), r->sport,
			 hs_format_addr(r->dst, d, sizeof(d)), r->dport, r->proto, r->tcp_flags,
			 (unsigned long long)r->packets, (unsigned long long)r->bytes,
			 r->sampling, r->result, r->subscriber_side, r->ruleset, r->rule_mask);
	}
}

/* Every record the program sent, in order, and nothing else. */
static void assert_ring(void)
{
	struct ring_read got = {};
	struct ring_buffer *rb;
	int n_want = N_EXPECTED(ctx.c->records), n;

	rb = ring_buffer__new(bpf_map__fd(ctx.in.skel->maps.records), ring_record, &got, NULL);
	assert_non_null(rb);
	n = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	assert_true(n >= 0);
	assert_int_equal(got.n, n_want);
	for (int i = 0; i < n_want; i++)
		assert_record(i, &ctx.c->records[i], &got.rec[i]);
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	struct hs_options o = {
		.dicts = { (const char *[]){ DATA_DIR "/dictionary.json" }, 1 },
		.subscribers_path = DATA_DIR "/subscribers.txt",
		.ports = { PORT, 9995 },
	};

	return fixture_setup_load(&o, &ctx.setup);
}

static int group_teardown(void **state)
{
	hs_setup_free(&ctx.setup);
	return 0;
}

/* A prefix list (the subscribers, the exporters' allow-list) through the
 * agent's own reader and map writer. */
static int load_prefixes(const char *name, const char *what,
			 int (*write)(struct hs_instance *, const struct haystack_lpm_key *, size_t))
{
	struct haystack_lpm_key *keys;
	char path[256];
	size_t n;
	int err;

	snprintf(path, sizeof(path), "%s/%s", DATA_DIR, name);
	err = hs_prefix_list_load(path, what, &keys, &n);
	if (err)
		return err;
	err = write(&ctx.in, keys, n);
	free(keys);
	return err;
}

/* A fresh program per case: counters and every map start empty. */
static int case_setup(void **state)
{
	const struct xdp_case *c = *state;
	struct haystack_config cfg = ctx.setup.config;

	if (fixture_instance_open(&ctx.in, &c->sizes))
		return -1;
	if (c->unconfigured)
		return 0;
	if (hs_setup_apply(&ctx.setup, &ctx.in))
		return -1;
	cfg.flags = c->flags | (c->config != CONFIG_BIN_SECONDS_ONLY ? HAYSTACK_F_CONFIGURED : 0);
	if (c->config == CONFIG_FLAG_ONLY)
		cfg.bin_seconds = 0;
	cfg.closed_before = c->closed_before;
	cfg.sampling = c->sampling;
	cfg.template_timeout = c->template_timeout;
	cfg.time_ceiling = c->time_ceiling;
	if (c->ceiling_age_s) {
		struct timespec mono;

		clock_gettime(CLOCK_MONOTONIC, &mono);
		cfg.time_ceiling_ns = (__u64)mono.tv_sec * 1000000000ULL + mono.tv_nsec -
				      c->ceiling_age_s * 1000000000ULL;
	}
	if (c->allow_list) {
		if (load_prefixes(c->allow_list, "exporter", hs_write_exporters))
			return -1;
		cfg.flags |= HAYSTACK_F_EXPORTERS;
	}
	if (c->subscribers && load_prefixes(c->subscribers, "subscriber", hs_write_subscribers))
		return -1;
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
	int stats_fd = bpf_map__fd(ctx.in.skel->maps.stats);
	struct haystack_stats st;
	struct pkt p;
	__u32 verdict;
	int err;

	ctx.c = c;
	for (int f = 0; f < (c->frames ?: 1); f++) {
		c->build(&p, f, c->version);
		/* the kernel runs the frame */
		err = hs_frame_run(prog, p.buf, p.len, &verdict);
		if (err)
			fail_msg("hs_frame_run on a %zu-byte frame: %s (%d)", p.len,
				 strerror(-err), err);
		/* export packets are passed on unless consumed; others always */
		assert_int_equal(verdict, c->verdict);
		/* the frame ended in exactly one outcome, its records too */
		assert_int_equal(hs_read_stats(stats_fd, &st), 0);
		assert_identities(&st, f + 1);
	}
	/* every counter exactly: the expected reason and no other */
	assert_stats_equal(&c->stats, &st);
	/* evidence, templates and exporters hold exactly the expected entries */
	assert_maps();
	/* the records sent to user space, and only those */
	assert_ring();
}

static int run_table(const char *group, const struct xdp_case *cases, size_t n)
{
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	int rc;

	if (!tests)
		return 1;
	for (size_t i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){
			.name = cases[i].name,
			.test_func = run_case,
			.setup_func = case_setup,
			.teardown_func = case_teardown,
			.initial_state = (void *)&cases[i],
		};
	rc = _cmocka_run_group_tests(group, tests, n, group_setup, group_teardown);
	free(tests);
	return rc;
}
