/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verbs as a table, options per verb: each verb names the struct it fills,
 * that struct's defaults, and a table of typed options, each one writing to
 * a field of the struct. The parser, the usage lines, `haystack --help` and
 * `haystack VERB --help` are all read from the same table, so a verb accepts
 * exactly what its help lists.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

enum hs_opt_type {
	HS_OPT_END,
	HS_OPT_BOOL,		/* bool: true when given */
	HS_OPT_STRING,		/* const char *, taken as given ("-" too) */
	HS_OPT_OUT,		/* const char *; "-" is standard output, stored as NULL */
	HS_OPT_FILES,		/* struct hs_files, repeatable; bare FILEs right after it
				 * join it, in a verb without HS_OPT_ARGS */
	HS_OPT_U32,		/* __u32 from min to max, plain decimal */
	HS_OPT_PORTS,		/* __u16[HAYSTACK_MAX_PORTS], each 1..65535 */
	HS_OPT_BINS,		/* __u32[HS_MAX_BINS], the count in the int at aux */
	HS_OPT_ENUM,		/* unsigned int (an enum), one of .values */
	HS_OPT_ARGS,		/* positional: char ** at off, their count in the int at aux */
};

struct hs_enum_val {
	const char *name;
	unsigned int value;
};

struct hs_opt {
	enum hs_opt_type type;
	const char *name;	/* long name without "--"; HS_OPT_ARGS: the metavar */
	char short_name;	/* 0: none */
	size_t off;		/* the field in the verb's struct */
	size_t aux;		/* BINS, ARGS: the count's field */
	const char *metavar;	/* ENUM: built from .values */
	const char *help;	/* one line, wrapped when printed */
	const char *def;	/* the default as help shows it, where the
				 * struct's zero value means something else */
	bool required;
	__u32 min, max;		/* U32 */
	const struct hs_enum_val *values;	/* ENUM, ends with { NULL } */
};

struct hs_verb {
	const char *name;	/* "run"; a sub-verb is "dict build" */
	const char *about;	/* one paragraph, wrapped when printed */
	const struct hs_opt *opts;	/* ends with HS_OPT_END */
	size_t cfg_size;
	const void *defaults;	/* cfg_size bytes the parse starts from */
	int (*fn)(void *cfg);	/* 0 or -errno */
};

/*
 * The field's offset, with a compile-time check that it has type T: a table
 * entry cannot write an int where the struct has a pointer.
 */
#define HS_FIELD(st, f, T)                                                          \
	(offsetof(st, f) +                                                          \
	 0 * sizeof(struct {                                                        \
		 _Static_assert(__builtin_types_compatible_p(__typeof__(((st *)0)->f), \
							     T),                    \
				#st "." #f " is not " #T);                          \
		 char c;                                                            \
	 }))

#define HS_XSTR(x) HS_STR(x)
#define HS_STR(x) #x

/* Parses argv (argv[0] is the verb's last word) into cfg, which holds the
 * verb's defaults, then the [VERB] section of the --config file for the
 * options argv did not give (verbs: every verb, each section of the file is
 * checked against its own). Counts -v into *verbose. Returns 0, 1 after
 * printing the help that --help asked for, or -EINVAL (-ENOENT, ... for the
 * file) after one line saying what is wrong, "FILE:LINE: ..." in the file. */
int hs_verb_parse(const struct hs_verb *const *verbs, const struct hs_verb *v, int argc,
		  char **argv, void *cfg, int *verbose);
/* Frees what the parse allocated in cfg (file lists, positional arguments,
 * the config file's values). */
void hs_verb_free(const struct hs_verb *v, void *cfg);

/* `haystack VERB --help`: usage, what it does, every option with its default. */
void hs_verb_help(FILE *f, const struct hs_verb *v);
/* The verb's usage lines and paragraph, as `haystack --help` lists them. */
void hs_verb_synopsis(FILE *f, const struct hs_verb *v);
/* One line (or more, wrapped) per option, with its range and default. */
void hs_opts_help(FILE *f, const struct hs_opt *opts, const void *defaults);

/* -v, -h and --config: taken by every verb; -v and -h also before the verb. */
extern const struct hs_opt hs_common_opts[];
