/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command lines of the real binaries: versions, help, and the exit
 * codes of DESIGN.md section 3 for usage errors.
 */
#include <string.h>

#include "tests/proc.h"
#include "tests/runner.h"

static struct proc_result res;

static void test_versions(void)
{
	const char *scxd[] = { proc_env_path("SCXD"), "--version", NULL };
	const char *scxctl[] = { proc_env_path("SCXCTL"), "--version", NULL };

	CU_ASSERT_EQUAL_FATAL(proc_run(scxd, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "scxd " SCX_VERSION));
	CU_ASSERT_EQUAL_FATAL(proc_run(scxctl, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "scxctl " SCX_VERSION));
}

static void test_help(void)
{
	const char *scxd[] = { proc_env_path("SCXD"), "--help", NULL };
	const char *scxctl[] = { proc_env_path("SCXCTL"), "--help", NULL };

	CU_ASSERT_EQUAL_FATAL(proc_run(scxd, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "--backend bpf|sim"));
	CU_ASSERT_EQUAL_FATAL(proc_run(scxctl, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "Exit codes"));
}

static void test_usage_errors(void)
{
	const char *bad_backend[] = { proc_env_path("SCXD"), "--backend", "gpu", NULL };
	const char *bad_level[] = { proc_env_path("SCXD"), "--log-level", "loud", NULL };
	const char *extra[] = { proc_env_path("SCXD"), "stray", NULL };
	const char *unknown[] = { proc_env_path("SCXCTL"), "frobnicate", NULL };
	const char *none[] = { proc_env_path("SCXCTL"), NULL };

	CU_ASSERT_EQUAL_FATAL(proc_run(bad_backend, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "unknown backend 'gpu'"));
	CU_ASSERT_EQUAL_FATAL(proc_run(bad_level, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "unknown level 'loud'"));
	CU_ASSERT_EQUAL_FATAL(proc_run(extra, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 2);
	CU_ASSERT_EQUAL_FATAL(proc_run(unknown, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "unknown command 'frobnicate'"));
	CU_ASSERT_EQUAL_FATAL(proc_run(none, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 2);
}

TEST_SUITE(cli)
{
	static const struct test_case tests[] = {
		{ "versions", test_versions },
		{ "help", test_help },
		{ "usage errors exit 2", test_usage_errors },
		{ NULL, NULL },
	};

	return test_add_suite("cli", tests);
}
