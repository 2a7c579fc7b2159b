// SPDX-License-Identifier: GPL-2.0
/*
 * Live mode: attached to an interface, reporting bins as export time closes
 * them. One epoll set drives it (enum source): signals, a one-second timer
 * for the bins, the records ring buffer, rtnetlink for the interface, and a
 * slot for the metrics listener.
 */
#include <errno.h>
#include <net/if.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include "kern/clocks.h"
#include "kern/harvest.h"
#include "kern/instance.h"
#include "kern/records_ring.h"
#include "kern/stats.h"
#include "kern/tables.h"
#include "kern/templates.h"
#include "lib/log.h"
#include "lib/timefmt.h"
#include "output/report.h"
#include "output/sink.h"
#include "runtime/linkwatch.h"
#include "runtime/collector_ports.h"
#include "runtime/runtime.h"
#include "runtime/setup.h"

/* What the event loop waits on, one epoll entry each (epoll_event.data.u32). */
enum source {
	SRC_SIGNALS,	/* signalfd: SIGTERM and SIGINT stop, SIGHUP reloads */
	SRC_TIMER,	/* timerfd, once a second: the bins export time closed */
	SRC_RECORDS,	/* the records ring buffer (--records) */
	SRC_LINK,	/* rtnetlink: the interface going and coming back */
	SRC_METRICS,	/* the metrics listener (not there yet) */
	SRC_COUNT,
};

struct live {
	struct hs_report rep;
	const struct hs_options *o;
	struct hs_instance *in;
	struct haystack_config cfg;	/* as written to the config map */
	__u64 next[HS_MAX_BINS];	/* start of the first bin not yet reported */
	/* A report that could not be written is tried again when the next bin
	 * closes (or on exit), not every second: the limits it had. */
	__u64 failed[HS_MAX_BINS];
	__u64 folded;			/* the hours before are folded into the longer bins */
	bool folding;			/* a width longer than an hour */
	__u64 expired_before;		/* evidence before this is already deleted */
	__u64 expired_folded;		/* and the hour tables folded before this */
	__u64 purged_past;		/* evidence past this ceiling is already deleted */
	__u64 late_records;		/* stats.late_records already said on stderr */
	unsigned long long records_lost; /* record lines not written since the last said */
	struct hs_sink sink;
	struct hs_tables tables;	/* the hour tables, held open */
	struct hs_records records;
	struct hs_linkwatch link;
	struct hs_collector_ports ports;	/* held when no collector holds them */
	struct hs_dict_set *dicts;	/* every generation reports may need */
	__u32 dicts_seen;		/* the schedule's last generation, synced */
	struct hs_retiring retiring;	/* generations being released */
	int epfd;
	int fds[SRC_COUNT];
	bool stopping;
	bool iface_gone;
};

/* Hours every width has reported: evidence there is no longer needed. */
static __u64 reported_until(const struct live *l)
{
	__u64 keep = ~0ULL;

	for (int i = 0; i < l->o->n_bins; i++)
		keep = keep < l->next[i] ? keep : l->next[i];
	return keep;
}

/* The ceiling on export time the program is told about (include/
 * haystack.h haystack_config.time_ceiling): the host's clock and a day, as
 * for plausible clocks, with the monotonic time it was taken at, so the
 * program moves it on by itself when no agent refreshes it. Written at
 * start and every tick (a host clock set meanwhile is followed). */
static void set_ceiling(struct haystack_config *cfg)
{
	struct timespec real, mono;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	cfg->time_ceiling = (__u64)real.tv_sec + HAYSTACK_CLOCK_WINDOW;
	cfg->time_ceiling_ns = (__u64)mono.tv_sec * 1000000000ULL + mono.tv_nsec;
}

/* Evidence of bins past the ceiling (pins of an earlier run, or the
 * host's clock set back since): no report would ever close those bins nor
 * delete them. Said when there was some. */
static void said_past(const struct live *l, size_t n_past)
{
	char t[32];

	if (n_past)
		hs_warn("deleted %zu evidence entries of bins past %s (more than a day ahead of this host's clock): no report would close them",
			n_past, hs_format_time(l->cfg.time_ceiling, t, sizeof(t)));
}

/* At start: what the pins taken over hold past the ceiling. The next
 * expire would find it only once a bin is reported. */
