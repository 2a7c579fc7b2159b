/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NetFlow v9 (RFC 3954) and IPFIX (RFC 7011): a header, then sets. Template
 * sets define record layouts, scoped by exporter address, source ID /
 * observation domain and template ID; data sets are read with the template
 * they name, and only with it: a data set whose template is unknown is
 * skipped whole and counted.
 *
 * A datagram is walked one step at a time (a set header, a template record
 * or a data record a step) by global functions working on a per-CPU cursor:
 * the verifier checks each step once, not once per position in a packet.
 */
#pragma once

#include "classify.h"
#include "information_elements.h"
#include "packet.h"

#define NETFLOW_V9	9
#define IPFIX		10

struct netflow_v9_header {
	__be16 version;
	__be16 count;
	__be32 sys_uptime;
	__be32 unix_secs;
	__be32 sequence;
	__be32 source_id;
};

struct ipfix_header {
	__be16 version;
	__be16 length;
	__be32 export_time;
	__be32 sequence;
	__be32 domain_id;
};

_Static_assert(sizeof(struct netflow_v9_header) == 20, "v9 header");
_Static_assert(sizeof(struct ipfix_header) == 16, "IPFIX header");

enum set_kind { SET_NONE, SET_TEMPLATE, SET_OPTIONS_TEMPLATE, SET_DATA };

/* Offsets are from ctx->data, and a message of 65,535 octets behind its
 * headers lies within MAX_OFFSET. A frame is read directly up to data_end,
 * up to DIRECT_MAX (the verifier tracks packet ranges only for offsets well
 * below 64 KiB, and what XDP sees in one piece is at most a page); beyond,
 * in the fragments of a multi-buffer frame, with bpf_xdp_load_bytes. */
#define MAX_OFFSET	0x1ffff
#define DIRECT_MAX	0x3fff
#define MAX_RECORD	0xffff	/* a record lies in a set, whose length is 16 bits */
#define SET_HEADER_LEN	4

/* A bound the verifier can see: clang drops a mask it proves redundant after
 * a check, and may check one copy of a register and use another. */
#define verifier_mask(v, mask) ({ __u64 __v = (v); asm volatile("%0 &= " #mask : "+r"(__v)); __v; })
#define role_slot(role)		verifier_mask(role, 31)		/* ROLE_SLOTS - 1 */
#define direct_offset(off)	verifier_mask(off, 0x3fff)	/* DIRECT_MAX */

/* len (1..8) octets at off, beyond the part of the frame read directly. */
static __always_inline __u64 load_uint_tail(struct xdp_md *ctx, __u32 off, __u32 len)
{
	__u8 b[8] = {};
	__u64 v = 0;

	len = verifier_mask(len - 1, 7) + 1;
	if (bpf_xdp_load_bytes(ctx, off, b, len))
		return 0;
	for (__u32 i = 0; i < 8; i++) {
		if (i >= len)
			break;
		v = v << 8 | b[i];
	}
	return v;
}

/* Big-endian unsigned integer of 0..8 octets; 0 when out of the packet.
 * Global, so the verifier walks its byte loop once, not at every field of
 * every template and record. */
__noinline __u64 load_uint(struct xdp_md *ctx, __u32 off, __u32 len)
{
	void *data, *data_end;
	__u64 v = 0;
	__u8 *p;

	if (!ctx || off > MAX_OFFSET || !len || len > 8)
		return 0;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (off > DIRECT_MAX || data + off + len > data_end)
		return load_uint_tail(ctx, off, len);
	p = data + direct_offset(off);
	for (__u32 i = 0; i < 8; i++) {
		__u8 *next = p + i + 1;

		if (i >= len)
			break;
		/* Keep clang from folding the check into pkt_end + 1,
		 * pointer arithmetic the verifier refuses. */
		asm volatile("" : "+r"(next));
		if ((void *)next > data_end)
			return 0;
		v = v << 8 | next[-1];
	}
	return v;
}

/* An IPv4 (4 octets) or IPv6 (16 octets) address as IPv4-mapped IPv6. */
static __always_inline bool load_addr(struct xdp_md *ctx, __u32 off, __u32 len, __u8 dst[16])
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	bool direct;
	__u8 *p;

	if (off > MAX_OFFSET || (len != 4 && len != 16))
		return false;
	direct = off <= DIRECT_MAX && data + off + len <= data_end;
	p = data + direct_offset(off);
	if (len == 4) {
		__be32 a;

		if (direct && (void *)(p + 4) <= data_end)
			__builtin_memcpy(&a, p, 4);
		else if (bpf_xdp_load_bytes(ctx, off, &a, 4))
			return false;
		addr_from_v4(dst, a);
		return true;
	}
	if (direct && (void *)(p + 16) <= data_end)
		__builtin_memcpy(dst, p, 16);
	else if (bpf_xdp_load_bytes(ctx, off, dst, 16))
		return false;
	return true;
}

