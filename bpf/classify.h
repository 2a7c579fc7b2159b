/* SPDX-License-Identifier: GPL-2.0 */
/* One decoded flow record -> evidence. Shared by every record format. */
#pragma once

#include "maps.h"

/* The base bin of export time t, for every record format. */
static __always_inline __u64 bin_of(const struct haystack_config *cfg, __u64 t)
{
	__u32 width = cfg->bin_seconds ? cfg->bin_seconds : HAYSTACK_BASE_BIN;

	return t - t % width;
}

/* The export time range of status: accepted times of datagrams with valid
 * records only. */
static __always_inline void note_export_time(struct haystack_stats *st, __u64 t)
{
	if (!st->export_time_min || t < st->export_time_min)
		st->export_time_min = t;
	if (t > st->export_time_max)
		st->export_time_max = t;
}

/* scope: CLOCK_SCOPE(domain, version), one argument (a BPF call has five) */
#define CLOCK_SCOPE(domain, version)	((__u64)(version) << 32 | (domain))

/* The exporter's clock, made when missing. The map is an LRU: making one
 * evicts the least recently heard exporter's when full, so a flood of
 * spoofed sources never leaves a real exporter without one. NULL only when
 * the LRU had no entry to give at that moment (no_exporter_clock): the
 * datagram is read with no clock moved. */
static __always_inline struct exporter_clock *exporter_clock(struct haystack_stats *st,
							     const __u8 addr[16], __u64 scope)
{
	struct exporter_clock_key key = { .domain_id = (__u32)scope, .version = scope >> 32 };
	struct exporter_clock init = {}, *c;

	__builtin_memcpy(key.exporter, addr, 16);
	c = bpf_map_lookup_elem(&exporter_clocks, &key);
	if (c)
		return c;
	/* another CPU may have made it meanwhile: then that one is used */
	bpf_map_update_elem(&exporter_clocks, &key, &init, BPF_NOEXIST);
	c = bpf_map_lookup_elem(&exporter_clocks, &key);
	if (!c)
		st->no_exporter_clock++;
	return c;
}

/* The live agent's ceiling on export time (include/haystack.h
 * haystack_config.time_ceiling), moved on with the host's monotonic clock
 * since it was written. 0: none. */
static __always_inline bool past_ceiling(const struct haystack_config *cfg, __u64 t)
{
	__u64 ceiling = cfg->time_ceiling, now, since = cfg->time_ceiling_ns;

	if (!ceiling || t <= ceiling)
		return false;
	if (since) {
		now = bpf_ktime_get_ns();
		if (now > since)
			ceiling += (now - since) / 1000000000ULL;
	}
	return t > ceiling;
}

static __always_inline bool near(__u64 a, __u64 b)
{
	return a + HAYSTACK_CLOCK_WINDOW >= b && a <= b + HAYSTACK_CLOCK_WINDOW;
}

enum clock_verdict { CLOCK_JUMP, CLOCK_ACCEPT, CLOCK_FOLLOW };

/*
 * Whether a datagram of export time t is read. Within the window of the
 * exporter's clock (or its first datagram): yes. Else it is a jump, not
 * read, remembered as the candidate of a new clock; the HAYSTACK_CLOCK_FOLLOW-th
 * in a row agreeing with the one before is read and restarts the clock
 * there. Nothing of the clock itself moves here: clock_commit() does, once
 * the datagram proved to hold valid records. Plain stores: two CPUs racing
 * on one exporter lose at most one count of a candidate.
 *
 * These two are subprograms of their own, called from the entry and
 * returning before the walk of the sets: their keys and values stay off the
 * stack of the walk's call chain (512 octets for all of it).
 */
