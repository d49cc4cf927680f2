/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_TESTS_FAKEFS_H
#define SCX_TESTS_FAKEFS_H

/*
 * Fake sysfs/procfs trees for tests, built in a temporary directory so
 * that tests may change them. Paths given to the helpers are relative to
 * the tree's root; failures abort the current test (CU_ASSERT_FATAL).
 */
#include <stddef.h>

struct fakefs {
	char root[256];
};

/* Create a new empty tree under /tmp. */
void fakefs_init(struct fakefs *fs);
/* Remove the tree. */
void fakefs_remove(struct fakefs *fs);
/* root/rel into buf. */
const char *fakefs_path(const struct fakefs *fs, char *buf, size_t size, const char *rel);
void fakefs_mkdir(const struct fakefs *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write text to root/<path>, creating parent directories. */
void fakefs_put(const struct fakefs *fs, const char *text, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A relative symlink root/<linkpath> -> target. */
void fakefs_symlink(const struct fakefs *fs, const char *target, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void fakefs_unlink(const struct fakefs *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
