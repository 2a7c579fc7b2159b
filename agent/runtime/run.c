// SPDX-License-Identifier: GPL-2.0
/* Live mode: attached to an interface, reporting bins as export time closes them. */
#include <errno.h>
#include <net/if.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "kern/harvest.h"
#include "kern/instance.h"
#include "kern/records_ring.h"
#include "kern/stats.h"
#include "kern/templates.h"
#include "lib/log.h"
#include "output/report.h"
#include "runtime/collector_ports.h"
#include "runtime/runtime.h"
#include "runtime/setup.h"

static volatile sig_atomic_t stopping, reload_asked;

static void on_stop(int sig)
{
	stopping = 1;
}

static void on_hup(int sig)
{
	reload_asked = 1;
}

/* Refuse to count on top of evidence from another dictionary: its rule sets
 * and domain numbers would be read against the wrong file. */
static int check_pinned_dictionary(const char *pin_dir, __u64 dict_hash)
{
	struct haystack_config cfg;
	int cfd, efd, err = 0;

	cfd = hs_pinned_map_fd(pin_dir, hs_map_names[HS_MAP_CONFIG]);
	if (cfd < 0)
		return 0;	/* nothing pinned yet */
	efd = hs_pinned_map_fd(pin_dir, hs_map_names[HS_MAP_EVIDENCE]);
	if (!hs_config_read(cfd, &cfg) && cfg.dict_hash &&
	    cfg.dict_hash != dict_hash && efd >= 0 && hs_evidence_count(efd)) {
		hs_err("%s holds evidence counted with another dictionary; report it with that dictionary or remove it with `haystack detach`",
		       pin_dir);
		err = -EEXIST;
	}
	close(cfd);
	if (efd >= 0)
		close(efd);
	return err;
}

struct live {
	struct hs_report rep;
	const struct hs_options *o;
	struct hs_instance *in;
	struct haystack_config cfg;	/* as written to the config map */
	__u64 next[HS_MAX_BINS];	/* start of the first bin not yet reported */
	__u64 late_records;		/* stats.late_records already said on stderr */
};

/* Hours every width has reported: evidence there is no longer needed. */
static __u64 reported_until(const struct live *l)
{
	__u64 keep = ~0ULL;

	for (int i = 0; i < l->o->n_bins; i++)
		keep = keep < l->next[i] ? keep : l->next[i];
	return keep;
}

/* Report, for each width, the bins that start before limit[i]. */
static int report_until(struct live *l, const __u64 *limit)
{
	struct hs_evidence *ev = NULL;
	__u64 from = ~0ULL, until = 0;
	size_t n = 0;
	int w = 0, err;

	for (int i = 0; i < l->o->n_bins; i++) {
		if (limit[i] <= l->next[i])
			continue;
		from = from < l->next[i] ? from : l->next[i];
		until = until > limit[i] ? until : limit[i];
	}
	if (until) {
		err = hs_harvest(hs_instance_map_fd(l->in, HS_MAP_EVIDENCE),
				 hs_instance_map_fd(l->in, HS_MAP_RULES), from, until, &ev, &n);
		if (err) {
			hs_err("cannot read the evidence map: %s (%d)", strerror(-err), err);
			return err;
		}
		for (int i = 0; i < l->o->n_bins; i++) {
			__u32 w = l->o->bins[i];

			if (limit[i] <= l->next[i])
				continue;
			err = hs_report_bins(&l->rep, ev, n, w, l->next[i], limit[i] - w);
			if (err) {
				free(ev);
				hs_err("cannot write the report: %s (%d)", strerror(-err), err);
				return err;
			}
			l->next[i] = limit[i];
			l->cfg.report_width[i] = w;
			l->cfg.report_next[i] = l->next[i];
		}
		free(ev);

		/* Tell the program which bins are reported, so a record that
		 * comes later is counted late (the smallest width closes first). */
		for (int i = 1; i < l->o->n_bins; i++)
			if (l->o->bins[i] < l->o->bins[w])
				w = i;
		l->cfg.closed_before = l->next[w];
		err = hs_write_config(l->in, &l->cfg);
		if (err)
			return err;
	}
	return hs_evidence_expire(hs_instance_map_fd(l->in, HS_MAP_EVIDENCE), reported_until(l),
				  NULL);
}

static int poll_bins(struct live *l, bool final)
{
	__u64 limit[HS_MAX_BINS];
	struct haystack_stats st;
	int err;

	err = hs_read_stats(hs_instance_map_fd(l->in, HS_MAP_STATS), &st);
	if (err || !st.export_time_max)
		return err;
	hs_templates_expire(hs_instance_map_fd(l->in, HS_MAP_TEMPLATES),
			    hs_instance_map_fd(l->in, HS_MAP_EXPORTERS),
			    l->o->template_timeout ?: HAYSTACK_TEMPLATE_TIMEOUT, st.export_time_max);
	if (st.late_records > l->late_records) {
		hs_warn("%llu matched records arrived for bins already reported (exports more than %u s late, see --grace): they count only in longer bins still open",
			(unsigned long long)(st.late_records - l->late_records), l->o->grace);
		l->late_records = st.late_records;
	}
	for (int i = 0; i < l->o->n_bins; i++) {
		__u32 w = l->o->bins[i];

		if (!l->next[i])
			l->next[i] = st.export_time_min - st.export_time_min % w;
		if (final)	/* flush the open bins too */
			limit[i] = st.export_time_max - st.export_time_max % w + w;
		else if (st.export_time_max >= l->o->grace)
			limit[i] = (st.export_time_max - l->o->grace) / w * w;
		else
			limit[i] = 0;
	}
	return report_until(l, limit);
}

