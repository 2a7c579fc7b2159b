/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The certificate step (paper §4.2.2) for domains passive DNS says nothing
 * about. Input: Censys-style JSON lines, one TLS service a line:
 *   {"ip": "192.0.2.7", "port": 443, "names": ["iot.example.com"],
 *    "fingerprint": "<sha256 of the certificate>", "banner_hash": "<hash>"}
 * A certificate counts for a domain when its names are only the domain
 * itself and/or "*." + its registrable domain; every address presenting the
 * same certificate and banner is then an endpoint of the domain.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "lib/lines.h"

struct hs_cert_service {
	__u8 addr[16];
	char *fingerprint;
	char *banner;			/* "" when the scan gave none */
	char **names;			/* normalized, sorted */
	int n_names;
};

struct hs_certs {
	struct hs_cert_service *v;
	size_t n, cap;
};

/* Keeps only the services whose every name satisfies wanted (the names a
 * signature domain could accept): a service of the same certificate has the
 * same names, so nothing that could become an endpoint is dropped, and a
 * scan of the whole Internet does not have to fit in memory. */
typedef bool (*hs_cert_name_fn)(void *ctx, const char *name);
int hs_certs_read(struct hs_certs *c, struct hs_input_stats *st, hs_cert_name_fn wanted, void *ctx);
void hs_certs_free(struct hs_certs *c);

/* Whether a certificate with these names counts for domain. */
bool hs_cert_names_match(char *const *names, int n, const char *domain, const char *regdom);

struct hs_cert_endpoints {
	__u8 (*addrs)[16];		/* sorted, distinct */
	size_t n_addrs;
	char **certs;			/* "fingerprint banner" of each accepted certificate, sorted */
	size_t n_certs;
};

/* Pure: the endpoints the certificates give domain. Returns 0 or -ENOMEM. */
int hs_certs_endpoints(const struct hs_certs *c, const char *domain, const char *regdom,
		       struct hs_cert_endpoints *out);
void hs_cert_endpoints_free(struct hs_cert_endpoints *e);
