/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Passive DNS as DNSDB users have it, read one line at a time:
 *  - COF (Common Output Format) JSON lines: rrname, rrtype, rdata (string or
 *    array), time_first/time_last or zone_time_first/zone_time_last;
 *  - DNSDB API v2 SAF: {"cond":"begin"}, {"obj":{COF}}..., then a final
 *    {"cond":"succeeded"}; "limited", "failed" or no final line means the
 *    results are incomplete, and that is reported, never taken as complete;
 *  - hosts files: "ADDRESS NAME..." a line, '#' comments; they carry no time,
 *    so their records hold for every day.
 */
#pragma once

#include <stdbool.h>
#include "lib/lines.h"

/* One resource record with one rdata value; times in Unix seconds. */
struct hs_rr {
	const char *rrname;
	const char *rrtype;
	const char *rdata;
	long long first, last;
};

/* Returns 0, -EINVAL when the record is unusable (counted as a malformed
 * line), or another -errno to stop reading. */
typedef int (*hs_rr_fn)(void *ctx, const struct hs_rr *rr);

enum hs_pdns_format {
	HS_PDNS_DNSDB,		/* COF lines or a SAF stream, told apart by the first line */
	HS_PDNS_HOSTS,
};

struct hs_pdns_stats {
	struct hs_input_stats in;	/* set .path and .strict before reading */
	unsigned long records;		/* records handed to the callback */
	bool saf;			/* the file is a SAF stream */
	char stream_end[32];		/* SAF: the final condition, "" when none came */
	bool incomplete;		/* SAF stream limited, failed or cut short */
};

/* Returns 0 (an incomplete stream has been reported on stderr and is marked
 * in st), or -EINVAL after one line naming FILE:LINE (with strict also for an
 * incomplete stream), or -errno. */
int hs_pdns_read(enum hs_pdns_format fmt, struct hs_pdns_stats *st, hs_rr_fn fn, void *ctx);
