// SPDX-License-Identifier: GPL-2.0
/*
 * The hour tables (include/haystack.h evidence_tables, agent/kern/tables.h)
 * through BPF_PROG_TEST_RUN: a table is only a faster place for evidence,
 * so every case feeds the same datagrams to two programs, one with hour
 * tables and one without, and the harvests must be equal; then where the
 * evidence went: IPv4 subscribers into the table of their hour, IPv6 ones,
 * hours without a table and what a full table has no room for into the
 * evidence map. Two CPUs counting into one table at once lose nothing.
 * Tables pinned survive their process and are found again; expired ones
 * are gone from the map and the pins. Folded hours (hs_tables_fold) read
 * back as the hours themselves, a fold grown or killed part way too.
 *
 * Dictionaries and subscribers as test_service.c: tests/bpf/data/service_a
 * .json (in force at 10:00Z) and service_b.json; 100.64.0.0/16 and
 * 2001:db8:100::/40.
 */
#define _GNU_SOURCE	/* pthread_setaffinity_np */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "packet.h"
#include "haystack.h"
#include "haystack.skel.h"
#include "runtime/runtime.h"
#include "runtime/setup.h"
#include "kern/harvest.h"
#include "kern/instance.h"
#include "kern/mapwalk.h"
#include "kern/pins.h"
#include "kern/stats.h"
#include "kern/tables.h"
#include "kern/testrun.h"
#include "fixture.h"

#define DATA_DIR	"tests/bpf/data"
#define HOUR10		1573812000U	/* 2019-11-15T10:00:00Z */
#define HOUR11		(HOUR10 + 3600)
#define PORT		2055

static struct {
	struct hs_setup setup;
	struct hs_instance tb, ref;	/* with hour tables, without */
	struct hs_tables tables;
} g;

static int group_setup(void **state)
{
	struct hs_options o = {
		.dicts = { (const char *[]){ DATA_DIR "/service_a.json",
					    DATA_DIR "/service_b.json" }, 2 },
		.subscribers_path = DATA_DIR "/subscribers.txt",
		.ports = { PORT },
	};

	return fixture_setup_load(&o, &g.setup);
}

static int group_teardown(void **state)
{
	hs_setup_free(&g.setup);
	return 0;
}

static int open_one(struct hs_instance *in)
{
	struct haystack_config cfg = g.setup.config;

	if (fixture_instance_open(in, NULL) || hs_setup_apply(&g.setup, in))
		return -1;
	cfg.flags |= HAYSTACK_F_CONFIGURED;
	return hs_write_config(in, &cfg) ? -1 : 0;
}

static int setup(void **state)
{
	if (open_one(&g.tb) || open_one(&g.ref))
		return -1;
	return hs_tables_open(&g.tables, &g.tb, HAYSTACK_MAX_EVIDENCE) ? -1 : 0;
}

/* A case's pin directory, removed by teardown also when the case fails
 * part way: tests leave nothing pinned. */
static char pins[64];

static const char *pin_dir(const char *name)
{
	assert_int_equal(hs_ensure_bpffs(), 0);
	snprintf(pins, sizeof(pins), "/sys/fs/bpf/hs-test-%s-%d", name, (int)getpid());
	assert_int_equal(mkdir(pins, 0700), 0);
	return pins;
}

static int teardown(void **state)
{
	if (pins[0])
		hs_unpin_all(pins);
	pins[0] = 0;
	hs_tables_close(&g.tables);
	hs_instance_close(&g.tb, false);
	hs_instance_close(&g.ref, false);
	return 0;
}

/* Tables for the hours from first to last, as run makes them. */
static void follow(__u64 first, __u64 last)
{
	hs_tables_follow(&g.tables, hs_instance_map_fd(&g.tb, HS_MAP_DICTIONARIES), first, last);
}

/* One v5 datagram at t of n records, subscriber i of base + i (100.64.x.y)
 * to service svc (one of SERVICES), i + 1 packets each. */
