// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli/params.h"
#include "detect/bins.h"
#include "dictbuild/build.h"
#include "lib/decimal.h"
#include "lib/file.h"
#include "lib/log.h"
#include "runtime/runtime.h"

#define MAX_OPTS 32
#define WIDTH 79		/* help lines end before column 80 */
#define HELP_COL 28		/* where an option's help starts */

/* Options every verb takes after its name, besides its own; their index
 * follows the verb's. */
enum { COMMON_VERBOSE = MAX_OPTS, COMMON_HELP, COMMON_CONFIG };

const struct hs_opt hs_common_opts[] = {
	{ HS_OPT_BOOL, "verbose", 'v',
	  .help = "more on standard error: -v debugging, libbpf's and libxdp's warnings "
		  "and the verifier log on a load failure; -vv their debugging too" },
	{ HS_OPT_BOOL, "help", 'h', .help = "this help; after a verb, that verb's" },
	{ HS_OPT_STRING, "config", .metavar = "FILE",
	  .help = "after a verb: also take its options from the [VERB] section of FILE "
		  "(key = value lines, a key the long name of an option); the command line "
		  "wins over the file" },
	{ .type = HS_OPT_END },
};

static int n_opts(const struct hs_verb *v)
{
	int n = 0;

	while (v->opts[n].type != HS_OPT_END)
		n++;
	return n;
}

/* ---- help ---- */

/* printf at the end of what buf holds; a string too long is cut, never
 * written past buf. */
__attribute__((format(printf, 3, 4)))
static void appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

struct out {
	FILE *f;
	int col, indent;
};

static void out_break(struct out *o)
{
	fprintf(o->f, "\n%*s", o->indent, "");
	o->col = o->indent;
}

/* One unit, never split: a word of a paragraph, or "[--bins LIST]". */
static void out_unit(struct out *o, const char *s, int len)
{
	if (o->col > o->indent && o->col + 1 + len > WIDTH)
		out_break(o);
	else if (o->col > o->indent)
		o->col += fprintf(o->f, " ");
	o->col += fprintf(o->f, "%.*s", len, s);
}

static void out_words(struct out *o, const char *text)
{
	while (*text) {
		int len = strcspn(text, " ");

		if (len)
			out_unit(o, text, len);
		text += len + (text[len] == ' ');
	}
}

static const char *metavar(const struct hs_opt *o, char *buf, size_t size)
{
	if (o->type != HS_OPT_ENUM)
		return o->metavar;
	buf[0] = 0;
	for (const struct hs_enum_val *e = o->values; e->name; e++)
		appendf(buf, size, "%s%s", buf[0] ? "|" : "", e->name);
	return buf;
}

enum label_kind {
	LABEL_NAME,	/* "-o", "--dict", "CAPTURE": in messages */
	LABEL_USAGE,	/* "-o FILE", "--signatures FILE...", "CAPTURE..." */
	LABEL_HELP,	/* "-o, --out FILE", "    --dict FILE" */
};

/* The short name where there is one, but in the option list. */
static const char *label(const struct hs_opt *o, enum label_kind kind, char *buf, size_t size)
{
	char mv[64];
	const char *m = metavar(o, mv, sizeof(mv));

	if (o->type == HS_OPT_ARGS)
		snprintf(buf, size, "%s%s", o->name, kind == LABEL_NAME ? "" : "...");
	else if (kind != LABEL_HELP && o->short_name)
		snprintf(buf, size, "-%c", o->short_name);
	else if (kind != LABEL_HELP)
		snprintf(buf, size, "--%s", o->name);
	else if (o->short_name)
		snprintf(buf, size, "-%c, --%s", o->short_name, o->name);
	else
		snprintf(buf, size, "    --%s", o->name);
	if (m && kind != LABEL_NAME && o->type != HS_OPT_ARGS)
		appendf(buf, size, " %s%s", m, o->type == HS_OPT_FILES ? "..." : "");
	return buf;
}

/* The default as help shows it, read from the verb's defaults so that the
 * help cannot disagree with what the parse starts from. NULL: none. */
