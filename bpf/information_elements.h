/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The information elements haystack reads from v9 and IPFIX templates, by
 * IANA IPFIX number (NetFlow v9 shares these numbers; 50 is v9's
 * FLOW_SAMPLER_RANDOM_INTERVAL), with the role each plays in a record and
 * the lengths it may be sent in. Every other element is skipped by its
 * length. docs/flows.md lists the same table for operators.
 */
#pragma once

#include "haystack.h"

enum ipfix_ie {
	IE_OCTET_DELTA_COUNT = 1,
	IE_PACKET_DELTA_COUNT = 2,
	IE_PROTOCOL_IDENTIFIER = 4,
	IE_TCP_CONTROL_BITS = 6,
	IE_SOURCE_TRANSPORT_PORT = 7,
	IE_SOURCE_IPV4_ADDRESS = 8,
	IE_DESTINATION_TRANSPORT_PORT = 11,
	IE_DESTINATION_IPV4_ADDRESS = 12,
	IE_FLOW_END_SYS_UP_TIME = 21,
	IE_FLOW_START_SYS_UP_TIME = 22,
	IE_POST_OCTET_DELTA_COUNT = 23,
	IE_POST_PACKET_DELTA_COUNT = 24,
	IE_SOURCE_IPV6_ADDRESS = 27,
	IE_DESTINATION_IPV6_ADDRESS = 28,
	IE_OCTET_TOTAL_COUNT = 85,
	IE_PACKET_TOTAL_COUNT = 86,
	IE_SAMPLING_INTERVAL = 34,
	IE_SAMPLER_ID = 48,
	IE_SAMPLER_RANDOM_INTERVAL = 50,
	IE_FLOW_START_SECONDS = 150,
	IE_FLOW_END_SECONDS = 151,
	IE_FLOW_START_MILLISECONDS = 152,
	IE_FLOW_END_MILLISECONDS = 153,
	IE_SYSTEM_INIT_TIME_MILLISECONDS = 160,
	IE_SAMPLING_PACKET_INTERVAL = 305,
	IE_SELECTOR_ID = 302,
	IE_SAMPLING_PACKET_SPACE = 306,
	IE_SAMPLING_SIZE = 309,
	IE_SAMPLING_POPULATION = 310,
};

struct information_element {
	__u16 id;		/* enum ipfix_ie */
	__u8 role;		/* enum field_role */
	__u8 min_len;		/* octets */
	__u8 max_len;
};

/* Addresses have their exact size; integers may be sent in 1..8 octets
 * (RFC 7011 §6.2 reduced-size encoding). No element haystack reads may be
 * variable-length. */
#define IE_ADDRESS(id, role, len)	{ id, role, len, len }
#define IE_UNSIGNED(id, role)		{ id, role, 1, 8 }

static const struct information_element information_elements[] = {
	IE_UNSIGNED(IE_OCTET_DELTA_COUNT, ROLE_BYTES),
	IE_UNSIGNED(IE_PACKET_DELTA_COUNT, ROLE_PACKETS),
	IE_UNSIGNED(IE_PROTOCOL_IDENTIFIER, ROLE_PROTO),
	IE_UNSIGNED(IE_TCP_CONTROL_BITS, ROLE_TCP_FLAGS),
	IE_UNSIGNED(IE_SOURCE_TRANSPORT_PORT, ROLE_SPORT),
	IE_ADDRESS(IE_SOURCE_IPV4_ADDRESS, ROLE_SRC4, 4),
	IE_UNSIGNED(IE_DESTINATION_TRANSPORT_PORT, ROLE_DPORT),
	IE_ADDRESS(IE_DESTINATION_IPV4_ADDRESS, ROLE_DST4, 4),
	IE_UNSIGNED(IE_FLOW_END_SYS_UP_TIME, ROLE_LAST_UPTIME),
	IE_UNSIGNED(IE_FLOW_START_SYS_UP_TIME, ROLE_FIRST_UPTIME),
	IE_UNSIGNED(IE_POST_OCTET_DELTA_COUNT, ROLE_OUT_BYTES),
	IE_UNSIGNED(IE_POST_PACKET_DELTA_COUNT, ROLE_OUT_PACKETS),
	IE_ADDRESS(IE_SOURCE_IPV6_ADDRESS, ROLE_SRC6, 16),
	IE_ADDRESS(IE_DESTINATION_IPV6_ADDRESS, ROLE_DST6, 16),
	IE_UNSIGNED(IE_OCTET_TOTAL_COUNT, ROLE_TOTAL_BYTES),
	IE_UNSIGNED(IE_PACKET_TOTAL_COUNT, ROLE_TOTAL_PACKETS),
	IE_UNSIGNED(IE_SAMPLING_INTERVAL, ROLE_SAMPLING_INTERVAL),
	IE_UNSIGNED(IE_SAMPLER_ID, ROLE_SAMPLER_ID),
	IE_UNSIGNED(IE_SELECTOR_ID, ROLE_SAMPLER_ID),
	IE_UNSIGNED(IE_SAMPLER_RANDOM_INTERVAL, ROLE_SAMPLING_INTERVAL),
	IE_UNSIGNED(IE_FLOW_START_SECONDS, ROLE_START_SEC),
	IE_UNSIGNED(IE_FLOW_END_SECONDS, ROLE_END_SEC),
	IE_UNSIGNED(IE_FLOW_START_MILLISECONDS, ROLE_START_MS),
	IE_UNSIGNED(IE_FLOW_END_MILLISECONDS, ROLE_END_MS),
	IE_UNSIGNED(IE_SYSTEM_INIT_TIME_MILLISECONDS, ROLE_SYSTEM_INIT_MS),
	IE_UNSIGNED(IE_SAMPLING_PACKET_INTERVAL, ROLE_PACKET_INTERVAL),
	IE_UNSIGNED(IE_SAMPLING_PACKET_SPACE, ROLE_PACKET_SPACE),
	IE_UNSIGNED(IE_SAMPLING_SIZE, ROLE_SAMPLING_SIZE),
	IE_UNSIGNED(IE_SAMPLING_POPULATION, ROLE_SAMPLING_POPULATION),
};

#define IE_WRONG_LENGTH	(-1)

/*
 * The role of element id sent in len octets: ROLE_SKIP for an element
 * haystack does not read, IE_WRONG_LENGTH for one it reads but not in that
 * length (a variable-length one included). Global, so the verifier walks
 * the table once, not at every field of every template.
 */
__noinline int ie_role(__u32 id, __u32 len)
{
	for (__u32 i = 0; i < sizeof(information_elements) / sizeof(information_elements[0]); i++) {
		const struct information_element *ie = &information_elements[i];

		if (ie->id != id)
			continue;
		return len >= ie->min_len && len <= ie->max_len ? ie->role : IE_WRONG_LENGTH;
	}
	return ROLE_SKIP;
}
