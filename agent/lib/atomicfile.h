/* SPDX-License-Identifier: GPL-2.0 */
/* Output files written whole or not at all: a temporary file beside the
 * target, renamed over it once everything is written. */
#pragma once

#include <stdio.h>

struct hs_atomic_file {
	FILE *f;		/* write here */
	char *path;		/* NULL: standard output */
	char *tmp;
};

/* path NULL or "-" is standard output (written as it goes). Returns 0, or
 * -errno after one line naming path. */
int hs_atomic_open(struct hs_atomic_file *a, const char *path);
/* Flush, sync and rename over path (mode 0644). Returns 0, or -errno after
 * one line; path is untouched then. */
int hs_atomic_commit(struct hs_atomic_file *a);
/* Drop what was written: path keeps what it held before. */
void hs_atomic_abort(struct hs_atomic_file *a);
