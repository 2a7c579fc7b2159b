/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report stream of a live run (--out FILE, appended to, or standard
 * output). Lines are staged in memory and appended one step at a time (a
 * drain of the records ring, the bins of one report), whole or not at all:
 * when the disk is full the file is cut back to where the step began, so it
 * always ends on a whole line and a step that failed can be written again.
 */
#pragma once

#include <stdio.h>
#include <linux/types.h>
#include "haystack.h"

struct hs_sink {
	const char *path;	/* NULL: standard output */
	int fd;
	FILE *stage;		/* where the lines of the current step go */
	char *buf;		/* stage's memory (open_memstream) */
	size_t len;
};

/* Open path for appending (NULL or "-": standard output). Returns 0 or
 * -errno after one line on stderr. */
int hs_sink_open(struct hs_sink *s, const char *path);
/* Append the lines staged since the last commit. On failure nothing of them
 * stays in the file; they are dropped from the stage either way. *lines (if
 * given) is how many lines there were. Returns 0 or -errno (no message). */
int hs_sink_commit(struct hs_sink *s, size_t *lines);
/* Where the next commit puts the lines staged so far, to be noted in the
 * pins before it (hs_sink_resume). All zero for standard output, a pipe, or
 * nothing staged. Returns 0 or -errno (no message). */
int hs_sink_step(struct hs_sink *s, struct report_step *step);
/* Drop what was staged since the last commit. */
void hs_sink_discard(struct hs_sink *s);
/* Open path again and write there from now on (logrotate has moved the file
 * away): the new file is opened before the old one is closed, so a failure
 * leaves the old one in use. Standard output is left as it is. */
int hs_sink_reopen(struct hs_sink *s);
int hs_sink_close(struct hs_sink *s);

/* The report file as the record of what was reported, for a run taking over
 * from one that died (kill -9, a crash) while appending the lines of a step
 * or before noting them reported in the pins. step is what the pins noted
 * of the last report step (hs_sink_step): when the file ends inside it,
 * the file is cut back to where it began. widths[0..n) are the bin
 * widths; next[i] comes in as the start of width i's first bin the pins say
 * is not reported (0: that width was not reported) and goes out as the end
 * of the newest bin of that width the file holds a line of, when later and
 * starting no later than newest (the newest export time counted: a line of
 * a later bin is not this instance's). A last line cut part way (a write
 * stopped by the death) is cut off, with the lines of its bin before it, so
 * that bin is reported again whole. Standard output and pipes: nothing to
 * read, next unchanged. Returns 0 or -errno after one line on stderr. */
int hs_sink_resume(struct hs_sink *s, const struct report_step *step, int n,
		   const __u32 *widths, __u64 *next, __u64 newest);
