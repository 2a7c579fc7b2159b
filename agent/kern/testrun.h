/* SPDX-License-Identifier: GPL-2.0 */
/* BPF_PROG_TEST_RUN of the XDP program on one frame (replay and the tests). */
#pragma once

#include <stddef.h>
#include <linux/types.h>

/* Largest frame replayed: the largest IPv6 datagram (a 40-octet header and
 * a 65,535-octet payload) behind Ethernet and two VLAN tags. The program
 * declares frags, so BPF_PROG_TEST_RUN takes it as a page and up to 17
 * fragments, and the program reads it as it reads a live jumbo frame. */
#define HS_TEST_RUN_MAX_FRAME (14 + 8 + 40 + 65535)

/* Run the program once on one Ethernet frame. Frames shorter than an
 * Ethernet header are accepted too: the kernel refuses those as test input,
 * so they are padded where the program does not see it, and it sees exactly
 * len bytes.
 * Returns 0 with *verdict set, or -errno. */
int hs_frame_run(int prog_fd, const void *frame, size_t len, __u32 *verdict);
