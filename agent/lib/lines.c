// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/lines.h"
#include "lib/log.h"

int hs_lines_read(struct hs_input_stats *st, hs_line_fn fn, void *ctx)
{
	char *line = NULL, why[sizeof(st->first_bad)];
	unsigned long lineno = 0;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int err = 0;

	f = fopen(st->path, "re");
	if (!f) {
		err = -errno;
		hs_err("cannot read %s: %s", st->path, strerror(-err));
		return err;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!line[strspn(line, " \t")])
			continue;
		st->lines++;
		if (strlen(line) != (size_t)n) {
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
	if (!err && ferror(f)) {
		err = -EIO;
		hs_err("cannot read %s: %s", st->path, strerror(EIO));
	}
	free(line);
	fclose(f);
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
