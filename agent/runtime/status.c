// SPDX-License-Identifier: GPL-2.0
/* status and detach: work on the pinned maps alone, no program needed. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/capability.h>
#include <json-c/json.h>
#include <bpf/bpf.h>
#include "cli/version.h"
#include "dict/schedule.h"
#include "kern/instance.h"
#include "kern/mapwalk.h"
#include "kern/stats.h"
#include "kern/tables.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/prefix.h"
#include "lib/timefmt.h"
#include "runtime/runtime.h"

static void add_addr(struct json_object *o, const __u8 a[16])
{
	char buf[HS_ADDRSTRLEN];

	json_object_object_add(o, "exporter",
			       json_object_new_string(hs_format_addr(a, buf, sizeof(buf))));
}

/* The v9/IPFIX template cache: what the program reads data sets with. */
static int add_template(const void *k, const void *v, void *list)
{
	const struct template_key *key = k;
	const struct flow_template *t = v;
	struct json_object *o = json_object_new_object();
	char ts[32];

	add_addr(o, key->exporter);
	json_object_object_add(o, "domain_id", json_object_new_int64(key->domain_id));
	json_object_object_add(o, "template", json_object_new_int(key->template_id));
	json_object_object_add(o, "version", json_object_new_int(key->version));
	json_object_object_add(o, "options", json_object_new_boolean(t->options));
	json_object_object_add(o, "fields", json_object_new_int(t->field_count));
	/* 0: a variable-length field makes every record its own length */
	json_object_object_add(o, "record_length", json_object_new_int(t->record_len));
	json_object_object_add(o, "last_seen", json_object_new_string(
		hs_format_time(t->last_seen, ts, sizeof(ts))));
	json_object_array_add(list, o);
	return 0;
}

/* The exporters list: what exporters said of themselves in options data
 * (the exporters map), each with its clock (exporter_clocks), and the
 * exporters that have a clock only (v5, v9/IPFIX without options data). */
struct exporter_list {
	struct json_object *list;
	int exporters_fd, clocks_fd;
};

static struct json_object *exporter_object(const __u8 addr[16], __u32 domain_id, __u16 version,
					   __u32 sampling, __u64 sampler_id)
{
	struct json_object *o = json_object_new_object();

	add_addr(o, addr);
	json_object_object_add(o, "domain_id", json_object_new_int64(domain_id));
	json_object_object_add(o, "version", json_object_new_int(version));
	json_object_object_add(o, "sampling", json_object_new_int64(sampling));
	/* a sampler's own rate (v9 48, IPFIX 302/48); 0 is the exporter's */
	json_object_object_add(o, "sampler_id", json_object_new_uint64(sampler_id));
	return o;
}

/* the exporter's own clock, which bins close by (docs/operations.md) */
static void add_clock(struct json_object *o, const struct exporter_clock *c)
{
	char t[32];

	if (!c->clock)
		return;
	json_object_object_add(o, "clock", json_object_new_string(
		hs_format_time(c->clock, t, sizeof(t))));
	json_object_object_add(o, "clock_first", json_object_new_string(
		hs_format_time(c->clock_first, t, sizeof(t))));
	json_object_object_add(o, "clock_datagrams", json_object_new_int64(c->accepted));
}

static int add_exporter(const void *k, const void *v, void *ctx)
{
	const struct exporter_key *key = k;
	const struct exporter_info *info = v;
	struct exporter_list *l = ctx;
	struct exporter_clock_key ck = { .domain_id = key->domain_id, .version = key->version };
	struct exporter_clock c;
	struct json_object *o = exporter_object(key->exporter, key->domain_id, key->version,
						info->sampling, key->sampler_id);

	memcpy(ck.exporter, key->exporter, sizeof(ck.exporter));
	if (!key->sampler_id && !bpf_map_lookup_elem(l->clocks_fd, &ck, &c))
		add_clock(o, &c);
	json_object_array_add(l->list, o);
	return 0;
}