static __noinline int clock_check(struct haystack_stats *st, const __u8 *addr, __u64 scope,
				  __u64 t)
{
	struct exporter_clock *info = exporter_clock(st, addr, scope);

	if (!info || !info->clock || near(t, info->clock)) {
		if (info)
			info->candidate_count = 0;
		return CLOCK_ACCEPT;
	}
	if (info->candidate_count && near(t, info->candidate))
		info->candidate_count++;
	else
		info->candidate_count = 1;
	info->candidate = t;
	if (info->candidate_count >= HAYSTACK_CLOCK_FOLLOW)
		return CLOCK_FOLLOW;
	st->export_time_jump++;
	return CLOCK_JUMP;
}

/* A datagram read at time t held valid records: its exporter's clock moves.
 * Looked up again: a flood on another CPU may have evicted the entry
 * meanwhile (then it starts again here). The status range leaves out what
 * lies past the live agent's ceiling: its records are not evidence. */
static __noinline void clock_commit(struct haystack_stats *st, const __u8 *addr, __u64 scope,
				    __u64 t, int verdict)
{
	struct exporter_clock *info = exporter_clock(st, addr, scope);
	const struct haystack_config *cfg;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (cfg && !past_ceiling(cfg, t))
		note_export_time(st, t);
	if (!info)
		return;
	if (verdict == CLOCK_FOLLOW) {
		st->export_clock_followed++;
		info->candidate_count = 0;
	}
	if (verdict == CLOCK_FOLLOW || !info->clock) {
		info->clock = info->clock_first = t;
		info->accepted = 0;
	}
	if (t > info->clock)
		info->clock = t;
	if (t < info->clock_first)
		info->clock_first = t;
	info->accepted++;
	info->clock_seen_ns = bpf_ktime_get_ns();
}

/* Both at once, for a format that knows before reading its records whether
 * they are valid (v5: its count was checked against the datagram). Returns
 * 0 when the datagram is not to be read. */
static __noinline int clock_datagram(struct haystack_stats *st, const __u8 *addr, __u64 scope,
				     __u64 t, int valid)
{
	int verdict = clock_check(st, addr, scope, t);

	if (verdict != CLOCK_JUMP && valid)
		clock_commit(st, addr, scope, t, verdict);
	return verdict != CLOCK_JUMP;
}

/*
 * The dictionary in force at export time t (include/haystack.h: the
 * dictionaries map): its generation, 0 when none is loaded, with bit 32 set
 * when t is past its valid_until, and its slot in bits 40..47 (where its
 * service pre-filter lies). Once a datagram: its records share the
 * header's time. A global function with the best so far in scalars: the
 * verifier checks it once, and prunes its branches.
 */
#define DICT_PICK_SLOT_SHIFT	40

__noinline __u64 dictionary_pick(__u64 t)
{
	__u64 live, best_from = 0, first_from = ~0ULL, until = ~0ULL, first_until = ~0ULL;
	__u32 best = 0, first = 0, zero = 0, best_slot = 0, first_slot = 0;
	const struct dictionary_schedule *s;

	s = bpf_map_lookup_elem(&dictionaries, &zero);
	if (!s)
		return 0;
	/* One read of live: the slots it names stay as they are. */
	live = *(volatile const __u64 *)&s->live;
	for (__u32 i = 0; i < HAYSTACK_MAX_DICTIONARIES; i++) {
		__u64 from = s->slot[i].valid_from;
		__u32 gen = s->slot[i].generation;

		if (!(live & (1ULL << i)))
			continue;
		if (from <= t && (from > best_from || (from == best_from && gen > best))) {
			best = gen;
			best_from = from;
			best_slot = i;
			until = s->slot[i].valid_until;
		}
		if (from < first_from || (from == first_from && gen > first)) {
			first = gen;
			first_from = from;
			first_slot = i;
			first_until = s->slot[i].valid_until;
		}
	}
	if (!best) {
		best = first;
		best_slot = first_slot;
		until = first_until;
	}
	return best | (__u64)(best && t >= until) << 32 |
	       (__u64)best_slot << DICT_PICK_SLOT_SHIFT;
}

