/* SPDX-License-Identifier: GPL-2.0 */
/* The one place the version is written; a packager may pass
 * -DHAYSTACK_VERSION='"…"' instead. */
#pragma once

#ifndef HAYSTACK_VERSION
#define HAYSTACK_VERSION "0.1.0"
#endif