static int add_clock_only(const void *k, const void *v, void *ctx)
{
	const struct exporter_clock_key *ck = k;
	const struct exporter_clock *c = v;
	struct exporter_list *l = ctx;
	struct exporter_key key = { .domain_id = ck->domain_id, .version = ck->version };
	struct exporter_info info;
	struct json_object *o;

	memcpy(key.exporter, ck->exporter, sizeof(key.exporter));
	if (!c->clock || !bpf_map_lookup_elem(l->exporters_fd, &key, &info))
		return 0;	/* no clock yet, or listed with its options data */
	o = exporter_object(ck->exporter, ck->domain_id, ck->version, 0, 0);
	add_clock(o, c);
	json_object_array_add(l->list, o);
	return 0;
}

static struct json_object *exporter_list(int exporters_fd, int clocks_fd)
{
	struct exporter_list l = { json_object_new_array(), exporters_fd, clocks_fd };

	hs_map_for_each(exporters_fd, sizeof(struct exporter_key), sizeof(struct exporter_info),
			add_exporter, &l);
	hs_map_for_each(clocks_fd, sizeof(struct exporter_clock_key),
			sizeof(struct exporter_clock), add_clock_only, &l);
	return l.list;
}

static struct json_object *map_list(int fd, size_t key_size, size_t value_size,
				    int (*add)(const void *, const void *, void *))
{
	struct json_object *list = json_object_new_array();

	hs_map_for_each(fd, key_size, value_size, add, list);
	return list;
}

struct generation_count {
	__u32 generation[HAYSTACK_MAX_DICTIONARIES];
	__u64 n[HAYSTACK_MAX_DICTIONARIES];
};

static int count_endpoint(const void *k, const void *v, void *ctx)
{
	const struct endpoint_key *key = k;
	struct generation_count *c = ctx;

	for (int i = 0; i < HAYSTACK_MAX_DICTIONARIES; i++)
		if (c->generation[i] == ntohl(key->generation))
			c->n[i]++;
	return 0;
}

/* The loaded dictionaries, with the prefixes each has in the endpoint trie;
 * the one in force at the last export time, and whether that time is past
 * its valid_until (said on stderr too). */
static struct json_object *dictionary_list(const struct dictionary_schedule *s, __u64 now,
					   int endpoints_fd)
{
	struct generation_count prefixes = {};
	struct json_object *list = json_object_new_array();
	int in_force = hs_slot_in_force(s->slot, HAYSTACK_MAX_DICTIONARIES, s->live, now);
	char t[32], h[20];

	for (int i = 0; i < HAYSTACK_MAX_DICTIONARIES; i++)
		prefixes.generation[i] = s->live & (1ULL << i) ? s->slot[i].generation : 0;
	hs_map_for_each(endpoints_fd, sizeof(struct endpoint_key), 0, count_endpoint, &prefixes);
	for (int i = 0; i < HAYSTACK_MAX_DICTIONARIES; i++) {
		const struct dictionary_slot *d = &s->slot[i];
		struct json_object *o;
		bool stale = i == in_force && now && now >= d->valid_until;

		if (!(s->live & (1ULL << i)))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "generation", json_object_new_int64(d->generation));
		json_object_object_add(o, "valid_from", d->valid_from ?
			json_object_new_string(hs_format_time(d->valid_from, t, sizeof(t))) : NULL);
		json_object_object_add(o, "valid_until", d->valid_until != ~0ULL ?
			json_object_new_string(hs_format_time(d->valid_until, t, sizeof(t))) : NULL);
		json_object_object_add(o, "domains", json_object_new_int64(d->n_domains));
		/* service prefixes in the kernel, overlaps split (the trie's entries) */
		json_object_object_add(o, "prefixes", json_object_new_uint64(prefixes.n[i]));
		json_object_object_add(o, "path", json_object_new_string(d->path));
		snprintf(h, sizeof(h), "%016llx", (unsigned long long)d->dict_hash);
		json_object_object_add(o, "file_hash", json_object_new_string(h));
		json_object_object_add(o, "in_force", json_object_new_boolean(i == in_force));
		json_object_object_add(o, "stale", json_object_new_boolean(stale));
		json_object_array_add(list, o);
		if (stale)
			hs_warn("the dictionary in force (generation %u) ended at %s, before the last export time: load the next day's",
				d->generation, hs_format_time(d->valid_until, t, sizeof(t)));
	}
	return list;
}

