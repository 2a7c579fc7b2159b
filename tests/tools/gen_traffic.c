// SPDX-License-Identifier: GPL-2.0
/*
 * gen_traffic — a deterministic synthetic ISP world as an Ethernet pcap, for
 * tests and the demo: subscribers with IoT devices talking to the endpoints of
 * a haystack dictionary, plus background traffic. softflowd turns it into
 * NetFlow (`softflowd -r OUT.pcap -v 5 -n 127.0.0.1:PORT`), so every frame is
 * a valid Ethernet/IP/TCP|UDP header (lengths and checksums right, no
 * payload), and pcap timestamps are world time (export times follow them).
 *
 *   gen_traffic --dict FILE --subscribers FILE -o OUT.pcap [--seed N]
 *               [--start 2019-11-15T09:30:00Z] [--hours H]
 *               [--subscribers-count K] [-v]
 *
 * Same arguments, same bytes: one xorshift PRNG drives every choice.
 */
#define _GNU_SOURCE		/* strptime, timegm */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define PCAP_DONT_INCLUDE_PCAP_BPF_H	/* its struct bpf_insn clashes with libbpf's */
#include <pcap/pcap.h>
#include <pcap/dlt.h>
#include "packet.h"
#include "dict/dict.h"
#include "lib/prefix.h"

#define MAX_DEVICES	3
/* Outside every dictionary and subscriber prefix (checked at start):
 * the web at large, and non-subscriber hosts (benchmarking range). */
#define WEB4		"93.184.216.0/24"
#define WEB6		"2001:db8:ffff::/48"
#define OTHER4		"198.18.0.0/24"

struct device {
	int cls;
	int conns;		/* connections per hour */
	int n_domains;		/* contacted subset, with an endpoint of our family */
	int *domains;
};

struct subscriber {
	__u8 addr[16];
	int n_dev;
	struct device dev[MAX_DEVICES];
};

/* One packet to write; sorted by time before writing. */
struct frame {
	__u64 t_us;
	__u32 seq;		/* creation order: ties stay stable */
	__u8 src[16], dst[16];
	__u16 sport, dport;
	__u8 proto, flags;
	__u32 tcp_seq, tcp_ack;
};

static struct {
	const struct hs_dict *dict;
	struct haystack_lpm_key *subs;
	size_t n_subs;
	__u64 rng;
	struct frame *frames;
	size_t n_frames, cap;
} g;

static __u64 rnd(void)
{
	/* xorshift64* */
	g.rng ^= g.rng >> 12;
	g.rng ^= g.rng << 25;
	g.rng ^= g.rng >> 27;
	return g.rng * 0x2545F4914F6CDD1DULL;
}

static __u32 below(__u32 n)
{
	return n ? (__u32)(rnd() % n) : 0;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "gen_traffic: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static void emit(__u64 t_us, const __u8 src[16], const __u8 dst[16], __u16 sport, __u16 dport,
		 __u8 proto, __u8 flags, __u32 seq, __u32 ack)
{
	struct frame *f;

	if (g.n_frames == g.cap) {
		g.cap = g.cap ? 2 * g.cap : 4096;
		g.frames = realloc(g.frames, g.cap * sizeof(*g.frames));
		if (!g.frames)
			die("%s", "out of memory");
	}
	f = &g.frames[g.n_frames];
	*f = (struct frame){ .t_us = t_us, .seq = (__u32)g.n_frames, .sport = sport,
			     .dport = dport, .proto = proto, .flags = flags, .tcp_seq = seq,
			     .tcp_ack = ack };
	memcpy(f->src, src, 16);
	memcpy(f->dst, dst, 16);
	g.n_frames++;
}

/* One exchange from a client's ephemeral port: a whole TCP connection
 * (handshake, a request and a reply, both FINs) so softflowd closes the
 * flows, or UDP request/reply pairs. Packets 20-220 ms apart. */
