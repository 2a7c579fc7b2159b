// SPDX-License-Identifier: GPL-2.0
/* status and detach: work on the pinned maps alone, no program needed. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <json-c/json.h>
#include "runtime/runtime.h"
#include "kern/harvest.h"
#include "kern/instance.h"
#include "kern/stats.h"
#include "lib/log.h"
#include "lib/timefmt.h"
#include "lib/prefix.h"
#include "output/report.h"

static size_t count_keys(int fd, size_t key_size)
{
	unsigned char key[64], next[64];
	size_t n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

static void add_addr(struct json_object *o, const __u8 a[16])
{
	char buf[HS_ADDRSTRLEN];

	json_object_object_add(o, "exporter",
			       json_object_new_string(hs_format_addr(a, buf, sizeof(buf))));
}

/* The v9/IPFIX template cache: what the program reads data sets with. */
static struct json_object *template_cache(int fd)
{
	struct json_object *list = json_object_new_array();
	struct template_key key, next, *prev = NULL;
	struct flow_template t;
	char ts[32];

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct json_object *o;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &t))
			continue;	/* withdrawn meanwhile */
		o = json_object_new_object();
		add_addr(o, key.exporter);
		json_object_object_add(o, "domain_id", json_object_new_int64(key.domain_id));
		json_object_object_add(o, "template", json_object_new_int(key.template_id));
		json_object_object_add(o, "version", json_object_new_int(key.version));
		json_object_object_add(o, "options", json_object_new_boolean(t.options));
		json_object_object_add(o, "fields", json_object_new_int(t.field_count));
		/* 0: a variable-length field makes every record its own length */
		json_object_object_add(o, "record_length", json_object_new_int(t.record_len));
		json_object_object_add(o, "last_seen", json_object_new_string(
			hs_format_time(t.last_seen, ts, sizeof(ts))));
		json_object_array_add(list, o);
	}
	return list;
}

/* What exporters said of themselves in options data. */
static struct json_object *exporter_list(int fd)
{
	struct json_object *list = json_object_new_array();
	struct exporter_key key, next, *prev = NULL;
	struct exporter_info info;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct json_object *o;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &info))
			continue;
		o = json_object_new_object();
		add_addr(o, key.exporter);
		json_object_object_add(o, "domain_id", json_object_new_int64(key.domain_id));
		json_object_object_add(o, "version", json_object_new_int(key.version));
		json_object_object_add(o, "sampling", json_object_new_int64(info.sampling));
		json_object_array_add(list, o);
	}
	return list;
}

static void print_list(struct json_object *j, const char *name)
{
	struct json_object *list = json_object_object_get(j, name);
	size_t n = json_object_array_length(list);

	printf("%s: %zu\n", name, n);
	for (size_t i = 0; i < n; i++)
		printf("  %s\n", json_object_to_json_string_ext(json_object_array_get_idx(list, i),
							       JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
}

int cmd_status(const struct hs_options *o)
{
	int fds[HS_MAP_COUNT];
	struct haystack_config cfg = {};
	struct haystack_stats st;
	struct json_object *j, *c;
	size_t n_ev, n_ep, n_sub;
	__u32 zero = 0;
	char t[32];
	int err = 0;

	for (int i = 0; i < HS_MAP_COUNT; i++)
		fds[i] = -1;
	for (int i = 0; i < HS_MAP_COUNT; i++) {
		fds[i] = hs_pinned_map_fd(o->pin_dir, hs_map_names[i]);
		if (fds[i] < 0) {
			err = fds[i];
			hs_err("no haystack instance at %s: %s/%s: %s", o->pin_dir, o->pin_dir,
			       hs_map_names[i], strerror(-err));
			goto out;
		}
	}
	if (bpf_map_lookup_elem(fds[HS_MAP_CONFIG], &zero, &cfg)) {
		err = -errno;
		goto out;
	}
	err = hs_read_stats(fds[HS_MAP_STATS], &st);
	if (err)
		goto out;
	n_sub = count_keys(fds[HS_MAP_SUBSCRIBERS], sizeof(struct haystack_lpm_key));
	n_ep = count_keys(fds[HS_MAP_ENDPOINTS], sizeof(struct haystack_lpm_key));
	n_ev = count_keys(fds[HS_MAP_EVIDENCE], sizeof(struct evidence_key));

	j = json_object_new_object();
	json_object_object_add(j, "pin_dir", json_object_new_string(o->pin_dir));
	json_object_object_add(j, "dictionary_hash", json_object_new_uint64(cfg.dict_hash));
	json_object_object_add(j, "subscriber_prefixes", json_object_new_uint64(n_sub));
	json_object_object_add(j, "service_endpoints", json_object_new_uint64(n_ep));
	json_object_object_add(j, "evidence_entries", json_object_new_uint64(n_ev));
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
	json_object_object_add(j, "templates", template_cache(fds[HS_MAP_TEMPLATES]));
	json_object_object_add(j, "exporters", exporter_list(fds[HS_MAP_EXPORTERS]));

	if (o->json) {
		puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		json_object_object_foreach(j, key, val) {
			if (json_object_is_type(val, json_type_object) ||
			    json_object_is_type(val, json_type_array))
				continue;
			printf("%-22s %s\n", key, json_object_get_string(val));
		}
		printf("counters:\n");
		json_object_object_foreach(c, ckey, cval)
			printf("  %-22s %s\n", ckey, json_object_get_string(cval));
		print_list(j, "templates");
		print_list(j, "exporters");
	}
	json_object_put(j);
out:
	for (int i = 0; i < HS_MAP_COUNT; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return err;
}

int cmd_detach(const struct hs_options *o)
{
	int err;

	if (!o->iface) {
		hs_err("detach: --iface is required");
		return -EINVAL;
	}
	err = hs_detach_iface(o->iface);
	if (err)
		return err;
	err = hs_unpin_all(o->pin_dir);
	if (err)
		hs_err("cannot remove %s: %s (%d)", o->pin_dir, strerror(-err), err);
	return err;
}
