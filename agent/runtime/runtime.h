/* SPDX-License-Identifier: GPL-2.0 */
/* Options shared by the verbs, and the verbs themselves. */
#pragma once

#include <stdbool.h>
#include <xdp/libxdp.h>
#include "haystack.h"

#define HS_MAX_BINS HAYSTACK_REPORT_WIDTHS

struct hs_options {
	const char *dict_path;
	const char *subscribers_path;
	const char *iface;
	const char *out_path;
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
	char **inputs;			/* replay: capture files */
	int n_inputs;
};

int cmd_replay(const struct hs_options *o);
int cmd_run(const struct hs_options *o);
int cmd_status(const struct hs_options *o);
int cmd_detach(const struct hs_options *o);

/* Exit status for bad input (DESIGN §3). */
#define HS_EXIT_BADINPUT 2
