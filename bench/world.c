// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "world.h"

#define CLASSES		64
/* Endpoints of a domain in the dictionary: 8, more in a world of more than
 * 8 x 65,535 (a dictionary names at most 65,535 domains, agent/dict). */
static size_t per_domain(const struct world *w)
{
	size_t n = (w->n_endpoints + 65534) / 65535;

	return n > 8 ? n : 8;
}

/* splitmix64: small, fast, and the same world for the same seed */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(next(s) % n);
}

/* An open-addressing set of 64-bit keys (0 is never a key). */
struct set {
	uint64_t *v;
	size_t mask;
};

static int set_init(struct set *t, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap <<= 1;
	t->v = calloc(cap, sizeof(*t->v));
	t->mask = cap - 1;
	return t->v ? 0 : -ENOMEM;
}

static size_t slot(const struct set *t, uint64_t k)
{
	size_t i = (size_t)(k * 0x9e3779b97f4a7c15ULL) & t->mask;

	while (t->v[i] && t->v[i] != k)
		i = (i + 1) & t->mask;
	return i;
}

static bool set_add(struct set *t, uint64_t k)
{
	size_t i = slot(t, k);

	if (t->v[i])
		return false;
	t->v[i] = k;
	return true;
}

static bool set_has(const struct set *t, uint64_t k)
{
	return t->v[slot(t, k)] == k;
}

static void v4(struct world_addr *a, uint32_t host)
{
	memset(a->a, 0, 10);
	a->a[10] = a->a[11] = 0xff;
	a->a[12] = host >> 24;
	a->a[13] = host >> 16;
	a->a[14] = host >> 8;
	a->a[15] = host;
}

static uint32_t host4(const struct world_addr *a)
{
	return (uint32_t)a->a[12] << 24 | a->a[13] << 16 | a->a[14] << 8 | a->a[15];
}

/* Keys of the covering set: one per endpoint, tagged by its kind. */
static uint64_t key4(uint32_t host, int len)
{
	return (uint64_t)len << 40 | (len == 32 ? host : host >> 8);
}

static uint64_t key6(const struct world_addr *a, int len)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)len;

	for (int i = 0; i < len / 8; i++)
		h = (h ^ a->a[i]) * 1099511628211ULL;
	return h | 1;
}

/* Public IPv4 space, never a subscriber's (10/8, 100.64/10) nor 0/8,
 * 127/8 or multicast and above. */
static uint32_t public4(uint64_t *s)
{
	for (;;) {
		uint32_t h = (uint32_t)next(s);

		if (h >> 24 == 0 || h >> 24 == 10 || h >> 24 == 127 || h >> 28 >= 14 ||
		    (h & 0xffc00000) == 0x64400000)
			continue;
		return h;
	}
}

/*
 * The space services live in: 256 /16s of public space (clouds and CDNs
 * are few and dense, w->service16) for IPv4, 2600:1f00::/24 for IPv6.
 * Endpoints are drawn there; misses half there and half anywhere public.
 */
static uint32_t service4(uint64_t *s, const uint32_t *block16)
{
	return block16[below(s, WORLD_SERVICE16)] | (uint32_t)(next(s) & 0xffff);
}

static void service6(uint64_t *s, struct world_addr *a, bool anywhere)
{
	uint64_t hi = next(s), lo = next(s);

	for (int i = 0; i < 8; i++) {
		a->a[i] = hi >> (56 - 8 * i);
		a->a[8 + i] = lo >> (56 - 8 * i);
	}
	if (anywhere) {
		a->a[0] = 0x20 | (a->a[0] & 0x1f);	/* 2000::/3 */
	} else {
		a->a[0] = 0x26;
		a->a[1] = 0x00;
		a->a[2] = 0x1f;
	}
}

static bool covered(const struct set *t, const struct world_addr *a, bool v6)
{
	if (!v6)
		return set_has(t, key4(host4(a), 32)) || set_has(t, key4(host4(a), 24));
	return set_has(t, key6(a, 128)) || set_has(t, key6(a, 48));
}

