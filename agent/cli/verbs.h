/* SPDX-License-Identifier: GPL-2.0 */
/* The verbs defined outside main.c, for its table. */
#pragma once

#include "cli/params.h"

extern const struct hs_verb hs_dict_build_verb;
extern const struct hs_verb hs_signatures_import_verb;
