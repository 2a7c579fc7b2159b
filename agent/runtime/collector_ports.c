// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "lib/log.h"
#include "runtime/collector_ports.h"

/* A UDP socket on port of every address, IPv6 and IPv4 in one where the
 * host has IPv6: fd, or -errno. No SO_REUSEADDR: a collector bound to the
 * port on any address makes the bind fail (EADDRINUSE), and the port is
 * its. */
static int bind_port(__u16 port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_ANY) };
	int fd, off = 0, err;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
		    bind(fd, (struct sockaddr *)&a6, sizeof(a6)))
			goto fail;
		return fd;
	}
	if (errno != EAFNOSUPPORT)
		return -errno;
	/* IPv6 disabled on this host (ipv6.disable=1) */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!bind(fd, (struct sockaddr *)&a4, sizeof(a4)))
		return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

static void append_port(char *buf, size_t size, __u16 port)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%u", len ? "," : "", port);
}

void hs_hold_collector_ports(struct hs_collector_ports *c, const __u16 *ports)
{
	char held[64] = "", left[64] = "";

	c->n = 0;
	for (int i = 0; i < HAYSTACK_MAX_PORTS && ports[i]; i++) {
		int fd = bind_port(ports[i]);

		c->fd[c->n++] = fd < 0 ? -1 : fd;
		if (fd >= 0)
			append_port(held, sizeof(held), ports[i]);
		else if (fd == -EADDRINUSE)
			append_port(left, sizeof(left), ports[i]);
		else
			hs_warn("cannot bind UDP port %u to keep the kernel from answering exports with ICMP port unreachable: %s (%d)",
				ports[i], strerror(-fd), fd);
	}
	if (held[0] || left[0])
		hs_info("collector ports: %s%s%s%s%s", held[0] ? held : "",
			held[0] ? " held by haystack, drained (no ICMP port unreachable)" : "",
			held[0] && left[0] ? "; " : "", left,
			left[0] ? " left to the collector bound there" : "");
}

/* Enough for what a socket buffer holds between two calls (a default
 * rmem of 208 KiB is some hundred datagrams); the kernel drops what comes
 * beyond, which it has passed to XDP already, and answers none of it. */
#define DRAIN_MAX	4096

void hs_drain_collector_sockets(struct hs_collector_ports *c)
{
	for (int i = 0; i < c->n; i++) {
		if (c->fd[i] < 0)
			continue;
		/* a zero-length read takes the whole datagram off the queue */
		for (int k = 0; k < DRAIN_MAX; k++)
			if (recv(c->fd[i], NULL, 0, MSG_DONTWAIT | MSG_TRUNC) < 0)
				break;
	}
}

void hs_release_collector_ports(struct hs_collector_ports *c)
{
	for (int i = 0; i < c->n; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	c->n = 0;
}
