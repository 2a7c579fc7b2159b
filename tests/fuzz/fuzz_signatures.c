// SPDX-License-Identifier: GPL-2.0
/* A haystack-signatures/1 file, and the checks across files. */
#include "dict/signatures.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_signatures s = {};
	char path[64];
	int fd = hs_fuzz_file(data, size, path, sizeof(path));

	if (!hs_signatures_load(path, &s))
		hs_signatures_check(&s);
	hs_signatures_free(&s);
	hs_fuzz_file_close(fd);
	return 0;
}
