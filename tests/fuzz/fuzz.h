/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer harnesses share. Each harness is one parser of outside
 * input fed through its real entry point; one that takes a path gets the
 * input as a file (a memfd, named through /proc/self/fd). Built two ways:
 * with -fsanitize=fuzzer for `make fuzz`, and with driver.c's main for the
 * normal suite, which replays tests/fuzz/regressions/<harness>/ and the
 * hand-made seeds through the same code.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a file: *path names it until hs_fuzz_file_close(fd). */
int hs_fuzz_file(const uint8_t *data, size_t size, char *path, size_t path_len);
void hs_fuzz_file_close(int fd);

/* A property of the code under test does not hold: prints why and aborts,
 * which libFuzzer and the regression runner both take as a crash. */
void hs_fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
