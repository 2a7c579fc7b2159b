// SPDX-License-Identifier: GPL-2.0
/*
 * The service end of a record through BPF_PROG_TEST_RUN: the IPv4 fast
 * path (include/haystack.h service_prefilter, service_hosts) must give
 * exactly what the trie alone gives. Every record the program sends
 * (--records) is held against an oracle that asks service_endpoints itself
 * (a user-space lookup in the LPM trie is its longest match) and the rule
 * sets in endpoint_rules, and against the domains the case names; the
 * evidence map against the records matched.
 *
 * Dictionaries (tests/bpf/data/service_a.json, from 2019-11-15T00:00Z, and
 * service_b.json, from 12:00Z):
 *   A  wide.a.test   172.16.0.0/16                   any port
 *      net.a.test    198.18.5.0/24, 2001:db8:77::/48 tcp/443
 *      exact.a.test  198.18.5.9/32 (inside net's /24) tcp/443, udp/3478
 *      half.a.test   198.18.7.128/25                 udp/53
 *      host.a.test   198.18.9.9/32                   tcp/8883
 *      swap.a.test   198.18.20.20/32                 tcp/443
 *   B  swap.b.test   198.18.20.0/24                  tcp/443
 *      only.b.test   198.18.30.30/32                 tcp/443
 * Subscribers: 100.64.0.0/16 (tests/bpf/data/subscribers.txt).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/mman.h>
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
#include "lib/log.h"
#include "fixture.h"

#define DATA_DIR	"tests/bpf/data"
#define HOUR10		1573812000U	/* 2019-11-15T10:00:00Z */
#define PORT		2055
#define EXPORTER	"10.0.0.1"
#define COLLECTOR	"10.0.0.2"
#define SUB		"100.64.0.7"
#define SUB2		"100.64.1.9"
#define NONSUB		"10.9.9.9"

static void export_begin(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ipv4(p, EXPORTER, COLLECTOR, IPPROTO_UDP);
	pkt_udp(p, 40000, PORT);
}

#define T_A	(HOUR10 + 7)		/* dictionary A in force */
#define T_B	(HOUR10 + 7200 + 7)	/* 12:00:07: B in force */
#define MAX_RECS 30

struct want {
	const char *src, *dst;
	__u16 sport, dport;
	__u8 proto;
	__u8 result;			/* enum record_result */
	int dict;			/* 0: A, 1: B (the generation in force) */
	const char *domains[4];		/* RESULT_MATCHED: the rules matched */
};

static struct {
	struct hs_setup setup;
	struct hs_instance in;
	struct flow_record got[MAX_RECS];
	int n_got;
	__u32 gen[2];			/* generation of A, of B */
} sv;

static int sv_group_setup(void **state)
{
	struct hs_options o = {
		.dicts = { (const char *[]){ DATA_DIR "/service_a.json",
					    DATA_DIR "/service_b.json" }, 2 },
		.subscribers_path = DATA_DIR "/subscribers.txt",
		.ports = { PORT },
	};

	return fixture_setup_load(&o, &sv.setup);
}

static int sv_group_teardown(void **state)
{
	hs_setup_free(&sv.setup);
	return 0;
}

static __u32 generation_of(const struct hs_dict *d)
{
	for (int i = 0; i < sv.setup.set.n; i++)
		if (sv.setup.set.v[i].dict == d)
			return sv.setup.set.v[i].generation;
	return 0;
}

/* A fresh program per test, both dictionaries loaded as run loads them. */
static int open_loaded(const struct hs_map_sizes *sizes)
{
	struct haystack_config cfg = sv.setup.config;

	if (fixture_instance_open(&sv.in, sizes))
		return -1;
	if (hs_setup_apply(&sv.setup, &sv.in))
		return -2;
	sv.gen[0] = generation_of(sv.setup.dict[0]);
	sv.gen[1] = generation_of(sv.setup.dict[1]);
	cfg.flags |= HAYSTACK_F_RECORDS | HAYSTACK_F_CONFIGURED;
	return hs_write_config(&sv.in, &cfg) ? -1 : 0;
}

static int sv_setup(void **state)
{
	return open_loaded(NULL) ? -1 : 0;
}

static int sv_teardown(void **state)
{
	hs_instance_close(&sv.in, false);
	return 0;
}

static int fd_of(enum hs_map m)
{
	return hs_instance_map_fd(&sv.in, m);
}