struct bpf_map;

struct withdrawal {
	struct template_key key;	/* exporter, domain and version to match */
	__u32 options;
	__u32 removed;
};

static long withdraw_matching(struct bpf_map *map, struct template_key *k,
			      struct flow_template *t, struct withdrawal *w)
{
	__u32 *a = (__u32 *)k->exporter, *b = (__u32 *)w->key.exporter;

	if (k->version == w->key.version && k->domain_id == w->key.domain_id &&
	    a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] &&
	    t->options == w->options && !bpf_map_delete_elem(map, k))
		w->removed++;
	return 0;
}

/* IPFIX withdrawal: field count 0. Template ID 2 (3) in a template (options
 * template) set withdraws every such template of the exporter's domain. */
static __always_inline void withdraw(struct flow_cursor *c, struct haystack_stats *st, __u32 id)
{
	struct withdrawal w = {
		.key = c->key,
		.options = c->set_kind == SET_OPTIONS_TEMPLATE,
	};

	if (id == 2 || id == 3) {
		bpf_for_each_map_elem(&templates, withdraw_matching, &w, 0);
		st->templates_withdrawn += w.removed;
	} else if (!bpf_map_delete_elem(&templates, &c->key)) {
		st->templates_withdrawn++;
	}
}

/*
 * Field specifier i of the template record being parsed, at c->field_pos.
 * Returns 0, or 1 when the field is beyond the set or unusable.
 * A global function: inlined, the verifier would follow every branch of
 * every one of the fields a template may have.
 */
__noinline int template_field(struct xdp_md *ctx, struct flow_cursor *c, __u32 i)
{
	struct flow_template *t;
	__u32 pos, type, len;
	int role = ROLE_SKIP;
	bool ipfix, varlen;

	if (!ctx || !c)
		return 1;
	t = &c->t;
	ipfix = c->key.version == IPFIX;
	pos = c->field_pos;
	if (pos > MAX_OFFSET || pos + 4 > c->set_end)
		return 1;
	type = load_uint(ctx, pos, 2);
	len = load_uint(ctx, pos + 2, 2);
	pos += 4;
	if (ipfix && (type & 0x8000))
		pos += 4;	/* enterprise number: not ours to read */
	else if (i >= c->field_scope || ipfix)
		role = ie_role(type, len);
	/* v9 scope fields are scope types (1 system, 2 interface ...), not
	 * elements; IPFIX scopes are elements, and only a sampler's ID
	 * there says whose rate the options give (IOS XR scopes 302) */
	if (i < c->field_scope && role != ROLE_SAMPLER_ID)
		role = ROLE_SKIP;
	if (pos > c->set_end)
		return 1;
	c->field_pos = pos;
	if (role == IE_WRONG_LENGTH)
		return 1;
	if (role < 0 || role >= ROLE_COUNT)
		role = ROLE_SKIP;
	varlen = len == TEMPLATE_VARIABLE_LENGTH;
	if (varlen) {
		/* v9 (RFC 3954) has no variable-length fields, but H3C sends
		 * length 65535 in v9 templates with IPFIX's encoding in the
		 * records, and nfdump and tshark read them so: so does this. */
		c->variable = 1;
	} else if (role != ROLE_SKIP) {
		/* A repeated element (tunnel, MPLS, SRv6 templates: outer,
		 * then inner) is read at its last occurrence, as on the
		 * variable-length path and as nfdump does. */
		role = role_slot(role);
		t->role_offset[role] = c->fixed_len;
		t->role_length[role] = len;
	}
	c->fixed_len += varlen ? 1 : len;	/* at least the length octet */
	if (c->fixed_len > MAX_RECORD)
		return 1;
	i = verifier_mask(i, 63);	/* HAYSTACK_TEMPLATE_MAX_FIELDS - 1 */
	t->field[i].length = len;
	t->field[i].role = role;
	return 0;
}

/* Where the fields a miss needs lie in a record of t (struct
 * template_fixed), when they lie where read_flow() would read them and
 * nothing else of the record can change what becomes of it. Both families
 * (read_addresses() picks one by the record's values), a port or protocol
 * in other octets than its type's (value_out_of_range), or no packet
 * counter (no_packet_count, counted whatever the result): field by field. */
