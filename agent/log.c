// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "log.h"

bool hs_verbose;

/* One diagnostic is one line: control characters from the input (a name
 * with a newline in a dictionary) are escaped, never passed through. */
static void vlog(const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fputs("haystack: ", stderr);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	}
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