void hs_status_publish(struct hs_instance *in, const struct hs_options *o)
{
	struct agent_state a = {
		.start_time = time(NULL),
		.pid = getpid(),
		.ifindex = in->ifindex,
		.xdp_mode = in->mode,
		.n_bins = o->n_bins,
	};

	snprintf(a.ifname, sizeof(a.ifname), "%s", o->iface);
	snprintf(a.version, sizeof(a.version), "%s", HAYSTACK_VERSION);
	memcpy(a.bins, o->bins, o->n_bins * sizeof(a.bins[0]));
	if (hs_write_agent(in, &a))
		hs_warn("status will not show this agent's pid, interface and start");
}

static const char *mode_name(__u32 mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "skb";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "unknown";
	}
}

static struct json_object *time_or_null(__u64 t)
{
	char buf[32];

	return t ? json_object_new_string(hs_format_time(t, buf, sizeof(buf))) : NULL;
}

/* The agent that wrote the agent map; NULL when none did or it exited. */
static struct json_object *agent_object(const struct agent_state *a)
{
	struct json_object *o;
	__u64 now = time(NULL);

	if (!a->pid)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "pid", json_object_new_int64(a->pid));
	json_object_object_add(o, "version", json_object_new_string(a->version));
	json_object_object_add(o, "interface", json_object_new_string(a->ifname));
	json_object_object_add(o, "ifindex", json_object_new_int64(a->ifindex));
	json_object_object_add(o, "xdp_mode", json_object_new_string(mode_name(a->xdp_mode)));
	json_object_object_add(o, "started", time_or_null(a->start_time));
	json_object_object_add(o, "uptime_seconds",
			       json_object_new_uint64(now > a->start_time ? now - a->start_time : 0));
	return o;
}

/* Per report width of the agent: the last bin reported (config.report_next,
 * which a run taking over goes on from) and the bins export time has opened
 * since, the one holding the last export time included. With no agent (it
 * exited with --keep), the widths the last one was started with (--bins):
 * run writes them all into the pinned config at start, report_next 0 until
 * a bin of the width is reported. */
static struct json_object *bin_list(const struct agent_state *a, const struct haystack_config *cfg,
				    const struct haystack_stats *st)
{
	struct json_object *list = json_object_new_array();
	const __u32 *widths = a->n_bins ? a->bins : cfg->report_width;
	__u32 n = a->n_bins ?: HAYSTACK_REPORT_WIDTHS;

	for (__u32 i = 0; i < n && i < HAYSTACK_REPORT_WIDTHS; i++) {
		struct json_object *o;
		__u64 w = widths[i], next = 0, first, open = 0;

		if (!w)		/* unused (pins of an older agent: only widths it reported) */
			continue;
		o = json_object_new_object();

		for (int j = 0; j < HAYSTACK_REPORT_WIDTHS; j++)
			if (cfg->report_width[j] == w)
				next = cfg->report_next[j];
		first = next ?: st->export_time_min - st->export_time_min % w;
		if (st->export_time_max && st->export_time_max >= first)
			open = (st->export_time_max - first) / w + 1;
		json_object_object_add(o, "seconds", json_object_new_uint64(w));
		json_object_object_add(o, "last_reported", next ? time_or_null(next - w) : NULL);
		json_object_object_add(o, "open", json_object_new_uint64(open));
		json_object_object_add(o, "first_open", open ? time_or_null(first) : NULL);
		json_object_array_add(list, o);
	}
	return list;
}

