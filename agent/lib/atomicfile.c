// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE		/* asprintf */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "lib/atomicfile.h"
#include "lib/log.h"

static const char *target(const struct hs_atomic_file *a)
{
	return a->path ? a->path : "standard output";
}

static void release(struct hs_atomic_file *a)
{
	if (a->tmp)
		unlink(a->tmp);
	free(a->path);
	free(a->tmp);
	memset(a, 0, sizeof(*a));
}

int hs_atomic_open(struct hs_atomic_file *a, const char *path, bool staged)
{
	const char *dir = getenv("TMPDIR");
	int fd, n, err;

	memset(a, 0, sizeof(*a));
	if (path && strcmp(path, "-") && !(a->path = strdup(path)))
		return -ENOMEM;
	if (!a->path && !staged) {
		a->f = stdout;
		return 0;
	}
	/* beside path: rename is atomic only within one file system */
	if (a->path)
		n = asprintf(&a->tmp, "%s.XXXXXX", path);
	else
		n = asprintf(&a->tmp, "%s/haystack.XXXXXX", dir && *dir ? dir : "/tmp");
	if (n < 0) {
		a->tmp = NULL;
		release(a);
		return -ENOMEM;
	}
	fd = mkstemp(a->tmp);
	if (fd < 0 || !(a->f = fdopen(fd, "w"))) {
		err = -errno;
		hs_err("cannot write %s: %s (%d)", a->path ? a->path : a->tmp, strerror(-err), err);
		if (fd < 0) {
			free(a->tmp);
			a->tmp = NULL;
		} else {
			close(fd);
		}
		release(a);
		return err;
	}
	return 0;
}

static int copy_to_stdout(const char *tmp)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(tmp, "r");
	int err = 0;

	if (!f)
		return -errno;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, stdout) != n) {
			err = -errno ?: -EIO;
			break;
		}
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	return err ?: fflush(stdout) ? -errno : 0;
}

int hs_atomic_commit(struct hs_atomic_file *a, int (*check)(const char *tmp))
{
	int err = 0;

	if (!a->tmp) {
		err = fflush(a->f) ? -errno : 0;
		if (err)
			hs_err("cannot write standard output: %s (%d)", strerror(-err), err);
		release(a);
		return err;
	}
	/* mkstemp makes 0600; reports and dictionaries are read by others */
	if (fflush(a->f) || fchmod(fileno(a->f), 0644) || fsync(fileno(a->f)))
		err = -errno;
	if (fclose(a->f) && !err)
		err = -errno;
	a->f = NULL;
	if (!err && check && (err = check(a->tmp))) {
		hs_err("%s: not written: the result does not pass its own check (above)", target(a));
		release(a);
		return err;
	}
	if (!err)
		err = a->path ? (rename(a->tmp, a->path) ? -errno : 0) : copy_to_stdout(a->tmp);
	if (err)
		hs_err("cannot write %s: %s (%d)", target(a), strerror(-err), err);
	else if (a->path) {
		free(a->tmp);	/* renamed: nothing to unlink */
		a->tmp = NULL;
	}
	release(a);
	return err;
}

void hs_atomic_abort(struct hs_atomic_file *a)
{
	if (a->f && a->f != stdout)
		fclose(a->f);
	release(a);
}
