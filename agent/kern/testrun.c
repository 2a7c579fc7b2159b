// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kern/testrun.h"

int hs_frame_run(int prog_fd, const void *frame, size_t len, __u32 *verdict)
{
	unsigned char buf[ETH_HLEN + 32] = {};
	struct xdp_md ctx = {};
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = len,
		    .repeat = 1);
	int err;

	if (len < ETH_HLEN) {
		/* The kernel takes no test input shorter than an Ethernet
		 * header. Pad it, and end the packet the program sees at
		 * len with ctx.data_end; the padding lands in a fragment the
		 * program never reads. */
		memcpy(buf, frame, len);
		ctx.data_end = len;
		topts.data_in = buf;
		topts.data_size_in = ETH_HLEN;
		topts.ctx_in = &ctx;
		topts.ctx_size_in = sizeof(ctx);
	}
	err = bpf_prog_test_run_opts(prog_fd, &topts);
	if (err && errno == EINVAL && len < ETH_HLEN) {
		/* Older kernels want data_end at the end of the input,
		 * but count XDP metadata in front of the packet towards the
		 * minimum: put the padding there instead. */
		__u32 meta = (ETH_HLEN - len + 3) & ~3U;

		memset(buf, 0, sizeof(buf));
		memcpy(buf + meta, frame, len);
		ctx.data = meta;
		ctx.data_end = meta + len;
		topts.data_size_in = meta + len;
		err = bpf_prog_test_run_opts(prog_fd, &topts);
	}
	if (err)
		return -errno;
	*verdict = topts.retval;
	return 0;
}
