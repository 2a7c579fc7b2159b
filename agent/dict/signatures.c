// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "lib/array.h"
#include "lib/dnsname.h"
#include "lib/lines.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/outfile.h"
#include "lib/sort.h"
#include "dict/signatures.h"

#define SIG_FORMAT		"haystack-signatures/1"

/* ---- reading haystack-signatures/1 ---- */

struct sig_reader {
	const char *path;
	char item[192];
};

#define bad(r, ...) (sig_report((r), __VA_ARGS__), -EINVAL)

static void sig_report(const struct sig_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sig_report(const struct sig_reader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hs_err("%s: %s%s%s", r->path, r->item, r->item[0] ? ": " : "", msg);
}

static int dup_str(const char *s, char **out)
{
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int load_sig_domain(struct sig_reader *r, struct json_object *o, struct hs_sig_domain *d)
{
	struct json_object *ports = NULL;
	const char *name = hs_json_str(o, "name"), *role = hs_json_str(o, "role");
	int i, n, err;

	if (!json_object_is_type(o, json_type_object) || !name)
		return bad(r, "a domain without a name");
	err = dup_str(name, &d->name);
	if (err)
		return err;
	if (hs_name_normalize(d->name))
		return bad(r, "domain '%.120s' is not a host name (or '*.' and one)", name);
	if (!role || (strcmp(role, "primary") && strcmp(role, "support")))
		return bad(r, "domain '%.120s': role is not primary or support", name);
	d->primary = !strcmp(role, "primary");
	if (json_object_object_get_ex(o, "ports", &ports) && ports &&
	    !json_object_is_type(ports, json_type_array))
		return bad(r, "domain '%.120s': ports is not an array", name);
	n = ports ? (int)json_object_array_length(ports) : 0;
	d->ports = calloc((size_t)n + 1, sizeof(*d->ports));
	if (!d->ports)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(ports, i);
		const char *s = json_object_is_type(v, json_type_string) ?
				json_object_get_string(v) : NULL;

		if (!s || hs_parse_port(s, &d->ports[d->n_ports++]))
			return bad(r, "domain '%.120s': bad port '%.40s' (tcp/N, udp/N or sctp/N)",
				   name, s ? s : json_object_to_json_string(v));
	}
	return 0;
}

static int load_sig_class(struct sig_reader *r, int i, struct json_object *o, struct hs_sig_class *c)
{
	const char *name = hs_json_str(o, "name"), *level = hs_json_str(o, "level");
	const char *title = hs_json_str(o, "title"), *parent = hs_json_str(o, "parent");
	struct json_object *v, *domains = hs_json_get(o, "domains", json_type_array);
	int l, k, n, err;

	snprintf(r->item, sizeof(r->item), "classes[%d]", i);
	if (!json_object_is_type(o, json_type_object) || !name || !*name)
		return bad(r, "missing name");
	snprintf(r->item, sizeof(r->item), "classes[%d] '%.120s'", i, name);
	if ((err = dup_str(name, &c->name)) || (err = dup_str(title ?: name, &c->title)))
		return err;
	for (l = HS_LEVEL_PLATFORM; l <= HS_LEVEL_PRODUCT; l++)
		if (level && !strcmp(level, hs_level_name((enum hs_level)l)))
			break;
	if (l > HS_LEVEL_PRODUCT)
		return bad(r, "level is not platform, manufacturer or product");
	c->level = (enum hs_level)l;
	if (parent && (err = dup_str(parent, &c->parent)))
		return err;
	c->threshold = HS_DEFAULT_THRESHOLD;
	if (json_object_object_get_ex(o, "threshold", &v) && v) {
		if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
			return bad(r, "threshold is not a number");
		c->threshold = json_object_get_double(v);
		if (!(c->threshold > 0 && c->threshold <= 1))
			return bad(r, "threshold %g is not in (0, 1]", c->threshold);
	}
	c->active_packets_per_hour = HS_DEFAULT_ACTIVE_PPH;
	if (json_object_object_get_ex(o, "active_packets_per_hour", &v) && v &&
	    hs_json_u64(v, &c->active_packets_per_hour))
		return bad(r, "active_packets_per_hour is not an integer 0..%llu",
			   (unsigned long long)UINT64_MAX);
	if (!domains)
		return bad(r, "domains is not an array");
	n = (int)json_object_array_length(domains);
	c->domains = calloc((size_t)n + 1, sizeof(*c->domains));
	if (!c->domains)
		return -ENOMEM;
	for (k = 0; k < n; k++) {
		c->n_domains = k + 1;
		err = load_sig_domain(r, json_object_array_get_idx(domains, k), &c->domains[k]);
		if (err)
			return err;
	}
	return 0;
}

int hs_signatures_load(const char *path, struct hs_signatures *s)
{
	struct sig_reader r = { .path = path };
	struct json_object *root = NULL, *classes;
	const char *format;
	struct hs_sig_class *tmp;
	int i, n, err;

	err = hs_json_file_load(path, HS_SIGNATURES_MAX_BYTES, &root, NULL);
	if (err)
		return err;
	format = hs_json_str(root, "format");
	classes = hs_json_get(root, "classes", json_type_array);
	if (!format || strcmp(format, SIG_FORMAT)) {
		err = bad(&r, "format is not '" SIG_FORMAT "'");
		goto out;
	}
	if (!classes) {
		err = bad(&r, "classes is not an array");
		goto out;
	}
	n = (int)json_object_array_length(classes);
	tmp = realloc(s->classes, ((size_t)s->n_classes + n + 1) * sizeof(*tmp));
	err = -ENOMEM;
	if (!tmp)
		goto out;
	s->classes = tmp;
	for (i = 0; i < n; i++) {
		memset(&s->classes[s->n_classes], 0, sizeof(s->classes[0]));
		s->n_classes++;
		err = load_sig_class(&r, i, json_object_array_get_idx(classes, i),
				     &s->classes[s->n_classes - 1]);
		if (err)
			goto out;
	}
	err = 0;
out:
	if (err == -ENOMEM)
		hs_err("%s: out of memory", path);
	json_object_put(root);
	return err;
}

int hs_signatures_find(const struct hs_signatures *s, const char *name)
{
	int i;

	for (i = 0; i < s->n_classes; i++)
		if (!strcmp(s->classes[i].name, name))
			return i;
	return -1;
}

int hs_signatures_check(const struct hs_signatures *s)
{
	int i, j, p, steps;

	for (i = 0; i < s->n_classes; i++) {
		const struct hs_sig_class *c = &s->classes[i];

		if (hs_signatures_find(s, c->name) != i) {
			hs_err("signatures: class '%s' is defined twice", c->name);
			return -EINVAL;
		}
		if (c->parent && hs_signatures_find(s, c->parent) < 0) {
			hs_err("signatures: class '%s': unknown parent '%s'", c->name, c->parent);
			return -EINVAL;
		}
		/* a walk up longer than the number of classes went round */
		for (p = i, steps = 0; p >= 0 && s->classes[p].parent; steps++) {
			p = hs_signatures_find(s, s->classes[p].parent);
			if (steps > s->n_classes) {
				hs_err("signatures: class '%s': its parents form a cycle", c->name);
				return -EINVAL;
			}
		}
		for (j = 0; j < c->n_domains; j++)
			for (p = 0; p < j; p++)
				if (!strcmp(c->domains[p].name, c->domains[j].name)) {
					hs_err("signatures: class '%s' lists domain '%s' twice",
					       c->name, c->domains[j].name);
					return -EINVAL;
				}
	}
	return 0;
}

void hs_signatures_free(struct hs_signatures *s)
{
	int i, k;

	for (i = 0; i < s->n_classes; i++) {
		struct hs_sig_class *c = &s->classes[i];

		for (k = 0; k < c->n_domains; k++) {
			free(c->domains[k].ports);
			free(c->domains[k].name);
		}
		free(c->domains);
		free(c->name);
		free(c->title);
		free(c->parent);
	}
	free(s->classes);
	memset(s, 0, sizeof(*s));
}

/* ---- importing the paper's CSVs ---- */

/*
 * The paper's hierarchy for the two vendor files. A service (the CSV's
 * grouped_domain: names the authors found on the same service addresses)
 * moves up to the first tier whose rule it meets; the rest stays with its
 * detection_level group, whose class is a product below the lowest tier.
 */
enum tier_rule {
	EVERY_DEVICE,		/* contacted by every device of the file */
	SEVERAL_GROUPS,		/* contacted by two or more detection_level groups */
};

static const struct family {
	const char *file;
	struct tier {
		const char *name, *title;
		enum hs_level level;
		enum tier_rule rule;
	} tiers[2];
	int n_tiers;
} families[] = {
	{ "alexa_enabled.csv", {
		{ "alexa-enabled", "Alexa Enabled", HS_LEVEL_PLATFORM, EVERY_DEVICE },
		{ "amazon-products", "Amazon products", HS_LEVEL_MANUFACTURER, SEVERAL_GROUPS } }, 2 },
	{ "samsung_IoT.csv", {
		{ "samsung-iot", "Samsung IoT", HS_LEVEL_MANUFACTURER, SEVERAL_GROUPS } }, 1 },
};

/* Ports whose registered service has one transport; any other port is
 * listed for both tcp and udp, since the CSVs do not say which. QUIC on
 * udp/443 is left out: these devices speak TLS over TCP. */
static const struct { int port; const char *proto; } well_known[] = {
	{ 80, "tcp" }, { 123, "udp" }, { 443, "tcp" }, { 1883, "tcp" }, { 5222, "tcp" },
	{ 5223, "tcp" }, { 5671, "tcp" }, { 5683, "udp" }, { 8080, "tcp" }, { 8443, "tcp" },
	{ 8883, "tcp" },
};

static const char *const import_notes[] = {
	"role: every domain is primary; the CSVs do not say primary or support",
	"ports: tcp or udp by the port's registered service (tcp 80, 443, 1883, 5222, 5223, "
	"5671, 8080, 8443, 8883; udp 123, 5683); any other port is listed for both tcp and udp",
	"hierarchy: alexa_enabled.csv gives alexa-enabled (platform: services every device "
	"of the file contacts) > amazon-products (manufacturer: services of several "
	"detection_level groups) > one product class per group; samsung_IoT.csv gives "
	"samsung-iot (manufacturer: services of several groups) > the product classes of the "
	"groups that share one with another; other files: one class per group, manufacturer "
	"for a '_cat' group (several devices), else product; services are grouped_domain",
};

struct row {
	const struct family *fam;
	char *file, *domain, *group, *device, *service;
	int port;			/* 0: the CSV gives none, any port */
	const char *cls;		/* the class the domain goes to */
};

struct import {
	const char *dir;
	struct row *rows;
	size_t n, cap;
};

static void row_free(struct row *r)
{
	free(r->file);
	free(r->domain);
	free(r->group);
	free(r->device);
	free(r->service);
}

/* "443", "443.0" (how the authors' tool wrote integers) or nothing. */
static int parse_csv_port(const char *s, int *port)
{
	char *end;
	double v;

	*port = 0;
	if (!*s)
		return 0;
	/* digits and a point only: strtod would take " 443", "0x1bb", "inf" */
	if (*s < '0' || *s > '9' || s[strspn(s, "0123456789.")])
		return -EINVAL;
	v = strtod(s, &end);
	/* the range before the cast: (int)1e30 is undefined */
	if (*end || !(v >= 1 && v <= 65535) || v != (int)v)
		return -EINVAL;
	*port = (int)v;
	return 0;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* "tplink_cat" → "tplink", "t-philips-hub" stays: class names are the
 * group names in the style of the rest of haystack. */
static char *group_class_name(const char *group)
{
	size_t n = strlen(group);
	char *s = strdup(group), *p;

	if (!s)
		return NULL;
	if (n > 4 && !strcmp(s + n - 4, "_cat"))
		s[n - 4] = '\0';
	for (p = s; *p; p++)
		if (*p == '_')
			*p = '-';
	return s;
}

/* The family whose tier a group's class would be named like, or NULL: two
 * classes of one name would make signatures that do not load. */
static const struct family *tier_named(const char *group)
{
	char *name = group_class_name(group);
	const struct family *fam = NULL;
	size_t k;
	int t;

	for (k = 0; name && k < sizeof(families) / sizeof(families[0]); k++)
		for (t = 0; t < families[k].n_tiers; t++)
			if (!strcmp(name, families[k].tiers[t].name))
				fam = &families[k];
	free(name);
	return fam;
}

static const char *const csv_columns = "domain,detection_level,device,grouped_domain,domain_id,port";

struct csv_file {
	struct import *im;
	const char *name;
	const struct family *fam;
	bool header_seen;
};

static int csv_line(void *ctx, char *line, unsigned long lineno, char *why, size_t why_len)
{
	struct csv_file *cf = ctx;
	struct import *im = cf->im;
	char *f[6], *save = line;
	struct row r = { .fam = cf->fam };
	int i;

	if (!cf->header_seen) {
		cf->header_seen = true;
		if (strcmp(line, csv_columns)) {
			snprintf(why, why_len, "header is not '%s'", csv_columns);
			return HS_LINE_MALFORMED;
		}
		return 0;
	}
	if (strchr(line, '"')) {
		snprintf(why, why_len, "quoted fields are not expected in this CSV");
		return HS_LINE_MALFORMED;
	}
	for (i = 0; i < 6; i++)
		f[i] = strsep(&save, ",");
	if (!f[5] || save) {
		snprintf(why, why_len, "expected 6 fields (%s)", csv_columns);
		return HS_LINE_MALFORMED;
	}
	/* the names become class names and JSON strings of the output: one
	 * byte beyond printable ASCII (the CSVs have none) would make a file
	 * that does not read back as signatures */
	for (i = 1; i < 4; i++)
		if (!printable(f[i])) {
			snprintf(why, why_len, "%s '%.40s' is not printable ASCII",
				 i == 1 ? "detection_level" : i == 2 ? "device" : "grouped_domain", f[i]);
			return HS_LINE_MALFORMED;
		}
	if (hs_name_normalize(f[0]) || !*f[1] || !*f[2] || !*f[3]) {
		snprintf(why, why_len, "bad domain '%.80s' or empty detection_level/device/grouped_domain",
			 f[0]);
		return HS_LINE_MALFORMED;
	}
	if ((r.fam = tier_named(f[1]))) {
		snprintf(why, why_len, "detection_level '%.40s' would be a class named like a tier "
			 "of %s", f[1], r.fam->file);
		return HS_LINE_MALFORMED;
	}
	r.fam = cf->fam;
	if (parse_csv_port(f[5], &r.port)) {
		snprintf(why, why_len, "port '%.20s' is not a number 1..65535", f[5]);
		return HS_LINE_MALFORMED;
	}
	if (hs_grow((void **)&im->rows, &im->cap, im->n, sizeof(*im->rows), 256))
		return -ENOMEM;
	r.file = strdup(cf->name);
	r.domain = strdup(f[0]);
	r.group = strdup(f[1]);
	r.device = strdup(f[2]);
	r.service = strdup(f[3]);
	if (!r.file || !r.domain || !r.group || !r.device || !r.service) {
		row_free(&r);
		return -ENOMEM;
	}
	im->rows[im->n++] = r;
	return 0;
}

static int csv_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 4 && !strcmp(e->d_name + n - 4, ".csv");
}

static int read_csvs(struct import *im)
{
	struct dirent **ents = NULL;
	char path[4096];
	int i, n, err = 0;

	n = scandir(im->dir, &ents, csv_filter, alphasort);
	if (n < 0) {
		err = -errno;
		hs_err("cannot read %s: %s", im->dir, strerror(-err));
		return err;
	}
	if (!n) {
		hs_err("%s: no .csv files", im->dir);
		err = -EINVAL;
	}
	for (i = 0; i < n && !err; i++) {
		struct csv_file cf = { .im = im, .name = ents[i]->d_name };
		struct hs_input_stats st = {
			.path = path, .strict = true,
			.max_line = HS_CSV_MAX_LINE, .max_bytes = HS_CSV_MAX_BYTES,
		};
		size_t k;

		for (k = 0; k < sizeof(families) / sizeof(families[0]); k++)
			if (!strcmp(families[k].file, cf.name))
				cf.fam = &families[k];
		snprintf(path, sizeof(path), "%s/%s", im->dir, ents[i]->d_name);
		err = hs_lines_read(&st, csv_line, &cf);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return err;
}

/* How many distinct values of field (an offset into struct row) the rows of
 * one file show, all of them or those of one service only. */
static size_t distinct(const struct import *im, const char *file, const char *service,
		       size_t field)
{
	size_t i, k, n = 0;

	for (i = 0; i < im->n; i++) {
		const struct row *r = &im->rows[i];
		const char *v = *(char *const *)((const char *)r + field);

		if (strcmp(r->file, file) || (service && strcmp(r->service, service)))
			continue;
		for (k = 0; k < i; k++) {
			const struct row *q = &im->rows[k];

			if (!strcmp(q->file, file) && (!service || !strcmp(q->service, service)) &&
			    !strcmp(*(char *const *)((const char *)q + field), v))
				break;
		}
		n += k == i;
	}
	return n;
}

static const struct tier *service_tier(const struct import *im, const struct row *r)
{
	int t;

	if (!r->fam)
		return NULL;
	for (t = 0; t < r->fam->n_tiers; t++) {
		const struct tier *tr = &r->fam->tiers[t];

		if (tr->rule == EVERY_DEVICE &&
		    distinct(im, r->file, r->service, offsetof(struct row, device)) ==
		    distinct(im, r->file, NULL, offsetof(struct row, device)))
			return tr;
		if (tr->rule == SEVERAL_GROUPS &&
		    distinct(im, r->file, r->service, offsetof(struct row, group)) >= 2)
			return tr;
	}
	return NULL;
}

struct entry {
	const char *cls, *domain;
	int port;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return strcmp(x->cls, y->cls) ?: strcmp(x->domain, y->domain) ?:
	       (x->port > y->port) - (x->port < y->port);
}

static int add_ports(struct json_object *ports, int port)
{
	size_t i;
	char s[16];

	for (i = 0; i < sizeof(well_known) / sizeof(well_known[0]); i++)
		if (well_known[i].port == port) {
			snprintf(s, sizeof(s), "%s/%d", well_known[i].proto, port);
			return json_object_array_add(ports, json_object_new_string(s));
		}
	snprintf(s, sizeof(s), "tcp/%d", port);
	if (json_object_array_add(ports, json_object_new_string(s)))
		return -ENOMEM;
	snprintf(s, sizeof(s), "udp/%d", port);
	return json_object_array_add(ports, json_object_new_string(s));
}

struct class_def {
	char *name;
	const char *title;
	enum hs_level level;
	const char *parent;
};

static int class_def_cmp(const void *a, const void *b)
{
	return strcmp(((const struct class_def *)a)->name, ((const struct class_def *)b)->name);
}

static struct json_object *class_json(const struct class_def *c, struct json_object *domains)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "title", json_object_new_string(c->title ?: c->name));
	json_object_object_add(o, "level", json_object_new_string(hs_level_name(c->level)));
	json_object_object_add(o, "parent", c->parent ? json_object_new_string(c->parent) : NULL);
	json_object_object_add(o, "threshold", hs_json_double(HS_DEFAULT_THRESHOLD));
	json_object_object_add(o, "domains", domains);
	return o;
}

