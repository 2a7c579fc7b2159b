/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FNV-1a, 64 bits: the one hash of user space. It keys the builder's and the
 * compiler's hash tables and identifies the dictionary file a restarted agent
 * finds pinned evidence counted against (haystack_config.dict_hash), so its
 * value is part of what is pinned and must never change.
 */
#pragma once

#include <stddef.h>
#include <linux/types.h>

#define HS_FNV1A64_INIT	0xcbf29ce484222325ULL
#define HS_FNV1A64_PRIME 0x100000001b3ULL

/* h continued over len bytes; start from HS_FNV1A64_INIT. */
static inline __u64 hs_fnv1a64(__u64 h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * HS_FNV1A64_PRIME;
	return h;
}

/* Of a C string, without its NUL. */
static inline __u64 hs_fnv1a64_str(const char *s)
{
	__u64 h = HS_FNV1A64_INIT;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * HS_FNV1A64_PRIME;
	return h;
}
