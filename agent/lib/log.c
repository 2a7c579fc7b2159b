// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "lib/log.h"

static enum hs_log_level max_level = HS_LOG_INFO;
static const char *log_context;

void hs_log_set_level(enum hs_log_level level)
{
	max_level = level;
}

void hs_log_set_context(const char *context)
{
	log_context = context;
}

enum hs_log_level hs_log_get_level(void)
{
	return max_level;
}

/* One diagnostic is one line: control characters from the input (a name
 * with a newline in a dictionary) are escaped, never passed through. */
void hs_log(enum hs_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (level > max_level)
		return;
	msg[0] = 0;
	if (log_context)
		snprintf(msg, sizeof(msg), "%s: ", log_context);
	va_start(ap, fmt);
	vsnprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), fmt, ap);
	va_end(ap);
	fputs("haystack: ", stderr);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
}

void hs_log_passthrough(enum hs_log_level level, const char *fmt, va_list ap)
{
	if (level <= max_level)
		vfprintf(stderr, fmt, ap);
}
