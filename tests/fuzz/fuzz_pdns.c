// SPDX-License-Identifier: GPL-2.0
/*
 * Passive DNS lines: DNSDB COF or SAF when the input starts with '{', else a
 * hosts file. Every record goes into the day's graph, and the names it
 * brought are classified, as dict build does with signature domains.
 */
#include <stdio.h>
#include <string.h>
#include "dictbuild/namegraph.h"
#include "dictbuild/pdns.h"
#include "lib/dnsname.h"
#include "fuzz.h"

#define DAY 1573776000LL	/* 2019-11-15T00:00:00Z */
#define MAX_NAMES 8

struct seen {
	struct hs_dnsgraph *g;
	char names[MAX_NAMES][256];
	int n;
};

static int add(void *ctx, const struct hs_rr *rr)
{
	struct seen *s = ctx;
	int err = hs_dnsgraph_add(s->g, rr->rrname, rr->rrtype, rr->rdata, rr->first, rr->last);

	if (err > 0 && s->n < MAX_NAMES && strlen(rr->rrname) < sizeof(s->names[0]))
		strcpy(s->names[s->n++], rr->rrname);
	return err < 0 ? err : 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { .g = hs_dnsgraph_new(DAY, DAY + 86400) };
	struct hs_pdns_stats st = {};
	struct hs_decision dec;
	char path[64], pattern[260];
	int fd, i;

	if (!s.g)
		return 0;
	fd = hs_fuzz_file(data, size, path, sizeof(path));
	st.in.path = path;
	st.in.strict = size && (data[size - 1] & 1);
	if (!hs_pdns_read(size && data[0] == '{' ? HS_PDNS_DNSDB : HS_PDNS_HOSTS, &st, add, &s)) {
		for (i = 0; i < s.n; i++) {
			const char *regdom;

			if (hs_name_normalize(s.names[i]))
				continue;
			if (!hs_classify(s.g, s.names[i], &dec))
				hs_decision_free(&dec);
			regdom = hs_registrable_domain(s.names[i]);
			snprintf(pattern, sizeof(pattern), "*.%s", regdom ? regdom : s.names[i]);
			if (!hs_classify(s.g, pattern, &dec))
				hs_decision_free(&dec);
		}
	}
	hs_dnsgraph_free(s.g);
	hs_fuzz_file_close(fd);
	return 0;
}
