/* SPDX-License-Identifier: GPL-2.0 */
/* JSON text, read the one way haystack reads it: whole files (dictionaries,
 * signatures) here, JSON lines in lib/lines.h, both through hs_json_check. */
#pragma once

#include <stddef.h>
#include <linux/types.h>

struct json_object;

/* Strict RFC 8259 (hs_json_check included), at most limit bytes. On a problem
 * one line "haystack: FILE: line L, column C: ..." and -EINVAL, "FILE: too
 * large (limit N bytes)" and -EFBIG, or -errno when the file cannot be read
 * (lib/file.h). With hash, the FNV-1a 64 of the exact bytes read. */
int hs_json_file_load(const char *path, size_t limit, struct json_object **out, __u64 *hash);

/* A JSON integer 0..UINT64_MAX (json-c hands out the upper half only through
 * its uint64 getter). Returns 0, or -EINVAL for another type or a negative. */
int hs_json_u64(struct json_object *v, __u64 *out);
/* A JSON integer min..max. Returns 0 or -EINVAL. */
int hs_json_int(struct json_object *v, long long min, long long max, long long *out);

/*
 * What json-c accepts and haystack refuses, in text that json-c parsed into
 * root: NaN and Infinity (not JSON), numbers it would clamp or round to
 * infinity (an integer beyond 64 bits, 1e400), and a key given twice in one
 * object (json-c keeps the last: a second "domains":[] would silently empty a
 * dictionary). Returns 0, or -EINVAL with the problem in why and the byte
 * offset where it starts in *at.
 */
int hs_json_check(const char *text, size_t len, struct json_object *root, size_t *at,
		  char *why, size_t why_len);
