/* SPDX-License-Identifier: GPL-2.0 */
/* Report bin widths: UTC-aligned, each a whole number of hours that divides a
 * day, or whole days. */
#pragma once

#include <linux/types.h>

/* Parse "1h,1d" into widths in seconds. Prints one line and returns -EINVAL
 * if bad. */
int hs_parse_bins(const char *s, __u32 *bins, int max, int *n);
