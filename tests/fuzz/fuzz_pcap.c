// SPDX-License-Identifier: GPL-2.0
/* A capture file as replay reads it (pcap or pcapng, any link type), every
 * frame through the XDP program. */
#include "fuzz.h"
#include "kern.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	hs_fuzz_kern_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = hs_fuzz_file(data, size, path, sizeof(path));

	hs_fuzz_replay(path);
	hs_fuzz_file_close(fd);
	return 0;
}
