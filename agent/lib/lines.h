/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Line-by-line input files (passive DNS, hosts, certificate scans, CSVs,
 * subscribers): read a line at a time, never whole, so a multi-GB export
 * costs one line of memory, and no line is longer than a stated limit. A
 * malformed line is fatal with --strict, otherwise counted and reported once
 * per file, with the first one named by line number.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/* Longest line of a line-by-line input by default: a COF line with a long
 * rdata array or a certificate with many names is kilobytes; a line of a
 * megabyte is not a record but a file without line ends (/dev/zero). */
#define HS_LINE_MAX	(1 << 20)

struct hs_input_stats {
	const char *path;
	bool strict;
	size_t max_line;		/* bytes, newline excluded; 0: HS_LINE_MAX */
	unsigned long long max_bytes;	/* of the whole file; 0: no limit (streams) */
	unsigned long lines;		/* non-blank lines read */
	unsigned long malformed;	/* skipped (only without --strict) */
	unsigned long first_bad_line;
	char first_bad[160];		/* the problem on that line */
};

/* Called for every non-blank line (newline stripped). Returns 0, or
 * HS_LINE_MALFORMED after writing the problem into why, or -errno to stop. */
#define HS_LINE_MALFORMED 1
typedef int (*hs_line_fn)(void *ctx, char *line, unsigned long lineno, char *why, size_t why_len);
/* Called for every line that is a JSON object; same returns. */
typedef int (*hs_json_line_fn)(void *ctx, struct json_object *obj, unsigned long lineno,
			       char *why, size_t why_len);

/* Returns 0, -EINVAL after one line "FILE:LINE: problem" (strict), -EFBIG
 * after one line "FILE:LINE: line too long (limit N bytes)" or "FILE: too
 * large (limit N bytes)" (whatever strict says: what follows cannot be read
 * as lines), or -errno after one line naming the file (lib/file.h). Without
 * strict, the malformed lines are summed in st and hs_input_report says so. */
int hs_lines_read(struct hs_input_stats *st, hs_line_fn fn, void *ctx);
int hs_json_lines_read(struct hs_input_stats *st, hs_json_line_fn fn, void *ctx);
/* One line on stderr when lines were skipped; nothing otherwise. */
void hs_input_report(const struct hs_input_stats *st);

/* Members of a JSON line, NULL when absent, null or of another type. */
const char *hs_json_str(struct json_object *o, const char *key);
struct json_object *hs_json_get(struct json_object *o, const char *key, enum json_type type);
