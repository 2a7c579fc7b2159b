// SPDX-License-Identifier: GPL-2.0
/*
 * A dictionary file: loaded, and when it loads, compiled for the kernel and
 * written back (dict/writer.c), which must load again to the same text.
 */
#include <string.h>
#include <json-c/json.h>
#include "dict/dict.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static struct json_object *written(const struct hs_dict *d, const char **text)
{
	struct json_object *o = hs_dict_to_json(d);

	*text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *first, *second;
	struct hs_dict *d = NULL, *again = NULL;
	const char *text, *text_again;
	struct hs_compiled c;
	char path[64];
	int fd = hs_fuzz_file(data, size, path, sizeof(path)), fd2;

	if (hs_dict_load(path, &d)) {
		hs_fuzz_file_close(fd);
		return 0;
	}
	if (!hs_dict_compile(d, &c))
		hs_compiled_free(&c);
	first = written(d, &text);
	fd2 = hs_fuzz_file((const uint8_t *)text, strlen(text), path, sizeof(path));
	if (hs_dict_load(path, &again))
		hs_fuzz_fail("the dictionary as written does not load (above):\n%s", text);
	second = written(again, &text_again);
	if (strcmp(text, text_again))
		hs_fuzz_fail("the dictionary as written loads to another one:\n%s\n%s", text, text_again);
	json_object_put(first);
	json_object_put(second);
	hs_dict_free(again);
	hs_dict_free(d);
	hs_fuzz_file_close(fd2);
	hs_fuzz_file_close(fd);
	return 0;
}
