/* SPDX-License-Identifier: GPL-2.0 */
/* The one formatter of times in reports, records and dictionaries: UTC, RFC 3339. */
#pragma once

#include <stddef.h>
#include <linux/types.h>

/* "2019-11-15T10:00:00Z" */
const char *hs_format_time(__u64 t, char *buf, size_t len);
