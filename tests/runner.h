/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_TESTS_RUNNER_H
#define SCX_TESTS_RUNNER_H

#include <CUnit/CUnit.h>

/*
 * Add a suite named `name` with the NULL-terminated test table `tests`.
 * Returns 0 or -1 (CU_get_error_msg() says why).
 */
struct test_case {
	const char *name;
	void (*fn)(void);
};

static inline int test_add_suite(const char *name, const struct test_case *tests)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	if (!s)
		return -1;
	for (; tests->name; tests++)
		if (!CU_add_test(s, tests->name, tests->fn))
			return -1;
	return 0;
}

/*
 * Define the suite entry point of tests/<tier>/test_<name>.c:
 *   TEST_SUITE(name) { return test_add_suite("name", tests); }
 */
#define TEST_SUITE(name)          \
	int suite_##name(void);   \
	int suite_##name(void)

/* Directory of test data, relative to the top of the tree (the runners' working directory). */
#define TEST_DATA_DIR "tests/data"

#endif