static void schedule(struct dictionary_schedule *s)
{
	assert_int_equal(hs_schedule_read(fd_of(HS_MAP_DICTIONARIES), s), 0);
}

/* The claimed slot of generation g, -1 when none. */
static int slot_of(__u32 g)
{
	struct dictionary_schedule s;

	schedule(&s);
	for (int i = 0; i < HAYSTACK_MAX_DICTIONARIES; i++)
		if ((s.claimed & (1ULL << i)) && s.slot[i].generation == g)
			return i;
	return -1;
}

static int ring_collect(void *data, void *buf, size_t size)
{
	assert_int_equal(size, sizeof(struct flow_record));
	if (sv.n_got < MAX_RECS)
		memcpy(&sv.got[sv.n_got], buf, size);
	sv.n_got++;
	return 0;
}

/* One v5 datagram of the n records at export time t; the records the
 * program sent back into sv.got. */
static void run_datagram(__u32 t, const struct want *w, int n)
{
	struct ring_buffer *rb;
	struct pkt p;
	__u32 verdict;

	export_begin(&p);
	pkt_v5_header(&p, n, t, 0);
	for (int i = 0; i < n; i++)
		pkt_v5_record(&p, &(struct v5rec){ .src = w[i].src, .dst = w[i].dst,
				.sport = w[i].sport, .dport = w[i].dport, .proto = w[i].proto,
				.packets = 1 + i, .bytes = 100 * (1 + i) });
	pkt_finish(&p);
	assert_int_equal(hs_frame_run(hs_instance_prog_fd(&sv.in), p.buf, p.len, &verdict), 0);
	assert_int_equal(verdict, XDP_PASS);
	sv.n_got = 0;
	rb = ring_buffer__new(bpf_map__fd(sv.in.skel->maps.records), ring_collect, NULL, NULL);
	assert_non_null(rb);
	assert_true(ring_buffer__consume(rb) >= 0);
	ring_buffer__free(rb);
	assert_int_equal(sv.n_got, n);
}

static bool subscriber(const __u8 a[16])
{
	struct haystack_lpm_key k = { .prefixlen = 128 };
	struct subscriber_prefix v;

	memcpy(k.addr, a, 16);
	return !bpf_map_lookup_elem(fd_of(HS_MAP_SUBSCRIBERS), &k, &v);
}

/* The trie alone: the longest match of service_endpoints and its rules.
 * Returns the mask, -1 when no prefix holds addr. */
static long long trie_match(__u32 gen, const __u8 addr[16], __u16 port, __u8 proto,
			    __u32 *ruleset)
{
	struct endpoint_key k = { .prefixlen = 32 + 128, .generation = htonl(gen) };
	struct ruleset_key rk = { .generation = gen };
	struct service_endpoint ep;
	struct endpoint_ruleset rs;
	__u32 mask = 0;

	memcpy(k.addr, addr, 16);
	if (bpf_map_lookup_elem(fd_of(HS_MAP_ENDPOINTS), &k, &ep))
		return -1;
	*ruleset = rk.ruleset = ep.ruleset;
	assert_int_equal(bpf_map_lookup_elem(fd_of(HS_MAP_RULES), &rk, &rs), 0);
	for (__u32 i = 0; i < rs.count && i < HAYSTACK_MAX_RULES; i++)
		if ((!rs.rule[i].proto || rs.rule[i].proto == proto) &&
		    (!rs.rule[i].port || rs.rule[i].port == port))
			mask |= 1U << i;
	return mask;
}

/* What classify() gives with the trie alone (bpf/classify.h). */
static void oracle(const struct flow_record *r, __u8 *result, __u32 *ruleset, __u32 *mask)
{
	bool seen = false, known = false;
	long long m;
	__u32 rs = 0;

	*ruleset = *mask = 0;
	if (subscriber(r->src)) {
		seen = true;
		m = trie_match(r->generation, r->dst, r->dport, r->proto, &rs);
		if (m > 0) {
			*result = RESULT_MATCHED, *ruleset = rs, *mask = m;
			return;
		}
		known = m == 0;
	}
	if (subscriber(r->dst)) {
		seen = true;
		m = trie_match(r->generation, r->src, r->sport, r->proto, &rs);
		if (m > 0) {
			*result = RESULT_MATCHED, *ruleset = rs, *mask = m;
			return;
		}
		known |= m == 0;
	}
	*result = !seen ? RESULT_NOT_SUBSCRIBER : known ? RESULT_PORT_MISMATCH : RESULT_NO_SERVICE;
}

