// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* asprintf */
/* Dictionary loading (validation of every field) and compilation into the
 * service-endpoint tables. Runs with cwd = repository root. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "dict/dict.h"
#include "dict/schedule.h"
#include "lib/hash.h"
#include "lib/prefix.h"
#include "lib/timeparse.h"
#include "unit.h"

#define FIXTURE_DICT "fixtures/small/dictionary.json"
#define DATA "tests/unit/data/dict/"

/* ---- helpers ---- */

static int domain_find(const struct hs_dict *d, const char *name)
{
	int i;

	for (i = 0; i < d->n_domains; i++)
		if (!strcmp(d->domains[i].name, name))
			return i;
	return -1;
}

/* A test dictionary: one class "c", domains given as name, ports, prefixes.
 * Written as JSON and read back through hs_dict_load, the real path. */
struct tdom {
	const char *name;
	const char *ports[20];
	const char *prefixes[8];
};

static struct hs_dict *tdict(const struct tdom *doms, int n)
{
	struct json_object *root = json_object_new_object(), *classes, *domains, *o, *a;
	struct hs_dict *d = NULL;
	char path[] = "/tmp/haystack-test-dict-XXXXXX";
	int i, k, fd, err;

	json_object_object_add(root, "format", json_object_new_string("haystack-dictionary/1"));
	classes = json_object_new_array();
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string("c"));
	json_object_object_add(o, "level", json_object_new_string("platform"));
	json_object_array_add(classes, o);
	json_object_object_add(root, "classes", classes);
	domains = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(doms[i].name));
		a = json_object_new_array();
		json_object_array_add(a, json_object_new_string("c"));
		json_object_object_add(o, "classes", a);
		json_object_object_add(o, "role", json_object_new_string("primary"));
		a = json_object_new_array();
		for (k = 0; doms[i].ports[k]; k++)
			json_object_array_add(a, json_object_new_string(doms[i].ports[k]));
		json_object_object_add(o, "ports", a);
		a = json_object_new_array();
		for (k = 0; doms[i].prefixes[k]; k++)
			json_object_array_add(a, json_object_new_string(doms[i].prefixes[k]));
		json_object_object_add(o, "prefixes", a);
		json_object_array_add(domains, o);
	}
	json_object_object_add(root, "domains", domains);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(json_object_to_fd(fd, root, JSON_C_TO_STRING_PRETTY), 0);
	close(fd);
	json_object_put(root);
	err = hs_dict_load(path, &d);
	unlink(path);
	assert_int_equal(err, 0);
	return d;
}

static const struct hs_endpoint *endpoint(const struct hs_compiled *c, const char *prefix)
{
	struct haystack_lpm_key k = key(prefix);
	size_t i;

	for (i = 0; i < c->n_endpoints; i++)
		if (!memcmp(&c->endpoints[i].key, &k, sizeof(k)))
			return &c->endpoints[i];
	fail_msg("no endpoint %s", prefix);
	return NULL;
}

/* The rules at a prefix, as "domain:proto/port" joined by spaces. */
static const char *rules_at(const struct hs_dict *d, const struct hs_compiled *c,
			    const char *prefix, char *buf, size_t len)
{
	const struct hs_endpoint *e = endpoint(c, prefix);
	const struct endpoint_ruleset *rs;
	size_t n = 0;
	__u32 i;

	assert_true(e->ruleset < c->n_rulesets);
	rs = &c->rulesets[e->ruleset];
	buf[0] = '\0';
	for (i = 0; i < rs->count; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s:%u/%u", i ? " " : "",
				      d->domains[rs->rule[i].domain].name,
				      rs->rule[i].proto, rs->rule[i].port);
	return buf;
}

/* ---- loading ---- */

static void test_fixture_loads(void **state)
{
	struct hs_dict *d = NULL;
	const struct hs_class *c;
	const struct hs_domain *dm;
	int i;

	if (access(fixture(FIXTURE_DICT), R_OK))
		skip();
	assert_int_equal(hs_dict_load(fixture(FIXTURE_DICT), &d), 0);
	assert_int_equal(d->n_classes, 11);
	assert_int_equal(d->n_domains, 96);
	assert_int_equal(d->n_excluded, 5);
	assert_string_equal(d->valid_from, "2019-11-15T00:00:00Z");
	assert_string_equal(d->valid_until, "2019-11-16T00:00:00Z");

	/* apple-tv has only excluded domains: not detectable */
	i = hs_class_find(d, "apple-tv");
	assert_true(i >= 0);
	assert_int_equal(d->classes[i].n_monitored, 0);

	c = &d->classes[hs_class_find(d, "alexa-enabled")];
	assert_int_equal(c->n_monitored, 6);
	assert_int_equal(c->level, HS_LEVEL_PLATFORM);
	assert_int_equal(c->parent, -1);
	assert_string_equal(c->title, "Alexa Enabled");

	c = &d->classes[hs_class_find(d, "amazon-firetv")];
	assert_int_equal(c->parent, hs_class_find(d, "amazon-products"));
	assert_int_equal(d->classes[c->parent].parent, hs_class_find(d, "alexa-enabled"));
	assert_int_equal(c->level, HS_LEVEL_PRODUCT);
	assert_int_equal(c->n_monitored, 8);
	assert_true(c->threshold == 0.5);

	c = &d->classes[hs_class_find(d, "samsung-tv")];
	assert_int_equal(c->active_packets_per_hour, 20);
	assert_int_equal(c->n_monitored, 6);
	assert_int_equal(d->classes[hs_class_find(d, "xiaomi-iot")].n_monitored, 40);
	assert_int_equal(hs_class_find(d, "no-such-class"), -1);

	dm = &d->domains[domain_find(d, "avs-alexa-eu.amazon.com")];
	assert_true(dm->primary);
	assert_int_equal(dm->n_ports, 1);
	assert_int_equal(dm->ports[0].proto, IPPROTO_TCP);
	assert_int_equal(dm->ports[0].port, 443);
	assert_int_equal(dm->n_prefixes, 2);
	/* ports absent and ports [] both mean any port */
	dm = &d->domains[domain_find(d, "msh.amazon.co.uk")];
	assert_false(dm->primary);
	assert_int_equal(dm->n_ports, 0);
	assert_int_equal(d->domains[domain_find(d, "fota-cloud-dn.ospserver.net")].n_ports, 0);
	dm = &d->domains[domain_find(d, "ntp-g7g.amazon.com")];
	assert_int_equal(dm->ports[0].proto, IPPROTO_UDP);
	assert_int_equal(dm->ports[0].port, 123);
	assert_string_equal(d->excluded[3].name, "xp.apple.com");
	assert_string_equal(d->excluded[3].reason, "shared");
	assert_int_equal(d->excluded[3].classes[0], hs_class_find(d, "apple-tv"));
	hs_dict_free(d);
}

