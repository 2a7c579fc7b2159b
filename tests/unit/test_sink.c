// SPDX-License-Identifier: GPL-2.0
/* The report stream of a live run: steps appended whole or not at all, the
 * file cut back to its last whole line when a write fails part way, and
 * opened again by name on SIGHUP. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "lib/file.h"
#include "output/sink.h"
#include "unit.h"

struct dir {
	char path[64];
	char file[96];
};

static void dir_make(struct dir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/haystack-sink.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->file, sizeof(d->file), "%s/out.jsonl", d->path);
}

/* The file's text (the one file reader of lib/file.h; freed at the next). */
static const char *slurp(const char *path)
{
	static char *data;
	size_t len;

	free(data);
	data = NULL;
	assert_int_equal(hs_file_read(path, 1 << 16, &data, &len), 0);
	return data;
}

static void test_commit_appends_steps(void **state)
{
	struct hs_sink s;
	struct dir d;
	size_t lines;
	FILE *f;

	dir_make(&d);
	f = fopen(d.file, "w");
	fputs("{\"earlier\":1}\n", f);
	fclose(f);
	assert_int_equal(hs_sink_open(&s, d.file), 0);
	fputs("{\"a\":1}\n{\"b\":2}\n", s.stage);
	assert_int_equal(hs_sink_commit(&s, &lines), 0);
	assert_int_equal(lines, 2);
	/* a discarded step leaves nothing, the next one comes after the first */
	fputs("{\"dropped\":1}\n", s.stage);
	hs_sink_discard(&s);
	fputs("{\"c\":3}\n", s.stage);
	assert_int_equal(hs_sink_commit(&s, &lines), 0);
	assert_int_equal(lines, 1);
	assert_int_equal(hs_sink_commit(&s, &lines), 0);	/* nothing staged */
	assert_int_equal(lines, 0);
	assert_int_equal(hs_sink_close(&s), 0);
	assert_string_equal(slurp(d.file), "{\"earlier\":1}\n{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
	unlink(d.file);
	rmdir(d.path);
}

/* RLIMIT_FSIZE makes the kernel write up to the limit and refuse the rest,
 * as a full disk does: the step is cut off and nothing of it stays. */
static void test_write_cut_short_leaves_whole_lines(void **state)
{
	struct rlimit old, small = { .rlim_cur = 40 };
	struct hs_sink s;
	struct dir d;
	size_t lines;
	int err;

	dir_make(&d);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(hs_sink_open(&s, d.file), 0);
	fputs("{\"first\":\"fits\"}\n", s.stage);	/* 17 octets */
	assert_int_equal(hs_sink_commit(&s, NULL), 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	fputs("{\"second\":\"goes past the limit\"}\n{\"third\":3}\n", s.stage);
	err = hs_sink_commit(&s, &lines);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(err, -EFBIG);
	assert_int_equal(lines, 2);
	assert_string_equal(slurp(d.file), "{\"first\":\"fits\"}\n");
	/* the failed step is gone from the stage: what follows is written alone */
	fputs("{\"later\":1}\n", s.stage);
	assert_int_equal(hs_sink_commit(&s, NULL), 0);
	assert_int_equal(hs_sink_close(&s), 0);
	assert_string_equal(slurp(d.file), "{\"first\":\"fits\"}\n{\"later\":1}\n");
	signal(SIGXFSZ, SIG_DFL);
	unlink(d.file);
	rmdir(d.path);
}

/* logrotate without copytruncate: the file is moved away, then SIGHUP. */
static void test_reopen_after_rotation(void **state)
{
	char moved[128], away[96];
	struct capture c;
	struct hs_sink s;
	struct dir d;
	int err;

	dir_make(&d);
	snprintf(moved, sizeof(moved), "%s/out.jsonl.1", d.path);
	snprintf(away, sizeof(away), "/tmp/haystack-sink-moved.%d.jsonl", (int)getpid());
	assert_int_equal(hs_sink_open(&s, d.file), 0);
	fputs("{\"before\":1}\n", s.stage);
	assert_int_equal(hs_sink_commit(&s, NULL), 0);
	assert_int_equal(rename(d.file, moved), 0);
	assert_int_equal(hs_sink_reopen(&s), 0);
	fputs("{\"after\":1}\n", s.stage);
	assert_int_equal(hs_sink_commit(&s, NULL), 0);
	assert_string_equal(slurp(moved), "{\"before\":1}\n");
	assert_string_equal(slurp(d.file), "{\"after\":1}\n");

	/* A reopen that fails keeps writing where it wrote before. */
	assert_int_equal(rename(d.file, moved), 0);
	assert_int_equal(rename(moved, away), 0);
	assert_int_equal(rmdir(d.path), 0);
	capture_start(&c);
	err = hs_sink_reopen(&s);
	capture_end(&c);
	assert_int_equal(err, -ENOENT);
	assert_non_null(strstr(c.text, "still writing to the file opened before"));
	fputs("{\"still\":1}\n", s.stage);
	assert_int_equal(hs_sink_commit(&s, NULL), 0);
	assert_int_equal(hs_sink_close(&s), 0);
	assert_string_equal(slurp(away), "{\"after\":1}\n{\"still\":1}\n");
	unlink(away);
}

/* A report line of the bin starting at hour h of 2019-11-15, w seconds wide. */
#define H0 1573776000ULL
#define LINE(type, hh, w) "{\"type\":\"" type "\",\"bin_start\":\"2019-11-15T" hh ":00:00Z\"," \
			   "\"bin_seconds\":" #w ",\"class\":\"cam\"}\n"
#define RECORD "{\"type\":\"record\",\"export_time\":\"2019-11-15T03:10:00Z\"}\n"
#define L00 LINE("summary", "00", 3600)
#define L01S LINE("summary", "01", 3600)
#define L01D LINE("detection", "01", 3600)

/* hs_sink_resume: what the file says was written, against what the pins
 * noted (next in), for the widths 3600 and 86400. */
static const struct {
	const char *name, *text;
	__u64 noted[2], newest, want[2];
	const char *left;	/* the file afterwards; NULL: as it was */
	/* the last report step the pins noted: from byte step_at, step_len
	 * bytes (0: none), of this file or (other_file) of another */
	__u64 step_at, step_len;
	bool other_file;
} resume_cases[] = {
	{ "file and pins agree", LINE("summary", "00", 3600) LINE("summary", "01", 3600),
	  { H0 + 7200, H0 }, H0 + 10000, { H0 + 7200, H0 } },
	{ "a step written, not noted: go on after it",
	  LINE("summary", "01", 3600) LINE("summary", "02", 3600) LINE("detection", "02", 3600),
	  { H0 + 7200, H0 }, H0 + 11000, { H0 + 10800, H0 } },
	{ "a width the pins never noted is not read from the file",
	  LINE("summary", "00", 86400) LINE("summary", "01", 3600),
	  { H0 + 3600, 0 }, H0 + 90000, { H0 + 7200, 0 } },
	{ "record lines after the last step",
	  LINE("summary", "02", 3600) RECORD RECORD, { H0 + 7200, H0 }, H0 + 11000,
	  { H0 + 10800, H0 } },
	{ "a bin after the newest export time is not this instance's",
	  LINE("summary", "00", 3600) LINE("summary", "05", 3600), { H0 + 3600, H0 }, H0 + 7000,
	  { H0 + 3600, H0 } },
	{ "a cut last line goes, with the lines of its bin before it",
	  LINE("summary", "00", 3600) LINE("summary", "01", 3600) LINE("detection", "01", 3600)
	  "{\"type\":\"detection\",\"bin_st", { H0 + 3600, H0 }, H0 + 7000, { H0 + 3600, H0 },
	  LINE("summary", "00", 3600) },
	{ "a cut line after a noted step goes alone",
	  LINE("summary", "00", 3600) "{\"type\":\"summ", { H0 + 3600, H0 }, H0 + 7000,
	  { H0 + 3600, H0 }, LINE("summary", "00", 3600) },
	{ "a cut record line goes alone", LINE("summary", "01", 3600) RECORD "{\"type\":\"rec",
	  { H0 + 3600, H0 }, H0 + 11000, { H0 + 7200, H0 }, LINE("summary", "01", 3600) RECORD },
	/* The pins noted the step: the file ends inside it, however it ends. */
	{ "a step cut between two lines goes whole",
	  L00 L01S, { H0 + 3600, H0 }, H0 + 7000, { H0 + 3600, H0 }, L00,
	  sizeof(L00) - 1, sizeof(L01S L01D) - 1 },
	{ "a step cut in a line goes whole",
	  L00 L01S "{\"type\":\"det", { H0 + 3600, H0 }, H0 + 7000, { H0 + 3600, H0 }, L00,
	  sizeof(L00) - 1, sizeof(L01S L01D) - 1 },
	{ "a step written whole stays, its bins reported",
	  L00 L01S L01D RECORD, { H0 + 3600, H0 }, H0 + 7000, { H0 + 7200, H0 }, NULL,
	  sizeof(L00) - 1, sizeof(L01S L01D) - 1 },
	{ "a step the death stopped before its first byte",
	  L00, { H0 + 3600, H0 }, H0 + 7000, { H0 + 3600, H0 }, NULL,
	  sizeof(L00) - 1, sizeof(L01S L01D) - 1 },
	{ "a step noted of another file (rotated away) is not cut here",
	  L00 L01S, { H0 + 3600, H0 }, H0 + 7000, { H0 + 7200, H0 }, NULL,
	  sizeof(L00) - 1, sizeof(L01S L01D) - 1, true },
};

static void test_resume_reads_the_file_back(void **state)
{
	static const __u32 widths[2] = { 3600, 86400 };

	for (size_t i = 0; i < sizeof(resume_cases) / sizeof(resume_cases[0]); i++) {
		const char *left = resume_cases[i].left ?: resume_cases[i].text;
		__u64 next[2] = { resume_cases[i].noted[0], resume_cases[i].noted[1] };
		struct report_step step = { 0 };
		struct hs_sink s;
		struct dir d;
		FILE *f;

		dir_make(&d);
		f = fopen(d.file, "w");
		fputs(resume_cases[i].text, f);
		fclose(f);
		assert_int_equal(hs_sink_open(&s, d.file), 0);
		if (resume_cases[i].step_len) {
			struct stat st;

			assert_int_equal(stat(d.file, &st), 0);
			step = (struct report_step){ st.st_dev,
						     st.st_ino + resume_cases[i].other_file,
						     resume_cases[i].step_at,
						     resume_cases[i].step_len };
		}
		assert_int_equal(hs_sink_resume(&s, &step, 2, widths, next,
						resume_cases[i].newest), 0);
		assert_int_equal(hs_sink_close(&s), 0);
		if (next[0] != resume_cases[i].want[0] || next[1] != resume_cases[i].want[1] ||
		    strcmp(slurp(d.file), left))
			fail_msg("%s: next %llu %llu, file:\n%s", resume_cases[i].name,
				 (unsigned long long)next[0], (unsigned long long)next[1],
				 slurp(d.file));
		unlink(d.file);
		rmdir(d.path);
	}
}

/* Standard output cannot be read back: the pins are the record. */
static void test_resume_stdout_keeps_the_pins(void **state)
{
	static const __u32 widths[1] = { 3600 };
	__u64 next[1] = { H0 };
	struct hs_sink s;

	struct report_step step = { 1, 1, 0, 100 };

	assert_int_equal(hs_sink_open(&s, NULL), 0);
	assert_int_equal(hs_sink_resume(&s, &step, 1, widths, next, H0 + 99999), 0);
	assert_int_equal(next[0], H0);
	fputs("{\"a\":1}\n", s.stage);
	assert_int_equal(hs_sink_step(&s, &step), 0);
	assert_int_equal(step.length, 0);	/* nothing to note of standard output */
	hs_sink_close(&s);
}

/* hs_sink_step: the file, its end, and the length of what is staged. */
static void test_step_says_where_lines_go(void **state)
{
	struct report_step step;
	struct hs_sink s;
	struct stat st;
	struct dir d;
	FILE *f;

	dir_make(&d);
	f = fopen(d.file, "w");
	fputs("{\"earlier\":1}\n", f);
	fclose(f);
	assert_int_equal(stat(d.file, &st), 0);
	assert_int_equal(hs_sink_open(&s, d.file), 0);
	assert_int_equal(hs_sink_step(&s, &step), 0);
	assert_int_equal(step.length, 0);	/* nothing staged */
	fputs("{\"a\":1}\n{\"b\":2}\n", s.stage);
	assert_int_equal(hs_sink_step(&s, &step), 0);
	assert_int_equal(step.dev, st.st_dev);
	assert_int_equal(step.ino, st.st_ino);
	assert_int_equal(step.offset, 14);
	assert_int_equal(step.length, 16);
	assert_int_equal(hs_sink_commit(&s, NULL), 0);
	assert_int_equal(stat(d.file, &st), 0);
	assert_int_equal(st.st_size, step.offset + step.length);
	assert_int_equal(hs_sink_close(&s), 0);
	unlink(d.file);
	rmdir(d.path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_appends_steps),
		cmocka_unit_test(test_write_cut_short_leaves_whole_lines),
		cmocka_unit_test(test_reopen_after_rotation),
		cmocka_unit_test(test_resume_reads_the_file_back),
		cmocka_unit_test(test_resume_stdout_keeps_the_pins),
		cmocka_unit_test(test_step_says_where_lines_go),
	};

	return cmocka_run_group_tests_name("sink", tests, NULL, NULL);
}