static void exchange(__u64 t_us, const __u8 cli[16], const __u8 srv[16], __u16 port, __u8 proto)
{
	static const struct { bool to_srv; __u8 flags; } tcp[] = {
		{ true, PKT_SYN }, { false, PKT_SYN | PKT_ACK }, { true, PKT_ACK },
		{ true, PKT_PSH | PKT_ACK }, { false, PKT_PSH | PKT_ACK },
		{ true, PKT_FIN | PKT_ACK }, { false, PKT_FIN | PKT_ACK }, { true, PKT_ACK },
	};
	__u16 eph = (__u16)(32768 + below(28000));
	__u32 isn_c = (__u32)rnd(), isn_s = (__u32)rnd();

	if (proto == IPPROTO_UDP) {
		for (int i = 0, n = 1 + (int)below(2); i < n; i++) {
			emit(t_us, cli, srv, eph, port, proto, 0, 0, 0);
			t_us += 20000 + below(200000);
			emit(t_us, srv, cli, port, eph, proto, 0, 0, 0);
			t_us += 20000 + below(200000);
		}
		return;
	}
	for (size_t i = 0; i < sizeof(tcp) / sizeof(tcp[0]); i++) {
		/* sequence numbers past the SYN; header-only, so they stay put */
		__u32 sc = isn_c + (i > 0), ss = isn_s + (i > 1);
		__u32 ack_c = tcp[i].flags & PKT_ACK ? ss : 0;

		if (tcp[i].to_srv)
			emit(t_us, cli, srv, eph, port, proto, tcp[i].flags, sc, ack_c);
		else
			emit(t_us, srv, cli, port, eph, proto, tcp[i].flags, ss, sc);
		t_us += 20000 + below(200000);
	}
}

/* Address at a small offset inside a prefix (the first one for /32, /128). */
static void addr_in(const struct haystack_lpm_key *k, __u32 max_off, __u8 out[16])
{
	unsigned int host = 128 - k->prefixlen;
	__u32 span = host >= 31 ? 0x7fffffff : (1U << host) - 1;
	__u32 off = host ? 1 + below(span < max_off ? span : max_off) : 0;

	memcpy(out, k->addr, 16);
	/* add off to the low 32 bits (never carries: off < 2^host) */
	for (int i = 15; i >= 12 && off; i--) {
		__u32 v = out[i] + (off & 0xff);

		out[i] = (__u8)v;
		off = (off >> 8) + (v >> 8);
	}
}

static const struct haystack_lpm_key *family_prefix(const struct hs_domain *d, bool v4)
{
	for (int i = 0; i < d->n_prefixes; i++)
		if (hs_addr_is_v4(d->prefixes[i].addr) == v4)
			return &d->prefixes[i];
	return NULL;
}

/* A device of class c also speaks for its parents (a Fire TV is an Amazon
 * product is Alexa-enabled), so it contacts their domains too. */
static bool speaks_for(int c, const struct hs_domain *d)
{
	for (; c >= 0; c = g.dict->classes[c].parent)
		for (int i = 0; i < d->n_classes; i++)
			if (d->classes[i] == c)
				return true;
	return false;
}

static void make_device(struct device *dv, int cls, bool v4)
{
	/* how much of its dictionary a device shows, and how chatty it is:
	 * mixed so that some devices are detected and some are not */
	static const int pct[] = { 25, 60, 100 }, conns[] = { 3, 8, 16 };
	int keep = pct[below(3)];

	dv->cls = cls;
	dv->conns = conns[below(3)];
	dv->n_domains = 0;
	dv->domains = calloc((size_t)g.dict->n_domains, sizeof(int));
	if (!dv->domains)
		die("%s", "out of memory");
	for (int i = 0; i < g.dict->n_domains; i++)
		if (speaks_for(cls, &g.dict->domains[i]) &&
		    family_prefix(&g.dict->domains[i], v4) && (int)below(100) < keep)
			dv->domains[dv->n_domains++] = i;
}

/* Service port of a domain: one of its TCP/UDP ports, 443/tcp when it has
 * none (port-less) or only SCTP ones. */
static void service_port(const struct hs_domain *d, __u16 *port, __u8 *proto)
{
	int n = 0, pick;

	for (int i = 0; i < d->n_ports; i++)
		n += d->ports[i].proto != IPPROTO_SCTP;
	*port = 443;
	*proto = IPPROTO_TCP;
	if (!n)
		return;
	pick = (int)below((__u32)n);
	for (int i = 0; i < d->n_ports; i++) {
		if (d->ports[i].proto == IPPROTO_SCTP || pick--)
			continue;
		*port = d->ports[i].port;
		*proto = d->ports[i].proto;
		return;
	}
}

static bool inside_any(const struct haystack_lpm_key *k)
{
	for (size_t i = 0; i < g.n_subs; i++)
		if (hs_prefix_contains(&g.subs[i], k) || hs_prefix_contains(k, &g.subs[i]))
			return true;
	for (int d = 0; d < g.dict->n_domains; d++)
		for (int i = 0; i < g.dict->domains[d].n_prefixes; i++) {
			const struct haystack_lpm_key *p = &g.dict->domains[d].prefixes[i];

			if (hs_prefix_contains(p, k) || hs_prefix_contains(k, p))
				return true;
		}
	return false;
}

