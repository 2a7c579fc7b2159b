// SPDX-License-Identifier: GPL-2.0
/* Prefix and address parsing, formatting, containment, subscribers files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "lib/prefix.h"
#include "unit.h"

#define FIXTURE_SUBSCRIBERS "fixtures/small/subscribers.txt"

/* ---- helpers ---- */

static void assert_mapped(const struct haystack_lpm_key *k, __u8 a, __u8 b, __u8 c, __u8 d)
{
	static const __u8 head[12] = { [10] = 0xff, [11] = 0xff };

	assert_memory_equal(k->addr, head, 12);
	assert_int_equal(k->addr[12], a);
	assert_int_equal(k->addr[13], b);
	assert_int_equal(k->addr[14], c);
	assert_int_equal(k->addr[15], d);
}

/* ---- parsing ---- */

static void test_parse_v4_prefix_is_mapped(void **state)
{
	struct haystack_lpm_key k;

	assert_int_equal(hs_parse_prefix("100.64.0.0/16", &k), 0);
	assert_int_equal(k.prefixlen, 96 + 16);
	assert_mapped(&k, 100, 64, 0, 0);

	assert_int_equal(hs_parse_prefix("203.0.113.7/32", &k), 0);
	assert_int_equal(k.prefixlen, 128);
	assert_mapped(&k, 203, 0, 113, 7);

	/* IPv4 /1 is half the mapped range, not half the address space */
	assert_int_equal(hs_parse_prefix("128.0.0.0/1", &k), 0);
	assert_int_equal(k.prefixlen, 97);
	assert_mapped(&k, 128, 0, 0, 0);
}

/* A /0 is refused in both families alike, and so is the IPv4 /0 written
 * in IPv6 (::ffff:0:0/96): a whole family is never a subscriber network or
 * a dedicated service; one more bit is a prefix like any other. */
static void test_parse_rejects_slash_zero(void **state)
{
	static const struct { const char *s; int err; } cases[] = {
		{ "0.0.0.0/0", -EINVAL }, { "::/0", -EINVAL }, { "::ffff:0:0/96", -EINVAL },
		{ "::ffff:0.0.0.0/96", -EINVAL },
		{ "0.0.0.0/1", 0 }, { "::/1", -EINVAL /* covers ::ffff:0:0/96 */ },
		{ "8000::/1", 0 }, { "::ffff:0:0/97", 0 },
	};
	struct haystack_lpm_key k;
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (hs_parse_prefix(cases[i].s, &k) != cases[i].err)
			fail_msg("'%s': not %d", cases[i].s, cases[i].err);
	assert_int_equal(hs_parse_prefix_why("0.0.0.0/0", &k, &why), -EINVAL);
	assert_string_equal(why, "a /0 covers a whole address family");
	assert_int_equal(hs_parse_prefix_why("::/0", &k, &why), -EINVAL);
	assert_string_equal(why, "a /0 covers a whole address family");
}

static void test_parse_bare_address_is_host_prefix(void **state)
{
	struct haystack_lpm_key k;

	assert_int_equal(hs_parse_prefix("192.0.2.1", &k), 0);
	assert_int_equal(k.prefixlen, 128);
	assert_mapped(&k, 192, 0, 2, 1);
	assert_int_equal(hs_parse_prefix("2001:db8::1", &k), 0);
	assert_int_equal(k.prefixlen, 128);
	assert_int_equal(k.addr[15], 1);
}

static void test_parse_v6_prefix(void **state)
{
	static const __u8 db8[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00 };
	struct haystack_lpm_key k;

	assert_int_equal(hs_parse_prefix("2001:db8:100::/40", &k), 0);
	assert_int_equal(k.prefixlen, 40);
	assert_memory_equal(k.addr, db8, 16);

	assert_int_equal(hs_parse_prefix("2000::/3", &k), 0);
	assert_int_equal(k.prefixlen, 3);
	assert_int_equal(hs_parse_prefix("::1/128", &k), 0);
	/* IPv4-compatible and NAT64 ranges are IPv6, they do not cover ::ffff:0:0/96 */
	assert_int_equal(hs_parse_prefix("::/96", &k), 0);
	assert_int_equal(hs_parse_prefix("64:ff9b::/96", &k), 0);
}

