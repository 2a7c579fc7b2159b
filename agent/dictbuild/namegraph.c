// SPDX-License-Identifier: GPL-2.0
/*
 * Dedicated or shared (paper §4.2.1). An address is exclusive to an IoT
 * domain when every name that resolves to it — directly or through CNAMEs —
 * is in the domain's registrable domain or on the domain's own CNAME chain
 * (which is how a vendor's name reaches a cloud VM such as
 * devA-VM.ec2compute.amazonaws.com). A domain is dedicated when all its
 * addresses are exclusive.
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/array.h"
#include "dictbuild/namegraph.h"
#include "lib/dnsname.h"
#include "lib/hash.h"
#include "lib/prefix.h"
#include "lib/sort.h"

struct name {
	char *s;
	const char *regdom;
	bool regdom_done;
};

struct cname_edge {
	__u32 from, to;
};

struct addr_edge {
	__u32 name;
	__u8 addr[16];
};

struct hs_dnsgraph {
	long long from, until;
	struct name *names;
	size_t n_names, cap_names;
	__u32 *slots;			/* name hash table; UINT32_MAX = empty */
	size_t mask;
	struct cname_edge *cn, *cn_rev;	/* by (from, to) and by (to, from) */
	size_t n_cn, cap_cn;
	struct addr_edge *ad, *ad_rev;	/* by (name, addr) and by (addr, name) */
	size_t n_ad, cap_ad;
	bool sealed;
	/* visit marks: a name is marked when its entry equals the generation,
	 * so no per-domain clearing of arrays as large as the day's names */
	__u32 *chain_mark, *back_mark;
	__u32 chain_gen;		/* one per domain */
	__u32 back_gen;			/* one per address */
};

static bool below(const char *name, const char *base)
{
	size_t n = strlen(name), b = strlen(base);

	return n > b + 1 && name[n - b - 1] == '.' && !strcmp(name + n - b, base);
}

/* ---- the graph ---- */

struct hs_dnsgraph *hs_dnsgraph_new(long long from, long long until)
{
	struct hs_dnsgraph *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->from = from;
	g->until = until;
	g->mask = 1023;
	g->slots = malloc((g->mask + 1) * sizeof(*g->slots));
	if (!g->slots) {
		free(g);
		return NULL;
	}
	memset(g->slots, 0xff, (g->mask + 1) * sizeof(*g->slots));
	return g;
}

void hs_dnsgraph_free(struct hs_dnsgraph *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->n_names; i++)
		free(g->names[i].s);
	free(g->names);
	free(g->slots);
	free(g->cn);
	free(g->cn_rev);
	free(g->ad);
	free(g->ad_rev);
	free(g->chain_mark);
	free(g->back_mark);
	free(g);
}

static __u32 *slot_of(const struct hs_dnsgraph *g, const char *s)
{
	size_t h;

	for (h = (size_t)hs_fnv1a64_str(s) & g->mask; g->slots[h] != UINT32_MAX; h = (h + 1) & g->mask)
		if (!strcmp(g->names[g->slots[h]].s, s))
			break;
	return &g->slots[h];
}

static int grow_table(struct hs_dnsgraph *g)
{
	size_t i, cap = (g->mask + 1) * 2;
	__u32 *old = g->slots;

	g->slots = malloc(cap * sizeof(*g->slots));
	if (!g->slots) {
		g->slots = old;
		return -ENOMEM;
	}
	memset(g->slots, 0xff, cap * sizeof(*g->slots));
	g->mask = cap - 1;
	for (i = 0; i < g->n_names; i++)
		*slot_of(g, g->names[i].s) = (__u32)i;
	free(old);
	return 0;
}

static long name_find(const struct hs_dnsgraph *g, const char *s)
{
	__u32 id = *slot_of(g, s);

	return id == UINT32_MAX ? -1 : (long)id;
}

static long name_intern(struct hs_dnsgraph *g, const char *s)
{
	__u32 *slot;

	slot = slot_of(g, s);
	if (*slot != UINT32_MAX)
		return *slot;
	if (hs_grow((void **)&g->names, &g->cap_names, g->n_names, sizeof(*g->names), 256))
		return -ENOMEM;
	g->names[g->n_names] = (struct name){ .s = strdup(s) };
	if (!g->names[g->n_names].s)
		return -ENOMEM;
	*slot = (__u32)g->n_names++;
	if (g->n_names * 2 > g->mask && grow_table(g))
		return -ENOMEM;
	return (long)g->n_names - 1;
}

