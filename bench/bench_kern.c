// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of `make bench`: the real haystack program, loaded as
 * replay loads it, fed many distinct export datagrams through
 * BPF_PROG_TEST_RUN, each run once (repeat 1: never one warm packet run
 * again), and the kernel's own time of each run summed. Beside it, in the
 * same process, the baselines: an empty XDP program on the same datagrams,
 * and haystack parsing only (a subscriber prefix no record is in). Also the
 * time and memory of loading each dictionary, and the slab memory of
 * evidence entries.
 *
 *	bench_kern EMPTY_OBJ OUT_JSON
 *	bench_kern capture DIR ENDPOINTS RECORDS	(see capture())
 *
 * Sizes from the environment: BENCH_RECORDS (records a pass, default
 * 1,000,000), BENCH_PASSES (5; the median is kept), BENCH_ENDPOINTS
 * ("1000,10000,100000,1000000"), BENCH_SUBSCRIBERS (IPv4 /22 blocks,
 * 5000); BENCH_LOAD_ONLY=1: the dictionary loads alone, no passes and no
 * evidence. Output: a table on stdout, one JSON object (keys in
 * docs/benchmarks.md) into OUT_JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
/* libpcap would bring its own classic-BPF struct bpf_insn, clashing with libbpf. */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>
#include "../tests/lib/packet.h"
#include "kern/harvest.h"
#include "kern/instance.h"
#include "kern/stats.h"
#include "kern/tables.h"
#include "lib/log.h"
#include "runtime/runtime.h"
#include "output/report.h"
#include "runtime/setup.h"
#include "world.h"

#define PER_DATAGRAM	30
#define EXPORT_TIME	1573812007U	/* 2019-11-15T10:00:07Z */
#define PORT		2055
#define HIT_PERMILLE	20
#define V6_PERMILLE	100		/* of v9 and IPFIX records */

enum format { F_V5, F_V9, F_IPFIX, F_COUNT };
static const char *const format_name[F_COUNT] = { "v5", "v9", "ipfix" };

/* softflowd's layouts (v9: uptimes; IPFIX: 8-octet counters, seconds) */
static const struct pkt_ie v9_4[] = {
	{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 1 },
	{ 2, 4 }, { 1, 4 }, { 22, 4 }, { 21, 4 },
};
static const struct pkt_ie v9_6[] = {
	{ 27, 16 }, { 28, 16 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 1 },
	{ 2, 4 }, { 1, 4 }, { 22, 4 }, { 21, 4 },
};
static const struct pkt_ie ipfix_4[] = {
	{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 1 },
	{ 2, 8 }, { 1, 8 }, { 150, 4 }, { 151, 4 },
};
static const struct pkt_ie ipfix_6[] = {
	{ 27, 16 }, { 28, 16 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 1 },
	{ 2, 8 }, { 1, 8 }, { 150, 4 }, { 151, 4 },
};
#define N_IES 10

struct frames {
	uint8_t *buf;		/* frames back to back */
	size_t *off, *len;
	size_t n, used, cap;
	size_t records;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_kern: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void frames_add(struct frames *f, const struct pkt *p)
{
	if (f->used + p->len > f->cap) {
		f->cap = (f->cap + p->len) * 2;
		f->buf = realloc(f->buf, f->cap);
	}
	if (!(f->n & 1023)) {
		f->off = realloc(f->off, (f->n + 1024) * sizeof(*f->off));
		f->len = realloc(f->len, (f->n + 1024) * sizeof(*f->len));
	}
	if (!f->buf || !f->off || !f->len)
		die("frames", ENOMEM);
	memcpy(f->buf + f->used, p->buf, p->len);
	f->off[f->n] = f->used;
	f->len[f->n++] = p->len;
	f->used += p->len;
}

static void frame_begin(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p);
	pkt_ipv4(p, "192.0.2.1", "192.0.2.2", IPPROTO_UDP);
	pkt_udp(p, 40000, PORT);
}

static void v5rec_of(const struct world_record *r, struct v5rec *v, char *s, char *d)
{
	*v = (struct v5rec){ .src = world_ntop(&r->src, r->v6, s, INET6_ADDRSTRLEN),
			     .dst = world_ntop(&r->dst, r->v6, d, INET6_ADDRSTRLEN),
			     .sport = r->sport, .dport = r->dport, .proto = r->proto,
			     .tcp_flags = r->proto == 6 ? 0x18 : 0, .packets = 3, .bytes = 420 };
}