static void test_defaults(void **state)
{
	struct hs_dict *d = NULL;
	const struct hs_class *hub, *cam;

	assert_int_equal(hs_dict_load(DATA "good-minimal.json", &d), 0);
	assert_int_equal(d->n_classes, 2);
	hub = &d->classes[0];
	cam = &d->classes[1];
	assert_string_equal(hub->title, "hub");		/* title defaults to name */
	assert_string_equal(cam->title, "Camera");
	assert_true(hub->threshold == 0.4);
	assert_true(cam->threshold == 0.5);
	assert_int_equal(hub->active_packets_per_hour, 10);
	assert_int_equal(cam->parent, 0);
	assert_int_equal(hub->level, HS_LEVEL_MANUFACTURER);
	assert_int_equal(hub->n_monitored, 1);
	assert_int_equal(cam->n_monitored, 1);	/* the excluded domain does not count */
	assert_null(d->valid_from);
	assert_null(d->valid_until);
	assert_string_equal(d->path, DATA "good-minimal.json");
	assert_int_equal(d->domains[1].n_prefixes, 2);
	assert_int_equal(d->domains[1].n_ports, 2);
	hs_dict_free(d);
}

static void test_unknown_keys_are_ignored(void **state)
{
	struct hs_dict *d = NULL;

	assert_int_equal(hs_dict_load(DATA "good-unknown-keys.json", &d), 0);
	assert_int_equal(d->n_domains, 2);
	hs_dict_free(d);
}

/* Validity as Unix seconds; unbounded when not given. */
static void test_validity(void **state)
{
	static const struct { const char *s; long long t; } times[] = {
		{ "1970-01-01T00:00:00Z", 0 }, { "2019-11-15T00:00:00Z", 1573776000 },
		{ "2019-11-15t01:00:00.250+01:00", 1573776000 }, { "2019-11-14T19:00:00-05:00", 1573776000 },
		{ "2016-12-31T23:59:60Z", 1483228799 }, { "2000-02-29T00:00:00Z", 951782400 },
		{ "0000-01-01T00:00:00Z", -62167219200LL }, { "9999-12-31T23:59:59Z", 253402300799LL },
	};
	static const char *const bad[] = {
		"2019-11-15", "2019-11-15T00:00:00", "2019-13-01T00:00:00Z", "2019-11-31T00:00:00Z",
		"1900-02-29T00:00:00Z", "2019-11-15T24:00:00Z", "2019-11-15T00:00:00.Z",
		"2019-11-15T00:00:00+1:00", "2019-11-15T00:00:00Z ", "+2019-11-15T00:00:00Z", "",
	};
	struct hs_dict *d = NULL;
	long long t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(times); i++)
		if (hs_parse_time(times[i].s, &t) || t != times[i].t)
			fail_msg("%s: not %lld", times[i].s, times[i].t);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (hs_parse_time(bad[i], &t) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	assert_int_equal(hs_dict_load(DATA "good-minimal.json", &d), 0);
	assert_true(d->valid_from_s == LLONG_MIN && d->valid_until_s == LLONG_MAX);
	hs_dict_free(d);
	if (access(fixture(FIXTURE_DICT), R_OK))
		return;
	assert_int_equal(hs_dict_load(fixture(FIXTURE_DICT), &d), 0);
	assert_true(d->valid_from_s == 1573776000 && d->valid_until_s == 1573776000 + 86400);
	hs_dict_free(d);
}

/* The whole __u64, not json-c's signed getter clamped at INT64_MAX. */
static void test_active_max(void **state)
{
	struct hs_dict *d = NULL;

	assert_int_equal(hs_dict_load(DATA "good-active-max.json", &d), 0);
	assert_true(d->classes[0].active_packets_per_hour == UINT64_MAX);
	assert_true(d->classes[1].active_packets_per_hour == HS_DEFAULT_ACTIVE_PPH);
	assert_true(d->classes[0].threshold == HS_DEFAULT_THRESHOLD);
	hs_dict_free(d);
}

/* Refused by its size before anything is read (a sparse file: no disk). */
static void test_too_large(void **state)
{
	char path[64], want[200];
	struct hs_dict *d = (void *)0x1;
	struct capture c;
	int fd, err;

	write_tmp(path, sizeof(path), "");
	fd = open(path, O_WRONLY);
	assert_int_equal(ftruncate(fd, HS_DICT_MAX_BYTES + 1), 0);
	close(fd);
	capture_start(&c);
	err = hs_dict_load(path, &d);
	capture_end(&c);
	unlink(path);
	assert_int_equal(err, -EFBIG);
	assert_ptr_equal(d, (void *)0x1);
	snprintf(want, sizeof(want), "haystack: %s: too large (limit %lu bytes)\n", path,
		 (unsigned long)HS_DICT_MAX_BYTES);
	assert_string_equal(c.text, want);
}

/* Evidence names a domain by 16 bits: a dictionary of more domains is
 * refused with one line, one of exactly HS_DICT_MAX_DOMAINS is read. */
static void test_too_many_domains(void **state)
{
	for (int extra = 0; extra < 2; extra++) {
		int n = HS_DICT_MAX_DOMAINS + extra;
		size_t cap = (size_t)n * 96 + 512, off = 0;
		char *text = malloc(cap), path[64], want[200];
		struct hs_dict *d = NULL;
		struct capture c;
		int err;

		assert_non_null(text);
		off += snprintf(text + off, cap - off,
				"{\"format\":\"haystack-dictionary/1\",\"valid_from\":\"2019-11-15T00:00:00Z\","
				"\"valid_until\":\"2019-11-16T00:00:00Z\",\"classes\":[{\"name\":\"a\",\"title\":\"A\","
				"\"level\":\"platform\",\"parent\":null}],\"domains\":[");
		for (int i = 0; i < n; i++)
			off += snprintf(text + off, cap - off,
					"%s{\"name\":\"d%d.test\",\"classes\":[\"a\"],\"role\":\"primary\",\"prefixes\":[\"10.%d.%d.0/24\"]}",
					i ? "," : "", i, i >> 8, i & 0xff);
		snprintf(text + off, cap - off, "]}");
		write_tmp(path, sizeof(path), text);
		free(text);
		capture_start(&c);
		err = hs_dict_load(path, &d);
		capture_end(&c);
		unlink(path);
		if (!extra) {
			assert_int_equal(err, 0);
			assert_int_equal(d->n_domains, HS_DICT_MAX_DOMAINS);
			hs_dict_free(d);
			continue;
		}
		assert_int_equal(err, -EINVAL);
		snprintf(want, sizeof(want), "haystack: %s: %d domains: more than %d in one dictionary\n",
			 path, n, HS_DICT_MAX_DOMAINS);
		assert_string_equal(c.text, want);
	}
}

