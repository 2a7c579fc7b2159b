// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kern/harvest.h"

int hs_ruleset_domains(int rules_fd, __u32 ruleset, __u32 mask,
		       int domains[HAYSTACK_MAX_RULES], int *n)
{
	struct endpoint_ruleset rs;

	if (bpf_map_lookup_elem(rules_fd, &ruleset, &rs))
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
	e->packets = v->packets;
	e->packets_estimate = v->packets_estimate;
	return hs_ruleset_domains(rules_fd, k->ruleset, k->rule_mask, e->domains, &e->n_domains);
}

int hs_harvest(int evidence_fd, int rules_fd, __u64 from, __u64 until,
	       struct hs_evidence **out, size_t *n)
{
	struct evidence_key key, next, *prev = NULL;
	struct hs_evidence *ev = NULL, *tmp;
	struct evidence_value val;
	size_t cap = 0, cnt = 0;
	int err = 0;

	while (!bpf_map_get_next_key(evidence_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key.bin_start < from || key.bin_start >= until)
			continue;
		/* Deleted by an expiry meanwhile: nothing to count. */
		if (bpf_map_lookup_elem(evidence_fd, &key, &val))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 1024;
			tmp = realloc(ev, cap * sizeof(*ev));
			if (!tmp) {
				err = -ENOMEM;
				goto fail;
			}
			ev = tmp;
		}
		err = evidence_from_entry(rules_fd, &key, &val, &ev[cnt]);
		if (err)
			goto fail;
		cnt++;
	}
	*out = ev;
	*n = cnt;
	return 0;
fail:
	free(ev);
	return err;
}

int hs_evidence_expire(int evidence_fd, __u64 until, size_t *n_deleted)
{
	struct evidence_key key, next, *prev = NULL, *old = NULL, *tmp;
	size_t cnt = 0, cap = 0;
	int err = 0;

	/* Collect first, delete after: deleting the key get_next_key walks
	 * from makes the walk start over. */
	while (!bpf_map_get_next_key(evidence_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key.bin_start >= until)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 1024;
			tmp = realloc(old, cap * sizeof(*old));
			if (!tmp) {
				free(old);
				return -ENOMEM;
			}
			old = tmp;
		}
		old[cnt++] = key;
	}
	for (size_t i = 0; i < cnt; i++)
		if (bpf_map_delete_elem(evidence_fd, &old[i]) && errno != ENOENT)
			err = -errno;
	free(old);
	if (n_deleted)
		*n_deleted = cnt;
	return err;
}

size_t hs_evidence_count(int evidence_fd)
{
	struct evidence_key key, next, *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(evidence_fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}