static __always_inline void fixed_layout(struct flow_template *t)
{
	const __u8 *len = t->role_length;
	struct template_fixed *f = &t->fixed;
	__u32 src, dst;

	if (t->options || !t->record_len)
		return;
	if (len[ROLE_SRC4] && len[ROLE_DST4] && !len[ROLE_SRC6]) {
		f->family = 4;
		src = ROLE_SRC4;
		dst = ROLE_DST4;
	} else if (len[ROLE_SRC6] && len[ROLE_DST6] && !len[ROLE_SRC4] && !len[ROLE_DST4]) {
		f->family = 6;
		src = ROLE_SRC6;
		dst = ROLE_DST6;
	} else {
		return;
	}
	if (len[ROLE_SPORT] != 2 || len[ROLE_DPORT] != 2 || len[ROLE_PROTO] != 1 ||
	    (!len[ROLE_PACKETS] && !len[ROLE_OUT_PACKETS] && !len[ROLE_TOTAL_PACKETS])) {
		f->family = 0;
		return;
	}
	f->src = t->role_offset[src];
	f->dst = t->role_offset[dst];
	f->sport = t->role_offset[ROLE_SPORT];
	f->dport = t->role_offset[ROLE_DPORT];
	f->proto = t->role_offset[ROLE_PROTO];
}

/*
 * One template or options template record. A record haystack cannot read
 * whole (cut short by its set, a field of the wrong size, ID below 256)
 * removes the template it redefines, so data are never read with a stale
 * layout, and ends the set: where the next record starts is unknown.
 */
__noinline int parse_template_record(struct xdp_md *ctx, struct flow_cursor *c,
				     struct haystack_stats *st)
{
	__u32 id, count, scope = 0, pos, fixed = 0;
	bool ipfix, options;
	struct flow_template *t;

	if (!ctx || !c || !st)
		return 1;
	t = &c->t;
	ipfix = c->key.version == IPFIX;
	options = c->set_kind == SET_OPTIONS_TEMPLATE;
	pos = c->off;
	if (pos > MAX_OFFSET || pos + 4 > c->set_end)
		goto bad_set;
	id = load_uint(ctx, pos, 2);
	count = load_uint(ctx, pos + 2, 2);
	pos += 4;
	c->key.template_id = id;
	if (ipfix && count == 0) {
		withdraw(c, st, id);
		c->off = pos;
		return 0;
	}
	if (options) {
		__u32 third = load_uint(ctx, pos, 2);

		pos += 2;
		if (pos > c->set_end)
			goto bad;
		if (ipfix) {
			scope = third;
		} else {
			/* v9: scope and option lengths in octets, 4 a field */
			if (count % 4 || third % 4)
				goto bad;
			scope = count / 4;
			count = (count + third) / 4;
		}
		if (scope > count)
			goto bad;
	}
	if (id < 256)
		goto bad;
	if (count > HAYSTACK_TEMPLATE_MAX_FIELDS) {
		st->template_too_long++;
		bpf_map_delete_elem(&templates, &c->key);
		/* v9 fields are 4 octets each; IPFIX ones may carry a PEN. */
		c->off = ipfix ? c->set_end : pos + count * 4;
		return 0;
	}

	__builtin_memset(t, 0, sizeof(*t));
	c->field_pos = pos;
	c->field_scope = scope;
	c->fixed_len = 0;
	c->variable = 0;
	for (__u32 i = 0; i < HAYSTACK_TEMPLATE_MAX_FIELDS; i++) {
		if (i >= count)
			break;
		if (template_field(ctx, c, i))
			goto bad;
	}
	pos = c->field_pos;
	fixed = c->fixed_len;
	/* Every record must advance the walk, and fit in a set. */
	if (!fixed || fixed > MAX_RECORD)
		goto bad;
	t->field_count = count;
	t->record_len = c->variable ? 0 : fixed;
	t->min_len = fixed;
	t->options = options;
	t->last_seen = c->rec.export_time;
	fixed_layout(t);
	if (bpf_map_update_elem(&templates, &c->key, t, 0))
		st->template_map_full++;
	else if (options)
		st->options_templates++;
	else
		st->templates++;
	c->off = pos;
	return 0;

bad:
	/* The exporter redefined this ID: the old layout is gone either way. */
	bpf_map_delete_elem(&templates, &c->key);
bad_set:
	st->bad_template++;
	c->off = c->set_end;
	return 0;
}

/* A record of a template with variable-length fields: where each role's
 * field lies in the record at c->off. Returns the record length, or 0 when
 * a variable-length field runs past the set. */
