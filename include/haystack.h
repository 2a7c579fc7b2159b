/* SPDX-License-Identifier: GPL-2.0 */
/*
 * haystack — structs and constants shared by the XDP program and the agent.
 *
 * This header is the single source of truth for every map layout. Every key
 * and value is a named struct so that `bpftool map dump pinned
 * /sys/fs/bpf/haystack/<map>` prints readable fields from BTF.
 * Fixed-width types only, explicit padding, no pointers.
 */
#pragma once

#include <linux/types.h>
#include "haystack_counters.h"

#define HAYSTACK_PIN_DIR	"/sys/fs/bpf/haystack"

/* Collector UDP ports the program inspects (DESIGN §3 default 2055,4739,9995). */
#define HAYSTACK_MAX_PORTS	8
/* Rules (domain × port/proto) one service prefix may carry; the dictionary
 * loader refuses a dictionary that needs more at one prefix. */
#define HAYSTACK_MAX_RULES	16
/* NetFlow v5 carries at most 30 records a packet. */
#define HAYSTACK_V5_MAX_RECORDS	30
/* Evidence is kept per hour; longer bins are sums of hours (DESIGN §2:
 * active use is judged per hour). */
#define HAYSTACK_BASE_BIN	3600
/* Report bin widths one agent keeps (--bins 1h,1d is two). */
#define HAYSTACK_REPORT_WIDTHS	4

/* Dictionaries loaded at once: today's, tomorrow's loaded the evening
 * before, and the ones open bins still need (dictionaries below). */
#define HAYSTACK_MAX_DICTIONARIES	8

/* Default map sizes, for all loaded dictionaries together; run and replay
 * set others before load (--max-evidence, ...). Plain decimals: the option
 * help prints them as they are written here. */
#define HAYSTACK_MAX_ENDPOINTS	1048576		/* 2^20 */
#define HAYSTACK_MAX_RULESETS	65536
#define HAYSTACK_MAX_SUBSCRIBER_PREFIXES 65536
#define HAYSTACK_MAX_EXPORTER_PREFIXES	16384
#define HAYSTACK_MAX_EVIDENCE	1048576		/* 2^20 */
#define HAYSTACK_MAX_TEMPLATES	4096
#define HAYSTACK_MAX_EXPORTERS	4096
/* Exporter clocks (exporter_clocks, LRU): a flood from spoofed sources
 * evicts the least recently heard, never refuses one that keeps talking. */
#define HAYSTACK_MAX_EXPORTER_CLOCKS	16384

/*
 * NetFlow v9 / IPFIX. A template may have at most this many fields; one
 * with more is refused (stats.template_too_long) and its data sets are then
 * unknown, never read with a guessed layout.
 */
#define HAYSTACK_TEMPLATE_MAX_FIELDS	64
/* Sets, template records and data records walked in one export datagram.
 * Each step reads at least one octet, so a message of 65,535 octets needs
 * fewer; what would lie beyond is counted in stats.records_over_limit. */
#define HAYSTACK_MAX_STEPS		65536
/* Templates not refreshed for this long (export time) are dropped: three
 * times the longest default refresh among common exporters (FortiGate's
 * template-tx-timeout, 30 min; Juniper's template-refresh-rate is 600 s). */
#define HAYSTACK_TEMPLATE_TIMEOUT	5400
/* An export time further than this from its exporter's accepted clock is a
 * jump (stats.export_time_jump): its datagram is not read. An exporter
 * whose clock really changed is followed once HAYSTACK_CLOCK_FOLLOW
 * datagrams in a row agree with each other (each within the window of the
 * one before). A bit flip or a 1970/2106 header is one datagram; a real
 * clock change goes on. */
#define HAYSTACK_CLOCK_WINDOW	86400
#define HAYSTACK_CLOCK_FOLLOW	8
/* Ring buffer for --records (decoded flow records as read in the kernel). */
#define HAYSTACK_RECORDS_RING	(4 << 20)

/*
 * Addresses: IPv4 is stored as an IPv4-mapped IPv6 address (::ffff:a.b.c.d),
 * so one LPM trie serves both families; an IPv4 /n prefix is a /(96+n).
 */
struct haystack_lpm_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* subscriber_prefixes: LPM trie, haystack_lpm_key -> subscriber_prefix */
struct subscriber_prefix {
	__u32 id;		/* position in the subscribers file, from 0 */
};

