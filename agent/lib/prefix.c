// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses and prefixes. IPv4 lives in the IPv4-mapped IPv6 range
 * (::ffff:0:0/96) so that one LPM trie serves both families.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "lib/array.h"
#include "lib/lines.h"
#include "lib/log.h"
#include "lib/prefix.h"

/* ::ffff:0:0, the IPv4-mapped range, whose /96 is "IPv4 /0" */
static const __u8 v4_mapped[16] = { [10] = 0xff, [11] = 0xff };

bool hs_addr_is_v4(const __u8 addr[16])
{
	return memcmp(addr, v4_mapped, 12) == 0;
}

int hs_addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

int hs_key_cmp(const struct haystack_lpm_key *a, const struct haystack_lpm_key *b)
{
	int c = hs_addr_cmp(a->addr, b->addr);

	return c ? c : (a->prefixlen > b->prefixlen) - (a->prefixlen < b->prefixlen);
}

bool hs_bits_equal(const __u8 *a, const __u8 *b, unsigned int len)
{
	unsigned int bytes = len / 8, rest = len % 8;
	__u8 mask = (__u8)(0xff << (8 - rest));

	if (memcmp(a, b, bytes))
		return false;
	return !rest || !((a[bytes] ^ b[bytes]) & mask);
}

static bool host_bits_clear(const __u8 addr[16], unsigned int len)
{
	unsigned int i = len / 8;

	if (len % 8 && (addr[i++] & (0xff >> (len % 8))))
		return false;
	for (; i < 16; i++)
		if (addr[i])
			return false;
	return true;
}

