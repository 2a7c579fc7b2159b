/* SPDX-License-Identifier: GPL-2.0 */
/* Options shared by the verbs, and the verbs themselves. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <xdp/libxdp.h>
#include "haystack.h"
#include "kern/instance.h"
#include "lib/file.h"

#define HS_MAX_BINS HAYSTACK_REPORT_WIDTHS
/* Where scripts/haystack-refresh writes its result by default. */
#define HS_REFRESH_STATUS "/var/lib/haystack/refresh.json"

struct hs_options {
	struct hs_files dicts;		/* --dict, in load order */
	const char *subscribers_path;
	const char *exporters_path;	/* --exporters; NULL: every source is read */
	const char *iface;
	const char *out_path;		/* NULL: standard output */
	const char *pin_dir;
	__u32 bins[HS_MAX_BINS];
	int n_bins;
	__u16 ports[HAYSTACK_MAX_PORTS];
	enum xdp_attach_mode xdp_mode;
	unsigned int grace;		/* seconds of export time after a bin's end */
	__u32 sampling;			/* --sampling: 1-in-N for every record, 0 = as exported */
	__u32 template_timeout;		/* --template-timeout seconds, 0 = default */
	bool records;			/* --records: write every decoded record */
	bool detail;
	bool keep;
	bool json;
	bool consume;
	bool force;			/* load: even a dictionary that lost most domains */
	struct hs_map_sizes sizes;	/* --max-evidence, ... (run, replay) */
	const char *refresh_status;	/* status: the refresh's result file */
	char **inputs;			/* replay: capture files */
	int n_inputs;
};

int cmd_replay(const struct hs_options *o);
int cmd_run(const struct hs_options *o);
int cmd_status(const struct hs_options *o);
int cmd_detach(const struct hs_options *o);
int cmd_load(const struct hs_options *o);
/* run, once attached: the agent's own state into the agent map, for
 * status (cleared when the instance is closed). Failure is said, not fatal. */
void hs_status_publish(struct hs_instance *in, const struct hs_options *o);

/*
 * Exit status, one mapping for every verb (DESIGN §3). A verb returns 0 or
 * -errno, having said on stderr, in one line, what failed.
 *
 *   0  done.
 *   2  bad input: something the operator gave is malformed, out of range,
 *      more than haystack holds, or names nothing. These errnos, and only
 *      these, say so (hs_bad_input, lib/file.h):
 *        EINVAL        malformed: an option, a value, a line of a file
 *        ERANGE        a number outside its range
 *        ENOENT        a file, directory or pinned instance that is not there
 *        ENOTDIR, EISDIR, ENAMETOOLONG
 *                      a path that is not of the kind wanted
 *        ENODEV        an interface that is not there
 *        E2BIG         more than the maps hold: a prefix needing more than
 *                      HAYSTACK_MAX_RULES rules, more subscriber prefixes or
 *                      endpoints than fit
 *        EFBIG         an input file larger than its reader takes
 *   1  anything else: the kernel or libbpf refused (EPERM and EACCES are
 *      missing privileges, a locked-down kernel or the verifier, never the
 *      operator's input), out of memory, an I/O error, another instance in
 *      the way (EEXIST).
 */
#define HS_EXIT_OK		0
#define HS_EXIT_FAILURE		1
#define HS_EXIT_BADINPUT	2

static inline int hs_exit_status(int err)
{
	return !err ? HS_EXIT_OK : hs_bad_input(err) ? HS_EXIT_BADINPUT : HS_EXIT_FAILURE;
}