/* path refused as bad input: -EINVAL, *out untouched, one line in c. */
static void refused_once(const char *path, struct capture *c)
{
	struct hs_dict *d = (void *)0x1;
	int err;

	capture_start(c);
	err = hs_dict_load(path, &d);
	capture_end(c);
	assert_int_equal(err, -EINVAL);
	assert_ptr_equal(d, (void *)0x1);
	assert_int_equal(count_lines(c->text), 1);
}

/* A large dictionary, its domains read in two parts at once without a tree
 * of the whole text (hs_json_split_parse): what the whole text says, and a
 * problem in either part named as reading it whole names it, once. */
static char *large_dict(int n, int bad)
{
	size_t cap = (size_t)n * 160 + 1024, off = 0;
	char *text = malloc(cap);

	assert_non_null(text);
	off += snprintf(text + off, cap - off,
			"{\"format\":\"haystack-dictionary/1\",\"valid_from\":\"2019-11-15T00:00:00Z\","
			"\"valid_until\":\"2019-11-16T00:00:00Z\",\"classes\":[{\"name\":\"a\",\"title\":\"A\","
			"\"level\":\"platform\",\"parent\":null,\"threshold\":0.5,\"active_packets_per_hour\":10},"
			"{\"name\":\"b\",\"title\":\"B\",\"level\":\"product\",\"parent\":\"a\",\"threshold\":0.25,"
			"\"active_packets_per_hour\":3}],\"domains\":[");
	for (int i = 0; i < n; i++)
		off += snprintf(text + off, cap - off,
				"%s\n {\"name\":\"d%d.test\",\"classes\":[\"%s\"],\"role\":\"%s\",\"ports\":[%s],"
				"\"prefixes\":[\"10.%d.%d.0/24\",\"2001:db8:%x::/48\"%s]}",
				i ? "," : "", i, i % 3 ? "a" : "b", i % 2 ? "support" : "primary",
				i % 4 ? "\"tcp/443\"" : "", i >> 8, i & 0xff, 0x1000 + i, i == bad ? ",\"10.0.0.1/8\"" : "");
	snprintf(text + off, cap - off, "],\"excluded\":[{\"name\":\"x.test\",\"classes\":[\"a\"],\"reason\":\"shared\"}]}\n");
	return text;
}

static void test_large_read_in_parts(void **state)
{
	const int n = 20000;
	struct json_object *whole, *read;
	struct hs_dict *d = NULL;
	char *text = large_dict(n, -1), path[64], want[256];
	struct capture c;

	assert_true(strlen(text) > (1U << 20));	/* the parts in two threads */
	write_tmp(path, sizeof(path), text);
	assert_int_equal(hs_dict_load(path, &d), 0);
	unlink(path);
	whole = json_tokener_parse(text);
	read = hs_dict_to_json(d);
	assert_true(json_object_equal(whole, read));
	assert_int_equal(d->classes[0].n_monitored, n - n / 3 - 1);
	assert_int_equal(d->classes[1].n_monitored, n / 3 + 1);
	json_object_put(whole);
	json_object_put(read);
	hs_dict_free(d);
	free(text);

	/* a problem in the first part, in the second, and in both: the
	 * first in the file named (here a JSON error before d(n-7)) */
	for (int k = 0; k < 3; k++) {
		int bad = k ? n - 7 : 7;

		text = large_dict(n, bad);
		if (k == 2)
			*strstr(text, "\"d13.test\"") = ' ';
		write_tmp(path, sizeof(path), text);
		free(text);
		refused_once(path, &c);
		if (k < 2)
			snprintf(want, sizeof(want), "haystack: %s: domains[%d] 'd%d.test': bad prefix '10.0.0.1/8' (",
				 path, bad, bad);
		else
			snprintf(want, sizeof(want), "haystack: %s: line ", path);
		unlink(path);
		assert_memory_equal(c.text, want, strlen(want));
	}
}

static void test_directory(void **state)
{
	struct hs_dict *d = (void *)0x1;
	struct capture c;

	capture_start(&c);
	assert_int_equal(hs_dict_load("/tmp", &d), -EISDIR);
	capture_end(&c);
	assert_ptr_equal(d, (void *)0x1);
	assert_string_equal(c.text, "haystack: cannot read /tmp: Is a directory\n");
}

/* The file is read once: its hash is of the bytes the loader parsed, the
 * value the agent pins as haystack_config.dict_hash. */
static void test_file_hash(void **state)
{
	struct hs_dict *d = NULL;
	__u64 h = HS_FNV1A64_INIT;
	unsigned char buf[4096];
	size_t n;
	FILE *f;

	assert_int_equal(hs_dict_load(DATA "good-minimal.json", &d), 0);
	f = fopen(DATA "good-minimal.json", "rb");
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		h = hs_fnv1a64(h, buf, n);
	fclose(f);
	assert_true(d->file_hash == h);
	hs_dict_free(d);
}

/* What dict/writer.c writes loads back to what was written. */
static void test_writer_round_trip(void **state)
{
	struct json_object *a, *b;
	struct hs_dict *d = NULL, *again = NULL;
	char path[64];

	if (access(fixture(FIXTURE_DICT), R_OK))
		skip();
	assert_int_equal(hs_dict_load(fixture(FIXTURE_DICT), &d), 0);
	a = hs_dict_to_json(d);
	write_tmp(path, sizeof(path), json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY));
	assert_int_equal(hs_dict_load(path, &again), 0);
	unlink(path);
	b = hs_dict_to_json(again);
	assert_string_equal(json_object_to_json_string(a), json_object_to_json_string(b));
	assert_int_equal(again->n_domains, d->n_domains);
	assert_int_equal(again->n_excluded, d->n_excluded);
	json_object_put(a);
	json_object_put(b);
	hs_dict_free(again);
	hs_dict_free(d);
}

static void test_level_names(void **state)
{
	assert_string_equal(hs_level_name(HS_LEVEL_PLATFORM), "platform");
	assert_string_equal(hs_level_name(HS_LEVEL_MANUFACTURER), "manufacturer");
	assert_string_equal(hs_level_name(HS_LEVEL_PRODUCT), "product");
	assert_string_equal(hs_level_name((enum hs_level)42), "?");
}