/* The world's records as datagrams of one format, 30 records each (of one
 * family in v9 and IPFIX: IPv4 and IPv6 have templates of their own). The
 * templates come first, in a datagram of their own. */
static void make_frames(const struct world *w, enum format fmt, struct frames *f)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	const struct pkt_ie *t4 = fmt == F_V9 ? v9_4 : ipfix_4, *t6 = fmt == F_V9 ? v9_6 : ipfix_6;
	static struct pkt p;
	size_t idx[2][PER_DATAGRAM], n[2] = { 0, 0 };
	uint32_t seq = 0;

	/* as many records as an exporter puts in a 1500-octet IP datagram,
	 * 30 at most (softflowd's v9/IPFIX fill), so the live benchmark's
	 * frames pass a veth of the default MTU */
	size_t limit[2];

	for (int k = 0; k < 2; k++) {
		size_t rec = 0;

		for (int i = 0; i < N_IES; i++)
			rec += (k ? t6 : t4)[i].len;
		limit[k] = fmt == F_V5 ? PER_DATAGRAM : (1500 - 20 - 8 - 20 - 4) / rec;
		if (limit[k] > PER_DATAGRAM)
			limit[k] = PER_DATAGRAM;
	}
	memset(f, 0, sizeof(*f));
	if (fmt != F_V5) {
		frame_begin(&p);
		if (fmt == F_V9)
			pkt_v9_header(&p, 2, EXPORT_TIME, 1);
		else
			pkt_ipfix_header(&p, EXPORT_TIME, 1);
		pkt_set_begin(&p, pkt_template_set(&p));
		pkt_template(&p, 256, t4, N_IES);
		pkt_template(&p, 257, t6, N_IES);
		pkt_set_end(&p);
		pkt_finish(&p);
		frames_add(f, &p);
	}
	for (size_t i = 0; i <= w->n_records; i++) {
		const struct world_record *r = i < w->n_records ? &w->records[i] : NULL;
		int fam = r && r->v6;
		struct v5rec v;

		if (fmt == F_V5 && r && r->v6)
			continue;
		if (r)
			idx[fam][n[fam]++] = i;
		for (int k = 0; k < 2; k++) {
			if (!n[k] || (n[k] < limit[k] && r))
				continue;
			frame_begin(&p);
			if (fmt == F_V5) {
				pkt_v5_header(&p, (uint16_t)n[k], EXPORT_TIME, seq);
			} else {
				if (fmt == F_V9)
					pkt_v9_header(&p, (uint16_t)n[k], EXPORT_TIME, 1);
				else
					pkt_ipfix_header(&p, EXPORT_TIME, 1);
				pkt_set_begin(&p, k ? 257 : 256);
			}
			for (size_t j = 0; j < n[k]; j++) {
				v5rec_of(&w->records[idx[k][j]], &v, s, d);
				if (fmt == F_V5)
					pkt_v5_record(&p, &v);
				else
					pkt_flow_record(&p, k ? t6 : t4, N_IES, &v);
			}
			if (fmt != F_V5)
				pkt_set_end(&p);
			pkt_finish(&p);
			frames_add(f, &p);
			f->records += n[k];
			seq += (uint32_t)n[k];
			n[k] = 0;
		}
	}
}

/* One pass: every frame run once; the kernel's time of all runs, ns. */
static unsigned long long run_pass(int prog_fd, const struct frames *f)
{
	unsigned long long sum = 0;

	for (size_t i = 0; i < f->n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->buf + f->off[i],
			    .data_size_in = (__u32)f->len[i], .repeat = 1);

		if (bpf_prog_test_run_opts(prog_fd, &o))
			die("BPF_PROG_TEST_RUN", errno);
		sum += o.duration;
	}
	return sum;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static int passes = 5;

/* The median of the passes of one program: ns per record (per frame with
 * per_frame). */
static double median(unsigned long long *t, const struct frames *f, bool per_frame)
{
	qsort(t, (size_t)passes, sizeof(t[0]), cmp_ull);
	return (double)t[passes / 2] / (double)(per_frame ? f->n : f->records);
}

