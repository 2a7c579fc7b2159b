/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one logging path: diagnostics on stderr, one line each, prefixed
 * "haystack: ". Errors, warnings and information are shown by default,
 * debugging with -v; libbpf's and libxdp's messages go one level down (their
 * warnings with -v, their debugging with -vv).
 */
#pragma once

#include <stdarg.h>

enum hs_log_level {
	HS_LOG_ERR,
	HS_LOG_WARN,
	HS_LOG_INFO,
	HS_LOG_DEBUG,
	HS_LOG_VERBOSE,		/* libbpf's own debugging */
};

void hs_log_set_level(enum hs_log_level level);
/* Until set back to NULL, every line reads "haystack: CONTEXT: ...": the
 * place in a file that a value came from ("haystack.conf:7"), for messages
 * written by code that knows only the value. */
void hs_log_set_context(const char *context);
enum hs_log_level hs_log_get_level(void);

void hs_log(enum hs_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A library's message as it wrote it (its own line ends, no prefix). */
void hs_log_passthrough(enum hs_log_level level, const char *fmt, va_list ap);

#define hs_err(...)	hs_log(HS_LOG_ERR, __VA_ARGS__)
#define hs_warn(...)	hs_log(HS_LOG_WARN, __VA_ARGS__)
#define hs_info(...)	hs_log(HS_LOG_INFO, __VA_ARGS__)
#define hs_debug(...)	hs_log(HS_LOG_DEBUG, __VA_ARGS__)
