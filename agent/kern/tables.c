// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "detect/times.h"
#include "dict/schedule.h"
#include "kern/instance.h"
#include "kern/tables.h"
#include "lib/log.h"
#include "lib/timefmt.h"

#define TABLES_DIR	"tables"
#define FOLDS_DIR	"folds"

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
	tb->width = h.key[TABLE_HEADER_WIDTH];
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
		int (*fn)(const struct hs_table *tb, const struct evidence_bucket *b, size_t i,
			  void *ctx),
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
			err = fn(tb, &w[i], first + i, ctx);
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

/* The tables pinned in one folder of the pin directory into v[]; a fold's
 * copy left by a growth that did not finish ("-new") is let go. */
static int open_dir(const struct hs_tables *t, const char *sub, struct hs_table *v, int *n)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d;
	int err = 0;

	snprintf(dir, sizeof(dir), "%s/%s", t->pin_dir, sub);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (e = readdir(d))) {
		struct hs_table tb = { .fd = -1 };
		size_t len = strlen(e->d_name);
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (len > 4 && !strcmp(e->d_name + len - 4, "-new")) {
			unlink(path);
			continue;
		}
		if (*n == HAYSTACK_MAX_TABLES) {
			hs_err("%s: more than %d tables", dir, HAYSTACK_MAX_TABLES);
			err = -E2BIG;
			break;
		}
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			hs_err("cannot open the table %s: %s (%d)", path, strerror(-err), err);
			break;
		}
		err = table_map(&tb, fd);
		if (!err && !tb.width != !strcmp(sub, TABLES_DIR))
			err = -EINVAL;
		if (err) {
			close(fd);
			hs_err("%s is no table of this build: %s (%d)", path, strerror(-err), err);
			break;
		}
		v[(*n)++] = tb;
	}
	closedir(d);
	return err;
}

int hs_tables_open_pinned(struct hs_tables *t)
{
	return open_dir(t, TABLES_DIR, t->t, &t->n) ?: open_dir(t, FOLDS_DIR, t->folds, &t->n_folds);
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
	for (int i = 0; i < t->n_folds; i++)
		table_free(&t->folds[i]);
	t->n = t->n_folds = 0;
}

static int count_used(const struct hs_table *tb, const struct evidence_bucket *b, size_t i,
		      void *ctx)
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
	for (int i = 0; i < t->n_folds; i++)
		n += table_bytes(t->folds[i].buckets);
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
	bool any = true;

	for (int i = 0; i < t->n && any; i++)
		any = t->t[i].key.generation != generation;

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

/* A table's ways in use from from on (ways of the buckets before counted),
 * to fn. */
struct each {
	int (*fn)(const struct hs_table *tb, __u64 key, const struct evidence_count *c, void *ctx);
	void *ctx;
	__u32 from;
};

static int each_way(const struct hs_table *tb, const struct evidence_bucket *b, size_t i,
		    void *ctx)
{
	const struct each *x = ctx;

	for (int w = 0; w < HAYSTACK_TABLE_WAYS; w++) {
		__u64 pos = (i - 1) * HAYSTACK_TABLE_WAYS + w;
		int err = b->key[w] && pos >= x->from ? x->fn(tb, b->key[w], &b->count[w], x->ctx) : 0;

		if (err)
			return err;
	}
	return 0;
}

