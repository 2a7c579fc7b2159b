// SPDX-License-Identifier: GPL-2.0
/* The one reader of whole JSON files (dictionaries, signatures), and the
 * checks every JSON text gets beyond json-c's own. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "lib/array.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/sort.h"
#include "lib/thread.h"

/* ---- what json-c lets through ---- */

/* End of the string whose opening quote is at i: the index after its
 * closing quote. The text has parsed, so the quote is there. */
static size_t string_end(const char *t, size_t len, size_t i)
{
	for (i++; i < len && t[i] != '"'; i++)
		if (t[i] == '\\')
			i++;
	return i < len ? i + 1 : len;
}

/* An integer literal json-c would clamp to INT64_MIN or UINT64_MAX. JSON
 * has no leading zeros, so the digit count and then the digits decide. */
static bool integer_out_of_range(const char *s, size_t n)
{
	static const char max_neg[] = "9223372036854775808", max_pos[] = "18446744073709551615";
	const char *lim = max_pos;

	if (*s == '-') {
		s++;
		n--;
		lim = max_neg;
	}
	if (n != strlen(lim))
		return n > strlen(lim);
	return memcmp(s, lim, n) > 0;
}

/* Members of every object in the tree. */
static size_t tree_members(struct json_object *o)
{
	size_t n = 0, i, len;

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, v) {
			(void)key;
			n += 1 + tree_members(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		len = json_object_array_length(o);
		for (i = 0; i < len; i++)
			n += tree_members(json_object_array_get_idx(o, i));
	}
	return n;
}

struct key_at {
	size_t object;		/* which object, by the order they open */
	char *key;		/* as json-c decodes it (a C string, as its keys are) */
	size_t at;
};

static int key_at_cmp(const void *a, const void *b)
{
	const struct key_at *x = a, *y = b;
	int c;

	if (x->object != y->object)
		return x->object < y->object ? -1 : 1;
	c = strcmp(x->key, y->key);
	return c ? c : (x->at > y->at) - (x->at < y->at);
}

/*
 * The first key, in the text's order, that repeats an earlier key of its
 * object. Only run once the member counts said there is one, so its cost
 * (every key decoded by json-c itself, so that "\u0061" and "a" are one key
 * as they are to json-c) is paid only by bad input.
 */
static int find_duplicate(const char *t, size_t len, size_t *at, char *why, size_t why_len)
{
	struct json_tokener *tok = json_tokener_new();
	size_t *stack = NULL, depth = 0, n_objects = 0, n = 0, cap = 0, i, best = SIZE_MAX;
	struct key_at *keys = NULL;
	bool expect_key = false;
	int err = -ENOMEM;

	stack = calloc(len + 1, sizeof(*stack));
	if (!tok || !stack)
		goto out;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	for (i = 0; i < len; i++) {
		char c = t[i];

		if (c == '{' || c == '[') {
			/* SIZE_MAX marks an array on the stack */
			stack[depth++] = c == '{' ? n_objects++ : SIZE_MAX;
			expect_key = c == '{';
		} else if ((c == '}' || c == ']') && depth) {
			depth--;
			expect_key = false;
		} else if (c == ',') {
			expect_key = depth && stack[depth - 1] != SIZE_MAX;
		} else if (c == '"') {
			size_t end = string_end(t, len, i);
			struct json_object *s;

			if (expect_key) {
				if (hs_grow((void **)&keys, &cap, n, sizeof(*keys), 64))
					goto out;
				json_tokener_reset(tok);
				s = json_tokener_parse_ex(tok, t + i, (int)(end - i));
				keys[n].key = strdup(s ? json_object_get_string(s) : "");
				json_object_put(s);
				if (!keys[n].key)
					goto out;
				keys[n].object = stack[depth - 1];
				keys[n++].at = i;
				expect_key = false;
			}
			i = end - 1;
		}
	}
	hs_sort(keys, n, sizeof(*keys), key_at_cmp);
	for (i = 1; i < n; i++)
		if (keys[i].object == keys[i - 1].object && !strcmp(keys[i].key, keys[i - 1].key) &&
		    keys[i].at < best) {
			best = keys[i].at;
			snprintf(why, why_len, "duplicate key '%.80s'", keys[i].key);
		}
	if (best == SIZE_MAX) {
		/* json-c merged two keys this walk tells apart: still refused */
		best = 0;
		snprintf(why, why_len, "duplicate key");
	}
	*at = best;
	err = -EINVAL;
out:
	for (i = 0; i < n; i++)
		free(keys[i].key);
	free(keys);
	free(stack);
	if (tok)
		json_tokener_free(tok);
	return err;
}

/* The text's own checks, before root is needed: numbers and literals, and
 * the members (colons outside strings) in *colons. */
