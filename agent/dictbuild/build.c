// SPDX-License-Identifier: GPL-2.0
/*
 * The daily dictionary (paper §4): every signature domain is classified on
 * the day's passive DNS; dedicated ones keep their addresses, unknown ones
 * may be recovered by certificates, the rest are excluded with a reason.
 * Classes left without a monitored domain, or without a primary one, are
 * listed as undetectable.
 */
#define _GNU_SOURCE		/* strptime, timegm, asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "dictbuild/certs.h"
#include "dictbuild/namegraph.h"
#include "dict/dict.h"
#include "dictbuild/build.h"
#include "lib/log.h"
#include "lib/timefmt.h"
#include "lib/outfile.h"
#include "dictbuild/pdns.h"
#include "lib/prefix.h"
#include "lib/sort.h"
#include "dict/signatures.h"

#define DAY_SECONDS 86400

/* One distinct domain of the signatures, with what the day made of it. */
struct bdomain {
	const char *name;		/* owned by the signatures */
	int *classes;			/* indices into the signatures, by class name */
	int n_classes;
	bool primary;			/* primary in any of its classes */
	struct hs_port *ports;		/* distinct, sorted; none = any port */
	int n_ports;
	bool any_port;			/* more ports than a prefix has rules for */
	struct hs_decision dec;
	struct hs_cert_endpoints certs;
	const char *reason;		/* NULL when kept */
};

struct build {
	const struct hs_build_opts *o;
	struct hs_signatures sigs;
	int *class_order;		/* signature classes sorted by name */
	int *class_rank;		/* and where each one is in that order */
	struct bdomain *doms;
	int n_doms;
	struct hs_dnsgraph *graph;
	struct hs_certs certs;
	char **wanted;			/* certificate names an unknown domain accepts */
	size_t n_wanted;
	int *class_n;			/* N: kept domains listing the class */
	int *class_primaries;		/* of them primary; -1: some lost to no primary */
	long long day_start;
	unsigned long records_kept;
	int incomplete_inputs;
};

/* "2019-11-15" → midnight UTC, and nothing that only looks like a day. */
static int parse_day(const char *s, long long *out)
{
	struct tm tm = {};
	char back[16];
	char *end = strptime(s, "%Y-%m-%d", &tm);
	time_t t;

	if (!end || *end)
		return -EINVAL;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(back, sizeof(back), "%Y-%m-%d", &tm);
	if (strcmp(back, s))
		return -EINVAL;
	*out = t;
	return 0;
}

/* ---- the domains of the signatures ---- */

struct pair {
	const char *domain;
	int cls;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	return strcmp(x->domain, y->domain) ?: (x->cls > y->cls) - (x->cls < y->cls);
}

