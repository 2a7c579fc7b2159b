// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "detect/bins.h"
#include "lib/log.h"

int hs_parse_bins(const char *s, __u32 *bins, int max, int *n)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(tok, &end, 10);
		__u64 w;

		if (end == tok || v == 0 || (strcmp(end, "h") && strcmp(end, "d")) || *n == max) {
			err = -EINVAL;
			break;
		}
		w = (__u64)v * (*end == 'h' ? 3600 : 86400);
		/* Bins are aligned to UTC: a width must tile the day or be whole days. */
		if (w > 366ULL * 86400 || (w < 86400 && 86400 % w)) {
			err = -EINVAL;
			break;
		}
		bins[(*n)++] = w;
	}
	if (!err && !*n)
		err = -EINVAL;
	if (err)
		hs_err("--bins %s: expected a list like 1h,1d (hours that divide a day, or days)",
		       s);
	free(copy);
	return err;
}
