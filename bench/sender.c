// SPDX-License-Identifier: GPL-2.0
/*
 * The sender of the end-to-end benchmark (bench/e2e.sh): whole loops of a
 * capture, sent as they are on an interface, faster than tcpreplay can.
 *
 *	sender IFACE PCAP LOOPS RATE SECONDS THREADS [FLOWS]
 *
 * The capture is read once into memory. With FLOWS > 1 (1 by default)
 * frame i of the capture leaves from UDP source port P + i % FLOWS, P its
 * own, checksum mended: one exporter address with FLOWS sockets, as a
 * router with several line cards exports. The device picks a transmit
 * queue by the flow hash (XPS over all queues, bench/e2e.sh sets it), so
 * that consecutive frames spread over a veth's queues, each with a ring and
 * a NAPI of its own on the receiving end, as RSS spreads exporters over a
 * NIC's queues; templates are scoped by exporter address, not port, in
 * haystack and nfcapd alike. Each of THREADS threads has a
 * packet socket of its own with PACKET_QDISC_BYPASS (the frames go straight
 * to the driver, as a traffic generator's would) and sends with sendmmsg()
 * in batches; the threads take whole loops from a shared count until LOOPS
 * are sent. RATE is datagrams/s over all threads, 0 for as fast as it goes;
 * each thread paces its share against the clock, one batch at a time, and
 * does not make up for lost time in a burst.
 *
 * Bounded in count and time: no loop is started once SECONDS have passed,
 * and a loop under way is cut at 3 * SECONDS + 5 s (a sender that slow is
 * far past any rate worth measuring). A datagram the device refuses
 * (ENOBUFS: the receiver's queue is full) is not sent again: it is lost, as
 * it would be on a link, and counted, so that a receiver that falls behind
 * loses records instead of slowing the sender down.
 *
 * Prints one line: "LOOPS DATAGRAMS SECONDS REFUSED CUT": the whole loops
 * and datagrams sent (the refused ones among them), CUT 1 when a loop was
 * cut short (then DATAGRAMS is not a whole number of loops).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_THREADS 64
#define SNDBUF (64 << 20)
#define CATCH_UP (2 * BATCH)

static struct {
	unsigned char *buf;	/* every frame of the capture, end to end */
	size_t *off, *len, n;
	int ifindex;
	long loops;
	double rate;		/* datagrams/s of one thread, 0: unpaced */
	double soft, hard;	/* deadlines, seconds from start */
	struct timespec start;
} cap;

static atomic_long next_loop;
static atomic_int cut;

struct worker {
	pthread_t tid;
	int fd;
	long loops, sent, refused;
	double due;		/* when the next batch is to be sent */
};

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "sender: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void read_capture(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t size = 0, cap_n = 0;
	pcap_t *p = pcap_open_offline(path, err);

	if (!p) {
		fprintf(stderr, "sender: %s: %s\n", path, err);
		exit(1);
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		if (cap.n == cap_n) {
			cap_n = cap_n ? 2 * cap_n : 1024;
			cap.off = realloc(cap.off, cap_n * sizeof(*cap.off));
			cap.len = realloc(cap.len, cap_n * sizeof(*cap.len));
		}
		cap.buf = realloc(cap.buf, size + h->caplen);
		if (!cap.off || !cap.len || !cap.buf)
			die("reading the capture");
		memcpy(cap.buf + size, data, h->caplen);
		cap.off[cap.n] = size;
		cap.len[cap.n++] = h->caplen;
		size += h->caplen;
	}
	pcap_close(p);
	if (!cap.n) {
		fprintf(stderr, "sender: %s: no frames\n", path);
		exit(1);
	}
}

static int open_socket(void)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = 0,	/* send only: no frame is queued to it */
		.sll_ifindex = cap.ifindex,
	};
	int one = 1, sndbuf = SNDBUF, fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0)
		die("socket(AF_PACKET)");
	/*
	 * A frame is charged to the socket until the receiver has consumed it:
	 * with the default buffer the sender blocks whenever the receiver is
	 * behind, and could never overrun it. An exporter is not held back by
	 * its collector, so the buffer is made large enough that the device's
	 * own queue overflows first (and drops, as a link would).
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)))
		die("SO_SNDBUFFORCE");
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		die("PACKET_QDISC_BYPASS");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind");
	return fd;
}

/*
 * Frame i from source port P + i % FLOWS. The UDP checksum is mended as
 * RFC 1624 says (0 stays 0: none; a sum of 0 is sent as 0xffff); frames
 * that are not IPv4/UDP are left as they are.
 */
