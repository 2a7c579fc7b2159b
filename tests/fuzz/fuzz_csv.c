// SPDX-License-Identifier: GPL-2.0
/*
 * The importer of the paper's CSVs (signatures import --iot-wild DIR). The
 * first byte of the input picks the file's name, which picks the hierarchy
 * rules (alexa_enabled.csv, samsung_IoT.csv, any other); the rest is the CSV.
 * The output is read back as signatures: what the importer writes must load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dict/signatures.h"
#include "fuzz.h"

/* A directory of the input's own, gone after it: libFuzzer ends a run with
 * _Exit, past any atexit. On tmpfs: the importer writes with fsync. */
static const char *base = "/dev/shm";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (access(base, W_OK))
		base = "/tmp";
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "alexa_enabled.csv", "samsung_IoT.csv", "devices.csv" };
	char dir[64], path[160], out[96];
	struct hs_signatures s = {};
	FILE *f;
	int err;

	if (!size)
		return 0;
	snprintf(dir, sizeof(dir), "%s/haystack-fuzz-csv-XXXXXX", base);
	if (!mkdtemp(dir))
		hs_fuzz_fail("mkdtemp %s failed", dir);
	snprintf(path, sizeof(path), "%s/%s", dir, names[data[0] % 3]);
	snprintf(out, sizeof(out), "%s/out.json", dir);
	f = fopen(path, "wb");
	if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f))
		hs_fuzz_fail("cannot write %s", path);
	err = hs_iot_wild_import(dir, out);
	unlink(path);
	if (!err && (hs_signatures_load(out, &s) || hs_signatures_check(&s)))
		hs_fuzz_fail("the imported signatures do not load (above)");
	hs_signatures_free(&s);
	unlink(out);
	rmdir(dir);
	return 0;
}