static void add_fill(struct json_object *list, const char *name, size_t n, __u32 max,
		     const char *remedy)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "map", json_object_new_string(name));
	json_object_object_add(o, "entries", json_object_new_uint64(n));
	json_object_object_add(o, "max_entries", json_object_new_uint64(max));
	json_object_array_add(list, o);
	if (max && n * 10 >= (size_t)max * 9)
		hs_warn("map %s is %zu%% full (%zu of %u entries)%s%s", name, n * 100 / max, n, max,
			remedy ? ": " : "", remedy ?: "");
}

/* Entries in use against max_entries of every map that fills, and a line on
 * stderr for one at 90 % or more: a full evidence map loses records
 * (evidence_full), a full dictionary map refuses the next load. */
static struct json_object *map_fill(const int *fds, const struct dictionary_schedule *sched)
{
	static const struct {
		enum hs_map m;
		size_t key_size;
		const char *remedy;
	} filled[] = {
		{ HS_MAP_EVIDENCE, sizeof(struct evidence_key),
		  "start afresh with a larger --max-evidence (haystack detach first)" },
		{ HS_MAP_ENDPOINTS, sizeof(struct endpoint_key),
		  "start afresh with a larger --max-endpoints (haystack detach first)" },
		{ HS_MAP_HOSTS, sizeof(struct service_host_key),
		  "start afresh with a larger --max-endpoints (haystack detach first)" },
		{ HS_MAP_RULES, sizeof(struct ruleset_key),
		  "start afresh with a larger --max-rulesets (haystack detach first)" },
		{ HS_MAP_SUBSCRIBERS, sizeof(struct haystack_lpm_key),
		  "start afresh with a larger --max-subscribers (haystack detach first)" },
		{ HS_MAP_TEMPLATES, sizeof(struct template_key),
		  "start afresh with a larger --max-templates (haystack detach first)" },
		{ HS_MAP_EXPORTERS, sizeof(struct exporter_key), NULL },
		/* full: more sources than it holds, the least recently heard
		 * evicted (a flood of spoofed sources?) */
		{ HS_MAP_EXPORTER_CLOCKS, sizeof(struct exporter_clock_key),
		  "the least recently heard exporters lose their clocks: --exporters, or start afresh with a larger --max-exporter-clocks (haystack detach first)" },
		{ HS_MAP_EXPORTER_ALLOW, sizeof(struct haystack_lpm_key), NULL },
	};
	struct json_object *list = json_object_new_array();

	for (size_t i = 0; i < sizeof(filled) / sizeof(filled[0]); i++) {
		int fd = fds[filled[i].m];

		add_fill(list, hs_map_names[filled[i].m], hs_map_count(fd, filled[i].key_size),
			 hs_map_capacity(fd), filled[i].remedy);
	}
	/* one entry of slots: what fills is the slots taken */
	add_fill(list, hs_map_names[HS_MAP_DICTIONARIES], __builtin_popcountll(sched->claimed),
		 HAYSTACK_MAX_DICTIONARIES, "a load beyond the last slot is refused");
	return list;
}

/* The hour tables (or the folds): each one's hour (bin and width),
 * generation, ways in use of how many, and kernel memory. */
static struct json_object *table_list(const struct hs_table *v, int n)
{
	struct json_object *list = json_object_new_array();
	char when[32];

	for (int i = 0; i < n; i++) {
		const struct hs_table *tb = &v[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, tb->width ? "bin_start" : "hour", json_object_new_string(
			hs_format_time(tb->key.hour, when, sizeof(when))));
		if (tb->width)
			json_object_object_add(o, "bin_seconds", json_object_new_uint64(tb->width));
		json_object_object_add(o, "generation", json_object_new_uint64(tb->key.generation));
		json_object_object_add(o, "entries", json_object_new_uint64(hs_table_used(tb)));
		json_object_object_add(o, "ways", json_object_new_uint64(
			(__u64)HAYSTACK_TABLE_WAYS * tb->buckets));
		json_object_object_add(o, "bytes", json_object_new_uint64(tb->bytes));
		json_object_array_add(list, o);
	}
	return list;
}

/* The last refresh's result, as haystack-refresh wrote it; NULL when there is
 * no such file (no refresh ran yet, or it runs on another host). */
