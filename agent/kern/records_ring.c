// SPDX-License-Identifier: GPL-2.0
/* The records ring buffer: each flow record the program sent, with its
 * matched domains resolved through endpoint_rules, written as a record line. */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "kern/harvest.h"
#include "kern/instance.h"
#include "kern/records_ring.h"
#include "lib/log.h"
#include "output/records.h"

static int on_record(void *arg, void *data, size_t size)
{
	struct hs_records *r = arg;
	const struct flow_record *rec = data;
	const char *names[HAYSTACK_MAX_RULES];
	__u16 domains[HAYSTACK_MAX_RULES];
	int n = 0, k = 0, err;

	if (size < sizeof(*rec))
		return 0;
	const struct hs_dict *d = hs_dict_of(r->dicts, rec->generation);

	if (rec->result == RESULT_MATCHED && d &&
	    !hs_ruleset_domains(r->rules_fd, rec->generation, rec->ruleset, rec->rule_mask,
				domains, &n))
		for (int i = 0; i < n; i++)
			if (domains[i] < d->n_domains)
				names[k++] = d->domains[domains[i]].name;
	err = hs_record_write(r->out, rec, names, k);
	if (err && !r->err)
		r->err = err;
	return 0;
}

int hs_records_open(struct hs_records *r, struct hs_instance *in, FILE *out,
		    const struct hs_dict_set *dicts)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->out = out;
	r->dicts = dicts;
	r->rules_fd = hs_instance_map_fd(in, HS_MAP_RULES);
	r->rb = ring_buffer__new(hs_instance_map_fd(in, HS_MAP_RECORDS), on_record, r, NULL);
	if (!r->rb) {
		err = -errno;
		hs_err("cannot open the records ring buffer: %s (%d)", strerror(-err), err);
		return err;
	}
	return 0;
}

int hs_records_poll(struct hs_records *r, int timeout_ms)
{
	int n = timeout_ms ? ring_buffer__poll(r->rb, timeout_ms) : ring_buffer__consume(r->rb);

	if (n < 0 && n != -EINTR) {
		hs_err("cannot read the records ring buffer: %s (%d)", strerror(-n), n);
		return n;
	}
	if (r->err)
		hs_err("cannot write records: %s (%d)", strerror(-r->err), r->err);
	return r->err;
}

int hs_records_fd(const struct hs_records *r)
{
	return ring_buffer__epoll_fd(r->rb);
}

void hs_records_close(struct hs_records *r)
{
	ring_buffer__free(r->rb);
	r->rb = NULL;
}
