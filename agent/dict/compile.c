// SPDX-License-Identifier: GPL-2.0
/*
 * The dictionary compiled for the kernel: the distinct prefixes of the
 * service_endpoints LPM trie, each with the rule set of every dictionary
 * prefix containing it, identical rule sets shared in endpoint_rules.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/array.h"
#include "dict/dict.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/prefix.h"
#include "lib/sort.h"

/* One prefix of one domain, as the dictionary lists it. */
struct item {
	struct haystack_lpm_key key;
	__u32 domain;
};

/* Eight octets of an address as a number: two of them order as memcmp
 * orders the octets. */
static inline __u64 addr_half(const __u8 *a)
{
	__u64 v;

	memcpy(&v, a, sizeof(v));
	return be64toh(v);
}

/* Address, then length ascending: every prefix comes right before all the
 * prefixes it contains (a pre-order walk of the containment tree), so one
 * stack of enclosing prefixes replaces pairwise containment checks. The
 * order of hs_key_cmp, then the domain, without its calls: a million
 * prefixes take twenty million comparisons. */
static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	__u64 p = addr_half(x->key.addr), q = addr_half(y->key.addr);

	if (p == q) {
		p = addr_half(x->key.addr + 8);
		q = addr_half(y->key.addr + 8);
	}
	if (p != q)
		return p < q ? -1 : 1;
	if (x->key.prefixlen != y->key.prefixlen)
		return x->key.prefixlen < y->key.prefixlen ? -1 : 1;
	return (x->domain > y->domain) - (x->domain < y->domain);
}

/* Byte d of an item's sort key, the least significant first: the prefix
 * length, then the address from its last byte to its first. */
#define ITEM_DIGITS	17

static inline __u8 item_digit(const struct item *it, int d)
{
	return d ? it->key.addr[16 - d] : (__u8)it->key.prefixlen;
}

/* src[0 .. n) sorted by a radix sort, stable, a byte of the key a pass
 * (count: ITEM_DIGITS x 256 counters, any values), a byte that is the same
 * in every item no pass. Returns src or dst, whichever holds the result. */
