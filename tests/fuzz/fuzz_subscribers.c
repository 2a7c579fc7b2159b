// SPDX-License-Identifier: GPL-2.0
/* A subscribers file (--subscribers). */
#include <stdlib.h>
#include "lib/prefix.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct haystack_lpm_key *keys = NULL;
	char path[64], buf[HS_ADDRSTRLEN + 4];
	size_t n = 0, i;
	int fd = hs_fuzz_file(data, size, path, sizeof(path));

	if (!hs_subscribers_load(path, &keys, &n)) {
		/* what was accepted is a prefix that prints back and parses again */
		for (i = 0; i < n; i++) {
			struct haystack_lpm_key k;

			if (hs_parse_prefix(hs_format_prefix(&keys[i], buf, sizeof(buf)), &k) ||
			    hs_key_cmp(&k, &keys[i]))
				hs_fuzz_fail("prefix %zu does not survive printing as %s", i, buf);
		}
		free(keys);
	}
	hs_fuzz_file_close(fd);
	return 0;
}
