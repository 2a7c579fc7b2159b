// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "detect/times.h"
#include "dict/schedule.h"
#include "kern/instance.h"
#include "kern/tables.h"
#include "lib/log.h"
#include "lib/timefmt.h"

#define TABLES_DIR	"tables"

static size_t table_bytes(__u32 buckets)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t bytes = ((size_t)buckets + 1) * sizeof(struct evidence_bucket);

	return (bytes + page - 1) / page * page;
}

static void pin_path(const struct hs_tables *t, const struct evidence_table_key *k, char *path,
		     size_t len)
{
	char hour[32];

	snprintf(path, len, "%s/" TABLES_DIR "/%s-g%u", t->pin_dir,
		 hs_format_time(k->hour, hour, sizeof(hour)), k->generation);
}

/* A table's map: its header read, its size checked. */
static int table_map(struct hs_table *tb, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	struct evidence_bucket h;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_ARRAY || info.value_size != sizeof(h) ||
	    !(info.map_flags & BPF_F_MMAPABLE) || info.max_entries < 2)
		return -EINVAL;
	if (bpf_map_lookup_elem(fd, &zero, &h))
		return -errno;
	tb->fd = fd;
	tb->bytes = table_bytes(info.max_entries - 1);
	tb->buckets = h.key[TABLE_HEADER_BUCKETS];
	tb->key.hour = h.key[TABLE_HEADER_HOUR];
	tb->key.generation = h.key[TABLE_HEADER_GENERATION];
	if (!tb->buckets || tb->buckets > HAYSTACK_TABLE_BUCKETS_MAX ||
	    (size_t)tb->buckets + 1 > info.max_entries)
		return -EINVAL;
	return 0;
}

/*
 * Calls fn for buckets 1 to tb->buckets, mapped SCAN_BUCKETS at a time
 * (a whole number of pages): reading a table of a GB maps a few MB of it
 * into the agent at once, not all of it.
 */
#define SCAN_BUCKETS	65536	/* 12 MiB: 3,072 pages */

static int scan(const struct hs_table *tb,
		int (*fn)(const struct hs_table *tb, const struct evidence_bucket *b, void *ctx),
		void *ctx)
{
	size_t total = (size_t)tb->buckets + 1;
	int err = 0;

	for (size_t first = 0; first < total && !err; first += SCAN_BUCKETS) {
		size_t n = total - first < SCAN_BUCKETS ? total - first : SCAN_BUCKETS;
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		size_t len = (n * sizeof(struct evidence_bucket) + page - 1) / page * page;
		const struct evidence_bucket *w;
		void *p;

		p = mmap(NULL, len, PROT_READ, MAP_SHARED, tb->fd,
			 (off_t)(first * sizeof(struct evidence_bucket)));
		if (p == MAP_FAILED)
			return -errno;
		w = p;
		for (size_t i = first ? 0 : 1; i < n && !err; i++)
			err = fn(tb, &w[i], ctx);
		munmap(p, len);
	}
	return err;
}

static void table_free(struct hs_table *tb)
{
	if (tb->fd >= 0)
		close(tb->fd);
	tb->fd = -1;
}

static struct hs_table *find(struct hs_tables *t, const struct evidence_table_key *k)
{
	for (int i = 0; i < t->n; i++)
		if (t->t[i].key.hour == k->hour && t->t[i].key.generation == k->generation)
			return &t->t[i];
	return NULL;
}

int hs_tables_open_pinned(struct hs_tables *t)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d;
	int err = 0;

	snprintf(dir, sizeof(dir), "%s/" TABLES_DIR, t->pin_dir);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (e = readdir(d))) {
		struct hs_table tb = { .fd = -1 };
		int fd;

		if (e->d_name[0] == '.')
			continue;
		if (t->n == HAYSTACK_MAX_TABLES) {
			hs_err("%s: more than %d hour tables", dir, HAYSTACK_MAX_TABLES);
			err = -E2BIG;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			hs_err("cannot open the hour table %s: %s (%d)", path, strerror(-err), err);
			break;
		}
		err = table_map(&tb, fd);
		if (err) {
			close(fd);
			hs_err("%s is no hour table of this build: %s (%d)", path, strerror(-err), err);
			break;
		}
		t->t[t->n++] = tb;
	}
	closedir(d);
	return err;
}

/* The buckets for pairs at four fifths of their ways (include/haystack.h:
 * two choices spill 0.02 % there), within bounds. */
static __u32 buckets_for(size_t pairs)
{
	size_t ways = (5 * pairs + 3) / 4;
	size_t n = (ways + HAYSTACK_TABLE_WAYS - 1) / HAYSTACK_TABLE_WAYS;

	return !n ? 1 : n > HAYSTACK_TABLE_BUCKETS_MAX ? HAYSTACK_TABLE_BUCKETS_MAX : (__u32)n;
}