int hs_tables_for_each(const struct hs_tables *t, __u64 from, __u64 until,
		       int (*fn)(const struct hs_table *tb, __u64 key,
				 const struct evidence_count *c, void *ctx),
		       void *ctx)
{
	for (int i = 0; i < t->n; i++) {
		const struct hs_table *tb = &t->t[i];
		struct each x = { fn, ctx, 0 };
		int err;

		if (tb->key.hour < from || tb->key.hour >= until)
			continue;
		err = scan(tb, each_way, &x);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Folding the hours (tables.h, hs_tables_fold). A fold is written by this
 * process alone, through a mapping of all of it; its ways are placed as
 * the program places an hour table's (any placement would do: the
 * program never reads a fold).
 */
static void fold_pin_path(const struct hs_tables *t, const struct hs_table *f, char *path,
			  size_t len)
{
	char when[32];

	snprintf(path, len, "%s/" FOLDS_DIR "/%us-%s-g%u", t->pin_dir, f->width,
		 hs_format_time(f->key.hour, when, sizeof(when)), f->key.generation);
}

static struct hs_table *find_fold(const struct hs_tables *t, __u32 width, __u64 bin,
				  __u32 generation)
{
	for (int i = 0; i < t->n_folds; i++) {
		const struct hs_table *f = &t->folds[i];

		if (f->width == width && f->key.hour == bin && f->key.generation == generation)
			return (struct hs_table *)f;
	}
	return NULL;
}

struct fold {
	struct hs_table *tb;
	struct evidence_bucket *b;	/* b[0]: the header */
	size_t len;
};

static int fold_map(struct fold *f, struct hs_table *tb)
{
	void *p;

	f->tb = tb;
	f->len = table_bytes(tb->buckets);
	p = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_SHARED, tb->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	f->b = p;
	return 0;
}

static void fold_unmap(struct fold *f)
{
	if (f->b)
		munmap(f->b, f->len);
	f->b = NULL;
}

/* Keeps the compiler from moving stores across it: what matters is the
 * order they are made in when the process is stopped between two (the
 * pages outlive it, and nothing reads them meanwhile). */
#define STORE_ORDER()	__atomic_signal_fence(__ATOMIC_SEQ_CST)

/* The way (ways of the buckets before counted, from bucket 1) that holds
 * key in a fold of n buckets, or the free one it goes to: in the bucket with
 * more free ways, as the program claims. -ENOSPC when neither has one. The
 * key mixed with the fold's seed first: filled in the order of a table's
 * buckets, a fold placed as that table is fills each bucket's first choices
 * at once, and spills at three fifths full (two choices need keys in no
 * order of theirs). */
static long long way_for(const struct evidence_bucket *b, __u32 n, __u64 key)
{
	__u64 h = HAYSTACK_TABLE_MIX(key ^ b[0].key[TABLE_HEADER_FOLD_SEED]);
	__u32 at[2];
	int free_at[2] = { -1, -1 }, k;

	at[0] = 1 + (__u32)(((h >> 32) * n) >> 32);
	at[1] = 1 + (__u32)(((h & 0xffffffff) * n) >> 32);
	if (at[1] == at[0])
		at[1] = at[0] < n ? at[0] + 1 : 1;
	for (k = 0; k < 2; k++)
		for (int w = 0; w < HAYSTACK_TABLE_WAYS; w++) {
			if (b[at[k]].key[w] == key)
				return (long long)(at[k] - 1) * HAYSTACK_TABLE_WAYS + w;
			if (!b[at[k]].key[w]) {
				free_at[k] = w;
				break;
			}
		}
	k = free_at[1] >= 0 && (free_at[0] < 0 || free_at[1] < free_at[0]);
	if (free_at[k] < 0)
		return -ENOSPC;
	return (long long)(at[k] - 1) * HAYSTACK_TABLE_WAYS + free_at[k];
}

#define WAY_KEY(b, x)	((b)[1 + (x) / HAYSTACK_TABLE_WAYS].key[(x) % HAYSTACK_TABLE_WAYS])
#define WAY_COUNT(b, x)	((b)[1 + (x) / HAYSTACK_TABLE_WAYS].count[(x) % HAYSTACK_TABLE_WAYS])

/* Way pos of the hour table added to way x of the fold: what x held noted
 * in the header first, and the step moved on after, so that a process
 * stopped anywhere in between leaves a fold fold_undo puts back. */
static void fold_add(struct evidence_bucket *b, __u32 pos, size_t x, __u64 key,
		     const struct evidence_count *c)
{
	__u64 *step = &b[0].key[TABLE_HEADER_FOLD_STEP];

	b[0].count[0].packets = WAY_KEY(b, x);
	b[0].count[1] = WAY_COUNT(b, x);
	STORE_ORDER();
	*step = (__u64)pos << 32 | (x + 1);
	STORE_ORDER();
	WAY_KEY(b, x) = key;
	WAY_COUNT(b, x).packets += c->packets;
	WAY_COUNT(b, x).packets_estimate += c->packets_estimate;
	STORE_ORDER();
	*step = (__u64)(pos + 1) << 32;
}

/* A way changed part way put back as the header noted it. */
static void fold_undo(struct evidence_bucket *b, __u32 buckets)
{
	__u64 *step = &b[0].key[TABLE_HEADER_FOLD_STEP];
	__u64 x = *step & 0xffffffff;

	if (!x)
		return;
	if (--x < (__u64)buckets * HAYSTACK_TABLE_WAYS) {
		WAY_KEY(b, x) = b[0].count[0].packets;
		WAY_COUNT(b, x) = b[0].count[1];
	}
	STORE_ORDER();
	*step &= ~0xffffffffULL;
}

/* Any odd constant (the golden ratio's): a fold's first seed, and what
 * each growth adds to it. */
#define FOLD_SEED	0x9e3779b97f4a7c15ULL

/* A fold table of buckets, not yet pinned, mapped into f. */
static int fold_create(struct hs_tables *t, struct hs_table *tb, struct fold *f, __u32 buckets)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	int fd, err;

	if (t->btf_fd >= 0) {
		opts.btf_fd = t->btf_fd;
		opts.btf_key_type_id = t->btf_key;
		opts.btf_value_type_id = t->btf_value;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fold_table", sizeof(__u32),
			    sizeof(struct evidence_bucket), buckets + 1, &opts);
	if (fd < 0)
		return -errno;
	tb->fd = fd;
	tb->buckets = buckets;
	tb->bytes = table_bytes(buckets);
	err = fold_map(f, tb);
	if (err) {
		table_free(tb);
		return err;
	}
	f->b[0].key[TABLE_HEADER_BUCKETS] = buckets;
	f->b[0].key[TABLE_HEADER_HOUR] = tb->key.hour;
	f->b[0].key[TABLE_HEADER_GENERATION] = tb->key.generation;
	f->b[0].key[TABLE_HEADER_WIDTH] = tb->width;
	f->b[0].key[TABLE_HEADER_FOLD_SEED] = FOLD_SEED;
	return 0;
}

