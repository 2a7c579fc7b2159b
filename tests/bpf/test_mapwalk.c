// SPDX-License-Identifier: GPL-2.0
/*
 * The one walk over a map's entries (agent/kern/mapwalk.c) and the batch
 * delete of expired evidence, on maps made in the kernel for the test: a
 * hash map walked in batches, several of them; an LPM trie, which takes no
 * batches, walked key by key; entries deleted while the walk goes on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "haystack.h"
#include "kern/harvest.h"
#include "kern/mapwalk.h"

#define N 10000		/* more than one batch of the walk (4096) */

struct seen {
	unsigned char *hit;	/* per key, how often the walk gave it */
	int fd;			/* delete each key given, when >= 0 */
	__u64 sum;		/* of the values given */
};

static int note_u32(const void *key, const void *value, void *ctx)
{
	struct seen *s = ctx;
	__u32 k = *(const __u32 *)key;

	if (k < N)
		s->hit[k]++;
	if (value)
		s->sum += *(const __u64 *)value;
	if (s->fd >= 0)
		bpf_map_delete_elem(s->fd, key);
	return 0;
}

static int make_hash(int n)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "walk_test", sizeof(__u32), sizeof(__u64),
				N, NULL);

	assert_true(fd >= 0);
	for (__u32 k = 0; k < (__u32)n; k++) {
		__u64 v = k;

		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), 0);
	}
	return fd;
}

static void hash_every_entry_once(void **state)
{
	struct seen s = { .hit = calloc(N, 1), .fd = -1 };
	int fd = make_hash(N);

	assert_int_equal(hs_map_for_each(fd, sizeof(__u32), sizeof(__u64), note_u32, &s), 0);
	for (int k = 0; k < N; k++)
		assert_int_equal(s.hit[k], 1);
	assert_int_equal(s.sum, (__u64)N * (N - 1) / 2);
	assert_int_equal(hs_map_count(fd, sizeof(__u32)), N);
	close(fd);
	free(s.hit);
}

static void hash_deleted_while_walked(void **state)
{
	int fd = make_hash(N);
	struct seen s = { .hit = calloc(N, 1), .fd = fd };

	assert_int_equal(hs_map_for_each(fd, sizeof(__u32), 0, note_u32, &s), 0);
	for (int k = 0; k < N; k++)
		assert_int_equal(s.hit[k], 1);
	assert_int_equal(hs_map_count(fd, sizeof(__u32)), 0);
	close(fd);
	free(s.hit);
}

static int note_lpm(const void *key, const void *value, void *ctx)
{
	const struct haystack_lpm_key *k = key;
	struct seen *s = ctx;
	__u32 i = (__u32)k->addr[14] << 8 | k->addr[15];

	if (i < N)
		s->hit[i]++;
	return 0;
}

static void trie_walked_key_by_key(void **state)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	struct seen s = { .hit = calloc(N, 1), .fd = -1 };
	int fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "walk_trie", sizeof(struct haystack_lpm_key),
				sizeof(__u32), N, &o);

	assert_true(fd >= 0);
	for (__u32 i = 0; i < 5000; i++) {
		struct haystack_lpm_key k = { .prefixlen = 128 };

		k.addr[14] = i >> 8;
		k.addr[15] = i;
		assert_int_equal(bpf_map_update_elem(fd, &k, &i, BPF_NOEXIST), 0);
	}
	assert_int_equal(hs_map_for_each(fd, sizeof(struct haystack_lpm_key), sizeof(__u32),
					 note_lpm, &s), 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(s.hit[i], i < 5000);
	close(fd);
	free(s.hit);
}

/* Evidence of three hours; everything before the last goes, in batches. */
static void evidence_expired_in_batches(void **state)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "walk_ev", sizeof(struct evidence_key),
				sizeof(struct evidence_value), 3 * N, NULL);
	size_t deleted = 0;

	assert_true(fd >= 0);
	for (__u32 i = 0; i < 3 * N; i++) {
		struct evidence_key k = { .bin_start = 3600 * (1 + i % 3), .ruleset = i };
		struct evidence_value v = { .records = 1 };

		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), 0);
	}
	assert_int_equal(hs_evidence_expire(fd, 3 * 3600, &deleted), 0);
	assert_int_equal(deleted, 2 * N);
	assert_int_equal(hs_evidence_count(fd), N);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_every_entry_once),
		cmocka_unit_test(hash_deleted_while_walked),
		cmocka_unit_test(trie_walked_key_by_key),
		cmocka_unit_test(evidence_expired_in_batches),
	};

	return cmocka_run_group_tests_name("mapwalk", tests, NULL, NULL);
}