/* The passes of the empty program, parse-only and haystack on the same
 * frames, taken in turns: a burst of noise on this shared machine falls on
 * all three alike instead of on one of them. */
static void measure(int empty_fd, int parse_fd, int haystack_fd, const struct frames *f,
		    double *empty, double *parse, double *haystack)
{
	unsigned long long te[32], tp[32], th[32];

	for (int i = 0; i < passes; i++) {
		te[i] = run_pass(empty_fd, f);
		tp[i] = run_pass(parse_fd, f);
		th[i] = run_pass(haystack_fd, f);
	}
	*empty = median(te, f, true);
	*parse = median(tp, f, false);
	*haystack = median(th, f, false);
}

static double clock_s(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* Kernel slab memory, bytes (/proc/meminfo Slab). */
static long long slab_bytes(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024;
}

static long long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long long pages = 0, rss = 0;

	if (f && fscanf(f, "%lld %lld", &pages, &rss) != 2)
		rss = 0;
	if (f)
		fclose(f);
	return rss * sysconf(_SC_PAGESIZE);
}

struct loaded {
	struct hs_instance in;
	struct hs_setup s;
	struct hs_tables tables;
	double load_s;
	/* its phases: reading and compiling the dictionary (and the
	 * subscribers), the program and its maps, the maps written */
	double read_s, open_s, write_s;
	/* CPU time of all threads in each: on a busy machine, what the wall
	 * times of two threads on two cores cannot show */
	double read_cpu, open_cpu, write_cpu;
	long long rss, slab;	/* what the load added */
};

/* haystack as replay loads it, with the dictionary and subscribers given. */
static void load(struct loaded *l, const char *dict, const char *subs, size_t n_endpoints,
		 size_t n_evidence)
{
	const char *dicts[1] = { dict };
	struct hs_options o = {
		.dicts = { dicts, 1 }, .subscribers_path = subs,
		.bins = { 3600, 86400 }, .n_bins = 2, .ports = { PORT }, .grace = 300,
		.sizes = { .evidence = n_evidence > HAYSTACK_MAX_EVIDENCE / 2 ?
					2 * (__u32)n_evidence : HAYSTACK_MAX_EVIDENCE,
			   .endpoints = n_endpoints > HAYSTACK_MAX_ENDPOINTS / 2 ?
					2 * (__u32)n_endpoints : HAYSTACK_MAX_ENDPOINTS,
			   /* a domain's prefixes share its rule set: one a domain */
			   .rulesets = n_endpoints > HAYSTACK_MAX_RULESETS ?
				       (__u32)n_endpoints : HAYSTACK_MAX_RULESETS,
			   .subscribers = HAYSTACK_MAX_SUBSCRIBER_PREFIXES,
			   .templates = HAYSTACK_MAX_TEMPLATES,
			   .exporter_clocks = HAYSTACK_MAX_EXPORTER_CLOCKS },
	};
	long long rss0 = rss_bytes(), slab0 = slab_bytes();
	double t0 = now_s(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t1, t2, c1, c2;
	int err;

	memset(l, 0, sizeof(*l));
	err = hs_setup_load(&o, &l->s);
	t1 = now_s();
	c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	if (!err)
		err = hs_instance_open(&l->in, NULL, &o.sizes);
	if (!err)
		err = hs_instance_load(&l->in);
	t2 = now_s();
	c2 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	if (!err)
		err = hs_setup_apply(&l->s, &l->in);
	if (err)
		die("loading haystack", err);
	l->load_s = now_s() - t0;
	l->read_s = t1 - t0;
	l->open_s = t2 - t1;
	l->write_s = t0 + l->load_s - t2;
	l->read_cpu = c1 - c0;
	l->open_cpu = c2 - c1;
	l->write_cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c2;
	l->rss = rss_bytes() - rss0;
	l->slab = slab_bytes() - slab0;
}

/* The hour table of the records' hour, as run makes it once hours of this
 * many (subscriber, domain) pairs were counted. */
static void with_table(struct loaded *l, size_t pairs)
{
	int err = hs_tables_open(&l->tables, &l->in, 2 * pairs);

	if (!err)
		err = hs_tables_create(&l->tables, EXPORT_TIME - EXPORT_TIME % 3600,
				       l->s.set.v[0].generation, pairs);
	if (err)
		die("making the hour table", err);
}

static void unload(struct loaded *l)
{
	hs_tables_close(&l->tables);
	hs_instance_close(&l->in, false);
	hs_setup_free(&l->s);
}

static size_t evidence_entries(struct loaded *l)
{
	int fd = hs_instance_map_fd(&l->in, HS_MAP_EVIDENCE);
	struct evidence_key k, nk;
	size_t n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &nk)) {
		k = nk;
		prev = &k;
		n++;
	}
	return n;
}

