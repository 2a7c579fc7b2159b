// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include "lib/array.h"
#include "kern/harvest.h"
#include "kern/mapwalk.h"

/* The distinct domains of the rules of rs in mask. */
static void ruleset_domains(const struct endpoint_ruleset *rs, __u32 mask,
			    __u16 domains[HAYSTACK_MAX_RULES], int *n)
{
	*n = 0;
	for (__u32 i = 0; i < rs->count && i < HAYSTACK_MAX_RULES; i++) {
		int d = rs->rule[i].domain, seen = 0;

		if (!(mask & (1U << i)))
			continue;
		/* A domain with several ports has several rules: list it once. */
		for (int j = 0; j < *n; j++)
			seen |= domains[j] == d;
		if (!seen)
			domains[(*n)++] = d;
	}
}

int hs_ruleset_domains(int rules_fd, __u32 generation, __u32 ruleset, __u32 mask,
		       __u16 domains[HAYSTACK_MAX_RULES], int *n)
{
	struct ruleset_key k = { .generation = generation, .ruleset = ruleset };
	struct endpoint_ruleset rs;

	if (bpf_map_lookup_elem(rules_fd, &k, &rs))
		return -errno;
	ruleset_domains(&rs, mask, domains, n);
	return 0;
}

/*
 * The rule sets a harvest has read, by (generation, rule set): a dictionary
 * has far fewer rule sets than a bin has evidence entries, so each is read
 * from the kernel once, not once an entry. Open addressing, grown at half.
 */
struct rules_cache {
	int fd;
	__u64 *keys;		/* generation << 32 | rule set, + 1; 0 = empty */
	struct endpoint_ruleset *sets;
	size_t mask, n;
};

static size_t cache_slot(const struct rules_cache *c, __u64 k)
{
	size_t i = (size_t)(k * 0x9e3779b97f4a7c15ULL) & c->mask;

	while (c->keys[i] && c->keys[i] != k)
		i = (i + 1) & c->mask;
	return i;
}

static int cache_grow(struct rules_cache *c)
{
	struct rules_cache g = { .fd = c->fd, .mask = c->mask ? 2 * c->mask + 1 : 255, .n = c->n };

	g.keys = calloc(g.mask + 1, sizeof(*g.keys));
	g.sets = malloc((g.mask + 1) * sizeof(*g.sets));
	if (!g.keys || !g.sets) {
		free(g.keys);
		free(g.sets);
		return -ENOMEM;
	}
	for (size_t i = 0; c->keys && i <= c->mask; i++) {
		size_t j;

		if (!c->keys[i])
			continue;
		j = cache_slot(&g, c->keys[i]);
		g.keys[j] = c->keys[i];
		g.sets[j] = c->sets[i];
	}
	free(c->keys);
	free(c->sets);
	*c = g;
	return 0;
}

static int cache_get(struct rules_cache *c, __u32 generation, __u32 ruleset,
		     const struct endpoint_ruleset **out)
{
	struct ruleset_key k = { .generation = generation, .ruleset = ruleset };
	__u64 key = ((__u64)generation << 32 | ruleset) + 1;
	size_t i;

	if (2 * (c->n + 1) > c->mask && cache_grow(c))
		return -ENOMEM;
	i = cache_slot(c, key);
	if (!c->keys[i]) {
		if (bpf_map_lookup_elem(c->fd, &k, &c->sets[i]))
			return -errno;
		c->keys[i] = key;
		c->n++;
	}
	*out = &c->sets[i];
	return 0;
}

static int evidence_from_entry(struct rules_cache *rules, const struct evidence_key *k,
			       const struct evidence_value *v, struct hs_evidence *e)
{
	const struct endpoint_ruleset *rs = NULL;
	int n, err = cache_get(rules, k->generation, k->ruleset, &rs);

	if (err)
		return err;
	memset(e, 0, sizeof(*e));
	memcpy(e->subscriber, k->subscriber, 16);
	e->hour = k->bin_start;
	e->generation = k->generation;
	e->packets = v->packets;
	e->packets_estimate = v->packets_estimate;
	ruleset_domains(rs, k->rule_mask, e->domains, &n);
	e->n_domains = (__u16)n;
	return 0;
}

struct harvest {
	struct rules_cache rules;
	__u64 from, until;
	struct hs_evidence *ev;
	size_t n, cap;
};

static int harvest_one(const void *key, const void *value, void *ctx)
{
	const struct evidence_key *k = key;
	struct harvest *h = ctx;

	if (k->bin_start < h->from || k->bin_start >= h->until)
		return 0;
	if (hs_grow((void **)&h->ev, &h->cap, h->n, sizeof(*h->ev), 1024))
		return -ENOMEM;
	return evidence_from_entry(&h->rules, k, value, &h->ev[h->n++]);
}

/* A way of an hour table, as the entry of the evidence map it stands for. */
static int harvest_way(const struct hs_table *tb, __u64 key, const struct evidence_count *c,
		       void *ctx)
{
	const struct evidence_table_key *tk = &tb->key;
	struct evidence_key k = {
		.subscriber = { [10] = 0xff, [11] = 0xff },
		.bin_start = tk->hour,
		.generation = tk->generation,
		.ruleset = HAYSTACK_TABLE_KEY_RULESET(key),
		.rule_mask = HAYSTACK_TABLE_KEY_MASK(key),
	};
	struct evidence_value v = { .packets = c->packets,
				    .packets_estimate = c->packets_estimate };
	__u32 addr = htonl(HAYSTACK_TABLE_KEY_ADDR(key));

	memcpy(&k.subscriber[12], &addr, 4);
	return harvest_one(&k, &v, ctx);
}

