/* SPDX-License-Identifier: GPL-2.0 */
/* Arrays that grow: the one way haystack makes room for one more element. */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Room for one more element in *arr, which holds n of its *cap elements of
 * size octets each: the capacity doubles, from first when it is 0. Returns 0,
 * or -ENOMEM with *arr and *cap untouched (the caller still frees *arr).
 */
static inline int hs_grow(void **arr, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t want = *cap ? *cap * 2 : first;
	void *tmp;

	if (n < *cap)
		return 0;
	if (want < *cap || want > SIZE_MAX / size)
		return -ENOMEM;
	tmp = realloc(*arr, want * size);
	if (!tmp)
		return -ENOMEM;
	*arr = tmp;
	*cap = want;
	return 0;
}
