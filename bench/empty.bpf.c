// SPDX-License-Identifier: GPL-2.0
/* The floor of BPF_PROG_TEST_RUN: an XDP program that does nothing, run on
 * the same frames as haystack in the same benchmark (bench/bench_kern.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int empty_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