__noinline __u32 locate_fields(struct xdp_md *ctx, struct flow_cursor *c,
			       const struct flow_template *t)
{
	__u32 pos;

	if (!ctx || !c || !t)
		return 0;
	pos = c->off;
	__builtin_memset(c->len, 0, sizeof(c->len));
	for (__u32 i = 0; i < HAYSTACK_TEMPLATE_MAX_FIELDS; i++) {
		__u32 len, role;

		if (i >= t->field_count)
			break;
		len = t->field[i].length;
		role = t->field[i].role;
		if (len == TEMPLATE_VARIABLE_LENGTH) {
			/* RFC 7011 §7: one length octet, or 255 and two more */
			if (pos + 1 > c->set_end)
				return 0;
			len = load_uint(ctx, pos, 1);
			pos += 1;
			if (len == 255) {
				if (pos + 2 > c->set_end)
					return 0;
				len = load_uint(ctx, pos, 2);
				pos += 2;
			}
		} else if (role && role < ROLE_COUNT) {
			role = role_slot(role);
			c->at[role] = pos - c->off;
			c->len[role] = len;
		}
		pos += len;
		if (pos > c->set_end)
			return 0;
	}
	return pos - c->off;
}

/*
 * The record's field of a role as an unsigned integer, 0 when absent. Inline
 * and without a loop where eight octets from the field lie in the part of
 * the frame read directly (all but a frame's last fields): one load, its
 * first len octets as a big-endian number; load_uint() elsewhere. Measured
 * by make bench: a v9 record parsed in about 115 ns instead of 185.
 */
static __always_inline __u64 field_uint(struct xdp_md *ctx, const struct flow_cursor *c,
					__u32 role)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 len = c->len[role], off = c->off + c->at[role];
	__u8 *p;

	if (!len)
		return 0;
	if (off <= DIRECT_MAX && len <= 8) {
		p = data + direct_offset(off);
		/* a load straight into a register: XDP takes unaligned packet
		 * reads, and a copy would take stack the walk has none of */
		if ((void *)(p + 8) <= data_end)
			return __builtin_bswap64(*(const __u64 *)p) >> (64 - 8 * len);
	}
	return load_uint(ctx, off, len);
}

/*
 * The 1-in-N rate a record states, 0 when it states none: 305/306 (RFC 5477:
 * interval packets selected, then space packets skipped), 309/310 (RFC 5477:
 * size packets out of every population; Cisco IOS XR), else 34 or v9's 50.
 * Each pair counts only whole: IOS XR sends 305 = 1 without 306 beside
 * 309/310, which say 1-in-256.
 */
static __always_inline __u32 stated_sampling(struct xdp_md *ctx, const struct flow_cursor *c)
{
	__u64 n, rate;

	if (c->len[ROLE_PACKET_INTERVAL] && c->len[ROLE_PACKET_SPACE] &&
	    (n = field_uint(ctx, c, ROLE_PACKET_INTERVAL)))
		rate = (n + field_uint(ctx, c, ROLE_PACKET_SPACE)) / n;
	else if (c->len[ROLE_SAMPLING_SIZE] && c->len[ROLE_SAMPLING_POPULATION] &&
		 (n = field_uint(ctx, c, ROLE_SAMPLING_SIZE)))
		rate = field_uint(ctx, c, ROLE_SAMPLING_POPULATION) / n;
	else
		rate = field_uint(ctx, c, ROLE_SAMPLING_INTERVAL);
	return rate > 0xffffffff ? 0xffffffff : rate;
}

/* Options data: what the exporter says of its sampling and its boot. The
 * entry is built in the cursor, not on the stack: the walk's call chain has
 * 512 octets for all of it. */
static __always_inline void read_options(struct xdp_md *ctx, struct flow_cursor *c,
					 struct haystack_stats *st)
{
	struct exporter_key key = {
		.domain_id = c->key.domain_id,
		.version = c->key.version,
	};
	struct exporter_info *info = &c->info, *old;
	__u32 rate;

	st->options_records++;
	__builtin_memcpy(key.exporter, c->key.exporter, 16);
	old = bpf_map_lookup_elem(&exporters, &key);
	if (old)
		*info = *old;
	else
		__builtin_memset(info, 0, sizeof(*info));
	rate = stated_sampling(ctx, c);
	if (rate)
		info->sampling = rate;
	else if (c->len[ROLE_SAMPLING_INTERVAL])
		info->sampling = 1;	/* an interval of 0: unsampled */
	if (c->len[ROLE_SYSTEM_INIT_MS])
		info->system_init_ms = field_uint(ctx, c, ROLE_SYSTEM_INIT_MS);
	info->last_seen = c->rec.export_time;
	if (bpf_map_update_elem(&exporters, &key, info, 0))
		st->exporters_full++;
	/* A sampler's own rate too, for the records that name it; the
	 * exporter's entry above serves those that name none. */
	key.sampler_id = field_uint(ctx, c, ROLE_SAMPLER_ID);
	if (key.sampler_id && (rate || c->len[ROLE_SAMPLING_INTERVAL])) {
		__u64 last_seen = info->last_seen;

		__builtin_memset(info, 0, sizeof(*info));
		info->sampling = rate ? rate : 1;
		info->last_seen = last_seen;
		if (bpf_map_update_elem(&exporters, &key, info, 0))
			st->exporters_full++;
	}
}

