// SPDX-License-Identifier: GPL-2.0
#include "lib/prefix.h"
#include "output/subscriber.h"

const char *hs_format_subscriber(const __u8 addr[16], char *buf, size_t len)
{
	return hs_format_addr(addr, buf, len);
}
