/* SPDX-License-Identifier: GPL-2.0 */
/* The one logging path: diagnostics on stderr, prefixed "haystack: ". */
#pragma once

#include <stdbool.h>

extern bool hs_verbose;

void hs_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hs_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hs_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Route libbpf's and libxdp's own messages through hs_debug (silent unless -v). */
void hs_log_setup(bool verbose);
