// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
/* libpcap would bring its own classic-BPF struct bpf_insn, clashing with libbpf. */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>
#include "kern/clocks.h"
#include "kern/harvest.h"
#include "kern/instance.h"
#include "kern/records_ring.h"
#include "kern/stats.h"
#include "kern/tables.h"
#include "kern/testrun.h"
#include "lib/atomicfile.h"
#include "lib/log.h"
#include "output/report.h"
#include "runtime/replay.h"
#include "runtime/runtime.h"
#include "runtime/setup.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif


/* Ethertype of a raw IP packet, from its version nibble. */
static __u16 raw_ethertype(const unsigned char *p, size_t len)
{
	if (!len)
		return 0;
	switch (p[0] >> 4) {
	case 4:
		return ETH_P_IP;
	case 6:
		return ETH_P_IPV6;
	default:
		return 0;
	}
}

/* The frame as Ethernet: where a capture has another link type, the agent
 * supplies an Ethernet header (zero MACs) in front of the network layer. */
static int to_ethernet(int dlt, const unsigned char *p, size_t len, unsigned char *out,
		       size_t *out_len)
{
	size_t hdr;
	__u16 proto;

	switch (dlt) {
	case DLT_EN10MB:
		memcpy(out, p, len);
		*out_len = len;
		return 0;
	case DLT_LINUX_SLL:
		if (len < 16)
			return -EINVAL;
		proto = p[14] << 8 | p[15];
		hdr = 16;
		break;
	case DLT_LINUX_SLL2:
		if (len < 20)
			return -EINVAL;
		proto = p[0] << 8 | p[1];
		hdr = 20;
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		proto = raw_ethertype(p, len);
		hdr = 0;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		/* A 4-byte address family whose byte order depends on the
		 * capturing host: the IP version nibble is the safer guide. */
		if (len < 4)
			return -EINVAL;
		proto = raw_ethertype(p + 4, len - 4);
		hdr = 4;
		break;
	default:
		return -EOPNOTSUPP;	/* refused when the file is opened */
	}
	if (!proto)
		return -ENOPROTOOPT;
	memset(out, 0, 12);
	out[12] = proto >> 8;
	out[13] = proto & 0xff;
	memcpy(out + ETH_HLEN, p + hdr, len - hdr);
	*out_len = ETH_HLEN + len - hdr;
	return 0;
}

static bool link_type_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

/* Link-layer headers to_ethernet() strips are at most this long (SLL2). */
#define MAX_LINK_HDR 20

int hs_replay_file(int prog_fd, const char *path, struct hs_replay_counts *c,
		   struct hs_records *records, int (*tick)(void *ctx), void *tick_ctx)
{
	static unsigned char frame[ETH_HLEN + HS_TEST_RUN_MAX_FRAME + MAX_LINK_HDR];
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const unsigned char *p;
	unsigned long long n = 0;	/* frame number in this file, for messages */
	int dlt, rc, err = 0;
	pcap_t *pc;

	pc = pcap_open_offline(path, errbuf);
	if (!pc) {
		hs_err("%s: %s", path, errbuf);
		return -EINVAL;
	}
	dlt = pcap_datalink(pc);
	if (!link_type_supported(dlt)) {
		hs_err("%s: link type %d (%s) is not supported (Ethernet, Linux cooked, raw IP, loopback are)",
		       path, dlt, pcap_datalink_val_to_name(dlt) ?: "no name");
		pcap_close(pc);
		return -EINVAL;
	}
	while ((rc = pcap_next_ex(pc, &h, &p)) == 1) {
		size_t len;
		__u32 verdict;

		n++;
		c->frames++;
		/* Checked before the copy: libpcap hands out frames up to
		 * 256 KiB, more than any IP datagram. */
		if (h->caplen > HS_TEST_RUN_MAX_FRAME + MAX_LINK_HDR) {
			c->too_large++;
			continue;
		}
		if (to_ethernet(dlt, p, h->caplen, frame, &len)) {
			c->not_ip++;
			continue;
		}
		if (len > HS_TEST_RUN_MAX_FRAME) {
			c->too_large++;
			continue;
		}
		err = hs_frame_run(prog_fd, frame, len, &verdict);
		if (err) {
			hs_err("%s: frame %llu: BPF_PROG_TEST_RUN failed: %s (%d)", path, n,
			       strerror(-err), err);
			break;
		}
		c->fed++;
		if (records) {
			err = hs_records_poll(records, 0);
			if (err)
				break;
		}
		/* soon after the first export time is known, then steadily */
		if (tick && (!(c->fed & (c->fed - 1)) || !(c->fed % HS_REPLAY_TICK))) {
			err = tick(tick_ctx);
			if (err)
				break;
		}
	}
	if (!err && tick)
		err = tick(tick_ctx);
	if (!err && rc == PCAP_ERROR) {
		hs_err("%s: frame %llu: %s", path, n + 1, pcap_geterr(pc));
		err = -EINVAL;
	}
	pcap_close(pc);
	return err;
}

/* Every nonzero counter on one line, so a replay shows why records did not count. */
static void log_counters(const struct haystack_stats *st)
{
	char line[1024];
	size_t off = 0;

	for (int i = 0; hs_counters[i].name && off < sizeof(line); i++) {
		__u64 v = *(const __u64 *)((const char *)st + hs_counters[i].offset);

		if (v)
			off += snprintf(line + off, sizeof(line) - off, " %s=%llu",
					hs_counters[i].name, (unsigned long long)v);
	}
	hs_info("counters:%s", off ? line : " none");
}