/* The generation in force at t; *stale and *slot with it, from one pick. */
static __always_inline __u32 dictionary_at(__u64 t, __u8 *stale, __u32 *slot)
{
	__u64 pick = dictionary_pick(t);

	*stale = (pick >> 32) & 1;
	*slot = (pick >> DICT_PICK_SLOT_SHIFT) & (HAYSTACK_MAX_DICTIONARIES - 1);
	return (__u32)pick;
}

/* ::ffff:a.b.c.d, an IPv4 address as records carry it */
static __always_inline bool is_v4_mapped(const __u8 a[16])
{
	const __u32 *w = (const __u32 *)a;

	return !w[0] && !w[1] && w[2] == bpf_htonl(0xffff);
}

/* The bits of subscriber_blocks entry idx for bit: 0 none, 1 some, 2 all. */
static __always_inline int subscriber_bits(__u32 idx, __u32 bit)
{
	const struct subscriber_block *b = bpf_map_lookup_elem(&subscriber_blocks, &idx);
	__u64 m = 1ULL << (bit & 63);

	if (!b || !(b->any & m))
		return 0;
	return b->all & m ? 2 : 1;
}

/*
 * Whether addr lies in a subscriber prefix. An IPv4 address is first told
 * by its /16 and then its /24 in subscriber_blocks, an IPv6 one by its /24:
 * most record ends are no subscriber's, and an array read says so; a block
 * wholly inside a prefix says yes. Only a block a longer prefix lies in
 * walks the trie.
 */
static __always_inline bool is_subscriber(const __u8 addr[16])
{
	struct haystack_lpm_key key = { .prefixlen = 128 };
	int in;

	if (is_v4_mapped(addr)) {
		__u32 a = (__u32)addr[12] << 24 | (__u32)addr[13] << 16 | (__u32)addr[14] << 8;

		in = subscriber_bits(a >> 22, a >> 16);
		if (in == 1)
			in = subscriber_bits(HAYSTACK_SUBSCRIBER_BLOCKS16 + (a >> 14), a >> 8);
	} else {
		__u32 a6 = (__u32)addr[0] << 16 | (__u32)addr[1] << 8 | addr[2];

		in = subscriber_bits(HAYSTACK_SUBSCRIBER_BLOCKS6 + (a6 >> 6), a6);
	}
	if (in != 1)
		return in;
	__builtin_memcpy(key.addr, addr, 16);
	return bpf_map_lookup_elem(&subscriber_prefixes, &key) != NULL;
}

/*
 * Which rules of a rule set accept the port and protocol: bit i for rule[i].
 * A global function, so the verifier checks it once: inlined, every
 * combination of matched bits would be a state of its own (2^16 of them).
 */
__noinline __u32 rules_match(const struct endpoint_ruleset *rs, __u16 port, __u8 proto)
{
	__u32 mask = 0;

	if (!rs)
		return 0;
	for (__u32 i = 0; i < HAYSTACK_MAX_RULES; i++) {
		const struct endpoint_rule *r = &rs->rule[i];

		if (i >= rs->count)
			break;
		if ((r->proto == 0 || r->proto == proto) && (r->port == 0 || r->port == port))
			mask |= 1U << i;
	}
	return mask;
}

_Static_assert((HAYSTACK_MAX_DICTIONARIES & (HAYSTACK_MAX_DICTIONARIES - 1)) == 0,
	       "a slot index is masked");

/* Bit b of the bitmap at word at of service_prefilter (a word that cannot
 * be missing, the index being in range: set, leaving the answer to the maps
 * behind it). idx: the key's room, on the caller's stack. */
static __always_inline bool prefilter_bit(__u32 *idx, __u32 at, __u32 b)
{
	const __u64 *w;

	*idx = at + (b >> 6);
	w = bpf_map_lookup_elem(&service_prefilter, idx);
	return !w || ((*w >> (b & 63)) & 1);
}

