/* SPDX-License-Identifier: GPL-2.0 */
/* --records: every flow record the kernel decoded, as a "record" line. */
#pragma once

#include <stdio.h>
#include "haystack.h"

/* One line for rec; domains are the names of the domains it matched (only
 * read for a matched record). Returns 0 or -errno of the write. */
int hs_record_write(FILE *out, const struct flow_record *rec,
		    const char *const *domains, int n_domains);
