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

static void write_bin(struct hs_report *r, const struct hs_bin_result *res)
{
	const struct hs_dict *d = r->dict;
	char addr[HS_SUBSCRIBER_STRLEN];

	for (size_t i = 0; i < res->n_summaries; i++) {
		const struct hs_summary *s = &res->summaries[i];
		const struct hs_class *c = &d->classes[s->class_id];
		struct json_object *o = line("summary", res->bin_start, res->bin_seconds);

		json_object_object_add(o, "class", json_object_new_string(c->name));
		json_object_object_add(o, "level", json_object_new_string(hs_level_name(c->level)));
		json_object_object_add(o, "subscribers", json_object_new_int64(s->subscribers));
		json_object_object_add(o, "active", json_object_new_int64(s->active));
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

int hs_report_bins(struct hs_report *r, const struct hs_evidence *ev, size_t n,
		   __u32 bin_seconds, __u64 first, __u64 last)
{
	for (__u64 b = first; b <= last; b += bin_seconds) {
		struct hs_bin_result res;
		int err = hs_detect(r->dict, ev, n, b, bin_seconds, &res);

		if (err)
			return err;
		write_bin(r, &res);
		hs_bin_result_free(&res);
	}
	if (fflush(r->out))
		return -errno;
	return 0;
}