static void spread_ports(int flows)
{
	for (size_t i = 0; i < cap.n && flows > 1; i++) {
		unsigned char *f = cap.buf + cap.off[i];
		struct iphdr *ip = (struct iphdr *)(f + ETH_HLEN);
		struct udphdr *udp;
		unsigned int sum;
		uint16_t port;

		if (cap.len[i] < ETH_HLEN + sizeof(*ip) + sizeof(*udp) ||
		    ntohs(((struct ethhdr *)f)->h_proto) != ETH_P_IP || ip->protocol != IPPROTO_UDP ||
		    cap.len[i] < ETH_HLEN + ip->ihl * 4u + sizeof(*udp))
			continue;
		udp = (struct udphdr *)((unsigned char *)ip + ip->ihl * 4);
		port = htons(ntohs(udp->source) + i % flows);
		if (udp->check) {
			sum = (uint16_t)~udp->check + (uint16_t)~udp->source + port;
			sum = (sum & 0xffff) + (sum >> 16);
			sum = (sum & 0xffff) + (sum >> 16);
			udp->check = (uint16_t)~sum ?: 0xffff;
		}
		udp->source = port;
	}
}

/*
 * Waits until the next batch is due at the thread's rate. A thread that
 * fell behind (the scheduler, a slow send) catches up by CATCH_UP frames
 * at most: a longer burst at full speed would overrun the receiver's queue
 * (a veth's holds 256) at rates it keeps up with. Past that the schedule
 * is moved on, and the rate reached shows it.
 */
static void pace(struct worker *w, int n)
{
	double now = since(&cap.start);
	struct timespec t = cap.start;
	long ns;

	if (w->due < now - CATCH_UP / cap.rate)
		w->due = now;
	if (w->due > now) {
		ns = t.tv_nsec + (long)((w->due - (long)w->due) * 1e9);
		t.tv_sec += (long)w->due + ns / 1000000000;
		t.tv_nsec = ns % 1000000000;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
	}
	w->due += n / cap.rate;
}

/*
 * Sends frames FIRST .. FIRST + N - 1 of the capture; 0, or -1 when the
 * loop is to be cut.
 */
static int send_batch(struct worker *w, size_t first, int n)
{
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	int done = 0;

	memset(msg, 0, sizeof(msg));
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = cap.buf + cap.off[first + i];
		iov[i].iov_len = cap.len[first + i];
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < n) {
		int r = sendmmsg(w->fd, msg + done, n - done, 0);

		if (r > 0) {
			done += r;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != ENOBUFS && errno != EAGAIN)
			die("sendmmsg");
		/* the device's queue was full: the frame is lost, as on a link */
		w->refused++;
		done++;
	}
	w->sent += n;
	return since(&cap.start) > cap.hard ? -1 : 0;
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	long loop;

	while (!atomic_load(&cut) && since(&cap.start) < cap.soft &&
	       (loop = atomic_fetch_add(&next_loop, 1)) < cap.loops) {
		/* the first loop's first frame went ahead (main) */
		for (size_t i = loop ? 0 : 1; i < cap.n; i += BATCH) {
			int n = cap.n - i < BATCH ? cap.n - i : BATCH;

			if (cap.rate)
				pace(w, n);
			if (send_batch(w, i, n)) {
				atomic_store(&cut, 1);
				return NULL;
			}
		}
		w->loops++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static struct worker w[MAX_THREADS];
	long loops = 0, sent = 0, refused = 0;
	int threads;
	double secs;

	if (argc != 7 && argc != 8) {
		fprintf(stderr, "usage: sender IFACE PCAP LOOPS RATE SECONDS THREADS [FLOWS]\n");
		return 2;
	}
	cap.ifindex = if_nametoindex(argv[1]);
	if (!cap.ifindex)
		die(argv[1]);
	read_capture(argv[2]);
	cap.loops = atol(argv[3]);
	threads = atoi(argv[6]);
	if (threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "sender: THREADS from 1 to %d\n", MAX_THREADS);
		return 2;
	}
	cap.rate = atof(argv[4]) / threads;
	cap.soft = atof(argv[5]);
	cap.hard = 3 * cap.soft + 5;
	spread_ports(argc == 8 ? atoi(argv[7]) : 1);
	/* the sockets before the clock starts: no thread starts behind */
	for (int i = 0; i < threads; i++)
		w[i].fd = open_socket();
	/*
	 * The first frame (v9: the templates) goes alone and ahead: the frames
	 * after it may take other queues, whose NAPI could run first and find
	 * no template yet. An exporter's templates precede its data by far.
	 */
	if (cap.loops > 0) {
		send_batch(&w[0], 0, 1);
		usleep(10000);
	}
	clock_gettime(CLOCK_MONOTONIC, &cap.start);
	for (int i = 0; i < threads; i++)
		if ((errno = pthread_create(&w[i].tid, NULL, worker, &w[i])))
			die("pthread_create");
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].tid, NULL);
		loops += w[i].loops;
		sent += w[i].sent;
		refused += w[i].refused;
		close(w[i].fd);
	}
	secs = since(&cap.start);
	printf("%ld %ld %.6f %ld %d\n", loops, sent, secs, refused, atomic_load(&cut));
	return 0;
}