/* The two bits of /24 n in the bitmap at word at (HAYSTACK_PREFILTER_EXACT,
 * HAYSTACK_PREFILTER_PREFIX), from one word: both set when it is missing,
 * as prefilter_bit() answers. */
static __always_inline __u32 prefilter_pair(__u32 *idx, __u32 at, __u32 n)
{
	const __u64 *w;

	*idx = at + (n >> 5);
	w = bpf_map_lookup_elem(&service_prefilter, idx);
	return w ? (*w >> ((n & 31) * 2)) & 3 : 3;
}

/* The log2 of the bits of a bitmap of the region at base, from its head:
 * at shift 0 the IPv4 hosts', at 8 the IPv6 /48s'. Out of range (a head
 * that cannot be): the largest, which only asks the maps behind more. */
static __always_inline __u32 prefilter_log(__u64 head, __u32 shift, __u32 max)
{
	__u32 log = (head >> shift) & 0xff;

	return log < HAYSTACK_PREFILTER_LOG_MIN || log > max ? max : log;
}

static __always_inline __u64 prefilter_head(__u32 *idx, __u32 base)
{
	const __u64 *w;

	*idx = base + HAYSTACK_PREFILTER_AT_HEAD;
	w = bpf_map_lookup_elem(&service_prefilter, idx);
	return w ? *w : HAYSTACK_PREFILTER_SHORT6;
}

/*
 * Returns the rule mask for the service end (0: prefix known, no rule
 * matched), or -1 when the address is not a service endpoint at all.
 * The result is the longest match of service_endpoints; an IPv4 address
 * gets it without walking the trie when it can (include/haystack.h,
 * service_prefilter, in the region of the dictionary's slot): its /16's bit
 * clear, or its /24's two bits: no endpoint; an exact /32 in the /24 and
 * the address's bit in the host bitmap: service_hosts, a hit there is the
 * longest match; a prefix over the /24: the trie. An IPv6 address whose
 * /48's bit is clear is no endpoint either; else it walks the trie.
 */
static __always_inline __s64 match_service(__u32 generation, __u32 slot, const __u8 addr[16],
					   __u16 port, __u8 proto, __u32 *ruleset)
{
	/* One key on the stack for all lookups: the walk's call chain has
	 * 512 octets for all of it. */
	union {
		struct endpoint_key trie;
		struct service_host_key host;
		__u32 word;
	} k;
	struct ruleset_key rk = { .generation = generation };
	struct service_endpoint *ep;
	__u32 id;

	if (is_v4_mapped(addr)) {
		__u32 a = ((const __u32 *)addr)[3];	/* network order */
		__u32 h = bpf_ntohl(a);
		__u32 base = (slot & (HAYSTACK_MAX_DICTIONARIES - 1)) * HAYSTACK_PREFILTER_SLOT_WORDS;
		__u32 bits;

		if (!prefilter_bit(&k.word, base + HAYSTACK_PREFILTER_AT16, h >> 16))
			return -1;
		bits = prefilter_pair(&k.word, base + HAYSTACK_PREFILTER_AT24, h >> 8);
		if ((bits & HAYSTACK_PREFILTER_EXACT) &&
		    prefilter_bit(&k.word, base + HAYSTACK_PREFILTER_AT_HOSTS,
				  HAYSTACK_HOST_BIT(h, prefilter_log(prefilter_head(&k.word, base), 0,
							HAYSTACK_PREFILTER_HOST_LOG_MAX)))) {
			k.host.generation = generation;
			__builtin_memcpy(k.host.addr, &a, 4);
			ep = bpf_map_lookup_elem(&service_hosts, &k.host);
			if (ep) {
				id = ep->ruleset;
				goto found;
			}
		}
		if (!(bits & HAYSTACK_PREFILTER_PREFIX))
			return -1;
	} else {
		__u32 base = (slot & (HAYSTACK_MAX_DICTIONARIES - 1)) * HAYSTACK_PREFILTER_SLOT_WORDS;
		__u64 head = prefilter_head(&k.word, base);
		__u32 hi = (__u32)addr[0] << 24 | (__u32)addr[1] << 16 | (__u32)addr[2] << 8 | addr[3];
		__u32 lo = (__u32)addr[4] << 8 | addr[5];

		if (!(head & HAYSTACK_PREFILTER_SHORT6) &&
		    !prefilter_bit(&k.word, base + HAYSTACK_PREFILTER_AT_NETS6,
				   HAYSTACK_NET6_BIT(hi, lo, prefilter_log(head, 8,
						HAYSTACK_PREFILTER_NET6_LOG_MAX))))
			return -1;
	}
	k.trie.prefixlen = 32 + 128;
	k.trie.generation = bpf_htonl(generation);
	__builtin_memcpy(k.trie.addr, addr, 16);
	ep = bpf_map_lookup_elem(&service_endpoints, &k.trie);
	if (!ep)
		return -1;
	id = ep->ruleset;
found:
	*ruleset = rk.ruleset = id;
	return rules_match(bpf_map_lookup_elem(&endpoint_rules, &rk), port, proto);
}

