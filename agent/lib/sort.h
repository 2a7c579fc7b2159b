/* SPDX-License-Identifier: GPL-2.0 */
/* Sorting: the one comparator of C strings, and qsort for arrays that may be
 * empty (and then NULL, which qsort must not be given). */
#pragma once

#include <stdlib.h>
#include <string.h>

/* For arrays of char * (or const char *). */
static inline int hs_str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* qsort, for n == 0 too: C requires a valid pointer even then, and an empty
 * array here is often a NULL one never allocated. */
static inline void hs_sort(void *base, size_t n, size_t size,
			   int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}