static const struct {
	const char *addr;
	__u16 port;
	__u8 proto;
} SERVICES[] = {
	{ "198.18.5.9", 443, IPPROTO_TCP },	/* exact.a.test and net.a.test */
	{ "198.18.5.100", 443, IPPROTO_TCP },	/* net.a.test */
	{ "172.16.3.4", 22, IPPROTO_TCP },	/* wide.a.test */
	{ "198.18.9.9", 8883, IPPROTO_TCP },	/* host.a.test */
};
#define N_SERVICES ((int)(sizeof(SERVICES) / sizeof(SERVICES[0])))

static void v5_datagram(struct pkt *p, __u32 t, int base, int n, int svc)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ipv4(p, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	pkt_udp(p, 40000, PORT);
	pkt_v5_header(p, n, t, 0);
	for (int i = 0; i < n; i++) {
		char sub[32];
		int s = base + i;

		snprintf(sub, sizeof(sub), "100.64.%d.%d", (s >> 8) & 0xff, s & 0xff);
		pkt_v5_record(p, &(struct v5rec){ .src = sub, .dst = SERVICES[svc].addr,
				.sport = 50000, .dport = SERVICES[svc].port,
				.proto = SERVICES[svc].proto, .packets = 1 + i,
				.bytes = 100 });
	}
	pkt_finish(p);
}

static void run_both(const struct pkt *p)
{
	__u32 verdict;

	assert_int_equal(hs_frame_run(hs_instance_prog_fd(&g.tb), p->buf, p->len, &verdict), 0);
	assert_int_equal(hs_frame_run(hs_instance_prog_fd(&g.ref), p->buf, p->len, &verdict), 0);
}

/* Subscribers base.. base + n - 1, each to every service, at t. */
static void feed(__u32 t, int base, int n)
{
	static struct pkt p;

	for (int svc = 0; svc < N_SERVICES; svc++)
		for (int i = 0; i < n; i += 30) {
			v5_datagram(&p, t, base + i, n - i < 30 ? n - i : 30, svc);
			run_both(&p);
		}
}

/* One IPFIX datagram at t of IPv6 records: subscribers of 2001:db8:100::/40
 * to net.a.test's 2001:db8:77::/48 on tcp/443. */
static void feed_v6(__u32 t, int n)
{
	static const struct pkt_ie f[] = {
		{ 27, 16 }, { 28, 16 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 2, 4 }, { 1, 4 },
	};
	static struct pkt p;

	pkt_init(&p);
	pkt_eth(&p);
	pkt_ipv4(&p, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	pkt_udp(&p, 40000, PORT);
	pkt_ipfix_header(&p, t, 0);
	pkt_set_begin(&p, pkt_template_set(&p));
	pkt_template(&p, 256, f, 7);
	pkt_set_end(&p);
	pkt_set_begin(&p, 256);
	for (int i = 0; i < n; i++) {
		char sub[64];

		snprintf(sub, sizeof(sub), "2001:db8:100::%x", i + 1);
		pkt_flow_record(&p, f, 7, &(struct v5rec){ .src = sub, .dst = "2001:db8:77::1",
				.sport = 50000, .dport = 443, .proto = IPPROTO_TCP,
				.packets = 2, .bytes = 100 });
	}
	pkt_set_end(&p);
	pkt_finish(&p);
	run_both(&p);
}

/* hs_evidence ordered, and those of one subscriber, hour, generation and
 * domains merged: the evidence map and a table may each hold part. */
static int cmp_ev(const void *a, const void *b)
{
	const struct hs_evidence *x = a, *y = b;
	int c = memcmp(x->subscriber, y->subscriber, 16);

	if (c)
		return c;
	if (x->hour != y->hour)
		return x->hour < y->hour ? -1 : 1;
	if (x->generation != y->generation)
		return x->generation < y->generation ? -1 : 1;
	if (x->n_domains != y->n_domains)
		return x->n_domains - y->n_domains;
	return memcmp(x->domains, y->domains, sizeof(x->domains[0]) * x->n_domains);
}

static int cmp_domain(const void *a, const void *b)
{
	return *(const __u16 *)a - *(const __u16 *)b;
}

static size_t merged(struct hs_evidence *ev, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		qsort(ev[i].domains, ev[i].n_domains, sizeof(ev[i].domains[0]), cmp_domain);
	qsort(ev, n, sizeof(*ev), cmp_ev);
	for (size_t i = 0; i < n; i++) {
		if (m && !cmp_ev(&ev[m - 1], &ev[i])) {
			ev[m - 1].packets += ev[i].packets;
			ev[m - 1].packets_estimate += ev[i].packets_estimate;
			continue;
		}
		ev[m++] = ev[i];
	}
	return m;
}

/* Merged evidence with tables (a) and without (b) equal; both freed. */
static void assert_same(struct hs_evidence *a, size_t na, struct hs_evidence *b, size_t nb)
{
	assert_true(nb > 0);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		if (cmp_ev(&a[i], &b[i]) || a[i].packets != b[i].packets ||
		    a[i].packets_estimate != b[i].packets_estimate)
			fail_msg("entry %zu: %llu packets with tables, %llu without", i,
				 (unsigned long long)a[i].packets, (unsigned long long)b[i].packets);
	}
	free(a);
	free(b);
}

