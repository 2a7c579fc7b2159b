// SPDX-License-Identifier: GPL-2.0
/*
 * The records ring buffer, written as JSON lines (DESIGN §3): what the kernel
 * read from each flow record, and whether and how it matched, so an operator
 * can diff haystack's decoding against another collector's.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include "harvest.h"
#include "haystack.skel.h"
#include "loader.h"
#include "log.h"
#include "prefix.h"
#include "records.h"
#include "report.h"

/* The stats counter each outcome was counted in (enum record_result). */
static const char *const result_counter[] = {
	[RESULT_MATCHED] = "matched",
	[RESULT_NOT_SUBSCRIBER] = "not_subscriber",
	[RESULT_NO_SERVICE] = "no_service",
	[RESULT_PORT_MISMATCH] = "port_mismatch",
	[RESULT_EVIDENCE_FULL] = "evidence_full",
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

static struct json_object *match_object(struct hs_records *r, const struct flow_record *rec)
{
	int domains[HAYSTACK_MAX_RULES], n = 0;
	struct json_object *m, *list;

	m = json_object_new_object();
	add_addr(m, "subscriber", rec->subscriber_side == 2 ? rec->dst : rec->src);
	list = json_object_new_array();
	if (!hs_ruleset_domains(r->rules_fd, rec->ruleset, rec->rule_mask, domains, &n))
		for (int i = 0; i < n; i++)
			if (domains[i] >= 0 && domains[i] < r->dict->n_domains)
				json_object_array_add(list,
					json_object_new_string(r->dict->domains[domains[i]].name));
	json_object_object_add(m, "domains", list);
	return m;
}

static int on_record(void *arg, void *data, size_t size)
{
	struct hs_records *r = arg;
	const struct flow_record *rec = data;
	struct json_object *o;
	char t[32];

	if (size < sizeof(*rec))
		return 0;
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
	if (rec->result == RESULT_MATCHED) {
		json_object_object_add(o, "match", match_object(r, rec));
	} else {
		json_object_object_add(o, "match", NULL);
		add_str(o, "reason", rec->result < sizeof(result_counter) / sizeof(*result_counter) ?
					     result_counter[rec->result] : "unknown");
	}
	if (fprintf(r->out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						JSON_C_TO_STRING_NOSLASHESCAPE)) < 0 && !r->err)
		r->err = -errno ?: -EIO;
	json_object_put(o);
	return 0;
}

int hs_records_open(struct hs_records *r, struct hs_instance *in, FILE *out,
		    const struct hs_dict *dict)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->out = out;
	r->dict = dict;
	r->rules_fd = bpf_map__fd(in->skel->maps.endpoint_rules);
	r->rb = ring_buffer__new(bpf_map__fd(in->skel->maps.records), on_record, r, NULL);
	if (!r->rb) {
		err = -errno;
		hs_err("cannot open the records ring buffer: %s (%d)", strerror(-err), err);
		return err;
	}
	return 0;
}

int hs_records_poll(struct hs_records *r, int timeout_ms)
{
	int n = timeout_ms ? ring_buffer__poll(r->rb, timeout_ms) : ring_buffer__consume(r->rb);

	if (n < 0 && n != -EINTR) {
		hs_err("cannot read the records ring buffer: %s (%d)", strerror(-n), n);
		return n;
	}
	if (r->err)
		hs_err("cannot write records: %s (%d)", strerror(-r->err), r->err);
	return r->err;
}

void hs_records_close(struct hs_records *r)
{
	ring_buffer__free(r->rb);
	r->rb = NULL;
}
