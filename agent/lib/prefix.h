/* SPDX-License-Identifier: GPL-2.0 */
/* Addresses and prefixes: the one parser and formatter haystack uses. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include "haystack.h"

#define HS_ADDRSTRLEN 46	/* INET6_ADDRSTRLEN */

/* Parse "a.b.c.d/n", "a.b.c.d" (/32), "x::y/n" or "x::y" (/128) into an LPM
 * key; IPv4 becomes IPv4-mapped IPv6 with prefixlen 96+n. Host bits beyond the
 * prefix must be zero (a dictionary with "10.0.0.1/8" is a typo, not a /8).
 * A /0 is refused in both families (0.0.0.0/0 and ::/0 alike), and so is an
 * IPv6 prefix covering the IPv4-mapped range. Returns 0 or -EINVAL; never
 * prints; *out is untouched on error. */
int hs_parse_prefix(const char *s, struct haystack_lpm_key *out);
/* The same, with the problem in *why (a static string) when it fails. */
int hs_parse_prefix_why(const char *s, struct haystack_lpm_key *out, const char **why);

/* Same for a single address (no "/n"). */
int hs_parse_addr(const char *s, __u8 addr[16]);

/* "100.64.0.7" for IPv4-mapped addresses, RFC 5952 text for IPv6. */
const char *hs_format_addr(const __u8 addr[16], char *buf, size_t len);
/* "100.64.0.0/16" style, IPv4 lengths given back as 0..32. */
const char *hs_format_prefix(const struct haystack_lpm_key *k, char *buf, size_t len);

bool hs_addr_is_v4(const __u8 addr[16]);
/* The one order of addresses: bytes, as memcmp. For qsort over __u8[16]. */
int hs_addr_cmp(const void *a, const void *b);
/* Prefixes: address, then length ascending, so that a prefix sorts right
 * before every prefix it contains. */
int hs_key_cmp(const struct haystack_lpm_key *a, const struct haystack_lpm_key *b);
/* Do a and b agree on their first len bits? A byte at a time: a million
 * dictionary prefixes ask it several times each. */
bool hs_bits_equal(const __u8 *a, const __u8 *b, unsigned int len);
/* true when prefix a contains prefix (or address) b */
bool hs_prefix_contains(const struct haystack_lpm_key *a, const struct haystack_lpm_key *b);

/* A list of prefixes (--subscribers, --exporters): one CIDR a line, '#'
 * starts a comment, blank lines ok, lines of at most HS_SUBSCRIBERS_MAX_LINE
 * bytes, the file at most HS_SUBSCRIBERS_MAX_BYTES, at least one prefix
 * (what names them in the message: "no subscriber prefixes"). On error
 * prints one line "haystack: FILE:LINE: problem" and returns -EINVAL,
 * -EFBIG for a limit passed, or -errno when the file cannot be read
 * (lib/file.h); nothing is returned then. */
#define HS_SUBSCRIBERS_MAX_LINE		4096
#define HS_SUBSCRIBERS_MAX_BYTES	(64ULL << 20)
int hs_prefix_list_load(const char *path, const char *what, struct haystack_lpm_key **out,
			size_t *n);
/* The subscribers file. */
int hs_subscribers_load(const char *path, struct haystack_lpm_key **out, size_t *n);
