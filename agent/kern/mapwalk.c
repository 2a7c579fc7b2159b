// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kern/mapwalk.h"

/* Entries a batch call returns at most: more than a hash bucket holds. */
#define BATCH 4096

/*
 * The walk of a hash map in batches (BPF_MAP_LOOKUP_BATCH): one syscall for
 * thousands of entries instead of two for each. Returns 1, before fn has
 * been called, for a map of another type (LPM tries take no batches) or a
 * kernel without them.
 */
static unsigned char *batch_buf;
static size_t batch_cap;
static bool batch_busy;

static int for_each_batch(int fd, size_t key_size,
			  int (*fn)(const void *key, const void *value, void *ctx), void *ctx,
			  bool with_value)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), count;
	unsigned char *keys, *values;
	__u64 token[8];		/* a hash map's batch token is a bucket index */
	bool first = true, done = false, own = true;
	int err = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_HASH && info.type != BPF_MAP_TYPE_LRU_HASH)
		return 1;
	if (info.key_size != key_size)
		return -EINVAL;
	/* One buffer for every walk (the agent walks maps every second): a
	 * walk inside a walk's callback gets one of its own. */
	if (!batch_busy) {
		size_t need = (size_t)BATCH * (key_size + info.value_size);

		if (need > batch_cap) {
			unsigned char *nb = realloc(batch_buf, need);

			if (!nb)
				return -ENOMEM;
			batch_buf = nb;
			batch_cap = need;
		}
		keys = batch_buf;
		own = false;
	} else {
		keys = malloc((size_t)BATCH * (key_size + info.value_size));
		if (!keys)
			return -ENOMEM;
	}
	values = keys + (size_t)BATCH * key_size;
	batch_busy = true;
	while (!done && !err) {
		count = BATCH;
		if (bpf_map_lookup_batch(fd, first ? NULL : token, token, keys, values, &count,
					 &opts)) {
			if (errno != ENOENT) {
				err = first && (errno == EINVAL || errno == EOPNOTSUPP) ? 1 : -errno;
				break;
			}
			done = true;	/* the last batch, count entries in it */
		}
		first = false;
		for (__u32 i = 0; i < count && !err; i++)
			err = fn(keys + i * key_size,
				 with_value ? values + (size_t)i * info.value_size : NULL, ctx);
	}
	if (err > 0 && !first)
		err = 0;	/* fn said stop */
	if (own)
		free(keys);
	else
		batch_busy = false;
	return err;
}

int hs_map_for_each(int fd, size_t key_size, size_t value_size,
		    int (*fn)(const void *key, const void *value, void *ctx), void *ctx)
{
	unsigned char *key = malloc(key_size), *next = malloc(key_size);
	unsigned char *value = value_size ? malloc(value_size) : NULL;
	bool more;
	int err = 0;

	if (!key || !next || (value_size && !value)) {
		err = -ENOMEM;
		goto out;
	}
	err = for_each_batch(fd, key_size, fn, ctx, value_size != 0);
	if (err != 1)
		goto out;
	err = 0;
	for (more = !bpf_map_get_next_key(fd, NULL, next); more && !err;) {
		memcpy(key, next, key_size);
		more = !bpf_map_get_next_key(fd, key, next);
		if (value && bpf_map_lookup_elem(fd, key, value))
			continue;
		err = fn(key, value, ctx);
	}
	if (err > 0)
		err = 0;
out:
	free(key);
	free(next);
	free(value);
	return err;
}

static int count_one(const void *key, const void *value, void *ctx)
{
	(*(size_t *)ctx)++;
	return 0;
}

size_t hs_map_count(int fd, size_t key_size)
{
	size_t n = 0;

	hs_map_for_each(fd, key_size, 0, count_one, &n);
	return n;
}