/*
 * Evidence: a world whose records all hit, n of them, at 100k endpoints,
 * so the evidence map holds about n (subscriber, domain) entries of one
 * hour. The slab memory they add, per entry; then the harvest of that hour
 * (hs_harvest) and its evaluation and report with detection lines
 * (hs_report_bins into /dev/null), timed as the agent does them.
 */
/* Every entry of the evidence map read and deleted, thousands a syscall. */
static void lookup_and_delete_all(int fd)
{
	enum { BATCH = 4096 };
	static struct evidence_key keys[BATCH];
	static struct evidence_value values[BATCH];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct evidence_key batch;
	void *in = NULL;

	for (;;) {
		__u32 count = BATCH;
		int err = bpf_map_lookup_and_delete_batch(fd, in, &batch, keys, values, &count,
							  &opts);

		if (err && errno != ENOENT)
			die("BPF_MAP_LOOKUP_AND_DELETE_BATCH", errno);
		if (err)
			return;
		in = &batch;
	}
}

/* The hour's evidence harvested (with tables: the map's and theirs), then
 * evaluated and reported with detection lines into /dev/null, as run does
 * when the hour closes; each step's wall time. Returns the entries. */
static size_t harvest_and_report(struct loaded *l, const struct hs_tables *tables,
				 double *t_harvest, double *t_report)
{
	struct hs_report rep = { .detail = true, .dicts = &l->s.set };
	struct hs_evidence *ev = NULL;
	double t0 = now_s();
	size_t n_ev = 0;
	int err;

	err = hs_harvest(hs_instance_map_fd(&l->in, HS_MAP_EVIDENCE), tables,
			 hs_instance_map_fd(&l->in, HS_MAP_RULES), 0, ~0ULL, &ev, &n_ev);
	if (err)
		die("harvest", err);
	*t_harvest = now_s() - t0;
	rep.out = fopen("/dev/null", "w");
	t0 = now_s();
	err = hs_report_bins(&rep, ev, n_ev, NULL, 0, 3600, EXPORT_TIME - EXPORT_TIME % 3600,
			     EXPORT_TIME - EXPORT_TIME % 3600);
	if (err)
		die("report", err);
	*t_report = now_s() - t0;
	fclose(rep.out);
	free(ev);
	return n_ev;
}

/*
 * The same records into an hour table sized for the pairs the map held (as
 * run sizes it from the hour before): its kernel memory a pair (the
 * table's whole size over the ways in use), what went to the map beside it
 * (the IPv6 subscribers), and the harvest, report and expiry of the hour.
 */
static void bench_table(const struct frames *fr, size_t pairs, const char *dict,
			const char *subs, FILE *js)
{
	size_t used, in_map, bytes, n_ev;
	double t0, t_harvest, t_report, t_expire;
	struct loaded l;
	int err;

	load(&l, dict, subs, 100000, pairs);
	with_table(&l, pairs);
	run_pass(hs_instance_prog_fd(&l.in), fr);
	used = hs_table_used(&l.tables.t[0]);
	in_map = evidence_entries(&l);
	bytes = hs_tables_bytes(&l.tables);
	n_ev = harvest_and_report(&l, &l.tables, &t_harvest, &t_report);
	t0 = now_s();
	err = hs_evidence_expire(hs_instance_map_fd(&l.in, HS_MAP_EVIDENCE), ~0ULL, NULL) ?:
	      hs_tables_expire(&l.tables, ~0ULL, 0, NULL, NULL);
	if (err)
		die("expire", err);
	t_expire = now_s() - t0;
	printf("hour table: %zu entries (and %zu IPv6 ones in the map): %zu bytes, %.1f B each; harvest %.2f s (%.2f us each), evaluate and report %.2f s (%.2f us each), delete %.3f s\n",
	       used, in_map, bytes, (double)bytes / (double)used, t_harvest,
	       t_harvest * 1e6 / (double)n_ev, t_report, t_report * 1e6 / (double)n_ev, t_expire);
	fprintf(js, ",\"table_entries\":%zu,\"table_map_entries\":%zu,\"table_bytes\":%zu,\"table_bytes_per_entry\":%.1f,\"table_harvest_s\":%.3f,\"table_report_s\":%.3f,\"table_delete_s\":%.3f",
		used, in_map, bytes, (double)bytes / (double)used, t_harvest, t_report, t_expire);
	unload(&l);
}