/*
 * subscriber_blocks: ARRAY, mmapable, of subscriber_block: the IPv4
 * subscriber prefixes again, as two bits per /16 and per /24, so that the
 * end of a record that is no subscriber's is told by an array read instead
 * of a trie walk. Entry a.b.c.d >> 22, bit (a.b.c.d >> 16) & 63, is the /16:
 * any, some subscriber prefix covers part of it; all, one covers it whole.
 * Entry HAYSTACK_SUBSCRIBER_BLOCKS16 + (a.b.c.d >> 14), bit (a.b.c.d >> 8) &
 * 63, is the /24, the same way. The 16 KiB of /16s stay in the CPU's cache
 * and answer most ends; a /16 with any and not all is told by its /24 (4
 * MiB); only a /24 with any and not all (a prefix longer than /24 in it) is
 * looked up in subscriber_prefixes, which stays the authoritative map.
 * IPv6 has its /24s (the first three octets) from HAYSTACK_SUBSCRIBER_BLOCKS6
 * on, the same way: an ISP's IPv6 blocks lie in a few of them, the internet's
 * addresses mostly elsewhere. Written by the agent with the trie, from the
 * same list.
 */
#define HAYSTACK_SUBSCRIBER_BLOCKS16	(1U << 10)	/* 2^16 /16s, 64 a word */
#define HAYSTACK_SUBSCRIBER_BLOCKS6	(HAYSTACK_SUBSCRIBER_BLOCKS16 + (1U << 18))
#define HAYSTACK_SUBSCRIBER_BLOCKS	(HAYSTACK_SUBSCRIBER_BLOCKS6 + (1U << 18))

struct subscriber_block {
	__u64 any;
	__u64 all;
};

/* exporter_allow: LPM trie, haystack_lpm_key -> exporter_prefix. The
 * sources export datagrams are read from (--exporters), in force when the
 * config has HAYSTACK_F_EXPORTERS. */
struct exporter_prefix {
	__u32 id;		/* position in the exporters file, from 0 */
};

/*
 * dictionaries: ARRAY with one entry, mmapable: which dictionaries are
 * loaded, each a generation. The one in force at export time t is the live
 * slot with the latest valid_from <= t (the earliest when t is before all;
 * of equal valid_from, the later load: the higher generation). Its endpoints
 * and rule sets are keyed by its generation, so a record is classified by
 * one dictionary only. A slot is written while its bit in live is clear and
 * not changed while it is set; the agent publishes a slot, or withdraws it,
 * with one atomic store of live. A load claims its slot first (claimed,
 * not live), writes everything of the dictionary (endpoints, rule sets,
 * service_hosts, the slot's service_prefilter region, below), then sets
 * live; a withdrawn slot stays claimed until its endpoints are removed,
 * once no datagram can still be using it.
 */
#define HAYSTACK_DICT_PATH_MAX	256

struct dictionary_slot {
	__u64 valid_from;	/* UTC seconds; 0 = from the beginning */
	__u64 valid_until;	/* UTC seconds; ~0 = open-ended */
	__u64 dict_hash;	/* FNV-1a of the dictionary file */
	__u32 generation;	/* 1, 2, ... in load order, never reused */
	__u32 n_domains;
	/* the file, absolute: a running or restarted agent reads its classes
	 * and domain names from there (checked against dict_hash) */
	char path[HAYSTACK_DICT_PATH_MAX];
};

struct dictionary_schedule {
	__u64 live;		/* bit i: slot[i] is loaded and may be chosen */
	__u64 claimed;		/* bit i: slot[i] is taken (being written, or live) */
	__u32 last_generation;	/* the highest generation handed out here */
	__u32 _pad;
	struct dictionary_slot slot[HAYSTACK_MAX_DICTIONARIES];
};

/* service_endpoints: LPM trie, endpoint_key -> service_endpoint. The first
 * 32 bits of every prefix are its dictionary's generation, so a lookup sees
 * only that dictionary's prefixes. Overlaps are resolved at load time: a
 * prefix carries the rules of every dictionary prefix that contains it, so
 * the longest match is complete. */
struct endpoint_key {
	__u32 prefixlen;	/* 32 + the address prefix length (IPv4: 32 + 96 + n) */
	__be32 generation;
	__u8 addr[16];
};

struct service_endpoint {
	__u32 ruleset;		/* with the generation, the key of endpoint_rules */
};

/* endpoint_rules: HASH, ruleset_key -> endpoint_ruleset */
struct ruleset_key {
	__u32 generation;
	__u32 ruleset;		/* 0, 1, ... within its dictionary */
};

