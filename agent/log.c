// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "log.h"

bool hs_verbose;

static void vlog(const char *fmt, va_list ap)
{
	fputs("haystack: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void hs_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void hs_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void hs_debug(const char *fmt, ...)
{
	va_list ap;

	if (!hs_verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

static int lib_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!hs_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	if (!hs_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void hs_log_setup(bool verbose)
{
	hs_verbose = verbose;
	libbpf_set_print(lib_print);
	libxdp_set_print(xdp_print);
}
