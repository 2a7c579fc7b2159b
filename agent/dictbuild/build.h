/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `haystack dict build`: signatures + one day of passive DNS (+ certificate
 * scans) → the haystack-dictionary/1 of that day, and the evidence of every
 * decision. `haystack signatures import`: the paper's CSVs → signatures.
 */
#pragma once

#include <stdbool.h>
#include "lib/file.h"

struct hs_build_opts {
	struct hs_files signatures, pdns, hosts, censys;
	const char *day;		/* YYYY-MM-DD, UTC */
	const char *out;
	const char *explain;		/* NULL: no evidence file */
	bool strict;			/* a malformed input line is fatal */
};

/* Returns 0, -EINVAL for bad input (one line on stderr said which), or
 * -errno. Writes nothing unless everything succeeded. */
int hs_dict_build(const struct hs_build_opts *o);