/* The first way of b that holds key (its index), or -(the first free way)
 * - 1 when none does: a bucket's ways fill in order and are never freed,
 * so its keys end at its first free way. */
static __always_inline int table_find(const struct evidence_bucket *b, __u64 key)
{
	for (int w = 0; w < HAYSTACK_TABLE_WAYS; w++) {
		__u64 k = b->key[w];

		if (k == key)
			return w;
		if (!k)
			return -w - 1;
	}
	return -HAYSTACK_TABLE_WAYS - 1;
}

/* Claims a way of b for key from way from on: the way that holds key
 * then (another CPU may claim one first, for its key or for this one), or
 * -1 when b is full. */
static __always_inline int table_claim(struct evidence_bucket *b, __u64 key, int from)
{
	for (int w = 0; w < HAYSTACK_TABLE_WAYS; w++) {
		__u64 k;

		if (w < from)
			continue;
		k = __sync_val_compare_and_swap(&b->key[w], 0, key);
		if (!k || k == key)
			return w;
	}
	return -1;
}

static __always_inline void table_add(struct evidence_bucket *b, int w,
				      const struct flow_record *rec)
{
	if (w < 0 || w >= HAYSTACK_TABLE_WAYS)
		return;
	__sync_fetch_and_add(&b->count[w].packets, rec->packets);
	__sync_fetch_and_add(&b->count[w].packets_estimate, rec->packets * rec->sampling);
}

/* Counts the record in its hour table: 1 when it was, 0 when it goes to the
 * evidence hash (no table, an IPv6 subscriber, a rule set over 16 bits),
 * -1 when neither of its buckets has a free way. */
static __always_inline int add_to_table(const __u8 subscriber[16], __u64 bin_start,
					__u32 ruleset, __u32 mask,
					const struct flow_record *rec)
{
	struct evidence_table_key tk = { .hour = bin_start, .generation = rec->generation };
	struct evidence_bucket *b1, *b2;
	__u32 i = 0, n, i2;
	int w1, w2, w;
	__u64 key, h;
	void *table;

	if (!is_v4_mapped(subscriber) || ruleset > 0xffff || mask > 0xffff)
		return 0;
	table = bpf_map_lookup_elem(&evidence_tables, &tk);
	if (!table)
		return 0;
	b1 = bpf_map_lookup_elem(table, &i);
	if (!b1)
		return 0;
	n = b1->key[TABLE_HEADER_BUCKETS];
	if (!n || n > HAYSTACK_TABLE_BUCKETS_MAX)
		return 0;
	key = HAYSTACK_TABLE_KEY(bpf_ntohl(*(const __u32 *)&subscriber[12]), ruleset, mask);
	h = HAYSTACK_TABLE_MIX(key);
	i = 1 + (__u32)(((h >> 32) * n) >> 32);
	i2 = 1 + (__u32)(((h & 0xffffffff) * n) >> 32);
	if (i2 == i)
		i2 = i < n ? i + 1 : 1;
	b1 = bpf_map_lookup_elem(table, &i);
	if (!b1)
		return 0;
	w1 = table_find(b1, key);
	if (w1 >= 0) {
		table_add(b1, w1, rec);
		return 1;
	}
	b2 = bpf_map_lookup_elem(table, &i2);
	if (!b2)
		return 0;
	w2 = table_find(b2, key);
	if (w2 >= 0) {
		table_add(b2, w2, rec);
		return 1;
	}
	/* new: into the bucket with more free ways, else the other */
	if (-w2 < -w1) {
		w = table_claim(b2, key, -w2 - 1);
		if (w >= 0) {
			table_add(b2, w, rec);
			return 1;
		}
	}
	w = table_claim(b1, key, -w1 - 1);
	if (w >= 0) {
		table_add(b1, w, rec);
		return 1;
	}
	w = table_claim(b2, key, -w2 - 1);
	if (w >= 0) {
		table_add(b2, w, rec);
		return 1;
	}
	return -1;
}

