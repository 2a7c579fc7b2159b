// SPDX-License-Identifier: GPL-2.0
/* The one reader of whole JSON files (dictionaries, signatures). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "lib/json.h"
#include "lib/log.h"

static int read_file(const char *path, char **out, size_t *len)
{
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap), *tmp;
	ssize_t r;
	int fd, err = 0;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		if (n == cap) {
			cap *= 2;
			tmp = realloc(buf, cap);
			if (!tmp) {
				err = -ENOMEM;
				goto out;
			}
			buf = tmp;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}

static int parse_json(const char *path, const char *buf, size_t len, struct json_object **out)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	struct json_object *root;
	size_t end, i, col = 1;
	int line = 1;

	if (len > INT_MAX) {
		hs_err("%s: file too large", path);
		return -EINVAL;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	/* strict: RFC 8259 only, no comments or single quotes, and no
	 * trailing data after the top-level value */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_success && end < len) {
		/* strict mode already refuses trailing data; this is a backstop */
		for (i = end; i < len && strchr(" \t\r\n", buf[i]); i++)
			;
		if (i < len) {
			end = i;
			jerr = json_tokener_error_parse_unexpected;
		}
	}
	if (jerr == json_tokener_success) {
		*out = root;
		return 0;
	}
	json_object_put(root);
	/* a dictionary is often one long line: the column matters too */
	for (i = 0; i < end && i < len; i++) {
		col++;
		if (buf[i] == '\n') {
			line++;
			col = 1;
		}
	}
	hs_err("%s: line %d, column %zu: invalid JSON: %s", path, line, col,
	       jerr == json_tokener_continue ? "unexpected end of file" :
	       json_tokener_error_desc(jerr));
	return -EINVAL;
}

int hs_json_file_load(const char *path, struct json_object **out)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	err = read_file(path, &buf, &len);
	if (err) {
		hs_err("cannot read %s: %s", path, strerror(-err));
		return err;
	}
	err = parse_json(path, buf, len, out);
	/* json-c holds its own copies: the text can go before the tree grows */
	free(buf);
	return err;
}
