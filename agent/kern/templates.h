/* SPDX-License-Identifier: GPL-2.0 */
/* The v9/IPFIX template cache and the exporters' options data. */
#pragma once

#include <linux/types.h>

/* Drop templates, options data and exporter clocks not refreshed within
 * timeout seconds of export_time: the program ignores them already, and an
 * exporter that went away must not hold entries a new one needs. */
void hs_templates_expire(int templates_fd, int exporters_fd, int clocks_fd, __u64 timeout,
			 __u64 export_time);
