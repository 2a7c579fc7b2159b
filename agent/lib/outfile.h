/* SPDX-License-Identifier: GPL-2.0 */
/* Files the builder writes: whole or not at all, byte for byte reproducible. */
#pragma once

#include <json-c/json.h>

/* Writes o, pretty-printed with a final newline, to a temporary file beside
 * path and renames it over path, so a reader (or `haystack run` on SIGHUP)
 * never sees half a file. check, when given, reads the temporary file first;
 * its error (it prints its own line) leaves path untouched. path "-" is
 * standard output (after the check, on a temporary file in $TMPDIR or /tmp).
 * Returns 0 or -errno after one line on stderr. */
int hs_json_write_atomic(const char *path, struct json_object *o, int (*check)(const char *tmp));

/* A JSON number written in the fewest digits that read back as v
 * (0.4, not 0.40000000000000002). */
struct json_object *hs_json_double(double v);