static const char *default_text(const struct hs_opt *o, const void *cfg, char *buf, size_t size)
{
	const char *field = (const char *)cfg + o->off;
	const __u16 *ports = (const __u16 *)field;
	const __u32 *bins = (const __u32 *)field;

	buf[0] = 0;
	if (o->def)
		return o->def;
	switch (o->type) {
	case HS_OPT_STRING:
	case HS_OPT_OUT:
		return *(const char *const *)field;
	case HS_OPT_U32: {
		__u32 v = *(const __u32 *)field;

		/* a zero outside the range means "not given" */
		if (v < o->min || v > o->max)
			return NULL;
		snprintf(buf, size, "%u", v);
		return buf;
	}
	case HS_OPT_PORTS:
		for (int i = 0; i < HAYSTACK_MAX_PORTS && ports[i]; i++)
			appendf(buf, size, "%s%u", i ? "," : "", ports[i]);
		return buf[0] ? buf : NULL;
	case HS_OPT_BINS:
		/* as --bins takes them: days where whole, else hours */
		for (int i = 0; i < *(const int *)((const char *)cfg + o->aux); i++)
			appendf(buf, size, "%s%u%c", i ? "," : "",
				bins[i] % 86400 ? bins[i] / 3600 : bins[i] / 86400,
				bins[i] % 86400 ? 'h' : 'd');
		return buf[0] ? buf : NULL;
	case HS_OPT_ENUM:
		for (const struct hs_enum_val *e = o->values; e->name; e++)
			if (e->value == *(const unsigned int *)field)
				return e->name;
		return NULL;
	default:
		return NULL;
	}
}

static void option_help(struct out *o, const struct hs_opt *opt, const void *defaults)
{
	char lab[96], def[96], extra[192] = "";
	const char *d = defaults ? default_text(opt, defaults, def, sizeof(def)) : NULL;

	o->indent = 0;
	o->col = fprintf(o->f, "  %s", label(opt, LABEL_HELP, lab, sizeof(lab)));
	o->indent = HELP_COL;
	if (o->col + 2 > HELP_COL)
		out_break(o);
	else
		o->col += fprintf(o->f, "%*s", HELP_COL - o->col, "");
	out_words(o, opt->help);

	if (opt->required)
		appendf(extra, sizeof(extra), "(required");
	if (opt->type == HS_OPT_U32)
		appendf(extra, sizeof(extra), "%s%u to %u", extra[0] ? "; " : "(", opt->min, opt->max);
	if (d)
		appendf(extra, sizeof(extra), "%sdefault %s", extra[0] ? "; " : "(", d);
	if (extra[0]) {
		appendf(extra, sizeof(extra), ")");
		out_words(o, extra);
	}
	fputc('\n', o->f);
}

/* Required options, then the others, then the positional arguments. */
static int usage_group(const struct hs_opt *o)
{
	return o->type == HS_OPT_ARGS ? 2 : o->required ? 0 : 1;
}

void hs_verb_synopsis(FILE *f, const struct hs_verb *v)
{
	struct out o = { .f = f };
	char lab[96], unit[100];

	o.col = o.indent = fprintf(f, "  haystack %s ", v->name);
	for (int g = 0; g < 3; g++)
		for (const struct hs_opt *opt = v->opts; opt->type != HS_OPT_END; opt++) {
			if (usage_group(opt) != g)
				continue;
			label(opt, LABEL_USAGE, lab, sizeof(lab));
			snprintf(unit, sizeof(unit), opt->required ? "%s" : "[%s]", lab);
			out_unit(&o, unit, strlen(unit));
		}
	o.indent = 4;
	o.col = WIDTH;		/* the paragraph starts on a line of its own */
	out_words(&o, v->about);
	fputs("\n\n", f);
}

void hs_verb_help(FILE *f, const struct hs_verb *v)
{
	fputs("usage:\n", f);
	hs_verb_synopsis(f, v);
	fputs("Options:\n", f);
	hs_opts_help(f, v->opts, v->defaults);
	hs_opts_help(f, hs_common_opts, NULL);
}

void hs_opts_help(FILE *f, const struct hs_opt *opts, const void *defaults)
{
	struct out o = { .f = f };

	for (const struct hs_opt *opt = opts; opt->type != HS_OPT_END; opt++)
		if (opt->type != HS_OPT_ARGS)
			option_help(&o, opt, defaults);
}

/* ---- parsing ---- */

