// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "lib/log.h"
#include "lib/timeparse.h"
#include "haystack.h"
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

int hs_sink_step(struct hs_sink *s, struct report_step *step)
{
	struct stat st;
	off_t end;

	memset(step, 0, sizeof(*step));
	if (fflush(s->stage))
		return -errno;
	if (!s->path || !s->len)
		return 0;
	end = lseek(s->fd, 0, SEEK_END);
	if (end < 0 || fstat(s->fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return 0;
	*step = (struct report_step){ st.st_dev, st.st_ino, end, s->len };
	return 0;
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

/* Where the scan of the file's tail stands (hs_sink_resume). */
struct tail {
	int n;
	const __u32 *widths;
	const __u64 *noted;	/* what the pins say is reported */
	__u64 newest;
	__u64 found[HAYSTACK_REPORT_WIDTHS];	/* end of the newest bin seen */
	off_t cut;		/* the file's new end; -1: left as it is */
};

/* The width (index) and start of a report line's bin; -1 for another line
 * (a record line, another instance's width, not JSON). */
static int line_bin(struct tail *t, char *line, __u64 *start)
{
	struct json_object *o = json_tokener_parse(line), *v;
	long long at = -1;
	int w = -1;

	if (o && json_object_object_get_ex(o, "bin_seconds", &v)) {
		__u32 secs = (__u32)json_object_get_int64(v);

		for (int i = 0; i < t->n; i++)
			if (t->widths[i] == secs && t->noted[i])
				w = i;
	}
	if (w >= 0 && (!json_object_object_get_ex(o, "bin_start", &v) ||
		       hs_parse_time(json_object_get_string(v) ?: "", &at) || at < 0 ||
		       (__u64)at > t->newest))
		w = -1;
	json_object_put(o);
	*start = at;
	return w;
}

/* Lines from the end of buf (len bytes, the file's from off on) back to the
 * first of a bin the pins note reported, or until every width was seen.
 * Returns 0 when done, 1 when the window began too late to tell. */
static int scan_tail(struct tail *t, char *buf, size_t len, off_t off)
{
	size_t end = len, b;
	int torn_w = -1, seen = 0, want = 0;
	__u64 torn_start = 0, start;

	for (int i = 0; i < t->n; i++)
		want += t->noted[i] != 0;
	memset(t->found, 0, sizeof(t->found));
	t->cut = -1;
	/* The sink writes whole lines: a last line without its newline is a
	 * write the death stopped, and its bin is not all in the file. */
	if (len && buf[len - 1] != '\n') {
		while (end && buf[end - 1] != '\n')
			end--;
		if (!end && off)
			return 1;
		t->cut = off + end;
		torn_w = -2;
	}
	while (end && seen < want) {
		int w;

		for (b = end - 1; b && buf[b - 1] != '\n'; b--)
			;
		if (!b && off)
			return 1;
		buf[end - 1] = '\0';
		w = line_bin(t, buf + b, &start);
		if (w >= 0 && torn_w == -2 && start + t->widths[w] > t->noted[w]) {
			torn_w = w;	/* the bin the cut line may belong to */
			torn_start = start;
		}
		if (w >= 0 && w == torn_w && start == torn_start) {
			t->cut = off + b;
		} else if (w >= 0) {
			if (start + t->widths[w] <= t->noted[w])
				break;	/* a step the pins noted: the ones before are too */
			if (!t->found[w]) {
				seen++;
				t->found[w] = start + t->widths[w];
			}
			torn_w = -1;
		} else if (torn_w == -2) {
			torn_w = -1;	/* a record line: nothing of a bin to cut */
		}
		end = b;
	}
	return 0;
}

/* The step the pins say was being written, when the file ends inside it:
 * the death cut its write, wherever that fell (in a line or between two),
 * and the file goes back to where the step began. Its bins are not noted
 * reported, so they are written again whole. Returns 0 or -errno. */
static int cut_step(struct hs_sink *s, const struct report_step *step, struct stat *st)
{
	__u64 size = st->st_size;

	if (!step->length || step->dev != (__u64)st->st_dev || step->ino != (__u64)st->st_ino ||
	    size <= step->offset || size >= step->offset + step->length)
		return 0;
	hs_warn("%s ends %llu bytes into a report step of %llu bytes that a stop cut part way: cut back to byte %llu, where the step began; its bins are written again whole",
		s->path, (unsigned long long)(size - step->offset),
		(unsigned long long)step->length, (unsigned long long)step->offset);
	if (ftruncate(s->fd, step->offset))
		return -errno;
	st->st_size = step->offset;
	return 0;
}

int hs_sink_resume(struct hs_sink *s, const struct report_step *step, int n,
		   const __u32 *widths, __u64 *next, __u64 newest)
{
	struct tail t = { .n = n, .widths = widths, .noted = next, .newest = newest };
	size_t win = 1 << 20;
	struct stat st;
	char *buf = NULL;
	int fd = -1, err = 0, more = 1;

	if (!s->path || fstat(s->fd, &st) || !S_ISREG(st.st_mode))
		return 0;
	err = cut_step(s, step, &st);
	if (err) {
		hs_err("cannot cut %s back: %s (%d)", s->path, strerror(-err), err);
		return err;
	}
	if (!st.st_size)
		return 0;
	fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err = -errno;
	while (!err && more) {
		size_t len = (off_t)win < st.st_size ? win : (size_t)st.st_size;
		char *nb = realloc(buf, len);

		if (!nb) {
			err = -ENOMEM;
			break;
		}
		buf = nb;
		if (pread(fd, buf, len, st.st_size - len) != (ssize_t)len) {
			err = errno ? -errno : -EIO;
			break;
		}
		more = scan_tail(&t, buf, len, st.st_size - len);
		win *= 2;
	}
	if (!err && t.cut >= 0) {
		hs_warn("%s ends in a write cut part way: cut back by %lld bytes to byte %lld, the last whole line before it; a bin it cut is written again whole",
			s->path, (long long)(st.st_size - t.cut), (long long)t.cut);
		if (ftruncate(s->fd, t.cut))
			err = -errno;
	}
	for (int i = 0; !err && i < n; i++)
		next[i] = next[i] > t.found[i] ? next[i] : t.found[i];
	if (err)
		hs_err("cannot read back %s: %s (%d)", s->path, strerror(-err), err);
	free(buf);
	if (fd >= 0)
		close(fd);
	return err;
}
