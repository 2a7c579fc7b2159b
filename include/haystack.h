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

/* Default map sizes; the agent may resize before load. */
#define HAYSTACK_MAX_ENDPOINTS	(1 << 20)
#define HAYSTACK_MAX_RULESETS	(1 << 16)
#define HAYSTACK_MAX_SUBSCRIBER_PREFIXES 65536
#define HAYSTACK_MAX_EVIDENCE	(1 << 20)

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

/* service_endpoints: LPM trie, haystack_lpm_key -> service_endpoint.
 * Overlaps are resolved at load time: a prefix carries the rules of every
 * dictionary prefix that contains it, so the longest match is complete. */
struct service_endpoint {
	__u32 ruleset;		/* index into endpoint_rules */
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
	__u32 ruleset;
	__u32 rule_mask;	/* bit i: rule[i] of the rule set matched */
};

struct evidence_value {
	__u64 packets;		/* sampled packets, as exported */
	__u64 bytes;
	__u64 records;
};

/* config: ARRAY with one entry */
struct haystack_config {
	__u16 ports[HAYSTACK_MAX_PORTS];	/* host byte order; 0 = unused */
	__u32 bin_seconds;			/* HAYSTACK_BASE_BIN */
	__u32 flags;				/* HAYSTACK_F_* */
	__u64 dict_hash;			/* FNV-1a of the loaded dictionary file */
	__u64 closed_before;			/* UTC seconds: the agent has reported
						 * the bins before this (live mode) */
};

/* Consume export packets (XDP_DROP) instead of passing them on. */
#define HAYSTACK_F_CONSUME	(1U << 0)

/*
 * stats: PERCPU_ARRAY with one entry. A field for every reason a packet or a
 * record was not counted, so an operator can see why.
 */
struct haystack_stats {
	/* packets */
	__u64 packets;			/* every frame the program saw */
	__u64 too_short;		/* shorter than its Ethernet/VLAN header */
	__u64 not_ip;			/* neither IPv4 nor IPv6 */
	__u64 bad_ip_header;		/* IPv4 ihl < 5, or header beyond the packet */
	__u64 ip_fragment;		/* non-first fragment: no UDP header */
	__u64 not_udp;
	__u64 bad_udp_length;		/* UDP length field below 8 */
	__u64 not_collector_port;
	__u64 export_packets;		/* UDP to a collector port */
	__u64 truncated_header;		/* export header cut short */
	__u64 bad_version;		/* not a NetFlow version we decode */
	__u64 v5_packets;		/* well-formed NetFlow v5 headers */
	__u64 count_exceeds_packet;	/* header count larger than the records present */
	__u64 count_too_large;		/* header count > 30 */
	/* records */
	__u64 records;			/* records decoded */
	__u64 not_subscriber;		/* neither end in a subscriber prefix */
	__u64 no_service;		/* other end not in the service endpoints */
	__u64 port_mismatch;		/* service prefix, but no rule's port/proto */
	__u64 matched;			/* records counted as evidence */
	__u64 evidence_full;		/* evidence map full: record lost, counted here */
	__u64 late_records;		/* matched, but for a bin already reported */
	__u64 not_configured;		/* config not written yet: agent still loading */
	/* export header time seen, UTC seconds: bins are derived from these */
	__u64 export_time_min;
	__u64 export_time_max;
};

#ifndef __bpf__
_Static_assert(sizeof(struct haystack_lpm_key) == 20, "lpm key layout");
_Static_assert(sizeof(struct endpoint_rule) == 8, "rule layout");
_Static_assert(sizeof(struct endpoint_ruleset) == 8 + 8 * HAYSTACK_MAX_RULES, "ruleset layout");
_Static_assert(sizeof(struct evidence_key) == 32, "evidence key layout");
_Static_assert(sizeof(struct evidence_value) == 24, "evidence value layout");
_Static_assert(sizeof(struct haystack_config) == 40, "config layout");
#endif