/* Pinned under its name: through name-new and a rename when it replaces
 * one, so that the name always holds a whole fold (bpffs takes no dot in
 * a name). */
static int fold_pin(const struct hs_tables *t, const struct hs_table *tb, bool replace)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];

	if (!t->pin_dir)
		return 0;
	snprintf(path, sizeof(path), "%s/" FOLDS_DIR, t->pin_dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	fold_pin_path(t, tb, path, sizeof(path));
	if (!replace)
		return bpf_obj_pin(tb->fd, path) ? -errno : 0;
	snprintf(tmp, sizeof(tmp), "%s-new", path);
	if (bpf_obj_pin(tb->fd, tmp))
		return -errno;
	if (rename(tmp, path)) {
		int err = -errno;

		unlink(tmp);
		return err;
	}
	return 0;
}

/* A fold too full for the next key copied into one half as large again
 * (nothing in flight: fold_add finished its way), which takes its name. */
static int fold_grow(struct hs_tables *t, struct fold *f)
{
	struct hs_table *old = f->tb, tb = *old;
	__u64 n = (__u64)old->buckets + old->buckets / 2 + 1;
	struct fold g = { 0 };
	int err;

	if (n > HAYSTACK_TABLE_BUCKETS_MAX)
		return -E2BIG;
	tb.fd = -1;
	err = fold_create(t, &tb, &g, (__u32)n);
	if (err)
		return err;
	for (int k = TABLE_HEADER_WIDTH; k < TABLE_HEADER_FOLD_SEED; k++)
		g.b[0].key[k] = f->b[0].key[k];
	g.b[0].key[TABLE_HEADER_FOLD_SEED] = f->b[0].key[TABLE_HEADER_FOLD_SEED] + FOLD_SEED;
	for (size_t x = 0; x < (size_t)old->buckets * HAYSTACK_TABLE_WAYS && !err; x++) {
		long long y;

		if (!WAY_KEY(f->b, x))
			continue;
		y = way_for(g.b, tb.buckets, WAY_KEY(f->b, x));
		if (y < 0) {
			err = (int)y;
			break;
		}
		WAY_KEY(g.b, y) = WAY_KEY(f->b, x);
		WAY_COUNT(g.b, y) = WAY_COUNT(f->b, x);
	}
	err = err ?: fold_pin(t, &tb, true);
	if (err) {
		fold_unmap(&g);
		table_free(&tb);
		return err;
	}
	fold_unmap(f);
	table_free(old);
	*old = tb;
	*f = g;
	f->tb = old;
	return 0;
}