/* The rate of the sampler a data record names, 0 when it names none or one
 * no options data defined. */
static __always_inline __u32 sampler_rate(struct xdp_md *ctx, const struct flow_cursor *c)
{
	struct exporter_key key = {
		.domain_id = c->key.domain_id,
		.version = c->key.version,
	};
	struct exporter_info *info;

	if (!c->len[ROLE_SAMPLER_ID])
		return 0;
	key.sampler_id = field_uint(ctx, c, ROLE_SAMPLER_ID);
	if (!key.sampler_id)
		return 0;
	__builtin_memcpy(key.exporter, c->key.exporter, 16);
	info = bpf_map_lookup_elem(&exporters, &key);
	return info ? info->sampling : 0;
}

/* A flow record's time: absolute fields first, else exporter uptime. */
static __always_inline __u64 flow_time_ms(struct xdp_md *ctx, const struct flow_cursor *c,
					  __u32 role_ms, __u32 role_sec, __u32 role_uptime)
{
	__u64 up;

	if (c->len[role_ms])
		return field_uint(ctx, c, role_ms);
	if (c->len[role_sec])
		return field_uint(ctx, c, role_sec) * 1000;
	if (!c->len[role_uptime])
		return 0;
	up = field_uint(ctx, c, role_uptime);
	if (c->key.version == NETFLOW_V9)
		return c->rec.export_time * 1000 - (__u32)(c->sys_uptime - up);
	return c->system_init_ms ? c->system_init_ms + up : 0;
}

/* The first of three roles the record has: delta, then post, then total
 * counters (YAF sends only totals). */
static __always_inline __u64 field_first(struct xdp_md *ctx, const struct flow_cursor *c,
					 __u32 a, __u32 b, __u32 total)
{
	if (c->len[a])
		return field_uint(ctx, c, a);
	if (c->len[b])
		return field_uint(ctx, c, b);
	return field_uint(ctx, c, total);
}

static __always_inline bool load_pair(struct xdp_md *ctx, const struct flow_cursor *c,
				      __u32 src, __u32 dst, struct flow_record *rec)
{
	return load_addr(ctx, c->off + c->at[src], c->len[src], rec->src) &&
	       load_addr(ctx, c->off + c->at[dst], c->len[dst], rec->dst);
}

static __always_inline bool pair_is_zero(const struct flow_record *rec, __u32 from)
{
	__u8 any = 0;

	for (__u32 i = 0; i < 16; i++)
		any |= i >= from ? rec->src[i] | rec->dst[i] : 0;
	return !any;
}

/*
 * A template may carry both families (Procera PacketLogic, Cisco IOS XR MPLS
 * templates): the record's addresses are the family whose fields are not all
 * zero, IPv4 when both are set, as nfdump does. IPv4 sits in the last four
 * octets of its mapped form.
 */
static __always_inline bool read_addresses(struct xdp_md *ctx, const struct flow_cursor *c,
					   struct flow_record *rec)
{
	bool v4 = load_pair(ctx, c, ROLE_SRC4, ROLE_DST4, rec);

	/* most templates carry one family: no second look */
	if (v4 && (!c->len[ROLE_SRC6] || !pair_is_zero(rec, 12)))
		return true;
	if (load_pair(ctx, c, ROLE_SRC6, ROLE_DST6, rec) && (!v4 || !pair_is_zero(rec, 0)))
		return true;
	return v4 && load_pair(ctx, c, ROLE_SRC4, ROLE_DST4, rec);
}

/* What of a flow record only evidence and --records need: its flags,
 * counters, sampling and times. */
static __always_inline void read_rest(struct xdp_md *ctx, struct flow_cursor *c,
				      struct haystack_stats *st, const struct haystack_config *cfg,
				      struct flow_record *rec)
{
	__u32 sampling;

	rec->tcp_flags = field_uint(ctx, c, ROLE_TCP_FLAGS);
	rec->packets = field_first(ctx, c, ROLE_PACKETS, ROLE_OUT_PACKETS, ROLE_TOTAL_PACKETS);
	rec->bytes = field_first(ctx, c, ROLE_BYTES, ROLE_OUT_BYTES, ROLE_TOTAL_BYTES);
	/* a flow all the same (NSEL events carry no counter): evidence of
	 * its domain, nothing towards activity */
	if (!c->len[ROLE_PACKETS] && !c->len[ROLE_OUT_PACKETS] && !c->len[ROLE_TOTAL_PACKETS])
		st->no_packet_count++;
	/* Some exporters state the rate in every record; others name the
	 * sampler (akvorado's two samplers, 1-in-2000 and 1-in-4000). */
	sampling = stated_sampling(ctx, c);
	if (!sampling)
		sampling = sampler_rate(ctx, c);
	rec->sampling = sampling ? sampling : c->sampling;
	/* Flow times only show in --records: not read otherwise. */
	if (cfg->flags & HAYSTACK_F_RECORDS) {
		rec->start_ms = flow_time_ms(ctx, c, ROLE_START_MS, ROLE_START_SEC,
					     ROLE_FIRST_UPTIME);
		rec->end_ms = flow_time_ms(ctx, c, ROLE_END_MS, ROLE_END_SEC,
					   ROLE_LAST_UPTIME);
	}
}