static void test_missing_file(void **state)
{
	struct hs_dict *d = (void *)0x1;
	struct capture c;
	int err;

	capture_start(&c);
	err = hs_dict_load(DATA "no-such-file.json", &d);
	capture_end(&c);
	assert_int_equal(err, -ENOENT);
	assert_ptr_equal(d, (void *)0x1);
	assert_string_equal(c.text, "haystack: cannot read " DATA "no-such-file.json: "
				    "No such file or directory\n");
}

/* Each bad dictionary: -EINVAL, *out untouched, and exactly one line on
 * stderr naming the file and the problem. */
struct bad_case {
	const char *file;
	const char *message;	/* expected after "haystack: PATH: " */
};

static const struct bad_case bad_cases[] = {
	{ "bad-format.json", "format 'haystack-dictionary/2' is not 'haystack-dictionary/1'" },
	{ "bad-missing-format.json", "missing format" },
	{ "bad-not-object.json", "not a JSON object" },
	{ "bad-broken-json.json", "line 6, column 4: invalid JSON: " },
	{ "bad-truncated-json.json", "invalid JSON: unexpected end of file" },
	{ "bad-trailing-data.json", "line 2, column 1: invalid JSON" },
	{ "bad-prefix.json", "domains[1] 'cam.hub.example': bad prefix '10.0.0.1/8'" },
	{ "bad-prefix-junk.json", "domains[1] 'cam.hub.example': bad prefix '2001:db8:1::/48 x'" },
	{ "bad-prefix-type.json", "domains[1] 'cam.hub.example': bad prefix '42'" },
	{ "bad-v6-covers-v4.json", "domains[0] 'api.hub.example': bad prefix '::/0' "
				   "(a /0 covers a whole address family)" },
	{ "bad-v4-slash-zero.json", "domains[0] 'api.hub.example': bad prefix '0.0.0.0/0' "
				    "(a /0 covers a whole address family)" },
	{ "bad-v4-as-v6-slash-zero.json", "bad prefix '::ffff:0:0/96' (a /0 covers a whole address family)" },
	/* a second "domains": [] would have emptied the dictionary */
	{ "bad-duplicate-key.json", "line 47, column 2: duplicate key 'domains'" },
	{ "bad-duplicate-key-nested.json", "line 8, column 4: duplicate key 'level'" },
	{ "bad-active-huge.json", "number 18446744073709551616 is out of range" },
	{ "bad-threshold-nan.json", "not a JSON value (NaN and Infinity are not JSON)" },
	{ "bad-threshold-inf.json", "number 1e400 is out of range" },
	{ "bad-valid-from.json", "valid_from '2019-11-15 00:00:00' is not an RFC 3339 time" },
	{ "bad-valid-until-day.json", "valid_until '2019-02-29T00:00:00Z' is not an RFC 3339 time" },
	{ "bad-valid-order.json", "valid_until 2019-11-16T00:00:00+00:00 is not after valid_from "
				  "2019-11-16T00:00:00Z" },
	{ "bad-empty-prefixes.json", "domains[0] 'api.hub.example': prefixes is empty" },
	{ "bad-missing-prefixes.json", "domains[0] 'api.hub.example': missing prefixes" },
	{ "bad-port.json", "domains[1] 'cam.hub.example': bad port 'udp/0'" },
	{ "bad-port-range.json", "bad port 'tcp/65536'" },
	{ "bad-port-proto.json", "bad port 'icmp/8'" },
	{ "bad-port-junk.json", "bad port 'tcp/443 '" },
	{ "bad-ports-type.json", "domains[1] 'cam.hub.example': ports is not an array" },
	{ "bad-unknown-parent.json", "classes[1] 'cam': unknown parent 'hubb'" },
	{ "bad-duplicate-class.json", "classes[2]: duplicate class 'hub' (also classes[0])" },
	{ "bad-class-cycle.json", "class cycle through 'hub'" },
	{ "bad-class-self-parent.json", "classes[0]: class cycle through 'hub'" },
	{ "bad-duplicate-domain.json", "domains[2]: duplicate domain 'api.hub.example' (also domains[0])" },
	{ "bad-level.json", "classes[1] 'cam': bad level 'device'" },
	{ "bad-missing-level.json", "classes[0] 'hub': missing level" },
	{ "bad-threshold-zero.json", "classes[0] 'hub': threshold 0 is not in (0, 1]" },
	{ "bad-threshold-high.json", "classes[0] 'hub': threshold 1.5 is not in (0, 1]" },
	{ "bad-threshold-string.json", "classes[0] 'hub': threshold is not a number" },
	{ "bad-active-negative.json", "active_packets_per_hour is not an integer 0..18446744073709551615" },
	{ "bad-active-fraction.json", "active_packets_per_hour is not an integer 0..18446744073709551615" },
	{ "bad-empty-class-name.json", "classes[0]: name is not a non-empty string" },
	{ "bad-classes-type.json", "classes is not an array" },
	{ "bad-missing-domains.json", "missing domains" },
	{ "bad-domain-unknown-class.json", "domains[0] 'api.hub.example': unknown class 'lamp'" },
	{ "bad-domain-no-classes.json", "domains[0] 'api.hub.example': classes is empty" },
	{ "bad-domain-class-twice.json", "class 'hub' listed twice" },
	{ "bad-missing-role.json", "domains[1] 'cam.hub.example': missing role" },
	{ "bad-role.json", "bad role 'secondary'" },
	{ "bad-excluded-unknown-class.json", "excluded[0] 'cdn.example.net': unknown class 'tv'" },
};

static void test_bad_dictionary(void **state)
{
	const struct bad_case *bc = *state;
	char path[256], head[300];
	struct capture c;

	snprintf(path, sizeof(path), DATA "%s", bc->file);
	refused_once(path, &c);
	snprintf(head, sizeof(head), "haystack: %s: ", path);
	if (strncmp(c.text, head, strlen(head)) || !strstr(c.text, bc->message))
		fail_msg("got \"%s\", want \"%s%s\"", c.text, head, bc->message);
}

/* A name holding a newline must not forge a second diagnostic line. */
static void test_error_stays_one_line(void **state)
{
	static const char json[] =
		"{\"format\":\"haystack-dictionary/1\",\"classes\":[{\"name\":\"a\\nhaystack: forged\","
		"\"level\":\"x\"}],\"domains\":[]}";
	struct hs_dict *d = NULL;
	struct capture c;
	char path[64];
	int err;

	write_tmp(path, sizeof(path), json);
	capture_start(&c);
	err = hs_dict_load(path, &d);
	capture_end(&c);
	unlink(path);
	assert_int_equal(err, -EINVAL);
	assert_int_equal(count_lines(c.text), 1);
	assert_non_null(strstr(c.text, "'a\\x0ahaystack: forged': bad level 'x'"));
}

/* ---- compiling ---- */

