/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cpumask.h"
#include "tests/runner.h"

static const char *list_of(const struct cpumask *m)
{
	static char buf[CPUMASK_LIST_MAX];

	CU_ASSERT(cpumask_format_list(m, buf, sizeof(buf)) >= 0);
	return buf;
}

static const char *hex_of(const struct cpumask *m)
{
	static char buf[CPUMASK_HEX_MAX];

	CU_ASSERT(cpumask_format_hex(m, buf, sizeof(buf)) >= 0);
	return buf;
}

static void test_list_valid(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "0", "0" },
		{ "0-3,8-11", "0-3,8-11" },
		{ "0-3,8-11\n", "0-3,8-11" },
		{ "3,1,2", "1-3" },
		{ "0-3,2-5", "0-5" },
		{ "5-5", "5" },
		{ "", "" },
		{ "\n", "" },
		{ "8191", "8191" },
		{ "0-9:2/5", "0-1,5-6" },
		{ "0-15:1/4", "0,4,8,12" },
	};
	struct cpumask m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(cpumask_parse_list(cases[i].in, &m), 0);
		CU_ASSERT_STRING_EQUAL(list_of(&m), cases[i].out);
	}
}

static void test_list_hostile(void)
{
	static const struct {
		const char *in;
		int err;
	} cases[] = {
		{ " ", -EINVAL },         { " 1", -EINVAL },       { "1 ", -EINVAL },
		{ "1,", -EINVAL },        { ",1", -EINVAL },       { "1,,2", -EINVAL },
		{ "3-1", -EINVAL },       { "-1", -EINVAL },       { "+1", -EINVAL },
		{ "1-", -EINVAL },        { "a", -EINVAL },        { "0x1", -EINVAL },
		{ "1\n\n", -EINVAL },     { "1\n2", -EINVAL },     { "1-2-3", -EINVAL },
		{ "8192", -ERANGE },      { "0-8192", -ERANGE },   { "99999999999999999999", -ERANGE },
		{ "0-9:0/4", -EINVAL },   { "0-9:5/4", -EINVAL },  { "0-9:1", -EINVAL },
		{ "0-9:1/0", -EINVAL },   { "1\t", -EINVAL },
	};
	struct cpumask m;

	cpumask_zero(&m);
	cpumask_set(&m, 7);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = cpumask_parse_list(cases[i].in, &m);

		if (r != cases[i].err)
			fprintf(stderr, "list '%s': got %d, want %d\n", cases[i].in, r, cases[i].err);
		CU_ASSERT_EQUAL(r, cases[i].err);
	}
	/* Failed parses leave the output alone. */
	CU_ASSERT_STRING_EQUAL(list_of(&m), "7");
}

/* first, then n times ",00000000", into buf (at least CPUMASK_HEX_MAX + 16 bytes). */
static void words(char *buf, const char *first, int n)
{
	size_t len = strlen(first);

	memcpy(buf, first, len);
	for (int i = 0; i < n; i++, len += 9)
		memcpy(buf + len, ",00000000", 9);
	buf[len] = '\0';
}