int hs_dnsgraph_add(struct hs_dnsgraph *g, const char *rrname, const char *rrtype,
		    const char *rdata, long long first, long long last)
{
	char owner[256], target[256];
	__u8 addr[16];
	long from, to;
	bool is_cname = !strcasecmp(rrtype, "CNAME");

	if (!is_cname && strcasecmp(rrtype, "A") && strcasecmp(rrtype, "AAAA"))
		return 0;
	if (last < g->from || first >= g->until || last < first)
		return 0;
	if (snprintf(owner, sizeof(owner), "%s", rrname) >= (int)sizeof(owner) ||
	    hs_name_normalize(owner))
		return -EINVAL;
	if (is_cname) {
		if (snprintf(target, sizeof(target), "%s", rdata) >= (int)sizeof(target) ||
		    hs_name_normalize(target))
			return -EINVAL;
	} else if (hs_parse_addr(rdata, addr) ||
		   hs_addr_is_v4(addr) != !strcasecmp(rrtype, "A")) {
		return -EINVAL;
	}
	from = name_intern(g, owner);
	if (from < 0)
		return -ENOMEM;
	g->sealed = false;
	if (is_cname) {
		to = name_intern(g, target);
		if (to < 0 || hs_grow((void **)&g->cn, &g->cap_cn, g->n_cn, sizeof(*g->cn), 256))
			return -ENOMEM;
		g->cn[g->n_cn++] = (struct cname_edge){ (__u32)from, (__u32)to };
		return 1;
	}
	if (hs_grow((void **)&g->ad, &g->cap_ad, g->n_ad, sizeof(*g->ad), 256))
		return -ENOMEM;
	g->ad[g->n_ad].name = (__u32)from;
	memcpy(g->ad[g->n_ad++].addr, addr, 16);
	return 1;
}

static int u32_cmp(__u32 a, __u32 b)
{
	return (a > b) - (a < b);
}

static int cn_fwd_cmp(const void *a, const void *b)
{
	const struct cname_edge *x = a, *y = b;

	return u32_cmp(x->from, y->from) ?: u32_cmp(x->to, y->to);
}

static int cn_rev_cmp(const void *a, const void *b)
{
	const struct cname_edge *x = a, *y = b;

	return u32_cmp(x->to, y->to) ?: u32_cmp(x->from, y->from);
}

static int ad_fwd_cmp(const void *a, const void *b)
{
	const struct addr_edge *x = a, *y = b;

	return u32_cmp(x->name, y->name) ?: hs_addr_cmp(x->addr, y->addr);
}

static int ad_rev_cmp(const void *a, const void *b)
{
	const struct addr_edge *x = a, *y = b;

	return hs_addr_cmp(x->addr, y->addr) ?: u32_cmp(x->name, y->name);
}

/* Sorted, without repeats (a record seen in several files or lines counts
 * once), and a copy in reverse order for walking from addresses back. */
static size_t sort_unique(void *arr, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
	char *p = arr;
	size_t i, m = n ? 1 : 0;

	hs_sort(arr, n, sz, cmp);
	for (i = 1; i < n; i++)
		if (cmp(p + i * sz, p + (m - 1) * sz))
			memmove(p + m++ * sz, p + i * sz, sz);
	return m;
}

static int seal(struct hs_dnsgraph *g)
{
	if (g->sealed)
		return 0;
	g->n_cn = sort_unique(g->cn, g->n_cn, sizeof(*g->cn), cn_fwd_cmp);
	g->n_ad = sort_unique(g->ad, g->n_ad, sizeof(*g->ad), ad_fwd_cmp);
	free(g->cn_rev);
	free(g->ad_rev);
	free(g->chain_mark);
	free(g->back_mark);
	g->cn_rev = malloc((g->n_cn + 1) * sizeof(*g->cn_rev));
	g->ad_rev = malloc((g->n_ad + 1) * sizeof(*g->ad_rev));
	g->chain_mark = calloc(g->n_names + 1, sizeof(*g->chain_mark));
	g->back_mark = calloc(g->n_names + 1, sizeof(*g->back_mark));
	if (!g->cn_rev || !g->ad_rev || !g->chain_mark || !g->back_mark)
		return -ENOMEM;
	/* an empty day has no arrays at all: memcpy wants pointers even for 0 */
	if (g->n_cn)
		memcpy(g->cn_rev, g->cn, g->n_cn * sizeof(*g->cn));
	if (g->n_ad)
		memcpy(g->ad_rev, g->ad, g->n_ad * sizeof(*g->ad));
	hs_sort(g->cn_rev, g->n_cn, sizeof(*g->cn_rev), cn_rev_cmp);
	hs_sort(g->ad_rev, g->n_ad, sizeof(*g->ad_rev), ad_rev_cmp);
	g->chain_gen = g->back_gen = 0;
	g->sealed = true;
	return 0;
}