static void test_compile_fixture(void **state)
{
	struct hs_compiled c, again;
	struct hs_dict *d = NULL;
	char buf[512];
	size_t i;

	if (access(fixture(FIXTURE_DICT), R_OK))
		skip();
	assert_int_equal(hs_dict_load(fixture(FIXTURE_DICT), &d), 0);
	assert_int_equal(hs_dict_compile(d, &c), 0);
	/* 119 prefixes listed, two of them by two domains each */
	assert_int_equal(c.n_endpoints, 117);
	assert_string_equal(rules_at(d, &c, "185.216.228.69/32", buf, sizeof(buf)),
			    "device-metrics-us.amazon.com:6/443 atv-ps-eu.amazon.com:6/443");
	assert_string_equal(rules_at(d, &c, "2001:db8:14::/48", buf, sizeof(buf)),
			    "device-metrics-us.amazon.com:6/443 atv-ps-eu.amazon.com:6/443");
	assert_string_equal(rules_at(d, &c, "52.34.199.111/32", buf, sizeof(buf)),
			    "msh.amazon.co.uk:0/0");
	for (i = 0; i < c.n_endpoints; i++)
		assert_true(c.endpoints[i].ruleset < c.n_rulesets);

	/* same dictionary, same tables, byte for byte */
	assert_int_equal(hs_dict_compile(d, &again), 0);
	assert_int_equal(again.n_endpoints, c.n_endpoints);
	assert_int_equal(again.n_rulesets, c.n_rulesets);
	assert_memory_equal(again.endpoints, c.endpoints, c.n_endpoints * sizeof(*c.endpoints));
	assert_memory_equal(again.rulesets, c.rulesets, c.n_rulesets * sizeof(*c.rulesets));
	hs_compiled_free(&again);
	hs_compiled_free(&c);
	hs_dict_free(d);
}

static void test_compile_overlap_inherits(void **state)
{
	static const struct tdom doms[] = {
		{ "a", { "tcp/443" }, { "198.51.100.0/24" } },
		{ "b", { "udp/123" }, { "198.51.100.7/32" } },
	};
	struct hs_dict *d = tdict(doms, ARRAY_SIZE(doms));
	struct hs_compiled c;
	char buf[256];

	assert_int_equal(hs_dict_compile(d, &c), 0);
	assert_int_equal(c.n_endpoints, 2);
	/* the /32 is the longest match for .7: it must carry a's rule too */
	assert_string_equal(rules_at(d, &c, "198.51.100.7/32", buf, sizeof(buf)), "a:6/443 b:17/123");
	assert_string_equal(rules_at(d, &c, "198.51.100.0/24", buf, sizeof(buf)), "a:6/443");
	hs_compiled_free(&c);
	hs_dict_free(d);
}

static void test_compile_identical_prefixes_merge(void **state)
{
	static const struct tdom doms[] = {
		{ "b", { "tcp/443" }, { "192.0.2.1/32" } },
		{ "a", { "tcp/443" }, { "192.0.2.1", "192.0.2.1/32" } },
	};
	struct hs_dict *d = tdict(doms, ARRAY_SIZE(doms));
	struct hs_compiled c;
	char buf[256];

	assert_int_equal(hs_dict_compile(d, &c), 0);
	assert_int_equal(c.n_endpoints, 1);
	assert_int_equal(c.n_rulesets, 1);
	/* rules by domain index (dictionary order), each once */
	assert_string_equal(rules_at(d, &c, "192.0.2.1/32", buf, sizeof(buf)), "b:6/443 a:6/443");
	hs_compiled_free(&c);
	hs_dict_free(d);
}

static void test_compile_portless_rule(void **state)
{
	static const struct tdom doms[] = {
		{ "any", { NULL }, { "192.0.2.0/24" } },
		{ "web", { "tcp/443", "tcp/80" }, { "192.0.2.0/24" } },
	};
	struct hs_dict *d = tdict(doms, ARRAY_SIZE(doms));
	const struct endpoint_ruleset *rs;
	struct hs_compiled c;
	char buf[256];

	assert_int_equal(hs_dict_compile(d, &c), 0);
	assert_string_equal(rules_at(d, &c, "192.0.2.0/24", buf, sizeof(buf)),
			    "any:0/0 web:6/80 web:6/443");
	rs = &c.rulesets[c.endpoints[0].ruleset];
	assert_int_equal(rs->count, 3);
	/* unused slots zeroed: the array goes to the kernel as it is */
	assert_int_equal(rs->rule[3].domain, 0);
	assert_int_equal(rs->rule[HAYSTACK_MAX_RULES - 1].port, 0);
	hs_compiled_free(&c);
	hs_dict_free(d);
}

static void test_compile_rules_sorted_and_deduplicated(void **state)
{
	static const struct tdom doms[] = {
		{ "x", { "udp/123", "tcp/443", "tcp/80", "tcp/443", "sctp/9" },
		  { "10.0.0.0/8", "10.1.2.3/32" } },
	};
	struct hs_dict *d = tdict(doms, ARRAY_SIZE(doms));
	struct hs_compiled c;
	char buf[256];

	assert_int_equal(hs_dict_compile(d, &c), 0);
	/* the /32 inherits x's rules from the /8: still one copy each */
	assert_string_equal(rules_at(d, &c, "10.1.2.3/32", buf, sizeof(buf)),
			    "x:6/80 x:6/443 x:17/123 x:132/9");
	assert_int_equal(c.n_rulesets, 1);
	hs_compiled_free(&c);
	hs_dict_free(d);
}

static void test_compile_shares_rulesets(void **state)
{
	static const struct tdom doms[] = {
		{ "a", { "tcp/443" }, { "192.0.2.1", "192.0.2.9", "2001:db8::1" } },
		{ "b", { "tcp/443" }, { "192.0.2.5", "198.51.100.0/24" } },
	};
	struct hs_dict *d = tdict(doms, ARRAY_SIZE(doms));
	struct hs_compiled c;

	assert_int_equal(hs_dict_compile(d, &c), 0);
	assert_int_equal(c.n_endpoints, 5);
	assert_int_equal(c.n_rulesets, 2);
	assert_int_equal(endpoint(&c, "192.0.2.1")->ruleset, endpoint(&c, "2001:db8::1")->ruleset);
	assert_int_equal(endpoint(&c, "192.0.2.9")->ruleset, endpoint(&c, "192.0.2.1")->ruleset);
	assert_int_equal(endpoint(&c, "192.0.2.5")->ruleset, endpoint(&c, "198.51.100.0/24")->ruleset);
	assert_int_not_equal(endpoint(&c, "192.0.2.5")->ruleset, endpoint(&c, "192.0.2.1")->ruleset);
	hs_compiled_free(&c);
	hs_dict_free(d);
}