/* "a", "a and b", "a, b and c"; last is " and " or " or " */
static void join(char *buf, size_t size, const char *const *names, int n, const char *last)
{
	buf[0] = 0;
	for (int i = 0; i < n; i++)
		appendf(buf, size, "%s%s", !i ? "" : i < n - 1 ? ", " : last, names[i]);
}

static int parse_u32(const struct hs_opt *o, const char *s, __u32 *v)
{
	__u64 x;

	if (!hs_parse_decimal(s, strlen(s), o->max, &x) || x < o->min) {
		hs_err("--%s %s: expected a whole number from %u to %u", o->name, s, o->min, o->max);
		return -EINVAL;
	}
	*v = (__u32)x;
	return 0;
}

static int parse_ports(const struct hs_opt *o, const char *s, __u16 *ports)
{
	__u16 p[HAYSTACK_MAX_PORTS] = {};
	const char *t = s;
	int n = 0;

	for (;;) {
		size_t len = strcspn(t, ",");
		__u64 v;

		if (n == HAYSTACK_MAX_PORTS || !hs_parse_decimal(t, len, 65535, &v) || !v) {
			hs_err("--%s %s: expected up to %d UDP ports from 1 to 65535, like 2055,4739",
			       o->name, s, HAYSTACK_MAX_PORTS);
			return -EINVAL;
		}
		p[n++] = (__u16)v;
		if (!t[len])
			break;
		t += len + 1;
	}
	memcpy(ports, p, sizeof(p));
	return 0;
}

static int parse_enum(const struct hs_opt *o, const char *s, unsigned int *v)
{
	const char *names[8];
	char list[96];
	int n = 0;

	for (const struct hs_enum_val *e = o->values; e->name; e++) {
		if (!strcmp(e->name, s)) {
			*v = e->value;
			return 0;
		}
		if (n < 8)
			names[n++] = e->name;
	}
	join(list, sizeof(list), names, n, " or ");
	hs_err("--%s %s: expected %s", o->name, s, list);
	return -EINVAL;
}

