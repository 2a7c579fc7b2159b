// SPDX-License-Identifier: GPL-2.0
/*
 * "record" lines (DESIGN §3): what the kernel read from each flow record, and
 * whether and how it matched, so an operator can diff haystack's decoding
 * against another collector's.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <json-c/json.h>
#include "lib/prefix.h"
#include "lib/timefmt.h"
#include "output/records.h"
#include "output/subscriber.h"

/* A record's result is the index of the counter it was counted in
 * (enum record_result): its reason is that counter's name. */
static const char *const counter_name[] = {
#define COUNTER_NAME(name, kind, help) #name,
	HAYSTACK_COUNTERS(COUNTER_NAME)
#undef COUNTER_NAME
};

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_int(struct json_object *o, const char *k, __s64 v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_addr(struct json_object *o, const char *k, const __u8 a[16])
{
	char buf[HS_ADDRSTRLEN];

	add_str(o, k, hs_format_addr(a, buf, sizeof(buf)));
}

/* "2019-11-15T10:00:07.250Z": flow times have milliseconds. */
static void add_time_ms(struct json_object *o, const char *k, __u64 ms)
{
	char t[32], buf[40];

	hs_format_time(ms / 1000, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%.*s.%03lluZ", (int)strlen(t) - 1, t,
		 (unsigned long long)(ms % 1000));
	add_str(o, k, buf);
}

static struct json_object *match_object(const struct flow_record *rec,
					const char *const *domains, int n_domains)
{
	char sub[HS_SUBSCRIBER_STRLEN];
	struct json_object *m, *list;

	m = json_object_new_object();
	add_str(m, "subscriber", hs_format_subscriber(rec->subscriber_side == 2 ? rec->dst : rec->src,
						      sub, sizeof(sub)));
	list = json_object_new_array();
	for (int i = 0; i < n_domains; i++)
		json_object_array_add(list, json_object_new_string(domains[i]));
	json_object_object_add(m, "domains", list);
	return m;
}

int hs_record_write(FILE *out, const struct flow_record *rec,
		    const char *const *domains, int n_domains)
{
	struct json_object *o;
	char t[32];
	int err = 0;

	o = json_object_new_object();
	add_str(o, "type", "record");
	add_int(o, "version", rec->version);
	add_addr(o, "exporter", rec->exporter);
	add_int(o, "domain_id", rec->domain_id);
	if (rec->version != 5)
		add_int(o, "template", rec->template_id);
	add_str(o, "export_time", hs_format_time(rec->export_time, t, sizeof(t)));
	if (rec->start_ms)
		add_time_ms(o, "flow_start", rec->start_ms);
	if (rec->end_ms)
		add_time_ms(o, "flow_end", rec->end_ms);
	add_addr(o, "src", rec->src);
	add_addr(o, "dst", rec->dst);
	add_int(o, "sport", rec->sport);
	add_int(o, "dport", rec->dport);
	add_int(o, "proto", rec->proto);
	add_int(o, "packets", rec->packets);
	add_int(o, "bytes", rec->bytes);
	add_int(o, "tcp_flags", rec->tcp_flags);
	add_int(o, "sampling", rec->sampling);
	/* the dictionary that classified it (include/haystack.h, dictionaries) */
	if (rec->generation)
		add_int(o, "generation", rec->generation);
	if (rec->result == RESULT_MATCHED) {
		json_object_object_add(o, "match", match_object(rec, domains, n_domains));
	} else {
		json_object_object_add(o, "match", NULL);
		add_str(o, "reason", rec->result < HAYSTACK_STAT_COUNT ?
					     counter_name[rec->result] : "unknown");
	}
	if (fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		err = -errno ?: -EIO;
	json_object_put(o);
	return err;
}
