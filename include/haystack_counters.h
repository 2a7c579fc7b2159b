/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of the stats map, declared once. This list makes the fields
 * of struct haystack_stats (in this order, so BTF and bpftool name them), the
 * names `status` and `replay` print (hs_counters), the `reason` of record
 * lines, and the README's counters table, which the BPF suite compares with
 * it.
 *
 * X(name, kind, help). help completes "a packet or record that …". kind
 * says what the counter is in the identities the program keeps, which the
 * BPF tables assert after every frame of every case:
 *
 *	packets        = the sum of the STAT_FRAME outcomes (each frame ends
 *	                 in exactly one)
 *	export_packets = the sum of the STAT_EXPORT outcomes
 *	records        = the sum of the STAT_RECORD outcomes
 *
 * STAT_SUM_OF(k) marks the counter of the whole, STAT_INFO a counter outside
 * the identities (events inside a datagram, map states).
 */
#pragma once

#define STAT_INFO		0
#define STAT_FRAME		1	/* what became of a frame */
#define STAT_EXPORT		2	/* what became of an export packet */
#define STAT_RECORD		3	/* what became of a decoded flow record */
#define STAT_KINDS		4
#define STAT_SUM_OF(kind)	((kind) << 4)
#define STAT_OUTCOME_KIND(k)	((k) & 0xf)
#define STAT_SUM_KIND(k)	((k) >> 4)

