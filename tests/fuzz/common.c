// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE		/* memfd_create */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include "fuzz.h"

int hs_fuzz_file(const uint8_t *data, size_t size, char *path, size_t path_len)
{
	size_t done = 0;
	int fd = memfd_create("haystack-fuzz", MFD_CLOEXEC);

	if (fd < 0)
		hs_fuzz_fail("memfd_create failed");
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0)
			hs_fuzz_fail("writing the input to a memfd failed");
		done += (size_t)n;
	}
	/* opened by name, a memfd gives a new description at offset 0 */
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	return fd;
}

void hs_fuzz_file_close(int fd)
{
	close(fd);
}

void hs_fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("haystack fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}
