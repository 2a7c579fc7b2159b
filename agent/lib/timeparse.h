/* SPDX-License-Identifier: GPL-2.0 */
/* Reading RFC 3339 times, the inverse of lib/timefmt.h (which writes them). */
#pragma once

/* "2019-11-15T10:00:00Z", with optional fractional seconds (dropped) and a
 * numeric offset instead of Z ("+01:00"); years 0000..9999, every field in
 * range (no February 30th, a leap second read as :59). Unix seconds in *out;
 * 0 or -EINVAL, never prints. */
int hs_parse_time(const char *s, long long *out);
