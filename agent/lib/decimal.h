/* SPDX-License-Identifier: GPL-2.0 */
/* Whole numbers an operator writes: the one reader of them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* The len characters at s as plain decimal digits, at most max: no sign, no
 * blanks, no base prefix, all of which strtoul would take ("-5" as
 * 4294967291, " 7", "+7", "0x10"). */
static inline bool hs_parse_decimal(const char *s, size_t len, __u64 max, __u64 *v)
{
	__u64 x = 0;

	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || x > max)
			return false;
		x = x * 10 + (__u64)(s[i] - '0');
	}
	*v = x;
	return x <= max;
}