/* [*lo, return) is the run of sorted elements equal to key under cmp. */
static size_t equal_range(const void *arr, size_t n, size_t sz, const void *key,
			  int (*cmp)(const void *, const void *), size_t *lo)
{
	const char *p = arr;
	size_t a = 0, b = n, hi;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (cmp(p + m * sz, key) < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	for (hi = a; hi < n && !cmp(p + hi * sz, key); hi++)
		;
	return hi;
}

static int cn_from_cmp(const void *a, const void *b)
{
	return u32_cmp(((const struct cname_edge *)a)->from, ((const struct cname_edge *)b)->from);
}

static int cn_to_cmp(const void *a, const void *b)
{
	return u32_cmp(((const struct cname_edge *)a)->to, ((const struct cname_edge *)b)->to);
}

static int ad_name_cmp(const void *a, const void *b)
{
	return u32_cmp(((const struct addr_edge *)a)->name, ((const struct addr_edge *)b)->name);
}

static int ad_addr_cmp(const void *a, const void *b)
{
	return hs_addr_cmp(((const struct addr_edge *)a)->addr, ((const struct addr_edge *)b)->addr);
}

/* ---- walks ---- */

/* A fresh generation unmarks every name at once. */
static void next_gen(__u32 *mark, __u32 *gen, size_t n)
{
	if (++*gen == 0) {
		memset(mark, 0, (n + 1) * sizeof(*mark));
		*gen = 1;
	}
}

struct idlist {
	__u32 *v;
	size_t n, cap;
};

static int push(struct idlist *l, __u32 id)
{
	if (hs_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v), 256))
		return -ENOMEM;
	l->v[l->n++] = id;
	return 0;
}

/*
 * Breadth first from the names in l (already marked), along CNAME edges
 * forward (domain → target) or back (target → the names aliasing it), at
 * most HS_MAX_CHAIN hops; l ends holding every name reached. Marks make
 * loops finite. Returns 1 when the bound cut a chain, 0, or -ENOMEM.
 */
static int walk(struct hs_dnsgraph *g, struct idlist *l, __u32 *mark, __u32 gen, bool forward)
{
	const struct cname_edge *edges = forward ? g->cn : g->cn_rev;
	size_t start = 0, end = l->n, i, k, lo, hi;
	int depth, cut = 0;

	for (depth = 0; start < end; depth++) {
		for (i = start; i < end; i++) {
			struct cname_edge key = { l->v[i], l->v[i] };

			hi = equal_range(edges, g->n_cn, sizeof(*edges), &key,
					 forward ? cn_from_cmp : cn_to_cmp, &lo);
			for (k = lo; k < hi; k++) {
				__u32 next = forward ? edges[k].to : edges[k].from;

				if (mark[next] == gen)
					continue;
				if (depth == HS_MAX_CHAIN) {
					cut = 1;
					continue;
				}
				mark[next] = gen;
				if (push(l, next))
					return -ENOMEM;
			}
		}
		start = end;
		end = l->n;
	}
	return cut;
}

static bool same_regdom(struct hs_dnsgraph *g, __u32 id, const char *regdom)
{
	struct name *n = &g->names[id];

	if (!n->regdom_done) {
		n->regdom = hs_registrable_domain(n->s);
		n->regdom_done = true;
	}
	return regdom && n->regdom && !strcmp(n->regdom, regdom);
}

/* Every name that resolves to addr (chain members are marked in
 * chain_mark): which of them are foreign to the domain. */
static int judge_address(struct hs_dnsgraph *g, const __u8 addr[16], const char *regdom,
			 struct hs_address_evidence *ev)
{
	struct addr_edge key = {};
	struct idlist back = {};
	const char **foreign = NULL;	/* borrowed from the graph */
	size_t i, lo, hi;
	int n = 0, err;

	next_gen(g->back_mark, &g->back_gen, g->n_names);
	memcpy(ev->addr, addr, 16);
	memcpy(key.addr, addr, 16);
	hi = equal_range(g->ad_rev, g->n_ad, sizeof(*g->ad_rev), &key, ad_addr_cmp, &lo);
	for (i = lo; i < hi; i++) {
		__u32 id = g->ad_rev[i].name;

		if (g->back_mark[id] == g->back_gen)
			continue;
		g->back_mark[id] = g->back_gen;
		if ((err = push(&back, id)))
			goto out;
	}
	err = walk(g, &back, g->back_mark, g->back_gen, false);
	if (err < 0)
		goto out;
	err = -ENOMEM;
	foreign = calloc(back.n + 1, sizeof(*foreign));
	if (!foreign)
		goto out;
	for (i = 0; i < back.n; i++)
		if (g->chain_mark[back.v[i]] != g->chain_gen && !same_regdom(g, back.v[i], regdom))
			foreign[n++] = g->names[back.v[i]].s;
	hs_sort(foreign, (size_t)n, sizeof(*foreign), hs_str_cmp);
	ev->n_names = (int)back.n;
	ev->n_foreign = n;
	ev->exclusive = !n;
	ev->foreign = calloc(HS_EVIDENCE_NAMES, sizeof(*ev->foreign));
	if (!ev->foreign)
		goto out;
	for (; ev->n_listed < n && ev->n_listed < HS_EVIDENCE_NAMES; ev->n_listed++)
		if (!(ev->foreign[ev->n_listed] = strdup(foreign[ev->n_listed])))
			goto out;
	err = 0;
out:
	free(foreign);
	free(back.v);
	return err;
}