static __always_inline void read_flow(struct xdp_md *ctx, struct flow_cursor *c,
				      struct haystack_stats *st, const struct haystack_config *cfg)
{
	struct flow_record *rec = &c->rec;
	__u64 sport, dport, proto;

	if (!read_addresses(ctx, c, rec)) {
		st->no_addresses++;
		return;
	}
	sport = field_uint(ctx, c, ROLE_SPORT);
	dport = field_uint(ctx, c, ROLE_DPORT);
	proto = field_uint(ctx, c, ROLE_PROTO);
	/* A port or protocol sent in more octets than its type (RFC 7011
	 * §6.2 allows fewer, never more) is read whole: a value beyond the
	 * type is no port or protocol, and never cut down to one. */
	if (sport > 0xffff || dport > 0xffff || proto > 0xff) {
		st->value_out_of_range++;
		return;
	}
	rec->template_id = c->key.template_id;
	rec->sport = sport;
	rec->dport = dport;
	rec->proto = proto;
	read_rest(ctx, c, st, cfg, rec);
	rec->subscriber_side = 0;
	rec->ruleset = 0;
	rec->rule_mask = 0;
	classify_record(st, cfg, c->bin, rec);
}

__noinline int decode_record(struct xdp_md *ctx, struct flow_cursor *c, struct haystack_stats *st,
			     const struct haystack_config *cfg)
{
	const struct flow_template *t;
	__u32 len = 0;

	if (!ctx || !c || !st || !cfg)
		return 1;
	if (c->record_len) {
		len = c->record_len;	/* fits: a shorter rest is padding */
	} else {
		t = bpf_map_lookup_elem(&templates, &c->key);
		if (t)		/* else withdrawn by another CPU meanwhile */
			len = locate_fields(ctx, c, t);
		if (!len) {
			st->truncated_record += t != NULL;
			c->off = c->set_end;
			return 0;
		}
	}
	if (c->set_options)
		read_options(ctx, c, st);
	else
		read_flow(ctx, c, st, cfg);
	c->off += len;
	return 0;
}

/* Records a step of decode_fixed(): 30 of a 1,500-octet datagram fit */
#define FIXED_STEP_RECORDS	32

/*
 * Records of a data set whose template has a fixed layout (struct
 * template_fixed), up to FIXED_STEP_RECORDS. Of a record, its addresses,
 * ports and protocol are read at the offsets its template gave, and the
 * rest (read_rest()) only when it matched or goes to user space whole
 * (--records): most records miss. Returns 0, or 1 when the record at
 * c->off is for decode_record() (its fields not all in the part of the
 * frame read directly).
 */
__noinline int decode_fixed(struct xdp_md *ctx, struct flow_cursor *c, struct haystack_stats *st,
			    const struct haystack_config *cfg)
{
	struct flow_record *rec;
	void *data, *data_end;

	if (!ctx || !c || !st || !cfg)
		return 1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	rec = &c->rec;
	rec->template_id = c->key.template_id;
	for (__u32 i = 0; i < FIXED_STEP_RECORDS; i++) {
		__u32 off = c->off, len = c->record_len;
		__u8 *s, *d, *sp, *dp, *pr;
		int result;

		if (off >= c->set_end || c->set_end - off < len)
			return 0;	/* the set's end, or padding */
		if (off + len > DIRECT_MAX)
			return 1;
		/* Each field's own bound: the verifier follows no bound
		 * from one packet pointer to another at an offset it cannot
		 * see. The record is in the frame; these cost a compare. */
		sp = data + direct_offset(off + c->fixed.sport);
		dp = data + direct_offset(off + c->fixed.dport);
		pr = data + direct_offset(off + c->fixed.proto);
		if ((void *)(sp + 2) > data_end || (void *)(dp + 2) > data_end ||
		    (void *)(pr + 1) > data_end)
			return 1;
		s = data + direct_offset(off + c->fixed.src);
		d = data + direct_offset(off + c->fixed.dst);
		if (c->fixed.family == 4) {
			if ((void *)(s + 4) > data_end || (void *)(d + 4) > data_end)
				return 1;
			addr_from_v4_aligned(rec->src, *(__be32 *)s);
			addr_from_v4_aligned(rec->dst, *(__be32 *)d);
		} else {
			if ((void *)(s + 16) > data_end || (void *)(d + 16) > data_end)
				return 1;
			/* two loads each (XDP takes unaligned packet reads),
			 * not sixteen */
			((__u64 *)rec->src)[0] = ((const __u64 *)s)[0];
			((__u64 *)rec->src)[1] = ((const __u64 *)s)[1];
			((__u64 *)rec->dst)[0] = ((const __u64 *)d)[0];
			((__u64 *)rec->dst)[1] = ((const __u64 *)d)[1];
		}
		rec->sport = bpf_ntohs(*(__be16 *)sp);
		rec->dport = bpf_ntohs(*(__be16 *)dp);
		rec->proto = *pr;
		rec->subscriber_side = 0;
		rec->ruleset = 0;
		rec->rule_mask = 0;
		result = classify_match(st, cfg, rec);
		if (result >= 0) {
			read_rest(ctx, c, st, cfg, rec);
			classify_count(st, cfg, c->bin, rec, result);
		}
		c->off = off + len;
	}
	return 0;
}