int hs_tables_open(struct hs_tables *t, struct hs_instance *in, size_t max_pairs)
{
	memset(t, 0, sizeof(*t));
	t->outer_fd = hs_instance_map_fd(in, HS_MAP_TABLES);
	t->pin_dir = in->pin_dir;
	t->btf_fd = hs_instance_table_btf(in, &t->btf_key, &t->btf_value);
	t->buckets_max = buckets_for(max_pairs);
	if (t->outer_fd < 0)
		return t->outer_fd;
	return t->pin_dir ? hs_tables_open_pinned(t) : 0;
}

void hs_tables_close(struct hs_tables *t)
{
	for (int i = 0; i < t->n; i++)
		table_free(&t->t[i]);
	t->n = 0;
}

static int count_used(const struct hs_table *tb, const struct evidence_bucket *b, void *ctx)
{
	for (int w = 0; w < HAYSTACK_TABLE_WAYS; w++)
		*(size_t *)ctx += b->key[w] != 0;
	return 0;
}

size_t hs_table_used(const struct hs_table *tb)
{
	size_t n = 0;

	scan(tb, count_used, &n);
	return n;
}

size_t hs_tables_bytes(const struct hs_tables *t)
{
	size_t n = 0;

	for (int i = 0; i < t->n; i++)
		n += table_bytes(t->t[i].buckets);
	return n;
}

/* The size of a new table of generation g: the pairs the fullest one of g
 * holds (of any generation when g has none: a new day's dictionary) at
 * four fifths full; twice that when that one was nine tenths full (what
 * it refused is not known, but it was more). The smallest when there is
 * none. */
static __u32 next_buckets(const struct hs_tables *t, __u32 generation)
{
	__u32 n = HS_TABLE_FIRST_BUCKETS;
	bool any = !hs_tables_of_generation(t, generation);

	for (int i = 0; i < t->n; i++) {
		const struct hs_table *tb = &t->t[i];
		size_t used;
		__u32 b;

		if (!any && tb->key.generation != generation)
			continue;
		used = hs_table_used(tb);
		b = buckets_for(used);
		if (used > (size_t)HAYSTACK_TABLE_WAYS * tb->buckets / 10 * 9)
			b = buckets_for(2 * used);
		n = b > n ? b : n;
	}
	return n < t->buckets_max ? n : t->buckets_max;
}

static int create(struct hs_tables *t, const struct evidence_table_key *k, __u32 buckets)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE | BPF_F_INNER_MAP);
	struct evidence_bucket head = {};
	struct hs_table tb = { .fd = -1 };
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err;

	if (t->btf_fd >= 0) {
		opts.btf_fd = t->btf_fd;
		opts.btf_key_type_id = t->btf_key;
		opts.btf_value_type_id = t->btf_value;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "hour_table", sizeof(__u32), sizeof(head),
			    buckets + 1, &opts);
	if (fd < 0)
		return -errno;
	head.key[TABLE_HEADER_BUCKETS] = buckets;
	head.key[TABLE_HEADER_HOUR] = k->hour;
	head.key[TABLE_HEADER_GENERATION] = k->generation;
	if (bpf_map_update_elem(fd, &zero, &head, 0)) {
		err = -errno;
		close(fd);
		return err;
	}
	err = table_map(&tb, fd);
	if (err) {
		close(fd);
		return err;
	}
	/* Pinned before the program can count into it: nothing it counts is
	 * held by this process alone. */
	if (t->pin_dir) {
		snprintf(path, sizeof(path), "%s/" TABLES_DIR, t->pin_dir);
		if (mkdir(path, 0700) && errno != EEXIST) {
			err = -errno;
			goto fail;
		}
		pin_path(t, k, path, sizeof(path));
		if (bpf_obj_pin(fd, path)) {
			err = -errno;
			goto fail;
		}
	}
	if (bpf_map_update_elem(t->outer_fd, k, &fd, BPF_NOEXIST)) {
		err = -errno;
		if (t->pin_dir)
			unlink(path);
		goto fail;
	}
	t->t[t->n++] = tb;
	{
		char when[32];

		hs_debug("hour table of %s, generation %u: %zu ways, %zu bytes",
			 hs_format_time(k->hour, when, sizeof(when)), k->generation,
			 (size_t)HAYSTACK_TABLE_WAYS * buckets, table_bytes(buckets));
	}
	return 0;
fail:
	table_free(&tb);
	return err;
}

int hs_tables_create(struct hs_tables *t, __u64 hour, __u32 generation, size_t pairs)
{
	struct evidence_table_key k = { .hour = hour, .generation = generation };
	__u32 buckets = buckets_for(pairs);

	if (find(t, &k))
		return -EEXIST;
	if (t->n == HAYSTACK_MAX_TABLES)
		return -E2BIG;
	return create(t, &k, buckets < t->buckets_max ? buckets : t->buckets_max);
}

