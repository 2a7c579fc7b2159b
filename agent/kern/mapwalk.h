/* SPDX-License-Identifier: GPL-2.0 */
/* The one walk over every entry of a map. */
#pragma once

#include <stddef.h>

/*
 * Calls fn for every key of the map at fd, with its value when value_size is
 * not 0 (a key whose lookup fails, deleted meanwhile, is skipped). The next
 * key is fetched before fn runs, so fn may delete the key it is given: asking
 * a hash map for the key after a deleted one starts the walk over.
 * fn returns 0 to go on, > 0 to stop, < 0 to stop with that error.
 * Returns 0, fn's error, or -ENOMEM.
 */
int hs_map_for_each(int fd, size_t key_size, size_t value_size,
		    int (*fn)(const void *key, const void *value, void *ctx), void *ctx);
/* Number of keys in the map at fd. */
size_t hs_map_count(int fd, size_t key_size);
