// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/outfile.h"

/* text and a final newline; 0 or -errno */
static int write_all(int fd, const char *text, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return write(fd, "\n", 1) == 1 ? 0 : -errno;
}

/* A temporary file holding text, closed; *tmp to be unlinked and freed. */
static int write_tmp(const char *dir, const char *name, const char *text, size_t len, char **tmp)
{
	size_t tmp_len = strlen(dir) + strlen(name) + sizeof("/.XXXXXX");
	int fd, err;

	*tmp = malloc(tmp_len);
	if (!*tmp)
		return -ENOMEM;
	snprintf(*tmp, tmp_len, "%s%s%s.XXXXXX", dir, *dir ? "/" : "", name);
	fd = mkstemp(*tmp);
	if (fd < 0) {
		err = -errno;
		free(*tmp);
		*tmp = NULL;
		return err;
	}
	/* mkstemp makes 0600; a dictionary is read by other users and tools */
	err = write_all(fd, text, len);
	if (!err && (fchmod(fd, 0644) || fsync(fd)))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* "-": standard output, after the check on a temporary file when there is
 * one (nothing is written when it fails). */
static int write_stdout(const char *text, size_t len, int (*check)(const char *tmp))
{
	const char *dir = getenv("TMPDIR");
	char *tmp = NULL;
	int err = 0;

	if (check) {
		err = write_tmp(dir && *dir ? dir : "/tmp", "haystack", text, len, &tmp);
		if (err) {
			hs_err("cannot write a temporary file in %s: %s", dir && *dir ? dir : "/tmp",
			       strerror(-err));
		} else if ((err = check(tmp))) {
			hs_err("standard output: not written: the result does not pass its own check (above)");
		}
		if (tmp)
			unlink(tmp);
		free(tmp);
		if (err)
			return err;
	}
	fflush(stdout);
	err = write_all(STDOUT_FILENO, text, len);
	if (err)
		hs_err("cannot write standard output: %s", strerror(-err));
	return err;
}

int hs_json_write_atomic(const char *path, struct json_object *o, int (*check)(const char *tmp))
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text);
	char *tmp = NULL;
	int err;

	if (!strcmp(path, "-"))
		return write_stdout(text, len, check);
	/* beside path: rename is atomic only within one file system */
	err = write_tmp("", path, text, len, &tmp);
	if (!err && check && (err = check(tmp))) {
		hs_err("%s: not written: the result does not pass its own check (above)", path);
		unlink(tmp);
		free(tmp);
		return err;
	}
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		hs_err("cannot write %s: %s", path, strerror(-err));
		if (tmp)
			unlink(tmp);
	}
	free(tmp);
	return err;
}

struct json_object *hs_json_double(double v)
{
	char buf[32];
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*g", prec, v);
	return json_object_new_double_s(v, buf);
}