static struct json_object *refresh_result(const char *path)
{
	struct json_object *r = NULL;

	if (!path || access(path, F_OK))
		return NULL;
	if (hs_json_file_load(path, 65536, &r, NULL))
		return NULL;	/* said; the rest of status stands */
	return r;
}

#define PLAIN (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* An array as its length and one line an element; an object (or null) on one line. */
static void print_list(struct json_object *j, const char *name)
{
	struct json_object *list = json_object_object_get(j, name);
	size_t n;

	if (!json_object_is_type(list, json_type_array)) {
		printf("%s: %s\n", name, list ? json_object_to_json_string_ext(list, PLAIN) : "none");
		return;
	}
	n = json_object_array_length(list);
	printf("%s: %zu\n", name, n);
	for (size_t i = 0; i < n; i++)
		printf("  %s\n", json_object_to_json_string_ext(json_object_array_get_idx(list, i),
							       PLAIN));
}

int cmd_status(const struct hs_options *o)
{
	int fds[HS_MAP_COUNT];
	struct haystack_config cfg = {};
	struct agent_state agent;
	struct dictionary_schedule sched;
	struct haystack_stats st;
	struct json_object *j, *c;
	struct hs_tables tables = {};
	size_t n_ev, n_ep, n_sub;
	char t[32];
	int lock = -1, err;
	bool running;

	for (int i = 0; i < HS_MAP_COUNT; i++)
		fds[i] = -1;
	err = hs_pin_lock(o->pin_dir, HS_PIN_READ, &lock);
	if (err < 0)
		return err;
	running = err == HS_PIN_BUSY;
	for (int i = 0; i < HS_MAP_COUNT; i++) {
		fds[i] = hs_pinned_map_fd(o->pin_dir, hs_map_names[i]);
		if (fds[i] < 0) {
			hs_err("no haystack instance at %s: %s/%s: %s", o->pin_dir, o->pin_dir,
			       hs_map_names[i], strerror(-fds[i]));
			/* a state, not bad input: exit 1, as a monitor expects */
			err = fds[i] == -ENOENT ? -ESRCH : fds[i];
			goto out;
		}
	}
	err = hs_config_read(fds[HS_MAP_CONFIG], &cfg);
	if (err)
		goto out;
	err = hs_read_stats(fds[HS_MAP_STATS], &st) ?: hs_agent_read(fds[HS_MAP_AGENT], &agent);
	if (err)
		goto out;
	hs_stats_warn(&st);
	n_sub = hs_map_count(fds[HS_MAP_SUBSCRIBERS], sizeof(struct haystack_lpm_key));
	n_ep = hs_map_count(fds[HS_MAP_ENDPOINTS], sizeof(struct endpoint_key));
	n_ev = hs_map_count(fds[HS_MAP_EVIDENCE], sizeof(struct evidence_key));
	tables.pin_dir = o->pin_dir;
	err = hs_tables_open_pinned(&tables);
	if (err)
		goto out;
	for (int i = 0; i < tables.n; i++)
		n_ev += hs_table_used(&tables.t[i]);
	err = hs_schedule_read(fds[HS_MAP_DICTIONARIES], &sched);
	if (err)
		goto out;

	j = json_object_new_object();
	json_object_object_add(j, "pin_dir", json_object_new_string(o->pin_dir));
	/* false: the program counts on, left by run --keep, with nobody reporting */
	json_object_object_add(j, "agent_running", json_object_new_boolean(running));
	/* what run wrote at start; null: no agent since the pins were made,
	 * or it exited with --keep */
	json_object_object_add(j, "agent", agent_object(&agent));
	/* true: the interface run attached to was deleted; it attaches again
	 * when one of that name appears */
	json_object_object_add(j, "interface_gone",
			       json_object_new_boolean(cfg.flags & HAYSTACK_F_IFACE_GONE));
	json_object_object_add(j, "dictionary_hash", json_object_new_uint64(cfg.dict_hash));
	json_object_object_add(j, "subscriber_prefixes", json_object_new_uint64(n_sub));
	/* present while --exporters is in force: without it every source is read */
	if (cfg.flags & HAYSTACK_F_EXPORTERS)
		json_object_object_add(j, "exporter_prefixes", json_object_new_uint64(
			hs_map_count(fds[HS_MAP_EXPORTER_ALLOW], sizeof(struct haystack_lpm_key))));
	json_object_object_add(j, "service_endpoints", json_object_new_uint64(n_ep));
	json_object_object_add(j, "evidence_entries", json_object_new_uint64(n_ev));
	json_object_object_add(j, "hour_tables", table_list(tables.t, tables.n));
	/* the hours already reported of longer bins, folded (docs/operations.md) */
	json_object_object_add(j, "fold_tables", table_list(tables.folds, tables.n_folds));
	json_object_object_add(j, "dictionaries", dictionary_list(&sched, st.export_time_max,
							     fds[HS_MAP_ENDPOINTS]));
	if (st.export_time_max) {
		json_object_object_add(j, "first_export_time", json_object_new_string(
			hs_format_time(st.export_time_min, t, sizeof(t))));
		json_object_object_add(j, "last_export_time", json_object_new_string(
			hs_format_time(st.export_time_max, t, sizeof(t))));
	}
	c = json_object_new_object();
	for (int i = 0; hs_counters[i].name; i++)
		json_object_object_add(c, hs_counters[i].name, json_object_new_uint64(
			*(__u64 *)((char *)&st + hs_counters[i].offset)));
	json_object_object_add(j, "counters", c);
	json_object_object_add(j, "bins", bin_list(&agent, &cfg, &st));
	json_object_object_add(j, "maps", map_fill(fds, &sched));
	json_object_object_add(j, "refresh", refresh_result(o->refresh_status));
	json_object_object_add(j, "templates", map_list(fds[HS_MAP_TEMPLATES],
		sizeof(struct template_key), sizeof(struct flow_template), add_template));
	json_object_object_add(j, "exporters", exporter_list(fds[HS_MAP_EXPORTERS],
							       fds[HS_MAP_EXPORTER_CLOCKS]));

	if (o->json) {
		puts(json_object_to_json_string_ext(j, PLAIN));
	} else {
		json_object_object_foreach(j, key, val) {
			if (!val || json_object_is_type(val, json_type_object) ||
			    json_object_is_type(val, json_type_array))
				continue;
			printf("%-22s %s\n", key, json_object_get_string(val));
		}
		printf("counters:\n");
		json_object_object_foreach(c, ckey, cval)
			printf("  %-22s %s\n", ckey, json_object_get_string(cval));
		print_list(j, "agent");
		print_list(j, "refresh");
		print_list(j, "dictionaries");
		print_list(j, "bins");
		print_list(j, "maps");
		print_list(j, "hour_tables");
		print_list(j, "fold_tables");
		print_list(j, "templates");
		print_list(j, "exporters");
	}
	json_object_put(j);
out:
	hs_tables_close(&tables);
	for (int i = 0; i < HS_MAP_COUNT; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	hs_pin_unlock(lock);
	return err;
}

int cmd_detach(const struct hs_options *o)
{
	int lock, err;

	if (!o->iface) {
		hs_err("detach: --iface is required");
		return -EINVAL;
	}
	/* Detaching under a running agent would blind it: it would go on
	 * reporting empty bins from maps nothing counts into. */
	err = hs_pin_lock(o->pin_dir, HS_PIN_WRITE, &lock);
	if (err == HS_PIN_BUSY) {
		hs_err("%s is in use by a running haystack: stop it (SIGTERM) instead, it detaches itself",
		       o->pin_dir);
		return -EBUSY;
	}
	if (err)
		return err;
	err = hs_detach_iface(o->iface, o->pin_dir);
	if (!err) {
		err = hs_unpin_all(o->pin_dir);
		if (err)
			hs_err("cannot remove %s: %s (%d)", o->pin_dir, strerror(-err), err);
	}
	hs_pin_unlock(lock);
	return err;
}