static void subscriber_addr(uint64_t *s, const struct world *w, bool v6, struct world_addr *a)
{
	size_t n4 = w->n_subscribers4;
	const struct world_prefix *p;

	if (v6) {
		p = &w->subscribers[n4 + below(s, (uint32_t)(w->n_subscribers - n4))];
		*a = p->addr;
		for (int i = 6; i < 16; i++)
			a->a[i] = (uint8_t)next(s);
		return;
	}
	p = &w->subscribers[below(s, (uint32_t)n4)];
	v4(a, host4(&p->addr) | (uint32_t)(next(s) & 0x3ff));
}

static void endpoint_addr(uint64_t *s, const struct world_prefix *e, struct world_addr *a)
{
	*a = e->addr;
	if (!e->v6 && e->len == 24)
		a->a[15] = (uint8_t)next(s);
	if (e->v6 && e->len == 48)
		for (int i = 6; i < 16; i++)
			a->a[i] = (uint8_t)next(s);
}

/* A service side no endpoint covers: half in the services' space, half
 * anywhere public. */
static void miss_service(uint64_t *s, const struct world *w, bool v6, struct world_addr *svc)
{
	const struct set cover = { w->cover, w->cover_mask };

	do {
		bool anywhere = next(s) & 1;

		if (v6)
			service6(s, svc, anywhere);
		else
			v4(svc, anywhere ? public4(s) : service4(s, w->service16));
	} while (covered(&cover, svc, v6));
}

/* Protocol, direction and ports of a record between sub and svc. */
static void orient(uint64_t *s, struct world_record *r, const struct world_addr *sub,
		   const struct world_addr *svc)
{
	r->proto = below(s, 10) < 8 ? 6 : 17;
	if (next(s) & 1) {
		r->src = *sub;
		r->dst = *svc;
		r->sport = 32768 + below(s, 28000);
		r->dport = below(s, 10) < 7 ? 443 : 80;
	} else {
		r->src = *svc;
		r->dst = *sub;
		r->sport = below(s, 10) < 7 ? 443 : 80;
		r->dport = 32768 + below(s, 28000);
	}
}

int world_make(struct world *w, const struct world_params *p)
{
	uint64_t s = p->seed;
	struct set used = {}, cover = {};
	size_t n6 = p->n_subscribers / 16, n_v4_e = 0, n_v6_e = 0;
	int err = -ENOMEM;

	memset(w, 0, sizeof(*w));
	if (p->n_subscribers > 16384 + 4096)	/* the /22s of 10/8 and 100.64/10 */
		return -ERANGE;
	w->n_subscribers = p->n_subscribers + n6;
	w->n_subscribers4 = p->n_subscribers;
	w->subscribers = calloc(w->n_subscribers, sizeof(*w->subscribers));
	w->endpoints = calloc(p->n_endpoints ?: 1, sizeof(*w->endpoints));
	w->records = calloc(p->n_records ?: 1, sizeof(*w->records));
	if (!w->subscribers || !w->endpoints || !w->records || set_init(&used, w->n_subscribers) ||
	    set_init(&cover, p->n_endpoints))
		goto out;

	for (size_t i = 0; i < p->n_subscribers;) {
		uint32_t k = below(&s, 16384 + 4096), base;

		if (!set_add(&used, k + 1))
			continue;
		base = k < 16384 ? 0x0a000000 | k << 10 : 0x64400000 | (k - 16384) << 10;
		v4(&w->subscribers[i].addr, base);
		w->subscribers[i++].len = 22;
	}
	for (size_t i = 0; i < n6; i++) {
		struct world_prefix *sub = &w->subscribers[p->n_subscribers + i];

		sub->v6 = true;
		sub->len = 48;
		sub->addr.a[0] = 0x2a;
		sub->addr.a[1] = 0x02;
		sub->addr.a[2] = (uint8_t)(i >> 16);
		sub->addr.a[3] = (uint8_t)(i >> 8);
		sub->addr.a[4] = (uint8_t)i;
	}

	for (int i = 0; i < WORLD_SERVICE16; i++)
		w->service16[i] = public4(&s) & 0xffff0000;
	for (size_t i = 0; i < p->n_endpoints;) {
		struct world_prefix *e = &w->endpoints[i];
		uint32_t kind = below(&s, 100);

		memset(e, 0, sizeof(*e));
		if (kind < 94) {
			uint32_t h = service4(&s, w->service16);

			e->len = kind < 90 ? 32 : 24;
			if (e->len == 24)
				h &= 0xffffff00;
			v4(&e->addr, h);
			if (!set_add(&cover, key4(h, e->len)))
				continue;
			n_v4_e++;
		} else {
			e->v6 = true;
			e->len = kind < 99 ? 128 : 48;
			service6(&s, &e->addr, false);
			if (e->len == 48)
				memset(e->addr.a + 6, 0, 10);
			if (!set_add(&cover, key6(&e->addr, e->len)))
				continue;
			n_v6_e++;
		}
		i++;
	}
	w->n_endpoints = p->n_endpoints;
	/* the records' misses are checked against it, and world_isp's */
	w->cover = cover.v;
	w->cover_mask = cover.mask;
	cover.v = NULL;

	for (size_t i = 0; i < p->n_records; i++) {
		struct world_record *r = &w->records[i];
		struct world_addr sub, svc;
		bool v6 = below(&s, 1000) < p->v6_permille && n_v6_e && n6;

		if (!v6 && !n_v4_e && n6)
			v6 = true;
		subscriber_addr(&s, w, v6, &sub);
		r->hit = below(&s, 1000) < p->hit_permille && (v6 ? n_v6_e : n_v4_e);
		if (r->hit) {
			const struct world_prefix *e;

			do
				e = &w->endpoints[below(&s, (uint32_t)p->n_endpoints)];
			while (e->v6 != v6);
			endpoint_addr(&s, e, &svc);
		} else {
			miss_service(&s, w, v6, &svc);
		}
		r->v6 = v6;
		orient(&s, r, &sub, &svc);
		w->n_hits += r->hit;
	}
	w->n_records = p->n_records;
	err = 0;
out:
	free(used.v);
	free(cover.v);
	if (err)
		world_free(w);
	return err;
}