/* The way for key in f, f grown when it has none. */
static long long fold_way(struct hs_tables *t, struct fold *f, __u64 key)
{
	long long x = way_for(f->b, f->tb->buckets, key);
	int err;

	while (x == -ENOSPC) {
		err = fold_grow(t, f);
		if (err)
			return err;
		x = way_for(f->b, f->tb->buckets, key);
	}
	return x;
}

struct fold_hour {
	struct hs_tables *t;
	struct fold *f;
	__u32 from;			/* the first way of the hour table not in f */
};

static int fold_bucket(const struct hs_table *tb, const struct evidence_bucket *b, size_t i,
		       void *ctx)
{
	struct fold_hour *x = ctx;

	for (int w = 0; w < HAYSTACK_TABLE_WAYS; w++) {
		__u32 pos = (__u32)((i - 1) * HAYSTACK_TABLE_WAYS + w);
		long long y;

		if (!b->key[w] || pos < x->from)
			continue;
		y = fold_way(x->t, x->f, b->key[w]);
		if (y < 0)
			return (int)y;
		fold_add(x->f->b, pos, (size_t)y, b->key[w], &b->count[w]);
	}
	return 0;
}

static bool is_v4(const __u8 a[16])
{
	static const __u8 prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, prefix, sizeof(prefix));
}

/* The classes active in the hour, of generation g: set, never added. */
static int fold_active(struct hs_tables *t, struct fold *f, __u32 g,
		       const struct hs_activity *act, size_t n_act)
{
	for (size_t i = 0; i < n_act; i++) {
		__u32 addr;
		long long y;
		__u64 key;

		if (act[i].generation != g || !is_v4(act[i].subscriber) ||
		    act[i].class_id < 0 || act[i].class_id > 0xffff)
			continue;
		memcpy(&addr, &act[i].subscriber[12], 4);
		key = HAYSTACK_FOLD_ACTIVE(ntohl(addr), (__u32)act[i].class_id);
		y = fold_way(t, f, key);
		if (y < 0)
			return (int)y;
		if (WAY_KEY(f->b, y))
			continue;
		WAY_KEY(f->b, y) = key;
		STORE_ORDER();
		WAY_COUNT(f->b, y).packets = 1;
	}
	return 0;
}

static size_t active_of(__u32 g, const struct hs_activity *act, size_t n_act)
{
	size_t n = 0;

	for (size_t i = 0; i < n_act; i++)
		n += act[i].generation == g;
	return n;
}

/* One generation's hour table (NULL: none) and active classes of the
 * hour into its fold of width, made when there is none. */