static void purge_past(struct live *l)
{
	size_t n_past = 0;

	l->purged_past = l->cfg.time_ceiling;
	if (hs_evidence_expire_outside(hs_instance_map_fd(l->in, HS_MAP_EVIDENCE), 0,
				       l->cfg.time_ceiling, NULL, &n_past) ||
	    hs_tables_expire(&l->tables, 0, l->cfg.time_ceiling, NULL, &n_past)) {
		hs_warn("cannot delete the evidence past the time ceiling; tried again at the next tick");
		l->purged_past = ~0ULL;	/* as if the ceiling went back */
	}
	said_past(l, n_past);
}

/* An hour table no width needs: reported, or an hour wholly in its fold. */
static bool table_gone(const struct hs_table *tb, void *ctx)
{
	const struct live *l = ctx;

	for (int i = 0; i < l->o->n_bins; i++) {
		__u32 w = l->o->bins[i];

		if (l->next[i] > tb->key.hour)
			continue;
		if (w == HAYSTACK_BASE_BIN ||
		    !hs_tables_folded(&l->tables, w, tb->key.hour, tb->key.generation))
			return false;
	}
	return true;
}

/* Evidence every width has reported is no longer needed, nor any past the
 * ceiling. One walk of the map, so only when that point moved, late
 * records may have added some, or the ceiling went back; the hour tables
 * also once folded, the folds once their bins are reported. */
static int expire(struct live *l, bool late)
{
	__u64 before = reported_until(l);
	bool back = l->cfg.time_ceiling < l->purged_past;
	size_t n_past = 0;
	char t[32];
	bool walk = before > l->expired_before || late || back;
	int err = 0;

	if (!walk && l->folded <= l->expired_folded)
		return 0;
	l->expired_folded = l->folded;
	if (walk) {
		l->expired_before = before;
		l->purged_past = l->cfg.time_ceiling;
		hs_debug("deleting the evidence before %s", hs_format_time(before, t, sizeof(t)));
		err = hs_evidence_expire_outside(hs_instance_map_fd(l->in, HS_MAP_EVIDENCE),
						 before, l->cfg.time_ceiling, NULL, &n_past);
	}
	err = err ?: hs_tables_expire_if(&l->tables, table_gone, l, l->cfg.time_ceiling, NULL,
					 &n_past);
	for (int i = 0; i < l->o->n_bins && !err; i++)
		if (l->o->bins[i] > HAYSTACK_BASE_BIN)
			err = hs_tables_expire_folds(&l->tables, l->o->bins[i], l->next[i]);
	said_past(l, n_past);
	return err;
}

/* The report lines could not be written (a full disk): nothing is marked
 * reported, so the evidence stays and the same bins are written later. */
static void unwritten(struct live *l, const __u64 *limit, size_t lines, int err)
{
	char from[32];
	__u64 first = ~0ULL;

	for (int i = 0; i < l->o->n_bins; i++) {
		first = first < l->next[i] ? first : l->next[i];
		l->failed[i] = limit[i];
	}
	hs_err("cannot write %s: %s (%d); %zu report lines of the bins from %s not written%s",
	       l->o->out_path ?: "standard output", strerror(-err), err, lines,
	       hs_format_time(first, from, sizeof(from)),
	       l->stopping ? "" : ", kept to be written when the next bin closes");
}

/* The width the program is told about: the smallest closes first. */
static int narrowest(const struct hs_options *o)
{
	int w = 0;

	for (int i = 1; i < o->n_bins; i++)
		if (o->bins[i] < o->bins[w])
			w = i;
	return w;
}

/* Width i as reported up to next: the pins and the program told. */
static void reported(struct live *l, int i, __u64 next)
{
	l->failed[i] = 0;
	l->next[i] = next;
	l->cfg.report_width[i] = l->o->bins[i];
	l->cfg.report_next[i] = next;
	/* Which bins are reported, so a record that comes later is counted
	 * late. */
	l->cfg.closed_before = l->next[narrowest(l->o)];
}

/* The lines made since the last commit written out: where they go is
 * noted in the pins first, so that a death part way leaves the run taking
 * over where to cut the file back. 1 when they could not be written (said;
 * nothing is marked reported, the same bins are written later). */
static int commit(struct live *l, const __u64 *limit)
{
	size_t lines;
	int err;

	err = hs_sink_step(&l->sink, &l->cfg.step) ?: hs_write_config(l->in, &l->cfg);
	if (err) {
		hs_sink_discard(&l->sink);
		hs_err("cannot note the report step in the pins: %s (%d)", strerror(-err), err);
		return err;
	}
	err = hs_sink_commit(&l->sink, &lines);
	if (err) {
		unwritten(l, limit, lines, err);
		return 1;
	}
	return 0;
}