/* Bins the agent we take over from reported stay reported: each width goes
 * on from where it stopped. A width it did not report starts at the first
 * export time, as in a fresh run. */
static int resume(struct live *l, struct hs_instance *in, struct haystack_config *cfg)
{
	struct haystack_config old;
	int err = hs_config_read(hs_instance_map_fd(in, HS_MAP_CONFIG), &old);

	if (err)
		return err;
	cfg->closed_before = old.closed_before;
	for (int i = 0; i < l->o->n_bins; i++)
		for (int j = 0; j < HAYSTACK_REPORT_WIDTHS; j++)
			if (old.report_width[j] == l->o->bins[i]) {
				l->next[i] = old.report_next[j];
				cfg->report_width[i] = old.report_width[j];
				cfg->report_next[i] = old.report_next[j];
			}
	return 0;
}

int cmd_run(const struct hs_options *o)
{
	struct hs_instance in = {};
	struct live l = { .o = o, .in = &in };
	struct hs_records records = {};
	struct hs_collector_ports ports = {};
	struct sigaction sa = {};
	FILE *out = stdout;
	struct haystack_stats st0;
	struct hs_setup s;
	int lock = -1, err;
	bool owner = false;	/* the pins are ours to remove once we attached */

	if (!o->iface) {
		hs_err("run: --iface is required");
		return -EINVAL;
	}
	if (!if_nametoindex(o->iface)) {
		hs_err("no interface %s in this network namespace", o->iface);
		return -ENODEV;
	}
	err = hs_setup_load(o, &s);
	if (err)
		return err;
	err = hs_report_open(o->out_path, &out);
	if (err)
		goto out;
	err = hs_instance_open(&in, o->pin_dir);
	if (err)
		goto out;
	err = hs_pin_lock(o->pin_dir, HS_PIN_WRITE, &lock);
	if (err == HS_PIN_BUSY) {
		hs_err("%s is in use by another running haystack", o->pin_dir);
		err = -EBUSY;
	}
	if (err)
		goto out;
	err = check_pinned_dictionary(o->pin_dir, s.config.dict_hash);
	if (err)
		goto out;
	err = hs_instance_attach(&in, o->iface, o->xdp_mode);
	owner = !err;
	if (err)
		goto out;
	if (in.adopted) {
		err = resume(&l, &in, &s.config);
		if (err)
			goto out;
		hs_info("took over the haystack attached to %s, with its evidence and templates",
			o->iface);
	}
	err = hs_setup_apply(&s, &in);
	if (err)
		goto out;
	/* before "attached": from then on exports may come */
	hs_hold_collector_ports(&ports, o->ports);
	hs_info("attached to %s: %zu endpoints, %zu subscriber prefixes, maps in %s", o->iface,
		s.compiled.n_endpoints, s.n_subscribers, o->pin_dir);

	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);

	l.cfg = s.config;
	/* Pins re-used from an earlier run keep their counters: only what
	 * comes late from now on is news. */
	if (!hs_read_stats(hs_instance_map_fd(&in, HS_MAP_STATS), &st0))
		l.late_records = st0.late_records;
	l.rep.out = out;
	l.rep.dict = s.dict;
	l.rep.detail = o->detail;
	if (o->records) {
		err = hs_records_open(&records, &in, out, s.dict);
		if (err)
			goto out;
	}
	while (!stopping) {
		struct timespec ts = { .tv_sec = 1 };

		/* With --records the ring buffer is the clock: records are
		 * written as they come, bins checked at least once a second. */
		if (o->records)
			err = hs_records_poll(&records, 1000);
		else
			nanosleep(&ts, NULL);
		if (err)
			break;
		hs_drain_collector_sockets(&ports);
		if (reload_asked) {
			reload_asked = 0;
			hs_warn("SIGHUP: dictionary reload is not supported by this version; still using %s",
				o->dict_path);
		}
		err = poll_bins(&l, false);
		if (err)
			break;
	}
	if (!err && o->records)
		err = hs_records_poll(&records, 0);
	if (!err)
		err = poll_bins(&l, true);
out:
	hs_release_collector_ports(&ports);
	hs_records_close(&records);
	if (out && out != stdout && fclose(out) && !err)
		err = -errno;
	/* Never remove pins we did not attach to: they may be another
	 * instance's evidence. A directory we only created goes if empty. */
	hs_instance_close(&in, o->keep || !owner);
	if (!owner)
		rmdir(o->pin_dir);
	hs_pin_unlock(lock);
	hs_setup_free(&s);
	return err;
}