/* The set header at c->set_end. Returns 1 when the message is done. */
__noinline int next_set(struct xdp_md *ctx, struct flow_cursor *c, struct haystack_stats *st,
			const struct haystack_config *cfg)
{
	__u32 off, id, len, timeout, template_set, options_set;
	struct exporter_key ekey = {};
	struct exporter_info *info;
	struct flow_template *t;

	if (!ctx || !c || !st || !cfg)
		return 1;
	off = c->set_end;
	c->off = off;
	c->set_kind = SET_NONE;
	if (off >= c->end)
		return 1;
	if (off > MAX_OFFSET || off + SET_HEADER_LEN > c->end) {
		st->bad_set_length++;
		return 1;
	}
	id = load_uint(ctx, off, 2);
	len = load_uint(ctx, off + 2, 2);
	if (len < SET_HEADER_LEN) {
		st->bad_set_length++;
		return 1;
	}
	if (off + len > c->end) {
		st->set_overruns_packet++;
		return 1;
	}
	c->off = off + SET_HEADER_LEN;
	c->set_end = off + len;

	template_set = c->key.version == NETFLOW_V9 ? 0 : 2;
	options_set = template_set + 1;
	if (id == template_set || id == options_set) {
		c->set_kind = id == template_set ? SET_TEMPLATE : SET_OPTIONS_TEMPLATE;
		c->min_record = SET_HEADER_LEN;	/* a withdrawal is 4 octets */
		return 0;
	}
	if (id < 256) {
		st->bad_set_id++;
		c->off = c->set_end;
		return 0;
	}
	c->key.template_id = id;
	t = bpf_map_lookup_elem(&templates, &c->key);
	if (!t) {
		st->unknown_template++;
		c->off = c->set_end;
		return 0;
	}
	timeout = cfg->template_timeout ? cfg->template_timeout : HAYSTACK_TEMPLATE_TIMEOUT;
	if (c->rec.export_time > t->last_seen + timeout) {
		bpf_map_delete_elem(&templates, &c->key);
		st->template_expired++;
		c->off = c->set_end;
		return 0;
	}
	c->set_kind = SET_DATA;
	c->min_record = t->min_len;
	c->record_len = t->record_len;
	c->set_options = t->options;
	c->fixed = t->fixed;
	if (t->record_len) {	/* one layout for every record of the set */
		/* word copies, not a loop over the slots: 480 instructions
		 * run a set, some 16 a record */
		_Static_assert(sizeof(c->at) == sizeof(t->role_offset) &&
			       sizeof(c->len) == sizeof(t->role_length), "role slots");
		__builtin_memcpy(c->at, t->role_offset, sizeof(c->at));
		__builtin_memcpy(c->len, t->role_length, sizeof(c->len));
	}

	__builtin_memcpy(ekey.exporter, c->key.exporter, 16);
	ekey.domain_id = c->key.domain_id;
	ekey.version = c->key.version;
	info = bpf_map_lookup_elem(&exporters, &ekey);
	c->sampling = info ? info->sampling : 0;
	c->system_init_ms = info ? info->system_init_ms : 0;
	return 0;
}

