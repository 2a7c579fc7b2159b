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
/* The same for a text read already (hs_file_read), path naming it. */
int hs_json_text_parse(const char *path, const char *buf, size_t len, struct json_object **out,
		       __u64 *hash);

/*
 * A large text whose bulk is one array under key in its top-level object
 * (a dictionary's domains), read without json-c's tree of all of it: the
 * text with that array empty first, handed to begin() with the number of
 * elements the array has; then each element, in its own small tree, to
 * element(), in two parts of about as many bytes, the second in a thread
 * of its own when the text is large (part 0 or 1: what element() may
 * write of its own), the tree freed after. For text that is right through
 * and through: 0, with the rest in *rest (the array empty there) and hash
 * as hs_json_file_load gives it; else -EAGAIN, having printed nothing,
 * when the text is not as laid out above, not what hs_json_text_parse
 * accepts, or begin() or element() returned non-zero. The caller then
 * reads the text whole (hs_json_text_parse), which names the problem.
 */
struct hs_json_split {
	const char *key;
	int (*begin)(struct json_object *rest, size_t n, void *arg);
	int (*element)(struct json_object *v, size_t i, int part, void *arg);
	void *arg;
};
int hs_json_split_parse(const char *text, size_t len, const struct hs_json_split *s,
			struct json_object **rest, __u64 *hash);

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
