/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/fakefs.h"

void fakefs_init(struct fakefs *fs)
{
	snprintf(fs->root, sizeof(fs->root), "/tmp/scx-fakefs.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(fs->root));
}

void fakefs_remove(struct fakefs *fs)
{
	char cmd[300];

	if (strncmp(fs->root, "/tmp/scx-fakefs.", 16) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fs->root);
	CU_ASSERT(system(cmd) == 0);
	fs->root[0] = '\0';
}

const char *fakefs_path(const struct fakefs *fs, char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", fs->root, rel);
	return buf;
}

static void mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			(void)mkdir(path, 0755);
			*p = '/';
		}
	}
	(void)mkdir(path, 0755);
}

static void vpath(const struct fakefs *fs, char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void vpath(const struct fakefs *fs, char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = snprintf(buf, size, "%s/", fs->root);

	vsnprintf(buf + n, size - (size_t)n, fmt, ap);
}

void fakefs_mkdir(const struct fakefs *fs, const char *fmt, ...)
{
	char path[1024];
	va_list ap;

	va_start(ap, fmt);
	vpath(fs, path, sizeof(path), fmt, ap);
	va_end(ap);
	mkdir_p(path);
}

static void mkparent(char *path)
{
	char *slash = strrchr(path, '/');

	*slash = '\0';
	mkdir_p(path);
	*slash = '/';
}

void fakefs_put(const struct fakefs *fs, const char *text, const char *fmt, ...)
{
	char path[1024];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vpath(fs, path, sizeof(path), fmt, ap);
	va_end(ap);
	mkparent(path);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	CU_ASSERT_FATAL(fclose(f) == 0);
}

void fakefs_symlink(const struct fakefs *fs, const char *target, const char *fmt, ...)
{
	char path[1024];
	va_list ap;

	va_start(ap, fmt);
	vpath(fs, path, sizeof(path), fmt, ap);
	va_end(ap);
	mkparent(path);
	CU_ASSERT_FATAL(symlink(target, path) == 0);
}

void fakefs_unlink(const struct fakefs *fs, const char *fmt, ...)
{
	char path[1024];
	va_list ap;

	va_start(ap, fmt);
	vpath(fs, path, sizeof(path), fmt, ap);
	va_end(ap);
	CU_ASSERT_FATAL(unlink(path) == 0);
}
