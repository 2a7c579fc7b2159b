// SPDX-License-Identifier: GPL-2.0
/*
 * The haystack-dictionary/1 file: loaded and validated as a whole (nothing is
 * handed out until every field passed), then compiled into the tables of the
 * service_endpoints LPM trie and the endpoint_rules array.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "dict/dict.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/prefix.h"
#include "lib/sort.h"
#include "lib/timeparse.h"


static const char *const level_names[] = {
	[HS_LEVEL_PLATFORM] = "platform",
	[HS_LEVEL_MANUFACTURER] = "manufacturer",
	[HS_LEVEL_PRODUCT] = "product",
};

const char *hs_level_name(enum hs_level l)
{
	if ((unsigned int)l >= sizeof(level_names) / sizeof(level_names[0]))
		return "?";
	return level_names[l];
}

int hs_class_find(const struct hs_dict *d, const char *name)
{
	int i;

	for (i = 0; i < d->n_classes; i++)
		if (d->classes[i].name && !strcmp(d->classes[i].name, name))
			return i;
	return -1;
}

/*
 * "haystack: PATH: ITEM: problem" as exactly one line: the dictionary's
 * strings are quoted in it, and a name holding a newline must not be able to
 * forge a second diagnostic, so control characters are escaped.
 */
static void report(const char *path, const char *item, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (item && *item)
		hs_err("%s: %s: %s", path, item, msg);
	else
		hs_err("%s: %s", path, msg);
}

/* ---- loading ---- */

struct name_idx {
	const char *name;
	int idx;
};

