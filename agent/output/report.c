// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "lib/log.h"
#include "lib/timefmt.h"
#include "output/report.h"
#include "output/subscriber.h"

/* json-c keeps insertion order, so the lines read as DESIGN §3 shows them. */
static void emit(FILE *out, struct json_object *o)
{
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						JSON_C_TO_STRING_NOSLASHESCAPE), out);
	fputc('\n', out);
	json_object_put(o);
}

static struct json_object *line(const char *type, __u64 bin_start, __u32 bin_seconds)
{
	struct json_object *o = json_object_new_object();
	char t[32];

	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "bin_start",
			       json_object_new_string(hs_format_time(bin_start, t, sizeof(t))));
	json_object_object_add(o, "bin_seconds", json_object_new_int64(bin_seconds));
	return o;
}

/* The generations a bin's evidence came from, when more than one. */
struct bin_generations {
	__u32 v[HAYSTACK_MAX_DICTIONARIES];
	int n;
};

static void write_bin(struct hs_report *r, const struct hs_dict *d,
		      const struct bin_generations *g, const struct hs_bin_result *res)
{
	char addr[HS_SUBSCRIBER_STRLEN];

	for (size_t i = 0; i < res->n_summaries; i++) {
		const struct hs_summary *s = &res->summaries[i];
		const struct hs_class *c = &d->classes[s->class_id];
		struct json_object *o = line("summary", res->bin_start, res->bin_seconds);

		json_object_object_add(o, "class", json_object_new_string(c->name));
		json_object_object_add(o, "level", json_object_new_string(hs_level_name(c->level)));
		json_object_object_add(o, "subscribers", json_object_new_int64(s->subscribers));
		json_object_object_add(o, "active", json_object_new_int64(s->active));
		if (g->n > 1) {
			struct json_object *a = json_object_new_array();

			for (int k = 0; k < g->n; k++)
				json_object_array_add(a, json_object_new_int64(g->v[k]));
			json_object_object_add(o, "generations", a);
		}
		emit(r->out, o);
	}
	if (!r->detail)
		return;
	for (size_t i = 0; i < res->n_detections; i++) {
		const struct hs_detection *x = &res->detections[i];
		struct json_object *o = line("detection", res->bin_start, res->bin_seconds);

		json_object_object_add(o, "subscriber",
				       json_object_new_string(hs_format_subscriber(x->subscriber, addr,
										   sizeof(addr))));
		json_object_object_add(o, "class",
				       json_object_new_string(d->classes[x->class_id].name));
		json_object_object_add(o, "domains_seen", json_object_new_int(x->domains_seen));
		json_object_object_add(o, "domains_monitored",
				       json_object_new_int(x->domains_monitored));
		json_object_object_add(o, "required", json_object_new_int(x->required));
		json_object_object_add(o, "packets", json_object_new_int64(x->packets));
		json_object_object_add(o, "packets_estimate",
				       json_object_new_int64(x->packets_estimate));
		json_object_object_add(o, "active", json_object_new_boolean(x->active));
		emit(r->out, o);
	}
}

static int by_name(const void *a, const void *b)
{
	const struct hs_domain *x = *(const struct hs_domain *const *)a;
	const struct hs_domain *y = *(const struct hs_domain *const *)b;

	return strcmp(x->name, y->name);
}

/* Evidence of another generation in the domain numbers of d, joined by
 * name: a domain d does not have is dropped. */
static void join_by_name(const struct hs_dict *from, const struct hs_dict *d,
			 const struct hs_domain **sorted, struct hs_evidence *e)
{
	int n = 0;

	for (int i = 0; i < e->n_domains; i++) {
		struct hs_domain key, *pk = &key;
		const struct hs_domain **hit;

		if (e->domains[i] >= from->n_domains)
			continue;
		key.name = from->domains[e->domains[i]].name;
		hit = bsearch(&pk, sorted, d->n_domains, sizeof(*sorted), by_name);
		if (hit)
			e->domains[n++] = *hit - d->domains;
	}
	e->n_domains = n;
}

/* The classes active in folded hours in the classes of d, joined by name
 * where another generation counted them: a class d does not have is
 * dropped. *out: act itself when all are of d's generation. */
static int active_in(const struct hs_report *r, const struct hs_loaded_dict *use,
		     const struct hs_activity *act, size_t n_act, const struct hs_activity **out,
		     struct hs_activity **copy, size_t *n_out)
{
	const struct hs_dict *from = NULL;
	__u32 from_gen = use->generation;
	int *to = NULL;
	size_t m = 0;