static void bench_evidence(size_t n, size_t n_subs, const char *dict, const char *subs,
			   FILE *js)
{
	struct frames fr;
	struct world w;
	struct loaded l;
	size_t entries;
	long long slab0, slab1;
	double t0, t_harvest, t_report, t_expire, t_lad, t_drop;
	int err = world_make(&w, &(struct world_params){ n_subs, 100000, n, 1000, V6_PERMILLE, 7 });

	if (!err)
		err = world_write(&w, dict, subs);
	if (err)
		die("making the evidence world", err);
	make_frames(&w, F_IPFIX, &fr);
	load(&l, dict, subs, 100000, n);
	slab0 = slab_bytes();
	run_pass(hs_instance_prog_fd(&l.in), &fr);
	entries = evidence_entries(&l);
	{
		long long added = slab_bytes() - slab0;

		harvest_and_report(&l, NULL, &t_harvest, &t_report);
		t0 = now_s();
		err = hs_evidence_expire(hs_instance_map_fd(&l.in, HS_MAP_EVIDENCE), ~0ULL, NULL);
		if (err)
			die("expire", err);
		t_expire = now_s() - t0;
		/* The two other ways out of a bin: read and delete in one
		 * walk, and the whole map let go (a map a bin, swapped out). */
		run_pass(hs_instance_prog_fd(&l.in), &fr);
		t0 = now_s();
		lookup_and_delete_all(hs_instance_map_fd(&l.in, HS_MAP_EVIDENCE));
		t_lad = now_s() - t0;
		run_pass(hs_instance_prog_fd(&l.in), &fr);
		slab1 = slab_bytes();
		t0 = now_s();
		unload(&l);
		/* freed in the background (RCU, then a work queue): until
		 * nine tenths of the evidence's slab came back, 60 s at most */
		while (slab1 - slab_bytes() < added * 9 / 10 && now_s() - t0 < 60)
			usleep(10000);
		t_drop = now_s() - t0;
		printf("\nevidence: %zu entries from %zu records: %.0f B of slab each; harvest %.2f s (%.2f us each), evaluate and report %.2f s (%.2f us each), delete %.2f s (%.2f us each)\n",
		       entries, fr.records, (double)added / (double)entries, t_harvest,
		       t_harvest * 1e6 / (double)entries, t_report, t_report * 1e6 / (double)entries,
		       t_expire, t_expire * 1e6 / (double)entries);
		printf("evidence: read and deleted in one walk (BPF_MAP_LOOKUP_AND_DELETE_BATCH) %.2f s (%.2f us each); the map let go, its slab back in %.2f s\n",
		       t_lad, t_lad * 1e6 / (double)entries, t_drop);
		fprintf(js, ",\"evidence\":{\"entries\":%zu,\"slab_bytes_per_entry\":%.1f,\"harvest_s\":%.3f,\"report_s\":%.3f,\"delete_s\":%.3f,\"lookup_and_delete_s\":%.3f,\"drop_s\":%.3f",
			entries, (double)added / (double)entries, t_harvest, t_report, t_expire,
			t_lad, t_drop);
	}
	bench_table(&fr, entries, dict, subs, js);
	fprintf(js, "}");
	free(fr.buf);
	free(fr.off);
	free(fr.len);
	world_free(&w);
}

static int empty_prog(const char *path, struct bpf_object **obj)
{
	struct bpf_program *prog;

	*obj = bpf_object__open_file(path, NULL);
	if (!*obj || bpf_object__load(*obj))
		die(path, errno);
	prog = bpf_object__next_program(*obj, NULL);
	return bpf_program__fd(prog);
}