/* The width of an hour among the report's, or -1. */
static int hourly(const struct hs_options *o)
{
	for (int i = 0; i < o->n_bins; i++)
		if (o->bins[i] == HAYSTACK_BASE_BIN)
			return i;
	return -1;
}

/* Whether the hour tables of hour still need folding into a longer bin not
 * yet reported. */
static bool fold_needed(const struct live *l, __u64 hour)
{
	for (int k = 0; k < l->tables.n; k++) {
		const struct hs_table *tb = &l->tables.t[k];

		if (tb->key.hour != hour)
			continue;
		for (int i = 0; i < l->o->n_bins; i++)
			if (l->o->bins[i] > HAYSTACK_BASE_BIN && l->next[i] <= hour &&
			    !hs_tables_folded(&l->tables, l->o->bins[i], hour, tb->key.generation))
				return true;
	}
	return false;
}

/*
 * One hour: its bin's lines when write, and, when fold, its hour tables
 * folded into the longer bins not yet reported with the classes active in
 * it (docs/operations.md, "Folding the hours"), after its lines are out.
 * 1 when the lines could not be written.
 */
static int hour_step(struct live *l, __u64 hour, bool write, bool fold, const __u64 *limit)
{
	struct hs_activity *act = NULL;
	struct hs_evidence *ev = NULL;
	size_t n = 0, n_act = 0;
	int h = hourly(l->o), err;
	bool want = fold;

	fold = fold && fold_needed(l, hour);
	if (write || fold) {
		char t[32];

		hs_debug("reading the evidence of the hour %s%s", hs_format_time(hour, t, sizeof(t)),
			 write ? "" : ", to fold it");
		err = hs_harvest(hs_instance_map_fd(l->in, HS_MAP_EVIDENCE), &l->tables,
				 hs_instance_map_fd(l->in, HS_MAP_RULES), hour,
				 hour + HAYSTACK_BASE_BIN, &ev, &n);
		if (err) {
			hs_err("cannot read the evidence map: %s (%d)", strerror(-err), err);
			return err;
		}
		err = hs_report_hour(&l->rep, ev, n, hour, write, fold ? &act : NULL, &n_act);
		free(ev);
		if (err) {
			hs_sink_discard(&l->sink);
			hs_err("cannot make the report: %s (%d)", strerror(-err), err);
			return err;
		}
	}
	if (write) {
		err = commit(l, limit);
		if (err) {
			free(act);
			return err;
		}
		reported(l, h, hour + HAYSTACK_BASE_BIN);
	}
	/* A fold that fails is said, and its hour's tables stay in the kernel
	 * until the longer bin is reported, read as far as they are not in
	 * the fold: never tried again every second. */
	for (int i = 0; i < l->o->n_bins && fold; i++)
		if (l->o->bins[i] > HAYSTACK_BASE_BIN && l->next[i] <= hour)
			hs_tables_fold(&l->tables, l->o->bins[i], hour, act, n_act);
	free(act);
	if (want)
		l->folded = hour + HAYSTACK_BASE_BIN;
	return 0;
}

/* The bins of width i from next[i] to limit, each from its folds, the
 * hours not in them and the evidence map. */
static int report_longer(struct live *l, int i, __u64 limit)
{
	__u32 w = l->o->bins[i];
	int err = 0;

	for (__u64 b = l->next[i]; b < limit && !err; b += w) {
		struct hs_activity *act = NULL;
		struct hs_evidence *ev = NULL;
		size_t n = 0, n_act = 0;
		char t[32];

		hs_debug("reading the evidence of the %u s bin %s", w, hs_format_time(b, t, sizeof(t)));
		err = hs_harvest_bin(hs_instance_map_fd(l->in, HS_MAP_EVIDENCE), &l->tables,
				     hs_instance_map_fd(l->in, HS_MAP_RULES), w, b, &ev, &n, &act,
				     &n_act);
		if (err) {
			hs_err("cannot read the evidence map: %s (%d)", strerror(-err), err);
			return err;
		}
		err = hs_report_bins(&l->rep, ev, n, act, n_act, w, b, b);
		free(ev);
		free(act);
		if (err) {
			hs_sink_discard(&l->sink);
			hs_err("cannot make the report: %s (%d)", strerror(-err), err);
		}
	}
	return err;
}

