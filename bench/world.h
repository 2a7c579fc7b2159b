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

#define WORLD_SERVICE16	256

struct world {
	struct world_prefix *subscribers;	/* the IPv4 blocks, then the IPv6 */
	size_t n_subscribers, n_subscribers4;
	struct world_prefix *endpoints;
	size_t n_endpoints;
	struct world_record *records;
	size_t n_records;
	size_t n_hits;
	uint32_t service16[WORLD_SERVICE16];	/* the services' IPv4 /16s */
	uint64_t *cover;			/* the endpoints, to tell a miss */
	size_t cover_mask;
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

/*
 * An ISP at scale (make bench-scale): n_lines subscriber lines, one IPv4
 * address each, in blocks of /16 to /22 (an ISP's allocations, of every
 * size) placed in a few public /8s, none in a service /16 of the world;
 * about 80 % of each block's addresses are lines. n_iot of the lines have an
 * IoT device, of one class each, talking to 1 to 10 of its class's domains
 * (world_write: domain i is of class i % 64, its endpoints 8i .. 8i + 7).
 * world_isp() replaces the world's subscribers by these blocks, so that
 * world_write() writes them as the subscribers file. Nothing is stored per
 * line but which lines are IoT ones: an address, and an IoT line's
 * domains, are functions of the line's number and the seed.
 */
#define WORLD_ISP_MAX_SLASH8	16
#define WORLD_ISP_MAX_DOMAINS	10

struct world_isp {
	size_t n_lines, n_iot;
	uint32_t *iot;			/* the IoT lines' numbers, ascending */
	size_t *first_line;		/* of each block; n_lines after the last */
	uint8_t slash8[WORLD_ISP_MAX_SLASH8];
	int n_slash8;
	uint64_t *used22;		/* the /22s of those /8s in a block */
	uint64_t seed;
};

/* w made by world_make (its endpoints in use, records unused). Returns 0,
 * -ENOMEM, or -ERANGE (more lines than WORLD_ISP_MAX_SLASH8 /8s hold). */
int world_isp(struct world *w, struct world_isp *isp, size_t n_lines, size_t n_iot, uint64_t seed);
void world_isp_free(struct world_isp *isp);
/* The domains IoT line iot (0 .. n_iot - 1) talks to, into d; how many. */
int world_isp_domains(const struct world *w, const struct world_isp *isp, size_t iot,
		      int d[WORLD_ISP_MAX_DOMAINS]);
/* A record of IoT line iot with an endpoint of its domain d, tcp/443 as
 * the dictionary's domains ask for. s: the caller's random state. */
void world_isp_hit(const struct world *w, const struct world_isp *isp, uint64_t *s, size_t iot,
		   int d, struct world_record *r);
/* A record of any line with a service side no endpoint covers. */
void world_isp_miss(const struct world *w, const struct world_isp *isp, uint64_t *s,
		    struct world_record *r);
