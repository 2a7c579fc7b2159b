// SPDX-License-Identifier: GPL-2.0
/*
 * `make bench-scale`: haystack at the scale of a national ISP. A world of
 * BENCH_SCALE_LINES subscriber lines (15,000,000) in blocks of /16 to /22,
 * BENCH_SCALE_IOT of them (3,000,000) with an IoT device talking to 1 to 10
 * domains of a dictionary of BENCH_SCALE_DOMAINS (640) domains, fed to the
 * real program through BPF_PROG_TEST_RUN for BENCH_SCALE_HOURS (3) hours of
 * export time; then the evidence those hours leave in the kernel, and the
 * agent's work on them: each hour bin harvested, evaluated, reported and
 * folded into the day's fold, the day bin reported from it, and the day's
 * evidence deleted.
 *
 *	bench_scale OUT_JSON
 *
 * Only the records that make evidence are all fed: BENCH_SCALE_RECORDS (3)
 * of every (line, domain) pair an hour. Of the misses, 98 % of an ISP's
 * records, a sample of BENCH_SCALE_MISSES (2,000,000) an hour is fed and its
 * cost measured; feeding them all would take hours and leave no evidence.
 * Keys of OUT_JSON in docs/benchmarks.md ("Paper scale"). The report lines
 * go to /dev/null, or to the file BENCH_SCALE_OUT names (to look at them).
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
#include "../tests/lib/packet.h"
#include "kern/harvest.h"
#include "kern/instance.h"
#include "kern/pins.h"
#include "kern/stats.h"
#include "kern/tables.h"
#include "lib/log.h"
#include "output/report.h"
#include "runtime/runtime.h"
#include "runtime/setup.h"
#include "world.h"

#define DAY_START	1573776000ULL	/* 2019-11-15T00:00:00Z, the dictionary's day */
#define FIRST_HOUR	10		/* hours fed from 10:00 on */
#define PORT		2055
#define PER_DATAGRAM	30
#define HIT_PERMILLE	20		/* of an ISP's records (the paper's 2 %) */

/* softflowd's IPFIX layout for IPv4, as make bench feeds it */
static const struct pkt_ie ipfix_4[] = {
	{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 1 },
	{ 2, 8 }, { 1, 8 }, { 150, 4 }, { 151, 4 },
};
#define N_IES	(sizeof(ipfix_4) / sizeof(ipfix_4[0]))

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_scale: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The number after "name:" in a file of such lines (/proc/meminfo, kB;
 * /proc/self/status, kB; a map's fdinfo, bytes); -1 if none. */
static long long proc_field(const char *path, const char *name)
{
	FILE *f = fopen(path, "r");
	size_t len = strlen(name);
	char line[256];
	long long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':') {
			v = strtoll(line + len + 1, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return v;
}

static long long slab_bytes(void)
{
	return proc_field("/proc/meminfo", "Slab") * 1024;
}

static long long self_kb(const char *name)
{
	return proc_field("/proc/self/status", name) * 1024;
}

/* What the kernel charges the map with (memlock in its fdinfo). */
static long long map_memlock(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return proc_field(path, "memlock");
}

static size_t env_size(const char *name, size_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 10) : def;
}

/* Datagrams of one export time, run through the program as they fill. */
struct feed {
	struct pkt p;
	int prog_fd;
	uint32_t export_time;
	int n;				/* records in p */
	unsigned long long ns;		/* the kernel's time of the runs */
	size_t records, datagrams;
};

static void frame_begin(struct feed *f)
{
	pkt_init(&f->p);
	pkt_eth(&f->p);
	pkt_ipv4(&f->p, "192.0.2.1", "192.0.2.2", IPPROTO_UDP);
	pkt_udp(&f->p, 40000, PORT);
	pkt_ipfix_header(&f->p, f->export_time, 1);
}

static void run(struct feed *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->p.buf, .data_size_in = (__u32)f->p.len,
		    .repeat = 1);

	pkt_finish(&f->p);
	if (bpf_prog_test_run_opts(f->prog_fd, &o))
		die("BPF_PROG_TEST_RUN", errno);
	f->ns += o.duration;
	f->datagrams++;
}