/*
 * Report, for each width, the bins that start before limit[i], and fold
 * the hours before hours (not on stop) into the longer bins: the hours
 * one at a time, each hour bin written before its hour is folded, then the
 * longer bins, each read on its own.
 */
static int report_until(struct live *l, const __u64 *limit, __u64 hours, bool final, bool late)
{
	int h = hourly(l->o), err = 0;
	__u64 from = ~0ULL, until = 0;
	bool longer = false;

	if (h >= 0 && limit[h] > l->next[h]) {
		from = l->next[h];
		until = limit[h];
	}
	if (l->folding && !final && hours > l->folded) {
		from = from < l->folded ? from : l->folded;
		until = until > hours ? until : hours;
	}
	for (int i = 0; i < l->o->n_bins; i++)
		longer |= i != h && limit[i] > l->next[i];
	if (from >= until && !longer)
		return expire(l, late);
	for (__u64 hour = from; hour < until && !err; hour += HAYSTACK_BASE_BIN)
		err = hour_step(l, hour, h >= 0 && hour >= l->next[h] && hour < limit[h],
				l->folding && !final && hour >= l->folded && hour < hours, limit);
	if (err)
		return err > 0 ? 0 : err;
	for (int i = 0; i < l->o->n_bins && !err; i++)
		if (i != h && limit[i] > l->next[i])
			err = report_longer(l, i, limit[i]);
	if (err)
		return err;
	if (longer) {
		err = commit(l, limit);
		if (err)
			return err > 0 ? 0 : err;
		for (int i = 0; i < l->o->n_bins; i++)
			if (i != h && limit[i] > l->next[i])
				reported(l, i, limit[i]);
	}
	err = hs_write_config(l->in, &l->cfg);
	return err ?: expire(l, late);
}

/* Bins written in one tick of the timer, per width: a backlog (a long
 * replay into the port, a restart after days) is written a day of hours at
 * a time, and SIGTERM is read between ticks. */
#define HS_BINS_PER_TICK	24

/* An exporter is silent after the grace period without a datagram, and
 * never sooner than this: exports pause for seconds, and the open bins that
 * all falling silent writes are final. */
#define HS_SILENCE_MIN	10

/* On stop, the bins left are written HS_BINS_PER_TICK at a time for at
 * most this long: SIGTERM is answered within a second, however long the
 * backlog. */
#define HS_STOP_BUDGET_MS	500

static long long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000LL + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The bins before want[i], on stop; what the budget leaves is said. */
static int flush_on_stop(struct live *l, const __u64 *want, bool late)
{
	__u64 limit[HS_MAX_BINS], before;
	bool more, moved = true;
	struct timespec t0;
	char t[32];
	int err = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		more = false;
		before = reported_until(l);
		for (int i = 0; i < l->o->n_bins; i++) {
			__u64 step = l->next[i] + (__u64)HS_BINS_PER_TICK * l->o->bins[i];

			limit[i] = want[i] < step ? want[i] : step;
			more |= limit[i] < want[i];
		}
		err = report_until(l, limit, 0, true, late);
		/* a report that could not be written moves nothing: said already */
		moved = reported_until(l) != before;
	} while (!err && more && moved && ms_since(&t0) < HS_STOP_BUDGET_MS);
	if (!err && more && moved)
		hs_warn("stopped before the bins from %s were written (more than %d ms of report); their evidence stays only with --keep",
			hs_format_time(reported_until(l), t, sizeof(t)), HS_STOP_BUDGET_MS);
	return err;
}

/* The exporters' clocks as the live agent judges them: not past the host's
 * clock and a day, active when heard lately on the host's clock. */
static int live_times(struct live *l, struct hs_times *t)
{
	unsigned int silence = l->o->grace > HS_SILENCE_MIN ? l->o->grace : HS_SILENCE_MIN;
	__u64 grace_ns = (__u64)silence * 1000000000ULL;
	struct timespec real, mono;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return hs_times_read(hs_instance_map_fd(l->in, HS_MAP_EXPORTER_CLOCKS),
			     (__u64)real.tv_sec + HAYSTACK_CLOCK_WINDOW,
			     (__u64)mono.tv_sec * 1000000000ULL + mono.tv_nsec, grace_ns, t);
}