static void test_parse_mapped_text_equals_v4(void **state)
{
	struct haystack_lpm_key a = key("::ffff:192.0.2.0/120"), b = key("192.0.2.0/24");

	assert_memory_equal(&a, &b, sizeof(a));
	a = key("::ffff:0:0/97");
	b = key("0.0.0.0/1");
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_parse_rejects_host_bits(void **state)
{
	static const char *const bad[] = {
		"10.0.0.1/8", "192.0.2.128/24", "192.0.2.1/31", "1.0.0.0/0",
		"2001:db8::1/64", "2001:db8::/16", "::1/0", "::ffff:192.0.2.1/120",
	};
	struct haystack_lpm_key k;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (hs_parse_prefix(bad[i], &k) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
}

static void test_parse_rejects_bad_length(void **state)
{
	static const char *const bad[] = {
		"192.0.2.0/33", "2001:db8::/129", "192.0.2.0/-1", "192.0.2.0/", "192.0.2.0/+24",
		"192.0.2.0/024", "192.0.2.0/ 24", "192.0.2.0/24 ", "192.0.2.0/4294967320",
		"192.0.2.0/24/24", "192.0.2.0/0x18", "::/1000",
	};
	struct haystack_lpm_key k;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (hs_parse_prefix(bad[i], &k) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
}

static void test_parse_rejects_garbage(void **state)
{
	static const char *const bad[] = {
		"", "/", "/24", "abc", "abc/8", "1.2.3", "1.2.3/24", "1.2.3.4.5", "256.0.0.0/8",
		" 192.0.2.0/24", "192.0.2.0 /24", "192.0.2.0/24x", "192.0.2.0/24\n", "01.2.3.4",
		"1.2.3.4 # x", "fe80::1%eth0", "2001:db8:::/48", "2001:db8::g/64", ":::",
		"1:2:3:4:5:6:7:8:9/128", "2001:db8::/48 2001:db8::/48",
		"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255:1/128",
	};
	struct haystack_lpm_key k;
	char huge[300];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (hs_parse_prefix(bad[i], &k) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	assert_int_equal(hs_parse_prefix(NULL, &k), -EINVAL);
	memset(huge, '1', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	assert_int_equal(hs_parse_prefix(huge, &k), -EINVAL);
}

/* In the shared trie an IPv6 prefix covering ::ffff:0:0/96 would match
 * IPv4 traffic, so the families would mix. */
static void test_parse_rejects_v6_covering_v4(void **state)
{
	static const char *const bad[] = { "::/0", "::/64", "::/80", "::fffe:0:0/95", "::ffff:0:0/81" };
	struct haystack_lpm_key k;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (hs_parse_prefix(bad[i], &k) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
}

static void test_parse_leaves_out_alone_on_error(void **state)
{
	struct haystack_lpm_key k, before;

	memset(&k, 0xa5, sizeof(k));
	before = k;
	assert_int_equal(hs_parse_prefix("10.0.0.1/8", &k), -EINVAL);
	assert_memory_equal(&k, &before, sizeof(k));
}

static void test_parse_addr(void **state)
{
	__u8 a[16], b[16];

	assert_int_equal(hs_parse_addr("192.0.2.1", a), 0);
	assert_int_equal(hs_parse_addr("::ffff:192.0.2.1", b), 0);
	assert_memory_equal(a, b, 16);
	assert_true(hs_addr_is_v4(a));
	assert_int_equal(hs_parse_addr("2001:db8::1", a), 0);
	assert_false(hs_addr_is_v4(a));
	assert_int_equal(hs_parse_addr("192.0.2.1/32", a), -EINVAL);
	assert_int_equal(hs_parse_addr("2001:db8::/32", a), -EINVAL);
	assert_int_equal(hs_parse_addr("", a), -EINVAL);
	assert_int_equal(hs_parse_addr("x", a), -EINVAL);
	assert_int_equal(hs_parse_addr(NULL, a), -EINVAL);
}

/* ---- formatting ---- */

static void test_format_addr(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "192.0.2.1", "192.0.2.1" },
		{ "::ffff:100.64.0.7", "100.64.0.7" },
		{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },	/* RFC 5952 */
		{ "2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
		{ "::", "::" },
		{ "::1", "::1" },
	};
	char buf[HS_ADDRSTRLEN];
	__u8 a[16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(hs_parse_addr(cases[i].in, a), 0);
		assert_string_equal(hs_format_addr(a, buf, sizeof(buf)), cases[i].out);
	}
}

static void test_format_small_buffer_is_safe(void **state)
{
	char buf[4];
	__u8 a[16];

	assert_int_equal(hs_parse_addr("2001:db8::1", a), 0);
	assert_ptr_equal(hs_format_addr(a, buf, sizeof(buf)), buf);
	assert_true(strlen(buf) < sizeof(buf));
}

static void test_format_prefix_round_trip(void **state)
{
	static const char *const canonical[] = {
		"0.0.0.0/1", "100.64.0.0/16", "100.65.128.0/17", "203.0.113.7/32",
		"2001:db8:100::/40", "2001:db8::1/128", "2000::/3", "::/96", "fe80::/10",
	};
	struct haystack_lpm_key k;
	char buf[HS_ADDRSTRLEN + 4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(canonical); i++) {
		k = key(canonical[i]);
		assert_string_equal(hs_format_prefix(&k, buf, sizeof(buf)), canonical[i]);
	}
	k = key("::ffff:192.0.2.0/120");
	assert_string_equal(hs_format_prefix(&k, buf, sizeof(buf)), "192.0.2.0/24");
	k = key("192.0.2.9");
	assert_string_equal(hs_format_prefix(&k, buf, sizeof(buf)), "192.0.2.9/32");
}

/* ---- containment ---- */

static void test_contains(void **state)
{
	static const struct { const char *a, *b; bool in; } cases[] = {
		{ "10.0.0.0/8", "10.1.0.0/16", true },
		{ "10.1.0.0/16", "10.0.0.0/8", false },
		{ "10.0.0.0/8", "10.0.0.0/8", true },
		{ "10.0.0.0/8", "11.0.0.0/8", false },
		{ "10.0.0.0/8", "10.255.255.255", true },
		{ "192.0.2.0/25", "192.0.2.128/25", false },
		{ "0.0.0.0/1", "100.64.0.7", true },
		/* an IPv4 /1 is ::ffff:0:0/97: it must not reach into IPv6 */
		{ "0.0.0.0/1", "::ffff:0:0/97", true },
		{ "0.0.0.0/1", "2001:db8::1", false },
		{ "0.0.0.0/1", "::/96", false },
		{ "0.0.0.0/1", "::1", false },
		{ "2001:db8::/32", "2001:db8:5::/48", true },
		{ "2001:db8::/32", "2001:db9::/48", false },
		{ "2000::/3", "192.0.2.1", false },
		{ "::/96", "0.0.0.1", false },
		{ "2001:db8::1", "2001:db8::1", true },
	};
	struct haystack_lpm_key a, b;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		a = key(cases[i].a);
		b = key(cases[i].b);
		if (hs_prefix_contains(&a, &b) != cases[i].in)
			fail_msg("contains(%s, %s) != %d", cases[i].a, cases[i].b, cases[i].in);
	}
}

/* ---- subscribers file ---- */

static void test_subscribers_fixture(void **state)
{
	struct haystack_lpm_key *keys = NULL, k;
	size_t n = 0;

	if (access(fixture(FIXTURE_SUBSCRIBERS), R_OK))
		skip();
	assert_int_equal(hs_subscribers_load(fixture(FIXTURE_SUBSCRIBERS), &keys, &n), 0);
	assert_int_equal(n, 3);
	k = key("100.64.0.0/16");
	assert_memory_equal(&keys[0], &k, sizeof(k));
	k = key("100.65.128.0/17");
	assert_memory_equal(&keys[1], &k, sizeof(k));
	k = key("2001:db8:100::/40");
	assert_memory_equal(&keys[2], &k, sizeof(k));
	free(keys);
}

static void test_subscribers_comments_and_blanks(void **state)
{
	static const char content[] =
		"# subscriber prefixes\n"
		"\n"
		"100.64.0.0/16\n"
		"   \t\n"
		"  100.65.128.0/17\t# indented, trailing comment\n"
		"2001:db8:100::/40   # IPv6 subscribers\n"
		"#192.0.2.0/24\n"
		"198.51.100.0/24\r\n"		/* CRLF */
		"203.0.113.0/24";		/* no final newline */
	static const char *const want[] = {
		"100.64.0.0/16", "100.65.128.0/17", "2001:db8:100::/40",
		"198.51.100.0/24", "203.0.113.0/24",
	};
	struct haystack_lpm_key *keys = NULL, k;
	char path[64];
	size_t n = 0, i;
	int err;

	write_tmp(path, sizeof(path), content);
	err = hs_subscribers_load(path, &keys, &n);
	unlink(path);
	assert_int_equal(err, 0);
	assert_int_equal(n, ARRAY_SIZE(want));
	for (i = 0; i < n; i++) {
		k = key(want[i]);
		assert_memory_equal(&keys[i], &k, sizeof(k));
	}
	free(keys);
}

static void test_subscribers_bad_line(void **state)
{
	struct haystack_lpm_key *keys = (void *)0x1;
	struct capture c;
	char path[64], want[256];
	size_t n = 7;
	int err;

	write_tmp(path, sizeof(path), "100.64.0.0/16\n# next one is a typo\n100.64.0.1/16  # oops\n");
	capture_start(&c);
	err = hs_subscribers_load(path, &keys, &n);
	capture_end(&c);
	unlink(path);
	assert_int_equal(err, -EINVAL);
	/* nothing handed out on error */
	assert_ptr_equal(keys, (void *)0x1);
	assert_int_equal(n, 7);
	snprintf(want, sizeof(want), "haystack: %s:3: bad prefix '100.64.0.1/16' "
		 "(host bits set beyond the prefix length)\n", path);
	assert_string_equal(c.text, want);
}

static void test_subscribers_without_prefixes(void **state)
{
	struct haystack_lpm_key *keys = NULL;
	struct capture c;
	char path[64];
	size_t n = 0;
	int err;

	write_tmp(path, sizeof(path), "# nothing here yet\n\n");
	capture_start(&c);
	err = hs_subscribers_load(path, &keys, &n);
	capture_end(&c);
	unlink(path);
	assert_int_equal(err, -EINVAL);
	assert_int_equal(count_lines(c.text), 1);
	assert_non_null(strstr(c.text, "no subscriber prefixes"));
}

static void test_subscribers_unreadable(void **state)
{
	struct haystack_lpm_key *keys = NULL;
	struct capture c;
	size_t n = 0;
	int err;

	capture_start(&c);
	err = hs_subscribers_load("/nonexistent/subscribers.txt", &keys, &n);
	capture_end(&c);
	assert_int_equal(err, -ENOENT);
	assert_string_equal(c.text, "haystack: cannot read /nonexistent/subscribers.txt: "
				    "No such file or directory\n");

	capture_start(&c);
	err = hs_subscribers_load("/tmp", &keys, &n);
	capture_end(&c);
	assert_int_equal(err, -EISDIR);
	assert_int_equal(count_lines(c.text), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v4_prefix_is_mapped),
		cmocka_unit_test(test_parse_rejects_slash_zero),
		cmocka_unit_test(test_parse_bare_address_is_host_prefix),
		cmocka_unit_test(test_parse_v6_prefix),
		cmocka_unit_test(test_parse_mapped_text_equals_v4),
		cmocka_unit_test(test_parse_rejects_host_bits),
		cmocka_unit_test(test_parse_rejects_bad_length),
		cmocka_unit_test(test_parse_rejects_garbage),
		cmocka_unit_test(test_parse_rejects_v6_covering_v4),
		cmocka_unit_test(test_parse_leaves_out_alone_on_error),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_format_addr),
		cmocka_unit_test(test_format_small_buffer_is_safe),
		cmocka_unit_test(test_format_prefix_round_trip),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_subscribers_fixture),
		cmocka_unit_test(test_subscribers_comments_and_blanks),
		cmocka_unit_test(test_subscribers_bad_line),
		cmocka_unit_test(test_subscribers_without_prefixes),
		cmocka_unit_test(test_subscribers_unreadable),
	};

	return cmocka_run_group_tests_name("prefix", tests, NULL, NULL);
}
