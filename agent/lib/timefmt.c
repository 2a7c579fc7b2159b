// SPDX-License-Identifier: GPL-2.0
#include <time.h>
#include "lib/timefmt.h"

const char *hs_format_time(__u64 t, char *buf, size_t len)
{
	time_t tt = t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
