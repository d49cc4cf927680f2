/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stdint.h>

#include "common/parse.h"
#include "tests/runner.h"

static void test_u64(void)
{
	uint64_t v = 7;

	CU_ASSERT_EQUAL(parse_u64("0", UINT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(parse_u64("18446744073709551615", UINT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	CU_ASSERT_EQUAL(parse_u64("42\n", UINT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, 42);
	v = 7;
	CU_ASSERT_EQUAL(parse_u64("18446744073709551616", UINT64_MAX, &v), -ERANGE);
	CU_ASSERT_EQUAL(parse_u64("11", 10, &v), -ERANGE);
	CU_ASSERT_EQUAL(parse_u64("", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_u64(" 1", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_u64("1 ", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_u64("-1", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_u64("+1", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_u64("0x10", 100, &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_u64("1\n\n", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_u64(NULL, 10, &v), -EINVAL);
	/* Failed parses leave the output alone. */
	CU_ASSERT_EQUAL(v, 7);
}

static void test_s64_int(void)
{
	int64_t v;
	int i = 5;

	CU_ASSERT_EQUAL(parse_s64("-1", -1, 1, &v), 0);
	CU_ASSERT_EQUAL(v, -1);
	CU_ASSERT_EQUAL(parse_s64("-2", -1, 1, &v), -ERANGE);
	CU_ASSERT_EQUAL(parse_s64("-", -1, 1, &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_s64("-9223372036854775809", INT64_MIN, INT64_MAX, &v), -ERANGE);
	CU_ASSERT_EQUAL(parse_int("2147483648", INT32_MIN, INT32_MAX, &i), -ERANGE);
	CU_ASSERT_EQUAL(parse_int("-1", 0, 10, &i), -ERANGE);
	CU_ASSERT_EQUAL(i, 5);
	CU_ASSERT_EQUAL(parse_int("-1\n", -1, 10, &i), 0);
	CU_ASSERT_EQUAL(i, -1);
}

TEST_SUITE(parse)
{
	static const struct test_case tests[] = {
		{ "u64", test_u64 },
		{ "s64 and int", test_s64_int },
		{ NULL, NULL },
	};

	return test_add_suite("parse", tests);
}
