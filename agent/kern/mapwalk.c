// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kern/mapwalk.h"

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