/* Where the bins of width w from next are closed up to (their ends), by
 * the rule below, at most HS_BINS_PER_TICK of them but on stop. */
static __u64 bins_closed(const struct live *l, const struct hs_times *t, __u32 w, __u64 next,
			 bool final)
{
	__u64 limit;

	if (final || !t->active)	/* the open bins too */
		limit = t->last - t->last % w + w;
	else if (t->close >= l->o->grace)
		limit = (t->close - l->o->grace) / w * w;
	else
		limit = 0;
	if (!final && limit > next + (__u64)HS_BINS_PER_TICK * w)
		limit = next + (__u64)HS_BINS_PER_TICK * w;
	return limit;
}

/* The first hour a longer width has not reported: folding starts there
 * (what a run before folded, its folds say: folding it again does
 * nothing). */
static __u64 longer_from(const struct live *l)
{
	__u64 from = ~0ULL;

	for (int i = 0; i < l->o->n_bins; i++)
		if (l->o->bins[i] > HAYSTACK_BASE_BIN && l->next[i] < from)
			from = l->next[i];
	return from;
}

/* The hours to keep hour tables for: from the one before the exporters'
 * hour, and none that every width has reported or folded (a late record
 * for those goes to the evidence map, where the longer bins read it). */
static __u64 tables_from(const struct live *l, const struct hs_times *t)
{
	__u64 from = hs_tables_first_hour(t), need = ~0ULL;

	for (int i = 0; i < l->o->n_bins; i++) {
		__u64 n = l->next[i];

		if (l->o->bins[i] > HAYSTACK_BASE_BIN && l->folded > n)
			n = l->folded;
		need = n < need ? n : need;
	}
	return need != ~0ULL && need > from ? need : from;
}

/*
 * Once a second: which bins the exporters' clocks have closed
 * (docs/operations.md, "Time"). A bin closes once the lower median of the
 * active exporters' clocks has passed its end by the grace period; when
 * every exporter has been silent for the grace period (HS_SILENCE_MIN at
 * least) on the host's clock, the open bins are written too. Reports never reach past the plausible
 * clocks, and one tick writes at most HS_BINS_PER_TICK bins of a width.
 */
static int poll_bins(struct live *l, bool final)
{
	__u64 limit[HS_MAX_BINS], hours;
	struct haystack_stats st;
	struct hs_times t;
	bool late = false, retry = final;
	int err;

	err = hs_read_stats(hs_instance_map_fd(l->in, HS_MAP_STATS), &st) ?: live_times(l, &t);
	if (err || !t.last)
		return err;
	hs_tables_follow(&l->tables, hs_instance_map_fd(l->in, HS_MAP_DICTIONARIES),
			 tables_from(l, &t), hs_tables_last_hour(&t));
	hs_templates_expire(hs_instance_map_fd(l->in, HS_MAP_TEMPLATES),
			    hs_instance_map_fd(l->in, HS_MAP_EXPORTERS),
			    hs_instance_map_fd(l->in, HS_MAP_EXPORTER_CLOCKS),
			    l->o->template_timeout ?: HAYSTACK_TEMPLATE_TIMEOUT, t.last);
	if (st.late_records > l->late_records) {
		hs_warn("%llu matched records arrived for bins already reported (exports more than %u s late, see --grace): they count only in longer bins still open",
			(unsigned long long)(st.late_records - l->late_records), l->o->grace);
		l->late_records = st.late_records;
		late = true;
	}
	for (int i = 0; i < l->o->n_bins; i++) {
		if (!l->next[i])
			l->next[i] = t.first - t.first % l->o->bins[i];
		limit[i] = bins_closed(l, &t, l->o->bins[i], l->next[i], final);
		retry |= limit[i] > l->failed[i];
	}
	if (l->folding && !l->folded)
		l->folded = longer_from(l);
	hours = bins_closed(l, &t, HAYSTACK_BASE_BIN, l->folded, false);
	/* What failed to be written waits for the next bin; with no hour
	 * bins, the hours are folded meanwhile all the same. */
	if (!retry && (hourly(l->o) >= 0 || hours <= l->folded))
		return expire(l, late);
	return final ? flush_on_stop(l, limit, late) : report_until(l, limit, hours, false, late);
}

