// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "lib/json.h"
#include "lib/log.h"
#include "dictbuild/pdns.h"

struct reader {
	struct hs_pdns_stats *st;
	hs_rr_fn fn;
	void *ctx;
	unsigned long end_line;		/* SAF: the line of the final condition */
	char msg[120];			/* and the reason it gives */
};

static int emit(struct reader *r, const struct hs_rr *rr, char *why, size_t why_len)
{
	int err = r->fn(r->ctx, rr);

	if (err == -EINVAL) {
		snprintf(why, why_len, "unusable %.10s record '%.80s' -> '%.40s'",
			 rr->rrtype, rr->rrname, rr->rdata);
		return HS_LINE_MALFORMED;
	}
	if (!err)
		r->st->records++;
	return err;
}

/* Unix seconds up to 9999-12-31T23:59:59Z, the last an RFC 3339 time
 * can say: anything else is not a time DNSDB wrote. */
#define TIME_MAX 253402300799LL

/* 1 with *out set, 0 when key is absent, -1 when it is not a time. */
static int get_time(struct json_object *o, const char *key, long long *out)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	return hs_json_int(v, 0, TIME_MAX, out) ? -1 : 1;
}

/* One COF object: every rdata value becomes one record. */
static int cof(struct reader *r, struct json_object *o, char *why, size_t why_len)
{
	static const char *const times[][2] = {
		{ "time_first", "time_last" }, { "zone_time_first", "zone_time_last" },
	};
	struct hs_rr rr = { .rrname = hs_json_str(o, "rrname"), .rrtype = hs_json_str(o, "rrtype") };
	struct json_object *rdata = NULL;
	size_t i, n;
	int err;

	if (!rr.rrname || !rr.rrtype) {
		snprintf(why, why_len, "COF record without rrname and rrtype strings");
		return HS_LINE_MALFORMED;
	}
	/* sensor observations first; zone file times only when there are none */
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		int first = get_time(o, times[i][0], &rr.first), last = get_time(o, times[i][1], &rr.last);

		if (first < 0 || last < 0) {
			snprintf(why, why_len, "COF record for '%.80s': %s is not a time 0..%lld",
				 rr.rrname, times[i][first < 0 ? 0 : 1], TIME_MAX);
			return HS_LINE_MALFORMED;
		}
		if (first && last)
			break;
	}
	if (i == sizeof(times) / sizeof(times[0])) {
		snprintf(why, why_len, "COF record for '%.80s' without time_first/time_last "
			 "or zone_time_first/zone_time_last", rr.rrname);
		return HS_LINE_MALFORMED;
	}
	json_object_object_get_ex(o, "rdata", &rdata);
	if (json_object_is_type(rdata, json_type_string)) {
		rr.rdata = json_object_get_string(rdata);
		return emit(r, &rr, why, why_len);
	}
	if (!json_object_is_type(rdata, json_type_array)) {
		snprintf(why, why_len, "COF record for '%.80s': rdata is not a string or array",
			 rr.rrname);
		return HS_LINE_MALFORMED;
	}
	n = json_object_array_length(rdata);
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(rdata, i);

		if (!json_object_is_type(v, json_type_string)) {
			snprintf(why, why_len, "COF record for '%.80s': rdata[%zu] is not a string",
				 rr.rrname, i);
			return HS_LINE_MALFORMED;
		}
		rr.rdata = json_object_get_string(v);
		err = emit(r, &rr, why, why_len);
		if (err)
			return err;
	}
	return 0;
}

static int dnsdb_line(void *ctx, struct json_object *o, unsigned long lineno,
		      char *why, size_t why_len)
{
	struct reader *r = ctx;
	struct hs_pdns_stats *st = r->st;
	const char *cond = hs_json_str(o, "cond");
	struct json_object *obj = hs_json_get(o, "obj", json_type_object);

	if (st->stream_end[0]) {
		snprintf(why, why_len, "line after the stream's final condition '%s'",
			 st->stream_end);
		return HS_LINE_MALFORMED;
	}
	if (cond && !strcmp(cond, "begin")) {
		if (st->in.lines != 1) {
			snprintf(why, why_len, "SAF 'begin' after the first line");
			return HS_LINE_MALFORMED;
		}
		st->saf = true;
		return 0;
	}
	if (!st->saf)
		return cof(r, o, why, why_len);
	if (obj)
		return cof(r, obj, why, why_len);
	if (cond && !strcmp(cond, "ongoing"))
		return 0;	/* keepalive */
	if (cond) {
		snprintf(st->stream_end, sizeof(st->stream_end), "%s", cond);
		snprintf(r->msg, sizeof(r->msg), "%s", hs_json_str(o, "msg") ?: "");
		r->end_line = lineno;
		return 0;
	}
	snprintf(why, why_len, "SAF line with neither 'obj' nor 'cond'");
	return HS_LINE_MALFORMED;
}

static int hosts_line(void *ctx, char *line, unsigned long lineno, char *why, size_t why_len)
{
	struct reader *r = ctx;
	struct hs_rr rr = { .first = LLONG_MIN, .last = LLONG_MAX };
	char *save = NULL, *addr, *name;
	int err, n = 0;

	line[strcspn(line, "#")] = '\0';
	addr = strtok_r(line, " \t", &save);
	if (!addr)
		return 0;	/* a comment line */
	/* the type follows from the address; the graph checks it parses */
	rr.rrtype = strchr(addr, ':') ? "AAAA" : "A";
	rr.rdata = addr;
	while ((name = strtok_r(NULL, " \t", &save))) {
		rr.rrname = name;
		err = emit(r, &rr, why, why_len);
		if (err)
			return err;
		n++;
	}
	if (!n) {
		snprintf(why, why_len, "address '%.60s' without a host name", addr);
		return HS_LINE_MALFORMED;
	}
	return 0;
}

int hs_pdns_read(enum hs_pdns_format fmt, struct hs_pdns_stats *st, hs_rr_fn fn, void *ctx)
{
	struct reader r = { .st = st, .fn = fn, .ctx = ctx };
	int err;

	if (fmt == HS_PDNS_HOSTS)
		return hs_lines_read(&st->in, hosts_line, &r);
	err = hs_json_lines_read(&st->in, dnsdb_line, &r);
	if (err || !st->saf || !strcmp(st->stream_end, "succeeded"))
		return err;
	st->incomplete = true;
	if (st->stream_end[0])
		hs_err("%s:%lu: DNSDB stream ended '%s'%s%s: its results are incomplete",
		       st->in.path, r.end_line, st->stream_end, r.msg[0] ? ": " : "", r.msg);
	else
		hs_err("%s: DNSDB stream has no final condition (cut short): its results are incomplete",
		       st->in.path);
	return st->in.strict ? -EINVAL : 0;
}