/* The two programs' harvests are equal; returns the entries. */
static size_t assert_same_harvest(void)
{
	struct hs_evidence *a = NULL, *b = NULL;
	size_t na, nb;

	assert_int_equal(hs_harvest(hs_instance_map_fd(&g.tb, HS_MAP_EVIDENCE), &g.tables,
				    hs_instance_map_fd(&g.tb, HS_MAP_RULES), 0, ~0ULL, &a, &na), 0);
	assert_int_equal(hs_harvest(hs_instance_map_fd(&g.ref, HS_MAP_EVIDENCE), NULL,
				    hs_instance_map_fd(&g.ref, HS_MAP_RULES), 0, ~0ULL, &b, &nb), 0);
	na = merged(a, na);
	nb = merged(b, nb);
	assert_same(a, na, b, nb);
	return nb;
}

static size_t map_entries(struct hs_instance *in)
{
	return hs_evidence_count(hs_instance_map_fd(in, HS_MAP_EVIDENCE));
}

static size_t table_used(__u64 hour)
{
	size_t n = 0;

	for (int i = 0; i < g.tables.n; i++)
		if (g.tables.t[i].key.hour == hour)
			n += hs_table_used(&g.tables.t[i]);
	return n;
}

static struct haystack_stats stats(struct hs_instance *in)
{
	struct haystack_stats st;

	assert_int_equal(hs_read_stats(hs_instance_map_fd(in, HS_MAP_STATS), &st), 0);
	return st;
}

/* IPv4 subscribers in an hour with a table: all of it there, none in the
 * evidence map; the same evidence as without tables. */
static void test_table_holds_the_hour(void **state)
{
	size_t entries;

	follow(HOUR10, HOUR10);
	assert_int_equal(g.tables.n, 1);	/* A alone is in force all the hour */
	assert_int_equal(g.tables.t[0].buckets, HS_TABLE_FIRST_BUCKETS);
	feed(HOUR10 + 5, 0, 300);
	feed(HOUR10 + 1800, 100, 300);		/* 100 of them again, 200 new */
	entries = assert_same_harvest();
	assert_int_equal(entries, 400 * N_SERVICES);
	assert_int_equal(map_entries(&g.tb), 0);
	assert_int_equal(table_used(HOUR10), map_entries(&g.ref));
	assert_int_equal(stats(&g.tb).matched, stats(&g.ref).matched);
	assert_int_equal(stats(&g.tb).evidence_table_full, 0);
}

/* Where no table is: an hour without one, and IPv6 subscribers, go to the
 * evidence map. */
static void test_map_holds_the_rest(void **state)
{
	follow(HOUR10, HOUR10);
	feed(HOUR11 + 5, 0, 60);	/* no table for 11:00 */
	feed_v6(HOUR10 + 5, 20);
	feed(HOUR10 + 5, 0, 60);
	assert_same_harvest();
	assert_int_equal(map_entries(&g.tb), 60 * N_SERVICES + 20);
	assert_int_equal(table_used(HOUR10), 60 * N_SERVICES);
}

/* More pairs than a table has ways: what has no room near its key is
 * counted in the evidence map, and the next hour's table is larger. */