/* field: an array of strings (const char ** or char **), *n its length */
static int append(void *field, int *n, const char *s)
{
	const char **v, **tmp;

	memcpy(&v, field, sizeof(v));
	tmp = realloc(v, ((size_t)*n + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	tmp[(*n)++] = s;
	memcpy(field, &tmp, sizeof(tmp));
	return 0;
}

static int set(const struct hs_opt *o, void *cfg, const char *arg)
{
	char *field = (char *)cfg + o->off;
	int *count = (int *)((char *)cfg + o->aux);
	const char *s = arg;

	switch (o->type) {
	case HS_OPT_BOOL:
		*(bool *)field = true;
		return 0;
	case HS_OPT_OUT:
		if (!strcmp(arg, "-"))
			s = NULL;	/* the runtime's writer: NULL is standard output */
		/* fallthrough */
	case HS_OPT_STRING:
		memcpy(field, &s, sizeof(s));
		return 0;
	case HS_OPT_FILES:
		return append(&((struct hs_files *)field)->v, &((struct hs_files *)field)->n, arg);
	case HS_OPT_ARGS:
		return append(field, count, arg);
	case HS_OPT_U32:
		return parse_u32(o, arg, (__u32 *)field);
	case HS_OPT_PORTS:
		return parse_ports(o, arg, (__u16 *)field);
	case HS_OPT_BINS:
		return hs_parse_bins(arg, (__u32 *)field, HS_MAX_BINS, count);
	case HS_OPT_ENUM:
		return parse_enum(o, arg, (unsigned int *)field);
	default:
		return -EINVAL;
	}
}

static const struct hs_opt *opt_at(const struct hs_verb *v, int i)
{
	return i >= MAX_OPTS ? &hs_common_opts[i - MAX_OPTS] : &v->opts[i];
}

/* The index of the option getopt returned (a short one by its letter):
 * the verb's own, or COMMON_*. */
static int opt_index(const struct hs_verb *v, int c)
{
	if (c >= 256)
		return c - 256;
	for (int i = 0; v->opts[i].type != HS_OPT_END; i++)
		if (v->opts[i].short_name == c)
			return i;
	for (int i = 0; hs_common_opts[i].type != HS_OPT_END; i++)
		if (hs_common_opts[i].short_name == c)
			return MAX_OPTS + i;
	return -1;
}

/* getopt's tables from ours: a long option's val is 256 + its index,
 * the index of opts[0] being base. */
static void getopt_add(const struct hs_opt *opts, int base, struct option *longs, int *k,
		       char *shorts, int *sl)
{
	for (int i = 0; opts[i].type != HS_OPT_END; i++) {
		const struct hs_opt *o = &opts[i];
		int has_arg = o->type == HS_OPT_BOOL ? no_argument : required_argument;

		if (o->type == HS_OPT_ARGS)
			continue;
		longs[(*k)++] = (struct option){ o->name, has_arg, NULL, 256 + base + i };
		if (o->short_name) {
			shorts[(*sl)++] = o->short_name;
			if (has_arg)
				shorts[(*sl)++] = ':';
		}
	}
	longs[*k] = (struct option){ .name = NULL };
	shorts[*sl] = 0;
}

/* getopt said '?' or ':' with opterr off: one line of our own. */
static int refuse(const struct hs_verb *v, int c, const char *given, const struct option *longs)
{
	char name[64], mv[64];
	const struct hs_opt *o;
	int i = opt_index(v, optopt);

	if (c == ':' && i >= 0) {
		o = opt_at(v, i);
		hs_err("%s: %s needs a value (%s)", v->name, label(o, LABEL_NAME, name, sizeof(name)),
		       metavar(o, mv, sizeof(mv)));
	} else if (optopt >= 256) {
		hs_err("%s: --%s takes no value", v->name, opt_at(v, i)->name);
	} else if (optopt) {
		hs_err("%s: unrecognized option '-%c' (haystack %s --help lists its options)",
		       v->name, optopt, v->name);
	} else {
		/* an unknown long option, or a prefix of more than one */
		const char *names[MAX_OPTS + 2] = { NULL };
		char dashed[MAX_OPTS + 2][64], list[1024];
		size_t len = strcspn(given + 2, "=");
		int n = 0;

		for (const struct option *l = longs; l->name; l++)
			if (!strncmp(l->name, given + 2, len)) {
				snprintf(dashed[n], sizeof(dashed[n]), "--%s", l->name);
				names[n] = dashed[n];
				n++;
			}
		join(list, sizeof(list), names, n, " or ");
		if (n > 1)
			hs_err("%s: option '%.*s' is ambiguous (%s)", v->name, (int)len + 2, given,
			       list);
		else
			hs_err("%s: unrecognized option '%.*s' (haystack %s --help lists its options)",
			       v->name, (int)len + 2, given, v->name);
	}
	return -EINVAL;
}

static int check_required(const struct hs_verb *v, const bool *seen)
{
	const char *req[MAX_OPTS], *miss[MAX_OPTS];
	char names[MAX_OPTS][64], a[512], b[512];
	int n_req = 0, n_miss = 0;

	for (int i = 0; v->opts[i].type != HS_OPT_END; i++) {
		const struct hs_opt *o = &v->opts[i];

		if (!o->required)
			continue;
		req[n_req] = label(o, LABEL_NAME, names[n_req], sizeof(names[0]));
		if (!seen[i])
			miss[n_miss++] = req[n_req];
		n_req++;
	}
	if (!n_miss)
		return 0;
	join(a, sizeof(a), req, n_req, " and ");
	join(b, sizeof(b), miss, n_miss, " and ");
	if (n_req == 1)
		hs_err("%s: %s is required", v->name, a);
	else
		hs_err("%s: %s are required (missing %s)", v->name, a, b);
	return -EINVAL;
}

/* A word that is not an option, for o: a list option's, or the verb's
 * positional arguments. */
static int bare(const struct hs_verb *v, const struct hs_opt *o, void *cfg, bool *seen,
		const char *arg)
{
	if (!o) {
		hs_err("%s: unexpected argument '%s'", v->name, arg);
		return -EINVAL;
	}
	seen[o - v->opts] = true;
	return set(o, cfg, arg);
}

static void free_lists(const struct hs_verb *v, void *cfg)
{
	for (const struct hs_opt *o = v->opts; o->type != HS_OPT_END; o++) {
		char *field = (char *)cfg + o->off;
		void *p;

		if (o->type == HS_OPT_FILES)
			field = (char *)&((struct hs_files *)field)->v;
		else if (o->type != HS_OPT_ARGS)
			continue;
		memcpy(&p, field, sizeof(p));
		free(p);
	}
}

/* ---- the configuration file ---- */

/*
 * --config FILE: "key = value" lines under "[VERB]" headers, each key the
 * long name of one of that verb's options, read by the same parsers as the
 * command line. The whole file is checked whichever verb reads it (every
 * section against its verb's table, every value by its option's parser), so
 * a file is accepted or refused as one: a mistake in the refresh's sections
 * is found by the `run` that reads the same file, not a day later. Only the
 * verb's own section is applied, and only to the options the command line
 * did not give.
 */

/* A configuration file of a megabyte is not one (--config /dev/zero). */
#define CONFIG_MAX	(1 << 20)
#define MAX_SECTIONS	16

/* The file as read: the values set into a verb's struct point into it, so
 * it lives until hs_verb_free. */
static char *config_text;

struct config {
	const struct hs_verb *const *verbs;
	const struct hs_verb *self;	/* the verb being parsed */
	void *cfg;
	bool *seen;			/* given on the command line, then also in the file */
	bool cli[MAX_OPTS];		/* given on the command line */
	/* the section being read, its values parsed into scratch (or cfg) */
	const struct hs_verb *sect;
	void *scratch;
	unsigned long key_line[MAX_OPTS];
	const struct hs_verb *done[MAX_SECTIONS];
	unsigned long done_line[MAX_SECTIONS];
	int n_done;
};

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && strchr(" \t\r", e[-1]))
		*--e = 0;
	return s;
}