struct endpoint_rule {
	__u32 domain;		/* index of the domain in the loaded dictionary */
	__u16 port;		/* host byte order; 0 = any port */
	__u8 proto;		/* IPPROTO_*; 0 = any protocol */
	__u8 _pad;
};

/* endpoint_rules: ARRAY, __u32 -> endpoint_ruleset */
struct endpoint_ruleset {
	__u32 count;
	__u32 _pad;
	struct endpoint_rule rule[HAYSTACK_MAX_RULES];
};

/*
 * evidence: HASH, evidence_key -> evidence_value. One entry per subscriber,
 * hour, rule set and set of rules matched, so the agent can tell exactly
 * which domains a group of records matched and count a record once per class.
 * A plain hash, not LRU: silently evicted evidence would be a wrong count.
 * Failed inserts are counted in stats.evidence_full.
 */
struct evidence_key {
	__u8 subscriber[16];
	__u64 bin_start;	/* UTC seconds, multiple of HAYSTACK_BASE_BIN */
	__u32 generation;	/* the dictionary that classified the records */
	__u32 ruleset;
	__u32 rule_mask;	/* bit i: rule[i] of the rule set matched */
	__u32 _pad;
};

struct evidence_value {
	__u64 packets;		/* sampled packets, as exported */
	__u64 bytes;
	__u64 records;
	__u64 packets_estimate;	/* packets × the sampling rate of each record */
};

/*
 * evidence_tables: HASH_OF_MAPS, evidence_table_key -> an hour table: the
 * evidence of one hour, counted by one dictionary generation, of IPv4
 * subscribers, at 24 octets a (subscriber, rule set, rules matched) and no
 * allocation, where the evidence hash takes ~136 (docs/benchmarks.md). The
 * agent creates a table for the hours about to be counted, sized from the
 * hours before, and reads it through mmap. A record whose hour and
 * generation have no table, or whose table has no room near its key, or of
 * an IPv6 subscriber, or of a rule set or rule mask over 16 bits, goes to the
 * evidence hash as before (stats.evidence_table_full counts the full table):
 * a table is only a faster place for the same evidence, the harvest adds
 * both up.
 *
 * A table is an ARRAY (BPF_F_MMAPABLE) of evidence_bucket. Bucket 0 is its
 * header (evidence_table_header: key[0] the number n of buckets after it,
 * any number, so a table is sized to what it holds). A key lies in one of
 * two buckets, 1 + h x n / 2^32 for h the top and the bottom 32 bits of
 * HAYSTACK_TABLE_MIX(key) (the next one when both are the same): in the
 * first, or the second, then a new key in the one with more free ways. A
 * bucket's ways fill in order and are never freed; a compare-and-swap
 * claims a free way and the counts are added atomically. Two CPUs may put
 * one new key in both buckets: the harvest adds them up. Two choices keep
 * a table filled to four fifths with a spill of 0.02 % (one bucket and the
 * next: 2.5 %).
 */
struct evidence_table_key {
	__u64 hour;		/* UTC seconds, multiple of HAYSTACK_BASE_BIN */
	__u32 generation;
	__u32 _pad;
};

#define HAYSTACK_TABLE_WAYS	8
/* A 64-bit mixer (splitmix64's finaliser): both halves of it depend on
 * every bit of the key. */
#define HAYSTACK_TABLE_MIX(k) ({						\
	__u64 _h = (k);								\
	_h = (_h ^ (_h >> 30)) * 0xbf58476d1ce4e5b9ULL;				\
	_h = (_h ^ (_h >> 27)) * 0x94d049bb133111ebULL;				\
	_h ^ (_h >> 31);							\
})
/* Buckets of a table: at most 2^26 (12 GiB) */
#define HAYSTACK_TABLE_BUCKETS_MAX	(1U << 26)
/* Tables (hours x generations) kept at once: a day of hours and the next
 * few, each with two dictionaries. */
#define HAYSTACK_MAX_TABLES	64
/* A way's key: the subscriber's IPv4 address (host byte order) << 32 |
 * rule set << 16 | rule mask; never 0, a mask has a bit set. 0: free. */
#define HAYSTACK_TABLE_KEY(addr, ruleset, mask) \
	((__u64)(addr) << 32 | (__u64)(ruleset) << 16 | (mask))
#define HAYSTACK_TABLE_KEY_ADDR(k)	((__u32)((k) >> 32))
#define HAYSTACK_TABLE_KEY_RULESET(k)	((__u32)((k) >> 16) & 0xffff)
#define HAYSTACK_TABLE_KEY_MASK(k)	((__u32)(k) & 0xffff)

