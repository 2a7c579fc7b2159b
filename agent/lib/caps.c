// SPDX-License-Identifier: GPL-2.0
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "lib/caps.h"

/* capget(2) directly: libcap for one bit would be one more library to link. */
bool hs_have_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3 || syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}
