// SPDX-License-Identifier: GPL-2.0
/* Certificate (Censys) lines, and the endpoints they give the names in them. */
#include "dictbuild/certs.h"
#include "lib/dnsname.h"
#include "fuzz.h"

static bool any_name(void *ctx, const char *name)
{
	return true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_input_stats st = {};
	struct hs_cert_endpoints e;
	struct hs_certs c = {};
	char path[64];
	size_t i;
	int fd = hs_fuzz_file(data, size, path, sizeof(path));

	st.path = path;
	st.strict = size && (data[size - 1] & 1);
	if (!hs_certs_read(&c, &st, any_name, NULL)) {
		for (i = 0; i < c.n && i < 8; i++) {
			const char *name = c.v[i].names[0];

			if (!hs_certs_endpoints(&c, name, hs_registrable_domain(name), &e))
				hs_cert_endpoints_free(&e);
		}
	}
	hs_certs_free(&c);
	hs_fuzz_file_close(fd);
	return 0;
}
