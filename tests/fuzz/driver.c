// SPDX-License-Identifier: GPL-2.0
/*
 * main for a harness built without libFuzzer: runs every file given (or
 * every file of every directory given) through LLVMFuzzerTestOneInput once,
 * as libFuzzer does with file arguments. Exit status 0 when every input
 * ran; a crash is a crash.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, cap = 1 << 16, n;
	uint8_t *buf = malloc(cap), *tmp;

	if (!f || !buf) {
		fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
		free(buf);
		if (f)
			fclose(f);
		return 1;
	}
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			tmp = realloc(buf, cap *= 2);
			if (!tmp)
				abort();
			buf = tmp;
		}
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	int i, k, n, err = 0;
	struct dirent **ents;
	struct stat st;
	char path[4096];

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) || !S_ISDIR(st.st_mode)) {
			err |= run_file(argv[i]);
			continue;
		}
		n = scandir(argv[i], &ents, NULL, name_cmp);
		for (k = 0; k < n; k++) {
			snprintf(path, sizeof(path), "%s/%s", argv[i], ents[k]->d_name);
			if (ents[k]->d_name[0] != '.')
				err |= run_file(path);
			free(ents[k]);
		}
		if (n >= 0)
			free(ents);
	}
	return err;
}
