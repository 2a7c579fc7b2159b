/* SPDX-License-Identifier: GPL-2.0 */
/* Output files written whole or not at all: a temporary file beside the
 * target, renamed over it once everything is written (and checked). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct hs_atomic_file {
	FILE *f;		/* write here */
	char *path;		/* NULL: standard output */
	char *tmp;		/* NULL: written straight to standard output */
};

/* path NULL or "-" is standard output: written as it goes, or, staged, into
 * a temporary file in $TMPDIR (or /tmp) first, so that a check can read it
 * before anything is printed. Returns 0, or -errno after one line. */
int hs_atomic_open(struct hs_atomic_file *a, const char *path, bool staged);
/* Flush and sync; check, when given, reads the temporary file and prints its
 * own line when it fails. Then rename over path (mode 0644), or copy to
 * standard output. Returns 0, or -errno after one line; path is untouched
 * then. */
int hs_atomic_commit(struct hs_atomic_file *a, int (*check)(const char *tmp));
/* Drop what was written: path keeps what it held before. */
void hs_atomic_abort(struct hs_atomic_file *a);