static int frame_cmp(const void *a, const void *b)
{
	const struct frame *x = a, *y = b;

	if (x->t_us != y->t_us)
		return x->t_us < y->t_us ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: gen_traffic --dict FILE --subscribers FILE -o OUT.pcap [--seed N]\n"
		"                   [--start 2019-11-15T09:30:00Z] [--hours H]\n"
		"                   [--subscribers-count K] [-v]\n");
	exit(2);
}

static long number(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "gen_traffic: %s %s: expected an integer in %ld..%ld\n", opt, s,
			min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dict", required_argument, NULL, 'd' },
		{ "subscribers", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 'S' },
		{ "start", required_argument, NULL, 't' },
		{ "hours", required_argument, NULL, 'H' },
		{ "subscribers-count", required_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dict_path = NULL, *subs_path = NULL, *out = NULL;
	const char *start_s = "2019-11-15T09:30:00Z";
	long seed = 1, hours = 3, k = 20;
	struct haystack_lpm_key web4, web6, other4;
	struct subscriber *subs;
	struct hs_dict *dict;
	bool verbose = false;
	int c, n_v4 = 0, n_dev = 0;
	char a[HS_ADDRSTRLEN];
	pcap_dumper_t *dump;
	struct tm tm = {};
	pcap_t *pc;
	__u64 t0;

	while ((c = getopt_long(argc, argv, "o:v", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dict_path = optarg; break;
		case 's': subs_path = optarg; break;
		case 'o': out = optarg; break;
		case 'S': seed = number("--seed", optarg, 0, 0x7fffffff); break;
		case 't': start_s = optarg; break;
		case 'H': hours = number("--hours", optarg, 1, 24 * 31); break;
		case 'k': k = number("--subscribers-count", optarg, 1, 100000); break;
		case 'v': verbose = true; break;
		default: usage();
		}
	}
	if (!dict_path || !subs_path || !out || optind != argc)
		usage();
	{
		const char *end = strptime(start_s, "%Y-%m-%dT%H:%M:%SZ", &tm);

		if (!end || *end)
			die("--start %s: expected UTC time like 2019-11-15T09:30:00Z", start_s);
	}
	t0 = (__u64)timegm(&tm);

	if (hs_dict_load(dict_path, &dict) ||
	    hs_subscribers_load(subs_path, &g.subs, &g.n_subs))
		exit(2);	/* the loader has said why */
	if (!g.n_subs)
		die("%s: no subscriber prefixes", subs_path);
	g.dict = dict;
	/* never 0: xorshift would stay at 0 forever */
	g.rng = ((__u64)seed + 1) * 0x9E3779B97F4A7C15ULL;

	if (hs_parse_prefix(WEB4, &web4) || hs_parse_prefix(WEB6, &web6) ||
	    hs_parse_prefix(OTHER4, &other4))
		die("%s", "bad built-in prefix");
	/* background must be background, whatever dictionary is given */
	if (inside_any(&web4) || inside_any(&web6) || inside_any(&other4))
		die("%s: overlaps the background ranges " WEB4 ", " WEB6 ", " OTHER4,
		    dict_path);

	/* subscribers: round robin over the prefixes, so both families get some */
	subs = calloc((size_t)k, sizeof(*subs));
	if (!subs)
		die("%s", "out of memory");
	for (long i = 0; i < k; i++) {
		struct subscriber *s = &subs[i];
		const struct haystack_lpm_key *p = &g.subs[i % (long)g.n_subs];
		bool v4 = hs_addr_is_v4(p->addr), dup;
		int tries = 0;

		do {
			addr_in(p, v4 ? 0xfffe : 0xffffff, s->addr);
			dup = false;
			for (long j = 0; j < i && !dup; j++)
				dup = !memcmp(subs[j].addr, s->addr, 16);
		} while (dup && ++tries < 100);
		if (dup)
			die("%s: subscriber prefixes too small for --subscribers-count", subs_path);
		n_v4 += v4;
		s->n_dev = (int)below(MAX_DEVICES + 1);
		if (s->n_dev > dict->n_classes)
			s->n_dev = dict->n_classes;
		for (int d = 0; d < s->n_dev; d++) {
			int cls;

			/* distinct classes; one no domain monitors (N = 0) still
			 * makes a device: it just talks to nothing we know */
			do {
				cls = (int)below((__u32)dict->n_classes);
				dup = false;
				for (int j = 0; j < d && !dup; j++)
					dup = s->dev[j].cls == cls;
			} while (dup);
			make_device(&s->dev[d], cls, v4);
		}
		n_dev += s->n_dev;
		if (verbose) {
			fprintf(stderr, "%s:", hs_format_addr(s->addr, a, sizeof(a)));
			for (int d = 0; d < s->n_dev; d++)
				fprintf(stderr, " %s(%d domains, %d conns/h)",
					dict->classes[s->dev[d].cls].name, s->dev[d].n_domains,
					s->dev[d].conns);
			fputc('\n', stderr);
		}
	}

	for (long h = 0; h < hours; h++) {
		__u64 hour_us = (t0 + (__u64)h * 3600) * 1000000;

		for (long i = 0; i < k; i++) {
			struct subscriber *s = &subs[i];
			bool v4 = hs_addr_is_v4(s->addr);
			__u8 srv[16];

			for (int d = 0; d < s->n_dev; d++) {
				struct device *dv = &s->dev[d];

				for (int n = 0; dv->n_domains && n < dv->conns; n++) {
					const struct hs_domain *dom =
						&dict->domains[dv->domains[below((__u32)dv->n_domains)]];
					__u16 port;
					__u8 proto;

					addr_in(family_prefix(dom, v4), 16, srv);
					service_port(dom, &port, &proto);
					/* starts end a minute before the hour: the
					 * whole exchange stays in its hour */
					exchange(hour_us + (__u64)below(3540) * 1000000 + below(1000000),
						 s->addr, srv, port, proto);
				}
			}
			/* web browsing: not in the dictionary, never evidence */
			for (int n = 0, m = 2 + (int)below(4); n < m; n++) {
				addr_in(v4 ? &web4 : &web6, 200, srv);
				exchange(hour_us + (__u64)below(3540) * 1000000 + below(1000000),
					 s->addr, srv, below(4) ? 443 : 80, IPPROTO_TCP);
			}
		}
		/* hosts that are not subscribers at all */
		for (int n = 0; n < 5; n++) {
			__u8 cli[16], srv[16];

			addr_in(&other4, 200, cli);
			addr_in(&web4, 200, srv);
			exchange(hour_us + (__u64)below(3540) * 1000000 + below(1000000), cli, srv,
				 443, IPPROTO_TCP);
		}
	}
	qsort(g.frames, g.n_frames, sizeof(*g.frames), frame_cmp);

	pc = pcap_open_dead(DLT_EN10MB, 65535);
	if (!pc)
		die("%s", "pcap_open_dead failed");
	dump = pcap_dump_open(pc, out);
	if (!dump)
		die("%s", pcap_geterr(pc));
	for (size_t i = 0; i < g.n_frames; i++) {
		const struct frame *f = &g.frames[i];
		struct pcap_pkthdr ph = {};
		struct pkt p;

		pkt_init(&p);
		pkt_eth(&p);
		pkt_ip(&p, f->src, f->dst, f->proto);
		if (f->proto == IPPROTO_TCP)
			pkt_tcp(&p, f->sport, f->dport, f->tcp_seq, f->tcp_ack, f->flags);
		else
			pkt_udp(&p, f->sport, f->dport);
		pkt_finish(&p);
		ph.ts.tv_sec = (time_t)(f->t_us / 1000000);
		ph.ts.tv_usec = (suseconds_t)(f->t_us % 1000000);
		ph.caplen = ph.len = (bpf_u_int32)p.len;
		pcap_dump((u_char *)dump, &ph, p.buf);
	}
	if (pcap_dump_flush(dump))
		die("%s: write failed", out);
	pcap_dump_close(dump);
	pcap_close(pc);

	fprintf(stderr,
		"gen_traffic: %s: %zu packets, %ld subscribers (%d IPv4, %ld IPv6), %d devices, %ld hours from %s, seed %ld\n",
		out, g.n_frames, k, n_v4, k - n_v4, n_dev, hours, start_s, seed);
	for (long i = 0; i < k; i++)
		for (int d = 0; d < subs[i].n_dev; d++)
			free(subs[i].dev[d].domains);
	free(subs);
	free(g.frames);
	free(g.subs);
	hs_dict_free(dict);
	return 0;
}
