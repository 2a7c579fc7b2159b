/* SPDX-License-Identifier: GPL-2.0 */
/* Whole JSON files, read the one way haystack reads them. */
#pragma once

struct json_object;

/* Strict RFC 8259; on a problem one line "haystack: FILE: line L, column C:
 * ..." and -EINVAL, or -errno when the file cannot be read. */
int hs_json_file_load(const char *path, struct json_object **out);
