// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "detect/bins.h"
#include "lib/decimal.h"
#include "lib/log.h"

/* One width: "6h" or "2d", a whole number of hours that tiles the UTC day
 * or of whole days (bins are aligned to UTC), at most a year. */
static bool parse_width(const char *s, size_t len, __u32 *w)
{
	__u64 n, unit;

	if (len < 2 || (s[len - 1] != 'h' && s[len - 1] != 'd'))
		return false;
	unit = s[len - 1] == 'h' ? 3600 : 86400;
	if (!hs_parse_decimal(s, len - 1, 366 * 86400 / unit, &n) || !n)
		return false;
	*w = (__u32)(n * unit);
	return *w >= 86400 || 86400 % *w == 0;
}

int hs_parse_bins(const char *s, __u32 *bins, int max, int *n)
{
	const char *t = s;

	*n = 0;
	for (;;) {
		size_t len = strcspn(t, ",");

		if (*n == max || !parse_width(t, len, &bins[*n])) {
			hs_err("--bins %s: expected a list like 1h,1d (hours that divide a day, or days)",
			       s);
			*n = 0;
			return -EINVAL;
		}
		(*n)++;
		if (!t[len])
			return 0;
		t += len + 1;
	}
}
