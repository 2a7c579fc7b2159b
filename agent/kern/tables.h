/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hour tables (include/haystack.h, evidence_tables): created by the
 * agent for the hours about to be counted, sized from the hours before,
 * read through mmap, removed with the evidence they hold. With a pin
 * directory each table is pinned under its tables/ folder as well, so a run
 * taking over finds them without CAP_SYS_ADMIN (a map opened by id needs
 * it), and a table taken out of evidence_tables is not lost before it is
 * read.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include "detect/detect.h"
#include "haystack.h"

struct hs_table {
	struct evidence_table_key key;	/* a fold's: its bin's start */
	int fd;
	__u32 buckets;			/* after the header */
	__u32 width;			/* a fold's bin seconds; 0: an hour table */
	size_t bytes;			/* kernel memory, whole pages */
};

struct hs_tables {
	int outer_fd;			/* evidence_tables */
	const char *pin_dir;		/* NULL: nothing pinned (replay, tests) */
	int btf_fd;			/* the types a table is created with; -1: none */
	__u32 btf_key, btf_value;
	__u32 buckets_max;		/* from --max-evidence */
	struct hs_table t[HAYSTACK_MAX_TABLES];
	int n;
	struct hs_table folds[HAYSTACK_MAX_TABLES];	/* pinned under folds/ */
	int n_folds;
	bool said_full;			/* evidence_tables full, said once */
	__u64 said_fold;		/* the last hour a fold failed for, said once */
	struct evidence_table_key failed;	/* the last one that could not be made */
};

struct hs_instance;

/* The instance's tables: those it holds already (pins of an earlier run,
 * in evidence_tables or taken out of it and not read) opened. max_pairs
 * bounds a table: it holds that many pairs at four fifths full. */
int hs_tables_open(struct hs_tables *t, struct hs_instance *in, size_t max_pairs);
void hs_tables_close(struct hs_tables *t);
/* The tables pinned under t->pin_dir opened and mapped (status, with
 * t->outer_fd and the rest unset; hs_tables_open for the others). One line
 * and -errno when one cannot be. */
int hs_tables_open_pinned(struct hs_tables *t);

/* A table for each hour from first to last (UTC s, whole hours) and each
 * generation live in it (in force at its start or its end), created where
 * there is none. Sized from the fullest table of its generation. One that
 * cannot be made is said once and its evidence goes to the evidence map:
 * never an error. */
void hs_tables_follow(struct hs_tables *t, int dictionaries_fd, __u64 first, __u64 last);

/* The hours to follow (UTC s): from the hour before the one the exporters'
 * clocks agree on (late exporters; t->close, or t->last when all are
 * silent), not before the first plausible time, to the latest one, and the
 * hour after it once the latest is HS_TABLE_AHEAD from its end: no more
 * than two hours' tables at once, the one before going once reported. */
#define HS_TABLE_AHEAD	600
/* The smallest table made from the hours before, and the size of the
 * first (none before): 8,192 ways, 196 KiB. */
#define HS_TABLE_FIRST_BUCKETS	1024
struct hs_times;
__u64 hs_tables_first_hour(const struct hs_times *t);
__u64 hs_tables_last_hour(const struct hs_times *t);

/* A table for hour and generation that holds pairs four fifths full (within
 * max_pairs): what follow makes once hours of that size were counted.
 * -EEXIST when there is one, -E2BIG when HAYSTACK_MAX_TABLES are held. */
int hs_tables_create(struct hs_tables *t, __u64 hour, __u32 generation, size_t pairs);

/* Calls fn for each way in use of each table whose hour lies in [from,
 * until). fn returns 0 to go on, < 0 to stop with that error. */
int hs_tables_for_each(const struct hs_tables *t, __u64 from, __u64 until,
		       int (*fn)(const struct hs_table *tb, __u64 key,
				 const struct evidence_count *c, void *ctx),
		       void *ctx);
/* Remove the tables of hours before until, and with ceiling (0: none) of
 * hours past it: the entries of each added to *n_before and *n_past
 * (either may be NULL). */
int hs_tables_expire(struct hs_tables *t, __u64 until, __u64 ceiling, size_t *n_before,
		     size_t *n_past);
/*
 * Folding the hours (include/haystack.h, fold tables; docs/operations.md):
 * the hour tables of hour (UTC s, whole) added to the fold of the bin of
 * width seconds (> an hour) that holds it, one fold a generation, with the
 * classes act says subscribers were active for in the hour (each in the
 * classes of its generation's dictionary; IPv6 subscribers passed over:
 * their evidence is never in a table). Each hour table is taken out of
 * evidence_tables first (what the program counts for its hour from then on
 * goes to the evidence map) and kept until hs_tables_expire_if removes it.
 * A fold is changed in place, each way with an undo record in its header,
 * so a fold stopped part way (a kill, no memory to grow it) goes on from
 * where it stopped when the same hour is folded again, and is read as far
 * as it went. Folding an hour already folded does nothing. Returns 0 or
 * -errno, said once an hour.
 */
int hs_tables_fold(struct hs_tables *t, __u32 width, __u64 hour, const struct hs_activity *act,
		   size_t n_act);
/* Whether the hour table of hour and generation is wholly in its fold of
 * width. */
bool hs_tables_folded(const struct hs_tables *t, __u32 width, __u64 hour, __u32 generation);
/* Calls fn for each way in use of the bin of width at bin_start: of its
 * folds, and of its hour tables what their folds do not hold. */
int hs_tables_for_each_bin(const struct hs_tables *t, __u32 width, __u64 bin_start,
			   int (*fn)(const struct hs_table *tb, __u64 key,
				     const struct evidence_count *c, void *ctx),
			   void *ctx);
/* Remove the hour tables gone(tb, ctx) says no report needs, those of
 * hours past ceiling (0: none) and the folds of bins past it, their
 * entries added to *n_before, *n_past (either may be NULL). */
int hs_tables_expire_if(struct hs_tables *t, bool (*gone)(const struct hs_table *tb, void *ctx),
			void *ctx, __u64 ceiling, size_t *n_before, size_t *n_past);
/* Remove the folds of width whose bins start before until: reported. */
int hs_tables_expire_folds(struct hs_tables *t, __u32 width, __u64 until);
/* Whether a table of generation g is held (an hour table or a fold). */
bool hs_tables_of_generation(const struct hs_tables *t, __u32 generation);
/* Ways in use in one table. */
size_t hs_table_used(const struct hs_table *tb);
/* Kernel memory of the tables and folds held, bytes. */
size_t hs_tables_bytes(const struct hs_tables *t);
