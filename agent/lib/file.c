// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "lib/file.h"
#include "lib/log.h"

int hs_file_open(const char *path)
{
	struct stat st;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		goto fail;
	}
	/* a directory opens fine and fails only at the first read */
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		close(fd);
		goto fail;
	}
	return fd;
fail:
	hs_err("cannot read %s: %s", path, strerror(-err));
	return err;
}

int hs_file_too_large(const char *path, size_t limit)
{
	hs_err("%s: too large (limit %zu bytes)", path, limit);
	return -EFBIG;
}

int hs_file_read(const char *path, size_t limit, char **data, size_t *len)
{
	size_t n = 0, cap = 1 << 16;
	char *buf, *tmp;
	struct stat st;
	ssize_t r;
	int fd, err = 0;

	fd = hs_file_open(path);
	if (fd < 0)
		return fd;
	/* a regular file says its size: refused before any of it is read,
	 * and read into one buffer of the right size otherwise */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode)) {
		if ((unsigned long long)st.st_size > limit) {
			close(fd);
			return hs_file_too_large(path, limit);
		}
		cap = (size_t)st.st_size + 1;
	}
	/* at most limit + 1 bytes and the NUL: one byte beyond the limit
	 * tells a file that is too large from one of exactly the limit */
	if (cap > limit + 2)
		cap = limit + 2;
	if (cap < 2)
		cap = 2;
	buf = malloc(cap);
	if (!buf)
		goto nomem;
	for (;;) {
		if (n + 1 == cap) {
			cap = cap > (limit + 2) / 2 ? limit + 2 : cap * 2;
			tmp = realloc(buf, cap);
			if (!tmp)
				goto nomem;
			buf = tmp;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			hs_err("cannot read %s: %s", path, strerror(-err));
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n > limit) {
			err = hs_file_too_large(path, limit);
			goto out;
		}
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	buf = NULL;
	goto out;
nomem:
	err = -ENOMEM;
	hs_err("%s: out of memory", path);
out:
	close(fd);
	free(buf);
	return err;
}

bool hs_bad_input(int err)
{
	switch (err) {
	case -EINVAL:
	case -ERANGE:
	case -ENOENT:
	case -ENOTDIR:
	case -EISDIR:
	case -ENAMETOOLONG:
	case -ENODEV:
	case -E2BIG:
	case -EFBIG:
		return true;
	default:
		return false;
	}
}
