// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lib/array.h"
#include "kern/harvest.h"
#include "kern/mapwalk.h"

int hs_ruleset_domains(int rules_fd, __u32 generation, __u32 ruleset, __u32 mask,
		       int domains[HAYSTACK_MAX_RULES], int *n)
{
	struct ruleset_key k = { .generation = generation, .ruleset = ruleset };
	struct endpoint_ruleset rs;

	if (bpf_map_lookup_elem(rules_fd, &k, &rs))
		return -errno;
	*n = 0;
	for (__u32 i = 0; i < rs.count && i < HAYSTACK_MAX_RULES; i++) {
		int d = rs.rule[i].domain, seen = 0;

		if (!(mask & (1U << i)))
			continue;
		/* A domain with several ports has several rules: list it once. */
		for (int j = 0; j < *n; j++)
			seen |= domains[j] == d;
		if (!seen)
			domains[(*n)++] = d;
	}
	return 0;
}

static int evidence_from_entry(int rules_fd, const struct evidence_key *k,
			       const struct evidence_value *v, struct hs_evidence *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->subscriber, k->subscriber, 16);
	e->hour = k->bin_start;
	e->generation = k->generation;
	e->packets = v->packets;
	e->packets_estimate = v->packets_estimate;
	return hs_ruleset_domains(rules_fd, k->generation, k->ruleset, k->rule_mask, e->domains,
				  &e->n_domains);
}

struct harvest {
	int rules_fd;
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
	return evidence_from_entry(h->rules_fd, k, value, &h->ev[h->n++]);
}

int hs_harvest(int evidence_fd, int rules_fd, __u64 from, __u64 until,
	       struct hs_evidence **out, size_t *n)
{
	struct harvest h = { .rules_fd = rules_fd, .from = from, .until = until };
	int err;

	err = hs_map_for_each(evidence_fd, sizeof(struct evidence_key),
			      sizeof(struct evidence_value), harvest_one, &h);
	if (err) {
		free(h.ev);
		return err;
	}
	*out = h.ev;
	*n = h.n;
	return 0;
}

int hs_evidence_expire(int evidence_fd, __u64 until, size_t *n_deleted)
{
	return hs_evidence_expire_outside(evidence_fd, until, 0, n_deleted, NULL);
}

struct outside {
	int fd;
	__u64 until, ceiling;
	size_t n_before, n_past;
	int err;
};

static int expire_outside(const void *key, const void *value, void *ctx)
{
	const struct evidence_key *k = key;
	struct outside *x = ctx;
	bool past = x->ceiling && k->bin_start > x->ceiling;

	if (k->bin_start >= x->until && !past)
		return 0;
	if (bpf_map_delete_elem(x->fd, k) && errno != ENOENT)
		x->err = -errno;
	else if (past)
		x->n_past++;
	else
		x->n_before++;
	return 0;
}

int hs_evidence_expire_outside(int evidence_fd, __u64 until, __u64 ceiling, size_t *n_before,
			       size_t *n_past)
{
	struct outside x = { .fd = evidence_fd, .until = until, .ceiling = ceiling };
	int err = hs_map_for_each(evidence_fd, sizeof(struct evidence_key), 0, expire_outside, &x);

	if (n_before)
		*n_before = x.n_before;
	if (n_past)
		*n_past = x.n_past;
	return err ?: x.err;
}

size_t hs_evidence_count(int evidence_fd)
{
	return hs_map_count(evidence_fd, sizeof(struct evidence_key));
}