static void flush(struct feed *f)
{
	if (!f->n)
		return;
	pkt_set_end(&f->p);
	run(f);
	f->records += (size_t)f->n;
	f->n = 0;
}

/* An hour begins with the template, as an exporter sends it again. */
static void feed_begin(struct feed *f, int prog_fd, uint32_t export_time)
{
	memset(f, 0, offsetof(struct feed, prog_fd));
	f->prog_fd = prog_fd;
	f->export_time = export_time;
	f->n = 0;
	frame_begin(f);
	pkt_set_begin(&f->p, pkt_template_set(&f->p));
	pkt_template(&f->p, 256, ipfix_4, N_IES);
	pkt_set_end(&f->p);
	run(f);
	f->ns = 0;
	f->datagrams = f->records = 0;
}

static void feed(struct feed *f, const struct world_record *r)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	if (!f->n) {
		frame_begin(f);
		pkt_set_begin(&f->p, 256);
	}
	pkt_flow_record(&f->p, ipfix_4, N_IES, &(struct v5rec){
		.src = world_ntop(&r->src, false, s, sizeof(s)),
		.dst = world_ntop(&r->dst, false, d, sizeof(d)),
		.sport = r->sport, .dport = r->dport, .proto = r->proto,
		.tcp_flags = r->proto == 6 ? 0x18 : 0, .packets = 4, .bytes = 560 });
	if (++f->n == PER_DATAGRAM)
		flush(f);
}

static double ns_per_record(const struct feed *f)
{
	return f->records ? (double)f->ns / (double)f->records : 0;
}

/* A step that does not reorder: IoT lines in a scattered order (not by
 * address), as the records of a busy exporter come. */
static size_t stride_for(size_t n)
{
	size_t a = n / 2 + 7919, x, y;

	for (;; a++) {
		for (x = a, y = n; y;) {
			size_t t = x % y;

			x = y;
			y = t;
		}
		if (x == 1)
			return a % n ? a : 1;
	}
}

/* Every (line, domain) pair of the IoT lines, n_rounds records each, the
 * pairs of a line together; the lines from first, by stride. At most
 * limit records (0: all). */
static void feed_hits(struct feed *f, const struct world *w, const struct world_isp *isp,
		      uint64_t seed, size_t n_rounds, size_t first, size_t limit)
{
	size_t stride = stride_for(isp->n_iot ?: 1);
	uint64_t s = seed;

	for (size_t round = 0; round < n_rounds; round++)
		for (size_t i = 0, j = (first + round * 7) % (isp->n_iot ?: 1); i < isp->n_iot;
		     i++, j = (j + stride) % isp->n_iot) {
			int d[WORLD_ISP_MAX_DOMAINS], n = world_isp_domains(w, isp, j, d);

			for (int k = 0; k < n; k++) {
				struct world_record r;

				if (limit && f->records + (size_t)f->n >= limit)
					goto out;
				world_isp_hit(w, isp, &s, j, d[k], &r);
				feed(f, &r);
			}
		}
out:
	flush(f);
}

static void feed_misses(struct feed *f, const struct world *w, const struct world_isp *isp,
			uint64_t seed, size_t n)
{
	uint64_t s = seed;

	for (size_t i = 0; i < n; i++) {
		struct world_record r;

		world_isp_miss(w, isp, &s, &r);
		feed(f, &r);
	}
	flush(f);
}

struct step {
	size_t entries;
	double harvest_s, report_s, expire_s, fold_s;
};

/*
 * A bin closes, as run does it with --bins 1h,1d (docs/operations.md,
 * "Folding the hours"): its evidence harvested, its lines written with
 * detection lines (to /dev/null here); an hour's table then folded into
 * the day's and let go, the day's folds and map entries let go.
 */
