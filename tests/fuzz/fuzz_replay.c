// SPDX-License-Identifier: GPL-2.0
/*
 * The frames of a capture, without the capture: the input is a sequence of
 * [2-byte big-endian length][Ethernet frame], which this harness wraps in a
 * pcap before replaying it, so every mutation is a valid capture and lands
 * in the packet parsers (Ethernet/VLAN/IP/UDP, NetFlow v5/v9, IPFIX) and
 * the classifier rather than in libpcap's file checks. make fuzz derives the
 * seeds from the fixture captures (pcap2frames).
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "kern.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	hs_fuzz_kern_init();
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* pcap: the writer's byte order, told by the magic */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t header[24] = {
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 1, 0, 0, 0,	/* snaplen 65535, DLT_EN10MB */
	};
	uint8_t *pcap = malloc(sizeof(header) + size / 2 * 16 + size + 16), *p;
	size_t i = 0, n;
	char path[64];
	uint32_t t = 0;
	int fd;

	if (!pcap)
		return 0;
	memcpy(pcap, header, sizeof(header));
	p = pcap + sizeof(header);
	while (i + 2 <= size) {
		n = (size_t)data[i] << 8 | data[i + 1];
		i += 2;
		if (n > size - i)
			n = size - i;
		put32(p, ++t);		/* ts_sec: not what bins go by, export time is */
		put32(p + 4, 0);
		put32(p + 8, (uint32_t)n);
		put32(p + 12, (uint32_t)n);
		memcpy(p + 16, data + i, n);
		p += 16 + n;
		i += n;
	}
	fd = hs_fuzz_file(pcap, (size_t)(p - pcap), path, sizeof(path));
	free(pcap);
	hs_fuzz_replay(path);
	hs_fuzz_file_close(fd);
	return 0;
}