void hs_tables_follow(struct hs_tables *t, int dictionaries_fd, __u64 first, __u64 last)
{
	struct dictionary_schedule s;
	__u32 zero = 0;
	int err;

	if (bpf_map_lookup_elem(dictionaries_fd, &zero, &s))
		return;	/* the next tick reads it again */
	for (__u64 hour = first; hour <= last; hour += HAYSTACK_BASE_BIN) {
		__u64 at[2] = { hour, hour + HAYSTACK_BASE_BIN - 1 };

		for (int i = 0; i < 2; i++) {
			int slot = hs_slot_in_force(s.slot, HAYSTACK_MAX_DICTIONARIES, s.live, at[i]);
			struct evidence_table_key k = { .hour = hour };

			if (slot < 0)
				continue;
			k.generation = s.slot[slot].generation;
			if (find(t, &k) || (k.hour == t->failed.hour &&
					     k.generation == t->failed.generation))
				continue;
			if (t->n == HAYSTACK_MAX_TABLES) {
				if (!t->said_full)
					hs_warn("%d hour tables held: the evidence of later hours goes to the evidence map",
						HAYSTACK_MAX_TABLES);
				t->said_full = true;
				return;
			}
			err = create(t, &k, next_buckets(t, k.generation));
			if (err) {
				char when[32];

				/* said once, not tried again for this hour */
				hs_warn("cannot make the hour table of %s: %s (%d); its evidence goes to the evidence map",
					hs_format_time(hour, when, sizeof(when)), strerror(-err), err);
				t->failed = k;
			}
		}
	}
}

static __u64 hour_of(__u64 t)
{
	return t - t % HAYSTACK_BASE_BIN;
}

__u64 hs_tables_first_hour(const struct hs_times *t)
{
	__u64 at = hour_of(t->close ?: t->last);

	at = at >= HAYSTACK_BASE_BIN ? at - HAYSTACK_BASE_BIN : 0;
	return at > hour_of(t->first) ? at : hour_of(t->first);
}

__u64 hs_tables_last_hour(const struct hs_times *t)
{
	bool near_end = t->last % HAYSTACK_BASE_BIN >= HAYSTACK_BASE_BIN - HS_TABLE_AHEAD;

	return hour_of(t->last) + (near_end ? HAYSTACK_BASE_BIN : 0);
}

struct each {
	int (*fn)(const struct evidence_table_key *tk, __u64 key, const struct evidence_count *c,
		  void *ctx);
	void *ctx;
};

static int each_way(const struct hs_table *tb, const struct evidence_bucket *b, void *ctx)
{
	const struct each *x = ctx;

	for (int w = 0; w < HAYSTACK_TABLE_WAYS; w++) {
		int err = b->key[w] ? x->fn(&tb->key, b->key[w], &b->count[w], x->ctx) : 0;

		if (err)
			return err;
	}
	return 0;
}

int hs_tables_for_each(const struct hs_tables *t, __u64 from, __u64 until,
		       int (*fn)(const struct evidence_table_key *tk, __u64 key,
				 const struct evidence_count *c, void *ctx),
		       void *ctx)
{
	for (int i = 0; i < t->n; i++) {
		const struct hs_table *tb = &t->t[i];
		struct each x = { fn, ctx };
		int err;

		if (tb->key.hour < from || tb->key.hour >= until)
			continue;
		err = scan(tb, each_way, &x);
		if (err)
			return err;
	}
	return 0;
}

int hs_tables_expire(struct hs_tables *t, __u64 until, __u64 ceiling, size_t *n_before,
		     size_t *n_past)
{
	char path[PATH_MAX];
	int err = 0;

	for (int i = 0; i < t->n;) {
		struct hs_table *tb = &t->t[i];
		bool past = ceiling && tb->key.hour > ceiling;

		if (tb->key.hour >= until && !past) {
			i++;
			continue;
		}
		if (bpf_map_delete_elem(t->outer_fd, &tb->key) && errno != ENOENT) {
			err = -errno;
			break;
		}
		if (t->pin_dir) {
			pin_path(t, &tb->key, path, sizeof(path));
			if (unlink(path) && errno != ENOENT) {
				err = -errno;
				break;
			}
		}
		if (past && n_past)
			*n_past += hs_table_used(tb);
		else if (!past && n_before)
			*n_before += hs_table_used(tb);
		table_free(tb);
		*tb = t->t[--t->n];
	}
	return err;
}

bool hs_tables_of_generation(const struct hs_tables *t, __u32 generation)
{
	for (int i = 0; i < t->n; i++)
		if (t->t[i].key.generation == generation)
			return true;
	return false;
}