void world_free(struct world *w)
{
	free(w->cover);
	free(w->subscribers);
	free(w->endpoints);
	free(w->records);
	memset(w, 0, sizeof(*w));
}

const char *world_ntop(const struct world_addr *a, bool v6, char *buf, size_t len)
{
	return inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? (const void *)a->a : a->a + 12, buf,
			 (socklen_t)len);
}

int world_write(const struct world *w, const char *dict_path, const char *subs_path)
{
	FILE *d = fopen(dict_path, "w"), *s = fopen(subs_path, "w");
	char a[INET6_ADDRSTRLEN];
	size_t n_domains = (w->n_endpoints + per_domain(w) - 1) / per_domain(w);
	int err = 0;

	if (!d || !s) {
		err = -errno;
		goto out;
	}
	for (size_t i = 0; i < w->n_subscribers; i++)
		fprintf(s, "%s/%u\n", world_ntop(&w->subscribers[i].addr, w->subscribers[i].v6, a,
						 sizeof(a)), w->subscribers[i].len);
	fprintf(d, "{\"format\":\"haystack-dictionary/1\",\"valid_from\":\"2019-11-15T00:00:00Z\","
		   "\"valid_until\":\"2019-11-16T00:00:00Z\",\"classes\":[");
	for (int c = 0; c < CLASSES; c++)
		fprintf(d, "%s{\"name\":\"c%d\",\"title\":\"Class %d\",\"level\":\"manufacturer\","
			   "\"parent\":null,\"threshold\":0.4,\"active_packets_per_hour\":10}",
			c ? "," : "", c, c);
	fprintf(d, "],\"domains\":[");
	for (size_t i = 0; i < n_domains; i++) {
		fprintf(d, "%s{\"name\":\"d%zu.bench.example\",\"classes\":[\"c%zu\"],\"role\":\"%s\",%s"
			   "\"prefixes\":[", i ? "," : "", i, i % CLASSES,
			i % 3 ? "support" : "primary", i % 2 ? "\"ports\":[\"tcp/443\"]," : "");
		for (size_t j = i * per_domain(w); j < (i + 1) * per_domain(w) && j < w->n_endpoints; j++)
			fprintf(d, "%s\"%s/%u\"", j > i * per_domain(w) ? "," : "",
				world_ntop(&w->endpoints[j].addr, w->endpoints[j].v6, a, sizeof(a)),
				w->endpoints[j].len);
		fprintf(d, "]}");
	}
	fprintf(d, "]}\n");
out:
	if (d && fclose(d) && !err)
		err = -errno;
	if (s && fclose(s) && !err)
		err = -errno;
	return err;
}

