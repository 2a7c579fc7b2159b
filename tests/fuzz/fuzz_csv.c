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

static char dir[64], out[96];

static void remove_dir(void)
{
	unlink(out);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* tmpfs: the importer writes its output with fsync */
	snprintf(dir, sizeof(dir), "/dev/shm/haystack-fuzz-csv-XXXXXX");
	if (!mkdtemp(dir)) {
		snprintf(dir, sizeof(dir), "/tmp/haystack-fuzz-csv-XXXXXX");
		if (!mkdtemp(dir))
			hs_fuzz_fail("mkdtemp failed");
	}
	snprintf(out, sizeof(out), "%s/out.json", dir);
	atexit(remove_dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "alexa_enabled.csv", "samsung_IoT.csv", "devices.csv" };
	struct hs_signatures s = {};
	char path[160];
	FILE *f;
	int err;

	if (!size)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, names[data[0] % 3]);
	f = fopen(path, "wb");
	if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f))
		hs_fuzz_fail("cannot write %s", path);
	err = hs_iot_wild_import(dir, out);
	unlink(path);
	if (err)
		return 0;
	if (hs_signatures_load(out, &s) || hs_signatures_check(&s))
		hs_fuzz_fail("the imported signatures do not load (above)");
	hs_signatures_free(&s);
	unlink(out);
	return 0;
}