static void test_compile_nested_and_sibling_prefixes(void **state)
{
	static const struct tdom doms[] = {
		{ "a", { NULL }, { "10.0.0.0/8" } },
		{ "b", { NULL }, { "10.1.0.0/16" } },
		{ "c", { NULL }, { "10.1.2.0/24" } },
		{ "d", { NULL }, { "10.2.0.0/16" } },
		{ "e", { NULL }, { "11.0.0.0/8" } },
		{ "f", { NULL }, { "10.1.2.3" } },
	};
	struct hs_dict *d = tdict(doms, ARRAY_SIZE(doms));
	struct hs_compiled c;
	char buf[256];

	assert_int_equal(hs_dict_compile(d, &c), 0);
	assert_string_equal(rules_at(d, &c, "10.1.2.3", buf, sizeof(buf)), "a:0/0 b:0/0 c:0/0 f:0/0");
	assert_string_equal(rules_at(d, &c, "10.1.2.0/24", buf, sizeof(buf)), "a:0/0 b:0/0 c:0/0");
	/* after leaving 10.1/16 its rules must not leak into the sibling */
	assert_string_equal(rules_at(d, &c, "10.2.0.0/16", buf, sizeof(buf)), "a:0/0 d:0/0");
	assert_string_equal(rules_at(d, &c, "11.0.0.0/8", buf, sizeof(buf)), "e:0/0");
	hs_compiled_free(&c);
	hs_dict_free(d);
}

static void test_compile_ipv6_overlap(void **state)
{
	static const struct tdom doms[] = {
		{ "a", { "tcp/443" }, { "2001:db8::/32" } },
		{ "b", { "tcp/443" }, { "2001:db8:5::/48" } },
		{ "c", { "udp/443" }, { "2001:db8:5:1::/64" } },
		{ "d", { "tcp/443" }, { "2001:db9::/32" } },
	};
	struct hs_dict *d = tdict(doms, ARRAY_SIZE(doms));
	struct hs_compiled c;
	char buf[256];

	assert_int_equal(hs_dict_compile(d, &c), 0);
	assert_string_equal(rules_at(d, &c, "2001:db8:5:1::/64", buf, sizeof(buf)),
			    "a:6/443 b:6/443 c:17/443");
	assert_string_equal(rules_at(d, &c, "2001:db8:5::/48", buf, sizeof(buf)), "a:6/443 b:6/443");
	assert_string_equal(rules_at(d, &c, "2001:db9::/32", buf, sizeof(buf)), "d:6/443");
	hs_compiled_free(&c);
	hs_dict_free(d);
}

static void test_compile_families_never_mix(void **state)
{
	static const struct tdom doms[] = {
		{ "v4all", { NULL }, { "0.0.0.0/1" } },
		{ "v6", { NULL }, { "2001:db8::/32" } },
		{ "compat", { NULL }, { "::/96" } },
		{ "host", { NULL }, { "10.0.2.1" } },
	};
	struct hs_dict *d = tdict(doms, ARRAY_SIZE(doms));
	struct hs_compiled c;
	char buf[256];

	assert_int_equal(hs_dict_compile(d, &c), 0);
	assert_int_equal(endpoint(&c, "0.0.0.0/1")->key.prefixlen, 97);
	assert_string_equal(rules_at(d, &c, "0.0.0.0/1", buf, sizeof(buf)), "v4all:0/0");
	assert_string_equal(rules_at(d, &c, "10.0.2.1", buf, sizeof(buf)), "v4all:0/0 host:0/0");
	assert_string_equal(rules_at(d, &c, "2001:db8::/32", buf, sizeof(buf)), "v6:0/0");
	assert_string_equal(rules_at(d, &c, "::/96", buf, sizeof(buf)), "compat:0/0");
	hs_compiled_free(&c);
	hs_dict_free(d);
}

static void test_compile_sixteen_rules_fit(void **state)
{
	struct tdom doms[HAYSTACK_MAX_RULES];
	char names[HAYSTACK_MAX_RULES][16];
	struct hs_compiled c;
	struct hs_dict *d;
	int i;

	/* 8 at the /24, 8 more at a /32 inside: exactly the limit */
	for (i = 0; i < HAYSTACK_MAX_RULES; i++) {
		snprintf(names[i], sizeof(names[i]), "d%02d", i);
		doms[i] = (struct tdom){ names[i], { "tcp/443" },
					 { i < 8 ? "192.0.2.0/24" : "192.0.2.1" } };
	}
	d = tdict(doms, ARRAY_SIZE(doms));
	assert_int_equal(hs_dict_compile(d, &c), 0);
	assert_int_equal(c.rulesets[endpoint(&c, "192.0.2.1")->ruleset].count, HAYSTACK_MAX_RULES);
	hs_compiled_free(&c);
	hs_dict_free(d);
}

static void check_too_many(const struct tdom *doms, int n, const char *message)
{
	struct hs_dict *d = tdict(doms, n);
	struct hs_compiled c;
	struct capture cap;
	int err;

	memset(&c, 0xa5, sizeof(c));
	capture_start(&cap);
	err = hs_dict_compile(d, &c);
	capture_end(&cap);
	hs_dict_free(d);
	assert_int_equal(err, -E2BIG);
	/* nothing half-built is handed out */
	assert_null(c.endpoints);
	assert_null(c.rulesets);
	assert_int_equal(count_lines(cap.text), 1);
	if (!strstr(cap.text, message))
		fail_msg("got \"%s\", want \"%s\"", cap.text, message);
}

static void test_compile_too_many_rules_at_one_prefix(void **state)
{
	struct tdom doms[HAYSTACK_MAX_RULES + 1];
	char names[HAYSTACK_MAX_RULES + 1][16];
	int i;

	for (i = 0; i <= HAYSTACK_MAX_RULES; i++) {
		snprintf(names[i], sizeof(names[i]), "d%02d", i);
		doms[i] = (struct tdom){ names[i], { "tcp/443" }, { "192.0.2.1/32" } };
	}
	check_too_many(doms, ARRAY_SIZE(doms),
		       "prefix 192.0.2.1/32 needs 17 rules, at most 16 fit (domains d00, d01, d02");
}

static void test_compile_too_many_rules_inherited(void **state)
{
	struct tdom doms[HAYSTACK_MAX_RULES + 1];
	char names[HAYSTACK_MAX_RULES + 1][16];
	int i;

	/* each prefix alone is fine; the /32 needs the /24's rules too */
	for (i = 0; i <= HAYSTACK_MAX_RULES; i++) {
		snprintf(names[i], sizeof(names[i]), "d%02d", i);
		doms[i] = (struct tdom){ names[i], { "tcp/443" },
					 { i < 9 ? "2001:db8::/32" : "2001:db8::1" } };
	}
	check_too_many(doms, ARRAY_SIZE(doms), "prefix 2001:db8::1/128 needs 17 rules, at most 16 fit");
}

