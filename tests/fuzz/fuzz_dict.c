// SPDX-License-Identifier: GPL-2.0
/* A dictionary file: loaded, and when it loads, compiled for the kernel. */
#include "dict/dict.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_compiled c;
	struct hs_dict *d = NULL;
	char path[64];
	int fd = hs_fuzz_file(data, size, path, sizeof(path));

	if (!hs_dict_load(path, &d)) {
		if (!hs_dict_compile(d, &c))
			hs_compiled_free(&c);
		hs_dict_free(d);
	}
	hs_fuzz_file_close(fd);
	return 0;
}