#define HAYSTACK_COUNTERS(X)							\
	X(packets, STAT_SUM_OF(STAT_FRAME),					\
	  "reached the program: every frame (the sum of the frame outcomes)")	\
	X(too_short, STAT_FRAME,						\
	  "ended inside its Ethernet header or VLAN tags")			\
	X(not_ip, STAT_FRAME,							\
	  "was neither IPv4 nor IPv6 (after up to two VLAN tags)")		\
	X(bad_ip_header, STAT_FRAME,						\
	  "had an IPv4 ihl below 5, or its IP header beyond the frame")		\
	X(ip_fragment, STAT_FRAME,						\
	  "was an IPv4 or IPv6 fragment of no export datagram seen (a later fragment has no ports): no whole datagram") \
	X(fragmented_export, STAT_FRAME,					\
	  "was the first fragment of a UDP datagram to a collector port: an export datagram XDP cannot read whole (docs/flows.md: the exporter's MTU)") \
	X(not_udp, STAT_FRAME,							\
	  "was IP but not UDP (IPv6 extension headers are not followed)")							\
	X(bad_udp_length, STAT_FRAME,						\
	  "was UDP with a length field below 8")				\
	X(not_collector_port, STAT_FRAME,					\
	  "was UDP to another port, or cut short before its destination port (passed on, not read)") \
	X(exporter_not_allowed, STAT_FRAME,					\
	  "was UDP to a collector port (a first fragment too) from a source outside --exporters: refused, passed on, not read") \
	X(export_packets, STAT_FRAME | STAT_SUM_OF(STAT_EXPORT),		\
	  "was UDP to a collector port from an allowed exporter (any, without --exporters): an export packet (the sum of the export packet outcomes)") \
	X(truncated_header, STAT_EXPORT,					\
	  "was an export packet cut short in its UDP or export header")		\
	X(bad_version, STAT_EXPORT,						\
	  "was an export packet of no version haystack reads (NetFlow v5, v9, IPFIX)") \
	X(v5_packets, STAT_EXPORT,						\
	  "was a NetFlow v5 datagram with a sound header and count (its records are then read)")				\
	X(count_exceeds_packet, STAT_EXPORT,					\
	  "was a v5 datagram with fewer records than its header's count: refused whole") \
	X(count_too_large, STAT_EXPORT,						\
	  "was a v5 datagram whose header's count is over 30: refused whole")	\
	X(v9_packets, STAT_EXPORT,						\
	  "was a NetFlow v9 datagram with a whole header (its sets are then read)")				\
	X(ipfix_packets, STAT_EXPORT,						\
	  "was an IPFIX message with a sound header and length (its sets are then read)")				\
	X(length_exceeds_packet, STAT_EXPORT,					\
	  "was an IPFIX message longer than its datagram: refused whole")	\
	X(bad_set_length, STAT_INFO,						\
	  "had a set shorter than its 4-octet header, or 1 to 3 octets after the last set: read no further") \
	X(set_overruns_packet, STAT_INFO,					\
	  "had a set longer than the message: read no further")			\
	X(bad_set_id, STAT_INFO,						\
	  "had a set of a reserved ID (v9 2 to 255, IPFIX 0, 1, 4 to 255): skipped") \
	X(templates, STAT_INFO,							\
	  "was a template record, stored")					\
	X(options_templates, STAT_INFO,						\
	  "was an options template record, stored")				\
	X(templates_withdrawn, STAT_INFO,					\
	  "was a template removed by an IPFIX withdrawal (field count 0)")	\
	X(template_too_long, STAT_INFO,						\
	  "was a template record of more than 64 fields: refused, the older template of its ID removed") \
	X(bad_template, STAT_INFO,						\
	  "was a template record cut short, of a reserved ID or with a field haystack cannot read: refused, the older template of its ID removed") \
	X(template_map_full, STAT_INFO,						\
	  "was a template record not stored: the templates map is full")	\
	X(unknown_template, STAT_INFO,						\
	  "was a data set with no template in its scope: skipped whole")	\
	X(template_expired, STAT_INFO,						\
	  "was a data set whose template was not refreshed within --template-timeout: skipped whole, the template removed") \
	X(truncated_record, STAT_INFO,						\
	  "was a record whose variable-length field runs past its set: read no further") \
	X(stale_dictionary, STAT_INFO,						\
	  "was a record past its dictionary's valid_until: classified by it all the same (no newer one is loaded)") \
	X(records_over_limit, STAT_INFO,					\
	  "was a datagram with sets or records left after the 65,536 steps of its walk (one a set or record: more than a message holds)") \
	X(export_time_jump, STAT_INFO,						\
	  "was an export datagram whose time lies more than a day from its exporter's accepted clock (a 1970 or 2106 header, a bit flip): not read, no clock moved") \
	X(export_clock_followed, STAT_INFO,					\
	  "was the datagram after which haystack followed an exporter's new clock: 8 in a row agreed with each other, away from the old one") \
	X(options_records, STAT_INFO,						\
	  "was an options data record, read")					\
	X(exporters_full, STAT_INFO,						\
	  "was options data not kept: the exporters map is full")		\
	X(no_exporter_clock, STAT_INFO,						\
	  "was an export datagram read without a clock of its exporter: the exporter_clocks LRU had no entry to give at that moment (it moved no clock)") \
	X(no_addresses, STAT_INFO,						\
	  "was a data record without IPv4 or IPv6 addresses: not a record")	\
	X(value_out_of_range, STAT_INFO,					\
	  "was a data record whose port or protocol field holds more than its type (a 4-octet port of 0x101bb): not a record, never cut to 443") \
	X(record_events_lost, STAT_INFO,					\
	  "was a record not sent to --records: the ring buffer is full (the record still counts)") \
	X(no_packet_count, STAT_INFO,						\
	  "was a record with no packet counter (2, 24 or 86; Cisco ASA NSEL): packets 0, still evidence of its domain, adds nothing to activity") \
	X(records, STAT_SUM_OF(STAT_RECORD),					\
	  "was a flow record decoded (the sum of the record outcomes)")		\
	X(not_subscriber, STAT_RECORD,						\
	  "was a record with neither end in a subscriber prefix")		\
	X(no_service, STAT_RECORD,						\
	  "was a subscriber's record whose other end is no dictionary endpoint") \
	X(port_mismatch, STAT_RECORD,						\
	  "was a record to a dictionary prefix, but to no rule's port or protocol") \
	X(matched, STAT_RECORD,							\
	  "was a record counted as evidence")					\
	X(evidence_full, STAT_RECORD,						\
	  "was a record lost: the evidence map is full")			\
	X(past_time_ceiling, STAT_RECORD,					\
	  "was a record of an export time more than a day ahead of the host's clock (run): no evidence, in a bin that would never close") \
	X(late_records, STAT_INFO,						\
	  "was a matched record for a bin run had already reported (later than --grace); it still counts in the longer bins that are open, and run says how many on stderr") \
	X(evidence_table_full, STAT_INFO,					\
	  "was a matched record whose hour table had no free way near its key: counted in the evidence hash instead (the agent sizes the next hour's table larger)") \
	X(not_configured, STAT_FRAME,						\
	  "arrived while the agent was still loading: passed on, not read")

/* The index of each counter in the list, which is its place among the
 * __u64 fields of struct haystack_stats. */
#define STAT_ID(name)		HAYSTACK_STAT_##name
enum haystack_stat {
#define HAYSTACK_STAT_ENUM(name, kind, help) STAT_ID(name),
	HAYSTACK_COUNTERS(HAYSTACK_STAT_ENUM)
#undef HAYSTACK_STAT_ENUM
	HAYSTACK_STAT_COUNT
};