static void test_full_table_spills(void **state)
{
	const int subs = 3000;	/* x 4 services: 12,000 pairs in 8,192 ways */
	struct haystack_stats st;

	follow(HOUR10, HOUR10);
	feed(HOUR10 + 5, 0, subs);
	st = stats(&g.tb);
	assert_true(st.evidence_table_full > 0);
	assert_int_equal(st.evidence_full, 0);
	assert_same_harvest();
	assert_int_equal(table_used(HOUR10) + map_entries(&g.tb), (size_t)subs * N_SERVICES);
	assert_true(table_used(HOUR10) > (size_t)HAYSTACK_TABLE_WAYS * HS_TABLE_FIRST_BUCKETS / 2);
	follow(HOUR11, HOUR11);
	assert_int_equal(g.tables.n, 2);
	assert_true(g.tables.t[1].buckets >= 2 * g.tables.t[0].buckets);
	feed(HOUR11 + 5, 0, subs);
	assert_same_harvest();
	assert_int_equal(table_used(HOUR11), (size_t)subs * N_SERVICES);
}

/* Sized for its pairs (four fifths of its ways): two choices of bucket
 * leave next to nothing to the map (one bucket and the next would spill
 * some 2.5 %, include/haystack.h). */
static void test_four_fifths_full(void **state)
{
	const int subs = 1625;		/* x 4 services: 6,500 pairs */
	struct haystack_stats st;

	assert_int_equal(hs_tables_create(&g.tables, HOUR10, g.setup.set.v[0].generation,
					  (size_t)subs * N_SERVICES), 0);
	assert_true((size_t)HAYSTACK_TABLE_WAYS * g.tables.t[0].buckets <= (size_t)subs * N_SERVICES * 5 / 4 + 8);
	feed(HOUR10 + 5, 0, subs);
	st = stats(&g.tb);
	assert_true(st.evidence_table_full * 100 < (__u64)subs * N_SERVICES / 10);	/* < 0.1 % */
	assert_same_harvest();
	assert_int_equal(table_used(HOUR10) + map_entries(&g.tb), (size_t)subs * N_SERVICES);
}

/* A table larger than the agent maps at once (agent/kern/tables.c, scan):
 * every window read, the entries past the first as well as those in it. */
static void test_large_table_read_in_windows(void **state)
{
	assert_int_equal(hs_tables_create(&g.tables, HOUR10, g.setup.set.v[0].generation, 600000),
			 0);
	assert_true(g.tables.t[0].buckets > 65536);
	feed(HOUR10 + 5, 0, 1000);
	assert_same_harvest();
	assert_int_equal(table_used(HOUR10), 1000 * N_SERVICES);
	assert_int_equal(map_entries(&g.tb), 0);
	assert_int_equal(hs_tables_create(&g.tables, HOUR10, g.setup.set.v[0].generation, 10),
			 -EEXIST);
}

/* Two CPUs counting the same records into one table at once: every count
 * added (a new key may be claimed in both its buckets at once: the
 * harvest adds them up). */
struct cpu_run {
	int cpu, prog_fd, repeat;
	const struct pkt *p;
	int err;
};

static void *run_on_cpu(void *arg)
{
	struct cpu_run *r = arg;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = r->p->buf, .data_size_in = r->p->len,
		    .repeat = 1);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	r->err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	for (int i = 0; !r->err && i < r->repeat; i++)
		r->err = bpf_prog_test_run_opts(r->prog_fd, &opts) ? -errno : 0;
	return NULL;
}