struct evidence_count {
	__u64 packets;		/* sampled packets, as exported */
	__u64 packets_estimate;	/* packets x the sampling rate of each record */
};

/* The keys first: a lookup reads one cache line, the counts of its way a
 * second. */
struct evidence_bucket {
	__u64 key[HAYSTACK_TABLE_WAYS];
	struct evidence_count count[HAYSTACK_TABLE_WAYS];
};

/* Bucket 0 of a table, as its key[] words. */
enum evidence_table_header {
	TABLE_HEADER_BUCKETS,	/* the buckets after this one */
	TABLE_HEADER_HOUR,	/* the table's key, for a reader of the map alone */
	TABLE_HEADER_GENERATION,
	/* A fold table's (below; 0 in an hour table): */
	TABLE_HEADER_WIDTH,	/* its bin's seconds; HOUR is the bin's start */
	TABLE_HEADER_FOLDED_UNTIL,	/* the hour tables of hours before it are in it */
	TABLE_HEADER_FOLDING,	/* the hour being added, 0: none */
	/* how far: the next way of that hour's table << 32 | 1 + the way of
	 * this one being changed, whose key and counts before are in
	 * count[0].packets, count[1] (0: none) */
	TABLE_HEADER_FOLD_STEP,
	/* what a fold's keys are mixed with before they are placed: a way's
	 * buckets independent of those it had in the table read (whose order
	 * a fold is filled in), new each time the fold grows */
	TABLE_HEADER_FOLD_SEED,
};

/*
 * A fold table: the hour tables of one generation for the hours of a
 * longer report bin (a day) already reported, added up by the agent as each
 * hour is reported, so that the kernel holds the open hours' tables alone
 * (docs/operations.md, "Folding the hours"). The layout of an hour table,
 * never in evidence_tables: the program does not see it. Beside the
 * evidence, a way whose mask is 0 (HAYSTACK_FOLD_ACTIVE) says the
 * subscriber was active for a class in one of the hours: the class's index
 * in the generation's dictionary where the rule set is.
 */
#define HAYSTACK_FOLD_ACTIVE(addr, class_id)	HAYSTACK_TABLE_KEY(addr, class_id, 0)

/* Where a report step goes in the --out file: the file (st_dev, st_ino),
 * its size before the step, the step's length in bytes. Zero: no file
 * (standard output, a pipe). */
struct report_step {
	__u64 dev;
	__u64 ino;
	__u64 offset;
	__u64 length;
};

/* config: ARRAY with one entry */
struct haystack_config {
	__u16 ports[HAYSTACK_MAX_PORTS];	/* host byte order; 0 = unused */
	__u32 bin_seconds;			/* HAYSTACK_BASE_BIN; 0 = that */
	__u32 flags;				/* HAYSTACK_F_* */
	__u64 dict_hash;			/* FNV-1a of the --dict files of the run
						 * that wrote it (dictionaries: each one's) */
	__u64 closed_before;			/* UTC seconds: the agent has reported
						 * the bins before this (live mode) */
	__u32 sampling;				/* 1-in-N for every record (--sampling);
						 * 0 = as the exporter says */
	__u32 template_timeout;			/* seconds of export time; 0 = default */
	/* The agent's own progress, kept here so that the run taking over
	 * reports every bin exactly once: for each report width (--bins),
	 * the start of its first bin not yet reported. Width 0 = unused. */
	__u32 report_width[HAYSTACK_REPORT_WIDTHS];
	__u64 report_next[HAYSTACK_REPORT_WIDTHS];
	/* Live mode: records of an export time past this (UTC s) add no
	 * evidence (stats.past_time_ceiling): the agent writes the host's
	 * clock + HAYSTACK_CLOCK_WINDOW every second. 0 = none (replay). */
	__u64 time_ceiling;
	/* CLOCK_MONOTONIC ns when time_ceiling was written: the program moves
	 * the ceiling on with the host's clock from there, so it stays right
	 * when no agent refreshes it (run --keep, a crash). 0 = fixed. */
	__u64 time_ceiling_ns;
	/* The report step being appended to --out, noted before its write
	 * and its bins noted reported only after: an agent that dies part
	 * way through the write leaves the file between offset and offset +
	 * length, and the run taking over cuts it back to offset and writes
	 * those bins again (docs/operations.md, Restarts). */
	struct report_step step;
};

/* Consume export packets (XDP_DROP) instead of passing them on. */
#define HAYSTACK_F_CONSUME	(1U << 0)
/* Send every decoded record to the records ring buffer (--records). */
#define HAYSTACK_F_RECORDS	(1U << 1)
/* The agent has filled the maps and written this entry, the last thing it
 * writes: until then frames are only counted (stats.not_configured). */