/* One step of the walk. Returns 1 when the message is done. */
__noinline int flow_step(struct xdp_md *ctx, struct flow_cursor *c, struct haystack_stats *st,
			 const struct haystack_config *cfg)
{
	if (!ctx || !c || !st || !cfg)
		return 1;
	if (c->set_kind == SET_NONE || c->off >= c->set_end ||
	    c->set_end - c->off < c->min_record)	/* padding */
		return next_set(ctx, c, st, cfg);
	if (c->set_kind != SET_DATA)
		return parse_template_record(ctx, c, st);
	if (c->fixed.family && !decode_fixed(ctx, c, st, cfg))
		return 0;
	/* Up to eight records of a fixed-length set in one step: a step of
	 * bpf_loop costs about as much as reading a record (make bench: 87
	 * -> 70 ns a v9 record). Unrolled, so no counter takes stack. */
#pragma unroll
	for (int k = 0; k < 8; k++) {
		if (decode_record(ctx, c, st, cfg))
			return 1;
		if (!c->record_len || c->off >= c->set_end || c->set_end - c->off < c->min_record)
			break;
	}
	return 0;
}

struct walk {
	struct xdp_md *ctx;
	struct flow_cursor *c;
	struct haystack_stats *st;
	const struct haystack_config *cfg;
};

static long walk_step(__u32 i, struct walk *w)
{
	return flow_step(w->ctx, w->c, w->st, w->cfg) ? 1 : 0;	/* 1 stops the loop */
}

/* The UDP payload of pkt, an export packet: counted in exactly one export
 * packet outcome (its header's), then walked. */
static __always_inline void parse_template_flows(struct xdp_md *ctx, struct haystack_stats *st,
						 const struct haystack_config *cfg,
						 const struct packet *pkt, __u16 version)
{
	void *data = (void *)(long)ctx->data;
	__u32 zero = 0, hlen, msg_len, domain, sys_uptime = 0;
	struct walk w = { .ctx = ctx, .st = st, .cfg = cfg };
	struct flow_cursor *c;
	__u64 t, off;
	long steps;

	if (version == NETFLOW_V9) {
		struct netflow_v9_header *h = pkt->payload;

		if ((void *)(h + 1) > pkt->end || pkt->payload_len < sizeof(*h)) {
			st->truncated_header++;
			return;
		}
		t = bpf_ntohl(h->unix_secs);
		domain = bpf_ntohl(h->source_id);
		sys_uptime = bpf_ntohl(h->sys_uptime);
		hlen = sizeof(*h);
		msg_len = pkt->payload_len;	/* v9 has no length: the datagram is the message */
		st->v9_packets++;
	} else {
		struct ipfix_header *h = pkt->payload;

		if ((void *)(h + 1) > pkt->end || pkt->payload_len < sizeof(*h)) {
			st->truncated_header++;
			return;
		}
		msg_len = bpf_ntohs(h->length);
		if (msg_len < sizeof(*h)) {
			st->truncated_header++;
			return;
		}
		if (msg_len > pkt->payload_len) {
			st->length_exceeds_packet++;
			return;
		}
		t = bpf_ntohl(h->export_time);
		domain = bpf_ntohl(h->domain_id);
		hlen = sizeof(*h);
		st->ipfix_packets++;
	}
	c = bpf_map_lookup_elem(&cursor, &zero);
	if (!c)
		return;
	c->clock_verdict = clock_check(st, pkt->src, CLOCK_SCOPE(domain, version), t);
	if (c->clock_verdict == CLOCK_JUMP)
		return;
	/* what of the datagram is valid is known after the walk */
	c->read_before = st->records + st->options_records + st->templates + st->options_templates;
	c->sys_uptime = sys_uptime;
	c->bin = bin_of(cfg, t);

	__builtin_memset(&c->rec, 0, sizeof(c->rec));
	__builtin_memcpy(c->rec.exporter, pkt->src, 16);
	c->rec.version = version;
	c->rec.export_time = t;
	c->rec.generation = dictionary_at(t, &c->rec.stale, &c->rec.dict_slot);
	c->rec.domain_id = domain;
	__builtin_memcpy(c->key.exporter, pkt->src, 16);
	c->key.domain_id = domain;
	c->key.version = version;
	c->key.template_id = 0;

	off = pkt->payload - data;
	if (off > MAX_OFFSET)
		return;
	c->set_end = off + hlen;	/* the first set header is read from here */
	c->off = c->set_end;
	c->end = off + msg_len;
	c->set_kind = SET_NONE;
	c->min_record = 0;
	/* bpf_loop: the verifier checks one step, not every iteration. */
	w.c = c;
	steps = bpf_loop(HAYSTACK_MAX_STEPS, walk_step, &w, 0);
	/* Out of steps with the last record read exactly to the end of the
	 * message: nothing was left unread. */
	if (steps == HAYSTACK_MAX_STEPS && c->off < c->end)
		st->records_over_limit++;
	if (st->records + st->options_records + st->templates + st->options_templates >
	    c->read_before)
		clock_commit(st, pkt->src, CLOCK_SCOPE(domain, version), t, c->clock_verdict);
}