/* The range a replay reports: the exporters' accepted clocks, judged as
 * live (docs/operations.md, "Time") with every exporter active and the
 * host's clock and a day as the limit (a capture is of the past). One that
 * is not plausible is said, with what it would have added. */
static int replay_times(struct hs_instance *in, struct hs_times *t)
{
	int err = hs_times_read(hs_instance_map_fd(in, HS_MAP_EXPORTER_CLOCKS),
				(__u64)time(NULL) + HAYSTACK_CLOCK_WINDOW, 0, 0, t);

	if (err)
		hs_err("cannot read the exporter_clocks map: %s (%d)", strerror(-err), err);
	else if (t->plausible < t->exporters)
		hs_warn("%u of %u exporters have a clock far from the others' (or ahead of this host's): their times do not widen the report",
			t->exporters - t->plausible, t->exporters);
	return err;
}

struct replay_tables {
	struct hs_instance *in;
	struct hs_tables tables;
};

/* Hour tables for the hours the exporters' clocks are in, and the next
 * one, as live (run.c follow_tables) does. */
static int replay_follow(void *ctx)
{
	struct replay_tables *r = ctx;
	struct hs_times t;
	int err = hs_times_read(hs_instance_map_fd(r->in, HS_MAP_EXPORTER_CLOCKS),
				(__u64)time(NULL) + HAYSTACK_CLOCK_WINDOW, 0, 0, &t);

	if (!err && t.last)
		hs_tables_follow(&r->tables, hs_instance_map_fd(r->in, HS_MAP_DICTIONARIES),
				 hs_tables_first_hour(&t), hs_tables_last_hour(&t));
	return err;
}

int cmd_replay(const struct hs_options *o)
{
	struct hs_replay_counts counts = {};
	struct hs_evidence *ev = NULL;
	struct haystack_stats st;
	struct hs_times t;
	struct hs_instance in = {};
	struct hs_setup s;
	struct hs_report rep = {};
	struct hs_records records = {};
	struct hs_atomic_file af = {};
	struct replay_tables rt = { .in = &in };
	size_t n_ev = 0;
	FILE *out;
	int err;

	if (!o->n_inputs) {
		hs_err("replay: no capture file given");
		return -EINVAL;
	}
	err = hs_setup_load(o, &s);
	if (err)
		return err;
	/* Replay pins nothing: it must not disturb a running instance. */
	err = hs_instance_open(&in, NULL, &o->sizes);
	if (!err)
		err = hs_instance_load(&in);
	if (!err)
		err = hs_setup_apply(&s, &in);
	if (!err)
		err = hs_tables_open(&rt.tables, &in,
				     hs_map_capacity(hs_instance_map_fd(&in, HS_MAP_EVIDENCE)));
	if (err)
		goto out;
	/* A replay that fails leaves an earlier report in place. */
	err = hs_atomic_open(&af, o->out_path, false);
	if (err)
		goto out;
	out = af.f;
	if (o->records) {
		err = hs_records_open(&records, &in, out, &s.set);
		if (err)
			goto out;
	}

	for (int i = 0; i < o->n_inputs && !err; i++)
		err = hs_replay_file(hs_instance_prog_fd(&in), o->inputs[i], &counts,
				     o->records ? &records : NULL, replay_follow, &rt);
	if (err)
		goto out;
	if (counts.too_large)
		hs_warn("%llu frames larger than %d bytes were not replayed",
			(unsigned long long)counts.too_large, HS_TEST_RUN_MAX_FRAME);

	err = hs_read_stats(hs_instance_map_fd(&in, HS_MAP_STATS), &st);
	if (err)
		goto out;
	hs_info("replayed %llu frames: %llu export packets, %llu records, %llu matched, %llu lost (evidence map full)",
		(unsigned long long)counts.fed, (unsigned long long)st.export_packets,
		(unsigned long long)st.records, (unsigned long long)st.matched,
		(unsigned long long)st.evidence_full);
	log_counters(&st);
	hs_stats_warn(&st);
	err = replay_times(&in, &t);
	if (err)
		goto out;
	if (!t.last) {
		hs_info("no flow export packets in the input: no bins to report");
		goto out;
	}
	err = hs_harvest(hs_instance_map_fd(&in, HS_MAP_EVIDENCE), &rt.tables,
			 hs_instance_map_fd(&in, HS_MAP_RULES), 0, ~0ULL, &ev, &n_ev);
	if (err) {
		hs_err("cannot read the evidence map: %s (%d)", strerror(-err), err);
		goto out;
	}
	rep.out = out;
	rep.dicts = &s.set;
	rep.detail = o->detail;
	/* Every bin from the one holding the first plausible export time to
	 * the one holding the last, partial edge bins included (DESIGN §2). */
	for (int i = 0; i < o->n_bins && !err; i++) {
		__u32 w = o->bins[i];

		err = hs_report_bins(&rep, ev, n_ev, NULL, 0, w, t.first - t.first % w,
				     t.last - t.last % w);
	}
	if (err)
		hs_err("cannot write the report: %s (%d)", strerror(-err), err);
out:
	if (!err)
		err = hs_atomic_commit(&af, NULL);
	else
		hs_atomic_abort(&af);
	free(ev);
	hs_records_close(&records);
	hs_tables_close(&rt.tables);
	hs_instance_close(&in, false);
	hs_setup_free(&s);
	return err;
}
