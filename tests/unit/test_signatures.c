// SPDX-License-Identifier: GPL-2.0
/* haystack-signatures/1 files and the importer of the paper's CSVs, through
 * their real entry points on temporary files: what they accept, and every
 * refusal as one line. Runs with cwd = repository root. */
#define _GNU_SOURCE	/* getdelim */
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
#include <netinet/in.h>
#include "dict/signatures.h"
#include "unit.h"


#define CLASS_HEAD "{\"format\":\"haystack-signatures/1\",\"classes\":[{\"name\":\"v\",\"level\":\"product\","

/* ---- signatures ---- */

static void test_signatures_load(void **state)
{
	static const char text[] = CLASS_HEAD "\"active_packets_per_hour\":18446744073709551615,"
		"\"domains\":[{\"name\":\"API.Vendor.com.\",\"role\":\"primary\",\"ports\":[\"tcp/443\",\"udp/123\"]},"
		"{\"name\":\"*.cdn.vendor.com\",\"role\":\"support\"}]}]}";
	struct hs_signatures s = {};
	char path[64];

	write_tmp(path, sizeof(path), text);
	assert_int_equal(hs_signatures_load(path, &s), 0);
	unlink(path);
	assert_int_equal(s.n_classes, 1);
	assert_true(s.classes[0].threshold == HS_DEFAULT_THRESHOLD);
	assert_true(s.classes[0].active_packets_per_hour == UINT64_MAX);
	assert_string_equal(s.classes[0].domains[0].name, "api.vendor.com");
	assert_int_equal(s.classes[0].domains[0].n_ports, 2);
	assert_int_equal(s.classes[0].domains[0].ports[0].proto, IPPROTO_TCP);
	assert_int_equal(s.classes[0].domains[0].ports[0].port, 443);
	assert_int_equal(s.classes[0].domains[0].ports[1].proto, IPPROTO_UDP);
	assert_int_equal(s.classes[0].domains[1].n_ports, 0);
	assert_int_equal(hs_signatures_check(&s), 0);
	hs_signatures_free(&s);
}

struct sig_case {
	const char *text;
	int err;
	const char *message;	/* after "haystack: PATH: " */
};

static const struct sig_case sig_cases[] = {
	{ CLASS_HEAD "\"domains\":[]}],\"classes\":[]}", -EINVAL, "duplicate key 'classes'" },
	{ CLASS_HEAD "\"level\":\"platform\",\"domains\":[]}]}", -EINVAL, "duplicate key 'level'" },
	{ CLASS_HEAD "\"active_packets_per_hour\":18446744073709551616,\"domains\":[]}]}", -EINVAL,
	  "number 18446744073709551616 is out of range" },
	{ CLASS_HEAD "\"active_packets_per_hour\":-1,\"domains\":[]}]}", -EINVAL,
	  "classes[0] 'v': active_packets_per_hour is not an integer 0..18446744073709551615" },
	{ CLASS_HEAD "\"threshold\":NaN,\"domains\":[]}]}", -EINVAL, "NaN and Infinity are not JSON" },
	{ CLASS_HEAD "\"threshold\":1e400,\"domains\":[]}]}", -EINVAL, "number 1e400 is out of range" },
	{ CLASS_HEAD "\"domains\":[{\"name\":\"a.vendor.com\",\"role\":\"primary\",\"ports\":[\"tcp/0\"]}]}]}",
	  -EINVAL, "bad port 'tcp/0'" },
};

static void test_signatures_refused(void **state)
{
	char path[64], head[128];
	struct capture c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sig_cases); i++) {
		struct hs_signatures s = {};
		int err;

		write_tmp(path, sizeof(path), sig_cases[i].text);
		capture_start(&c);
		err = hs_signatures_load(path, &s);
		capture_end(&c);
		unlink(path);
		hs_signatures_free(&s);
		snprintf(head, sizeof(head), "haystack: %s: ", path);
		if (err != sig_cases[i].err || count_lines(c.text) != 1 ||
		    strncmp(c.text, head, strlen(head)) || !strstr(c.text, sig_cases[i].message))
			fail_msg("case %zu: %d \"%s\", want %d \"%s\"", i, err, c.text, sig_cases[i].err,
				 sig_cases[i].message);
	}
}

/* ---- the CSV importer ---- */

#define CSV_HEADER "domain,detection_level,device,grouped_domain,domain_id,port\n"

/* Imports one CSV given as text; stderr in c, the output file at out. */
static int import_csv(const char *name, const char *text, const char *out, struct capture *c)
{
	char dir[64] = "/tmp/haystack-test-csv-XXXXXX", path[128];
	FILE *f;
	int err;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	capture_start(c);
	err = hs_iot_wild_import(dir, out);
	capture_end(c);
	unlink(path);
	rmdir(dir);
	return err;
}