/* The names of the rules of mask in rule set rs of generation gen. */
static void assert_domains(const struct hs_dict *d, __u32 gen, __u32 rs, __u32 mask,
			   const char *const want[4], int i)
{
	struct ruleset_key rk = { .generation = gen, .ruleset = rs };
	struct endpoint_ruleset set;
	int n_want = 0, n_got = 0;

	assert_int_equal(bpf_map_lookup_elem(fd_of(HS_MAP_RULES), &rk, &set), 0);
	while (n_want < 4 && want[n_want])
		n_want++;
	for (__u32 b = 0; b < set.count; b++) {
		const char *name = d->domains[set.rule[b].domain].name;
		bool listed = false;

		if (!(mask & (1U << b)))
			continue;
		n_got++;
		for (int k = 0; k < n_want; k++)
			listed |= !strcmp(want[k], name);
		if (!listed)
			fail_msg("record %d: matched %s, not listed", i, name);
	}
	if (n_got != n_want)
		fail_msg("record %d: %d rules matched, %d domains listed", i, n_got, n_want);
}

/* Every record sent: as the case says, and as the trie alone says. */
static void assert_records(const struct want *w, int n)
{
	for (int i = 0; i < n; i++) {
		const struct flow_record *r = &sv.got[i];
		__u8 result;
		__u32 ruleset, mask;

		oracle(r, &result, &ruleset, &mask);
		if (r->generation != sv.gen[w[i].dict])
			fail_msg("record %d (%s -> %s): generation %u, expected %u", i, w[i].src,
				 w[i].dst, r->generation, sv.gen[w[i].dict]);
		if (r->result != result || r->ruleset != ruleset || r->rule_mask != mask)
			fail_msg("record %d (%s -> %s): result %u ruleset %u mask %#x; the trie alone: %u %u %#x",
				 i, w[i].src, w[i].dst, r->result, r->ruleset, r->rule_mask, result,
				 ruleset, mask);
		if (r->result != w[i].result)
			fail_msg("record %d (%s -> %s): result %u, expected %u", i, w[i].src,
				 w[i].dst, r->result, w[i].result);
		if (r->result == RESULT_MATCHED)
			assert_domains(sv.setup.dict[w[i].dict], r->generation, r->ruleset,
				       r->rule_mask, w[i].domains, i);
	}
}

/* The evidence map: one entry per (subscriber, bin, generation, rule set,
 * mask) of the records matched so far (all[0..n)), with their sums. */
static const struct flow_record *ev_all;
static int ev_n, ev_entries;

static int check_evidence(const void *key, const void *value, void *arg)
{
	const struct evidence_key *k = key;
	const struct evidence_value *v = value;
	__u64 records = 0, packets = 0;

	for (int i = 0; i < ev_n; i++) {
		const struct flow_record *r = &ev_all[i];
		const __u8 *sub = r->subscriber_side == 1 ? r->src : r->dst;

		if (r->result != RESULT_MATCHED || memcmp(sub, k->subscriber, 16) ||
		    k->bin_start != r->export_time - r->export_time % HAYSTACK_BASE_BIN ||
		    k->generation != r->generation || k->ruleset != r->ruleset ||
		    k->rule_mask != r->rule_mask)
			continue;
		records++;
		packets += r->packets;
	}
	if (!records || v->records != records || v->packets != packets)
		fail_msg("evidence of generation %u rule set %u mask %#x: %llu records, %llu expected",
			 k->generation, k->ruleset, k->rule_mask, (unsigned long long)v->records,
			 (unsigned long long)records);
	ev_entries++;
	return 0;
}

static void assert_evidence(const struct flow_record *all, int n)
{
	int matched = 0, distinct = 0;

	for (int i = 0; i < n; i++) {
		bool again = false;

		if (all[i].result != RESULT_MATCHED)
			continue;
		matched++;
		for (int j = 0; j < i; j++)
			again |= all[j].result == RESULT_MATCHED &&
				 all[j].generation == all[i].generation &&
				 all[j].ruleset == all[i].ruleset &&
				 all[j].rule_mask == all[i].rule_mask &&
				 !memcmp(all[j].subscriber_side == 1 ? all[j].src : all[j].dst,
					 all[i].subscriber_side == 1 ? all[i].src : all[i].dst, 16) &&
				 all[j].export_time / HAYSTACK_BASE_BIN ==
					 all[i].export_time / HAYSTACK_BASE_BIN;
		distinct += !again;
	}
	assert_true(matched > 0);
	ev_all = all, ev_n = n, ev_entries = 0;
	assert_int_equal(hs_map_for_each(fd_of(HS_MAP_EVIDENCE), sizeof(struct evidence_key),
					 sizeof(struct evidence_value), check_evidence, NULL), 0);
	assert_int_equal(ev_entries, distinct);
}

