// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/array.h"
#include "dictbuild/certs.h"
#include "dictbuild/namegraph.h"
#include "lib/dnsname.h"
#include "lib/prefix.h"
#include "lib/sort.h"

struct reading {
	struct hs_certs *c;
	hs_cert_name_fn wanted;
	void *ctx;
};

static void service_free(struct hs_cert_service *s)
{
	int i;

	for (i = 0; i < s->n_names; i++)
		free(s->names[i]);
	free(s->names);
	free(s->fingerprint);
	free(s->banner);
}

static int cert_line(void *ctx, struct json_object *o, unsigned long lineno,
		     char *why, size_t why_len)
{
	struct reading *r = ctx;
	struct hs_cert_service s = {};
	const char *ip = hs_json_str(o, "ip"), *fp = hs_json_str(o, "fingerprint");
	const char *banner = hs_json_str(o, "banner_hash");
	struct json_object *names = hs_json_get(o, "names", json_type_array);
	int i, n, err = HS_LINE_MALFORMED;

	if (!ip || hs_parse_addr(ip, s.addr)) {
		snprintf(why, why_len, "certificate record without a valid 'ip'");
		return HS_LINE_MALFORMED;
	}
	if (!fp || !*fp || !names) {
		snprintf(why, why_len, "certificate record for %.46s without 'fingerprint' and 'names'", ip);
		return HS_LINE_MALFORMED;
	}
	n = (int)json_object_array_length(names);
	s.names = calloc((size_t)n + 1, sizeof(*s.names));
	if (!s.names)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(names, i);

		if (!json_object_is_type(v, json_type_string) ||
		    !(s.names[s.n_names] = strdup(json_object_get_string(v)))) {
			snprintf(why, why_len, "certificate record for %.46s: names[%d] is not a string",
				 ip, i);
			goto out;
		}
		if (hs_name_normalize(s.names[s.n_names++])) {
			snprintf(why, why_len, "certificate record for %.46s: names[%d] is not a host name",
				 ip, i);
			goto out;
		}
		/* one name nobody wants: no signature domain can accept it */
		if (!r->wanted(r->ctx, s.names[s.n_names - 1])) {
			err = 0;
			goto out;
		}
	}
	if (!n) {
		err = 0;
		goto out;
	}
	hs_sort(s.names, (size_t)s.n_names, sizeof(*s.names), hs_str_cmp);
	s.fingerprint = strdup(fp);
	s.banner = strdup(banner ?: "");
	err = -ENOMEM;
	if (!s.fingerprint || !s.banner)
		goto out;
	if (hs_grow((void **)&r->c->v, &r->c->cap, r->c->n, sizeof(*r->c->v), 64))
		goto out;
	r->c->v[r->c->n++] = s;
	return 0;
out:
	service_free(&s);
	return err;
}

int hs_certs_read(struct hs_certs *c, struct hs_input_stats *st, hs_cert_name_fn wanted, void *ctx)
{
	struct reading r = { c, wanted, ctx };

	return hs_json_lines_read(st, cert_line, &r);
}

void hs_certs_free(struct hs_certs *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		service_free(&c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

bool hs_cert_names_match(char *const *names, int n, const char *domain, const char *regdom)
{
	int i;

	/* any other name means the certificate serves more than this domain */
	for (i = 0; i < n; i++)
		if (strcmp(names[i], domain) &&
		    !(regdom && !strncmp(names[i], "*.", 2) && !strcmp(names[i] + 2, regdom)))
			return false;
	return n > 0;
}

static bool same_cert(const struct hs_cert_service *a, const struct hs_cert_service *b)
{
	return !strcmp(a->fingerprint, b->fingerprint) && !strcmp(a->banner, b->banner);
}

int hs_certs_endpoints(const struct hs_certs *c, const char *domain, const char *regdom,
		       struct hs_cert_endpoints *out)
{
	size_t i, k, m;
	void *tmp;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < c->n; i++) {
		const struct hs_cert_service *s = &c->v[i];
		char id[512];

		if (!hs_cert_names_match(s->names, s->n_names, domain, regdom))
			continue;
		snprintf(id, sizeof(id), "%s %s", s->fingerprint, s->banner);
		for (k = 0; k < out->n_certs && strcmp(out->certs[k], id); k++)
			;
		if (k < out->n_certs)
			continue;
		tmp = realloc(out->certs, (out->n_certs + 1) * sizeof(*out->certs));
		if (!tmp)
			goto nomem;
		out->certs = tmp;
		if (!(out->certs[out->n_certs] = strdup(id)))
			goto nomem;
		out->n_certs++;
		for (k = 0; k < c->n; k++) {
			if (!same_cert(&c->v[k], s))
				continue;
			tmp = realloc(out->addrs, (out->n_addrs + 1) * sizeof(*out->addrs));
			if (!tmp)
				goto nomem;
			out->addrs = tmp;
			memcpy(out->addrs[out->n_addrs++], c->v[k].addr, 16);
		}
	}
	hs_sort(out->certs, out->n_certs, sizeof(*out->certs), hs_str_cmp);
	hs_sort(out->addrs, out->n_addrs, sizeof(*out->addrs), hs_addr_cmp);
	for (i = 1, m = out->n_addrs ? 1 : 0; i < out->n_addrs; i++)
		if (memcmp(out->addrs[i], out->addrs[m - 1], 16))
			memcpy(out->addrs[m++], out->addrs[i], 16);
	out->n_addrs = m;
	return 0;
nomem:
	hs_cert_endpoints_free(out);
	return -ENOMEM;
}

void hs_cert_endpoints_free(struct hs_cert_endpoints *e)
{
	size_t i;

	for (i = 0; i < e->n_certs; i++)
		free(e->certs[i]);
	free(e->certs);
	free(e->addrs);
	memset(e, 0, sizeof(*e));
}
