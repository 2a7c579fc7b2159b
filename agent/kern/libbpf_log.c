// SPDX-License-Identifier: GPL-2.0
/* libbpf's and libxdp's messages, one level below ours (lib/log.h). */
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "kern/instance.h"
#include "lib/log.h"

static enum hs_log_level one_down(int lib_debug)
{
	return lib_debug ? HS_LOG_VERBOSE : HS_LOG_DEBUG;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	hs_log_passthrough(one_down(level == LIBBPF_DEBUG), fmt, ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	hs_log_passthrough(one_down(level == LIBXDP_DEBUG), fmt, ap);
	return 0;
}

void hs_kern_log_setup(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
