// SPDX-License-Identifier: GPL-2.0
/* The readers of outside input in lib/: files within a limit, lines within a
 * limit, what JSON haystack refuses beyond json-c, the errors they return,
 * and files written whole or to standard output. Runs with cwd = repository
 * root. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/lines.h"
#include "lib/outfile.h"
#include "unit.h"


/* ---- whole files ---- */

static void test_file_within_limit(void **state)
{
	char path[64], *data = NULL;
	size_t len = 0;

	write_tmp(path, sizeof(path), "0123456789");
	/* exactly the limit is still in */
	assert_int_equal(hs_file_read(path, 10, &data, &len), 0);
	assert_int_equal(len, 10);
	assert_memory_equal(data, "0123456789", 11);	/* NUL-terminated */
	free(data);
	unlink(path);
}

/* Refused with one line naming the file and the limit: a regular file by
 * its size before it is read, a device or pipe once the limit is passed. */
static void test_file_too_large(void **state)
{
	static const char *const paths[] = { NULL, "/dev/zero" };
	char path[64], want[160], *data = (void *)0x1;
	struct capture c;
	size_t len = 7, i;
	int err;

	write_tmp(path, sizeof(path), "0123456789x");
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		const char *p = paths[i] ? paths[i] : path;

		capture_start(&c);
		err = hs_file_read(p, 10, &data, &len);
		capture_end(&c);
		assert_int_equal(err, -EFBIG);
		assert_true(hs_bad_input(err));
		assert_ptr_equal(data, (void *)0x1);
		assert_int_equal(len, 7);
		snprintf(want, sizeof(want), "haystack: %s: too large (limit 10 bytes)\n", p);
		assert_string_equal(c.text, want);
	}
	unlink(path);
}

static void test_file_missing_or_directory(void **state)
{
	char *data = NULL;
	struct capture c;
	size_t len;
	int err;

	capture_start(&c);
	err = hs_file_read("/nonexistent/x.json", 100, &data, &len);
	capture_end(&c);
	assert_int_equal(err, -ENOENT);
	assert_true(hs_bad_input(err));
	assert_string_equal(c.text, "haystack: cannot read /nonexistent/x.json: No such file or directory\n");

	capture_start(&c);
	err = hs_file_read("/tmp", 100, &data, &len);
	capture_end(&c);
	assert_int_equal(err, -EISDIR);
	assert_true(hs_bad_input(err));
	assert_string_equal(c.text, "haystack: cannot read /tmp: Is a directory\n");
	assert_false(hs_bad_input(-ENOMEM));
	assert_false(hs_bad_input(-EIO));
}

