/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The haystack-dictionary/1 file (DESIGN §3): parsed, validated as a whole,
 * and compiled into the service-endpoint tables the XDP program reads.
 * Nothing here touches a BPF map: loading is all-or-nothing because the maps
 * are written only from a dictionary that has passed every check.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "haystack.h"

#define HS_DICT_FORMAT			"haystack-dictionary/1"

/* The format's defaults, for the reader and the signatures importer alike. */
#define HS_DEFAULT_THRESHOLD		0.4
#define HS_DEFAULT_ACTIVE_PPH		10
/* A dictionary file larger than this is refused before it is parsed: the
 * tree json-c builds is several times the text. */
#define HS_DICT_MAX_BYTES		(256UL << 20)
/* Monitored domains one dictionary may list (the paper's hold hundreds):
 * evidence names them by a 16-bit index. */
#define HS_DICT_MAX_DOMAINS		65535

enum hs_level {
	HS_LEVEL_PLATFORM,
	HS_LEVEL_MANUFACTURER,
	HS_LEVEL_PRODUCT,
};

struct hs_class {
	char *name;
	char *title;
	enum hs_level level;
	int parent;			/* index in hs_dict.classes, -1 for none */
	double threshold;		/* D, default 0.4 */
	__u64 active_packets_per_hour;	/* default 10 */
	int n_monitored;		/* N: monitored domains listing this class */
};

struct hs_port {
	__u8 proto;			/* IPPROTO_TCP / IPPROTO_UDP / IPPROTO_SCTP */
	__u16 port;			/* 1..65535 */
};

struct hs_domain {
	char *name;
	bool primary;			/* role "primary" (else "support") */
	int *classes;			/* indices in hs_dict.classes */
	int n_classes;
	struct hs_port *ports;		/* none = any port and protocol */
	int n_ports;
	struct haystack_lpm_key *prefixes;
	int n_prefixes;
};

struct hs_excluded {
	char *name;
	char *reason;
	int *classes;
	int n_classes;
};

struct hs_dict {
	char *path;
	__u64 file_hash;		/* FNV-1a 64 of the file's bytes, as read */
	char *valid_from;		/* as written, RFC 3339; NULL: not given */
	char *valid_until;
	long long valid_from_s;		/* Unix seconds; LLONG_MIN when not given */
	long long valid_until_s;	/* LLONG_MAX when not given */
	struct hs_class *classes;
	int n_classes;
	struct hs_domain *domains;
	int n_domains;
	struct hs_excluded *excluded;
	int n_excluded;
};

/* Parse and validate. On any problem prints exactly one line
 * "haystack: FILE: <item>: <problem>" on stderr and returns -EINVAL, -EFBIG
 * beyond HS_DICT_MAX_BYTES, or -errno if the file cannot be read
 * (lib/file.h); *out is then untouched. The file is read once: file_hash is
 * of the bytes that were parsed. */
int hs_dict_load(const char *path, struct hs_dict **out);
void hs_dict_free(struct hs_dict *d);

/* "tcp/443", "udp/123", "sctp/N": 0 or -EINVAL, never prints. */
int hs_parse_port(const char *s, struct hs_port *out);
/* The same text back. */
const char *hs_format_port(const struct hs_port *p, char *buf, size_t len);
/* Ports in the order dictionaries list them: number, then protocol. */
int hs_port_cmp(const void *a, const void *b);
int hs_class_find(const struct hs_dict *d, const char *name);
const char *hs_level_name(enum hs_level l);

struct json_object;
/* The haystack-dictionary/1 text of d (dict/writer.c), keys in the order of
 * DESIGN §3, every list in d's order; hs_dict_load reads it back to d. */
struct json_object *hs_dict_to_json(const struct hs_dict *d);

/* The dictionary compiled for the kernel: distinct prefixes, each with the
 * rule set (domain × port/proto) of every dictionary prefix containing it. */
struct hs_endpoint {
	struct haystack_lpm_key key;
	__u32 ruleset;
};

struct hs_compiled {
	struct hs_endpoint *endpoints;
	size_t n_endpoints;
	struct endpoint_ruleset *rulesets;	/* identical rule sets are shared */
	size_t n_rulesets;
};

/* Returns 0, -ENOMEM, or -E2BIG after printing one line naming the prefix
 * that needs more than HAYSTACK_MAX_RULES rules. Deterministic output. */
int hs_dict_compile(const struct hs_dict *d, struct hs_compiled *out);
void hs_compiled_free(struct hs_compiled *c);
/* The order of a rule set's rules: domain, protocol, port (for qsort). */
int hs_rule_cmp(const void *a, const void *b);