static int fold_one(struct hs_tables *t, __u32 width, __u64 bin, __u32 g, __u64 hour,
		    const struct hs_table *hour_tb, const struct hs_activity *act, size_t n_act)
{
	struct hs_table *tb = find_fold(t, width, bin, g);
	struct fold f = { 0 };
	__u64 *h;
	int err = 0;

	if (!tb) {
		size_t pairs = (hour_tb ? hs_table_used(hour_tb) : 0) + active_of(g, act, n_act);
		__u32 n = buckets_for(pairs + pairs / 4);

		if (t->n_folds == HAYSTACK_MAX_TABLES)
			return -E2BIG;
		tb = &t->folds[t->n_folds];
		*tb = (struct hs_table){ .key = { .hour = bin, .generation = g }, .width = width,
					 .fd = -1 };
		err = fold_create(t, tb, &f, n > HS_TABLE_FIRST_BUCKETS ? n : HS_TABLE_FIRST_BUCKETS);
		if (!err)
			f.b[0].key[TABLE_HEADER_FOLDED_UNTIL] = bin;
		err = err ?: fold_pin(t, tb, false);
		if (err) {
			fold_unmap(&f);
			table_free(tb);
			return err;
		}
		t->n_folds++;
	} else {
		err = fold_map(&f, tb);
		if (err)
			return err;
	}
	h = f.b[0].key;
	if (h[TABLE_HEADER_FOLDED_UNTIL] > hour)
		goto done;	/* folded; stopped before its header was all written */
	if (h[TABLE_HEADER_FOLDING] && h[TABLE_HEADER_FOLDING] != hour) {
		err = -EBUSY;	/* another hour part way: it goes first */
		goto out;
	}
	if (!h[TABLE_HEADER_FOLDING]) {
		h[TABLE_HEADER_FOLD_STEP] = 0;
		STORE_ORDER();
		h[TABLE_HEADER_FOLDING] = hour;
	}
	fold_undo(f.b, tb->buckets);
	if (hour_tb) {
		struct fold_hour x = { t, &f, (__u32)(f.b[0].key[TABLE_HEADER_FOLD_STEP] >> 32) };

		err = scan(hour_tb, fold_bucket, &x);
	}
	err = err ?: fold_active(t, &f, g, act, n_act);
	if (err)
		goto out;
	h = f.b[0].key;
	h[TABLE_HEADER_FOLDED_UNTIL] = hour + HAYSTACK_BASE_BIN;
done:
	STORE_ORDER();
	h[TABLE_HEADER_FOLD_STEP] = 0;
	h[TABLE_HEADER_FOLDING] = 0;
out:
	fold_unmap(&f);
	return err;
}

/* The program counts under RCU: a grace period after a table was taken out
 * of evidence_tables, no run that found it there still counts into it.
 * membarrier(MEMBARRIER_CMD_GLOBAL) waits for one (synchronize_rcu());
 * where it is refused (nohz_full), a run is microseconds long. */
static void wait_for_program(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(100000);
}

int hs_tables_fold(struct hs_tables *t, __u32 width, __u64 hour, const struct hs_activity *act,
		   size_t n_act)
{
	__u32 gens[2 * HAYSTACK_MAX_TABLES];
	const struct hs_table *of[2 * HAYSTACK_MAX_TABLES];
	__u64 bin = hour - hour % width;
	bool taken = false;
	int n = 0, err = 0;

	for (int i = 0; i < t->n; i++) {
		if (t->t[i].key.hour != hour)
			continue;
		if (t->outer_fd >= 0 && !bpf_map_delete_elem(t->outer_fd, &t->t[i].key))
			taken = true;
		else if (t->outer_fd >= 0 && errno != ENOENT)
			return -errno;
		of[n] = &t->t[i];
		gens[n++] = t->t[i].key.generation;
	}
	for (size_t i = 0; i < n_act; i++) {
		int k;

		for (k = 0; k < n && gens[k] != act[i].generation; k++)
			;
		if (k == n && n < (int)(sizeof(gens) / sizeof(gens[0]))) {
			of[n] = NULL;
			gens[n++] = act[i].generation;
		}
	}
	if (taken)
		wait_for_program();
	for (int k = 0; k < n && !err; k++)
		err = fold_one(t, width, bin, gens[k], hour, of[k], act, n_act);
	if (err && t->said_fold != hour) {
		char when[32];

		hs_warn("cannot fold the hour of %s into its %u s bin: %s (%d); its hour tables stay in the kernel until that bin is reported",
			hs_format_time(hour, when, sizeof(when)), width, strerror(-err), err);
		t->said_fold = hour;
	}
	return err;
}

/* A fold's header, read through the map (no mapping of it). */
static int fold_header(const struct hs_table *f, struct evidence_bucket *h)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(f->fd, &zero, h) ? -errno : 0;
}

bool hs_tables_folded(const struct hs_tables *t, __u32 width, __u64 hour, __u32 generation)
{
	const struct hs_table *f = find_fold(t, width, hour - hour % width, generation);
	struct evidence_bucket h;

	return f && !fold_header(f, &h) && h.key[TABLE_HEADER_FOLDED_UNTIL] > hour;
}