static void test_two_cpus(void **state)
{
	static struct pkt p;
	struct cpu_run run[2];
	pthread_t th[2];
	struct hs_evidence *ev = NULL;
	size_t n;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip();
	follow(HOUR10, HOUR10);
	v5_datagram(&p, HOUR10 + 5, 0, 30, 0);	/* 30 subscribers, 1..30 packets */
	for (int i = 0; i < 2; i++) {
		run[i] = (struct cpu_run){ .cpu = i, .prog_fd = hs_instance_prog_fd(&g.tb),
					   .repeat = 2000, .p = &p };
		assert_int_equal(pthread_create(&th[i], NULL, run_on_cpu, &run[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(run[i].err, 0);
	}
	assert_true(table_used(HOUR10) >= 30 && table_used(HOUR10) <= 60);
	assert_int_equal(map_entries(&g.tb), 0);
	assert_int_equal(hs_harvest(hs_instance_map_fd(&g.tb, HS_MAP_EVIDENCE), &g.tables,
				    hs_instance_map_fd(&g.tb, HS_MAP_RULES), 0, ~0ULL, &ev, &n), 0);
	{
		__u64 sum[30] = { 0 };

		for (size_t i = 0; i < n; i++) {
			unsigned int sub = ev[i].subscriber[14] << 8 | ev[i].subscriber[15];

			assert_true(sub < 30);
			sum[sub] += ev[i].packets;
		}
		for (unsigned int sub = 0; sub < 30; sub++)
			assert_int_equal(sum[sub], 2 * 2000 * (sub + 1));
	}
	free(ev);
}

/* Pinned: the tables outlive their process, a run taking over finds them
 * with their counts, and expired ones leave the map and the pins. */
static void test_pinned_tables(void **state)
{
	const char *dir = pin_dir("tables");
	struct evidence_table_key k = { .hour = HOUR10 };
	char path[128];
	__u32 id;

	g.tables.pin_dir = dir;
	follow(HOUR10, HOUR11);
	assert_int_equal(g.tables.n, 2);
	feed(HOUR10 + 5, 0, 90);
	feed(HOUR11 + 5, 0, 30);
	hs_tables_close(&g.tables);
	/* what a run taking over does */
	g.tb.pin_dir = dir;
	assert_int_equal(hs_tables_open(&g.tables, &g.tb, HAYSTACK_MAX_EVIDENCE), 0);
	g.tb.pin_dir = NULL;
	assert_int_equal(g.tables.n, 2);
	assert_same_harvest();
	assert_int_equal(table_used(HOUR10), 90 * N_SERVICES);
	/* the 10:00 table expired: gone from the map and the pins */
	assert_int_equal(hs_tables_expire(&g.tables, HOUR11, 0, NULL, NULL), 0);
	assert_int_equal(g.tables.n, 1);
	k.generation = g.tables.t[0].key.generation;
	assert_int_not_equal(bpf_map_lookup_elem(hs_instance_map_fd(&g.tb, HS_MAP_TABLES), &k, &id), 0);
	k.hour = HOUR11;
	assert_int_equal(bpf_map_lookup_elem(hs_instance_map_fd(&g.tb, HS_MAP_TABLES), &k, &id), 0);
	assert_false(hs_tables_of_generation(&g.tables, k.generation + 100));
	assert_true(hs_tables_of_generation(&g.tables, k.generation));
	/* the unpinning of the instance takes the tables folder with it */
	assert_int_equal(hs_unpin_all(dir), 0);
	snprintf(path, sizeof(path), "%s/tables", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_not_equal(access(dir, F_OK), 0);
}

/*
 * Folding the hours (tables.h, hs_tables_fold): the day bin read from its
 * folds and what is left of its hours holds what the program without
 * tables counted for the day, hour for hour summed.
 */
#define DAY	(HOUR10 - HOUR10 % 86400)

/* The day's evidence of in (its tables when it is g.tb), every entry's
 * hour the day's start, merged. */
static size_t day_evidence(struct hs_instance *in, struct hs_evidence **ev,
			   struct hs_activity **act, size_t *n_act)
{
	size_t n;

	if (in == &g.tb) {
		assert_int_equal(hs_harvest_bin(hs_instance_map_fd(in, HS_MAP_EVIDENCE), &g.tables,
						hs_instance_map_fd(in, HS_MAP_RULES), 86400, DAY,
						ev, &n, act, n_act), 0);
	} else {
		assert_int_equal(hs_harvest(hs_instance_map_fd(in, HS_MAP_EVIDENCE), NULL,
					    hs_instance_map_fd(in, HS_MAP_RULES), DAY, DAY + 86400,
					    ev, &n), 0);
		*act = NULL;
		*n_act = 0;
	}
	for (size_t i = 0; i < n; i++) {
		(*ev)[i].hour = DAY;
		(*ev)[i].folded = false;
	}
	return merged(*ev, n);
}

static void assert_same_day(void)
{
	struct hs_evidence *a, *b;
	struct hs_activity *act;
	size_t na, nb, n_act;

	na = day_evidence(&g.tb, &a, &act, &n_act);
	free(act);
	nb = day_evidence(&g.ref, &b, &act, &n_act);
	assert_int_equal(stats(&g.ref).evidence_full, 0);	/* the reference whole */
	assert_same(a, na, b, nb);
}

/* Subscribers base.. base + n - 1 active for class 0 of generation g. */
static struct hs_activity *active(int base, int n, __u32 g_)
{
	struct hs_activity *a = calloc(n, sizeof(*a));

	for (int i = 0; i < n; i++) {
		a[i].subscriber[10] = a[i].subscriber[11] = 0xff;
		a[i].subscriber[12] = 100;
		a[i].subscriber[13] = 64;
		a[i].subscriber[14] = (__u8)((base + i) >> 8);
		a[i].subscriber[15] = (__u8)(base + i);
		a[i].generation = g_;
	}
	return a;
}

static bool folded_gone(const struct hs_table *tb, void *ctx)
{
	return hs_tables_folded(&g.tables, 86400, tb->key.hour, tb->key.generation);
}

static struct evidence_bucket fold_head(int i)
{
	struct evidence_bucket h;
	__u32 zero = 0;

	assert_int_equal(bpf_map_lookup_elem(g.tables.folds[i].fd, &zero, &h), 0);
	return h;
}

/* Two hours folded, the tables let go: the day as without tables, the
 * active classes read back, and what comes for a folded hour later (late)
 * counted in the map, where the day reads it. */
static void test_fold_hours(void **state)
{
	__u32 gen = g.setup.set.v[0].generation;
	struct hs_activity *act = active(0, 40, gen), *back;
	struct hs_evidence *ev;
	size_t n_back;

	follow(HOUR10, HOUR11);
	feed(HOUR10 + 5, 0, 300);
	feed_v6(HOUR10 + 5, 20);		/* the map's, never folded */
	feed(HOUR11 + 5, 100, 300);
	assert_int_equal(hs_tables_fold(&g.tables, 86400, HOUR10, act, 40), 0);
	assert_int_equal(g.tables.n_folds, 1);
	assert_true(hs_tables_folded(&g.tables, 86400, HOUR10, gen));
	assert_false(hs_tables_folded(&g.tables, 86400, HOUR11, gen));
	assert_same_day();			/* 10:00's table read in its fold alone */
	/* again: nothing more */
	assert_int_equal(hs_tables_fold(&g.tables, 86400, HOUR10, act, 40), 0);
	assert_same_day();
	feed(HOUR10 + 1000, 0, 30);		/* late: its table is out of the program's reach */
	assert_int_equal(map_entries(&g.tb), 30 * N_SERVICES + 20);
	assert_int_equal(hs_tables_fold(&g.tables, 86400, HOUR11, NULL, 0), 0);
	assert_int_equal(hs_tables_expire_if(&g.tables, folded_gone, NULL, 0, NULL, NULL), 0);
	assert_int_equal(g.tables.n, 0);
	assert_same_day();
	assert_int_equal(fold_head(0).key[TABLE_HEADER_FOLDED_UNTIL], HOUR11 + 3600);
	assert_int_equal(fold_head(0).key[TABLE_HEADER_FOLDING], 0);
	/* the classes active, as given */
	day_evidence(&g.tb, &ev, &back, &n_back);
	free(ev);
	assert_int_equal(n_back, 40);
	for (size_t i = 0; i < n_back; i++) {
		assert_int_equal(back[i].generation, gen);
		assert_int_equal(back[i].class_id, 0);
		assert_int_equal(back[i].bin_start, DAY);
		assert_memory_equal(back[i].subscriber, act[0].subscriber, 14);
	}
	free(back);
	free(act);
}

/* A fold too small for the next hour's new pairs grows (a copy in its
 * place, under its name), with nothing lost. */
static void test_fold_grows(void **state)
{
	const char *dir = pin_dir("folds");
	char path[256];
	__u32 before;

	g.tables.pin_dir = dir;
	assert_int_equal(hs_tables_create(&g.tables, HOUR10, g.setup.set.v[0].generation, 400), 0);
	assert_int_equal(hs_tables_create(&g.tables, HOUR11, g.setup.set.v[0].generation, 8000), 0);
	feed(HOUR10 + 5, 0, 100);
	feed(HOUR11 + 5, 1000, 1500);		/* 6,000 new pairs */
	assert_int_equal(hs_tables_fold(&g.tables, 86400, HOUR10, NULL, 0), 0);
	before = g.tables.folds[0].buckets;
	assert_int_equal(hs_tables_fold(&g.tables, 86400, HOUR11, NULL, 0), 0);
	assert_true(g.tables.folds[0].buckets > before);
	assert_same_day();
	/* the pin is the grown one, and no copy is left beside it */
	hs_tables_close(&g.tables);
	g.tb.pin_dir = dir;
	assert_int_equal(hs_tables_open(&g.tables, &g.tb, HAYSTACK_MAX_EVIDENCE), 0);
	g.tb.pin_dir = NULL;
	assert_int_equal(g.tables.n_folds, 1);
	assert_true(g.tables.folds[0].buckets > before);
	assert_same_day();
	snprintf(path, sizeof(path), "%s/folds", dir);
	assert_int_equal(hs_unpin_all(dir), 0);
	assert_int_not_equal(access(path, F_OK), 0);
}

/* A fold killed part way (kill -9 at some point of it) goes on from where
 * it stopped when the hour is folded again: nothing added twice or lost.
 * The child is killed once the fold's header says it is past a share of
 * the hour's ways (a tenth, then more), read through a mapping here. */
static void test_fold_killed(void **state)
{
	/* every hour's pairs within the reference's evidence map (HAYSTACK_MAX_EVIDENCE) */
	const int subs = 40000, rounds = 4;
	const __u64 first = HOUR10 - (rounds + 1) * 3600;	/* A in force all the while */
	__u32 gen = g.setup.set.v[0].generation;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const volatile __u64 *head;
	int stopped = 0;

	/* the first fold made here for all the pairs to come (in the child,
	 * a fold made or grown would be a table this process does not hold) */
	assert_int_equal(hs_tables_create(&g.tables, first, gen, (size_t)subs * N_SERVICES), 0);
	feed(first + 5, 0, subs);
	assert_int_equal(hs_tables_fold(&g.tables, 86400, first, NULL, 0), 0);
	head = mmap(NULL, page, PROT_READ, MAP_SHARED, g.tables.folds[0].fd, 0);
	assert_true(head != MAP_FAILED);
	for (int k = 1; k <= rounds; k++) {
		__u64 hour = first + k * 3600, target;
		int status;
		pid_t pid;

		assert_int_equal(hs_tables_create(&g.tables, hour, gen, (size_t)subs * N_SERVICES), 0);
		feed(hour + 5, 0, subs);
		assert_true(table_used(hour) > (size_t)subs * N_SERVICES / 1000 * 999);
		target = (__u64)HAYSTACK_TABLE_WAYS * g.tables.t[k].buckets * (2 * k - 1) / (2 * rounds);
		pid = fork();
		assert_true(pid >= 0);
		if (!pid)
			_exit(hs_tables_fold(&g.tables, 86400, hour, NULL, 0) ? 1 : 0);
		while (!(head[TABLE_HEADER_FOLDING] == hour &&
			 head[TABLE_HEADER_FOLD_STEP] >> 32 >= target) &&
		       !waitpid(pid, &status, WNOHANG))
			;
		if (!kill(pid, SIGKILL))
			waitpid(pid, &status, 0);
		stopped += WIFSIGNALED(status) && head[TABLE_HEADER_FOLDING] == hour;
		assert_int_equal(hs_tables_fold(&g.tables, 86400, hour, NULL, 0), 0);
		assert_int_equal(head[TABLE_HEADER_FOLDING], 0);
		assert_same_day();
	}
	munmap((void *)head, page);
	print_message("%d of %d folds stopped part way\n", stopped, rounds);
	assert_true(stopped > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table_holds_the_hour, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_holds_the_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_table_spills, setup, teardown),
		cmocka_unit_test_setup_teardown(test_four_fifths_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_table_read_in_windows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pinned_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fold_hours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fold_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fold_killed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
