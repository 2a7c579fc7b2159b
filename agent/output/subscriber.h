/* SPDX-License-Identifier: GPL-2.0 */
/* How a subscriber is named in every output: reports, record lines, status.
 * The one place a later anonymisation or aggregation option changes. */
#pragma once

#include <stddef.h>
#include <linux/types.h>

#define HS_SUBSCRIBER_STRLEN 46	/* an IPv6 address in text */

const char *hs_format_subscriber(const __u8 addr[16], char *buf, size_t len);
