// SPDX-License-Identifier: GPL-2.0
/*
 * The counter list of include/haystack_counters.h against what is made of
 * it: the layout of struct haystack_stats, hs_counters, the record results,
 * the identities the BPF tables assert, and the README's counters table,
 * which must say what the list says, row for row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "haystack.h"
#include "kern/stats.h"

#define README		"README.md"
#define TABLE_HEADER	"| counter | a packet or record that … |"

static int n_counters(void)
{
	int n = 0;

	while (hs_counters[n].name)
		n++;
	return n;
}

/* Every __u64 before the time range is a counter of the list, in order. */
static void layout(void **state)
{
	assert_int_equal(n_counters(), HAYSTACK_STAT_COUNT);
	for (int i = 0; i < HAYSTACK_STAT_COUNT; i++) {
		assert_int_equal(hs_counters[i].offset, i * sizeof(__u64));
		assert_true(hs_counters[i].name[0] && hs_counters[i].help[0]);
		assert_null(strchr(hs_counters[i].help, '|'));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(hs_counters[i].name, hs_counters[j].name);
	}
	assert_int_equal(offsetof(struct haystack_stats, export_time_min),
			 HAYSTACK_STAT_COUNT * sizeof(__u64));
}

/* One whole per kind of outcome, and outcomes for it. */
static void kinds(void **state)
{
	int wholes[STAT_KINDS] = {}, outcomes[STAT_KINDS] = {};

	for (int i = 0; hs_counters[i].name; i++) {
		int k = hs_counters[i].kind;

		assert_in_range(STAT_OUTCOME_KIND(k), STAT_INFO, STAT_KINDS - 1);
		assert_in_range(STAT_SUM_KIND(k), STAT_INFO, STAT_KINDS - 1);
		outcomes[STAT_OUTCOME_KIND(k)]++;
		wholes[STAT_SUM_KIND(k)]++;
	}
	for (int k = STAT_INFO + 1; k < STAT_KINDS; k++) {
		assert_int_equal(wholes[k], 1);
		assert_true(outcomes[k] > 0);
	}
	assert_string_equal(hs_counters[STAT_ID(packets)].name, "packets");
	assert_int_equal(STAT_SUM_KIND(hs_counters[STAT_ID(packets)].kind), STAT_FRAME);
	assert_int_equal(STAT_SUM_KIND(hs_counters[STAT_ID(export_packets)].kind), STAT_EXPORT);
	assert_int_equal(STAT_OUTCOME_KIND(hs_counters[STAT_ID(export_packets)].kind), STAT_FRAME);
	assert_int_equal(STAT_SUM_KIND(hs_counters[STAT_ID(records)].kind), STAT_RECORD);
}

/* A record's result is the counter it went to: a record outcome. */
static void record_results(void **state)
{
	static const struct {
		int result;
		const char *counter;
	} results[] = {
		{ RESULT_MATCHED, "matched" },
		{ RESULT_NOT_SUBSCRIBER, "not_subscriber" },
		{ RESULT_NO_SERVICE, "no_service" },
		{ RESULT_PORT_MISMATCH, "port_mismatch" },
		{ RESULT_EVIDENCE_FULL, "evidence_full" },
		{ RESULT_PAST_TIME_CEILING, "past_time_ceiling" },
	};
	int n_record = 0;

	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++) {
		const struct hs_counter *c = &hs_counters[results[i].result];

		assert_string_equal(c->name, results[i].counter);
		assert_int_equal(STAT_OUTCOME_KIND(c->kind), STAT_RECORD);
	}
	for (int i = 0; hs_counters[i].name; i++)
		n_record += STAT_OUTCOME_KIND(hs_counters[i].kind) == STAT_RECORD;
	assert_int_equal(n_record, sizeof(results) / sizeof(results[0]));
}

/* The identities hold on consistent counts and catch what breaks them. */
static void identities(void **state)
{
	struct hs_identity id[STAT_KINDS];
	struct haystack_stats st = {
		.packets = 4, .not_ip = 1, .not_configured = 1, .export_packets = 2,
		.v5_packets = 1, .truncated_header = 1, .records = 3, .matched = 1,
		.no_service = 2, .templates = 7, .export_time_min = 1, .export_time_max = 2,
	};

	assert_int_equal(hs_stats_identities(&st, id), 0);
	assert_string_equal(id[STAT_FRAME].whole, "packets");
	assert_int_equal(id[STAT_FRAME].outcomes, 4);
	assert_string_equal(id[STAT_EXPORT].whole, "export_packets");
	assert_int_equal(id[STAT_EXPORT].outcomes, 2);
	assert_string_equal(id[STAT_RECORD].whole, "records");
	assert_int_equal(id[STAT_RECORD].outcomes, 3);

	/* a cut UDP header counted truncated_header and nothing else */
	st = (struct haystack_stats){ .packets = 1, .truncated_header = 1 };
	assert_int_equal(hs_stats_identities(&st, id), 2);
	assert_int_equal(id[STAT_FRAME].outcomes, 0);
	assert_int_equal(id[STAT_EXPORT].total, 0);
	assert_int_equal(id[STAT_EXPORT].outcomes, 1);

	/* a frame in two outcomes */
	st = (struct haystack_stats){ .packets = 1, .not_udp = 1, .not_ip = 1 };
	assert_int_equal(hs_stats_identities(&st, id), 1);
	/* a record in none */
	st = (struct haystack_stats){ .packets = 1, .export_packets = 1, .v9_packets = 1,
				      .records = 1 };
	assert_int_equal(hs_stats_identities(&st, id), 1);
}

static void print_table(void)
{
	fprintf(stderr, "%s\n|---|---|\n", TABLE_HEADER);
	for (int i = 0; hs_counters[i].name; i++)
		fprintf(stderr, "| `%s` | %s |\n", hs_counters[i].name, hs_counters[i].help);
}

/* README's counters table is the list: a row a counter, in its order, with
 * its help; on a difference, the table the list makes is printed. */
static void readme_table(void **state)
{
	char line[1024], want[1024];
	int row = -1, bad = 0;
	FILE *f = fopen(README, "r");

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", README);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (row < 0) {
			if (!strcmp(line, TABLE_HEADER))
				row = 0;
			continue;
		}
		if (row == 0 && !strncmp(line, "|---", 4))
			continue;
		if (line[0] != '|')
			break;
		if (row >= HAYSTACK_STAT_COUNT) {
			print_error("%s: row %d, \"%s\", is no counter\n", README, row + 1, line);
			bad++;
		} else {
			snprintf(want, sizeof(want), "| `%s` | %s |", hs_counters[row].name,
				 hs_counters[row].help);
			if (strcmp(line, want)) {
				print_error("%s: row %d is \"%s\", the list says \"%s\"\n", README,
					    row + 1, line, want);
				bad++;
			}
		}
		row++;
	}
	fclose(f);
	if (row < 0)
		fail_msg("%s has no table headed \"%s\"", README, TABLE_HEADER);
	if (row < HAYSTACK_STAT_COUNT) {
		print_error("%s: %d rows, the list has %d counters\n", README, row,
			    HAYSTACK_STAT_COUNT);
		bad++;
	}
	if (bad)
		print_table();
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout),
		cmocka_unit_test(kinds),
		cmocka_unit_test(record_results),
		cmocka_unit_test(identities),
		cmocka_unit_test(readme_table),
	};

	return cmocka_run_group_tests_name("counters", tests, NULL, NULL);
}
