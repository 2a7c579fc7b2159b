/* SPDX-License-Identifier: GPL-2.0 */
/* Offline input: capture files fed through the XDP program with
 * BPF_PROG_TEST_RUN, so replay and live count with the same code. */
#pragma once

#include <stddef.h>
#include <linux/types.h>

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
 * next frame runs (the ring buffer never holds more than one frame's).
 * With tick, tick(tick_ctx) runs after the 1st, 2nd, 4th, ... frame fed,
 * every HS_REPLAY_TICK frames and at the end; its error stops the replay. */
#define HS_REPLAY_TICK 4096
int hs_replay_file(int prog_fd, const char *path, struct hs_replay_counts *c,
		   struct hs_records *records, int (*tick)(void *ctx), void *tick_ctx);
