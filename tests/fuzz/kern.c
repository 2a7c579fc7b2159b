// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kern/instance.h"
#include "kern/stats.h"
#include "lib/log.h"
#include "runtime/replay.h"
#include "runtime/setup.h"
#include "kern.h"
#include "fuzz.h"

static struct hs_instance in;
static int prog_fd, stats_fd;

/* The identities of the counter list (kern/stats.c), and late records being
 * matched ones: NULL, or the first that fails, written into why. */
static const char *broken_identity(const struct haystack_stats *s, char *why, size_t len)
{
	struct hs_identity id[STAT_KINDS];

	if (hs_stats_identities(s, id)) {
		for (int k = STAT_INFO + 1; k < STAT_KINDS; k++)
			if (!id[k].whole || id[k].total != id[k].outcomes) {
				snprintf(why, len, "%s %llu != the sum of its outcomes %llu",
					 id[k].whole ?: "(no counter)",
					 (unsigned long long)id[k].total,
					 (unsigned long long)id[k].outcomes);
				return why;
			}
	}
	if (s->late_records > s->matched) {
		snprintf(why, len, "late_records %llu > matched %llu",
			 (unsigned long long)s->late_records, (unsigned long long)s->matched);
		return why;
	}
	return NULL;
}

void hs_fuzz_kern_init(void)
{
	static char dict[512], subs[512];
	static const char *dicts[1];
	const char *shared = getenv("SHARED");
	struct hs_options o = { .ports = { 2055, 4739, 9995 } };
	struct hs_setup s;

	snprintf(dict, sizeof(dict), "%s/fixtures/small/dictionary.json", shared ?: "../shared");
	snprintf(subs, sizeof(subs), "%s/fixtures/small/subscribers.txt", shared ?: "../shared");
	dicts[0] = access(dict, R_OK) ? "signatures/sample-dictionary.json" : dict;
	o.dicts = (struct hs_files){ dicts, 1 };
	o.subscribers_path = access(subs, R_OK) ? "signatures/sample-subscribers.txt" : subs;
	hs_kern_log_setup();
	if (hs_setup_load(&o, &s) || hs_instance_open(&in, NULL, NULL) || hs_instance_load(&in) ||
	    hs_setup_apply(&s, &in))
		hs_fuzz_fail("cannot load the XDP program (root? above)");
	hs_setup_free(&s);
	prog_fd = hs_instance_prog_fd(&in);
	stats_fd = hs_instance_map_fd(&in, HS_MAP_STATS);
}

void hs_fuzz_replay(const char *path)
{
	struct hs_replay_counts c = {};
	struct haystack_stats st;
	char why[256];

	hs_replay_file(prog_fd, path, &c, NULL, NULL, NULL);
	if (c.fed > c.frames)
		hs_fuzz_fail("%llu frames fed of %llu read", (unsigned long long)c.fed,
			     (unsigned long long)c.frames);
	if (hs_read_stats(stats_fd, &st))
		hs_fuzz_fail("cannot read the stats map");
	if (broken_identity(&st, why, sizeof(why)))
		hs_fuzz_fail("counter identity broken: %s", why);
}