/* A line's place in the blocks: the first_line of each block, then the
 * lines spread over its addresses. */
static uint32_t line_addr(const struct world *w, const struct world_isp *isp, size_t line)
{
	size_t lo = 0, hi = w->n_subscribers4, b, size, lines;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (isp->first_line[mid] <= line)
			lo = mid;
		else
			hi = mid;
	}
	b = lo;
	size = (size_t)1 << (32 - w->subscribers[b].len);
	lines = isp->first_line[b + 1] - isp->first_line[b];
	return host4(&w->subscribers[b].addr) + (uint32_t)((line - isp->first_line[b]) * size / lines);
}

/* The /22 unit of an address in the ISP's /8s, or -1. */
static long unit22(const struct world_isp *isp, uint32_t h)
{
	for (int i = 0; i < isp->n_slash8; i++)
		if (h >> 24 == isp->slash8[i])
			return (long)i << 14 | (h >> 10 & 0x3fff);
	return -1;
}

/* Blocks are /16 or longer: one in a service /16 is the /16 of its base. */
static bool in_service16(const struct world *w, uint32_t base)
{
	for (int i = 0; i < WORLD_SERVICE16; i++)
		if (w->service16[i] >> 16 == base >> 16)
			return true;
	return false;
}

int world_isp(struct world *w, struct world_isp *isp, size_t n_lines, size_t n_iot, uint64_t seed)
{
	/* lines are 80 % of the blocks' addresses; the blocks a quarter of
	 * their /8s at most, so that a free place is quickly found */
	size_t want = n_lines / 4 * 5 + 1024, total = 0, n = 0, cap = 1024;
	struct world_prefix *blocks = NULL;
	uint64_t *iot_bits = NULL, s = seed;
	int err = -ENOMEM;

	memset(isp, 0, sizeof(*isp));
	isp->seed = seed;
	isp->n_slash8 = (int)((want * 4 + (1 << 24) - 1) >> 24);
	if (isp->n_slash8 < 2)
		isp->n_slash8 = 2;
	if (isp->n_slash8 > WORLD_ISP_MAX_SLASH8 || n_iot > n_lines || n_lines >= 1ULL << 32)
		return -ERANGE;
	for (int i = 0; i < isp->n_slash8;) {
		uint8_t a = (uint8_t)(public4(&s) >> 24);
		bool dup = false;

		for (int j = 0; j < i; j++)
			dup |= isp->slash8[j] == a;
		if (!dup)
			isp->slash8[i++] = a;
	}
	isp->used22 = calloc((size_t)isp->n_slash8 << 8, sizeof(uint64_t));
	blocks = malloc(cap * sizeof(*blocks));
	if (!isp->used22 || !blocks)
		goto out;
	while (total < want) {
		int len = 16 + (int)below(&s, 7);
		uint32_t units = 1U << (22 - len), at, base;
		bool free_ = true;

		at = below(&s, (uint32_t)isp->n_slash8 << 14) & ~(units - 1);
		base = (uint32_t)isp->slash8[at >> 14] << 24 | (at & 0x3fff) << 10;
		for (uint32_t u = at; u < at + units && free_; u++)
			free_ = !(isp->used22[u >> 6] >> (u & 63) & 1);
		if (!free_ || in_service16(w, base))
			continue;
		for (uint32_t u = at; u < at + units; u++)
			isp->used22[u >> 6] |= 1ULL << (u & 63);
		if (n == cap) {
			struct world_prefix *more = realloc(blocks, 2 * cap * sizeof(*blocks));

			if (!more)
				goto out;
			blocks = more;
			cap *= 2;
		}
		memset(&blocks[n], 0, sizeof(blocks[n]));
		v4(&blocks[n].addr, base);
		blocks[n++].len = (uint8_t)len;
		total += (size_t)1 << (32 - len);
	}
	isp->first_line = malloc((n + 1) * sizeof(*isp->first_line));
	iot_bits = calloc(n_lines / 64 + 1, sizeof(*iot_bits));
	isp->iot = malloc((n_iot ?: 1) * sizeof(*isp->iot));
	if (!isp->first_line || !iot_bits || !isp->iot)
		goto out;
	/* each block's share of the lines, by its size */
	for (size_t b = 0, sum = 0; b <= n; b++) {
		isp->first_line[b] = (size_t)((unsigned __int128)sum * n_lines / total);
		if (b < n)
			sum += (size_t)1 << (32 - blocks[b].len);
	}
	for (size_t i = 0; i < n_iot;) {
		uint32_t line = below(&s, (uint32_t)n_lines);

		if (iot_bits[line >> 6] >> (line & 63) & 1)
			continue;
		iot_bits[line >> 6] |= 1ULL << (line & 63);
		i++;
	}
	for (size_t line = 0, i = 0; line < n_lines; line++)
		if (iot_bits[line >> 6] >> (line & 63) & 1)
			isp->iot[i++] = (uint32_t)line;
	free(w->subscribers);
	w->subscribers = blocks;
	w->n_subscribers = w->n_subscribers4 = n;
	blocks = NULL;
	isp->n_lines = n_lines;
	isp->n_iot = n_iot;
	err = 0;
out:
	free(blocks);
	free(iot_bits);
	if (err)
		world_isp_free(isp);
	return err;
}