/* Bins the agent we take over from reported stay reported: each width goes
 * on from where it stopped. A width it did not report starts at the first
 * export time, as in a fresh run. The pins note where a step goes before
 * its lines are written and its bins reported only after, so an agent that
 * died in between (kill -9, a crash) left a step cut part way, cut back to
 * its start here, or bins written that the pins do not show: the --out file
 * says which (see docs/operations.md, Restarts). */
static int resume(struct live *l, struct hs_instance *in, struct haystack_config *cfg)
{
	struct haystack_config old;
	struct haystack_stats st;
	__u64 noted[HS_MAX_BINS];
	char t[32];
	int err = hs_config_read(hs_instance_map_fd(in, HS_MAP_CONFIG), &old);

	if (!err)
		err = hs_read_stats(hs_instance_map_fd(in, HS_MAP_STATS), &st);
	if (err)
		return err;
	cfg->closed_before = old.closed_before;
	for (int i = 0; i < l->o->n_bins; i++)
		for (int j = 0; j < HAYSTACK_REPORT_WIDTHS; j++)
			if (old.report_width[j] == l->o->bins[i])
				l->next[i] = old.report_next[j];
	memcpy(noted, l->next, sizeof(noted));
	err = hs_sink_resume(&l->sink, &old.step, l->o->n_bins, l->o->bins, l->next,
			     st.export_time_max);
	if (err)
		return err;
	for (int i = 0; i < l->o->n_bins; i++) {
		if (!l->next[i])
			continue;
		if (l->next[i] > noted[i])
			hs_info("%s holds the %u s bins up to %s, not noted reported in the pins: going on after them",
				l->o->out_path, l->o->bins[i],
				hs_format_time(l->next[i], t, sizeof(t)));
		cfg->report_width[i] = l->o->bins[i];
		cfg->report_next[i] = l->next[i];
	}
	if (l->next[narrowest(l->o)])
		cfg->closed_before = l->next[narrowest(l->o)];
	return 0;
}

/* Record lines as the program sends them. A full disk loses them (they are
 * not evidence): said when it starts, and how many once it is over, not at
 * every drain of the ring. */
static int on_records(struct live *l)
{
	const char *path = l->o->out_path ?: "standard output";
	size_t lines;
	int err = hs_records_poll(&l->records, 0);

	if (err)
		return err;
	err = hs_sink_commit(&l->sink, &lines);
	if (err && !l->records_lost)
		hs_err("cannot write %s: %s (%d); record lines are lost until it can be written",
		       path, strerror(-err), err);
	if (err) {
		l->records_lost += lines;
	} else if (l->records_lost && lines) {
		hs_warn("%s written again; %llu record lines were lost", path, l->records_lost);
		l->records_lost = 0;
	}
	return 0;
}

/* Dictionaries `haystack load` added: read once the schedule shows a new
 * generation, so bins are reported with them. A file that cannot be read
 * is said once, and tried again at the next load. */
static void sync_dictionaries(struct live *l)
{
	struct dictionary_schedule sch;

	if (hs_schedule_read(hs_instance_map_fd(l->in, HS_MAP_DICTIONARIES), &sch) ||
	    sch.last_generation == l->dicts_seen)
		return;
	l->dicts_seen = sch.last_generation;
	if (hs_dict_sync(l->in, l->dicts))
		hs_warn("bins that need that dictionary are reported without its evidence");
}

