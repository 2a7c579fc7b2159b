// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "world.h"

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
 * are few and dense) for IPv4, 2600:1f00::/24 for IPv6. Endpoints are
 * drawn there; misses half there and half anywhere public.
 */
struct space {
	uint32_t block16[256];
};

static uint32_t service4(uint64_t *s, const struct space *sp)
{
	return sp->block16[below(s, 256)] | (uint32_t)(next(s) & 0xffff);
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

int world_make(struct world *w, const struct world_params *p)
{
	uint64_t s = p->seed;
	struct set used = {}, cover = {};
	struct space sp;
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

	for (int i = 0; i < 256; i++)
		sp.block16[i] = public4(&s) & 0xffff0000;
	for (size_t i = 0; i < p->n_endpoints;) {
		struct world_prefix *e = &w->endpoints[i];
		uint32_t kind = below(&s, 100);

		memset(e, 0, sizeof(*e));
		if (kind < 94) {
			uint32_t h = service4(&s, &sp);

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
			do {
				bool anywhere = next(&s) & 1;

				if (v6)
					service6(&s, &svc, anywhere);
				else
					v4(&svc, anywhere ? public4(&s) : service4(&s, &sp));
			} while (covered(&cover, &svc, v6));
		}
		r->v6 = v6;
		r->proto = below(&s, 10) < 8 ? 6 : 17;
		if (next(&s) & 1) {
			r->src = sub;
			r->dst = svc;
			r->sport = 32768 + below(&s, 28000);
			r->dport = below(&s, 10) < 7 ? 443 : 80;
		} else {
			r->src = svc;
			r->dst = sub;
			r->sport = below(&s, 10) < 7 ? 443 : 80;
			r->dport = 32768 + below(&s, 28000);
		}
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

#define CLASSES		64
#define PER_DOMAIN	8

int world_write(const struct world *w, const char *dict_path, const char *subs_path)
{
	FILE *d = fopen(dict_path, "w"), *s = fopen(subs_path, "w");
	char a[INET6_ADDRSTRLEN];
	size_t n_domains = (w->n_endpoints + PER_DOMAIN - 1) / PER_DOMAIN;
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
		for (size_t j = i * PER_DOMAIN; j < (i + 1) * PER_DOMAIN && j < w->n_endpoints; j++)
			fprintf(d, "%s\"%s/%u\"", j > i * PER_DOMAIN ? "," : "",
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