static void section_end(struct config *c)
{
	if (c->scratch) {
		free_lists(c->sect, c->scratch);
		free(c->scratch);
	}
	c->scratch = NULL;
	c->sect = NULL;
}

static int section_start(struct config *c, char *name, unsigned long line)
{
	const struct hs_verb *v = NULL;

	section_end(c);
	for (const struct hs_verb *const *p = c->verbs; *p && !v; p++)
		if (!strcmp((*p)->name, name))
			v = *p;
	if (!v) {
		hs_err("[%s]: no such verb (haystack --help lists them)", name);
		return -EINVAL;
	}
	for (int i = 0; i < c->n_done; i++)
		if (c->done[i] == v) {
			hs_err("[%s] given twice (first at line %lu)", name, c->done_line[i]);
			return -EINVAL;
		}
	if (c->n_done == MAX_SECTIONS)
		return -EOVERFLOW;
	c->done[c->n_done] = v;
	c->done_line[c->n_done++] = line;
	c->scratch = malloc(v->cfg_size);
	if (!c->scratch)
		return -ENOMEM;
	memcpy(c->scratch, v->defaults, v->cfg_size);
	c->sect = v;
	memset(c->key_line, 0, sizeof(c->key_line));
	return 0;
}

static int key_value(struct config *c, char *s, unsigned long line)
{
	char *eq = strchr(s, '='), *key, *val;
	const struct hs_opt *o = NULL;
	void *target;
	int i;

	if (!eq) {
		hs_err("expected 'key = value' or '[VERB]', not '%.60s'", s);
		return -EINVAL;
	}
	*eq = 0;
	key = trim(s);
	val = trim(eq + 1);
	if (!c->sect) {
		hs_err("'%s' before any [VERB] section", key);
		return -EINVAL;
	}
	for (i = 0; c->sect->opts[i].type != HS_OPT_END; i++)
		if (c->sect->opts[i].type != HS_OPT_ARGS && !strcmp(c->sect->opts[i].name, key)) {
			o = &c->sect->opts[i];
			break;
		}
	if (!o) {
		hs_err("[%s] has no key '%s' (the keys are the long options haystack %s --help lists)",
		       c->sect->name, key, c->sect->name);
		return -EINVAL;
	}
	if (!*val) {
		hs_err("'%s' has no value", key);
		return -EINVAL;
	}
	/* a list takes a key a line; anything else once */
	if (c->key_line[i] && o->type != HS_OPT_FILES) {
		hs_err("'%s' given twice in [%s] (first at line %lu)", key, c->sect->name,
		       c->key_line[i]);
		return -EINVAL;
	}
	c->key_line[i] = line;
	target = c->sect == c->self && !c->cli[i] ? c->cfg : c->scratch;
	if (target == c->cfg)
		c->seen[i] = true;
	if (o->type != HS_OPT_BOOL)
		return set(o, target, val);
	if (strcmp(val, "true") && strcmp(val, "false")) {
		hs_err("--%s %s: expected true or false", key, val);
		return -EINVAL;
	}
	*(bool *)((char *)target + o->off) = val[0] == 't';
	return 0;
}