static int add_port(struct bdomain *d, const struct hs_port *port)
{
	struct hs_port *tmp;
	int i;

	for (i = 0; i < d->n_ports; i++)
		if (!hs_port_cmp(&d->ports[i], port))
			return 0;
	tmp = realloc(d->ports, ((size_t)d->n_ports + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	d->ports = tmp;
	d->ports[d->n_ports++] = *port;
	return 0;
}

/* A domain listed by several classes is one dictionary entry: its classes
 * together, primary when any class calls it primary, and the ports of all
 * (any port when one class gives none). */
static int collect_domains(struct build *b)
{
	struct hs_signatures *s = &b->sigs;
	struct pair *pairs;
	int *cls;
	size_t n = 0, i, k;
	int c, err = -ENOMEM;

	for (c = 0; c < s->n_classes; c++)
		n += (size_t)s->classes[c].n_domains;
	pairs = calloc(n + 1, sizeof(*pairs));
	b->doms = calloc(n + 1, sizeof(*b->doms));
	if (!pairs || !b->doms)
		goto out;
	for (n = 0, c = 0; c < s->n_classes; c++)
		for (k = 0; k < (size_t)s->classes[c].n_domains; k++)
			pairs[n++] = (struct pair){ s->classes[c].domains[k].name, c };
	hs_sort(pairs, n, sizeof(*pairs), pair_cmp);
	for (i = 0; i < n; i++) {
		struct bdomain *d;
		const struct hs_sig_domain *sd = NULL;
		const struct hs_sig_class *sc = &s->classes[pairs[i].cls];

		if (!i || strcmp(pairs[i].domain, pairs[i - 1].domain))
			b->doms[b->n_doms++] = (struct bdomain){ .name = pairs[i].domain };
		d = &b->doms[b->n_doms - 1];
		for (k = 0; k < (size_t)sc->n_domains; k++)
			if (!strcmp(sc->domains[k].name, d->name))
				sd = &sc->domains[k];
		cls = realloc(d->classes, ((size_t)d->n_classes + 1) * sizeof(*cls));
		if (!cls)
			goto out;	/* d->classes is still freed with the build */
		d->classes = cls;
		d->classes[d->n_classes++] = pairs[i].cls;
		d->primary |= sd->primary;
		if (!sd->n_ports)
			d->any_port = true;
		for (k = 0; k < (size_t)sd->n_ports; k++)
			if (add_port(d, &sd->ports[k]))
				goto out;
	}
	for (i = 0; i < (size_t)b->n_doms; i++) {
		struct bdomain *d = &b->doms[i];

		/* the kernel holds HAYSTACK_MAX_RULES rules per prefix: a
		 * domain with more ports than that is watched on any port */
		if (d->n_ports > HAYSTACK_MAX_RULES)
			d->any_port = true;
		if (d->any_port)
			d->n_ports = 0;
		hs_sort(d->ports, (size_t)d->n_ports, sizeof(*d->ports), hs_port_cmp);
	}
	err = 0;
out:
	free(pairs);
	return err;
}

/* ---- inputs ---- */

static int add_record(void *ctx, const struct hs_rr *rr)
{
	struct build *b = ctx;
	int err = hs_dnsgraph_add(b->graph, rr->rrname, rr->rrtype, rr->rdata, rr->first, rr->last);

	if (err > 0)
		b->records_kept++;
	return err < 0 ? err : 0;
}

static int read_dns(struct build *b, const struct hs_files *files, enum hs_pdns_format fmt)
{
	int i, err;

	for (i = 0; i < files->n; i++) {
		struct hs_pdns_stats st = { .in = { .path = files->v[i], .strict = b->o->strict } };
		unsigned long before = b->records_kept;

		err = hs_pdns_read(fmt, &st, add_record, b);
		if (err == -ENOMEM)
			hs_err("%s: out of memory", files->v[i]);
		if (err)
			return err;
		/* Not one line read: the export is not passive DNS at all (a
		 * download that saved an error page, a file of another format).
		 * Building on regardless would write a dictionary that monitors
		 * nothing, and a refresh would load it. */
		if (st.in.malformed && !st.records) {
			hs_err("%s: no usable record: %lu of %lu lines malformed (first at line %lu: %s)",
			       files->v[i], st.in.malformed, st.in.lines, st.in.first_bad_line,
			       st.in.first_bad);
			return -EINVAL;
		}
		hs_input_report(&st.in);
		b->incomplete_inputs += st.incomplete;
		hs_debug("%s: %lu records, %lu for %s", files->v[i], st.records,
			 b->records_kept - before, b->o->day);
	}
	return 0;
}

static bool cert_name_wanted(void *ctx, const char *name)
{
	const struct build *b = ctx;

	return bsearch(&name, b->wanted, b->n_wanted, sizeof(*b->wanted), hs_str_cmp);
}

/* Only domains passive DNS knew nothing of go to the certificate step. */
static int recover_by_certificates(struct build *b)
{
	int i, err;

	b->wanted = calloc(2 * (size_t)b->n_doms + 1, sizeof(*b->wanted));
	if (!b->wanted)
		return -ENOMEM;
	for (i = 0; i < b->n_doms; i++) {
		const struct hs_decision *dec = &b->doms[i].dec;

		if (dec->verdict != HS_UNKNOWN)
			continue;
		b->wanted[b->n_wanted] = strdup(b->doms[i].name);
		if (!b->wanted[b->n_wanted++])
			return -ENOMEM;
		if (dec->regdom) {
			if (asprintf(&b->wanted[b->n_wanted], "*.%s", dec->regdom) < 0)
				return -ENOMEM;
			b->n_wanted++;
		}
	}
	hs_sort(b->wanted, b->n_wanted, sizeof(*b->wanted), hs_str_cmp);
	for (i = 0; i < b->o->censys.n; i++) {
		struct hs_input_stats st = { .path = b->o->censys.v[i], .strict = b->o->strict };

		err = hs_certs_read(&b->certs, &st, cert_name_wanted, b);
		if (err)
			return err;
		hs_input_report(&st);
	}
	for (i = 0; i < b->n_doms; i++) {
		struct bdomain *d = &b->doms[i];

		if (d->dec.verdict != HS_UNKNOWN)
			continue;
		err = hs_certs_endpoints(&b->certs, d->name, d->dec.regdom, &d->certs);
		if (err)
			return err;
	}
	return 0;
}

/* ---- decisions ---- */

static bool kept(const struct bdomain *d)
{
	return !d->reason;
}

static int decide(struct build *b)
{
	int n_classes = b->sigs.n_classes, i, k, c;

	b->class_n = calloc((size_t)n_classes + 1, sizeof(*b->class_n));
	b->class_primaries = calloc((size_t)n_classes + 1, sizeof(*b->class_primaries));
	if (!b->class_n || !b->class_primaries)
		return -ENOMEM;
	for (i = 0; i < b->n_doms; i++) {
		struct bdomain *d = &b->doms[i];

		if (d->dec.verdict == HS_UNKNOWN && d->certs.n_addrs)
			continue;	/* recovered by certificates */
		if (d->dec.verdict != HS_DEDICATED)
			d->reason = hs_verdict_name(d->dec.verdict);
	}
	for (i = 0; i < b->n_doms; i++)
		for (k = 0; kept(&b->doms[i]) && k < b->doms[i].n_classes; k++)
			b->class_primaries[b->doms[i].classes[k]] += b->doms[i].primary;
	/* a class needs a primary domain with evidence (DESIGN §2): without
	 * one, its support domains can never detect it */
	for (i = 0; i < b->n_doms; i++) {
		struct bdomain *d = &b->doms[i];

		if (!kept(d))
			continue;
		for (k = 0, c = 0; k < d->n_classes; k++)
			c += b->class_primaries[d->classes[k]] > 0;
		if (!c) {
			/* excluded, it still names the classes it was cut from */
			d->reason = "no-primary-left";
			for (k = 0; k < d->n_classes; k++)
				b->class_primaries[d->classes[k]] = -1;
			continue;
		}
		for (k = 0, c = 0; k < d->n_classes; k++) {
			if (b->class_primaries[d->classes[k]] > 0)
				d->classes[c++] = d->classes[k];
			else
				b->class_primaries[d->classes[k]] = -1;	/* lost to no primary */
		}
		d->n_classes = c;
		for (k = 0; k < c; k++)
			b->class_n[d->classes[k]]++;
	}
	return 0;
}

/* Why a class cannot be detected, or NULL: no monitored domain of its own,
 * or an ancestor that cannot be (a child needs its parent, DESIGN §2). */
static const char *undetectable(const struct build *b, int cls)
{
	const struct hs_sig_class *c = &b->sigs.classes[cls];
	int p = cls, steps;

	if (!b->class_n[cls]) {
		if (!c->n_domains)
			return "no-domains";
		return b->class_primaries[cls] < 0 ? "no-primary-left" : "no-dedicated-domain";
	}
	/* hs_signatures_check ruled out cycles; the bound is a backstop */
	for (steps = 0; steps <= b->sigs.n_classes && b->sigs.classes[p].parent; steps++) {
		p = hs_signatures_find(&b->sigs, b->sigs.classes[p].parent);
		if (p < 0)
			break;
		if (!b->class_n[p])
			return "parent-undetectable";
	}
	return NULL;
}

/* ---- output ---- */

static struct json_object *jstr(const char *s)
{
	return json_object_new_string(s);
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Signature class indices as indices of the dictionary's classes (which are
 * in name order), sorted: the classes of an entry listed by name. */
static int *class_indices(const struct build *b, const int *cls, int n)
{
	int *v = calloc((size_t)n + 1, sizeof(*v)), i;

	for (i = 0; v && i < n; i++)
		v[i] = b->class_rank[cls[i]];
	if (v)
		hs_sort(v, (size_t)n, sizeof(*v), int_cmp);
	return v;
}

/* The day's dictionary as the format's own struct, for dict/writer.c: its
 * strings borrowed from the signatures and the build, its arrays its own
 * (view_free). Host prefixes: the dictionary lists what passive DNS and the
 * scans saw, not a guess at the network around it. */
static int dictionary_view(const struct build *b, struct hs_dict *v, char *from, char *until)
{
	int i, k, n;

	memset(v, 0, sizeof(*v));
	v->valid_from = from;
	v->valid_until = until;
	v->classes = calloc((size_t)b->sigs.n_classes + 1, sizeof(*v->classes));
	v->domains = calloc((size_t)b->n_doms + 1, sizeof(*v->domains));
	v->excluded = calloc((size_t)b->n_doms + 1, sizeof(*v->excluded));
	if (!v->classes || !v->domains || !v->excluded)
		return -ENOMEM;
	for (i = 0; i < b->sigs.n_classes; i++) {
		const struct hs_sig_class *c = &b->sigs.classes[b->class_order[i]];

		v->classes[v->n_classes++] = (struct hs_class){
			.name = c->name, .title = c->title, .level = c->level,
			.parent = c->parent ? b->class_rank[hs_signatures_find(&b->sigs, c->parent)] : -1,
			.threshold = c->threshold, .active_packets_per_hour = c->active_packets_per_hour,
		};
	}
	for (i = 0; i < b->n_doms; i++) {
		const struct bdomain *d = &b->doms[i];
		int *classes = class_indices(b, d->classes, d->n_classes);
		struct hs_domain *dom;

		if (!classes)
			return -ENOMEM;
		if (!kept(d)) {
			v->excluded[v->n_excluded++] = (struct hs_excluded){
				.name = (char *)d->name, .reason = (char *)d->reason,
				.classes = classes, .n_classes = d->n_classes,
			};
			continue;
		}
		dom = &v->domains[v->n_domains++];
		*dom = (struct hs_domain){
			.name = (char *)d->name, .primary = d->primary,
			.classes = classes, .n_classes = d->n_classes,
			.ports = d->ports, .n_ports = d->n_ports,
		};
		n = d->dec.n_addrs + (int)d->certs.n_addrs;
		dom->prefixes = calloc((size_t)n + 1, sizeof(*dom->prefixes));
		if (!dom->prefixes)
			return -ENOMEM;
		for (k = 0; k < d->dec.n_addrs; k++)
			memcpy(dom->prefixes[dom->n_prefixes++].addr, d->dec.addrs[k].addr, 16);
		for (k = 0; k < (int)d->certs.n_addrs; k++)
			memcpy(dom->prefixes[dom->n_prefixes++].addr, d->certs.addrs[k], 16);
		for (k = 0; k < n; k++)
			dom->prefixes[k].prefixlen = 128;
	}
	return 0;
}

static void view_free(struct hs_dict *v)
{
	int i;

	for (i = 0; i < v->n_domains; i++) {
		free(v->domains[i].classes);
		free(v->domains[i].prefixes);
	}
	for (i = 0; i < v->n_excluded; i++)
		free(v->excluded[i].classes);
	free(v->classes);
	free(v->domains);
	free(v->excluded);
}

static int dictionary_json(const struct build *b, struct json_object **out)
{
	struct json_object *undet = json_object_new_array();
	char from[32], until[32];
	struct hs_dict v;
	int i, err;

	hs_format_time(b->day_start, from, sizeof(from));
	hs_format_time(b->day_start + DAY_SECONDS, until, sizeof(until));
	err = dictionary_view(b, &v, from, until);
	if (!err)
		*out = hs_dict_to_json(&v);
	view_free(&v);
	if (err) {
		json_object_put(undet);
		return err;
	}
	for (i = 0; i < b->sigs.n_classes; i++) {
		const struct hs_sig_class *c = &b->sigs.classes[b->class_order[i]];
		const char *why = undetectable(b, b->class_order[i]);
		struct json_object *o;

		if (!why)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "name", jstr(c->name));
		json_object_object_add(o, "level", jstr(hs_level_name(c->level)));
		json_object_object_add(o, "reason", jstr(why));
		json_object_array_add(undet, o);
	}
	/* not part of the loader's contract: it ignores unknown keys, and
	 * status and operators read why a class gets no report lines */
	json_object_object_add(*out, "undetectable", undet);
	return 0;
}

static struct json_object *address_json(const struct hs_address_evidence *a)
{
	struct json_object *o = json_object_new_object(), *f = json_object_new_array();
	char buf[HS_ADDRSTRLEN];
	int i;

	json_object_object_add(o, "address", jstr(hs_format_addr(a->addr, buf, sizeof(buf))));
	json_object_object_add(o, "exclusive", json_object_new_boolean(a->exclusive));
	json_object_object_add(o, "names", json_object_new_int(a->n_names));
	json_object_object_add(o, "foreign_names", json_object_new_int(a->n_foreign));
	for (i = 0; i < a->n_listed; i++)
		json_object_array_add(f, jstr(a->foreign[i]));
	json_object_object_add(o, "foreign", f);
	return o;
}

static struct json_object *explain_json(const struct build *b)
{
	struct json_object *root = json_object_new_object(), *arr = json_object_new_array();
	char buf[HS_ADDRSTRLEN];
	size_t k;
	int i;

	json_object_object_add(root, "format", jstr("haystack-explain/1"));
	json_object_object_add(root, "day", jstr(b->o->day));
	json_object_object_add(root, "max_chain", json_object_new_int(HS_MAX_CHAIN));
	for (i = 0; i < b->n_doms; i++) {
		const struct bdomain *d = &b->doms[i];
		struct json_object *o = json_object_new_object(), *v = json_object_new_array();

		json_object_object_add(o, "name", jstr(d->name));
		json_object_object_add(o, "registrable_domain", d->dec.regdom ? jstr(d->dec.regdom) : NULL);
		json_object_object_add(o, "passive_dns", jstr(hs_verdict_name(d->dec.verdict)));
		json_object_object_add(o, "kept", json_object_new_boolean(kept(d)));
		if (d->reason)
			json_object_object_add(o, "reason", jstr(d->reason));
		for (k = 0; k < (size_t)d->dec.n_chain; k++)
			json_object_array_add(v, jstr(d->dec.chain[k]));
		json_object_object_add(o, "chain", v);
		if (d->dec.truncated)
			json_object_object_add(o, "chain_truncated", json_object_new_boolean(true));
		v = json_object_new_array();
		for (k = 0; k < (size_t)d->dec.n_addrs; k++)
			json_object_array_add(v, address_json(&d->dec.addrs[k]));
		json_object_object_add(o, "addresses", v);
		if (d->certs.n_certs) {
			v = json_object_new_array();
			for (k = 0; k < d->certs.n_certs; k++)
				json_object_array_add(v, jstr(d->certs.certs[k]));
			json_object_object_add(o, "certificates", v);
			v = json_object_new_array();
			for (k = 0; k < d->certs.n_addrs; k++)
				json_object_array_add(v, jstr(hs_format_addr(d->certs.addrs[k], buf, sizeof(buf))));
			json_object_object_add(o, "certificate_addresses", v);
		}
		if (d->any_port)
			json_object_object_add(o, "ports", jstr("any"));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "domains", arr);
	return root;
}

/* The built dictionary must load and compile exactly as `run` and `replay`
 * will load it: checked on the temporary file, before it replaces anything. */
static int check_dictionary(const char *path)
{
	struct hs_compiled compiled;
	struct hs_dict *d = NULL;
	int err;

	err = hs_dict_load(path, &d);
	if (!err)
		err = hs_dict_compile(d, &compiled);
	if (!err)
		hs_compiled_free(&compiled);
	hs_dict_free(d);
	return err;
}

static void summary(const struct build *b)
{
	int counts[HS_CHAIN_TOO_LONG + 1] = {}, recovered = 0, no_primary = 0, i;
	int levels[HS_LEVEL_PRODUCT + 1] = {}, detectable[HS_LEVEL_PRODUCT + 1] = {};

	for (i = 0; i < b->n_doms; i++) {
		counts[b->doms[i].dec.verdict]++;
		recovered += b->doms[i].dec.verdict == HS_UNKNOWN && kept(&b->doms[i]);
		no_primary += b->doms[i].reason && !strcmp(b->doms[i].reason, "no-primary-left");
	}
	for (i = 0; i < b->sigs.n_classes; i++) {
		levels[b->sigs.classes[i].level]++;
		detectable[b->sigs.classes[i].level] += !undetectable(b, i);
	}
	hs_info("dict build %s: %d IoT-specific domains: %d dedicated, %d shared, %d unknown "
		"(no passive DNS; %d of them recovered by certificates), %d chain too long, "
		"%d excluded for no primary left",
		b->o->day, b->n_doms, counts[HS_DEDICATED], counts[HS_SHARED], counts[HS_UNKNOWN],
		recovered, counts[HS_CHAIN_TOO_LONG], no_primary);
	hs_info("dict build %s: classes detectable: platform %d/%d, manufacturer %d/%d, product %d/%d",
		b->o->day, detectable[HS_LEVEL_PLATFORM], levels[HS_LEVEL_PLATFORM],
		detectable[HS_LEVEL_MANUFACTURER], levels[HS_LEVEL_MANUFACTURER],
		detectable[HS_LEVEL_PRODUCT], levels[HS_LEVEL_PRODUCT]);
	if (b->incomplete_inputs)
		hs_info("dict build %s: %d passive DNS input%s incomplete (see above)", b->o->day,
			b->incomplete_inputs, b->incomplete_inputs == 1 ? " is" : "s are");
}

static const struct build *order_ctx;

static int class_order_cmp(const void *a, const void *b)
{
	return strcmp(order_ctx->sigs.classes[*(const int *)a].name,
		      order_ctx->sigs.classes[*(const int *)b].name);
}

static void build_free(struct build *b)
{
	size_t k;
	int i;

	for (i = 0; i < b->n_doms; i++) {
		hs_decision_free(&b->doms[i].dec);
		hs_cert_endpoints_free(&b->doms[i].certs);
		free(b->doms[i].classes);
		free(b->doms[i].ports);
	}
	for (k = 0; k < b->n_wanted; k++)
		free(b->wanted[k]);
	free(b->wanted);
	free(b->doms);
	free(b->class_order);
	free(b->class_rank);
	free(b->class_n);
	free(b->class_primaries);
	hs_certs_free(&b->certs);
	hs_dnsgraph_free(b->graph);
	hs_signatures_free(&b->sigs);
}

int hs_dict_build(const struct hs_build_opts *o)
{
	struct build b = { .o = o };
	struct json_object *dict = NULL, *explain = NULL;
	int i, err = 0;

	if (parse_day(o->day, &b.day_start)) {
		hs_err("--day %s: expected a date YYYY-MM-DD", o->day);
		return -EINVAL;
	}
	for (i = 0; i < o->signatures.n && !err; i++)
		err = hs_signatures_load(o->signatures.v[i], &b.sigs);
	if (!err)
		err = hs_signatures_check(&b.sigs);
	if (err)
		goto out;
	err = -ENOMEM;
	b.class_order = calloc((size_t)b.sigs.n_classes + 1, sizeof(int));
	b.class_rank = calloc((size_t)b.sigs.n_classes + 1, sizeof(int));
	b.graph = hs_dnsgraph_new(b.day_start, b.day_start + DAY_SECONDS);
	if (!b.class_order || !b.class_rank || !b.graph || collect_domains(&b))
		goto out;
	for (i = 0; i < b.sigs.n_classes; i++)
		b.class_order[i] = i;
	order_ctx = &b;
	hs_sort(b.class_order, (size_t)b.sigs.n_classes, sizeof(int), class_order_cmp);
	for (i = 0; i < b.sigs.n_classes; i++)
		b.class_rank[b.class_order[i]] = i;

	err = read_dns(&b, &o->pdns, HS_PDNS_DNSDB);
	if (!err)
		err = read_dns(&b, &o->hosts, HS_PDNS_HOSTS);
	for (i = 0; !err && i < b.n_doms; i++)
		err = hs_classify(b.graph, b.doms[i].name, &b.doms[i].dec);
	if (!err && o->censys.n)
		err = recover_by_certificates(&b);
	if (!err)
		err = decide(&b);
	if (err)
		goto out;

	err = dictionary_json(&b, &dict);
	if (!err)
		err = hs_json_write_atomic(o->out, dict, check_dictionary);
	if (!err && o->explain) {
		explain = explain_json(&b);
		err = hs_json_write_atomic(o->explain, explain, NULL);
	}
	if (!err)
		summary(&b);
out:
	if (err == -ENOMEM)
		hs_err("dict build: out of memory");
	json_object_put(dict);
	json_object_put(explain);
	build_free(&b);
	return err;
}