#define HAYSTACK_F_CONFIGURED	(1U << 2)
/* Set by the running agent while its interface is gone (and the program
 * with it), for `haystack status`; the program never reads it. */
#define HAYSTACK_F_IFACE_GONE	(1U << 3)
/* Read export datagrams only from the sources in exporter_allow
 * (--exporters): NetFlow and IPFIX are UDP, and a source address is easily
 * spoofed. Without it every source is read. */
#define HAYSTACK_F_EXPORTERS	(1U << 4)

/*
 * agent: ARRAY with one entry, the running agent's own state for `haystack
 * status` (the program never reads it). Written by `run` once it is
 * attached, zeroed when it exits leaving the program attached (--keep);
 * pid 0 = no agent has it. The bins it reported are config.report_next.
 */
#define HAYSTACK_VERSION_MAX	32

struct agent_state {
	__u64 start_time;	/* UTC seconds the agent attached */
	__u32 pid;
	__u32 ifindex;
	char ifname[16];	/* IF_NAMESIZE */
	__u32 xdp_mode;		/* enum xdp_attach_mode of libxdp: 1 native, 2 skb, 3 hw */
	__u32 n_bins;
	__u32 bins[HAYSTACK_REPORT_WIDTHS];	/* --bins, seconds */
	char version[HAYSTACK_VERSION_MAX];
};

/*
 * templates: HASH, template_key -> flow_template. NetFlow v9 and IPFIX
 * templates, scoped as the RFCs scope them: exporter address, source ID /
 * observation domain, template ID (and the protocol version).
 */
struct template_key {
	__u8 exporter[16];
	__u32 domain_id;
	__u16 template_id;
	__u16 version;		/* 9 or 10 */
};

/* What haystack reads from a field; anything else is skipped by length. */
enum field_role {
	ROLE_SKIP = 0,
	ROLE_SRC4, ROLE_DST4, ROLE_SRC6, ROLE_DST6,
	ROLE_SPORT, ROLE_DPORT, ROLE_PROTO, ROLE_TCP_FLAGS,
	ROLE_PACKETS, ROLE_BYTES, ROLE_OUT_PACKETS, ROLE_OUT_BYTES,
	ROLE_FIRST_UPTIME, ROLE_LAST_UPTIME,	/* ms since exporter boot (21/22) */
	ROLE_START_SEC, ROLE_END_SEC,		/* IPFIX 150/151 */
	ROLE_START_MS, ROLE_END_MS,		/* IPFIX 152/153 */
	/* options data */
	ROLE_SAMPLING_INTERVAL,			/* v9/IPFIX 34, v9 50 */
	ROLE_PACKET_INTERVAL, ROLE_PACKET_SPACE,	/* IPFIX 305/306 */
	ROLE_SYSTEM_INIT_MS,			/* IPFIX 160 */
	ROLE_TOTAL_PACKETS, ROLE_TOTAL_BYTES,	/* IPFIX 86/85, where 2/1 are absent (YAF) */
	ROLE_SAMPLING_SIZE, ROLE_SAMPLING_POPULATION,	/* IPFIX 309/310 */
	ROLE_SAMPLER_ID,			/* v9 48, IPFIX 302 or 48 */
	ROLE_COUNT,
};

/* Per-role arrays have a power-of-two size, so an index can be masked for
 * the verifier. */
#define ROLE_SLOTS	32

#define TEMPLATE_VARIABLE_LENGTH	0xffff

struct template_field {
	__u16 length;		/* octets, or TEMPLATE_VARIABLE_LENGTH */
	__u8 role;		/* enum field_role */
	__u8 _pad;
};

/*
 * Where a record of a fixed-length flow template has what a miss needs:
 * its addresses, ports and protocol, at these offsets, so that its records
 * are read without a look at any other field, nor a branch on one, until a
 * record matches (bpf/export_v9_ipfix.h, decode_fixed()). Only for
 * templates of one address family whose ports are 2 octets and protocol 1,
 * with a packet counter; family 0: the template is read field by field.
 */
struct template_fixed {
	__u16 src;		/* octets into the record */
	__u16 dst;
	__u16 sport;
	__u16 dport;
	__u16 proto;
	__u8 family;		/* 4: IPv4, 6: IPv6; 0: none */
	__u8 _pad;
};