/* Bit b of the bitmap at word at of slot's pre-filter region. */
static unsigned int prefilter_bit(int slot, __u32 at, __u32 b)
{
	__u32 idx = slot * HAYSTACK_PREFILTER_SLOT_WORDS + at + b / 64;
	__u64 word;

	assert_int_equal(bpf_map_lookup_elem(fd_of(HS_MAP_PREFILTER), &idx, &word), 0);
	return (word >> (b % 64)) & 1;
}

static __u32 host_order(const char *addr)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, addr, &a), 1);
	return ntohl(a.s_addr);
}

/* The two pre-filter bits of addr's /24 in slot's region; its /16's bit
 * is set whenever one of them is. */
static unsigned int prefilter_bits(int slot, const char *addr)
{
	__u32 h = host_order(addr);
	unsigned int bits = prefilter_bit(slot, HAYSTACK_PREFILTER_AT24, (h >> 8) * 2) |
			    prefilter_bit(slot, HAYSTACK_PREFILTER_AT24, (h >> 8) * 2 + 1) << 1;

	if (bits)
		assert_int_equal(prefilter_bit(slot, HAYSTACK_PREFILTER_AT16, h >> 16), 1);
	return bits;
}

/* The bits set in slot's host bitmap, and whether addr's is one of them. */
static unsigned int host_bits(int slot, const char *addr, bool *set)
{
	size_t bytes = (size_t)HAYSTACK_PREFILTER_SLOT_WORDS * sizeof(__u64);
	unsigned int n = 0;
	const __u64 *w;

	w = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd_of(HS_MAP_PREFILTER), (off_t)slot * bytes);
	assert_true(w != MAP_FAILED);
	for (__u32 i = HAYSTACK_PREFILTER_AT_HOSTS; i < HAYSTACK_PREFILTER_AT_NETS6; i++)
		n += (unsigned int)__builtin_popcountll(w[i]);
	/* A's three: the smallest bitmap */
	assert_int_equal(w[HAYSTACK_PREFILTER_AT_HEAD] & 0xff, HAYSTACK_PREFILTER_LOG_MIN);
	munmap((void *)w, bytes);
	*set = prefilter_bit(slot, HAYSTACK_PREFILTER_AT_HOSTS,
			     HAYSTACK_HOST_BIT(host_order(addr), HAYSTACK_PREFILTER_LOG_MIN));
	return n;
}

#define EXACT	HAYSTACK_PREFILTER_EXACT
#define PREFIX	HAYSTACK_PREFILTER_PREFIX

