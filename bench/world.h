/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A benchmark world, made in memory from a seed: subscriber blocks of an
 * ISP, a dictionary of service endpoints, and flow records between them.
 *
 * - Subscribers: n_subscribers IPv4 /22 blocks, distinct, drawn from
 *   10.0.0.0/8 and 100.64.0.0/10, and n_subscribers / 16 IPv6 /48s.
 * - Endpoints: n_endpoints service addresses in public space (never a
 *   subscriber's): 90 % IPv4 /32, 4 % IPv4 /24 (a /24 a /32 may lie in),
 *   5 % IPv6 /128, 1 % IPv6 /48; eight to a domain, one class to a domain
 *   out of 64, half of the domains tcp/443 only.
 * - Records: each between a subscriber address and a service side; with
 *   probability hit_permille / 1000 the service side is an endpoint (an
 *   address inside its prefix), else an address of the same public space
 *   that no endpoint covers (checked), so a pre-filter by /24 sees misses
 *   inside endpoint /24s as a real ISP's traffic does. Half the records are
 *   subscriber → service, half the reverse; v6_permille of them IPv6.
 *
 * Addresses are 16 bytes, IPv4 as ::ffff:a.b.c.d.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct world_addr {
	uint8_t a[16];
};

struct world_prefix {
	struct world_addr addr;
	uint8_t len;		/* of the address family: 0..32 or 0..128 */
	bool v6;
};

struct world_record {
	struct world_addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	bool v6;
	bool hit;		/* the service side is an endpoint */
};

struct world {
	struct world_prefix *subscribers;	/* the IPv4 blocks, then the IPv6 */
	size_t n_subscribers, n_subscribers4;
	struct world_prefix *endpoints;
	size_t n_endpoints;
	struct world_record *records;
	size_t n_records;
	size_t n_hits;
};

struct world_params {
	size_t n_subscribers;	/* IPv4 /22 blocks */
	size_t n_endpoints;
	size_t n_records;
	unsigned int hit_permille;
	unsigned int v6_permille;
	uint64_t seed;
};

/* Returns 0 or -ENOMEM / -ERANGE (more subscriber blocks than the space). */
int world_make(struct world *w, const struct world_params *p);
void world_free(struct world *w);
/* The dictionary (haystack-dictionary/1, valid 2019-11-15) and the
 * subscribers file (one CIDR a line) into dir. Returns 0 or -errno. */
int world_write(const struct world *w, const char *dict_path, const char *subs_path);
/* Text of an address, for packet.h. */
const char *world_ntop(const struct world_addr *a, bool v6, char *buf, size_t len);
