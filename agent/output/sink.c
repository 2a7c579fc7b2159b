// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/log.h"
#include "output/sink.h"

static int open_out(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);

	return fd < 0 ? -errno : fd;
}

int hs_sink_open(struct hs_sink *s, const char *path)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = STDOUT_FILENO;
	if (path && strcmp(path, "-")) {
		s->path = path;
		s->fd = open_out(path);
		if (s->fd < 0) {
			err = s->fd;
			hs_err("cannot write %s: %s (%d)", path, strerror(-err), err);
			return err;
		}
	}
	s->stage = open_memstream(&s->buf, &s->len);
	if (!s->stage) {
		err = -errno;
		hs_err("cannot stage report lines: %s (%d)", strerror(-err), err);
		hs_sink_close(s);
		return err;
	}
	return 0;
}

void hs_sink_discard(struct hs_sink *s)
{
	/* A memory stream's size is its position: back to 0 empties it. */
	fflush(s->stage);
	rewind(s->stage);
	fflush(s->stage);
}

int hs_sink_commit(struct hs_sink *s, size_t *lines)
{
	size_t done = 0, n = 0;
	off_t start;
	int err = 0;

	if (fflush(s->stage))
		return -errno;
	for (size_t i = 0; i < s->len; i++)
		n += s->buf[i] == '\n';
	if (lines)
		*lines = n;
	if (!s->len)
		return 0;
	start = lseek(s->fd, 0, SEEK_END);	/* -1 on a pipe: nothing to cut */
	while (done < s->len) {
		ssize_t w = write(s->fd, s->buf + done, s->len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? -errno : -EIO;
			break;
		}
		done += w;
	}
	/* A full disk takes part of a step: cut the file back so it ends on
	 * the whole line before, and the step can be written again later. */
	if (err && done && start >= 0 && ftruncate(s->fd, start))
		hs_warn("cannot cut %s back to its last whole line: %s", s->path ?: "standard output",
			strerror(errno));
	hs_sink_discard(s);
	return err;
}

int hs_sink_reopen(struct hs_sink *s)
{
	int fd, err;

	if (!s->path)
		return 0;
	fd = open_out(s->path);
	if (fd < 0) {
		err = fd;
		hs_err("cannot reopen %s: %s (%d); still writing to the file opened before",
		       s->path, strerror(-err), err);
		return err;
	}
	close(s->fd);
	s->fd = fd;
	return 0;
}

int hs_sink_close(struct hs_sink *s)
{
	int err = 0;

	if (s->stage)
		fclose(s->stage);
	free(s->buf);
	if (s->path && s->fd >= 0 && close(s->fd))
		err = -errno;
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	return err;
}
