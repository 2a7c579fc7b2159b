// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE		/* asprintf */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "lib/atomicfile.h"
#include "lib/log.h"

static void release(struct hs_atomic_file *a)
{
	free(a->path);
	free(a->tmp);
	memset(a, 0, sizeof(*a));
}

int hs_atomic_open(struct hs_atomic_file *a, const char *path)
{
	int fd, err;

	memset(a, 0, sizeof(*a));
	if (!path || !strcmp(path, "-")) {
		a->f = stdout;
		return 0;
	}
	a->path = strdup(path);
	/* beside path: rename is atomic only within one file system */
	if (!a->path || asprintf(&a->tmp, "%s.XXXXXX", path) < 0) {
		a->tmp = NULL;
		release(a);
		return -ENOMEM;
	}
	fd = mkstemp(a->tmp);
	if (fd < 0 || !(a->f = fdopen(fd, "w"))) {
		err = -errno;
		hs_err("cannot write %s: %s (%d)", path, strerror(-err), err);
		if (fd >= 0) {
			close(fd);
			unlink(a->tmp);
		}
		release(a);
		return err;
	}
	return 0;
}

int hs_atomic_commit(struct hs_atomic_file *a)
{
	int err = 0;

	if (!a->path) {
		err = fflush(a->f) ? -errno : 0;
		memset(a, 0, sizeof(*a));
		return err;
	}
	/* mkstemp makes 0600; reports and dictionaries are read by others */
	if (fflush(a->f) || fchmod(fileno(a->f), 0644) || fsync(fileno(a->f)))
		err = -errno;
	if (fclose(a->f) && !err)
		err = -errno;
	a->f = NULL;
	if (!err && rename(a->tmp, a->path))
		err = -errno;
	if (err) {
		hs_err("cannot write %s: %s (%d)", a->path, strerror(-err), err);
		unlink(a->tmp);
	}
	release(a);
	return err;
}

void hs_atomic_abort(struct hs_atomic_file *a)
{
	if (a->path) {
		if (a->f)
			fclose(a->f);
		unlink(a->tmp);
	}
	release(a);
}