int hs_classify(struct hs_dnsgraph *g, const char *domain, struct hs_decision *out)
{
	bool pattern = !strncmp(domain, "*.", 2);
	struct idlist chain = {};
	__u8 (*addrs)[16] = NULL;
	size_t i, k, lo, hi, n_addrs = 0;
	int err;

	memset(out, 0, sizeof(*out));
	out->regdom = hs_registrable_domain(domain);
	err = seal(g);
	if (err)
		return err;
	next_gen(g->chain_mark, &g->chain_gen, g->n_names);

	/* a pattern starts from every name below its base */
	for (i = 0; i < g->n_names; i++) {
		long id = pattern ? (below(g->names[i].s, domain + 2) ? (long)i : -1) :
				    name_find(g, domain);

		if (id >= 0) {
			g->chain_mark[id] = g->chain_gen;
			if (push(&chain, (__u32)id))
				goto nomem;
		}
		if (!pattern)
			break;
	}
	err = walk(g, &chain, g->chain_mark, g->chain_gen, true);
	if (err < 0)
		goto nomem;
	out->truncated = err;

	for (i = 0; i < chain.n; i++) {
		struct addr_edge key = { .name = chain.v[i] };

		hi = equal_range(g->ad, g->n_ad, sizeof(*g->ad), &key, ad_name_cmp, &lo);
		for (k = lo; k < hi; k++) {
			void *tmp = realloc(addrs, (n_addrs + 1) * sizeof(*addrs));

			if (!tmp)
				goto nomem;
			addrs = tmp;
			memcpy(addrs[n_addrs++], g->ad[k].addr, 16);
		}
	}
	n_addrs = sort_unique(addrs, n_addrs, sizeof(*addrs), hs_addr_cmp);

	out->chain = calloc(chain.n + 1, sizeof(*out->chain));
	out->addrs = calloc(n_addrs + 1, sizeof(*out->addrs));
	if (!out->chain || !out->addrs)
		goto nomem;
	for (i = 0; i < chain.n; i++) {
		if (!(out->chain[i] = strdup(g->names[chain.v[i]].s)))
			goto nomem;
		out->n_chain++;
	}
	hs_sort(out->chain, (size_t)out->n_chain, sizeof(*out->chain), hs_str_cmp);

	out->verdict = n_addrs ? HS_DEDICATED : HS_UNKNOWN;
	for (i = 0; i < n_addrs; i++) {
		out->n_addrs++;		/* so that a partial entry is freed too */
		if (judge_address(g, addrs[i], out->regdom, &out->addrs[i]))
			goto nomem;
		if (!out->addrs[i].exclusive)
			out->verdict = HS_SHARED;
	}
	/* addresses past the bound are unseen: all seen being exclusive
	 * proves nothing, while one foreign name already proves sharing */
	if (out->truncated && out->verdict != HS_SHARED)
		out->verdict = HS_CHAIN_TOO_LONG;
	free(addrs);
	free(chain.v);
	return 0;
nomem:
	free(addrs);
	free(chain.v);
	hs_decision_free(out);
	return -ENOMEM;
}

void hs_decision_free(struct hs_decision *d)
{
	int i, k;

	for (i = 0; i < d->n_chain; i++)
		free(d->chain[i]);
	for (i = 0; i < d->n_addrs; i++) {
		for (k = 0; k < d->addrs[i].n_listed; k++)
			free(d->addrs[i].foreign[k]);
		free(d->addrs[i].foreign);
	}
	free(d->chain);
	free(d->addrs);
	memset(d, 0, sizeof(*d));
}

const char *hs_verdict_name(enum hs_verdict v)
{
	switch (v) {
	case HS_DEDICATED: return "dedicated";
	case HS_SHARED: return "shared";
	case HS_CHAIN_TOO_LONG: return "chain-too-long";
	default: return "unknown";
	}
}