/* Returns RESULT_MATCHED, or RESULT_EVIDENCE_FULL when the record is lost. */
static __always_inline int add_evidence(struct haystack_stats *st,
					const struct haystack_config *cfg,
					const __u8 subscriber[16], __u64 bin_start,
					__u32 ruleset, __u32 mask, const struct flow_record *rec)
{
	struct evidence_key key = {
		.bin_start = bin_start,
		.generation = rec->generation,
		.ruleset = ruleset,
		.rule_mask = mask,
	};
	struct evidence_value *val, init = {};

	int in_table = add_to_table(subscriber, bin_start, ruleset, mask, rec);

	if (in_table > 0)
		goto counted;
	if (in_table < 0)
		st->evidence_table_full++;
	__builtin_memcpy(key.subscriber, subscriber, 16);
	val = bpf_map_lookup_elem(&evidence, &key);
	if (!val) {
		/* Insert an empty value, then add: another CPU may have
		 * inserted the same key between our lookup and update. */
		if (bpf_map_update_elem(&evidence, &key, &init, BPF_NOEXIST) &&
		    !bpf_map_lookup_elem(&evidence, &key))
			return RESULT_EVIDENCE_FULL;
		val = bpf_map_lookup_elem(&evidence, &key);
		if (!val)
			return RESULT_EVIDENCE_FULL;
	}
	__sync_fetch_and_add(&val->packets, rec->packets);
	__sync_fetch_and_add(&val->bytes, rec->bytes);
	__sync_fetch_and_add(&val->records, 1);
	__sync_fetch_and_add(&val->packets_estimate, rec->packets * rec->sampling);
counted:
	/* Still counted, for the longer bins that are open; the agent says
	 * how many came after their own bin's report. */
	if (bin_start < cfg->closed_before)
		st->late_records++;
	return RESULT_MATCHED;
}

/* ISP vantage point: one end must be inside a subscriber prefix, the other a
 * service endpoint whose rules accept the service-side port and protocol.
 * The subscriber side is decided first (small trie), so a record between two
 * non-subscribers never touches the large service trie. RESULT_MATCHED:
 * rec's subscriber side, rule set and mask say what to count, and nothing
 * is counted yet; a record is read whole only then (decode_fixed()). */