static int on_timer(struct live *l)
{
	__u64 ticks;

	/* what the stack queued on the ports haystack holds */
	hs_drain_collector_sockets(&l->ports);
	sync_dictionaries(l);
	if (hs_dict_release(l->in, &l->tables, &l->retiring, reported_until(l)))
		hs_warn("cannot release an old dictionary; it stays loaded");
	if (read(l->fds[SRC_TIMER], &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return -errno;
	set_ceiling(&l->cfg);
	if (hs_write_config(l->in, &l->cfg))
		hs_warn("the time ceiling was not moved on: the program moves it by itself");
	return poll_bins(l, false);
}

/* SIGHUP: what an operator changes without a restart. The report file is
 * opened again (logrotate moved it away, without copytruncate); the
 * dictionary comes next. */
static void reload(struct live *l)
{
	__u32 gen;

	if (!hs_sink_reopen(&l->sink) && l->o->out_path)
		hs_info("SIGHUP: writing to %s opened again", l->o->out_path);
	/* each --dict file read again: one whose content changed is loaded
	 * as a new generation; one that fails leaves what is loaded */
	for (int i = 0; i < l->o->dicts.n; i++)
		if (hs_dict_add(l->in, l->o->dicts.v[i], true, l->dicts, &gen))
			hs_warn("SIGHUP: %s not loaded; the dictionaries loaded before stay",
				l->o->dicts.v[i]);
}


static int on_signal(struct live *l)
{
	struct signalfd_siginfo si;

	while (read(l->fds[SRC_SIGNALS], &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(l);
		else
			l->stopping = true;
	}
	return 0;
}

static void set_iface_gone(struct live *l, bool gone)
{
	l->iface_gone = gone;
	if (gone)
		l->cfg.flags |= HAYSTACK_F_IFACE_GONE;
	else
		l->cfg.flags &= ~HAYSTACK_F_IFACE_GONE;
	hs_write_config(l->in, &l->cfg);
}

/* The kernel takes the program away with a deleted interface: nothing is
 * counted until one of the same name appears, then the same program (and
 * maps) is attached to it. The evidence counted so far is reported as usual. */
static int check_iface(struct live *l)
{
	char name[IF_NAMESIZE];

	if (!l->iface_gone && !if_indextoname(l->in->ifindex, name)) {
		hs_warn("%s has disappeared: nothing is counted until an interface of that name is back",
			l->o->iface);
		hs_instance_lost(l->in);
		set_iface_gone(l, true);
	}
	if (l->iface_gone && if_nametoindex(l->o->iface)) {
		if (hs_instance_attach(l->in, l->o->iface, l->in->mode))
			return 0;	/* said; tried again at its next change */
		l->link.ifindex = l->in->ifindex;
		set_iface_gone(l, false);
		hs_info("%s is back (ifindex %d): attached again, counting goes on",
			l->o->iface, l->in->ifindex);
	}
	return 0;
}

static int on_link(struct live *l)
{
	return hs_linkwatch_read(&l->link) ? check_iface(l) : 0;
}

static int (*const handlers[SRC_COUNT])(struct live *l) = {
	[SRC_SIGNALS] = on_signal,
	[SRC_TIMER] = on_timer,
	[SRC_RECORDS] = on_records,
	[SRC_LINK] = on_link,
};

/* Add fd to the epoll set as src (kept in fds[src] for its handler). */
static int watch(struct live *l, enum source src, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = src };

	l->fds[src] = fd;
	if (fd < 0)
		return fd;
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* The sources of the loop. SIGTERM, SIGINT and SIGHUP are blocked from the
 * start of run, so one that comes during the start waits here. */
static int loop_open(struct live *l, const sigset_t *sigs)
{
	struct itimerspec second = { .it_interval.tv_sec = 1, .it_value.tv_sec = 1 };
	int fd, err;

	err = hs_linkwatch_open(&l->link, l->o->iface);
	if (err)
		return err;
	l->link.ifindex = l->in->ifindex;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	err = l->epfd < 0 ? -errno : 0;
	if (!err) {
		fd = signalfd(-1, sigs, SFD_NONBLOCK | SFD_CLOEXEC);
		err = watch(l, SRC_SIGNALS, fd < 0 ? -errno : fd);
	}
	if (!err) {
		fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		err = watch(l, SRC_TIMER, fd < 0 ? -errno : fd);
	}
	if (!err && timerfd_settime(l->fds[SRC_TIMER], 0, &second, NULL))
		err = -errno;
	if (!err && l->o->records)
		err = watch(l, SRC_RECORDS, hs_records_fd(&l->records));
	if (!err)
		err = watch(l, SRC_LINK, hs_linkwatch_fd(&l->link));
	if (err)
		hs_err("cannot set up the event loop: %s (%d)", strerror(-err), err);
	return err;
}

static void loop_close(struct live *l)
{
	/* The ring buffer's and the netlink socket's fds are their owners'. */
	if (l->fds[SRC_SIGNALS] >= 0)
		close(l->fds[SRC_SIGNALS]);
	if (l->fds[SRC_TIMER] >= 0)
		close(l->fds[SRC_TIMER]);
	if (l->epfd >= 0)
		close(l->epfd);
	hs_linkwatch_close(&l->link);
}

static int loop(struct live *l)
{
	struct epoll_event ev[SRC_COUNT];
	int n, err = 0;

	while (!l->stopping && !err) {
		n = epoll_wait(l->epfd, ev, SRC_COUNT, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			hs_err("cannot wait for events: %s (%d)", strerror(-err), err);
		}
		for (int i = 0; i < n && !err; i++)
			if (ev[i].data.u32 < SRC_COUNT && handlers[ev[i].data.u32])
				err = handlers[ev[i].data.u32](l);
	}
	return err;
}

int cmd_run(const struct hs_options *o)
{
	struct hs_instance in = {};
	struct live l = { .o = o, .in = &in, .epfd = -1 };
	struct haystack_stats st0;
	struct hs_setup s = {};
	sigset_t sigs;
	unsigned int pinned_before = 0;
	int lock = -1, err;
	bool owner = false;	/* the pins are ours to remove once we attached */
	bool keep = o->keep;
	bool started = false;

	for (int i = 0; i < o->n_bins; i++)
		l.folding |= o->bins[i] > HAYSTACK_BASE_BIN;
	for (int i = 0; i < SRC_COUNT; i++)
		l.fds[i] = -1;
	/* Before anything: a SIGTERM during the start is answered by the loop
	 * once it runs, never by dying half attached. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

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
	err = hs_sink_open(&l.sink, o->out_path);
	if (err)
		goto out;
	pinned_before = hs_pins_present(o->pin_dir);
	err = hs_instance_open(&in, o->pin_dir, &o->sizes);
	if (err)
		goto out;
	err = hs_pin_lock(o->pin_dir, HS_PIN_WRITE, &lock);
	if (err == HS_PIN_BUSY) {
		hs_err("%s is in use by another running haystack", o->pin_dir);
		err = -EBUSY;
	}
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
	/* from the first record on, none past the host's clock and a day */
	set_ceiling(&s.config);
	err = hs_setup_apply(&s, &in);
	if (err)
		goto out;
	/* before "attached": from then on exports may come */
	hs_hold_collector_ports(&l.ports, o->ports);

	l.cfg = s.config;
	err = hs_tables_open(&l.tables, &in, hs_map_capacity(hs_instance_map_fd(&in, HS_MAP_EVIDENCE)));
	if (err)
		goto out;
	purge_past(&l);
	/* Pins re-used from an earlier run keep their counters: only what
	 * comes late from now on is news. */
	if (!hs_read_stats(hs_instance_map_fd(&in, HS_MAP_STATS), &st0))
		l.late_records = st0.late_records;
	l.rep.out = l.sink.stage;
	l.rep.dicts = l.dicts = &s.set;
	l.rep.detail = o->detail;
	if (o->records) {
		err = hs_records_open(&l.records, &in, l.sink.stage, &s.set);
		if (err)
			goto out;
	}
	err = loop_open(&l, &sigs);
	if (err)
		goto out;
	hs_status_publish(&in, o);
	hs_info("attached to %s: %zu endpoints, %zu subscriber prefixes, maps in %s", o->iface,
		s.n_endpoints, s.n_subscribers, o->pin_dir);
	started = true;
	/* A deletion between the attach and the subscription sent nothing. */
	err = check_iface(&l) ?: loop(&l);
	if (!err && o->records)
		err = on_records(&l);
	/* Detaching ends the counting: the open bins are written now or never.
	 * With --keep the program counts on and the run taking over writes
	 * them once export time closes them; written now, the rest of their
	 * records would come late for it. */
	if (!err)
		err = poll_bins(&l, !o->keep);
	/* Bins that could not be written stay counted, attached and pinned:
	 * the next run takes them over and writes them. */
	for (int i = 0; i < o->n_bins && !err; i++)
		if (l.failed[i]) {
			hs_err("the evidence of the bins not written stays in %s, still counting: run haystack again once %s can be written",
			       o->pin_dir, o->out_path ?: "standard output");
			keep = true;
			err = -ENOSPC;
		}
out:
	/* A start that fails after taking over leaves the program it found
	 * counting, with its pins. */
	if (!started && in.adopted)
		keep = true;
	loop_close(&l);
	hs_release_collector_ports(&l.ports);
	hs_records_close(&l.records);
	hs_tables_close(&l.tables);
	if (hs_sink_close(&l.sink) && !err)
		err = -errno;
	/* Never remove pins we did not attach to: they may be another
	 * instance's evidence. A start that failed removes the pins it made
	 * (libbpf pins the maps at load, before the attach can fail). */
	hs_instance_close(&in, keep || !owner);
	if (!owner)
		hs_unpin_except(o->pin_dir, pinned_before);
	hs_pin_unlock(lock);
	hs_setup_free(&s);
	return err;
}
