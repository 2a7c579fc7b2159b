// SPDX-License-Identifier: GPL-2.0
/* The times bins are reported by (agent/detect/times.c), from tables of
 * exporters' clocks: what one exporter cannot move for the others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "haystack.h"
#include "detect/times.h"
#include "unit.h"

#define T0	1573812000ULL	/* 2019-11-15T10:00:00Z */
#define NOW	1764763200ULL	/* the host's clock: 2025-12-03 */
#define LIMIT	(NOW + HAYSTACK_CLOCK_WINDOW)
#define S	1000000000ULL
#define MAX_CLOCKS	4

struct times_case {
	const char *name;
	struct hs_clock c[MAX_CLOCKS];	/* clock 0 ends the list */
	__u64 now_ns, active_ns;	/* active_ns 0: all active (replay) */
	struct hs_times want;
};

static const struct times_case cases[] = {
	{ "one exporter: its span, its clock",
	  { { T0 + 600, T0, 10 * S, 5 } }, 0, 0,
	  { T0, T0 + 600, T0 + 600, 1, 1, 1 } },
	/* a lone datagram of 1970 from an exporter never heard before */
	{ "a new exporter's lone 1970 time is left out",
	  { { T0 + 600, T0, 10 * S, 50 }, { 1, 1, 10 * S, 1 } }, 0, 0,
	  { T0, T0 + 600, T0 + 600, 2, 1, 1 } },
	/* even when it came first: weighed by the datagrams accepted */
	{ "a new exporter's 2106 time is past the host's clock",
	  { { 0xffffffffULL, 0xffffffffULL, 10 * S, 1 }, { T0 + 600, T0, 10 * S, 50 } }, 0, 0,
	  { T0, T0 + 600, T0 + 600, 2, 1, 1 } },
	{ "one exporter followed its clock a year away: the others' span",
	  { { T0 + 600, T0, 10 * S, 50 }, { T0 + 900, T0, 10 * S, 40 },
	    { T0 + 365 * 86400, T0 + 365 * 86400, 10 * S, 8 } }, 0, 0,
	  { T0, T0 + 900, T0 + 600, 3, 2, 2 } },
	/* the lower median: one of two running ahead cannot close bins */
	{ "two active exporters: bins close by the one behind",
	  { { T0 + 7200, T0, 10 * S, 50 }, { T0 + 600, T0, 10 * S, 50 } }, 11 * S, 5 * S,
	  { T0, T0 + 7200, T0 + 600, 2, 2, 2 } },
	{ "three active exporters, one ahead: the median",
	  { { T0 + 600, T0, 10 * S, 50 }, { T0 + 660, T0, 10 * S, 50 },
	    { T0 + 7200, T0, 10 * S, 50 } }, 11 * S, 5 * S,
	  { T0, T0 + 7200, T0 + 660, 3, 3, 3 } },
	{ "an exporter that stopped drops out of the closing clock",
	  { { T0 + 600, T0, 1 * S, 50 }, { T0 + 3000, T0, 10 * S, 50 } }, 11 * S, 5 * S,
	  { T0, T0 + 3000, T0 + 3000, 2, 2, 1 } },
	{ "all silent: no closing clock, the span stays",
	  { { T0 + 600, T0, 1 * S, 50 }, { T0 + 3000, T0, 2 * S, 50 } }, 20 * S, 5 * S,
	  { T0, T0 + 3000, 0, 2, 2, 0 } },
	{ "no exporter", { { 0 } }, 0, 0, { 0 } },
};

static void test_times_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct times_case *tc = &cases[i];
		struct hs_times got;
		size_t n = 0;

		while (n < MAX_CLOCKS && tc->c[n].clock)
			n++;
		hs_times_judge(tc->c, n, LIMIT, tc->now_ns, tc->active_ns, &got);
		if (got.first != tc->want.first || got.last != tc->want.last ||
		    got.close != tc->want.close || got.exporters != tc->want.exporters ||
		    got.plausible != tc->want.plausible || got.active != tc->want.active)
			fail_msg("%s: first/last/close %llu/%llu/%llu, %u exporters %u plausible %u active; expected %llu/%llu/%llu, %u %u %u",
				 tc->name, (unsigned long long)got.first,
				 (unsigned long long)got.last, (unsigned long long)got.close,
				 got.exporters, got.plausible, got.active,
				 (unsigned long long)tc->want.first,
				 (unsigned long long)tc->want.last,
				 (unsigned long long)tc->want.close, tc->want.exporters,
				 tc->want.plausible, tc->want.active);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times_table),
	};

	return cmocka_run_group_tests_name("times", tests, NULL, NULL);
}
