/* SPDX-License-Identifier: GPL-2.0 */
/* Interfaces coming and going (rtnetlink RTNLGRP_LINK, through libnl). */
#pragma once

#include <stdbool.h>

struct nl_sock;

struct hs_linkwatch {
	struct nl_sock *sk;
	int ifindex;		/* the interface watched ... */
	const char *name;	/* ... and the name it may come back under */
	bool changed;		/* a message named one of them */
};

/* Subscribe to link changes. Returns 0 or -errno after one line. */
int hs_linkwatch_open(struct hs_linkwatch *w, const char *name);
/* Readable when messages are waiting (for the agent's epoll set). */
int hs_linkwatch_fd(const struct hs_linkwatch *w);
/* Read what is waiting. True when a message was about the watched ifindex
 * or name, or when messages were lost (the socket overflowed): either way
 * the caller looks at the interface again. */
bool hs_linkwatch_read(struct hs_linkwatch *w);
void hs_linkwatch_close(struct hs_linkwatch *w);