struct flow_template {
	__u64 last_seen;	/* export time of the datagram that last carried it */
	__u16 record_len;	/* octets of a record; 0 when a field is variable-length */
	__u16 min_len;		/* octets of the fixed-length fields */
	__u16 field_count;
	__u8 options;		/* 1: options template (v9 set 1, IPFIX set 3) */
	__u8 _pad;
	struct template_fixed fixed;
	/* Fixed-length templates: where each role's field sits in a record
	 * (len 0: absent). Variable-length ones are walked field by field. */
	__u16 role_offset[ROLE_SLOTS];
	__u8 role_length[ROLE_SLOTS];
	struct template_field field[HAYSTACK_TEMPLATE_MAX_FIELDS];
};

/* exporters: HASH, exporter_key -> exporter_info, from options data only
 * (sampling, boot time); the clocks are in exporter_clocks. */
struct exporter_key {
	__u8 exporter[16];
	__u32 domain_id;
	__u16 version;		/* 5, 9 or 10 */
	__u16 _pad;
	/* v9 48 / IPFIX 302 or 48 of the options record: that sampler's own
	 * rate, for the records that name it. 0: the exporter's (observation
	 * domain's) rate, the last one announced, for every other record. */
	__u64 sampler_id;
};

struct exporter_info {
	__u32 sampling;		/* 1-in-N the exporter announced; 0 = not said */
	__u32 _pad;
	__u64 system_init_ms;	/* IPFIX 160: UTC ms of exporter boot */
	__u64 last_seen;	/* export time of the options record */
};

/*
 * exporter_clocks: LRU_HASH, exporter_clock_key -> exporter_clock. Every
 * exporter's own clock (v5 exporters too, domain_id engine_type << 8 |
 * engine_id), made by its first datagram with valid records. NetFlow is
 * spoofable UDP: an LRU, so datagrams from ever more sources evict the
 * least recently heard clock and never refuse the one of an exporter that
 * keeps talking (--max-exporter-clocks). Bins close and reports span by
 * these, never by one datagram's header: a datagram moves them only when
 * its time is within HAYSTACK_CLOCK_WINDOW of clock and it held valid
 * records (docs/operations.md, "Time").
 */
struct exporter_clock_key {
	__u8 exporter[16];
	__u32 domain_id;	/* observation domain, v9 source ID, v5 engine */
	__u16 version;		/* 5, 9 or 10 */
	__u16 _pad;
};

struct exporter_clock {
	__u64 clock;		/* the latest export time accepted, UTC s; 0 = none yet */
	__u64 clock_first;	/* the earliest accepted since the clock was (re)started */
	__u64 clock_seen_ns;	/* CLOCK_MONOTONIC ns of the last accepted datagram */
	__u64 candidate;	/* export time of the last datagram refused as a jump */
	__u32 accepted;		/* datagrams accepted since clock_first */
	__u32 candidate_count;	/* consecutive refused datagrams agreeing with candidate */
};

/* What became of a decoded record: the index of the counter it was counted
 * in (STAT_RECORD outcomes), so a record line's reason is that counter's
 * name. */
enum record_result {
	RESULT_MATCHED = STAT_ID(matched),
	RESULT_NOT_SUBSCRIBER = STAT_ID(not_subscriber),
	RESULT_NO_SERVICE = STAT_ID(no_service),
	RESULT_PORT_MISMATCH = STAT_ID(port_mismatch),
	RESULT_EVIDENCE_FULL = STAT_ID(evidence_full),
	RESULT_PAST_TIME_CEILING = STAT_ID(past_time_ceiling),
};

/*
 * One decoded flow record, whatever the export format, and what became of
 * it. The program classifies it and, with HAYSTACK_F_RECORDS, sends it as
 * is through the records ring buffer (`haystack replay --records`).
 */
struct flow_record {
	__u8 exporter[16];
	__u8 src[16];
	__u8 dst[16];
	__u64 export_time;
	__u64 packets;
	__u64 bytes;
	__u64 start_ms;		/* UTC ms; 0 = not in the record */
	__u64 end_ms;
	__u32 domain_id;
	__u32 sampling;		/* rate applied to the estimate (1 = unsampled) */
	__u32 ruleset;
	__u32 rule_mask;
	__u16 template_id;	/* 0 for v5 */
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 tcp_flags;
	__u8 version;
	__u8 result;		/* enum record_result */
	__u8 subscriber_side;	/* 0 none, 1 src, 2 dst */
	__u8 stale;		/* export time past its dictionary's valid_until */
	__u32 generation;	/* the dictionary in force at export_time, 0 = none */
	/* its slot in the dictionaries map, chosen with it (dictionary_pick):
	 * where its service pre-filter lies (service_prefilter, below) */
	__u32 dict_slot;
	__u32 _pad2;
};