static void bin_step(struct hs_instance *in, struct hs_tables *tables,
		     const struct hs_setup *su, __u32 width, __u64 bin, struct step *st)
{
	struct hs_report rep = { .detail = true, .dicts = &su->set };
	int ev_fd = hs_instance_map_fd(in, HS_MAP_EVIDENCE);
	int rules_fd = hs_instance_map_fd(in, HS_MAP_RULES);
	struct hs_evidence *ev = NULL;
	struct hs_activity *act = NULL;
	bool hour = width == 3600;
	size_t n_act = 0;
	double t0 = now_s();
	int err;

	err = hour ? hs_harvest(ev_fd, tables, rules_fd, bin, bin + width, &ev, &st->entries) :
		     hs_harvest_bin(ev_fd, tables, rules_fd, width, bin, &ev, &st->entries, &act,
				    &n_act);
	if (err)
		die("harvest", err);
	st->harvest_s = now_s() - t0;
	rep.out = fopen(getenv("BENCH_SCALE_OUT") ?: "/dev/null", "a");
	if (!rep.out)
		die("the report's file", errno);
	t0 = now_s();
	err = hour ? hs_report_hour(&rep, ev, st->entries, bin, true, &act, &n_act) :
		     hs_report_bins(&rep, ev, st->entries, act, n_act, width, bin, bin);
	if (err)
		die("report", err);
	fclose(rep.out);
	st->report_s = now_s() - t0;
	free(ev);
	t0 = now_s();
	if (hour)
		err = hs_tables_fold(tables, 86400, bin, act, n_act) ?:
		      hs_tables_expire(tables, bin + width, 0, NULL, NULL);
	else
		err = hs_evidence_expire(ev_fd, bin + width, NULL) ?:
		      hs_tables_expire(tables, bin + width, 0, NULL, NULL) ?:
		      hs_tables_expire_folds(tables, width, bin + width);
	if (err)
		die(hour ? "fold" : "expire", err);
	*(hour ? &st->fold_s : &st->expire_s) = now_s() - t0;
	free(act);
}

/* haystack as replay loads it (bins 1h,1d), the evidence map sized for
 * n_evidence entries. */
static double load(struct hs_instance *in, struct hs_setup *su, const char *dict,
		   const char *subs, size_t n_evidence)
{
	const char *dicts[1] = { dict };
	struct hs_options o = {
		.dicts = { dicts, 1 }, .subscribers_path = subs,
		.bins = { 3600, 86400 }, .n_bins = 2, .ports = { PORT }, .grace = 300,
		.sizes = { .evidence = (__u32)n_evidence, .endpoints = HAYSTACK_MAX_ENDPOINTS,
			   .rulesets = HAYSTACK_MAX_RULESETS,
			   .subscribers = HAYSTACK_MAX_SUBSCRIBER_PREFIXES,
			   .templates = HAYSTACK_MAX_TEMPLATES,
			   .exporter_clocks = HAYSTACK_MAX_EXPORTER_CLOCKS },
	};
	double t0 = now_s();
	int err;

	memset(in, 0, sizeof(*in));
	memset(su, 0, sizeof(*su));
	err = hs_setup_load(&o, su);
	if (!err)
		err = hs_instance_open(in, NULL, &o.sizes);
	if (!err)
		err = hs_instance_load(in);
	if (!err)
		err = hs_setup_apply(su, in);
	if (err)
		die("loading haystack", err);
	return now_s() - t0;
}

static const char *mb(long long b, char *buf, size_t len)
{
	snprintf(buf, len, "%.0f MB", (double)b / 1e6);
	return buf;
}