static void test_json_file_hash_is_of_the_bytes(void **state)
{
	static const char text[] = "{ \"a\": [1, 2, 3] }\n";
	struct json_object *o = NULL;
	char path[64];
	__u64 h = 0;

	write_tmp(path, sizeof(path), text);
	assert_int_equal(hs_json_file_load(path, 1000, &o, &h), 0);
	assert_true(h == hs_fnv1a64(HS_FNV1A64_INIT, text, strlen(text)));
	json_object_put(o);
	unlink(path);
	/* FNV-1a 64 as published: "a" */
	assert_true(hs_fnv1a64_str("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(hs_fnv1a64(HS_FNV1A64_INIT, "", 0) == HS_FNV1A64_INIT);
}

/* ---- JSON beyond json-c ---- */

struct json_case {
	const char *text;
	const char *problem;	/* NULL: accepted */
	size_t at;		/* byte offset of the problem */
};

static const struct json_case json_cases[] = {
	{ "{\"a\":1,\"b\":2}", NULL, 0 },
	{ "{\"domains\":[1],\"x\":{},\"domains\":[]}", "duplicate key 'domains'", 22 },
	{ "{\"a\":{\"k\":1,\"k\":2}}", "duplicate key 'k'", 12 },
	/* one key in two objects is no duplicate */
	{ "[{\"k\":1},{\"k\":2},{\"a\":{\"k\":3}}]", NULL, 0 },
	/* decoded as json-c decodes them: the same key */
	{ "{\"a\":1,\"\\u0061\":2}", "duplicate key 'a'", 7 },
	{ "{\"a\":1,\"a\\u0000b\":2}", "duplicate key 'a'", 7 },
	/* a colon or quote inside a key is not structure */
	{ "{\"a:b\":1,\"a\\\"\":{\"c\":\":\"}}", NULL, 0 },
	{ "{\"x\":[1,2],\"y\":\"{\\\"x\\\":1}\",\"x\":3}", "duplicate key 'x'", 27 },
	{ "[NaN]", "not a JSON value (NaN and Infinity are not JSON)", 1 },
	{ "{\"t\":Infinity}", "not a JSON value (NaN and Infinity are not JSON)", 5 },
	{ "{\"t\":-Infinity}", "not a JSON number (NaN and Infinity are not JSON)", 5 },
	{ "[true,false,null,\"NaN\"]", NULL, 0 },
	{ "[1e400]", "number 1e400 is out of range", 1 },
	{ "[-1e400]", "number -1e400 is out of range", 1 },
	{ "[1e308,1e-400,0.5]", NULL, 0 },
	{ "[18446744073709551615,-9223372036854775808,0,-0]", NULL, 0 },
	{ "[18446744073709551616]", "number 18446744073709551616 is out of range", 1 },
	{ "[-9223372036854775809]", "number -9223372036854775809 is out of range", 1 },
	{ "[123456789012345678901234567890]", "number 123456789012345678901234... is out of range", 1 },
};

static void test_json_check(void **state)
{
	size_t i, at;
	char why[160];

	for (i = 0; i < ARRAY_SIZE(json_cases); i++) {
		const struct json_case *jc = &json_cases[i];
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o;
		int err;

		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		o = json_tokener_parse_ex(tok, jc->text, (int)strlen(jc->text));
		if (!o)
			fail_msg("case %zu: json-c does not parse %s", i, jc->text);
		json_tokener_free(tok);
		why[0] = '\0';
		at = 0;
		err = hs_json_check(jc->text, strlen(jc->text), o, &at, why, sizeof(why));
		json_object_put(o);
		if (!jc->problem) {
			if (err)
				fail_msg("%s: refused: %s", jc->text, why);
			continue;
		}
		if (err != -EINVAL || strcmp(why, jc->problem) || at != jc->at)
			fail_msg("%s: got %d '%s' at %zu, want '%s' at %zu", jc->text, err, why, at,
				 jc->problem, jc->at);
	}
}

/* The file reader names the place: line and column of the second key. */
static void test_json_file_duplicate_key(void **state)
{
	struct json_object *o = NULL;
	char path[64], want[200];
	struct capture c;
	int err;

	write_tmp(path, sizeof(path), "{ \"format\": \"x\",\n  \"domains\": [ 1 ],\n  \"domains\": [] }\n");
	capture_start(&c);
	err = hs_json_file_load(path, 1000, &o, NULL);
	capture_end(&c);
	unlink(path);
	assert_int_equal(err, -EINVAL);
	assert_null(o);
	snprintf(want, sizeof(want), "haystack: %s: line 3, column 3: duplicate key 'domains'\n", path);
	assert_string_equal(c.text, want);
}

static void test_json_integers(void **state)
{
	static const struct { const char *text; int err; __u64 v; } u64s[] = {
		{ "0", 0, 0 }, { "10", 0, 10 }, { "9223372036854775807", 0, 9223372036854775807ULL },
		{ "9223372036854775808", 0, 9223372036854775808ULL },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "-1", -EINVAL, 0 }, { "1.5", -EINVAL, 0 }, { "\"7\"", -EINVAL, 0 }, { "null", -EINVAL, 0 },
	};
	static const struct { const char *text; int err; } ints[] = {
		{ "0", 0 }, { "253402300799", 0 }, { "253402300800", -EINVAL }, { "-1", -EINVAL },
		{ "18446744073709551615", -EINVAL }, { "1e3", -EINVAL },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(u64s); i++) {
		struct json_object *o, *v;
		__u64 out = 42;

		snprintf(buf, sizeof(buf), "[%s]", u64s[i].text);
		o = json_tokener_parse(buf);
		v = json_object_array_get_idx(o, 0);
		if (hs_json_u64(v, &out) != u64s[i].err || (!u64s[i].err && out != u64s[i].v))
			fail_msg("u64 %s: got %llu", u64s[i].text, (unsigned long long)out);
		json_object_put(o);
	}
	for (i = 0; i < ARRAY_SIZE(ints); i++) {
		struct json_object *o;
		long long out;

		snprintf(buf, sizeof(buf), "[%s]", ints[i].text);
		o = json_tokener_parse(buf);
		if (hs_json_int(json_object_array_get_idx(o, 0), 0, 253402300799LL, &out) != ints[i].err)
			fail_msg("int %s in 0..253402300799: not %d", ints[i].text, ints[i].err);
		json_object_put(o);
	}
}

/* ---- lines ---- */

struct lines_seen {
	char text[512];
};

static int keep_line(void *ctx, char *line, unsigned long lineno, char *why, size_t why_len)
{
	struct lines_seen *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%lu:%s|", lineno, line);
	return 0;
}

static void test_lines_within_limit(void **state)
{
	struct hs_input_stats st = { .max_line = 5 };
	struct lines_seen s = {};
	char path[64];

	/* a line of exactly the limit, CRLF, blank lines, no final newline */
	write_tmp(path, sizeof(path), "12345\nab\r\n\n  \nxyz");
	st.path = path;
	assert_int_equal(hs_lines_read(&st, keep_line, &s), 0);
	assert_string_equal(s.text, "1:12345|2:ab|5:xyz|");
	assert_int_equal(st.lines, 3);
	unlink(path);
}

static void test_line_too_long(void **state)
{
	struct hs_input_stats st = { .max_line = 5 };
	struct lines_seen s = {};
	char path[64], want[160];
	struct capture c;
	int err;

	write_tmp(path, sizeof(path), "12345\n123456\nok\n");
	st.path = path;
	capture_start(&c);
	err = hs_lines_read(&st, keep_line, &s);
	capture_end(&c);
	assert_int_equal(err, -EFBIG);
	/* fatal even without strict: what follows cannot be read as lines */
	assert_false(st.strict);
	assert_string_equal(s.text, "1:12345|");
	snprintf(want, sizeof(want), "haystack: %s:2: line too long (limit 5 bytes)\n", path);
	assert_string_equal(c.text, want);
	unlink(path);

	/* a device without line ends stops at the first limit */
	memset(&st, 0, sizeof(st));
	st.path = "/dev/zero";
	st.max_line = 4096;
	capture_start(&c);
	err = hs_lines_read(&st, keep_line, &s);
	capture_end(&c);
	assert_int_equal(err, -EFBIG);
	assert_string_equal(c.text, "haystack: /dev/zero:1: line too long (limit 4096 bytes)\n");
}

static void test_lines_file_too_large(void **state)
{
	struct hs_input_stats st = { .max_bytes = 10 };
	struct lines_seen s = {};
	char path[64], want[160];
	struct capture c;
	int err;

	write_tmp(path, sizeof(path), "1234\n5678\nabcd\n");
	st.path = path;
	capture_start(&c);
	err = hs_lines_read(&st, keep_line, &s);
	capture_end(&c);
	assert_int_equal(err, -EFBIG);
	snprintf(want, sizeof(want), "haystack: %s: too large (limit 10 bytes)\n", path);
	assert_string_equal(c.text, want);
	unlink(path);
}

static int json_keep(void *ctx, struct json_object *o, unsigned long lineno, char *why, size_t len)
{
	return keep_line(ctx, (char *)json_object_to_json_string(o), lineno, why, len);
}

/* A JSON line with a key twice or a number out of range is malformed. */
static void test_json_lines_refusals(void **state)
{
	struct hs_input_stats st = {};
	struct lines_seen s = {};
	struct capture c;
	char path[64];

	write_tmp(path, sizeof(path), "{\"a\":1}\n{\"a\":1,\"a\":2}\n{\"t\":1e999}\n{\"t\":NaN}\n");
	st.path = path;
	assert_int_equal(hs_json_lines_read(&st, json_keep, &s), 0);
	assert_string_equal(s.text, "1:{ \"a\": 1 }|");
	assert_int_equal(st.malformed, 3);
	assert_int_equal(st.first_bad_line, 2);
	assert_string_equal(st.first_bad, "duplicate key 'a'");
	st.strict = true;
	capture_start(&c);
	assert_int_equal(hs_json_lines_read(&st, json_keep, &s), -EINVAL);
	capture_end(&c);
	assert_non_null(strstr(c.text, ":2: duplicate key 'a'\n"));
	unlink(path);
}

/* ---- writing ---- */

static const char *check_seen;
static int check_result;

static int check_tmp(const char *tmp)
{
	static char text[256];
	FILE *f = fopen(tmp, "r");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	check_seen = text;
	return check_result;
}

/* "-" is standard output, still after the check, and nothing when it fails. */
static void test_write_to_stdout(void **state)
{
	struct json_object *o = json_object_new_object();
	struct capture c;
	char out[256];
	int saved, err, i;
	FILE *f;

	json_object_object_add(o, "a", json_object_new_int(1));
	for (i = 0; i < 2; i++) {
		check_seen = NULL;
		check_result = i ? -EINVAL : 0;
		fflush(stdout);
		f = tmpfile();
		saved = dup(1);
		dup2(fileno(f), 1);
		capture_start(&c);
		err = hs_json_write_atomic("-", o, check_tmp);
		capture_end(&c);
		fflush(stdout);
		dup2(saved, 1);
		close(saved);
		rewind(f);
		out[fread(out, 1, sizeof(out) - 1, f)] = '\0';
		fclose(f);
		assert_int_equal(err, check_result);
		assert_string_equal(check_seen, "{\n  \"a\": 1\n}\n");
		assert_string_equal(out, i ? "" : "{\n  \"a\": 1\n}\n");
		assert_int_equal(count_lines(c.text), i);
	}
	json_object_put(o);
}

static void test_write_file_whole(void **state)
{
	struct json_object *o = json_object_new_array();
	char path[64], text[64];
	FILE *f;

	write_tmp(path, sizeof(path), "old");
	check_result = 0;
	assert_int_equal(hs_json_write_atomic(path, o, check_tmp), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
	fclose(f);
	assert_string_equal(text, "[\n]\n");
	json_object_put(o);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_within_limit),
		cmocka_unit_test(test_file_too_large),
		cmocka_unit_test(test_file_missing_or_directory),
		cmocka_unit_test(test_json_file_hash_is_of_the_bytes),
		cmocka_unit_test(test_json_check),
		cmocka_unit_test(test_json_file_duplicate_key),
		cmocka_unit_test(test_json_integers),
		cmocka_unit_test(test_lines_within_limit),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_lines_file_too_large),
		cmocka_unit_test(test_json_lines_refusals),
		cmocka_unit_test(test_write_to_stdout),
		cmocka_unit_test(test_write_file_whole),
	};

	return cmocka_run_group_tests_name("input", tests, NULL, NULL);
}