static int check_text(const char *t, size_t len, size_t *colons, size_t *at, char *why,
		      size_t why_len)
{
	size_t i, j;

	*colons = 0;
	for (i = 0; i < len; i = j) {
		char c = t[i], num[64];

		j = i + 1;
		if (c == '"') {
			j = string_end(t, len, i);
		} else if (c == ':') {
			/* outside strings a colon is a member, nothing else */
			(*colons)++;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			bool integer = true;

			for (j = i + 1; j < len && ((t[j] >= '0' && t[j] <= '9') || t[j] == '+' ||
						   t[j] == '-' || t[j] == '.' || t[j] == 'e' || t[j] == 'E'); j++)
				integer &= t[j] == '+' || t[j] == '-' || (t[j] >= '0' && t[j] <= '9');
			if (j == i + 1 && c == '-') {
				/* json-c takes -Infinity and -NaN */
				*at = i;
				snprintf(why, why_len, "not a JSON number (NaN and Infinity are not JSON)");
				return -EINVAL;
			}
			if (integer ? integer_out_of_range(t + i, j - i) :
			    (snprintf(num, sizeof(num), "%.*s", (int)(j - i), t + i) >= (int)sizeof(num) ||
			     isinf(strtod(num, NULL)))) {
				*at = i;
				snprintf(why, why_len, "number %.*s%s is out of range",
					 (int)(j - i > 24 ? 24 : j - i), t + i, j - i > 24 ? "..." : "");
				return -EINVAL;
			}
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			for (j = i + 1; j < len && ((t[j] >= 'a' && t[j] <= 'z') ||
						   (t[j] >= 'A' && t[j] <= 'Z')); j++)
				;
			if (!((j - i == 4 && (!memcmp(t + i, "true", 4) || !memcmp(t + i, "null", 4))) ||
			      (j - i == 5 && !memcmp(t + i, "false", 5)))) {
				*at = i;
				snprintf(why, why_len, "not a JSON value (NaN and Infinity are not JSON)");
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* The rest of hs_json_check, once root is there: every colon a member of
 * the tree, or a key was given twice. */
static int check_members(const char *t, size_t len, struct json_object *root, size_t colons,
			 size_t *at, char *why, size_t why_len)
{
	if (colons == tree_members(root))
		return 0;
	return find_duplicate(t, len, at, why, why_len);
}

int hs_json_check(const char *t, size_t len, struct json_object *root, size_t *at,
		  char *why, size_t why_len)
{
	size_t colons;

	return check_text(t, len, &colons, at, why, why_len) ?:
	       check_members(t, len, root, colons, at, why, why_len);
}

int hs_json_u64(struct json_object *v, __u64 *out)
{
	int64_t i;

	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	i = json_object_get_int64(v);
	if (i < 0)
		return -EINVAL;
	/* above INT64_MAX json-c clamps the signed getter */
	*out = i == INT64_MAX ? json_object_get_uint64(v) : (__u64)i;
	return 0;
}

int hs_json_int(struct json_object *v, long long min, long long max, long long *out)
{
	int64_t i;

	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	i = json_object_get_int64(v);
	/* a clamped INT64_MAX is out of any range below it too */
	if (i < min || i > max || (i == INT64_MAX && json_object_get_uint64(v) != (uint64_t)i))
		return -EINVAL;
	*out = i;
	return 0;
}

/* ---- whole files ---- */

/* "line L, column C" of byte offset at: a dictionary is often one long
 * line, so the column matters too. */
static void position(const char *buf, size_t len, size_t at, int *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < at && i < len; i++) {
		(*col)++;
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		}
	}
}

/* A text this large gets its hash and check_text in a thread of their own
 * while json-c parses it: a 1M-endpoint dictionary is 32 MB, which the two
 * read in a fifth of a second. */
#define SCAN_THREAD_BYTES	(1UL << 20)

/* What the text says before it is parsed: its hash, and check_text. */
struct text_scan {
	const char *buf;
	size_t len;
	__u64 *hash;		/* NULL: not wanted */
	size_t colons;
	size_t at;
	char why[160];
	int err;
};

static void *scan_text(void *arg)
{
	struct text_scan *sc = arg;

	if (sc->hash)
		*sc->hash = hs_fnv1a64(HS_FNV1A64_INIT, sc->buf, sc->len);
	sc->err = check_text(sc->buf, sc->len, &sc->colons, &sc->at, sc->why, sizeof(sc->why));
	return NULL;
}

/* check_text sees all len bytes, json-c's parse stops at end: what lies
 * between is whitespace when the parse succeeded, and nothing to it. */
static int parse_json(const char *path, const char *buf, size_t len, struct json_object **out,
		      __u64 *hash)
{
	struct text_scan sc = { .buf = buf, .len = len, .hash = hash };
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	struct json_object *root;
	bool threaded = false;
	pthread_t thread;
	char why[160];
	size_t end, i, col;
	int line, err;

	if (len > INT_MAX)
		return hs_file_too_large(path, INT_MAX);
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	if (len >= SCAN_THREAD_BYTES)
		threaded = hs_thread_start(&thread, scan_text, &sc);
	/* strict: RFC 8259 only, no comments or single quotes, and no
	 * trailing data after the top-level value */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (threaded)
		pthread_join(thread, NULL);
	else
		scan_text(&sc);
	if (jerr == json_tokener_success && end < len) {
		/* strict mode already refuses trailing data; this is a backstop */
		for (i = end; i < len && strchr(" \t\r\n", buf[i]); i++)
			;
		if (i < len) {
			end = i;
			jerr = json_tokener_error_parse_unexpected;
		}
	}
	if (jerr == json_tokener_success) {
		err = sc.err;
		if (err) {
			end = sc.at;
			snprintf(why, sizeof(why), "%s", sc.why);
		} else {
			err = check_members(buf, end, root, sc.colons, &end, why, sizeof(why));
		}
		if (!err) {
			*out = root;
			return 0;
		}
		json_object_put(root);
		if (err != -EINVAL)
			return err;
		position(buf, len, end, &line, &col);
		hs_err("%s: line %d, column %zu: %s", path, line, col, why);
		return -EINVAL;
	}
	json_object_put(root);
	position(buf, len, end, &line, &col);
	hs_err("%s: line %d, column %zu: invalid JSON: %s", path, line, col,
	       jerr == json_tokener_continue ? "unexpected end of file" :
	       json_tokener_error_desc(jerr));
	return -EINVAL;
}

int hs_json_text_parse(const char *path, const char *buf, size_t len, struct json_object **out,
		       __u64 *hash)
{
	int err = parse_json(path, buf, len, out, hash);

	if (err == -ENOMEM)
		hs_err("%s: out of memory", path);
	return err;
}

int hs_json_file_load(const char *path, size_t limit, struct json_object **out, __u64 *hash)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	err = hs_file_read(path, limit, &buf, &len);
	if (err)
		return err;
	err = hs_json_text_parse(path, buf, len, out, hash);
	/* json-c holds its own copies: the text can go before the tree grows */
	free(buf);
	return err;
}

/* ---- a large array in pieces ---- */

static bool json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_space(const char *t, size_t len, size_t i)
{
	while (i < len && json_space(t[i]))
		i++;
	return i;
}

/* The end of the value at i (the index of the ',', ']' or '}' after it,
 * or len): brackets counted, strings skipped. Only a split point: json-c
 * judges the value itself. */
static size_t value_end(const char *t, size_t len, size_t i)
{
	size_t depth = 0;

	for (; i < len; i++) {
		char c = t[i];

		if (c == '"')
			i = string_end(t, len, i) - 1;
		else if (c == '[' || c == '{')
			depth++;
		else if ((c == ']' || c == '}') && !depth--)
			return i;
		else if (c == ',' && !depth)
			return i;
	}
	return len;
}

/* An element of the array, [start, end): its text without the space
 * around it. */
struct span {
	size_t start, end;
};

/* The array under key in the top-level object, at *open ('[') and *close
 * (']'), and its elements. The key as it is written, without escapes;
 * false when the text is laid out otherwise (or is no JSON). */
static bool find_array(const char *t, size_t len, const char *key, size_t *open, size_t *close,
		       struct span **elems, size_t *n)
{
	size_t klen = strlen(key), i = skip_space(t, len, 0), cap = 0, q, k, e;

	*elems = NULL;
	*n = 0;
	if (i == len || t[i] != '{')
		return false;
	for (i++;; i++) {
		q = skip_space(t, len, i);
		if (q == len || t[q] != '"')
			return false;
		k = string_end(t, len, q);
		i = skip_space(t, len, k);
		if (i == len || t[i] != ':')
			return false;
		i = skip_space(t, len, i + 1);
		if (i < len && t[i] == '[' && k - q == klen + 2 && !memcmp(t + q + 1, key, klen))
			break;
		i = value_end(t, len, i);
		if (i == len || t[i] != ',')
			return false;
	}
	*open = i;
	i = skip_space(t, len, i + 1);
	if (i < len && t[i] == ']') {
		*close = i;
		return true;
	}
	for (;;) {
		e = value_end(t, len, i);
		if (e == len || (t[e] != ',' && t[e] != ']'))
			return false;
		if (hs_grow((void **)elems, &cap, *n, sizeof(**elems), 1024))
			return false;
		(*elems)[*n].start = i;
		for (k = e; k > i && json_space(t[k - 1]); k--)
			;
		(*elems)[(*n)++].end = k;
		if (t[e] == ']')
			break;
		i = skip_space(t, len, e + 1);
	}
	*close = e;
	return true;
}

/* A piece of the text parsed as json-c parses the whole: strict, UTF-8
 * checked, no more than depth levels, and nothing but space after it. NULL
 * for anything else, printing nothing. */
static struct json_object *parse_piece(struct json_tokener *tok, const char *t, size_t len)
{
	struct json_object *v;
	size_t end;

	json_tokener_reset(tok);
	v = json_tokener_parse_ex(tok, t, (int)len);
	if (v && json_tokener_get_error(tok) == json_tokener_success) {
		for (end = json_tokener_get_parse_end(tok); end < len && json_space(t[end]); end++)
			;
		if (end == len)
			return v;
	}
	json_object_put(v);
	return NULL;
}

struct split_part {
	const struct hs_json_split *s;
	const char *t;
	const struct span *elems;
	size_t first, last;	/* this part's elements: [first, last) */
	int part;
	size_t members;		/* of the elements' objects */
	bool *failed;		/* of any part: the others stop */
	int err;
};

static void *parse_part(void *arg)
{
	struct split_part *p = arg;
	/* an element lies in the top-level object and its array: json-c's
	 * limit of depth, less those two levels */
	struct json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH - 2);
	struct json_object *v;

	p->err = tok ? 0 : -EAGAIN;
	if (tok)
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	for (size_t i = p->first; !p->err && i < p->last; i++) {
		if (__atomic_load_n(p->failed, __ATOMIC_RELAXED)) {
			p->err = -EAGAIN;
			break;
		}
		v = parse_piece(tok, p->t + p->elems[i].start, p->elems[i].end - p->elems[i].start);
		if (!v) {
			p->err = -EAGAIN;
			break;
		}
		p->members += tree_members(v);
		if (p->s->element(v, i, p->part, p->s->arg))
			p->err = -EAGAIN;
		json_object_put(v);
	}
	if (p->err)
		__atomic_store_n(p->failed, true, __ATOMIC_RELAXED);
	if (tok)
		json_tokener_free(tok);
	return NULL;
}