static void write_pcap(const struct frames *f, const char *path)
{
	pcap_t *pc = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pc ? pcap_dump_open(pc, path) : NULL;

	if (!d)
		die(path, EIO);
	for (size_t i = 0; i < f->n; i++) {
		struct pcap_pkthdr h = { .ts = { EXPORT_TIME, (suseconds_t)(i % 1000000) },
					 .caplen = (bpf_u_int32)f->len[i],
					 .len = (bpf_u_int32)f->len[i] };

		pcap_dump((u_char *)d, &h, f->buf + f->off[i]);
	}
	pcap_dump_close(d);
	pcap_close(pc);
}

/*
 * bench_kern capture DIR ENDPOINTS RECORDS: the world of the end-to-end
 * benchmark (bench/e2e.sh) on disk: DIR/dictionary.json,
 * DIR/subscribers.txt, and its records as export datagrams from 192.0.2.1
 * to 192.0.2.2:2055, Ethernet 02:00:00:00:00:01 to 02:00:00:00:00:02, in
 * DIR/v5.pcap and DIR/v9.pcap (the templates in the first datagram).
 */
static int capture(const char *dir, size_t n_endpoints, size_t n_records, size_t n_subs)
{
	char dict[512], subs[512], pcap[512];
	struct frames f;
	struct world w;
	int err = world_make(&w, &(struct world_params){ n_subs, n_endpoints, n_records,
							 HIT_PERMILLE, V6_PERMILLE, 1 });

	snprintf(dict, sizeof(dict), "%s/dictionary.json", dir);
	snprintf(subs, sizeof(subs), "%s/subscribers.txt", dir);
	if (!err)
		err = world_write(&w, dict, subs);
	if (err)
		die("making the world", err);
	for (int fmt = F_V5; fmt <= F_V9; fmt++) {
		make_frames(&w, fmt, &f);
		snprintf(pcap, sizeof(pcap), "%s/%s.pcap", dir, format_name[fmt]);
		write_pcap(&f, pcap);
		printf("%s: %zu datagrams, %zu records\n", pcap, f.n, f.records);
		free(f.buf);
		free(f.off);
		free(f.len);
	}
	world_free(&w);
	return 0;
}

static size_t env_size(const char *name, size_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 10) : def;
}