int main(int argc, char **argv)
{
	size_t n_lines = env_size("BENCH_SCALE_LINES", 15000000);
	size_t n_iot = env_size("BENCH_SCALE_IOT", 3000000);
	size_t n_domains = env_size("BENCH_SCALE_DOMAINS", 640);
	size_t n_hours = env_size("BENCH_SCALE_HOURS", 3);
	size_t n_rounds = env_size("BENCH_SCALE_RECORDS", 3);
	size_t n_misses = env_size("BENCH_SCALE_MISSES", 2000000);
	char dir[] = "/tmp/haystack-scale.XXXXXX", dict[64], subs[64], b1[32], b2[32];
	struct step hour[24] = { 0 }, day = { 0 };
	struct feed *f = malloc(sizeof(*f));
	struct haystack_stats stats;
	struct world_isp isp;
	struct hs_instance in;
	struct hs_tables tables;
	struct hs_setup su;
	struct world w;
	size_t pairs = 0, cap, entries = 0, full_sample, table_bytes = 0, fold_bytes = 0, map_entries = 0;
	long long slab0, memlock0, slab_fed = 0, memlock_fed = 0, rss_loaded, rss_fed = 0, hwm_hours;
	double t_start = now_s(), t_world, t_load, t_feed = 0;
	double hit_ns[24], miss_ns[24], full_hit_ns = 0, full_miss_ns = 0;
	size_t hit_records = 0, miss_records = 0;
	FILE *js;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_scale OUT_JSON\n");
		return 2;
	}
	if (!f)
		die("feed", ENOMEM);
	if (n_hours < 1 || n_hours > 24 - FIRST_HOUR)
		die("BENCH_SCALE_HOURS (1 to 14)", ERANGE);
	if (!mkdtemp(dir))
		die("mkdtemp", errno);
	snprintf(dict, sizeof(dict), "%s/dictionary.json", dir);
	snprintf(subs, sizeof(subs), "%s/subscribers.txt", dir);

	/* the endpoints of world.c, eight to a domain; no records of its own */
	err = world_make(&w, &(struct world_params){ 1, n_domains * 8, 0, 0, 0, 2020 });
	if (!err)
		err = world_isp(&w, &isp, n_lines, n_iot, 15);
	if (!err)
		err = world_write(&w, dict, subs);
	if (err)
		die("making the world", err);
	for (size_t j = 0; j < isp.n_iot; j++) {
		int d[WORLD_ISP_MAX_DOMAINS];

		pairs += (size_t)world_isp_domains(&w, &isp, j, d);
	}
	t_world = now_s() - t_start;
	printf("haystack at scale: %zu lines in %zu blocks (/16 to /22, %d /8s), %zu with IoT, %zu (line, domain) pairs; %zu domains, %zu endpoints; %zu hours, %zu records a pair an hour, %zu misses an hour sampled\n",
	       n_lines, w.n_subscribers, isp.n_slash8, n_iot, pairs, n_domains, w.n_endpoints,
	       n_hours, n_rounds, n_misses);
	fflush(stdout);

	/* The evidence goes to the hour tables (IPv4 lines); the map holds
	 * what they do not, sized for a sixteenth of an hour's pairs. */
	cap = pairs / 16 + 65536;
	if (cap > 0xffffffffULL)
		die("evidence map size", ERANGE);
	hs_log_set_level(HS_LOG_WARN);
	setrlimit(RLIMIT_MEMLOCK, &(struct rlimit){ RLIM_INFINITY, RLIM_INFINITY });
	t_load = load(&in, &su, dict, subs, cap);
	if (hs_tables_open(&tables, &in, 4 * pairs))
		die("hour tables", EIO);
	rss_loaded = self_kb("VmRSS");
	slab0 = slab_bytes();
	memlock0 = map_memlock(hs_instance_map_fd(&in, HS_MAP_EVIDENCE));

	for (size_t h = 0; h < n_hours; h++) {
		__u64 bin = DAY_START + (FIRST_HOUR + h) * 3600;
		double t0 = now_s();

		/* as run makes it, once hours of this many pairs were
		 * counted (and 2 % more: a domain's /32 inside another's /24
		 * makes a rule set of its own, 0.5 % more entries here) */
		err = hs_tables_create(&tables, bin, su.set.v[0].generation, pairs + pairs / 50);
		if (err)
			die("hour table", err);
		feed_begin(f, hs_instance_prog_fd(&in), (uint32_t)bin + 7);
		feed_hits(f, &w, &isp, 100 + h, n_rounds, h * 1009, 0);
		hit_ns[h] = ns_per_record(f);
		hit_records += f->records;
		f->ns = 0;
		f->records = 0;
		feed_misses(f, &w, &isp, 200 + h, n_misses);
		miss_ns[h] = ns_per_record(f);
		miss_records += f->records;
		t_feed += now_s() - t0;
		fprintf(stderr, "  hour %zu fed in %.0f s: hits %.0f ns a record, misses %.0f\n", h,
			now_s() - t0, hit_ns[h], miss_ns[h]);
		if (h + 1 == n_hours) {
			slab_fed = slab_bytes();
			memlock_fed = map_memlock(hs_instance_map_fd(&in, HS_MAP_EVIDENCE));
			rss_fed = self_kb("VmRSS");
			table_bytes = hs_tables_bytes(&tables);
			map_entries = hs_evidence_count(hs_instance_map_fd(&in, HS_MAP_EVIDENCE));

			/* The cost of a record with the maps that full: hits
			 * of this hour again (updates), and misses. */
			full_sample = pairs < 1000000 ? pairs : 1000000;
			feed_begin(f, hs_instance_prog_fd(&in), (uint32_t)bin + 1800);
			feed_hits(f, &w, &isp, 300, 1, 0, full_sample);
			full_hit_ns = ns_per_record(f);
			f->ns = 0;
			f->records = 0;
			feed_misses(f, &w, &isp, 400, full_sample);
			full_miss_ns = ns_per_record(f);
		}
		bin_step(&in, &tables, &su, 3600, bin, &hour[h]);
		entries += hour[h].entries;
		fold_bytes = hs_tables_bytes(&tables);
		fprintf(stderr, "  hour %zu: %zu entries, harvest %.1f s, report %.1f s, fold %.1f s (%zu MB folded)\n",
			h, hour[h].entries, hour[h].harvest_s, hour[h].report_s, hour[h].fold_s,
			fold_bytes >> 20);
	}
	hwm_hours = self_kb("VmHWM");
	bin_step(&in, &tables, &su, 86400, DAY_START, &day);
	if (hs_read_stats(hs_instance_map_fd(&in, HS_MAP_STATS), &stats))
		die("stats", EIO);
	if (stats.evidence_full)
		fprintf(stderr, "bench_scale: %llu records found the evidence map full\n",
			(unsigned long long)stats.evidence_full);

	{
		const struct step *last = &hour[n_hours - 1];
		long long slab = slab_fed - slab0, kernel = slab + memlock0 + (long long)table_bytes;
		long long hwm = self_kb("VmHWM");
		double blend = (HIT_PERMILLE * hit_ns[n_hours - 1] + (1000 - HIT_PERMILLE) * full_miss_ns) / 1000;
		double hour_s = last->harvest_s + last->report_s + last->fold_s;
		double day_s = day.harvest_s + day.report_s + day.expire_s;

		printf("\n%-52s %22s %12s\n", "figure", "measured", "target");
		printf("%-52s %22zu %12s\n", "evidence entries (pairs x open hours)", entries, "");
		printf("%-52s %22.0f %12s\n", "kernel bytes per entry (tables + map)",
		       (double)kernel / (double)entries, "<= 64");
		printf("%-52s %22s %12zu\n", "  hour tables / entries in the map beside",
		       mb((long long)table_bytes, b1, sizeof(b1)), map_entries);
		printf("%-52s %22.0f %12s\n", "  of which slab bytes per entry",
		       (double)slab / (double)entries, "");
		printf("%-52s %22s %12s\n", "kernel memory of the evidence (tables + map)",
		       mb(kernel, b1, sizeof(b1)), "<= 2147 MB");
		printf("%-52s %22s %12s\n", "  Slab growth / the map's memlock",
		       mb(slab, b1, sizeof(b1)), mb(memlock_fed, b2, sizeof(b2)));
		printf("%-52s %22s %12s\n", "  the day's fold after the last hour",
		       mb((long long)fold_bytes, b1, sizeof(b1)), "");
		printf("%-52s %22.1f %12s\n", "hour bin: harvest + evaluate and report + fold (s)",
		       hour_s, "<= 30");
		printf("%-52s %6.1f + %6.1f + %6.1f %12s\n", "  harvest + evaluate and report + fold",
		       last->harvest_s, last->report_s, last->fold_s, "");
		printf("%-52s %22.1f %12s\n", "day bin: harvest + report + delete (s)", day_s, "<= 60");
		printf("%-52s %6.1f + %6.1f + %6.1f %12s\n", "  harvest + evaluate and report + delete",
		       day.harvest_s, day.report_s, day.expire_s, "");
		printf("%-52s %22s %12s\n", "agent RSS, peak", mb(hwm, b1, sizeof(b1)), "<= 4295 MB");
		printf("%-52s %22s %12s\n", "  peak over the hour bins / after load",
		       mb(hwm_hours, b1, sizeof(b1)), mb(rss_loaded, b2, sizeof(b2)));
		printf("%-52s %22.0f %12s\n", "ns a hit record, last hour fed (inserts)",
		       hit_ns[n_hours - 1], "");
		printf("%-52s %22.0f %12s\n", "ns a hit record, maps full (updates)", full_hit_ns, "");
		printf("%-52s %22.0f %12s\n", "ns a miss record, maps full", full_miss_ns, "");
		printf("%-52s %22.0f %12s\n", "ns a record at 2 % hits, maps full", blend, "");
		printf("\nworld %.0f s, load %.1f s, feed %.0f s (%zu hit, %zu miss records), run %.0f s\n",
		       t_world, t_load, t_feed, hit_records, miss_records, now_s() - t_start);

		js = fopen(argv[1], "w");
		if (!js)
			die(argv[1], errno);
		fprintf(js, "{\"lines\":%zu,\"subscriber_blocks\":%zu,\"iot_lines\":%zu,\"pairs\":%zu,\"domains\":%zu,\"endpoints\":%zu,\"hours\":%zu,\"records_per_pair_hour\":%zu,\"misses_per_hour\":%zu,"
			    "\"evidence_map_max_entries\":%zu,\"evidence_entries\":%zu,\"evidence_full\":%llu,"
			    "\"table_bytes\":%zu,\"evidence_map_entries\":%zu,\"kernel_bytes\":%lld,\"kernel_bytes_per_entry\":%.1f,\"slab_bytes\":%lld,\"slab_bytes_per_entry\":%.1f,\"map_memlock_empty_bytes\":%lld,\"map_memlock_bytes\":%lld,"
			    "\"agent_rss_loaded_bytes\":%lld,\"agent_rss_fed_bytes\":%lld,\"agent_rss_peak_hours_bytes\":%lld,\"agent_rss_peak_bytes\":%lld,"
			    "\"fold_bytes\":%zu,\"hour_entries\":%zu,\"hour_harvest_s\":%.3f,\"hour_report_s\":%.3f,\"hour_fold_s\":%.3f,\"hour_s\":%.3f,"
			    "\"day_entries\":%zu,\"day_harvest_s\":%.3f,\"day_report_s\":%.3f,\"day_delete_s\":%.3f,\"day_s\":%.3f,"
			    "\"hit_ns_per_record\":[",
			n_lines, w.n_subscribers, n_iot, pairs, n_domains, w.n_endpoints, n_hours,
			n_rounds, n_misses, cap, entries, (unsigned long long)stats.evidence_full,
			table_bytes, map_entries, kernel, (double)kernel / (double)entries, slab, (double)slab / (double)entries,
			memlock0, memlock_fed, rss_loaded, rss_fed, hwm_hours, hwm, fold_bytes,
			last->entries, last->harvest_s, last->report_s, last->fold_s, hour_s, day.entries, day.harvest_s,
			day.report_s, day.expire_s, day_s);
		for (size_t h = 0; h < n_hours; h++)
			fprintf(js, "%s%.1f", h ? "," : "", hit_ns[h]);
		fprintf(js, "],\"miss_ns_per_record\":[");
		for (size_t h = 0; h < n_hours; h++)
			fprintf(js, "%s%.1f", h ? "," : "", miss_ns[h]);
		fprintf(js, "],\"full_hit_ns_per_record\":%.1f,\"full_miss_ns_per_record\":%.1f,\"blend_ns_per_record\":%.1f,"
			    "\"load_s\":%.3f,\"feed_s\":%.1f,\"hit_records\":%zu,\"miss_records\":%zu,\"run_s\":%.1f}\n",
			full_hit_ns, full_miss_ns, blend, t_load, t_feed, hit_records, miss_records,
			now_s() - t_start);
		if (fclose(js))
			die(argv[1], errno);
	}
	hs_tables_close(&tables);
	hs_instance_close(&in, false);
	hs_setup_free(&su);
	world_isp_free(&isp);
	world_free(&w);
	free(f);
	unlink(dict);
	unlink(subs);
	rmdir(dir);
	return 0;
}
