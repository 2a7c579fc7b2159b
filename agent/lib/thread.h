/* SPDX-License-Identifier: GPL-2.0 */
/* The threads user space starts for work of its own (a dictionary's map
 * writers, the checks of a large JSON text, the second half of a large
 * dictionary's domains). */
#pragma once

#include <pthread.h>
#include <stdbool.h>

/* start(arg) in a thread that takes no signal: the agent's are for its
 * main thread (run's signalfd), whatever is blocked there when this is
 * called. false when no thread is to be had: the caller does the work. */
bool hs_thread_start(pthread_t *thread, void *(*start)(void *), void *arg);