/*
 * stats: PERCPU_ARRAY with one entry. A counter for every reason a packet or
 * a record was not counted, so an operator can see why; the counters and
 * what each means are the list in haystack_counters.h.
 */
struct haystack_stats {
#define HAYSTACK_STAT_FIELD(name, kind, help) __u64 name;
	HAYSTACK_COUNTERS(HAYSTACK_STAT_FIELD)
#undef HAYSTACK_STAT_FIELD
	/* export times accepted (HAYSTACK_CLOCK_WINDOW) of datagrams with valid
	 * records, UTC seconds, for status; bins go by the exporters' clocks */
	__u64 export_time_min;
	__u64 export_time_max;
};

/*
 * The fast miss path of the service end, IPv4 only (docs/flows.md, "The
 * service end"). service_endpoints stays the authoritative map, every prefix
 * in it; beside it, per dictionary:
 *
 * service_prefilter: ARRAY of __u64 words, mmapable, one region of
 * HAYSTACK_PREFILTER_SLOT_WORDS words for each slot of the dictionaries map
 * (slot i: words i * HAYSTACK_PREFILTER_SLOT_WORDS ...). A region is three
 * bitmaps, each asked only when the one before says maybe (bit b: word
 * b / 64, bit b % 64, from the bitmap's first word):
 * - the /16s, from HAYSTACK_PREFILTER_AT16: bit n for IPv4 /16 n (the
 *   address >> 16) when an endpoint of the dictionary lies in it or covers
 *   part of it, an IPv6 prefix holding ::ffff:0:0/96 included. 8 KiB: the
 *   misses of most of the address space are told here, in a few pages.
 * - the /24s, from HAYSTACK_PREFILTER_AT24: two bits for each /24 n (the
 *   address >> 8), 2 n (HAYSTACK_PREFILTER_EXACT: an exact /32 endpoint
 *   lies in this /24) and 2 n + 1 (HAYSTACK_PREFILTER_PREFIX: a prefix of
 *   length 0 .. 31 covers all or part of it). Neither: a miss, without
 *   walking the trie.
 * - the hosts, from HAYSTACK_PREFILTER_AT_HOSTS: 2^L bits, L the low octet
 *   of the head word at HAYSTACK_PREFILTER_AT_HEAD (12 .. 24: sixteen bits
 *   or more for each exact endpoint of the dictionary, so that the bitmap
 *   is as small as it can be, and as likely in the cache), bit
 *   HAYSTACK_HOST_BIT(a, L) set for every exact /32 endpoint a (host byte
 *   order). Clear: a is no exact endpoint, and service_hosts is not asked;
 *   set: it may be another address's (about one in 17).
 * - the IPv6 /48s, from HAYSTACK_PREFILTER_AT_NETS6: 2^L6 bits, L6 the
 *   head's second octet (12 .. 22, sized the same way by the IPv6
 *   prefixes), bit HAYSTACK_NET6_BIT(hi, lo, L6) set for the /48 of every
 *   prefix of length 48 or more that is not IPv4 alone (hi: its first four
 *   octets, lo: the next two, host byte order). Clear: no such prefix holds
 *   the address. Only when the dictionary has no prefix shorter than /48
 *   outside IPv4 (HAYSTACK_PREFILTER_SHORT6 in the head clear); else every
 *   IPv6 address walks the trie.
 * 8 slots x (12 KiB + 4 MiB + 2 MiB + 512 KiB) = 52 MiB. A slot's region is zeroed
 * and filled while the slot is claimed and not live, before its live bit is
 * set, and only once no datagram can be using the generation that had the
 * slot before.
 *
 * service_hosts: HASH, service_host_key -> service_endpoint: the exact /32
 * IPv4 endpoints of every loaded dictionary, the same rule set the trie
 * holds for them (they are in both). A hit is the longest match.
 */
#define HAYSTACK_PREFILTER_LOG_MIN	12
#define HAYSTACK_PREFILTER_HOST_LOG_MAX	24
#define HAYSTACK_PREFILTER_NET6_LOG_MAX	22
#define HAYSTACK_PREFILTER_SHORT6	(1ULL << 16)	/* in the head */
#define HAYSTACK_PREFILTER_AT16		0
#define HAYSTACK_PREFILTER_AT_HEAD	(1U << 10)	/* after 2^16 /16s x 1 bit / 64 */
#define HAYSTACK_PREFILTER_AT24		(3U << 9)	/* from a page of its own */
#define HAYSTACK_PREFILTER_AT_HOSTS	(HAYSTACK_PREFILTER_AT24 + (1U << 19))	/* 2^24 x 2 / 64 */
#define HAYSTACK_PREFILTER_AT_NETS6	(HAYSTACK_PREFILTER_AT_HOSTS + \
					 (1U << (HAYSTACK_PREFILTER_HOST_LOG_MAX - 6)))