struct csv_case {
	const char *row;
	const char *problem;
};

static const struct csv_case csv_cases[] = {
	/* (int)1e30 was undefined behaviour before the range check */
	{ "a.vendor.com,vendor_cat,cam,vendor.com,1,1e30", "port '1e30' is not a number 1..65535" },
	{ "a.vendor.com,vendor_cat,cam,vendor.com,1,1000000000000000000000000000000",
	  "port '10000000000000000000' is not a number 1..65535" },
	{ "a.vendor.com,vendor_cat,cam,vendor.com,1,nan", "port 'nan' is not a number 1..65535" },
	{ "a.vendor.com,vendor_cat,cam,vendor.com,1, 443", "port ' 443' is not a number 1..65535" },
	{ "a.vendor.com,vendor_cat,cam,vendor.com,1,0x1bb", "port '0x1bb' is not a number 1..65535" },
	{ "a.vendor.com,vendor_cat,cam,vendor.com,1,443.5", "port '443.5' is not a number 1..65535" },
	{ "a.vendor.com,vendor_cat,cam,vendor.com,1,65536", "port '65536' is not a number 1..65535" },
	/* names become class names and JSON strings of the output */
	{ "a.vendor.com,vendor\x8b_cat,cam,vendor.com,1,443", "detection_level 'vendor" },
	{ "a.vendor.com,vendor_cat,c\tam,vendor.com,1,443", "device 'c" },
	/* the tiers' names are the importer's own */
	{ "a.vendor.com,amazon_products,cam,vendor.com,1,443",
	  "detection_level 'amazon_products' would be a class named like a tier of alexa_enabled.csv" },
	{ "a.vendor.com,samsung-iot_cat,cam,vendor.com,1,443",
	  "detection_level 'samsung-iot_cat' would be a class named like a tier of samsung_IoT.csv" },
};

static void test_csv_refused(void **state)
{
	char text[256], want[128];
	struct capture c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(csv_cases); i++) {
		snprintf(text, sizeof(text), CSV_HEADER "%s\n", csv_cases[i].row);
		snprintf(want, sizeof(want), "devices.csv:2: %s", csv_cases[i].problem);
		if (import_csv("devices.csv", text, "/nonexistent/out.json", &c) != -EINVAL ||
		    count_lines(c.text) != 1 || !strstr(c.text, want))
			fail_msg("case %zu: \"%s\", want \"%s\"", i, c.text, want);
	}
}

static void test_csv_line_too_long(void **state)
{
	char *text = malloc(HS_CSV_MAX_LINE + 200);
	struct capture c;

	snprintf(text, 100, CSV_HEADER "a.vendor.com,");
	memset(text + strlen(text), 'x', HS_CSV_MAX_LINE);
	strcpy(text + strlen(CSV_HEADER "a.vendor.com,") + HS_CSV_MAX_LINE, ",cam,vendor.com,1,443\n");
	assert_int_equal(import_csv("devices.csv", text, "/nonexistent/out.json", &c), -EFBIG);
	assert_int_equal(count_lines(c.text), 1);
	assert_non_null(strstr(c.text, "devices.csv:2: line too long (limit 4096 bytes)"));
	free(text);
}

/* -o -: the signatures on standard output, which load as signatures. */
static void test_csv_import_to_stdout(void **state)
{
	char out[64], *text = NULL;
	struct hs_signatures s = {};
	struct capture c;
	int saved, fd;
	size_t len;
	FILE *f;

	write_tmp(out, sizeof(out), "");
	fd = open(out, O_WRONLY | O_TRUNC);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	close(fd);
	assert_int_equal(import_csv("alexa_enabled.csv", CSV_HEADER
				    "a.vendor.com,echo_cat,echo,vendor.com,1,443.0\n"
				    "b.vendor.com,echo_cat,echo,b.vendor.com,2,\n", "-", &c), 0);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	f = fopen(out, "r");
	assert_non_null(f);
	assert_true(getdelim(&text, &len, '\0', f) > 0);
	fclose(f);
	assert_non_null(strstr(text, "\"format\": \"haystack-signatures/1\""));
	assert_non_null(strstr(text, "\"tcp/443\""));
	assert_int_equal(hs_signatures_load(out, &s), 0);
	assert_int_equal(hs_signatures_check(&s), 0);
	hs_signatures_free(&s);
	free(text);
	unlink(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signatures_load),
		cmocka_unit_test(test_signatures_refused),
		cmocka_unit_test(test_csv_refused),
		cmocka_unit_test(test_csv_line_too_long),
		cmocka_unit_test(test_csv_import_to_stdout),
	};

	return cmocka_run_group_tests_name("signatures", tests, NULL, NULL);
}
