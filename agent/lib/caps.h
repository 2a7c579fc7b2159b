/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process's own capabilities, for a command that must refuse up front
 * what a library would otherwise fail at silently halfway through.
 */
#pragma once

#include <stdbool.h>

/* Whether cap (CAP_SYS_ADMIN, ...) is in the effective set. */
bool hs_have_cap(int cap);