static __always_inline int classify(struct flow_record *rec)
{
	bool subscriber_seen = false, prefix_hit = false;
	__u32 ruleset = 0;
	__s64 mask;

	/* Lookups one after the other, each result used at once: clang
	 * otherwise ORs the two map-value pointers, which the verifier refuses. */
	if (is_subscriber(rec->src)) {
		subscriber_seen = true;
		rec->subscriber_side = 1;
		mask = match_service(rec->generation, rec->dict_slot, rec->dst, rec->dport, rec->proto,
				     &ruleset);
		if (mask > 0) {
			rec->ruleset = ruleset;
			rec->rule_mask = mask;
			return RESULT_MATCHED;
		}
		prefix_hit = mask == 0;
	}
	if (is_subscriber(rec->dst)) {
		subscriber_seen = true;
		rec->subscriber_side = 2;
		mask = match_service(rec->generation, rec->dict_slot, rec->src, rec->sport, rec->proto,
				     &ruleset);
		if (mask > 0) {
			rec->ruleset = ruleset;
			rec->rule_mask = mask;
			return RESULT_MATCHED;
		}
		prefix_hit |= mask == 0;
	}
	if (!subscriber_seen)
		return RESULT_NOT_SUBSCRIBER;
	return prefix_hit ? RESULT_PORT_MISMATCH : RESULT_NO_SERVICE;
}

/* What becomes of a record, decided from its addresses, ports and protocol
 * alone: its result, RESULT_MATCHED with nothing counted yet. A record
 * past the live agent's ceiling would be evidence in a bin no report
 * closes, kept for ever: none, not even classified. */
static __always_inline int match_record(struct haystack_stats *st,
					const struct haystack_config *cfg,
					struct flow_record *rec)
{
	st->records++;
	if (past_ceiling(cfg, rec->export_time))
		return RESULT_PAST_TIME_CEILING;
	if (rec->stale)
		st->stale_dictionary++;
	return classify(rec);
}

/* Counts a record of result (match_record()) with its counters and
 * sampling read, and with --records sends it to user space. Returns 1
 * when it was counted as evidence. */
static __always_inline int count_record(struct haystack_stats *st,
					const struct haystack_config *cfg, __u64 bin_start,
					struct flow_record *rec, __u32 result)
{
	if (cfg->sampling)
		rec->sampling = cfg->sampling;
	if (!rec->sampling)
		rec->sampling = 1;
	if (result == RESULT_MATCHED)
		result = add_evidence(st, cfg, rec->subscriber_side == 1 ? rec->src : rec->dst,
				      bin_start, rec->ruleset, rec->rule_mask, rec);
	/* The result is the index of its counter: counted here, once. */
	if (result < HAYSTACK_STAT_COUNT)
		((__u64 *)st)[result]++;
	rec->result = result;
	if ((cfg->flags & HAYSTACK_F_RECORDS) &&
	    bpf_ringbuf_output(&records, rec, sizeof(*rec), 0))
		st->record_events_lost++;
	return rec->result == RESULT_MATCHED;
}

/*
 * Classifies one record, fills in what became of it, and with --records
 * sends it to user space. Returns 1 when it was counted as evidence.
 * A global function: verified once, not once per record of a packet.
 */
__noinline int classify_record(struct haystack_stats *st, const struct haystack_config *cfg,
			       __u64 bin_start, struct flow_record *rec)
{
	if (!st || !cfg || !rec)
		return 0;
	return count_record(st, cfg, bin_start, rec, match_record(st, cfg, rec));
}

/* The two halves of classify_record(), for a format that reads the rest of
 * a record only once it matched (or is to be sent whole, with --records).
 * Returns the result of a record still to be counted by classify_count(),
 * or -1 when it was counted here: one that matched nothing needs no more
 * of its fields, and its count no more of a call. */
__noinline int classify_match(struct haystack_stats *st, const struct haystack_config *cfg,
			      struct flow_record *rec)
{
	int result;

	if (!st || !cfg || !rec)
		return -1;
	result = match_record(st, cfg, rec);
	if (result == RESULT_MATCHED || (cfg->flags & HAYSTACK_F_RECORDS))
		return result;
	count_record(st, cfg, 0, rec, result);
	return -1;
}

__noinline int classify_count(struct haystack_stats *st, const struct haystack_config *cfg,
			      __u64 bin_start, struct flow_record *rec, __u32 result)
{
	if (!st || !cfg || !rec)
		return 0;
	return count_record(st, cfg, bin_start, rec, result);
}