static const struct want IPV4[] = {
	/* a /32 inside a covered /24: the /32's rule set wins, which carries
	 * the /24's rules too; its own udp/3478 is not the /24's */
	{ SUB, "198.18.5.9", 50000, 443, IPPROTO_TCP, RESULT_MATCHED, 0,
	  { "exact.a.test", "net.a.test" } },
	{ SUB, "198.18.5.9", 50000, 3478, IPPROTO_UDP, RESULT_MATCHED, 0, { "exact.a.test" } },
	/* the same /24, not the /32: the trie's /24 */
	{ SUB, "198.18.5.100", 50000, 443, IPPROTO_TCP, RESULT_MATCHED, 0, { "net.a.test" } },
	{ SUB, "198.18.5.100", 50000, 3478, IPPROTO_UDP, RESULT_PORT_MISMATCH, 0 },
	/* a /25 and the other half of its /24 */
	{ SUB, "198.18.7.200", 50000, 53, IPPROTO_UDP, RESULT_MATCHED, 0, { "half.a.test" } },
	{ SUB, "198.18.7.127", 50000, 53, IPPROTO_UDP, RESULT_NO_SERVICE, 0 },
	{ SUB, "198.18.7.5", 50000, 53, IPPROTO_UDP, RESULT_NO_SERVICE, 0 },
	/* a /24 holding only an exact endpoint: it, and a miss beside it */
	{ SUB, "198.18.9.9", 50000, 8883, IPPROTO_TCP, RESULT_MATCHED, 0, { "host.a.test" } },
	{ SUB, "198.18.9.9", 50000, 80, IPPROTO_TCP, RESULT_PORT_MISMATCH, 0 },
	{ SUB, "198.18.9.10", 50000, 8883, IPPROTO_TCP, RESULT_NO_SERVICE, 0 },
	{ SUB, "198.18.9.8", 50000, 8883, IPPROTO_TCP, RESULT_NO_SERVICE, 0 },
	/* a /24 with no endpoint */
	{ SUB, "198.18.200.1", 50000, 443, IPPROTO_TCP, RESULT_NO_SERVICE, 0 },
	/* covered by a /16 only: its first, a middle and its last /24 */
	{ SUB, "172.16.0.1", 50000, 22, IPPROTO_TCP, RESULT_MATCHED, 0, { "wide.a.test" } },
	{ SUB, "172.16.200.5", 50000, 22, IPPROTO_TCP, RESULT_MATCHED, 0, { "wide.a.test" } },
	{ "172.16.255.254", SUB, 53, 50000, IPPROTO_UDP, RESULT_MATCHED, 0, { "wide.a.test" } },
	{ SUB, "172.17.0.1", 50000, 22, IPPROTO_TCP, RESULT_NO_SERVICE, 0 },
	{ SUB, "172.15.255.255", 50000, 22, IPPROTO_TCP, RESULT_NO_SERVICE, 0 },
	/* the service end as source, the subscriber as destination */
	{ "198.18.5.9", SUB2, 443, 50001, IPPROTO_TCP, RESULT_MATCHED, 0,
	  { "exact.a.test", "net.a.test" } },
	/* no subscriber: the service end is not looked at */
	{ NONSUB, "198.18.5.9", 50000, 443, IPPROTO_TCP, RESULT_NOT_SUBSCRIBER, 0 },
	/* B's addresses while A is in force */
	{ SUB, "198.18.30.30", 50000, 443, IPPROTO_TCP, RESULT_NO_SERVICE, 0 },
};
#define N_IPV4	((int)(sizeof(IPV4) / sizeof(IPV4[0])))

static void test_ipv4_fast_path(void **state)
{
	int a = slot_of(sv.gen[0]);
	struct haystack_stats st;
	int matched = 0, none = 0, mismatch = 0, notsub = 0;
	bool set;

	run_datagram(T_A, IPV4, N_IPV4);
	assert_records(IPV4, N_IPV4);
	assert_evidence(sv.got, N_IPV4);
	/* the counters are the records' results */
	for (int i = 0; i < N_IPV4; i++) {
		matched += IPV4[i].result == RESULT_MATCHED;
		none += IPV4[i].result == RESULT_NO_SERVICE;
		mismatch += IPV4[i].result == RESULT_PORT_MISMATCH;
		notsub += IPV4[i].result == RESULT_NOT_SUBSCRIBER;
	}
	assert_int_equal(hs_read_stats(fd_of(HS_MAP_STATS), &st), 0);
	assert_int_equal(st.records, N_IPV4);
	assert_int_equal(st.matched, matched);
	assert_int_equal(st.no_service, none);
	assert_int_equal(st.port_mismatch, mismatch);
	assert_int_equal(st.not_subscriber, notsub);
	/* the pre-filter is one: most /24s have neither bit */
	assert_true(a >= 0);
	assert_int_equal(prefilter_bits(a, "198.18.5.1"), EXACT | PREFIX);
	assert_int_equal(prefilter_bits(a, "198.18.7.1"), PREFIX);
	assert_int_equal(prefilter_bits(a, "198.18.9.1"), EXACT);
	assert_int_equal(prefilter_bits(a, "198.18.20.1"), EXACT);
	assert_int_equal(prefilter_bits(a, "198.18.8.1"), 0);
	assert_int_equal(prefilter_bits(a, "198.18.200.1"), 0);
	assert_int_equal(prefilter_bits(a, "172.16.0.1"), PREFIX);
	assert_int_equal(prefilter_bits(a, "172.16.255.1"), PREFIX);
	assert_int_equal(prefilter_bits(a, "172.17.0.1"), 0);
	assert_int_equal(prefilter_bits(a, "172.15.255.1"), 0);
	/* the /16s: only those of endpoints */
	assert_int_equal(prefilter_bit(a, HAYSTACK_PREFILTER_AT16, 172 << 8 | 16), 1);
	assert_int_equal(prefilter_bit(a, HAYSTACK_PREFILTER_AT16, 198 << 8 | 18), 1);
	assert_int_equal(prefilter_bit(a, HAYSTACK_PREFILTER_AT16, 172 << 8 | 17), 0);
	assert_int_equal(prefilter_bit(a, HAYSTACK_PREFILTER_AT16, 198 << 8 | 19), 0);
	assert_int_equal(prefilter_bits(a, "198.18.30.1"), 0);	/* B's */
	assert_int_equal(prefilter_bits(slot_of(sv.gen[1]), "198.18.30.1"), EXACT);
	assert_int_equal(prefilter_bits(slot_of(sv.gen[1]), "198.18.20.1"), PREFIX);
	/* the host bitmap: a bit for each of A's three /32s, and no other */
	assert_int_equal(host_bits(a, "198.18.5.9", &set), 3);
	assert_true(set);
	host_bits(a, "198.18.9.9", &set);
	assert_true(set);
	host_bits(a, "198.18.20.20", &set);
	assert_true(set);
	host_bits(a, "198.18.9.10", &set);
	assert_false(set);
	host_bits(a, "198.18.30.30", &set);	/* B's */
	assert_false(set);
	host_bits(slot_of(sv.gen[1]), "198.18.30.30", &set);
	assert_true(set);
}