static int name_idx_cmp(const void *a, const void *b)
{
	const struct name_idx *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Over names sorted by (name, index): the duplicate earliest in the file,
 * i.e. the lowest index that repeats an earlier entry, and that entry. */
static int find_dup(const struct name_idx *names, int n, int *first)
{
	int i, dup = -1;

	for (i = 1; i < n; i++)
		if (!strcmp(names[i - 1].name, names[i].name) &&
		    (dup < 0 || names[i].idx < dup)) {
			dup = names[i].idx;
			*first = names[i - 1].idx;
		}
	return dup;
}

struct loader {
	const char *path;
	struct hs_dict *d;
	struct name_idx *class_names;	/* sorted, for lookups by name */
	bool quiet;			/* the first read, which names no problem */
	char item[192];			/* "domains[3] 'name'", the subject of errors */
};

#define fail(ld, ...) \
	((ld)->quiet ? (void)0 : report((ld)->path, (ld)->item, __VA_ARGS__), -EINVAL)

static void set_item(struct loader *ld, const char *what, int i, const char *name)
{
	if (name)
		snprintf(ld->item, sizeof(ld->item), "%s[%d] '%.120s'", what, i, name);
	else
		snprintf(ld->item, sizeof(ld->item), "%s[%d]", what, i);
}

static int class_lookup(const struct loader *ld, const char *name)
{
	struct name_idx key = { name, -1 }, *r;
	int lo = 0, hi = ld->d->n_classes;

	/* a dictionary names classes from every domain: not a linear scan */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (name_idx_cmp(&ld->class_names[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	r = &ld->class_names[lo];
	return lo < ld->d->n_classes && !strcmp(r->name, name) ? r->idx : -1;
}

/* JSON null and an absent member are the same: "not given". */
static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* A JSON string usable as a C string (no embedded NUL), else NULL. */
static const char *str_value(struct json_object *v)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

/* Required non-empty string member, duplicated into *out. */
static int get_name(struct loader *ld, struct json_object *o, const char *key, char **out)
{
	struct json_object *v = member(o, key);
	const char *s;

	if (!v)
		return fail(ld, "missing %s", key);
	s = str_value(v);
	if (!s || !*s)
		return fail(ld, "%s is not a non-empty string", key);
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/* Optional string member: *out stays NULL when not given. */
static int get_opt_string(struct loader *ld, struct json_object *o, const char *key, char **out)
{
	struct json_object *v = member(o, key);
	const char *s;

	if (!v)
		return 0;
	s = str_value(v);
	if (!s)
		return fail(ld, "%s is not a string", key);
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/* Optional RFC 3339 time: the text in *out, its seconds in *t (none when
 * not given). */
static int get_time(struct loader *ld, struct json_object *o, const char *key, char **out,
		    long long *t, long long none)
{
	int err = get_opt_string(ld, o, key, out);

	*t = none;
	if (err || !*out)
		return err;
	if (hs_parse_time(*out, t))
		return fail(ld, "%s '%.64s' is not an RFC 3339 time (2019-11-15T00:00:00Z)", key, *out);
	return 0;
}

static int get_array(struct loader *ld, struct json_object *o, const char *key,
		     bool required, struct json_object **out)
{
	struct json_object *v = member(o, key);

	*out = NULL;
	if (!v)
		return required ? fail(ld, "missing %s", key) : 0;
	if (!json_object_is_type(v, json_type_array))
		return fail(ld, "%s is not an array", key);
	*out = v;
	return 0;
}

/* Entry i of the array what: an object with a "name", which names the entry
 * in every message about it from then on. */
static int load_named(struct loader *ld, const char *what, int i, struct json_object *o,
		      char **name)
{
	int err;

	set_item(ld, what, i, NULL);
	if (!json_object_is_type(o, json_type_object))
		return fail(ld, "not an object");
	err = get_name(ld, o, "name", name);
	if (!err)
		set_item(ld, what, i, *name);
	return err;
}

static int load_class(struct loader *ld, int i, struct json_object *o)
{
	struct hs_class *c = &ld->d->classes[i];
	struct json_object *v;
	const char *s;
	int l, err;

	c->parent = -1;
	err = load_named(ld, "classes", i, o, &c->name);
	if (err)
		return err;

	err = get_opt_string(ld, o, "title", &c->title);
	if (err)
		return err;
	if (!c->title && !(c->title = strdup(c->name)))
		return -ENOMEM;

	v = member(o, "level");
	if (!v)
		return fail(ld, "missing level");
	s = str_value(v);
	for (l = HS_LEVEL_PLATFORM; l <= HS_LEVEL_PRODUCT; l++)
		if (s && !strcmp(s, level_names[l]))
			break;
	c->level = (enum hs_level)l;
	if (l > HS_LEVEL_PRODUCT)
		return fail(ld, "bad level '%.64s' (platform, manufacturer or product)",
			    s ? s : json_object_to_json_string(v));

	c->threshold = HS_DEFAULT_THRESHOLD;
	v = member(o, "threshold");
	if (v) {
		if (!json_object_is_type(v, json_type_double) &&
		    !json_object_is_type(v, json_type_int))
			return fail(ld, "threshold is not a number");
		c->threshold = json_object_get_double(v);
		/* D = 0 makes any one primary domain enough; D > 1 is never met */
		if (!(c->threshold > 0 && c->threshold <= 1))
			return fail(ld, "threshold %g is not in (0, 1]", c->threshold);
	}

	c->active_packets_per_hour = HS_DEFAULT_ACTIVE_PPH;
	v = member(o, "active_packets_per_hour");
	if (v && hs_json_u64(v, &c->active_packets_per_hour))
		return fail(ld, "active_packets_per_hour is not an integer 0..%llu",
			    (unsigned long long)UINT64_MAX);
	return 0;
}

/* Parents name classes that may come later in the file: resolved once all
 * names are known, then checked for cycles (a cycle would make "S has the
 * parent" undecidable in detection). */
static int resolve_parents(struct loader *ld, struct json_object *arr)
{
	struct hs_dict *d = ld->d;
	char *state = NULL;	/* 0 unseen, 1 on the current walk, 2 done */
	int i, j, err = 0;

	for (i = 0; i < d->n_classes; i++) {
		struct json_object *v = member(json_object_array_get_idx(arr, i), "parent");
		const char *s;

		if (!v)
			continue;
		set_item(ld, "classes", i, d->classes[i].name);
		s = str_value(v);
		if (!s)
			return fail(ld, "parent is not a string or null");
		d->classes[i].parent = class_lookup(ld, s);
		if (d->classes[i].parent < 0)
			return fail(ld, "unknown parent '%.120s'", s);
	}

	state = calloc((size_t)d->n_classes + 1, 1);
	if (!state)
		return -ENOMEM;
	for (i = 0; i < d->n_classes && !err; i++) {
		for (j = i; j >= 0 && !state[j]; j = d->classes[j].parent)
			state[j] = 1;
		if (j >= 0 && state[j] == 1) {
			char path[160];
			int k = j, n = 0;

			do {
				n += snprintf(path + n, sizeof(path) - n, "%s'%.40s'",
					      n ? " -> " : "", d->classes[k].name);
				k = d->classes[k].parent;
			} while (k != j && (size_t)n < sizeof(path));
			if ((size_t)n < sizeof(path))
				snprintf(path + n, sizeof(path) - n, " -> '%.40s'", d->classes[j].name);
			set_item(ld, "classes", j, NULL);
			err = fail(ld, "class cycle through '%.120s' (%s)", d->classes[j].name, path);
		}
		for (j = i; j >= 0 && state[j] == 1; j = d->classes[j].parent)
			state[j] = 2;
	}
	free(state);
	return err;
}

static int load_classes(struct loader *ld, struct json_object *arr)
{
	struct hs_dict *d = ld->d;
	int i, n = (int)json_object_array_length(arr), err, dup, first = -1;

	d->classes = calloc((size_t)n + 1, sizeof(*d->classes));
	ld->class_names = calloc((size_t)n + 1, sizeof(*ld->class_names));
	if (!d->classes || !ld->class_names)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		d->n_classes = i + 1;	/* what hs_dict_free must look at */
		err = load_class(ld, i, json_object_array_get_idx(arr, i));
		if (err)
			return err;
		ld->class_names[i] = (struct name_idx){ d->classes[i].name, i };
	}
	hs_sort(ld->class_names, (size_t)n, sizeof(*ld->class_names), name_idx_cmp);
	dup = find_dup(ld->class_names, n, &first);
	if (dup >= 0) {
		set_item(ld, "classes", dup, NULL);
		return fail(ld, "duplicate class '%.120s' (also classes[%d])",
			    d->classes[dup].name, first);
	}
	return resolve_parents(ld, arr);
}

static int load_class_list(struct loader *ld, struct json_object *o, int **out, int *n_out)
{
	struct json_object *arr;
	int i, j, n, err;

	err = get_array(ld, o, "classes", true, &arr);
	if (err)
		return err;
	n = (int)json_object_array_length(arr);
	if (!n)
		return fail(ld, "classes is empty");
	*out = calloc((size_t)n, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*n_out = n;
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		const char *s = str_value(v);

		if (!s)
			return fail(ld, "classes[%d] is not a string", i);
		(*out)[i] = class_lookup(ld, s);
		if ((*out)[i] < 0)
			return fail(ld, "unknown class '%.120s'", s);
		/* listed twice, it would count twice towards N */
		for (j = 0; j < i; j++)
			if ((*out)[j] == (*out)[i])
				return fail(ld, "class '%.120s' listed twice", s);
	}
	return 0;
}

/* "tcp/443", "udp/123", "sctp/N"; port 1..65535, plain decimal */
int hs_parse_port(const char *s, struct hs_port *out)
{
	static const struct { const char *name; __u8 proto; } protos[] = {
		{ "tcp/", IPPROTO_TCP }, { "udp/", IPPROTO_UDP }, { "sctp/", IPPROTO_SCTP },
	};
	unsigned long v = 0;
	const char *p = NULL;
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		size_t l = strlen(protos[i].name);

		if (!strncmp(s, protos[i].name, l)) {
			p = s + l;
			out->proto = protos[i].proto;
			break;
		}
	}
	if (!p || !*p || *p == '0')
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			return -EINVAL;
	}
	out->port = (__u16)v;
	return 0;
}

int hs_port_cmp(const void *a, const void *b)
{
	const struct hs_port *x = a, *y = b;

	return x->port != y->port ? (x->port > y->port) - (x->port < y->port) :
	       (x->proto > y->proto) - (x->proto < y->proto);
}

static int load_domain(struct loader *ld, int i, struct json_object *o)
{
	struct hs_domain *dom = &ld->d->domains[i];
	struct json_object *arr, *v;
	const char *s;
	int k, n, err;

	err = load_named(ld, "domains", i, o, &dom->name);
	if (err)
		return err;

	err = load_class_list(ld, o, &dom->classes, &dom->n_classes);
	if (err)
		return err;

	v = member(o, "role");
	if (!v)
		return fail(ld, "missing role");
	s = str_value(v);
	if (s && !strcmp(s, "primary"))
		dom->primary = true;
	else if (!s || strcmp(s, "support"))
		return fail(ld, "bad role '%.64s' (primary or support)",
			    s ? s : json_object_to_json_string(v));

	err = get_array(ld, o, "ports", false, &arr);
	if (err)
		return err;
	n = arr ? (int)json_object_array_length(arr) : 0;
	if (n) {
		dom->ports = calloc((size_t)n, sizeof(*dom->ports));
		if (!dom->ports)
			return -ENOMEM;
		dom->n_ports = n;
	}
	for (k = 0; k < n; k++) {
		v = json_object_array_get_idx(arr, k);
		s = str_value(v);
		if (!s || hs_parse_port(s, &dom->ports[k]))
			return fail(ld, "bad port '%.64s'", s ? s : json_object_to_json_string(v));
	}

	err = get_array(ld, o, "prefixes", true, &arr);
	if (err)
		return err;
	n = (int)json_object_array_length(arr);
	if (!n)
		return fail(ld, "prefixes is empty");
	dom->prefixes = calloc((size_t)n, sizeof(*dom->prefixes));
	if (!dom->prefixes)
		return -ENOMEM;
	dom->n_prefixes = n;
	for (k = 0; k < n; k++) {
		const char *why = "not a string";

		v = json_object_array_get_idx(arr, k);
		s = str_value(v);
		if (!s || hs_parse_prefix_why(s, &dom->prefixes[k], &why))
			return fail(ld, "bad prefix '%.64s' (%s)",
				    s ? s : json_object_to_json_string(v), why);
	}
	return 0;
}

static int domains_alloc(struct loader *ld, size_t n)
{
	/* evidence names a domain by a 16-bit index (detect/detect.h) */
	if (n > HS_DICT_MAX_DOMAINS)
		return fail(ld, "%zu domains: more than %d in one dictionary", n, HS_DICT_MAX_DOMAINS);
	ld->d->domains = calloc(n + 1, sizeof(*ld->d->domains));
	return ld->d->domains ? 0 : -ENOMEM;
}

/* No name twice: sorted, not pairwise, as a dictionary may hold 65,535
 * domains; of several duplicates, the one earliest in the file named. */
static int domains_unique(struct loader *ld)
{
	struct hs_dict *d = ld->d;
	struct name_idx *names = calloc((size_t)d->n_domains + 1, sizeof(*names));
	int i, dup, first = -1, err = 0;

	if (!names)
		return -ENOMEM;
	for (i = 0; i < d->n_domains; i++)
		names[i] = (struct name_idx){ d->domains[i].name, i };
	hs_sort(names, (size_t)d->n_domains, sizeof(*names), name_idx_cmp);
	dup = find_dup(names, d->n_domains, &first);
	if (dup >= 0) {
		set_item(ld, "domains", dup, NULL);
		err = fail(ld, "duplicate domain '%.120s' (also domains[%d])",
			   d->domains[dup].name, first);
	}
	free(names);
	return err;
}

static int load_domains(struct loader *ld, struct json_object *arr)
{
	struct hs_dict *d = ld->d;
	int i, n = (int)json_object_array_length(arr), err;

	err = domains_alloc(ld, (size_t)n);
	for (i = 0; !err && i < n; i++) {
		d->n_domains = i + 1;
		err = load_domain(ld, i, json_object_array_get_idx(arr, i));
	}
	return err ?: domains_unique(ld);
}

static int load_excluded(struct loader *ld, struct json_object *arr)
{
	struct hs_dict *d = ld->d;
	int i, n = (int)json_object_array_length(arr), err;

	d->excluded = calloc((size_t)n + 1, sizeof(*d->excluded));
	if (!d->excluded)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		struct hs_excluded *x = &d->excluded[i];

		d->n_excluded = i + 1;
		err = load_named(ld, "excluded", i, o, &x->name);
		if (err)
			return err;
		err = load_class_list(ld, o, &x->classes, &x->n_classes);
		if (!err)
			err = get_opt_string(ld, o, "reason", &x->reason);
		if (err)
			return err;
		if (!x->reason && !(x->reason = strdup("")))
			return -ENOMEM;
	}
	return 0;
}

/* The dictionary's members before its domains: format, validity, classes. */
static int load_head(struct loader *ld, struct json_object *root)
{
	struct hs_dict *d = ld->d;
	struct json_object *v, *arr;
	const char *s;
	int err;

	if (!json_object_is_type(root, json_type_object))
		return fail(ld, "not a JSON object");
	v = member(root, "format");
	s = str_value(v);
	if (!v)
		return fail(ld, "missing format (expected '" HS_DICT_FORMAT "')");
	if (!s || strcmp(s, HS_DICT_FORMAT))
		return fail(ld, "format '%.64s' is not '" HS_DICT_FORMAT "'",
			    s ? s : json_object_to_json_string(v));
	err = get_time(ld, root, "valid_from", &d->valid_from, &d->valid_from_s, LLONG_MIN);
	if (!err)
		err = get_time(ld, root, "valid_until", &d->valid_until, &d->valid_until_s, LLONG_MAX);
	if (!err && d->valid_from_s >= d->valid_until_s)
		err = fail(ld, "valid_until %s is not after valid_from %s", d->valid_until,
			   d->valid_from);
	if (!err)
		err = get_array(ld, root, "classes", true, &arr);
	if (!err)
		err = load_classes(ld, arr);
	ld->item[0] = '\0';
	return err;
}

/* And after them: the excluded domains, and what is derived. */
static int load_tail(struct loader *ld, struct json_object *root)
{
	struct hs_dict *d = ld->d;
	struct json_object *arr;
	int i, j, err;

	ld->item[0] = '\0';
	err = get_array(ld, root, "excluded", false, &arr);
	if (!err && arr)
		err = load_excluded(ld, arr);
	if (err)
		return err;
	/* excluded domains do not count towards N (DESIGN §2) */
	for (i = 0; i < d->n_domains; i++)
		for (j = 0; j < d->domains[i].n_classes; j++)
			d->classes[d->domains[i].classes[j]].n_monitored++;
	return 0;
}

static int load(struct loader *ld, struct json_object *root)
{
	struct json_object *arr;
	int err = load_head(ld, root);

	if (!err)
		err = get_array(ld, root, "domains", true, &arr);
	if (!err)
		err = load_domains(ld, arr);
	return err ?: load_tail(ld, root);
}

/*
 * The first read of a dictionary, the domains in two threads without a tree
 * of the whole text (lib/json.h, hs_json_split_parse): json-c's tree of a
 * million prefixes, its allocations and frees, were most of the time a
 * dictionary took to read. It names no problem: on any, the text is read
 * again whole (load), which names the first as it always has.
 */
struct split_load {
	struct loader ld[2];	/* one for each part: the subject of errors */
};

static int split_begin(struct json_object *rest, size_t n, void *arg)
{
	struct split_load *sl = arg;
	struct json_object *arr;
	int err = load_head(&sl->ld[0], rest);

	if (!err)
		err = get_array(&sl->ld[0], rest, "domains", true, &arr);
	if (!err)
		err = domains_alloc(&sl->ld[0], n);
	/* every entry, so that hs_dict_free sees what either part wrote */
	if (!err)
		sl->ld[0].d->n_domains = (int)n;
	sl->ld[1] = sl->ld[0];
	return err;
}

static int split_element(struct json_object *v, size_t i, int part, void *arg)
{
	struct split_load *sl = arg;

	return load_domain(&sl->ld[part], (int)i, v);
}

static int load_split(struct loader *ld, const char *buf, size_t len)
{
	struct split_load sl = { .ld = { *ld } };
	const struct hs_json_split split = {
		.key = "domains", .begin = split_begin, .element = split_element, .arg = &sl,
	};
	struct json_object *rest;
	int err;

	sl.ld[0].quiet = true;
	err = hs_json_split_parse(buf, len, &split, &rest, &ld->d->file_hash);
	ld->class_names = sl.ld[0].class_names;
	if (err)
		return err;
	err = domains_unique(&sl.ld[0]) ?: load_tail(&sl.ld[0], rest);
	json_object_put(rest);
	return err;
}

static struct hs_dict *dict_new(const char *path)
{
	struct hs_dict *d = calloc(1, sizeof(*d));

	if (d && !(d->path = strdup(path))) {
		free(d);
		d = NULL;
	}
	return d;
}

int hs_dict_load(const char *path, struct hs_dict **out)
{
	struct loader ld = { .path = path };
	struct json_object *root = NULL;
	char *buf = NULL;
	size_t len = 0;
	__u64 hash;
	int err;

	err = hs_file_read(path, HS_DICT_MAX_BYTES, &buf, &len);
	if (err)
		goto out;
	ld.d = dict_new(path);
	err = ld.d ? load_split(&ld, buf, len) : -ENOMEM;
	if (!err)
		goto out;
	hs_dict_free(ld.d);
	free(ld.class_names);
	ld.d = NULL;
	ld.class_names = NULL;
	err = hs_json_text_parse(path, buf, len, &root, &hash);
	/* json-c holds its own copies: the text can go before the tree grows */
	free(buf);
	buf = NULL;
	if (err)
		goto out;
	ld.d = dict_new(path);
	err = -ENOMEM;
	if (ld.d) {
		ld.d->file_hash = hash;
		err = load(&ld, root);
	}
	/* not for the file's reader, which names its own failures */
	if (err == -ENOMEM)
		hs_err("%s: out of memory", path);
out:
	if (err) {
		hs_dict_free(ld.d);
	} else {
		*out = ld.d;
	}
	free(buf);
	free(ld.class_names);
	json_object_put(root);
	return err;
}

void hs_dict_free(struct hs_dict *d)
{
	int i;

	if (!d)
		return;
	for (i = 0; i < d->n_classes; i++) {
		free(d->classes[i].name);
		free(d->classes[i].title);
	}
	for (i = 0; i < d->n_domains; i++) {
		free(d->domains[i].name);
		free(d->domains[i].classes);
		free(d->domains[i].ports);
		free(d->domains[i].prefixes);
	}
	for (i = 0; i < d->n_excluded; i++) {
		free(d->excluded[i].name);
		free(d->excluded[i].reason);
		free(d->excluded[i].classes);
	}
	free(d->classes);
	free(d->domains);
	free(d->excluded);
	free(d->valid_from);
	free(d->valid_until);
	free(d->path);
	free(d);
}
