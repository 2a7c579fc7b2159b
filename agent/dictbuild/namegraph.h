/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which IoT domains run on dedicated infrastructure (paper §4.2.1): one day
 * of passive DNS as a graph of names, CNAMEs and addresses, and for each
 * signature domain the decision with the evidence behind it. No I/O: the
 * readers feed the graph, the tests build it by hand.
 */
#pragma once

#include <stdbool.h>
#include <time.h>
#include <linux/types.h>

/* CNAME hops followed from a domain, and back from an address. Resolvers
 * give up after a similar number (BIND: 16 restarts); a chain longer than
 * this in passive DNS is a loop or an artefact, not a service. */
#define HS_MAX_CHAIN 16

/* Foreign names kept as evidence per address: a CDN address can carry
 * thousands; the first few in order say enough. */
#define HS_EVIDENCE_NAMES 10

struct hs_dnsgraph;

/* Records count only when [first, last] overlaps [from, until). */
struct hs_dnsgraph *hs_dnsgraph_new(long long from, long long until);
void hs_dnsgraph_free(struct hs_dnsgraph *g);

/* One record (rdata one value). Returns 1 when it counts for the day, 0 when
 * it is outside the window or of a type that does not matter here, -EINVAL
 * when the name or rdata is not usable, -ENOMEM. */
int hs_dnsgraph_add(struct hs_dnsgraph *g, const char *rrname, const char *rrtype,
		    const char *rdata, long long first, long long last);

enum hs_verdict {
	HS_DEDICATED,	/* every address exclusive */
	HS_SHARED,	/* some address also serves foreign names */
	HS_UNKNOWN,	/* passive DNS has no address for it */
	HS_CHAIN_TOO_LONG, /* a CNAME chain went on past HS_MAX_CHAIN */
};

struct hs_address_evidence {
	__u8 addr[16];			/* IPv4-mapped for IPv4 */
	bool exclusive;
	char **foreign;			/* the first HS_EVIDENCE_NAMES, sorted */
	int n_listed;
	int n_foreign;			/* names pointing here that make it shared */
	int n_names;			/* every name pointing here, foreign or not */
};

struct hs_decision {
	enum hs_verdict verdict;
	const char *regdom;		/* of the domain (pattern: of its base) */
	char **chain;			/* the domain and every name its CNAMEs reach */
	int n_chain;
	bool truncated;			/* a chain went beyond HS_MAX_CHAIN */
	struct hs_address_evidence *addrs;	/* sorted by address */
	int n_addrs;
};

/* domain: normalized; "*.base" matches every name strictly below base.
 * Deterministic: everything in out is sorted. Returns 0 or -ENOMEM. */
int hs_classify(struct hs_dnsgraph *g, const char *domain, struct hs_decision *out);
void hs_decision_free(struct hs_decision *d);
const char *hs_verdict_name(enum hs_verdict v);
