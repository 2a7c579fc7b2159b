/* SPDX-License-Identifier: GPL-2.0 */
/* The harnesses of the replay path: the real XDP program, loaded once per
 * process, fed captures through hs_replay_file, its counters checked after
 * every input. Root only (BPF_PROG_TEST_RUN). */
#pragma once

#include <stddef.h>
#include "haystack.h"

/* Loads the program with the dictionary and subscribers of the small fixture
 * world ($SHARED/fixtures/small), or the repository's samples without it. */
void hs_fuzz_kern_init(void);
/* Replays the capture at path and checks the counter identities. */
void hs_fuzz_replay(const char *path);