/* IPv6 keeps the trie: the same as before, the /48 of net.a.test. */
/* One IPFIX datagram of IPv6 records at export time t, and its records
 * checked against the trie alone. */
static void run_v6(__u32 t, const struct want *w, int n)
{
	static const struct pkt_ie f[] = {
		{ 27, 16 }, { 28, 16 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 2, 4 }, { 1, 4 },
	};
	struct ring_buffer *rb;
	__u32 verdict;
	struct pkt p;

	export_begin(&p);
	pkt_ipfix_header(&p, t, 0);
	pkt_set_begin(&p, pkt_template_set(&p));
	pkt_template(&p, 256, f, 7);
	pkt_set_end(&p);
	pkt_set_begin(&p, 256);
	for (int i = 0; i < n; i++)
		pkt_flow_record(&p, f, 7, &(struct v5rec){ .src = w[i].src, .dst = w[i].dst,
				.sport = w[i].sport, .dport = w[i].dport, .proto = w[i].proto,
				.packets = 1, .bytes = 100 });
	pkt_set_end(&p);
	pkt_finish(&p);
	assert_int_equal(hs_frame_run(hs_instance_prog_fd(&sv.in), p.buf, p.len, &verdict), 0);
	sv.n_got = 0;
	rb = ring_buffer__new(bpf_map__fd(sv.in.skel->maps.records), ring_collect, NULL, NULL);
	assert_non_null(rb);
	assert_true(ring_buffer__consume(rb) >= 0);
	ring_buffer__free(rb);
	assert_int_equal(sv.n_got, n);
	assert_records(w, n);
}

/* The IPv6 /48 bit of addr in slot's region. */
static unsigned int net6_bit(int slot, const char *addr)
{
	struct in6_addr a;
	__u32 idx = slot * HAYSTACK_PREFILTER_SLOT_WORDS + HAYSTACK_PREFILTER_AT_HEAD;
	__u64 head;

	assert_int_equal(inet_pton(AF_INET6, addr, &a), 1);
	assert_int_equal(bpf_map_lookup_elem(fd_of(HS_MAP_PREFILTER), &idx, &head), 0);
	return prefilter_bit(slot, HAYSTACK_PREFILTER_AT_NETS6,
			     HAYSTACK_NET6_BIT((__u32)a.s6_addr[0] << 24 | (__u32)a.s6_addr[1] << 16 |
					       (__u32)a.s6_addr[2] << 8 | a.s6_addr[3],
					       (__u32)a.s6_addr[4] << 8 | a.s6_addr[5],
					       (head >> 8) & 0xff));
}

static __u64 prefilter_head(int slot)
{
	__u32 idx = slot * HAYSTACK_PREFILTER_SLOT_WORDS + HAYSTACK_PREFILTER_AT_HEAD;
	__u64 head;

	assert_int_equal(bpf_map_lookup_elem(fd_of(HS_MAP_PREFILTER), &idx, &head), 0);
	return head;
}

/* IPv6: A has a /48 alone, its /48 bit the pre-filter; B a /33, shorter
 * than a /48, so every IPv6 address of B walks the trie. */