static int config_read(const struct hs_verb *const *verbs, const struct hs_verb *v,
		       const char *path, void *cfg, bool *seen)
{
	struct config c = { .verbs = verbs, .self = v, .cfg = cfg, .seen = seen };
	char where[PATH_MAX + 24], *line, *next;
	unsigned long lineno = 0;
	size_t len;
	int err;

	memcpy(c.cli, seen, sizeof(c.cli));
	free(config_text);
	config_text = NULL;
	err = hs_file_read(path, CONFIG_MAX, &config_text, &len);
	if (err)
		return err;
	if (strlen(config_text) != len) {
		hs_err("%s: a NUL byte: not a text file", path);
		return -EINVAL;
	}
	for (line = config_text; line && !err; line = next) {
		char *s;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%lu", path, lineno);
		hs_log_set_context(where);
		if (*s == '[' && s[strlen(s) - 1] == ']') {
			s[strlen(s) - 1] = 0;
			err = section_start(&c, trim(s + 1), lineno);
		} else {
			err = key_value(&c, s, lineno);
		}
		hs_log_set_context(NULL);
	}
	section_end(&c);
	return err;
}

int hs_verb_parse(const struct hs_verb *const *verbs, const struct hs_verb *v, int argc,
		  char **argv, void *cfg, int *verbose)
{
	const char *config = NULL;
	struct option longs[2 * MAX_OPTS + 1];
	char shorts[3 + 4 * MAX_OPTS];
	bool seen[MAX_OPTS] = {};
	const struct hs_opt *list = NULL, *args = NULL;
	int c, k = 0, sl = 2, err = 0;

	if (n_opts(v) >= MAX_OPTS) {
		hs_err("%s: more options than MAX_OPTS", v->name);
		return -EOVERFLOW;
	}
	/* "-": bare arguments come back in order, as 1; ":": a missing value
	 * is ':', apart from an unknown option's '?' */
	strcpy(shorts, "-:");
	getopt_add(v->opts, 0, longs, &k, shorts, &sl);
	getopt_add(hs_common_opts, MAX_OPTS, longs, &k, shorts, &sl);
	for (const struct hs_opt *o = v->opts; o->type != HS_OPT_END; o++)
		if (o->type == HS_OPT_ARGS)
			args = o;

	opterr = 0;
	optind = 1;
	for (;;) {
		const struct hs_opt *o;
		int i;

		optopt = 0;
		if (err || (c = getopt_long(argc, argv, shorts, longs, NULL)) == -1)
			break;
		if (c == '?' || c == ':')
			return refuse(v, c, argv[optind - 1], longs);
		if (c == 1) {
			/* "--signatures a.json b.json": a bare FILE after a list joins it */
			err = bare(v, list ?: args, cfg, seen, optarg);
			continue;
		}
		i = opt_index(v, c);
		list = NULL;
		if (i == COMMON_VERBOSE) {
			(*verbose)++;
			continue;
		}
		if (i == COMMON_HELP) {
			hs_verb_help(stdout, v);
			return 1;
		}
		if (i == COMMON_CONFIG) {
			config = optarg;
			continue;
		}
		o = &v->opts[i];
		/* "--dict --subscribers s": a value left out, not a file named so */
		if (optarg && !strncmp(optarg, "--", 2)) {
			char mv[64];

			hs_err("%s: --%s needs a value (%s), not the option '%s'", v->name, o->name,
			       metavar(o, mv, sizeof(mv)), optarg);
			return -EINVAL;
		}
		seen[i] = true;
		err = set(o, cfg, optarg);
		/* a verb with arguments of its own takes them, not the list */
		if (o->type == HS_OPT_FILES && !args)
			list = o;
	}
	/* after "--", every word is an argument */
	for (; !err && optind < argc; optind++)
		err = bare(v, args, cfg, seen, argv[optind]);
	if (!err && config)
		err = config_read(verbs, v, config, cfg, seen);
	return err ?: check_required(v, seen);
}

void hs_verb_free(const struct hs_verb *v, void *cfg)
{
	free_lists(v, cfg);
	free(config_text);
	config_text = NULL;
}
