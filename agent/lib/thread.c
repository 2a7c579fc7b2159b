// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include "lib/thread.h"

bool hs_thread_start(pthread_t *thread, void *(*start)(void *), void *arg)
{
	sigset_t all, old;
	bool started;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	started = !pthread_create(thread, NULL, start, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return started;
}