static void test_compile_too_many_ports_one_domain(void **state)
{
	static const struct tdom doms[] = {
		{ "ports.example", { "tcp/1", "tcp/2", "tcp/3", "tcp/4", "tcp/5", "tcp/6", "tcp/7",
				     "tcp/8", "tcp/9", "tcp/10", "tcp/11", "tcp/12", "tcp/13",
				     "tcp/14", "tcp/15", "tcp/16", "tcp/17" },
		  { "198.51.100.0/24" } },
	};

	check_too_many(doms, ARRAY_SIZE(doms),
		       "prefix 198.51.100.0/24 needs 17 rules, at most 16 fit (domains ports.example)");
}

static void test_compile_empty_dictionary(void **state)
{
	struct hs_dict *d = tdict(NULL, 0);
	struct hs_compiled c;

	assert_int_equal(hs_dict_compile(d, &c), 0);
	assert_int_equal(c.n_endpoints, 0);
	assert_int_equal(c.n_rulesets, 0);
	hs_compiled_free(&c);
	hs_dict_free(d);
}

/*
 * Random dictionaries built in memory, checked against the definition: an
 * endpoint per distinct prefix, in order, carrying exactly the rules of every
 * dictionary prefix containing it, and no two rule sets alike.
 */
static __u64 rng_state = 0x9e3779b97f4a7c15ULL;

static __u32 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (__u32)(rng_state >> 16);
}

static struct hs_dict *random_dict(int n_domains, int per_domain, bool v6)
{
	/* mostly hosts, some nets: enough nesting, rarely more than 16 rules */
	static const unsigned int lens[] = { 20, 24, 24, 28, 28, 32, 32, 32, 32, 32, 32, 32, 32, 32 };
	struct hs_dict *d = calloc(1, sizeof(*d));
	int i, k, b;

	assert_non_null(d);
	d->path = strdup("random");
	d->n_domains = n_domains;
	d->domains = calloc((size_t)n_domains, sizeof(*d->domains));
	for (i = 0; i < n_domains; i++) {
		struct hs_domain *dm = &d->domains[i];

		assert_true(asprintf(&dm->name, "d%d", i) > 0);
		dm->n_ports = (int)(rnd() % 3);
		dm->ports = calloc(3, sizeof(*dm->ports));
		for (k = 0; k < dm->n_ports; k++)
			dm->ports[k] = (struct hs_port){ rnd() % 2 ? IPPROTO_TCP : IPPROTO_UDP,
							 (__u16)(1 + rnd() % 3) };
		dm->n_prefixes = per_domain;
		dm->prefixes = calloc((size_t)per_domain, sizeof(*dm->prefixes));
		for (k = 0; k < per_domain; k++) {
			struct haystack_lpm_key *p = &dm->prefixes[k];
			unsigned int len = lens[rnd() % ARRAY_SIZE(lens)];
			__u32 a = 0x0a000000 | (rnd() & 0xfffff);	/* inside 10.0.0.0/12 */
			int at = 12;

			if (v6 && rnd() % 2) {	/* the same shape under 2001:db8::/32 */
				p->addr[0] = 0x20;
				p->addr[1] = 0x01;
				p->addr[2] = 0x0d;
				p->addr[3] = 0xb8;
				at = 4;
				p->prefixlen = 32 + len;
			} else {
				p->addr[10] = p->addr[11] = 0xff;
				p->prefixlen = 96 + len;
			}
			p->addr[at] = (__u8)(a >> 24);
			p->addr[at + 1] = (__u8)(a >> 16);
			p->addr[at + 2] = (__u8)(a >> 8);
			p->addr[at + 3] = (__u8)a;
			for (b = (int)p->prefixlen; b < 128; b++)
				p->addr[b / 8] &= (__u8)~(0x80 >> (b % 8));
		}
	}
	return d;
}

static void test_compile_matches_definition(void **state)
{
	struct endpoint_rule want[1024];
	struct hs_dict *d;
	struct hs_compiled c;
	size_t i, j, n;
	int dom, p, k, round, m;

	for (round = 0; round < 20; round++) {
		d = random_dict(400, 3, round % 2);
		assert_int_equal(hs_dict_compile(d, &c), 0);
		for (i = 0; i < c.n_endpoints; i++) {
			const struct hs_endpoint *e = &c.endpoints[i];
			const struct endpoint_ruleset *rs = &c.rulesets[e->ruleset];
			bool listed = false;

			if (i)	/* strictly ascending: address, then length */
				assert_true(memcmp(c.endpoints[i - 1].key.addr, e->key.addr, 16) < 0 ||
					    (!memcmp(c.endpoints[i - 1].key.addr, e->key.addr, 16) &&
					     c.endpoints[i - 1].key.prefixlen < e->key.prefixlen));
			n = 0;
			for (dom = 0; dom < d->n_domains; dom++) {
				const struct hs_domain *dm = &d->domains[dom];

				for (p = 0; p < dm->n_prefixes; p++) {
					if (!memcmp(&dm->prefixes[p], &e->key, sizeof(e->key)))
						listed = true;
					if (!hs_prefix_contains(&dm->prefixes[p], &e->key))
						continue;
					if (!dm->n_ports)
						want[n++] = (struct endpoint_rule){ .domain = (__u32)dom };
					for (k = 0; k < dm->n_ports; k++)
						want[n++] = (struct endpoint_rule){
							.domain = (__u32)dom,
							.port = dm->ports[k].port,
							.proto = dm->ports[k].proto };
					assert_true(n < ARRAY_SIZE(want) - 3);
				}
			}
			assert_true(listed);
			qsort(want, n, sizeof(want[0]), hs_rule_cmp);
			for (j = 1, m = n ? 1 : 0; j < n; j++)
				if (hs_rule_cmp(&want[j], &want[m - 1]))
					want[m++] = want[j];
			assert_int_equal(rs->count, m);
			assert_memory_equal(rs->rule, want, (size_t)m * sizeof(want[0]));
		}
		/* every listed prefix has its endpoint */
		for (dom = 0, n = 0; dom < d->n_domains; dom++)
			for (p = 0; p < d->domains[dom].n_prefixes; p++)
				for (i = 0; i < c.n_endpoints; i++)
					if (!memcmp(&c.endpoints[i].key, &d->domains[dom].prefixes[p],
						    sizeof(c.endpoints[i].key))) {
						n++;
						break;
					}
		assert_int_equal(n, (size_t)d->n_domains * 3);
		for (i = 0; i < c.n_rulesets; i++)
			for (j = i + 1; j < c.n_rulesets; j++)
				assert_memory_not_equal(&c.rulesets[i], &c.rulesets[j], sizeof(c.rulesets[i]));
		hs_compiled_free(&c);
		hs_dict_free(d);
	}
}