/* Parse len bytes of s as an address; *v4 tells how it was written. */
static int parse_addr(const char *s, size_t len, __u8 addr[16], bool *v4)
{
	char buf[HS_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* inet_pton is strict (no spaces, no leading zeros in IPv4, no
	 * zone ids), which is what a config file deserves. */
	if (memchr(buf, ':', len)) {
		if (inet_pton(AF_INET6, buf, addr) != 1)
			return -EINVAL;
		*v4 = false;
	} else {
		memcpy(addr, v4_mapped, 12);
		if (inet_pton(AF_INET, buf, addr + 12) != 1)
			return -EINVAL;
		*v4 = true;
	}
	return 0;
}

/* Decimal 0..max, digits only, no leading zeros ("/08" is a typo). */
static int parse_len(const char *s, unsigned int max, unsigned int *out)
{
	unsigned int v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int hs_parse_prefix_why(const char *s, struct haystack_lpm_key *out, const char **why)
{
	struct haystack_lpm_key k = {};
	const char *slash, *dummy;
	unsigned int len;
	bool v4;

	if (!why)
		why = &dummy;
	*why = "not an address";
	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	if (parse_addr(s, slash ? (size_t)(slash - s) : strlen(s), k.addr, &v4))
		return -EINVAL;
	*why = v4 ? "length is not 0..32" : "length is not 0..128";
	if (!slash)
		len = v4 ? 32 : 128;
	else if (parse_len(slash + 1, v4 ? 32 : 128, &len))
		return -EINVAL;
	k.prefixlen = v4 ? 96 + len : len;
	/* 0.0.0.0/0 (and ::ffff:0:0/96, the same) and ::/0 alike: a prefix of
	 * a whole address family makes every address a subscriber or a
	 * dedicated service endpoint, which no subscriber list or dictionary
	 * means (and ::/0 would also cover the IPv4-mapped range below) */
	*why = "a /0 covers a whole address family";
	if (!k.prefixlen || (k.prefixlen == 96 && hs_addr_is_v4(k.addr)))
		return -EINVAL;
	*why = "host bits set beyond the prefix length";
	if (!host_bits_clear(k.addr, k.prefixlen))
		return -EINVAL;
	/* An IPv6 prefix shorter than /96 that covers ::ffff:0:0/96 (::/64,
	 * ::/80, ...) would match every IPv4 address in the shared trie: the
	 * families must never mix, so such a prefix is refused. */
	*why = "covers the IPv4-mapped range ::ffff:0:0/96";
	if (!v4 && k.prefixlen < 96 && hs_bits_equal(k.addr, v4_mapped, k.prefixlen))
		return -EINVAL;
	*why = NULL;
	*out = k;
	return 0;
}

int hs_parse_prefix(const char *s, struct haystack_lpm_key *out)
{
	return hs_parse_prefix_why(s, out, NULL);
}

int hs_parse_addr(const char *s, __u8 addr[16])
{
	__u8 a[16];
	bool v4;

	if (!s || parse_addr(s, strlen(s), a, &v4))
		return -EINVAL;
	memcpy(addr, a, 16);
	return 0;
}

static const char *format(const __u8 addr[16], bool v4, char *buf, size_t len)
{
	const char *r;

	if (v4)
		r = inet_ntop(AF_INET, addr + 12, buf, (socklen_t)len);
	else
		r = inet_ntop(AF_INET6, addr, buf, (socklen_t)len);
	/* callers print the result: never hand back NULL */
	if (!r && len)
		buf[0] = '\0';
	return buf;
}

const char *hs_format_addr(const __u8 addr[16], char *buf, size_t len)
{
	return format(addr, hs_addr_is_v4(addr), buf, len);
}

const char *hs_format_prefix(const struct haystack_lpm_key *k, char *buf, size_t len)
{
	bool v4 = hs_addr_is_v4(k->addr) && k->prefixlen >= 96;
	char a[HS_ADDRSTRLEN];

	format(k->addr, v4, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, v4 ? k->prefixlen - 96 : k->prefixlen);
	return buf;
}

bool hs_prefix_contains(const struct haystack_lpm_key *a, const struct haystack_lpm_key *b)
{
	return a->prefixlen <= b->prefixlen && b->prefixlen <= 128 &&
	       hs_bits_equal(a->addr, b->addr, a->prefixlen);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

struct prefix_list {
	struct haystack_lpm_key *keys;
	size_t n, cap;
};

static int prefix_line(void *ctx, char *line, unsigned long lineno, char *why, size_t why_len)
{
	struct prefix_list *l = ctx;
	const char *problem;
	char *s, *p;

	p = strchr(line, '#');
	if (p)
		*p = '\0';
	s = trim(line);
	if (!*s)
		return 0;
	if (hs_grow((void **)&l->keys, &l->cap, l->n, sizeof(*l->keys), 16))
		return -ENOMEM;
	if (hs_parse_prefix_why(s, &l->keys[l->n], &problem)) {
		snprintf(why, why_len, "bad prefix '%.64s%s' (%s)", s, strlen(s) > 64 ? "..." : "",
			 problem);
		return HS_LINE_MALFORMED;
	}
	l->n++;
	return 0;
}

int hs_prefix_list_load(const char *path, const char *what, struct haystack_lpm_key **out,
			size_t *n)
{
	struct hs_input_stats st = {
		.path = path, .strict = true,
		.max_line = HS_SUBSCRIBERS_MAX_LINE, .max_bytes = HS_SUBSCRIBERS_MAX_BYTES,
	};
	struct prefix_list l = {};
	int err;

	err = hs_lines_read(&st, prefix_line, &l);
	if (err == -ENOMEM)
		hs_err("%s: out of memory", path);
	/* a list given empty is a mistake (a file cut short, the wrong file),
	 * never "everyone" or "no one" */
	if (!err && !l.n) {
		hs_err("%s: no %s prefixes", path, what);
		err = -EINVAL;
	}
	if (err) {
		free(l.keys);
		return err;
	}
	*out = l.keys;
	*n = l.n;
	return 0;
}

int hs_subscribers_load(const char *path, struct haystack_lpm_key **out, size_t *n)
{
	return hs_prefix_list_load(path, "subscriber", out, n);
}