int hs_tables_for_each_bin(const struct hs_tables *t, __u32 width, __u64 bin_start,
			   int (*fn)(const struct hs_table *tb, __u64 key,
				     const struct evidence_count *c, void *ctx),
			   void *ctx)
{
	int err = 0;

	for (int i = 0; i < t->n && !err; i++) {
		const struct hs_table *tb = &t->t[i];
		const struct hs_table *f = find_fold(t, width, bin_start, tb->key.generation);
		struct each x = { fn, ctx, 0 };
		struct evidence_bucket h;

		if (tb->key.hour < bin_start || tb->key.hour - bin_start >= width)
			continue;
		if (f) {
			err = fold_header(f, &h);
			if (err)
				break;
			if (h.key[TABLE_HEADER_FOLDED_UNTIL] > tb->key.hour)
				continue;	/* all in the fold */
			if (h.key[TABLE_HEADER_FOLDING] == tb->key.hour)
				x.from = (__u32)(h.key[TABLE_HEADER_FOLD_STEP] >> 32);
		}
		err = scan(tb, each_way, &x);
	}
	for (int i = 0; i < t->n_folds && !err; i++) {
		const struct hs_table *f = &t->folds[i];
		struct each x = { fn, ctx, 0 };

		if (f->width == width && f->key.hour == bin_start)
			err = scan(f, each_way, &x);
	}
	return err;
}

/* A table let go: out of evidence_tables, unpinned, closed; the entries it
 * held added to *n. */
static int remove_table(struct hs_tables *t, struct hs_table *tb, size_t *n)
{
	char path[PATH_MAX];

	if (!tb->width && bpf_map_delete_elem(t->outer_fd, &tb->key) && errno != ENOENT)
		return -errno;
	if (t->pin_dir) {
		if (tb->width)
			fold_pin_path(t, tb, path, sizeof(path));
		else
			pin_path(t, &tb->key, path, sizeof(path));
		if (unlink(path) && errno != ENOENT)
			return -errno;
	}
	if (n)
		*n += hs_table_used(tb);
	table_free(tb);
	return 0;
}

int hs_tables_expire_if(struct hs_tables *t, bool (*gone)(const struct hs_table *tb, void *ctx),
			void *ctx, __u64 ceiling, size_t *n_before, size_t *n_past)
{
	int err = 0;

	for (int i = 0; i < t->n && !err;) {
		struct hs_table *tb = &t->t[i];
		bool past = ceiling && tb->key.hour > ceiling;

		if (!past && !gone(tb, ctx)) {
			i++;
			continue;
		}
		err = remove_table(t, tb, past ? n_past : n_before);
		if (!err)
			*tb = t->t[--t->n];
	}
	for (int i = 0; i < t->n_folds && !err;) {
		struct hs_table *tb = &t->folds[i];

		if (!ceiling || tb->key.hour <= ceiling) {
			i++;
			continue;
		}
		err = remove_table(t, tb, n_past);
		if (!err)
			*tb = t->folds[--t->n_folds];
	}
	return err;
}

static bool before(const struct hs_table *tb, void *ctx)
{
	return tb->key.hour < *(const __u64 *)ctx;
}

int hs_tables_expire(struct hs_tables *t, __u64 until, __u64 ceiling, size_t *n_before,
		     size_t *n_past)
{
	return hs_tables_expire_if(t, before, &until, ceiling, n_before, n_past);
}

int hs_tables_expire_folds(struct hs_tables *t, __u32 width, __u64 until)
{
	int err = 0;

	for (int i = 0; i < t->n_folds && !err;) {
		struct hs_table *tb = &t->folds[i];

		if (tb->width != width || tb->key.hour >= until) {
			i++;
			continue;
		}
		err = remove_table(t, tb, NULL);
		if (!err)
			*tb = t->folds[--t->n_folds];
	}
	return err;
}

bool hs_tables_of_generation(const struct hs_tables *t, __u32 generation)
{
	for (int i = 0; i < t->n; i++)
		if (t->t[i].key.generation == generation)
			return true;
	for (int i = 0; i < t->n_folds; i++)
		if (t->folds[i].key.generation == generation)
			return true;
	return false;
}