/* A dictionary may hold a million prefixes: compiling must stay n log n. */
static void test_compile_million_prefixes(void **state)
{
	struct hs_dict *d = calloc(1, sizeof(*d));
	const int n_domains = 100000, per = 10;
	struct hs_compiled c;
	int i, k;

	assert_non_null(d);
	d->path = strdup("million");
	d->n_domains = n_domains;
	d->domains = calloc((size_t)n_domains, sizeof(*d->domains));
	for (i = 0; i < n_domains; i++) {
		struct hs_domain *dm = &d->domains[i];

		assert_true(asprintf(&dm->name, "d%d", i) > 0);
		dm->n_prefixes = per;
		dm->prefixes = calloc((size_t)per, sizeof(*dm->prefixes));
		dm->n_ports = 1;
		dm->ports = calloc(1, sizeof(*dm->ports));
		dm->ports[0] = (struct hs_port){ IPPROTO_TCP, 443 };
		for (k = 0; k < per; k++) {
			__u32 a = (__u32)(i * per + k);
			struct haystack_lpm_key *p = &dm->prefixes[k];

			if (k == per - 1) {	/* one IPv6 /48 each */
				p->addr[0] = 0x20;
				p->addr[1] = 0x01;
				p->addr[2] = (__u8)(i >> 16);
				p->addr[3] = (__u8)(i >> 8);
				p->addr[4] = (__u8)i;
				p->prefixlen = 48;
			} else {	/* 10.0.0.0/8 is a /8 of domain 0 */
				p->addr[10] = p->addr[11] = 0xff;
				p->addr[12] = 10;
				p->addr[13] = (__u8)(a >> 16);
				p->addr[14] = (__u8)(a >> 8);
				p->addr[15] = (__u8)a;
				p->prefixlen = 128;
				if (i == 0 && k == 0) {
					p->addr[13] = p->addr[14] = p->addr[15] = 0;
					p->prefixlen = 104;
				}
			}
		}
	}
	assert_int_equal(hs_dict_compile(d, &c), 0);
	assert_int_equal(c.n_endpoints, (size_t)n_domains * per);
	/* {d0} for the /8 and d0's hosts; {d0, di} for di's hosts; {di} for
	 * di's /48, the IPv6 one outside the /8 */
	assert_int_equal(c.n_rulesets, 2 * (size_t)n_domains - 1);
	hs_compiled_free(&c);
	hs_dict_free(d);
}

/* The dictionary in force (DESIGN §2), as the XDP program chooses it:
 * latest valid_from <= t, the earliest before all, a later load on a tie. */
static void test_in_force(void **state)
{
	struct hs_dict a = { .valid_from_s = 1000, .valid_until_s = 2000 };
	struct hs_dict b = { .valid_from_s = 2000, .valid_until_s = 3000 };
	struct hs_dict b2 = { .valid_from_s = 2000, .valid_until_s = 3000 };
	struct hs_dict open = { .valid_from_s = LLONG_MIN, .valid_until_s = LLONG_MAX };
	struct hs_dict_set s = { .v = { { 2, &b }, { 1, &a }, { 3, &b2 } }, .n = 3 };
	struct hs_dict_set empty = { 0 };
	struct dictionary_slot slot;

	assert_ptr_equal(hs_dict_in_force(&s, 500)->dict, &a);	/* before all */
	assert_ptr_equal(hs_dict_in_force(&s, 1000)->dict, &a);
	assert_ptr_equal(hs_dict_in_force(&s, 1999)->dict, &a);
	assert_ptr_equal(hs_dict_in_force(&s, 2000)->dict, &b2);	/* the later load */
	assert_ptr_equal(hs_dict_in_force(&s, 99999)->dict, &b2);	/* stale, still it */
	assert_null(hs_dict_in_force(&empty, 0));
	assert_ptr_equal(hs_dict_of(&s, 1), &a);
	assert_null(hs_dict_of(&s, 4));
	/* open ends: from the beginning, never stale */
	slot = hs_dict_slot(&open, 7);
	assert_int_equal(slot.valid_from, 0);
	assert_true(slot.valid_until == ~0ULL);
	assert_int_equal(slot.generation, 7);
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_fixture_loads),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_unknown_keys_are_ignored),
		cmocka_unit_test(test_level_names),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_large_read_in_parts),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_in_force),
		cmocka_unit_test(test_active_max),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_too_many_domains),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_file_hash),
		cmocka_unit_test(test_writer_round_trip),
		cmocka_unit_test(test_error_stays_one_line),
		cmocka_unit_test(test_compile_fixture),
		cmocka_unit_test(test_compile_overlap_inherits),
		cmocka_unit_test(test_compile_identical_prefixes_merge),
		cmocka_unit_test(test_compile_portless_rule),
		cmocka_unit_test(test_compile_rules_sorted_and_deduplicated),
		cmocka_unit_test(test_compile_shares_rulesets),
		cmocka_unit_test(test_compile_nested_and_sibling_prefixes),
		cmocka_unit_test(test_compile_ipv6_overlap),
		cmocka_unit_test(test_compile_families_never_mix),
		cmocka_unit_test(test_compile_sixteen_rules_fit),
		cmocka_unit_test(test_compile_too_many_rules_at_one_prefix),
		cmocka_unit_test(test_compile_too_many_rules_inherited),
		cmocka_unit_test(test_compile_too_many_ports_one_domain),
		cmocka_unit_test(test_compile_empty_dictionary),
		cmocka_unit_test(test_compile_matches_definition),
		cmocka_unit_test(test_compile_million_prefixes),
	};
	struct CMUnitTest tests[ARRAY_SIZE(fixed) + ARRAY_SIZE(bad_cases)];
	char names[ARRAY_SIZE(bad_cases)][80];
	size_t i;

	/* one named test per bad dictionary, so the TAP line says which */
	memcpy(tests, fixed, sizeof(fixed));
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		snprintf(names[i], sizeof(names[i]), "test_bad_dictionary %s", bad_cases[i].file);
		tests[ARRAY_SIZE(fixed) + i] = (struct CMUnitTest){
			.name = names[i],
			.test_func = test_bad_dictionary,
			.initial_state = (void *)&bad_cases[i],
		};
	}
	return _cmocka_run_group_tests("dict", tests, ARRAY_SIZE(tests), NULL, NULL);
}
