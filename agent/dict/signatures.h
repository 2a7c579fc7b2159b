/* SPDX-License-Identifier: GPL-2.0 */
/*
 * haystack-signatures/1 (DESIGN §3): the curated source of a dictionary —
 * device classes and their IoT-specific domains — and the importer of the
 * paper's published CSVs into it.
 */
#pragma once

#include <stdbool.h>
#include "dict/dict.h"

/* Curated files, and the CSVs of a paper's release: a few MB at most. */
#define HS_SIGNATURES_MAX_BYTES		(16UL << 20)
#define HS_CSV_MAX_BYTES		(64ULL << 20)
#define HS_CSV_MAX_LINE			4096

struct hs_sig_domain {
	char *name;			/* normalized; may start with "*." */
	bool primary;
	struct hs_port *ports;		/* none = any port */
	int n_ports;
};

struct hs_sig_class {
	char *name;
	char *title;
	enum hs_level level;
	char *parent;			/* NULL for none */
	double threshold;
	__u64 active_packets_per_hour;
	struct hs_sig_domain *domains;
	int n_domains;
};

struct hs_signatures {
	struct hs_sig_class *classes;
	int n_classes;
};

/* Adds the classes of one file; across files, class names must differ and
 * parents must exist (checked by hs_signatures_check once all are read).
 * On a problem one line "haystack: FILE: item: problem" and -EINVAL, -EFBIG
 * beyond HS_SIGNATURES_MAX_BYTES, or -errno (lib/file.h). */
int hs_signatures_load(const char *path, struct hs_signatures *s);
int hs_signatures_check(const struct hs_signatures *s);
void hs_signatures_free(struct hs_signatures *s);
/* Index of the class called name, or -1. */
int hs_signatures_find(const struct hs_signatures *s, const char *name);

/* The CSVs of the paper's authors (domain,detection_level,device,
 * grouped_domain,domain_id,port) in dir → a signatures file at out. */
int hs_iot_wild_import(const char *dir, const char *out);
