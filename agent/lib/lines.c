// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/file.h"
#include "lib/json.h"
#include "lib/lines.h"
#include "lib/log.h"

/* A buffered reader over a file descriptor that never holds more than one
 * line of at most max bytes (getline would grow to the end of /dev/zero). */
struct line_reader {
	int fd;
	char *buf;
	size_t cap, start, end, max;
	unsigned long long total;	/* bytes read from the file */
	bool eof;
};

/* The next line, newline cut off and NUL-terminated in place (it may hold
 * other NUL bytes: *len is its length). Returns 1, 0 at the end, -EFBIG for
 * a line over the limit, or -errno. */
static int next_line(struct line_reader *r, char **line, size_t *len)
{
	char *nl, *tmp;
	ssize_t n;

	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl || (r->eof && r->end > r->start)) {
			*line = r->buf + r->start;
			*len = (nl ? (size_t)(nl - r->buf) : r->end) - r->start;
			if (*len > r->max)
				return -EFBIG;
			(*line)[*len] = '\0';	/* the newline, or the spare byte below */
			r->start += *len + (nl != NULL);
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->end - r->start > r->max)
			return -EFBIG;
		if (r->start) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		/* room for the longest line, its newline and a NUL */
		if (r->end + 1 >= r->cap && r->cap < r->max + 2) {
			size_t cap = r->cap * 2 < r->max + 2 ? r->cap * 2 : r->max + 2;

			tmp = realloc(r->buf, cap);
			if (!tmp)
				return -ENOMEM;
			r->buf = tmp;
			r->cap = cap;
		}
		n = read(r->fd, r->buf + r->end, r->cap - 1 - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			r->eof = true;
		r->end += (size_t)n;
		r->total += (unsigned long long)n;
	}
}

int hs_lines_read(struct hs_input_stats *st, hs_line_fn fn, void *ctx)
{
	struct line_reader r = { .max = st->max_line ?: HS_LINE_MAX, .cap = 1 << 16 };
	char *line = NULL, why[sizeof(st->first_bad)];
	unsigned long lineno = 0;
	size_t n = 0;
	int err = 0, got;

	if (r.cap > r.max + 2)
		r.cap = r.max + 2;
	r.fd = hs_file_open(st->path);
	if (r.fd < 0)
		return r.fd;
	r.buf = malloc(r.cap);
	if (!r.buf) {
		close(r.fd);
		hs_err("%s: out of memory", st->path);
		return -ENOMEM;
	}
	while ((got = next_line(&r, &line, &n)) > 0) {
		lineno++;
		if (st->max_bytes && r.total > st->max_bytes) {
			err = hs_file_too_large(st->path, (size_t)st->max_bytes);
			break;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!line[strspn(line, " \t")] && strlen(line) == n)
			continue;
		st->lines++;
		if (strlen(line) != n) {
			snprintf(why, sizeof(why), "NUL byte in line");
			err = HS_LINE_MALFORMED;
		} else {
			why[0] = '\0';
			err = fn(ctx, line, lineno, why, sizeof(why));
		}
		if (err < 0)
			break;
		if (err == HS_LINE_MALFORMED) {
			err = 0;
			if (st->strict) {
				hs_err("%s:%lu: %s", st->path, lineno, why);
				err = -EINVAL;
				break;
			}
			if (!st->malformed++) {
				st->first_bad_line = lineno;
				snprintf(st->first_bad, sizeof(st->first_bad), "%s", why);
			}
		}
	}
	if (got == -EFBIG) {
		hs_err("%s:%lu: line too long (limit %zu bytes)", st->path, lineno + 1, r.max);
		err = -EFBIG;
	} else if (got == -ENOMEM) {
		hs_err("%s: out of memory", st->path);
		err = -ENOMEM;
	} else if (got < 0) {
		err = got;
		hs_err("cannot read %s: %s", st->path, strerror(-err));
	}
	free(r.buf);
	close(r.fd);
	return err;
}

struct json_lines {
	hs_json_line_fn fn;
	void *ctx;
	struct json_tokener *tok;
};

static int json_line(void *ctx, char *line, unsigned long lineno, char *why, size_t why_len)
{
	struct json_lines *jl = ctx;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t end;
	int err;

	json_tokener_reset(jl->tok);
	obj = json_tokener_parse_ex(jl->tok, line, (int)strlen(line));
	jerr = json_tokener_get_error(jl->tok);
	end = json_tokener_get_parse_end(jl->tok);
	/* one value a line: anything after it is a second record glued on */
	if (jerr == json_tokener_success && line[end + strspn(line + end, " \t")])
		jerr = json_tokener_error_parse_unexpected;
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		snprintf(why, why_len, "invalid JSON: %s",
			 jerr == json_tokener_continue ? "line ends inside a value" :
			 json_tokener_error_desc(jerr));
		return HS_LINE_MALFORMED;
	}
	err = hs_json_check(line, end, obj, &end, why, why_len);
	if (err) {
		json_object_put(obj);
		return err == -EINVAL ? HS_LINE_MALFORMED : err;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		snprintf(why, why_len, "not a JSON object");
		return HS_LINE_MALFORMED;
	}
	err = jl->fn(jl->ctx, obj, lineno, why, why_len);
	json_object_put(obj);
	return err;
}

int hs_json_lines_read(struct hs_input_stats *st, hs_json_line_fn fn, void *ctx)
{
	struct json_lines jl = { fn, ctx, json_tokener_new() };
	int err;

	if (!jl.tok)
		return -ENOMEM;
	json_tokener_set_flags(jl.tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	err = hs_lines_read(st, json_line, &jl);
	json_tokener_free(jl.tok);
	return err;
}

void hs_input_report(const struct hs_input_stats *st)
{
	if (st->malformed)
		hs_err("%s: skipped %lu malformed line%s of %lu (first at line %lu: %s)",
		       st->path, st->malformed, st->malformed == 1 ? "" : "s", st->lines,
		       st->first_bad_line, st->first_bad);
}

const char *hs_json_str(struct json_object *o, const char *key)
{
	struct json_object *v = hs_json_get(o, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

struct json_object *hs_json_get(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}