/* The domains of class cls, from entries sorted by (class, domain, port). */
static struct json_object *class_domains(const struct entry *e, size_t n, const char *cls)
{
	struct json_object *arr = json_object_new_array();
	size_t i, k, end;

	for (i = 0; i < n; i = end) {
		struct json_object *d, *ports;

		for (end = i + 1; end < n && !strcmp(e[end].cls, e[i].cls) &&
				  !strcmp(e[end].domain, e[i].domain); end++)
			;
		if (strcmp(e[i].cls, cls))
			continue;
		d = json_object_new_object();
		ports = json_object_new_array();
		json_object_object_add(d, "name", json_object_new_string(e[i].domain));
		json_object_object_add(d, "role", json_object_new_string("primary"));
		json_object_object_add(d, "ports", ports);
		json_object_array_add(arr, d);
		/* port 0 sorts first: a row without a port opens the domain to any */
		for (k = i; k < end && e[i].port; k++)
			if (k == i || e[k].port != e[k - 1].port)
				add_ports(ports, e[k].port);
	}
	return arr;
}

static int build_signatures(struct import *im, struct json_object **out)
{
	struct class_def *defs = calloc(im->n * 2 + 1, sizeof(*defs));
	struct entry *entries = calloc(im->n + 1, sizeof(*entries));
	struct json_object *root, *classes, *notes;
	size_t i, n_defs = 0, k;
	int err = -ENOMEM;

	if (!defs || !entries)
		goto out;
	for (i = 0; i < im->n; i++) {
		struct row *r = &im->rows[i];
		const struct tier *t = service_tier(im, r);
		struct class_def def = { .level = HS_LEVEL_PRODUCT };

		def.name = group_class_name(r->group);
		if (!def.name)
			goto out;
		if (!r->fam && strlen(r->group) > 4 && !strcmp(r->group + strlen(r->group) - 4, "_cat"))
			def.level = HS_LEVEL_MANUFACTURER;
		for (k = 0; k < n_defs && strcmp(defs[k].name, def.name); k++)
			;
		if (k == n_defs)
			defs[n_defs++] = def;
		else
			free(def.name);
		/* the group is a member of the family once it shares a service */
		if (t)
			defs[k].parent = r->fam->tiers[r->fam->n_tiers - 1].name;
		r->cls = t ? t->name : defs[k].name;
		entries[i] = (struct entry){ r->cls, r->domain, r->port };
	}
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		int t;

		for (k = 0; k < im->n && im->rows[k].fam != &families[i]; k++)
			;
		for (t = 0; k < im->n && t < families[i].n_tiers; t++) {
			const struct tier *tr = &families[i].tiers[t];

			defs[n_defs++] = (struct class_def){
				.name = strdup(tr->name), .title = tr->title, .level = tr->level,
				.parent = t ? families[i].tiers[t - 1].name : NULL,
			};
			if (!defs[n_defs - 1].name)
				goto out;
		}
	}
	hs_sort(defs, n_defs, sizeof(*defs), class_def_cmp);
	hs_sort(entries, im->n, sizeof(*entries), entry_cmp);

	root = json_object_new_object();
	classes = json_object_new_array();
	notes = json_object_new_array();
	json_object_object_add(root, "format", json_object_new_string(SIG_FORMAT));
	for (i = 0; i < sizeof(import_notes) / sizeof(import_notes[0]); i++)
		json_object_array_add(notes, json_object_new_string(import_notes[i]));
	json_object_object_add(root, "import_notes", notes);
	json_object_object_add(root, "classes", classes);
	for (i = 0; i < n_defs; i++)
		json_object_array_add(classes, class_json(&defs[i],
							  class_domains(entries, im->n, defs[i].name)));
	*out = root;
	err = 0;
out:
	for (i = 0; defs && i < n_defs; i++)
		free(defs[i].name);
	free(defs);
	free(entries);
	return err;
}

int hs_iot_wild_import(const char *dir, const char *out)
{
	struct import im = { .dir = dir };
	struct json_object *root = NULL;
	size_t i;
	int err;

	err = read_csvs(&im);
	if (!err)
		err = build_signatures(&im, &root);
	if (!err)
		err = hs_json_write_atomic(out, root, NULL);
	if (!err) {
		struct json_object *classes = hs_json_get(root, "classes", json_type_array);

		for (i = 0; i < sizeof(import_notes) / sizeof(import_notes[0]); i++)
			hs_info("signatures import: %s", import_notes[i]);
		hs_info("signatures import: %zu rows of %s -> %zu classes in %s",
			im.n, dir, json_object_array_length(classes), out);
	}
	if (err == -ENOMEM)
		hs_err("signatures import: out of memory");
	json_object_put(root);
	for (i = 0; i < im.n; i++)
		row_free(&im.rows[i]);
	free(im.rows);
	return err;
}
