// SPDX-License-Identifier: GPL-2.0
/* pcap2frames CAPTURE OUT: the Ethernet frames of a capture in fuzz_replay's
 * input format ([2-byte big-endian length][frame]...), the first frames up
 * to 16 KiB in all, for seeds. */
#include <stdio.h>
#include <pcap/pcap.h>

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const unsigned char *p;
	long total = 0;
	pcap_t *pc;
	FILE *out;

	if (argc != 3)
		return 2;
	pc = pcap_open_offline(argv[1], errbuf);
	if (!pc || pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "pcap2frames: %s: %s\n", argv[1], pc ? "not Ethernet" : errbuf);
		return 1;
	}
	out = fopen(argv[2], "wb");
	if (!out)
		return 1;
	while (total < 16384 && pcap_next_ex(pc, &h, &p) == 1) {
		unsigned int len = h->caplen > 0xffff ? 0xffff : h->caplen;

		total += 2 + len;
		fputc(len >> 8, out);
		fputc(len & 0xff, out);
		fwrite(p, 1, len, out);
	}
	pcap_close(pc);
	return fclose(out) ? 1 : 0;
}