void world_isp_free(struct world_isp *isp)
{
	free(isp->iot);
	free(isp->first_line);
	free(isp->used22);
	memset(isp, 0, sizeof(*isp));
}

static bool has_v4_endpoint(const struct world *w, size_t domain)
{
	for (size_t e = domain * per_domain(w); e < (domain + 1) * per_domain(w) && e < w->n_endpoints; e++)
		if (!w->endpoints[e].v6)
			return true;
	return false;
}

int world_isp_domains(const struct world *w, const struct world_isp *isp, size_t iot,
		      int d[WORLD_ISP_MAX_DOMAINS])
{
	uint64_t h = isp->seed ^ (iot + 1) * 0x9e3779b97f4a7c15ULL;
	size_t n_domains = (w->n_endpoints + per_domain(w) - 1) / per_domain(w);
	uint32_t class = below(&h, CLASSES), k = 1 + below(&h, WORLD_ISP_MAX_DOMAINS), rot;
	uint32_t of_class = (uint32_t)((n_domains + CLASSES - 1 - class) / CLASSES);
	int n = 0;

	if (!of_class)
		return 0;
	rot = below(&h, of_class);
	for (uint32_t m = 0; m < k && m < of_class; m++) {
		size_t domain = class + CLASSES * ((rot + m) % of_class);

		/* the ISP's lines are IPv4: a domain of IPv6 endpoints only
		 * is not reached */
		if (has_v4_endpoint(w, domain))
			d[n++] = (int)domain;
	}
	return n;
}

void world_isp_hit(const struct world *w, const struct world_isp *isp, uint64_t *s, size_t iot,
		   int d, struct world_record *r)
{
	struct world_addr sub, svc;
	const struct world_prefix *e;

	do
		e = &w->endpoints[(size_t)d * per_domain(w) + below(s, per_domain(w))];
	while (e >= w->endpoints + w->n_endpoints || e->v6);
	endpoint_addr(s, e, &svc);
	v4(&sub, line_addr(w, isp, isp->iot[iot]));
	memset(r, 0, sizeof(*r));
	orient(s, r, &sub, &svc);
	r->hit = true;
	r->proto = 6;
	if (!memcmp(&r->src, &sub, sizeof(sub)))
		r->dport = 443;
	else
		r->sport = 443;
}

void world_isp_miss(const struct world *w, const struct world_isp *isp, uint64_t *s,
		    struct world_record *r)
{
	struct world_addr sub, svc;
	long u;

	/* a service side in the ISP's own blocks would make it a record
	 * between two lines, which is not what a miss stands for */
	do {
		miss_service(s, w, false, &svc);
		u = unit22(isp, host4(&svc));
	} while (u >= 0 && isp->used22[u >> 6] >> (u & 63) & 1);
	v4(&sub, line_addr(w, isp, below(s, (uint32_t)isp->n_lines)));
	memset(r, 0, sizeof(*r));
	orient(s, r, &sub, &svc);
}