int hs_harvest(int evidence_fd, const struct hs_tables *tables, int rules_fd, __u64 from,
	       __u64 until, struct hs_evidence **out, size_t *n)
{
	struct harvest h = { .rules = { .fd = rules_fd }, .from = from, .until = until };
	int err;

	err = hs_map_for_each(evidence_fd, sizeof(struct evidence_key),
			      sizeof(struct evidence_value), harvest_one, &h);
	if (!err && tables)
		err = hs_tables_for_each(tables, from, until, harvest_way, &h);
	free(h.rules.keys);
	free(h.rules.sets);
	if (err) {
		free(h.ev);
		return err;
	}
	*out = h.ev;
	*n = h.n;
	return 0;
}

/* A way of a bin's hour table or fold: a fold's evidence stands for the
 * bin's start, folded, and its ways of mask 0 are the classes active. */
struct harvest_bin {
	struct harvest h;
	struct hs_activity *act;
	size_t n_act, cap_act;
};

static int harvest_bin_way(const struct hs_table *tb, __u64 key, const struct evidence_count *c,
			   void *ctx)
{
	struct harvest_bin *b = ctx;
	__u32 addr = htonl(HAYSTACK_TABLE_KEY_ADDR(key));
	struct hs_activity *a;
	size_t n = b->h.n;
	int err;

	if (!tb->width)
		return harvest_way(tb, key, c, &b->h);
	if (HAYSTACK_TABLE_KEY_MASK(key)) {
		err = harvest_way(tb, key, c, &b->h);
		if (!err && b->h.n > n)
			b->h.ev[n].folded = true;
		return err;
	}
	if (hs_grow((void **)&b->act, &b->cap_act, b->n_act, sizeof(*b->act), 1024))
		return -ENOMEM;
	a = &b->act[b->n_act++];
	memset(a, 0, sizeof(*a));
	a->subscriber[10] = a->subscriber[11] = 0xff;
	memcpy(&a->subscriber[12], &addr, 4);
	a->bin_start = tb->key.hour;
	a->generation = tb->key.generation;
	a->class_id = (int)HAYSTACK_TABLE_KEY_RULESET(key);
	return 0;
}

int hs_harvest_bin(int evidence_fd, const struct hs_tables *tables, int rules_fd, __u32 width,
		   __u64 bin_start, struct hs_evidence **ev, size_t *n, struct hs_activity **act,
		   size_t *n_act)
{
	struct harvest_bin b = { .h = { .rules = { .fd = rules_fd }, .from = bin_start,
					.until = bin_start + width } };
	int err;

	err = hs_map_for_each(evidence_fd, sizeof(struct evidence_key),
			      sizeof(struct evidence_value), harvest_one, &b.h);
	if (!err)
		err = hs_tables_for_each_bin(tables, width, bin_start, harvest_bin_way, &b);
	free(b.h.rules.keys);
	free(b.h.rules.sets);
	if (err) {
		free(b.h.ev);
		free(b.act);
		return err;
	}
	*ev = b.h.ev;
	*n = b.h.n;
	*act = b.act;
	*n_act = b.n_act;
	return 0;
}

int hs_evidence_expire(int evidence_fd, __u64 until, size_t *n_deleted)
{
	return hs_evidence_expire_outside(evidence_fd, until, 0, n_deleted, NULL);
}

struct outside {
	__u64 until, ceiling;
	size_t n_before, n_past;
	struct evidence_key *keys;	/* to delete, once the walk is done */
	size_t n, cap;
};

static int expire_outside(const void *key, const void *value, void *ctx)
{
	const struct evidence_key *k = key;
	struct outside *x = ctx;
	bool past = x->ceiling && k->bin_start > x->ceiling;

	if (k->bin_start >= x->until && !past)
		return 0;
	if (hs_grow((void **)&x->keys, &x->cap, x->n, sizeof(*x->keys), 1024))
		return -ENOMEM;
	x->keys[x->n++] = *k;
	if (past)
		x->n_past++;
	else
		x->n_before++;
	return 0;
}

/* keys[0..n) out of the map, thousands a syscall (BPF_MAP_DELETE_BATCH); a
 * key gone already is passed over. */
static int delete_keys(int fd, const struct evidence_key *keys, size_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	size_t done = 0;

	while (done < n) {
		__u32 count = n - done > 4096 ? 4096 : (__u32)(n - done);

		if (!bpf_map_delete_batch(fd, keys + done, &count, &opts)) {
			done += count;
			continue;
		}
		if (errno != ENOENT)
			return -errno;
		done += count + 1;	/* count deleted, then the one not there */
	}
	return 0;
}

int hs_evidence_expire_outside(int evidence_fd, __u64 until, __u64 ceiling, size_t *n_before,
			       size_t *n_past)
{
	struct outside x = { .until = until, .ceiling = ceiling };
	int err = hs_map_for_each(evidence_fd, sizeof(struct evidence_key), 0, expire_outside, &x);

	if (!err)
		err = delete_keys(evidence_fd, x.keys, x.n);
	free(x.keys);
	if (n_before)
		*n_before = x.n_before;
	if (n_past)
		*n_past = x.n_past;
	return err;
}

size_t hs_evidence_count(int evidence_fd)
{
	return hs_map_count(evidence_fd, sizeof(struct evidence_key));
}
