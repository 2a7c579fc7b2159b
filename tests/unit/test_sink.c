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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_appends_steps),
		cmocka_unit_test(test_write_cut_short_leaves_whole_lines),
		cmocka_unit_test(test_reopen_after_rotation),
	};

	return cmocka_run_group_tests_name("sink", tests, NULL, NULL);
}