#define HAYSTACK_PREFILTER_SLOT_WORDS	(HAYSTACK_PREFILTER_AT_NETS6 + \
					 (1U << (HAYSTACK_PREFILTER_NET6_LOG_MAX - 6)))
#define HAYSTACK_PREFILTER_WORDS	(HAYSTACK_MAX_DICTIONARIES * HAYSTACK_PREFILTER_SLOT_WORDS)
#define HAYSTACK_PREFILTER_EXACT	1ULL
#define HAYSTACK_PREFILTER_PREFIX	2ULL
/* Fibonacci hashing: the top log bits of a * 2^32 / phi, which spreads the
 * addresses of one /24 over the whole bitmap; an IPv6 /48 folded into 32
 * bits first. */
#define HAYSTACK_HOST_BIT(a, log)	((__u32)((__u32)(a) * 0x9e3779b1U) >> (32 - (log)))
#define HAYSTACK_NET6_BIT(hi, lo, log)	HAYSTACK_HOST_BIT((__u32)(hi) ^ (__u32)(lo) * 0x85ebca6bU, log)

struct service_host_key {
	__u32 generation;
	__u8 addr[4];		/* the IPv4 address, network byte order */
};

#ifndef __bpf__
_Static_assert(sizeof(struct haystack_lpm_key) == 20, "lpm key layout");
_Static_assert(sizeof(struct endpoint_rule) == 8, "rule layout");
_Static_assert(sizeof(struct endpoint_ruleset) == 8 + 8 * HAYSTACK_MAX_RULES, "ruleset layout");
_Static_assert(sizeof(struct evidence_key) == 40, "evidence key layout");
_Static_assert(sizeof(struct endpoint_key) == 24, "endpoint key layout");
_Static_assert(sizeof(struct dictionary_schedule) ==
	       24 + (32 + HAYSTACK_DICT_PATH_MAX) * HAYSTACK_MAX_DICTIONARIES,
	       "schedule layout");
_Static_assert(HAYSTACK_MAX_DICTIONARIES <= 64, "a live bit for every slot");
_Static_assert(sizeof(struct evidence_value) == 32, "evidence value layout");
_Static_assert(sizeof(struct evidence_bucket) == 192, "evidence bucket layout");
_Static_assert(TABLE_HEADER_FOLD_SEED < HAYSTACK_TABLE_WAYS, "a table header is one bucket's keys");
_Static_assert(sizeof(struct evidence_table_key) == 16, "evidence table key layout");
_Static_assert(sizeof(struct haystack_config) == 144, "config layout");
_Static_assert(sizeof(struct template_key) == 24, "template key layout");
_Static_assert(sizeof(struct template_fixed) == 12, "fixed template layout");
_Static_assert(sizeof(struct agent_state) == 40 + 4 * HAYSTACK_REPORT_WIDTHS + HAYSTACK_VERSION_MAX,
	       "agent state layout");
_Static_assert(ROLE_COUNT <= ROLE_SLOTS, "role slots");
_Static_assert(sizeof(struct exporter_key) == 32, "exporter key layout");
_Static_assert(sizeof(struct exporter_info) == 24, "exporter info layout");
_Static_assert(sizeof(struct exporter_clock_key) == 24, "exporter clock key layout");
_Static_assert(sizeof(struct exporter_clock) == 40, "exporter clock layout");
_Static_assert(sizeof(struct flow_record) == 128, "flow record layout");
_Static_assert(__builtin_offsetof(struct haystack_stats, export_time_min) ==
	       HAYSTACK_STAT_COUNT * sizeof(__u64), "stats: the counters, then the time range");
_Static_assert(HAYSTACK_STAT_COUNT <= 256, "a record result fits flow_record.result");
_Static_assert(sizeof(struct service_host_key) == 8, "service host key layout");
_Static_assert((HAYSTACK_PREFILTER_AT_HOSTS - HAYSTACK_PREFILTER_AT24) * 64ULL == 2ULL << 24,
	       "two bits a /24");
_Static_assert(HAYSTACK_PREFILTER_SLOT_WORDS * 8 % 4096 == 0, "a slot's region is mapped alone");
#endif
