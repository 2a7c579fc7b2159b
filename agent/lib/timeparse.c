// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include "lib/timeparse.h"

/* n decimal digits at *s, advancing it */
static bool digits(const char **s, int n, int *out)
{
	int v = 0;

	for (; n; n--, (*s)++) {
		if (**s < '0' || **s > '9')
			return false;
		v = v * 10 + (**s - '0');
	}
	*out = v;
	return true;
}

static bool expect(const char **s, const char *any)
{
	for (; *any; any++)
		if (**s == *any) {
			(*s)++;
			return true;
		}
	return false;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil), so no timegm and no time_t range. */
static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int hs_parse_time(const char *s, long long *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	bool leap;

	if (!s || !digits(&s, 4, &y) || !expect(&s, "-") || !digits(&s, 2, &mo) ||
	    !expect(&s, "-") || !digits(&s, 2, &d) || !expect(&s, "Tt") || !digits(&s, 2, &h) ||
	    !expect(&s, ":") || !digits(&s, 2, &mi) || !expect(&s, ":") || !digits(&s, 2, &sec))
		return -EINVAL;
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return -EINVAL;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (!expect(&s, "Zz")) {
		sign = *s == '+' ? 1 : *s == '-' ? -1 : 0;
		if (!sign || (s++, !digits(&s, 2, &oh)) || !expect(&s, ":") || !digits(&s, 2, &om) ||
		    oh > 23 || om > 59)
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
	    h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	if (sec == 60)
		sec = 59;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	return 0;
}
