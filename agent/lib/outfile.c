// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/atomicfile.h"
#include "lib/log.h"
#include "lib/outfile.h"

int hs_json_write_atomic(const char *path, struct json_object *o, int (*check)(const char *tmp))
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	struct hs_atomic_file a;
	int err;

	/* standard output too is staged when there is a check: nothing is
	 * printed of a result that fails it */
	err = hs_atomic_open(&a, path, check != NULL);
	if (err)
		return err;
	if (fputs(text, a.f) < 0 || fputc('\n', a.f) < 0) {
		err = -errno ?: -EIO;
		hs_err("cannot write %s: %s (%d)", path, strerror(-err), err);
		hs_atomic_abort(&a);
		return err;
	}
	return hs_atomic_commit(&a, check);
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
