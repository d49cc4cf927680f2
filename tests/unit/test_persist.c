/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * State files (agent/persist.c): round trips, and every way a file can be
 * wrong is "corrupt", moved aside and never deleted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/persist.h"
#include "tests/runner.h"

static char dir[64];

static int setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/scx-persist.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static long file_size(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int count_aside(const char *name)
{
	char cmd[192];

	snprintf(cmd, sizeof(cmd), "test $(ls %s | grep -c '^%s\\.corrupt-') -ge 1", dir, name);
	return system(cmd) == 0;
}

static void test_round_trip(void)
{
	static const uint8_t data[] = "the applied config";
	uint8_t *buf = NULL;
	size_t len = 0;
	char aside[256];

	CU_ASSERT_EQUAL(persist_load(dir, "x.pb", &buf, &len, aside, sizeof(aside)), -ENOENT);
	CU_ASSERT_EQUAL(persist_save(dir, "x.pb", data, sizeof(data)), 0);
	CU_ASSERT_EQUAL(persist_load(dir, "x.pb", &buf, &len, aside, sizeof(aside)), 0);
	CU_ASSERT_EQUAL(len, sizeof(data));
	CU_ASSERT(buf && memcmp(buf, data, len) == 0);
	free(buf);
	/* Replaced whole; no temporary left behind. */
	CU_ASSERT_EQUAL(persist_save(dir, "x.pb", data, 3), 0);
	CU_ASSERT_EQUAL(persist_load(dir, "x.pb", &buf, &len, aside, sizeof(aside)), 0);
	CU_ASSERT_EQUAL(len, 3);
	free(buf);
	CU_ASSERT_EQUAL(file_size("x.pb.tmp"), -1);
	/* An empty payload is a payload. */
	CU_ASSERT_EQUAL(persist_save(dir, "x.pb", data, 0), 0);
	CU_ASSERT_EQUAL(persist_load(dir, "x.pb", &buf, &len, aside, sizeof(aside)), 0);
	CU_ASSERT_EQUAL(len, 0);
	free(buf);
	CU_ASSERT_EQUAL(persist_remove(dir, "x.pb"), 0);
	CU_ASSERT_EQUAL(persist_remove(dir, "x.pb"), 0);
	CU_ASSERT_EQUAL(persist_load(dir, "x.pb", &buf, &len, aside, sizeof(aside)), -ENOENT);
	/* Mode 0600: the config is the agent's. */
	CU_ASSERT_EQUAL(persist_save(dir, "m.pb", data, 4), 0);
	{
		char path[128];
		struct stat st;

		snprintf(path, sizeof(path), "%s/m.pb", dir);
		CU_ASSERT_EQUAL(stat(path, &st), 0);
		CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	}
}

static void test_corrupt(void)
{
	static const uint8_t data[] = "0123456789abcdef";
	/* The header is 56 bytes: magic 8, version 4, zero 4, length 8, SHA-256 32. */
	static const struct {
		const char *what;
		long off;          /* where to write byte, or -1 */
		char byte;
		long trunc;        /* the size to cut the file to, or -1 */
	} cases[] = {
		{ "a payload byte", 60, 'X', -1 },
		{ "the magic", 0, 'Z', -1 },
		{ "the version", 8, 2, -1 },
		{ "the length", 16, 7, -1 },
		{ "the checksum", 30, 0, -1 },
		{ "truncated payload", -1, 0, 60 },
		{ "truncated header", -1, 0, 20 },
		{ "empty", -1, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[32], path[128], aside[256];
		uint8_t *buf = NULL;
		size_t len = 12345;
		FILE *f;

		snprintf(name, sizeof(name), "c%zu.pb", i);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		CU_ASSERT_EQUAL_FATAL(persist_save(dir, name, data, sizeof(data)), 0);
		if (cases[i].off >= 0) {
			f = fopen(path, "r+");
			CU_ASSERT_PTR_NOT_NULL_FATAL(f);
			fseek(f, cases[i].off, SEEK_SET);
			fputc(cases[i].byte, f);
			fclose(f);
		}
		if (cases[i].trunc >= 0)
			CU_ASSERT_EQUAL_FATAL(truncate(path, cases[i].trunc), 0);
		aside[0] = '\0';
		CU_ASSERT_EQUAL(persist_load(dir, name, &buf, &len, aside, sizeof(aside)), -EBADMSG);
		/* Not touched on failure; the file moved aside, never deleted. */
		CU_ASSERT_PTR_NULL(buf);
		CU_ASSERT_EQUAL(len, 12345);
		CU_ASSERT_EQUAL(file_size(name), -1);
		CU_ASSERT(count_aside(name));
		CU_ASSERT_PTR_NOT_NULL(strstr(aside, ".corrupt-"));
	}
}

static void test_digest(void)
{
	char d[65];

	persist_digest((const uint8_t *)"abc", 3, d);
	CU_ASSERT_STRING_EQUAL(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	persist_digest((const uint8_t *)"", 0, d);
	CU_ASSERT_STRING_EQUAL(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_unwritable(void)
{
	char ro[128];

	if (geteuid() == 0) {
		/* Root without dropped capabilities writes anyway: a file where the directory should be. */
		snprintf(ro, sizeof(ro), "%s/not-a-dir", dir);
		CU_ASSERT_EQUAL(persist_save(dir, "not-a-dir", (const uint8_t *)"x", 1), 0);
	} else {
		snprintf(ro, sizeof(ro), "%s/ro", dir);
		CU_ASSERT_EQUAL_FATAL(mkdir(ro, 0500), 0);
	}
	CU_ASSERT(persist_save(ro, "x.pb", (const uint8_t *)"x", 1) < 0);
}

TEST_SUITE(persist)
{
	static const struct test_case tests[] = {
		{ "round trip, replace, remove", test_round_trip },
		{ "corrupt files are moved aside", test_corrupt },
		{ "digest is SHA-256", test_digest },
		{ "an unwritable place is an error", test_unwritable },
		{ NULL, NULL },
	};
	CU_pSuite s = CU_add_suite("persist", setup, cleanup);

	if (!s)
		return -1;
	for (const struct test_case *t = tests; t->name; t++)
		if (!CU_add_test(s, t->name, t->fn))
			return -1;
	return 0;
}