static void test_ipv6(void **state)
{
	static const struct want a[] = {
		{ "2001:db8:100::7", "2001:db8:77:1::5", 50000, 443, IPPROTO_TCP, RESULT_MATCHED,
		  0, { "net.a.test" } },
		{ "2001:db8:100::7", "2001:db8:78::5", 50000, 443, IPPROTO_TCP,
		  RESULT_NO_SERVICE, 0 },
		{ "2001:db8:100::7", "2001:db8:8000::5", 50000, 443, IPPROTO_TCP,
		  RESULT_NO_SERVICE, 0 },	/* B's */
	};
	static const struct want b[] = {
		{ "2001:db8:100::7", "2001:db8:8000::5", 50000, 443, IPPROTO_TCP, RESULT_MATCHED,
		  1, { "short6.b.test" } },
		{ "2001:db8:100::7", "2001:db8:ffff:1::5", 50000, 443, IPPROTO_TCP, RESULT_MATCHED,
		  1, { "short6.b.test" } },
		{ "2001:db8:100::7", "2001:db8:77:1::5", 50000, 443, IPPROTO_TCP,
		  RESULT_NO_SERVICE, 1 },	/* A's */
	};
	int sa = slot_of(sv.gen[0]), sb = slot_of(sv.gen[1]);

	run_v6(T_A, a, 3);
	run_v6(T_B, b, 3);
	assert_int_equal(prefilter_head(sa) & HAYSTACK_PREFILTER_SHORT6, 0);
	assert_int_equal((prefilter_head(sa) >> 8) & 0xff, HAYSTACK_PREFILTER_LOG_MIN);
	assert_int_equal(net6_bit(sa, "2001:db8:77::"), 1);
	assert_int_equal(net6_bit(sa, "2001:db8:78::"), 0);
	assert_int_equal(net6_bit(sa, "2001:db8:8000::"), 0);
	assert_true(prefilter_head(sb) & HAYSTACK_PREFILTER_SHORT6);
}

/* One address, two generations: each record wholly by the one in force
 * at its export time, through the slot of that one. */
static const struct want SWAP_A[] = {
	{ SUB, "198.18.20.20", 50000, 443, IPPROTO_TCP, RESULT_MATCHED, 0, { "swap.a.test" } },
	{ SUB, "198.18.20.21", 50000, 443, IPPROTO_TCP, RESULT_NO_SERVICE, 0 },
	{ SUB, "198.18.30.30", 50000, 443, IPPROTO_TCP, RESULT_NO_SERVICE, 0 },
	{ SUB, "198.18.5.9", 50000, 3478, IPPROTO_UDP, RESULT_MATCHED, 0, { "exact.a.test" } },
};
static const struct want SWAP_B[] = {
	{ SUB, "198.18.20.20", 50000, 443, IPPROTO_TCP, RESULT_MATCHED, 1, { "swap.b.test" } },
	{ SUB, "198.18.20.21", 50000, 443, IPPROTO_TCP, RESULT_MATCHED, 1, { "swap.b.test" } },
	{ SUB, "198.18.30.30", 50000, 443, IPPROTO_TCP, RESULT_MATCHED, 1, { "only.b.test" } },
	{ SUB, "198.18.5.9", 50000, 3478, IPPROTO_UDP, RESULT_NO_SERVICE, 1 },
};
/* B gone: A classifies its time too */
static const struct want SWAP_B_GONE[] = {
	{ SUB, "198.18.20.20", 50000, 443, IPPROTO_TCP, RESULT_MATCHED, 0, { "swap.a.test" } },
	{ SUB, "198.18.20.21", 50000, 443, IPPROTO_TCP, RESULT_NO_SERVICE, 0 },
	{ SUB, "198.18.30.30", 50000, 443, IPPROTO_TCP, RESULT_NO_SERVICE, 0 },
	{ SUB, "198.18.5.9", 50000, 3478, IPPROTO_UDP, RESULT_MATCHED, 0, { "exact.a.test" } },
};
#define N_SWAP	4

static int count_hosts(const void *key, const void *value, void *arg)
{
	const struct service_host_key *k = key;
	__u32 *want = arg;

	want[1] += k->generation == want[0];
	return 0;
}

static __u32 hosts_of(__u32 g)
{
	__u32 c[2] = { g, 0 };

	assert_int_equal(hs_map_for_each(fd_of(HS_MAP_HOSTS), sizeof(struct service_host_key),
					 0, count_hosts, c), 0);
	return c[1];
}

