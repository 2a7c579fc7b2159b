/* SPDX-License-Identifier: GPL-2.0 */
/* Offline input: capture files fed through the XDP program with
 * BPF_PROG_TEST_RUN, so replay and live count with the same code. */
#pragma once

#include <stddef.h>
#include <linux/types.h>

/* Largest frame BPF_PROG_TEST_RUN takes for XDP without frags: a page less
 * the XDP headroom and the skb_shared_info tailroom. */
#define HS_TEST_RUN_MAX_FRAME 3500

/* Run the program once on one Ethernet frame. Frames shorter than an
 * Ethernet header are accepted too: the kernel refuses those as test input,
 * so they are padded where the program does not see it, and it sees exactly
 * len bytes.
 * Returns 0 with *verdict set, or -errno. */
int hs_frame_run(int prog_fd, const void *frame, size_t len, __u32 *verdict);

struct hs_replay_counts {
	__u64 frames;		/* read from the captures */
	__u64 fed;		/* run through the program */
	__u64 too_large;	/* over HS_TEST_RUN_MAX_FRAME, not fed */
	__u64 not_ip;		/* cooked/raw link frames of another protocol */
};

/* Feed every frame of one pcap or pcapng file. Returns 0, or -EINVAL after
 * printing one line naming the file and the problem. */
struct hs_records;
/* With records, what the program sent for a frame is written before the
 * next frame runs (the ring buffer never holds more than one frame's). */
int hs_replay_file(int prog_fd, const char *path, struct hs_replay_counts *c,
		   struct hs_records *records);