static struct item *radix_sort(struct item *src, struct item *dst, size_t n,
			       size_t (*count)[256])
{
	struct item *swap;
	size_t i, at, c;
	int d;

	memset(count, 0, ITEM_DIGITS * sizeof(*count));
	for (i = 0; i < n; i++)
		for (d = 0; d < ITEM_DIGITS; d++)
			count[d][item_digit(&src[i], d)]++;
	for (d = 0; n && d < ITEM_DIGITS; d++) {
		if (count[d][item_digit(&src[0], d)] == n)
			continue;
		for (at = 0, c = 0; c < 256; c++) {
			size_t k = count[d][c];

			count[d][c] = at;
			at += k;
		}
		for (i = 0; i < n; i++)
			dst[count[d][item_digit(&src[i], d)]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	return src;
}

/* Where an address lies against ::ffff:0:0/96: below it, in it (IPv4), or
 * above it. No prefix of one side holds an address of another (the parser
 * refuses IPv6 prefixes over IPv4), so the three order as their addresses. */
static int v4_side(const struct item *it)
{
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };
	int c = memcmp(it->key.addr, mapped, sizeof(mapped));

	return c < 0 ? 0 : c ? 2 : 1;
}

/*
 * The items in item_cmp's order, by a radix sort: qsort's twenty million
 * calls of item_cmp were the most of compiling a million prefixes. Stable,
 * and the items come in domain order, which is item_cmp's last key. The
 * IPv6 items apart from the IPv4 ones: sorted with them, the IPv4 ones
 * went through all sixteen address bytes, where the first twelve are the
 * same in all of them (five passes, not seventeen). Lengths above 255 (no
 * parser makes them) go to qsort.
 */
static int sort_items(struct item **items, size_t n)
{
	size_t (*count)[256] = NULL, i, at[3] = {}, len[3] = {}, off;
	struct item *tmp = NULL, *src = *items, *r;
	int g;

	for (i = 0; i < n; i++)
		if (src[i].key.prefixlen > 255)
			break;
	if (n < 2 || i < n) {
		hs_sort(src, n, sizeof(*src), item_cmp);
		return 0;
	}
	count = malloc(ITEM_DIGITS * sizeof(*count));
	tmp = malloc(n * sizeof(*tmp));
	if (!count || !tmp) {
		free(count);
		free(tmp);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		len[v4_side(&src[i])]++;
	at[1] = len[0];
	at[2] = len[0] + len[1];
	for (i = 0; i < n; i++)
		tmp[at[v4_side(&src[i])]++] = src[i];
	for (g = 0, off = 0; g < 3; off += len[g++]) {
		r = radix_sort(tmp + off, src + off, len[g], count);
		if (r != tmp + off)
			memcpy(tmp + off, r, len[g] * sizeof(*tmp));
	}
	free(src);
	free(count);
	*items = tmp;
	return 0;
}

int hs_rule_cmp(const void *a, const void *b)
{
	const struct endpoint_rule *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return (x->port > y->port) - (x->port < y->port);
}

static __u64 ruleset_hash(const struct endpoint_ruleset *rs)
{
	return hs_fnv1a64(HS_FNV1A64_INIT, rs,
			  offsetof(struct endpoint_ruleset, rule) + rs->count * sizeof(rs->rule[0]));
}

struct interner {
	__u64 *slots;		/* open addressing: the rule set's hash above,
				 * its id below; UINT64_MAX = empty */
	size_t mask;
	size_t cap;		/* of out->rulesets */
};

/* Identical rule sets share one endpoint_rules entry: the kernel array is
 * far smaller than the trie, and evidence keys stay comparable. The hash
 * in the slot spares reading the rule sets it is not (a cache miss each,
 * in a table of hundreds of thousands). */
static int intern(struct interner *t, struct hs_compiled *c,
		  const struct endpoint_ruleset *rs, __u32 *id)
{
	__u64 hash = ruleset_hash(rs), tag = hash & ~(__u64)UINT32_MAX;
	size_t h;

	for (h = hash & t->mask; t->slots[h] != UINT64_MAX; h = (h + 1) & t->mask) {
		if ((t->slots[h] & ~(__u64)UINT32_MAX) == tag &&
		    !memcmp(&c->rulesets[(__u32)t->slots[h]], rs, sizeof(*rs))) {
			*id = (__u32)t->slots[h];
			return 0;
		}
	}
	if (hs_grow((void **)&c->rulesets, &t->cap, c->n_rulesets, sizeof(*c->rulesets), 64))
		return -ENOMEM;
	*id = (__u32)c->n_rulesets;
	c->rulesets[c->n_rulesets++] = *rs;
	t->slots[h] = tag | *id;
	return 0;
}

static void too_many_rules(const struct hs_dict *d, const struct haystack_lpm_key *key,
			   const struct endpoint_rule *rules, size_t n)
{
	char p[HS_ADDRSTRLEN + 4], names[512];
	size_t i, len = 0;

	names[0] = '\0';
	for (i = 0; i < n && len < sizeof(names); i++) {
		if (i && rules[i].domain == rules[i - 1].domain)
			continue;
		if (len + strlen(d->domains[rules[i].domain].name) + 8 > sizeof(names)) {
			snprintf(names + len, sizeof(names) - len, ", ...");
			break;
		}
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
					len ? ", " : "", d->domains[rules[i].domain].name);
	}
	hs_err("%s: prefix %s needs %zu rules, at most %d fit (domains %s)",
	       d->path ? d->path : "dictionary", hs_format_prefix(key, p, sizeof(p)), n, HAYSTACK_MAX_RULES, names);
}

/* Items ahead of the walk whose domains it prefetches. */
#define COMPILE_AHEAD	16

int hs_dict_compile(const struct hs_dict *d, struct hs_compiled *out)
{
	/* enclosing prefixes of the current one: strictly longer each, so at
	 * most one per length 0..128 */
	struct hs_endpoint stack[129];
	struct endpoint_rule *rules = NULL;
	struct interner t = {};
	struct item *items = NULL;
	__u32 *alone = NULL;
	char p_buf[HS_ADDRSTRLEN + 4];
	size_t n_items = 0, i, g, k, m, n, need, rules_cap = 0, slots;
	int dom, p, depth = 0, err = 0;

	memset(out, 0, sizeof(*out));
	for (dom = 0; dom < d->n_domains; dom++)
		n_items += (size_t)d->domains[dom].n_prefixes;
	items = malloc((n_items + 1) * sizeof(*items));
	out->endpoints = malloc((n_items + 1) * sizeof(*out->endpoints));
	for (slots = 64; slots < 2 * n_items; slots *= 2)
		;
	t.slots = malloc(slots * sizeof(*t.slots));
	t.mask = slots - 1;
	alone = calloc((size_t)d->n_domains + 1, sizeof(*alone));
	if (!items || !out->endpoints || !t.slots || !alone) {
		err = -ENOMEM;
		goto out;
	}
	memset(t.slots, 0xff, slots * sizeof(*t.slots));
	for (i = 0, dom = 0; dom < d->n_domains; dom++)
		for (p = 0; p < d->domains[dom].n_prefixes; p++)
			items[i++] = (struct item){ d->domains[dom].prefixes[p], (__u32)dom };
	err = sort_items(&items, n_items);
	if (err)
		goto out;

	for (i = 0; i < n_items; i = g) {
		const struct haystack_lpm_key *key = &items[i].key;
		struct endpoint_ruleset rs = {};
		bool one_domain = true;
		__u32 id;

		/* items go by address, their domains in no order: what the
		 * walk reads of a domain further on is fetched meanwhile */
		if (i + COMPILE_AHEAD < n_items) {
			__u32 ahead = items[i + COMPILE_AHEAD].domain;

			__builtin_prefetch(&alone[ahead]);
			__builtin_prefetch(&d->domains[ahead]);
		}
		for (g = i + 1; g < n_items && !hs_key_cmp(&items[g].key, key); g++)
			one_domain &= items[g].domain == items[i].domain;
		/* the kernel returns only the longest match, so it must carry
		 * the rules of every prefix around it too */
		while (depth && !hs_prefix_contains(&stack[depth - 1].key, key))
			depth--;
		/* A prefix of one domain inside none has that domain's rules
		 * alone, whichever prefix of it it is: its rule set is the
		 * one the domain's first such prefix got. */
		one_domain &= !depth;
		if (one_domain && alone[items[i].domain]) {
			id = alone[items[i].domain] - 1;
			goto add;
		}

		need = HAYSTACK_MAX_RULES;
		for (k = i; k < g; k++)
			need += (size_t)(d->domains[items[k].domain].n_ports ?: 1);
		if (need > rules_cap) {
			struct endpoint_rule *tmp = realloc(rules, need * sizeof(*rules));

			if (!tmp) {
				err = -ENOMEM;
				goto out;
			}
			rules = tmp;
			rules_cap = need;
		}

		n = 0;
		if (depth) {
			rs = out->rulesets[stack[depth - 1].ruleset];
			memcpy(rules, rs.rule, rs.count * sizeof(*rules));
			n = rs.count;
		}
		for (k = i; k < g; k++) {
			const struct hs_domain *dm = &d->domains[items[k].domain];

			if (k > i && items[k].domain == items[k - 1].domain)
				continue;
			if (!dm->n_ports)
				rules[n++] = (struct endpoint_rule){ .domain = items[k].domain };
			for (p = 0; p < dm->n_ports; p++)
				rules[n++] = (struct endpoint_rule){
					.domain = items[k].domain,
					.port = dm->ports[p].port,
					.proto = dm->ports[p].proto,
				};
		}
		hs_sort(rules, n, sizeof(*rules), hs_rule_cmp);
		for (k = 1, m = n ? 1 : 0; k < n; k++)
			if (hs_rule_cmp(&rules[k], &rules[m - 1]))
				rules[m++] = rules[k];
		n = m;
		if (n > HAYSTACK_MAX_RULES) {
			too_many_rules(d, key, rules, n);
			err = -E2BIG;
			goto out;
		}

		memset(&rs, 0, sizeof(rs));
		rs.count = (__u32)n;
		memcpy(rs.rule, rules, n * sizeof(*rules));
		err = intern(&t, out, &rs, &id);
		if (err)
			goto out;
		if (one_domain)
			alone[items[i].domain] = id + 1;
add:
		out->endpoints[out->n_endpoints] = (struct hs_endpoint){ *key, id };
		/* only parsed prefixes nest strictly; a hand-made key with host
		 * bits set must not overrun the stack */
		if (depth == (int)(sizeof(stack) / sizeof(stack[0]))) {
			hs_err("%s: prefix %s: host bits set",
			       d->path ? d->path : "dictionary", hs_format_prefix(key, p_buf, sizeof(p_buf)));
			err = -EINVAL;
			goto out;
		}
		stack[depth++] = out->endpoints[out->n_endpoints++];
	}
out:
	if (err == -ENOMEM)
		hs_err("%s: out of memory compiling the dictionary", d->path ? d->path : "dictionary");
	if (err)
		hs_compiled_free(out);
	free(t.slots);
	free(alone);
	free(rules);
	free(items);
	return err;
}

void hs_compiled_free(struct hs_compiled *c)
{
	if (!c)
		return;
	free(c->endpoints);
	free(c->rulesets);
	memset(c, 0, sizeof(*c));
}
