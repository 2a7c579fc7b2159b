/* SPDX-License-Identifier: GPL-2.0 */
/* The collector ports nobody else holds, held by run with a drained socket. */
#pragma once

#include "haystack.h"

/*
 * With no socket on a collector port, the kernel answers every export
 * datagram XDP passed on with ICMP port unreachable: noise on the exporters'
 * links, and a reflector for datagrams with a forged source. run binds each
 * port no collector holds and throws away what arrives there (the program
 * has read it already).
 */
struct hs_collector_ports {
	int fd[HAYSTACK_MAX_PORTS];	/* -1: left to the collector bound there */
	int n;				/* entries of fd (ports configured) */
};

/* Bind a UDP socket (IPv6 and IPv4) on each port of ports (0 ends the list)
 * that no other socket holds, and say in one info line which were held and
 * which left to a collector. A port that cannot be bound for another reason
 * gets a warning; none of this is fatal. */
void hs_hold_collector_ports(struct hs_collector_ports *c, const __u16 *ports);
/* Discard what waits on the sockets: called at least once a second, a
 * socket fd is ready to be drained when poll says POLLIN. */
void hs_drain_collector_sockets(struct hs_collector_ports *c);
void hs_release_collector_ports(struct hs_collector_ports *c);
