/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files of outside input, opened and read the one way: a directory or a
 * missing file is one line naming it, and nothing is read past a stated
 * limit, so `--dict /dev/zero` stops instead of growing without end.
 *
 * The errors every reader of outside input returns for bad input, after one
 * line on stderr: -EINVAL (malformed), -ERANGE (a number out of range),
 * -EFBIG (file or line over its limit), -E2BIG (more than a kernel table
 * holds), -ENOENT, -ENOTDIR, -EISDIR, -ENAMETOOLONG (no such file, a path of
 * the wrong kind), -ENODEV (no such interface). hs_bad_input() tells them
 * from the rest (-ENOMEM, -EIO, -EPERM, ...), which are not the input's
 * fault; it is the one mapping to exit status 2 (runtime/runtime.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Paths an option was given, in order (--dict a --dict b). */
struct hs_files {
	const char **v;
	int n;
};

/* An fd open for reading, or -errno after one line "cannot read PATH: ...". */
int hs_file_open(const char *path);

/* The whole of path in a buffer of *len bytes (plus a NUL not counted), to be
 * freed by the caller. More than limit bytes: one line "PATH: too large
 * (limit N bytes)" and -EFBIG. Other errors as hs_file_open. */
int hs_file_read(const char *path, size_t limit, char **data, size_t *len);

/* One line "PATH: too large (limit N bytes)"; returns -EFBIG. */
int hs_file_too_large(const char *path, size_t limit);

/* Whether err (negative) is one of the bad-input errors above: exit status 2. */
bool hs_bad_input(int err);