int main(int argc, char **argv)
{
	size_t sizes[8], n_sizes = 0, n_records = env_size("BENCH_RECORDS", 1000000);
	size_t n_subs = env_size("BENCH_SUBSCRIBERS", 5000);
	char dir[] = "/tmp/haystack-bench.XXXXXX", dict[64], subs[64], none[64];
	const char *list = getenv("BENCH_ENDPOINTS") ?: "1000,10000,100000,1000000";
	double empty[F_COUNT], parse[F_COUNT];
	struct bpf_object *eobj;
	struct frames fr[F_COUNT];
	struct world w;
	struct loaded l, first;
	char *load_json = NULL;
	size_t load_len = 0;
	FILE *js, *loads = open_memstream(&load_json, &load_len);
	bool load_only = env_size("BENCH_LOAD_ONLY", 0);
	int efd, err;

	if (argc == 5 && !strcmp(argv[1], "capture"))
		return capture(argv[2], strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10),
			       n_subs);
	if (argc != 3) {
		fprintf(stderr, "usage: bench_kern EMPTY_OBJ OUT_JSON\n"
				"       bench_kern capture DIR ENDPOINTS RECORDS\n");
		return 2;
	}
	passes = (int)env_size("BENCH_PASSES", 5);
	if (passes < 1 || passes > 31)
		passes = 5;
	for (const char *p = list; *p && n_sizes < 8; p += strcspn(p, ","), p += *p == ',')
		sizes[n_sizes++] = strtoull(p, NULL, 10);
	hs_log_set_level(HS_LOG_WARN);
	setrlimit(RLIMIT_MEMLOCK, &(struct rlimit){ RLIM_INFINITY, RLIM_INFINITY });
	if (!mkdtemp(dir))
		die("mkdtemp", errno);
	snprintf(dict, sizeof(dict), "%s/dictionary.json", dir);
	snprintf(subs, sizeof(subs), "%s/subscribers.txt", dir);
	snprintf(none, sizeof(none), "%s/none.txt", dir);
	js = fopen(argv[2], "w");
	if (!js)
		die(argv[2], errno);
	efd = empty_prog(argv[1], &eobj);

	printf("haystack kernel benchmark: %zu records a pass (%d passes, median), %u %% hit, %zu subscriber /22s; ns per record (empty: per datagram of %d)\n\n",
	       n_records, passes, HIT_PERMILLE / 10, n_subs, PER_DATAGRAM);
	printf("%-10s %9s %9s %9s %9s %9s %12s %10s %10s\n", "endpoints", "format", "empty", "parse",
	       "haystack", "x parse", "load (s)", "RSS (MB)", "slab (MB)");
	fprintf(js, "{\"records_per_pass\":%zu,\"passes\":%d,\"hit_permille\":%u,\"subscriber_blocks\":%zu,\"per_record\":[",
		n_records, passes, HIT_PERMILLE, n_subs);
	{
		FILE *f = fopen(none, "w");

		if (!f || fputs("192.0.2.0/24\n", f) < 0 || fclose(f))
			die(none, errno);
	}
	for (size_t k = 0; k < n_sizes; k++) {
		err = world_make(&w, &(struct world_params){ n_subs, sizes[k], n_records,
							     HIT_PERMILLE, V6_PERMILLE, 42 + k });
		if (!err)
			err = world_write(&w, dict, subs);
		if (err)
			die("making the world", err);
		for (int f = 0; f < F_COUNT && !load_only; f++)
			make_frames(&w, f, &fr[f]);
		/* The baselines with the same frames, in the same run. */
		/* The first load of this size: its time and memory are the
		 * load's figures (a second would reuse what the first freed). */
		load(&l, dict, none, sizes[k], 0);
		fprintf(loads, "%s{\"endpoints\":%zu,\"seconds\":%.3f,\"rss_bytes\":%lld,\"slab_bytes\":%lld}",
			k ? "," : "", sizes[k], l.load_s, l.rss, l.slab);
		fprintf(stderr, "  %zu endpoints: load %.2f s (read and compile %.2f, program and maps %.2f, map writes %.2f; CPU s %.2f, %.2f, %.2f), +%.1f MB RSS, +%.1f MB slab\n",
			sizes[k], l.load_s, l.read_s, l.open_s, l.write_s, l.read_cpu, l.open_cpu,
			l.write_cpu, l.rss / 1e6, l.slab / 1e6);
		if (load_only) {
			unload(&l);
			world_free(&w);
			continue;
		}
		first = l;
		load(&l, dict, subs, sizes[k], 0);
		if (env_size("BENCH_TABLES", 1))
			with_table(&l, n_records * HIT_PERMILLE / 1000);
		for (int f = 0; f < F_COUNT; f++) {
			double ns;

			measure(efd, hs_instance_prog_fd(&first.in), hs_instance_prog_fd(&l.in),
				&fr[f], &empty[f], &parse[f], &ns);
			printf("%-10zu %9s %9.0f %9.1f %9.1f %9.2f %12.2f %10.1f %10.1f\n", sizes[k],
			       format_name[f], empty[f], parse[f], ns, ns / parse[f], first.load_s,
			       first.rss / 1e6, first.slab / 1e6);
			fprintf(js, "%s{\"endpoints\":%zu,\"format\":\"%s\",\"records\":%zu,\"empty_ns_per_datagram\":%.1f,\"parse_ns_per_record\":%.1f,\"haystack_ns_per_record\":%.1f}",
				k || f ? "," : "", sizes[k], format_name[f], fr[f].records, empty[f],
				parse[f], ns);
		}
		fprintf(stderr, "  %zu endpoints: %zu evidence entries after the passes\n", sizes[k],
			evidence_entries(&l));
		unload(&l);
		unload(&first);
		for (int f = 0; f < F_COUNT; f++) {
			free(fr[f].buf);
			free(fr[f].off);
			free(fr[f].len);
		}
		world_free(&w);
	}
	if (fclose(loads))
		die("memory stream", errno);
	fprintf(js, "],\"load\":[%s]", load_json);
	if (!load_only)
		bench_evidence(env_size("BENCH_EVIDENCE", 1000000), n_subs, dict, subs, js);
	fprintf(js, "}\n");
	free(load_json);
	if (fclose(js))
		die(argv[2], errno);
	bpf_object__close(eobj);
	unlink(dict);
	unlink(subs);
	unlink(none);
	rmdir(dir);
	return 0;
}
