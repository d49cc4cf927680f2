/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxctl validate as an operator runs it: exit codes, one line per
 * problem with FILE:LINE:COL, stdin, several files, --json, --strict.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/proc.h"
#include "tests/runner.h"

static struct proc_result res;

#define CFG_DIR TEST_DATA_DIR "/config"

static unsigned int count_lines(const char *s)
{
	unsigned int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_valid(void)
{
	const char *argv[] = { proc_env_path("SCXCTL"), "validate", "--nodes", "2", "examples/latency-numa.json",
			       CFG_DIR "/valid/minimal.json", NULL };

	CU_ASSERT_EQUAL_FATAL(proc_run(argv, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "examples/latency-numa.json: layer 1: node1-pinned (Grouped, 1 match clause)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "minimal.json: layer 0: all (Open, 1 match clause)"));
}

static void test_invalid_every_problem(void)
{
	const char *argv[] = { proc_env_path("SCXCTL"), "validate", "--nodes", "2",
			       CFG_DIR "/invalid/s10_threshold_range.json", CFG_DIR "/valid/minimal.json", NULL };

	CU_ASSERT_EQUAL_FATAL(proc_run(argv, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, CFG_DIR "/invalid/s10_threshold_range.json:14:29: at "
					       "$.layers[0].matches[0][1].SystemCpuUtilBelow: SystemCpuUtilBelow threshold 1.5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "s10_threshold_range.json:22:25: at $.layers[0].matches[1][1].DsqInsertBelow"));
	CU_ASSERT_EQUAL(count_lines(res.err), 2);
	/* The valid file in the same run is still reported as such. */
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "minimal.json: layer 0: all"));
}

static void test_stdin_and_json(void)
{
	const char *argv[] = { proc_env_path("SCXCTL"), "--json", "validate", "--nodes", "1", "-", NULL };
	const char *text = "[{\"name\": \"n\", \"matches\": [[{\"NumaNode\": 1}]], \"kind\": {\"Open\": {}}},\n"
			   " {\"name\": \"r\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]\n";

	CU_ASSERT_EQUAL_FATAL(proc_run(argv, text, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "\"file\": \"<stdin>\", \"line\": 1, \"column\": 42, \"severity\": \"error\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "\"path\": \"$[0].matches[0][0].NumaNode\""));
	CU_ASSERT(res.out[0] == '[');
	CU_ASSERT_STRING_EQUAL(res.err, "");
}

static void test_strict_and_usage(void)
{
	const char *strict[] = { proc_env_path("SCXCTL"), "validate", "--strict", "--nodes", "2", "-", NULL };
	const char *lenient[] = { proc_env_path("SCXCTL"), "validate", "--nodes", "2", "-", NULL };
	const char *missing[] = { proc_env_path("SCXCTL"), "validate", "/nonexistent/x.json", NULL };
	const char *badopt[] = { proc_env_path("SCXCTL"), "validate", "--nodes", "zero", "x", NULL };
	const char *nofile[] = { proc_env_path("SCXCTL"), "validate", NULL };
	const char *text = "[{\"name\": \"r\", \"color\": \"blue\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]";

	CU_ASSERT_EQUAL_FATAL(proc_run(strict, text, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "<stdin>:1:16: at $[0].color: unknown key `color`"));
	/* The same file without --strict: a warning, and valid. */
	CU_ASSERT_EQUAL_FATAL(proc_run(lenient, text, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "<stdin>:1:16: warning: at $[0].color"));
	CU_ASSERT_EQUAL_FATAL(proc_run(missing, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "/nonexistent/x.json: No such file or directory"));
	CU_ASSERT_EQUAL_FATAL(proc_run(badopt, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 2);
	CU_ASSERT_EQUAL_FATAL(proc_run(nofile, NULL, 10, &res), 0);
	CU_ASSERT_EQUAL(res.status, 2);
}

TEST_SUITE(validate)
{
	static const struct test_case tests[] = {
		{ "valid files", test_valid },
		{ "every problem, located", test_invalid_every_problem },
		{ "stdin and --json", test_stdin_and_json },
		{ "--strict and usage errors", test_strict_and_usage },
		{ NULL, NULL },
	};

	return test_add_suite("validate", tests);
}
