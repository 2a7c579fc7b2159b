/* SPDX-License-Identifier: GPL-2.0 */
/* --records: the ring buffer of decoded flow records, drained into record lines. */
#pragma once

#include <stdio.h>
#include "dict/schedule.h"

struct ring_buffer;
struct hs_instance;

struct hs_records {
	struct ring_buffer *rb;
	FILE *out;
	const struct hs_dict_set *dicts;	/* to name what each generation matched */
	int rules_fd;			/* endpoint_rules: rule set -> domains */
	int err;			/* first write error */
};

int hs_records_open(struct hs_records *r, struct hs_instance *in, FILE *out,
		    const struct hs_dict_set *dicts);
/* Write what the program sent, waiting up to timeout_ms for the first
 * record (0: only what is there). Returns 0 or -errno. */
int hs_records_poll(struct hs_records *r, int timeout_ms);
/* Readable when the program has sent records (for the agent's epoll set). */
int hs_records_fd(const struct hs_records *r);
void hs_records_close(struct hs_records *r);