static void test_hex(void)
{
	static const struct {
		const char *in, *list, *out;
	} ok[] = {
		{ "f", "0-3", "f" },
		{ "ff,00000000", "32-39", "ff,00000000" },
		{ "00000000,0000000c\n", "2-3", "c" },
		{ "0", "", "0" },
		{ "80000000,00000001", "0,63", "80000000,00000001" },
		{ "DEADBEEF", "0-3,5-7,9-13,15-16,18-19,21,23,25-28,30-31", "deadbeef" },
	};
	static const char *bad[] = { "", "\n", ",f", "f,", "f,,f", "g", "123456789", " f", "f ", "-1",
				     "0x1" };
	struct cpumask m;
	char big[CPUMASK_HEX_MAX + 16];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(cpumask_parse_hex(ok[i].in, &m), 0);
		CU_ASSERT_STRING_EQUAL(list_of(&m), ok[i].list);
		CU_ASSERT_STRING_EQUAL(hex_of(&m), ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(cpumask_parse_hex(bad[i], &m), -EINVAL);
	/* 257 words: one bit past the limit. */
	words(big, "1", 256);
	CU_ASSERT_EQUAL(cpumask_parse_hex(big, &m), -ERANGE);
	/* 256 words, the top bit set: CPU 8191. */
	words(big, "80000000", 255);
	CU_ASSERT_EQUAL_FATAL(cpumask_parse_hex(big, &m), 0);
	CU_ASSERT_STRING_EQUAL(list_of(&m), "8191");
}

static void test_set_ops(void)
{
	struct cpumask a, b, c;
	unsigned int cpu, n = 0;

	CU_ASSERT_EQUAL(cpumask_parse_list("0-7", &a), 0);
	CU_ASSERT_EQUAL(cpumask_parse_list("4-11", &b), 0);
	cpumask_and(&c, &a, &b);
	CU_ASSERT_STRING_EQUAL(list_of(&c), "4-7");
	cpumask_or(&c, &a, &b);
	CU_ASSERT_STRING_EQUAL(list_of(&c), "0-11");
	cpumask_andnot(&c, &a, &b);
	CU_ASSERT_STRING_EQUAL(list_of(&c), "0-3");
	cpumask_xor(&c, &a, &b);
	CU_ASSERT_STRING_EQUAL(list_of(&c), "0-3,8-11");
	CU_ASSERT_EQUAL(cpumask_weight(&c), 8);
	CU_ASSERT(cpumask_intersects(&a, &b));
	CU_ASSERT_FALSE(cpumask_is_subset(&a, &b));
	cpumask_and(&c, &a, &b);
	CU_ASSERT(cpumask_is_subset(&c, &a));
	CU_ASSERT_EQUAL(cpumask_first(&b), 4);
	CU_ASSERT_EQUAL(cpumask_nth(&b, 3), 7);
	CU_ASSERT_EQUAL(cpumask_nth(&b, 8), CPUMASK_MAX_CPUS);
	cpumask_for_each_cpu(cpu, &b)
		n += cpu;
	CU_ASSERT_EQUAL(n, 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11);
	cpumask_fill(&c, 70);
	CU_ASSERT_EQUAL(cpumask_weight(&c), 70);
	CU_ASSERT_STRING_EQUAL(list_of(&c), "0-69");
	cpumask_fill(&c, 100000);
	CU_ASSERT_EQUAL(cpumask_weight(&c), CPUMASK_MAX_CPUS);
	cpumask_set(&c, CPUMASK_MAX_CPUS); /* ignored */
	CU_ASSERT_FALSE(cpumask_test(&c, CPUMASK_MAX_CPUS));
	cpumask_zero(&c);
	CU_ASSERT(cpumask_is_empty(&c));
	CU_ASSERT_EQUAL(cpumask_first(&c), CPUMASK_MAX_CPUS);
}

static void test_format_space(void)
{
	struct cpumask m;
	char buf[8];

	CU_ASSERT_EQUAL(cpumask_parse_list("0,2,4,6,8", &m), 0);
	CU_ASSERT_EQUAL(cpumask_format_list(&m, buf, sizeof(buf)), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(cpumask_format_list(&m, buf, 0), -ENOSPC);
	cpumask_fill(&m, 64);
	CU_ASSERT_EQUAL(cpumask_format_hex(&m, buf, sizeof(buf)), -ENOSPC);
}

/* Random masks survive parse(format(m)) in both forms (fixed seed). */
static void test_roundtrip_random(void)
{
	static char lbuf[CPUMASK_LIST_MAX], hbuf[CPUMASK_HEX_MAX];
	unsigned int seed = 12345;

	for (int round = 0; round < 200; round++) {
		struct cpumask m, l, h;
		unsigned int span = 1 + (unsigned int)rand_r(&seed) % CPUMASK_MAX_CPUS;
		unsigned int density = (unsigned int)rand_r(&seed) % 100;

		cpumask_zero(&m);
		for (unsigned int cpu = 0; cpu < span; cpu++)
			if ((unsigned int)rand_r(&seed) % 100 < density)
				cpumask_set(&m, cpu);
		CU_ASSERT_FATAL(cpumask_format_list(&m, lbuf, sizeof(lbuf)) >= 0);
		CU_ASSERT_FATAL(cpumask_format_hex(&m, hbuf, sizeof(hbuf)) >= 0);
		CU_ASSERT_EQUAL_FATAL(cpumask_parse_list(lbuf, &l), 0);
		CU_ASSERT_EQUAL_FATAL(cpumask_parse_hex(hbuf, &h), 0);
		CU_ASSERT(cpumask_equal(&m, &l));
		CU_ASSERT(cpumask_equal(&m, &h));
	}
}

TEST_SUITE(cpumask)
{
	static const struct test_case tests[] = {
		{ "list form: valid", test_list_valid },
		{ "list form: hostile", test_list_hostile },
		{ "hex form", test_hex },
		{ "set operations and iteration", test_set_ops },
		{ "format into small buffers", test_format_space },
		{ "round trip of random masks", test_roundtrip_random },
		{ NULL, NULL },
	};

	return test_add_suite("cpumask", tests);
}