static void test_swap(void **state)
{
	struct flow_record all[2 * N_SWAP];
	struct dictionary_schedule s;
	int a = slot_of(sv.gen[0]), b = slot_of(sv.gen[1]), b2;
	__u32 g2;

	assert_true(a >= 0 && b >= 0 && a != b);
	run_datagram(T_A, SWAP_A, N_SWAP);
	assert_records(SWAP_A, N_SWAP);
	memcpy(all, sv.got, sizeof(sv.got[0]) * N_SWAP);
	run_datagram(T_B, SWAP_B, N_SWAP);
	assert_records(SWAP_B, N_SWAP);
	memcpy(all + N_SWAP, sv.got, sizeof(sv.got[0]) * N_SWAP);
	assert_evidence(all, 2 * N_SWAP);
	/* exact IPv4 endpoints in service_hosts, each under its generation */
	assert_int_equal(hosts_of(sv.gen[0]), 3);
	assert_int_equal(hosts_of(sv.gen[1]), 1);

	/* B unpublished: no datagram chooses it; its slot stays claimed
	 * until its entries go */
	assert_int_equal(hs_unpublish_dictionary(&sv.in, sv.gen[1]), 0);
	schedule(&s);
	assert_false(s.live & (1ULL << b));
	assert_true(s.claimed & (1ULL << b));
	run_datagram(T_B, SWAP_B_GONE, N_SWAP);
	assert_records(SWAP_B_GONE, N_SWAP);
	assert_int_equal(hs_remove_generation(&sv.in, sv.gen[1], true), 0);
	schedule(&s);
	assert_false(s.claimed & (1ULL << b));
	assert_int_equal(hosts_of(sv.gen[1]), 0);
	assert_int_equal(hosts_of(sv.gen[0]), 3);

	/* B again, a new generation in the slot it left: the slot's
	 * pre-filter rewritten, B's records classified by the new one */
	assert_int_equal(hs_dict_add(&sv.in, DATA_DIR "/service_b.json", true, NULL, &g2), 0);
	assert_true(g2 > sv.gen[1]);
	b2 = slot_of(g2);
	assert_int_equal(b2, b);
	sv.gen[1] = g2;
	run_datagram(T_B, SWAP_B, N_SWAP);
	assert_records(SWAP_B, N_SWAP);
	assert_int_equal(hosts_of(g2), 1);
	run_datagram(T_A, SWAP_A, N_SWAP);
	assert_records(SWAP_A, N_SWAP);
}

/* A dictionary that does not fit: nothing of it stays, its slot is free,
 * the one loaded before classifies as before. A has 7 prefixes, B 2. */
static void test_failed_load(void **state)
{
	struct hs_map_sizes sizes = { .endpoints = 8 };
	struct dictionary_schedule s;
	struct flow_record all[N_SWAP];

	assert_int_equal(open_loaded(&sizes), -2);
	sv.gen[0] = generation_of(sv.setup.dict[0]);
	schedule(&s);
	assert_int_equal(__builtin_popcountll(s.claimed), 1);
	assert_int_equal(s.claimed, s.live);
	assert_int_equal(s.slot[__builtin_ctzll(s.live)].generation, sv.gen[0]);
	assert_int_equal(hosts_of(sv.gen[0]), 3);
	assert_int_equal(hosts_of(s.last_generation), 0);
	assert_int_not_equal(s.last_generation, sv.gen[0]);
	{
		struct haystack_config cfg = sv.setup.config;

		cfg.flags |= HAYSTACK_F_RECORDS | HAYSTACK_F_CONFIGURED;
		assert_int_equal(hs_write_config(&sv.in, &cfg), 0);
	}
	run_datagram(T_B, SWAP_B_GONE, N_SWAP);
	assert_records(SWAP_B_GONE, N_SWAP);
	memcpy(all, sv.got, sizeof(all));
	assert_evidence(all, N_SWAP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ipv4_fast_path, sv_setup, sv_teardown),
		cmocka_unit_test_setup_teardown(test_ipv6, sv_setup, sv_teardown),
		cmocka_unit_test_setup_teardown(test_swap, sv_setup, sv_teardown),
		cmocka_unit_test_teardown(test_failed_load, sv_teardown),
	};

	return cmocka_run_group_tests(tests, sv_group_setup, sv_group_teardown);
}
