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

int hs_json_write_atomic(const char *path, struct json_object *o, int (*check)(const char *tmp))
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text), done = 0;
	size_t tmp_len = strlen(path) + sizeof(".XXXXXX");
	char *tmp = malloc(tmp_len);
	int fd, err = 0;

	if (!tmp)
		return -ENOMEM;
	/* beside path: rename is atomic only within one file system */
	snprintf(tmp, tmp_len, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		hs_err("cannot write %s: %s", path, strerror(-err));
		free(tmp);
		return err;
	}
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		done += (size_t)n;
	}
	/* mkstemp makes 0600; a dictionary is read by other users and tools */
	if (write(fd, "\n", 1) != 1 || fchmod(fd, 0644) || fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	fd = -1;
	if (!err && check && (err = check(tmp))) {
		hs_err("%s: not written: the result does not pass its own check (above)", path);
		unlink(tmp);
		free(tmp);
		return err;
	}
	if (!err && rename(tmp, path))
		err = -errno;
out:
	if (err) {
		hs_err("cannot write %s: %s", path, strerror(-err));
		if (fd >= 0)
			close(fd);
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
