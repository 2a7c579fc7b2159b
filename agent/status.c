// SPDX-License-Identifier: GPL-2.0
/* status and detach: work on the pinned maps alone, no program needed. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <json-c/json.h>
#include "cli.h"
#include "harvest.h"
#include "loader.h"
#include "log.h"
#include "report.h"

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

int cmd_status(const struct hs_options *o)
{
	int fds[6] = { -1, -1, -1, -1, -1, -1 };
	struct haystack_config cfg = {};
	struct haystack_stats st;
	struct json_object *j, *c;
	size_t n_ev, n_ep, n_sub;
	__u32 zero = 0;
	char t[32];
	int err = 0;

	for (int i = 0; hs_map_names[i]; i++) {
		fds[i] = hs_pinned_map_fd(o->pin_dir, hs_map_names[i]);
		if (fds[i] < 0) {
			err = fds[i];
			hs_err("no haystack instance at %s: %s/%s: %s", o->pin_dir, o->pin_dir,
			       hs_map_names[i], strerror(-err));
			goto out;
		}
	}
	/* Indices follow hs_map_names. */
	if (bpf_map_lookup_elem(fds[0], &zero, &cfg)) {
		err = -errno;
		goto out;
	}
	err = hs_read_stats(fds[1], &st);
	if (err)
		goto out;
	n_sub = count_keys(fds[2], sizeof(struct haystack_lpm_key));
	n_ep = count_keys(fds[3], sizeof(struct haystack_lpm_key));
	n_ev = count_keys(fds[5], sizeof(struct evidence_key));

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

	if (o->json) {
		puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		json_object_object_foreach(j, key, val) {
			if (json_object_is_type(val, json_type_object))
				continue;
			printf("%-22s %s\n", key, json_object_get_string(val));
		}
		printf("counters:\n");
		json_object_object_foreach(c, ckey, cval)
			printf("  %-22s %s\n", ckey, json_object_get_string(cval));
	}
	json_object_put(j);
out:
	for (int i = 0; i < 6; i++)
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
