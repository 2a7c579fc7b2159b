// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include "lib/log.h"
#include "runtime/linkwatch.h"

static int on_message(struct nl_msg *msg, void *arg)
{
	struct hs_linkwatch *w = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct ifinfomsg *ifi;
	struct nlattr *name;

	if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) ||
	    !nlmsg_valid_hdr(h, sizeof(*ifi)))
		return NL_OK;
	ifi = nlmsg_data(h);
	name = nlmsg_find_attr(h, sizeof(*ifi), IFLA_IFNAME);
	if (ifi->ifi_index == w->ifindex ||
	    (name && !strncmp(nla_get_string(name), w->name, IFNAMSIZ)))
		w->changed = true;
	return NL_OK;
}

int hs_linkwatch_open(struct hs_linkwatch *w, const char *name)
{
	int err;

	memset(w, 0, sizeof(*w));
	w->name = name;
	w->sk = nl_socket_alloc();
	if (!w->sk) {
		hs_err("cannot allocate a netlink socket");
		return -ENOMEM;
	}
	/* Notifications carry no sequence numbers of ours. */
	nl_socket_disable_seq_check(w->sk);
	nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, w);
	err = nl_connect(w->sk, NETLINK_ROUTE);
	if (!err)
		err = nl_socket_add_membership(w->sk, RTNLGRP_LINK);
	if (!err)
		err = nl_socket_set_nonblocking(w->sk);
	if (err) {
		hs_err("cannot watch the interfaces (rtnetlink): %s", nl_geterror(err));
		hs_linkwatch_close(w);
		return -EIO;
	}
	return 0;
}

int hs_linkwatch_fd(const struct hs_linkwatch *w)
{
	return nl_socket_get_fd(w->sk);
}

bool hs_linkwatch_read(struct hs_linkwatch *w)
{
	int err = nl_recvmsgs_default(w->sk);

	/* An overflow (ENOBUFS, NLE_NOMEM) dropped messages: perhaps ours. */
	if (err < 0 && err != -NLE_AGAIN) {
		hs_debug("rtnetlink: %s; looking at the interface again", nl_geterror(err));
		w->changed = true;
	}
	if (!w->changed)
		return false;
	w->changed = false;
	return true;
}

void hs_linkwatch_close(struct hs_linkwatch *w)
{
	nl_socket_free(w->sk);
	w->sk = NULL;
}