	*out = act;
	*n_out = n_act;
	*copy = NULL;
	for (m = 0; m < n_act && act[m].generation == use->generation; m++)
		;
	if (m == n_act)
		return 0;
	*copy = malloc(n_act * sizeof(**copy) + 1);
	if (!*copy)
		return -ENOMEM;
	m = 0;
	for (size_t i = 0; i < n_act; i++) {
		struct hs_activity a = act[i];

		if (a.generation != use->generation) {
			if (a.generation != from_gen || !from) {
				from = hs_dict_of(r->dicts, a.generation);
				from_gen = a.generation;
				free(to);
				to = from ? malloc(from->n_classes * sizeof(*to) + 1) : NULL;
				if (from && !to) {
					free(*copy);
					return -ENOMEM;
				}
				for (int c = 0; from && c < from->n_classes; c++) {
					to[c] = -1;
					for (int k = 0; k < use->dict->n_classes; k++)
						if (!strcmp(from->classes[c].name,
							    use->dict->classes[k].name))
							to[c] = k;
				}
			}
			if (!from || a.class_id < 0 || a.class_id >= from->n_classes ||
			    to[a.class_id] < 0)
				continue;
			a.class_id = to[a.class_id];
			a.generation = use->generation;
		}
		(*copy)[m++] = a;
	}
	free(to);
	*out = *copy;
	*n_out = m;
	return 0;
}

/* One bin: its evidence, the classes active in hours folded into it, the
 * dictionary it is evaluated with, its lines (when write); with active,
 * the classes subscribers were active for in it, in the numbers of the
 * dictionary used (its generation in each). */
static int report_bin(struct hs_report *r, const struct hs_evidence *ev, size_t n,
		      const struct hs_activity *act, size_t n_act, __u32 bin_seconds, __u64 b,
		      bool write, struct hs_activity **active, size_t *n_active)
{
	const struct hs_loaded_dict *use = hs_dict_in_force(r->dicts, b);
	const struct hs_domain **sorted = NULL;
	struct bin_generations g = { 0 };
	struct hs_activity *act_copy = NULL;
	struct hs_evidence *in = NULL;
	struct hs_bin_result res;
	size_t m = 0;
	int err;

	if (active) {
		*active = NULL;
		*n_active = 0;
	}
	if (!use)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int k;

		if (ev[i].hour < b || ev[i].hour - b >= bin_seconds)
			continue;
		m++;
		for (k = 0; k < g.n && g.v[k] != ev[i].generation; k++)
			;
		if (k == g.n && g.n < HAYSTACK_MAX_DICTIONARIES) {
			/* in order, as the summary lists them */
			for (k = g.n++; k > 0 && g.v[k - 1] > ev[i].generation; k--)
				g.v[k] = g.v[k - 1];
			g.v[k] = ev[i].generation;
		}
		if (ev[i].generation > use->generation && hs_dict_of(r->dicts, ev[i].generation))
			for (int j = 0; j < r->dicts->n; j++)
				if (r->dicts->v[j].generation == ev[i].generation)
					use = &r->dicts->v[j];
	}
	if (g.n > 1 || (g.n == 1 && g.v[0] != use->generation)) {
		/* a split bin: every entry in the numbers of the one used */
		const struct hs_dict *d = use->dict;

		in = malloc(m * sizeof(*in));
		sorted = malloc(d->n_domains * sizeof(*sorted) + 1);
		if (!in || !sorted) {
			free(in);
			free(sorted);
			return -ENOMEM;
		}
		for (int i = 0; i < d->n_domains; i++)
			sorted[i] = &d->domains[i];
		qsort(sorted, d->n_domains, sizeof(*sorted), by_name);
		m = 0;
		for (size_t i = 0; i < n; i++) {
			const struct hs_dict *from = hs_dict_of(r->dicts, ev[i].generation);

			if (ev[i].hour < b || ev[i].hour - b >= bin_seconds || !from)
				continue;
			in[m] = ev[i];
			if (from != d)
				join_by_name(from, d, sorted, &in[m]);
			m++;
		}
		ev = in;
		n = m;
	}
	err = active_in(r, use, act, n_act, &act, &act_copy, &n_act);
	if (!err)
		err = hs_detect(use->dict, &(struct hs_detect_in){ .ev = ev, .n_ev = n,
								   .act = act, .n_act = n_act,
								   .bin_start = b,
								   .bin_seconds = bin_seconds,
								   .list_active = active != NULL },
				&res);
	if (!err) {
		if (write)
			write_bin(r, use->dict, &g, &res);
		if (active) {
			for (size_t i = 0; i < res.n_active; i++)
				res.active[i].generation = use->generation;
			*active = res.active;
			*n_active = res.n_active;
			res.active = NULL;
			res.n_active = 0;
		}
		hs_bin_result_free(&res);
	}
	free(act_copy);
	free(in);
	free(sorted);
	return err;
}

int hs_report_hour(struct hs_report *r, const struct hs_evidence *ev, size_t n, __u64 hour,
		   bool write, struct hs_activity **active, size_t *n_active)
{
	int err = report_bin(r, ev, n, NULL, 0, HAYSTACK_BASE_BIN, hour, write, active, n_active);

	if (!err && write && fflush(r->out))
		err = -errno;
	return err;
}

int hs_report_bins(struct hs_report *r, const struct hs_evidence *ev, size_t n,
		   const struct hs_activity *act, size_t n_act, __u32 bin_seconds, __u64 first,
		   __u64 last)
{
	for (__u64 b = first; b <= last; b += bin_seconds) {
		int err = report_bin(r, ev, n, act, n_act, bin_seconds, b, true, NULL, NULL);

		if (err)
			return err;
	}
	if (fflush(r->out))
		return -errno;
	return 0;
}
