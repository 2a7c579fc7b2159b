/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the cmocka unit tests: fixture paths and capturing the
 * one-line diagnostics a call writes to stderr. Include after <cmocka.h>. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/prefix.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A prefix the test writes as text. */
static __attribute__((unused)) struct haystack_lpm_key key(const char *s)
{
	struct haystack_lpm_key k;

	if (hs_parse_prefix(s, &k))
		fail_msg("test prefix '%s' does not parse", s);
	return k;
}

/* tests/run.sh exports SHARED; run by hand from the repository root it is ../shared */
static __attribute__((unused)) const char *fixture(const char *rel)
{
	static char path[512];
	const char *shared = getenv("SHARED");

	snprintf(path, sizeof(path), "%s/%s", shared && *shared ? shared : "../shared", rel);
	return path;
}

/* stderr of one call, to check the one-line diagnostics contract; the
 * window is closed before any assert so cmocka's own output is not eaten */
struct capture {
	FILE *f;
	int saved;
	char text[4096];
};

static __attribute__((unused)) void capture_start(struct capture *c)
{
	fflush(stderr);
	c->f = tmpfile();
	assert_non_null(c->f);
	c->saved = dup(2);
	dup2(fileno(c->f), 2);
}

static __attribute__((unused)) const char *capture_end(struct capture *c)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	rewind(c->f);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->f);
	c->text[n] = '\0';
	fclose(c->f);
	return c->text;
}

static __attribute__((unused)) int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A temporary file holding content; the caller unlinks path. */
static __attribute__((unused)) void write_tmp(char *path, size_t len, const char *content)
{
	int fd;

	snprintf(path, len, "/tmp/haystack-test-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}