int hs_json_split_parse(const char *t, size_t len, const struct hs_json_split *s,
			struct json_object **rest, __u64 *hash)
{
	struct text_scan sc = { .buf = t, .len = len, .hash = hash };
	size_t open = 0, close = 0, n = 0, m, head_len;
	struct split_part part[2] = {};
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL;
	bool failed = false, scanning = false, second = false;
	pthread_t scan_thread, thread;
	struct span *elems = NULL;
	char *head = NULL;
	int err = -EAGAIN;

	*rest = NULL;
	if (len > INT_MAX || !find_array(t, len, s->key, &open, &close, &elems, &n))
		goto out;
	if (len >= SCAN_THREAD_BYTES)
		scanning = hs_thread_start(&scan_thread, scan_text, &sc);
	/* the text with the array empty, read first: what the elements are
	 * read against (a dictionary's classes) */
	head_len = open + 1 + len - close;
	head = malloc(head_len);
	tok = json_tokener_new();
	if (!head || !tok)
		goto join;
	memcpy(head, t, open + 1);
	memcpy(head + open + 1, t + close, len - close);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = parse_piece(tok, head, head_len);
	if (!root || s->begin(root, n, s->arg))
		goto join;
	/* two parts of about as many bytes, the second in a thread */
	for (m = 0; m < n && elems[m].start - open < (close - open) / 2; m++)
		;
	for (int i = 0; i < 2; i++)
		part[i] = (struct split_part){
			.s = s, .t = t, .elems = elems, .first = i ? m : 0, .last = i ? n : m,
			.part = i, .failed = &failed,
		};
	if (len >= SCAN_THREAD_BYTES)
		second = hs_thread_start(&thread, parse_part, &part[1]);
	parse_part(&part[0]);
	if (second)
		pthread_join(thread, NULL);
	else
		parse_part(&part[1]);
	err = part[0].err || part[1].err ? -EAGAIN : 0;
join:
	if (scanning)
		pthread_join(scan_thread, NULL);
	else if (!err)
		scan_text(&sc);
	/* hs_json_check over the whole: its numbers and literals, and a
	 * colon for every member (json-c keeps one of a key given twice) */
	if (!err && (sc.err || tree_members(root) + part[0].members + part[1].members != sc.colons))
		err = -EAGAIN;
out:
	if (err)
		json_object_put(root);
	else
		*rest = root;
	if (tok)
		json_tokener_free(tok);
	free(head);
	free(elems);
	return err;
}
