// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <libpsl.h>
#include "lib/dnsname.h"

int hs_name_normalize(char *name)
{
	size_t n = strlen(name), i;

	if (n && name[n - 1] == '.')
		name[--n] = '\0';
	/* "a.com.." is not "a.com." once more: normal form is a fixed point,
	 * or the same name read twice would be two names */
	if (!n || n > 253 || name[n - 1] == '.')
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z')
			name[i] = c = (char)(c - 'A' + 'a');
		if (c == '.' && (i == 0 || name[i - 1] == '.'))
			return -EINVAL;
		if (c == '*' && !(i == 0 && name[1] == '.'))
			return -EINVAL;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '*'))
			return -EINVAL;
	}
	return 0;
}

static const psl_ctx_t *psl(void)
{
	static const psl_ctx_t *ctx;

	/* the distribution's list when it is newer than the one built in */
	if (!ctx)
		ctx = psl_latest(NULL);
	if (!ctx)
		ctx = psl_builtin();
	return ctx;
}

const char *hs_registrable_domain(const char *name)
{
	if (!strncmp(name, "*.", 2))
		name += 2;
	return psl_registrable_domain(psl(), name);
}
