/* SPDX-License-Identifier: GPL-2.0 */
/* The maps of the XDP program. Layouts live in include/haystack.h; every map
 * is pinned by name under the agent's --pin directory (default
 * /sys/fs/bpf/haystack) so evidence and config outlive an agent restart. */
#pragma once

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "haystack.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct haystack_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} config SEC(".maps");

/* The agent's own state, for status; the program never reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct agent_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} agent SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct haystack_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, HAYSTACK_MAX_SUBSCRIBER_PREFIXES);
	__type(key, struct haystack_lpm_key);
	__type(value, struct subscriber_prefix);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} subscriber_prefixes SEC(".maps");

/* Mmapable: the agent writes the bits of every /24 at once. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HAYSTACK_SUBSCRIBER_BLOCKS);
	__type(key, __u32);
	__type(value, struct subscriber_block);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} subscriber_blocks SEC(".maps");

/* Mmapable: the agent publishes a dictionary with one atomic store. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dictionary_schedule);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dictionaries SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, HAYSTACK_MAX_EXPORTER_PREFIXES);
	__type(key, struct haystack_lpm_key);
	__type(value, struct exporter_prefix);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} exporter_allow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, HAYSTACK_MAX_ENDPOINTS);
	__type(key, struct endpoint_key);
	__type(value, struct service_endpoint);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} service_endpoints SEC(".maps");

/* A hash: a dump shows the rule sets in use, of every loaded dictionary. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HAYSTACK_MAX_RULESETS);
	__type(key, struct ruleset_key);
	__type(value, struct endpoint_ruleset);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} endpoint_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HAYSTACK_MAX_EVIDENCE);
	__type(key, struct evidence_key);
	__type(value, struct evidence_value);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evidence SEC(".maps");

/* The layout of an hour table (include/haystack.h): the verifier's model of
 * every table in evidence_tables, and the BTF types the agent creates them
 * with, so `bpftool map dump id N` prints a table's fields. One bucket,
 * never written. */
struct evidence_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE | BPF_F_INNER_MAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct evidence_bucket);
} evidence_table_layout SEC(".maps");

/* The hour tables: the agent creates each one, of the size it chooses
 * (BPF_F_INNER_MAP), and removes it once read. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, HAYSTACK_MAX_TABLES);
	__type(key, struct evidence_table_key);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct evidence_table);
} evidence_tables SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HAYSTACK_MAX_TEMPLATES);
	__type(key, struct template_key);
	__type(value, struct flow_template);
	/* Updates replace the element under RCU, so a reader on another CPU
	 * never sees half of a redefined template. */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} templates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HAYSTACK_MAX_EXPORTERS);
	__type(key, struct exporter_key);
	__type(value, struct exporter_info);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} exporters SEC(".maps");

/* Preallocated, as every LRU is; one LRU list for all CPUs, so the least
 * recently heard exporter is the one evicted, whichever CPU heard it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HAYSTACK_MAX_EXPORTER_CLOCKS);
	__type(key, struct exporter_clock_key);
	__type(value, struct exporter_clock);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} exporter_clocks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HAYSTACK_RECORDS_RING);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} records SEC(".maps");

/* The IPv4 service pre-filter: two bits a /24 for each dictionary slot
 * (include/haystack.h). Mmapable: the agent fills a slot's region in place. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HAYSTACK_PREFILTER_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} service_prefilter SEC(".maps");

/* Exact /32 IPv4 endpoints, (generation, address) -> rule set; sized as
 * service_endpoints (--max-endpoints). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HAYSTACK_MAX_ENDPOINTS);
	__type(key, struct service_host_key);
	__type(value, struct service_endpoint);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} service_hosts SEC(".maps");

/* The v9/IPFIX walk's state; rec for every format. */
struct flow_cursor {
	struct flow_record rec;		/* the record being decoded */
	struct template_key key;	/* this datagram's scope; template_id of the set */
	struct flow_template t;		/* the template record being parsed */
	__u64 bin;
	__u64 system_init_ms;		/* IPFIX 160 of this exporter, 0 = unknown */
	__u32 sys_uptime;		/* v9 header: ms since the exporter booted */
	__u64 read_before;		/* records, options and templates read before this datagram */
	int clock_verdict;		/* enum clock_verdict of this datagram */
	struct exporter_info info;	/* options data being stored */
	__u32 sampling;			/* 1-in-N the exporter announced, 0 = not said */
	__u32 off;			/* next octet to read */
	__u32 end;			/* end of the message */
	__u32 set_end;			/* end of the current set */
	__u32 min_record;		/* less than this left in a set is padding */
	__u32 set_kind;			/* enum set_kind */
	__u32 field_pos;		/* template record being parsed: next field */
	__u32 field_scope;		/* its scope fields (options templates) */
	__u32 fixed_len;		/* octets of its fixed-length fields so far */
	__u32 variable;			/* it has a variable-length field */
	/* The data set's template, as it was at the set header: a whole set
	 * is read with one layout, looked up once. */
	__u32 record_len;		/* 0: variable-length, walked per record */
	__u32 set_options;		/* options data, not flows */
	struct template_fixed fixed;	/* family 0: read field by field */
	__u16 at[ROLE_SLOTS];		/* offset of each role's field in a record */
	__u8 len[ROLE_SLOTS];		/* and its length, 0 = absent */
};

/* Scratch space of a datagram's parse, too big for the 512-octet stack
 * that the walk's call chain shares: every format decodes its records into
 * rec; set_kind is enum set_kind of export_v9_ipfix.h. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct flow_cursor);
} cursor SEC(".maps");
