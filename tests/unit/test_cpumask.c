/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPU sets: both text forms on valid and hostile input, the 8192-CPU
 * boundary, buffer sizes (including the longest list form), set
 * operations, and parse(format(m)) == m over random masks.
 */
#include <errno.h>
#include <stdio.h>
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
		{ "0,1", "0-1" },
		{ "007", "7" },
		{ "", "" },
		{ "\n", "" },
		{ "8191", "8191" },
		{ "8190-8191", "8190-8191" },
		{ "0-8191", "0-8191" },
		{ "63-64", "63-64" },
		{ "0-9:2/5", "0-1,5-6" },
		{ "0-15:1/4", "0,4,8,12" },
		{ "0-1023:2/256", "0-1,256-257,512-513,768-769" },
		{ "0-15:4/4", "0-15" },
		{ "2-9:3/4", "2-4,6-8" },
		{ "0-15:1/100000", "0" },
		{ "8190-8191:1/4294967295", "8190" },
	};
	struct cpumask m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = cpumask_parse_list(cases[i].in, &m);

		if (r != 0)
			fprintf(stderr, "\nlist '%s': got %d\n", cases[i].in, r);
		CU_ASSERT_EQUAL_FATAL(r, 0);
		CU_ASSERT_STRING_EQUAL(list_of(&m), cases[i].out);
	}
}

static void test_list_hostile(void)
{
	static const struct {
		const char *in;
		int err;
	} cases[] = {
		{ " ", -EINVAL },
		{ " 1", -EINVAL },
		{ "1 ", -EINVAL },
		{ "1,", -EINVAL },
		{ ",1", -EINVAL },
		{ "1,,2", -EINVAL },
		{ ",", -EINVAL },
		{ ",\n", -EINVAL },
		{ "\n\n", -EINVAL },
		{ "3-1", -EINVAL },
		{ "-1", -EINVAL },
		{ "+1", -EINVAL },
		{ "1-", -EINVAL },
		{ "-", -EINVAL },
		{ "1--2", -EINVAL },
		{ "1,-2", -EINVAL },
		{ "a", -EINVAL },
		{ "0x1", -EINVAL },
		{ "1\n\n", -EINVAL },
		{ "1\n2", -EINVAL },
		{ "1-2-3", -EINVAL },
		{ "1\r\n", -EINVAL },
		{ "1\t", -EINVAL },
		{ "\t1", -EINVAL },
		{ "1 ,2", -EINVAL },
		{ "1, 2", -EINVAL },
		{ "1;2", -EINVAL },
		{ "1.5", -EINVAL },
		{ "N", -EINVAL },
		{ "0-N", -EINVAL },
		{ "all", -EINVAL },
		{ "(null)", -EINVAL },
		{ "\xd9\xa3", -EINVAL },
		{ "8192", -ERANGE },
		{ "0-8192", -ERANGE },
		{ "8192-8193", -ERANGE },
		{ "99999999999999999999", -ERANGE },
		{ "0-99999999999999999999999999999999", -ERANGE },
		{ "0-9:0/4", -EINVAL },
		{ "0-9:5/4", -EINVAL },
		{ "0-9:1", -EINVAL },
		{ "0-9:1/0", -EINVAL },
		{ "0-9:/4", -EINVAL },
		{ "0-9:1/", -EINVAL },
		{ "0-9:", -EINVAL },
		{ "1:1/2", -EINVAL },
		{ "0-9:1/2/3", -EINVAL },
		{ "0-9:-1/2", -EINVAL },
		{ "0-9:1/4294967296", -ERANGE },
		{ "0-9:4294967296/4294967297", -ERANGE },
	};
	struct cpumask m;

	cpumask_zero(&m);
	cpumask_set(&m, 7);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = cpumask_parse_list(cases[i].in, &m);

		if (r != cases[i].err)
			fprintf(stderr, "\nlist '%s': got %d, want %d\n", cases[i].in, r,
				cases[i].err);
		CU_ASSERT_EQUAL(r, cases[i].err);
	}
	CU_ASSERT_EQUAL(cpumask_parse_list(NULL, &m), -EINVAL);
	/* Failed parses leave the output alone. */
	CU_ASSERT_STRING_EQUAL(list_of(&m), "7");
}

/* "a-b:used/group" against the kernel's definition, one CPU at a time. */
static void check_stride(unsigned int a, unsigned int b, unsigned int used, unsigned int group)
{
	struct cpumask got, want;
	char text[64];

	snprintf(text, sizeof(text), "%u-%u:%u/%u", a, b, used, group);
	cpumask_zero(&want);
	for (unsigned int cpu = a; cpu <= b; cpu++)
		if ((cpu - a) % group < used)
			cpumask_set(&want, cpu);
	CU_ASSERT_EQUAL_FATAL(cpumask_parse_list(text, &got), 0);
	if (!cpumask_equal(&got, &want))
		fprintf(stderr, "\nstride '%s': got %s\n", text, list_of(&got));
	CU_ASSERT(cpumask_equal(&got, &want));
}

static void test_list_strides(void)
{
	static const unsigned int groups[] = { 1,  2,	3,   5,	  7,   31,   32,   33,	 63,	64,
					       65, 100, 127, 128, 129, 4096, 8191, 8192, 100000 };
	static const unsigned int ends[][2] = { { 0, 8191 }, { 1, 8190 }, { 63, 64 },
						{ 64, 127 }, { 60, 200 }, { 8191, 8191 },
						{ 0, 0 } };
	unsigned int seed = 4242;

	for (size_t e = 0; e < sizeof(ends) / sizeof(ends[0]); e++)
		for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
			unsigned int group = groups[g];

			check_stride(ends[e][0], ends[e][1], 1, group);
			check_stride(ends[e][0], ends[e][1], group, group);
			if (group > 2)
				check_stride(ends[e][0], ends[e][1], group / 2 + 1, group);
		}
	for (int round = 0; round < 2000; round++) {
		unsigned int a = (unsigned int)rand_r(&seed) % CPUMASK_MAX_CPUS;
		unsigned int b = a + (unsigned int)rand_r(&seed) % (CPUMASK_MAX_CPUS - a);
		unsigned int group = 1 + (unsigned int)rand_r(&seed) % (round % 2 ? 70 : 300);
		unsigned int used = 1 + (unsigned int)rand_r(&seed) % group;

		check_stride(a, b, used, group);
	}
}

/* Long input: correct, and a bounded number of word operations per item. */
static void test_list_huge(void)
{
	static const char item[] = "0-8191:1/2,";
	size_t n = 100000, len = n * (sizeof(item) - 1);
	char *s = malloc(len + 1);
	struct cpumask m, want;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * (sizeof(item) - 1), item, sizeof(item) - 1);
	s[len - 1] = '\0'; /* no trailing comma */
	CU_ASSERT_EQUAL(cpumask_parse_list(s, &m), 0);
	cpumask_zero(&want);
	for (unsigned int cpu = 0; cpu < CPUMASK_MAX_CPUS; cpu += 2)
		cpumask_set(&want, cpu);
	CU_ASSERT(cpumask_equal(&m, &want));
	/* The same with a trailing comma, and a megabyte of digits. */
	s[len - 1] = ',';
	s[len] = '\0';
	CU_ASSERT_EQUAL(cpumask_parse_list(s, &m), -EINVAL);
	memset(s, '9', len);
	CU_ASSERT_EQUAL(cpumask_parse_list(s, &m), -ERANGE);
	memset(s, '0', len);
	CU_ASSERT_EQUAL(cpumask_parse_list(s, &m), 0);
	CU_ASSERT_STRING_EQUAL(list_of(&m), "0");
	free(s);
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
		{ "00000000,00000000", "", "0" },
		{ "0,0,0", "", "0" },
		{ "1,1", "0,32", "1,00000001" },
		{ "80000000,00000001", "0,63", "80000000,00000001" },
		{ "DEADBEEF", "0-3,5-7,9-13,15-16,18-19,21,23,25-28,30-31", "deadbeef" },
		{ "ffffffff,ffffffff", "0-63", "ffffffff,ffffffff" },
	};
	static const char *bad[] = { "",	   "\n",    ",f",    "f,",    "f,,f", "g",
				     "123456789",  " f",    "f ",    "-1",    "0x1",  "+f",
				     "f,\n",	   "f\n\n", "f\r\n", ",",     "f;f",  "0,0x1",
				     "f,0000000g", "f, 1",  "f\t",   "(null)" };
	struct cpumask m;
	char big[CPUMASK_HEX_MAX + 16];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(cpumask_parse_hex(ok[i].in, &m), 0);
		CU_ASSERT_STRING_EQUAL(list_of(&m), ok[i].list);
		CU_ASSERT_STRING_EQUAL(hex_of(&m), ok[i].out);
	}
	cpumask_zero(&m);
	cpumask_set(&m, 9);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = cpumask_parse_hex(bad[i], &m);

		if (r != -EINVAL)
			fprintf(stderr, "\nhex '%s': got %d\n", bad[i], r);
		CU_ASSERT_EQUAL(r, -EINVAL);
	}
	CU_ASSERT_EQUAL(cpumask_parse_hex(NULL, &m), -EINVAL);
	CU_ASSERT_STRING_EQUAL(list_of(&m), "9");
	/* 257 words: one bit past the limit. */
	words(big, "1", 256);
	CU_ASSERT_EQUAL(cpumask_parse_hex(big, &m), -ERANGE);
	/* 256 words, the top bit set: CPU 8191, and back to the same text. */
	words(big, "80000000", 255);
	CU_ASSERT_EQUAL_FATAL(cpumask_parse_hex(big, &m), 0);
	CU_ASSERT_STRING_EQUAL(list_of(&m), "8191");
	CU_ASSERT_STRING_EQUAL(hex_of(&m), big);
	CU_ASSERT_EQUAL(strlen(big) + 1, CPUMASK_HEX_MAX);
	/* Leading zero words are harmless, however many. */
	words(big, "0", 256);
	big[strlen(big) - 1] = '1';
	CU_ASSERT_EQUAL_FATAL(cpumask_parse_hex(big, &m), 0);
	CU_ASSERT_STRING_EQUAL(list_of(&m), "0");
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
	CU_ASSERT_FALSE(cpumask_equal(&a, &b));
	/* dst may alias an operand. */
	c = a;
	cpumask_or(&c, &c, &b);
	CU_ASSERT_STRING_EQUAL(list_of(&c), "0-11");
	cpumask_andnot(&c, &c, &c);
	CU_ASSERT(cpumask_is_empty(&c));
	CU_ASSERT(cpumask_is_subset(&c, &a));
	CU_ASSERT_FALSE(cpumask_intersects(&c, &a));

	CU_ASSERT_EQUAL(cpumask_first(&b), 4);
	CU_ASSERT_EQUAL(cpumask_last(&b), 11);
	CU_ASSERT_EQUAL(cpumask_next(&b, 5), 5);
	CU_ASSERT_EQUAL(cpumask_next(&b, 12), CPUMASK_MAX_CPUS);
	CU_ASSERT_EQUAL(cpumask_next(&b, CPUMASK_MAX_CPUS + 5), CPUMASK_MAX_CPUS);
	CU_ASSERT_EQUAL(cpumask_nth(&b, 0), 4);
	CU_ASSERT_EQUAL(cpumask_nth(&b, 3), 7);
	CU_ASSERT_EQUAL(cpumask_nth(&b, 7), 11);
	CU_ASSERT_EQUAL(cpumask_nth(&b, 8), CPUMASK_MAX_CPUS);
	cpumask_for_each_cpu(cpu, &b)
		n += cpu;
	CU_ASSERT_EQUAL(n, 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11);

	cpumask_fill(&c, 0);
	CU_ASSERT(cpumask_is_empty(&c));
	CU_ASSERT_EQUAL(cpumask_first(&c), CPUMASK_MAX_CPUS);
	CU_ASSERT_EQUAL(cpumask_last(&c), CPUMASK_MAX_CPUS);
	cpumask_fill(&c, 64);
	CU_ASSERT_STRING_EQUAL(list_of(&c), "0-63");
	cpumask_fill(&c, 70);
	CU_ASSERT_EQUAL(cpumask_weight(&c), 70);
	CU_ASSERT_STRING_EQUAL(list_of(&c), "0-69");
	cpumask_fill(&c, 100000);
	CU_ASSERT_EQUAL(cpumask_weight(&c), CPUMASK_MAX_CPUS);
	CU_ASSERT_EQUAL(cpumask_last(&c), CPUMASK_MAX_CPUS - 1);
	CU_ASSERT_EQUAL(cpumask_nth(&c, CPUMASK_MAX_CPUS - 1), CPUMASK_MAX_CPUS - 1);
	cpumask_set(&c, CPUMASK_MAX_CPUS); /* ignored */
	CU_ASSERT_FALSE(cpumask_test(&c, CPUMASK_MAX_CPUS));
	cpumask_clear(&c, CPUMASK_MAX_CPUS - 1);
	CU_ASSERT_EQUAL(cpumask_last(&c), CPUMASK_MAX_CPUS - 2);
	cpumask_zero(&c);
	CU_ASSERT(cpumask_is_empty(&c));

	/* Ranges across word boundaries, and clamped ones. */
	cpumask_set_range(&c, 60, 130);
	CU_ASSERT_STRING_EQUAL(list_of(&c), "60-130");
	cpumask_set_range(&c, 200, 100);
	CU_ASSERT_EQUAL(cpumask_weight(&c), 71);
	cpumask_set_range(&c, 8190, 100000);
	CU_ASSERT_STRING_EQUAL(list_of(&c), "60-130,8190-8191");
	cpumask_set_range(&c, 9000, 9001);
	CU_ASSERT_EQUAL(cpumask_weight(&c), 73);
	cpumask_zero(&c);
	cpumask_set_range(&c, 64, 127);
	CU_ASSERT_STRING_EQUAL(hex_of(&c), "ffffffff,ffffffff,00000000,00000000");
}

static void test_format_space(void)
{
	struct cpumask m;
	char buf[32];
	int len;

	CU_ASSERT_EQUAL(cpumask_parse_list("0,2,4,6,8", &m), 0);
	CU_ASSERT_EQUAL(cpumask_format_list(&m, buf, 8), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(cpumask_format_list(&m, buf, 0), -ENOSPC);
	/* Exactly enough room for the text and its NUL, and one byte less. */
	CU_ASSERT_EQUAL(cpumask_format_list(&m, buf, 10), 9);
	CU_ASSERT_STRING_EQUAL(buf, "0,2,4,6,8");
	CU_ASSERT_EQUAL(cpumask_format_list(&m, buf, 9), -ENOSPC);
	cpumask_fill(&m, 64);
	len = cpumask_format_hex(&m, buf, sizeof(buf));
	CU_ASSERT_EQUAL(len, 17);
	CU_ASSERT_EQUAL(cpumask_format_hex(&m, buf, 18), 17);
	CU_ASSERT_EQUAL(cpumask_format_hex(&m, buf, 17), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(cpumask_format_hex(&m, buf, 0), -ENOSPC);
	cpumask_zero(&m);
	CU_ASSERT_EQUAL(cpumask_format_list(&m, buf, 1), 0);
	CU_ASSERT_EQUAL(cpumask_format_hex(&m, buf, 2), 1);
	CU_ASSERT_EQUAL(cpumask_format_hex(&m, buf, 1), -ENOSPC);
}

/*
 * The longest list form, runs of two with one-CPU holes, fits
 * CPUMASK_LIST_MAX; every other CPU and every CPU fit too. (The bound
 * was once computed for every other CPU, which is shorter.)
 */
static void test_longest_list(void)
{
	static char buf[CPUMASK_LIST_MAX];

	for (unsigned int shape = 0; shape < 5; shape++) {
		struct cpumask m, back;
		char *dup;
		int len;

		cpumask_zero(&m);
		for (unsigned int cpu = 0; cpu < CPUMASK_MAX_CPUS; cpu++)
			if (shape < 3 ? (cpu + shape) % 3 != 2 : shape == 3 ? cpu % 2 == 0 : true)
				cpumask_set(&m, cpu);
		len = cpumask_format_list(&m, buf, sizeof(buf));
		CU_ASSERT_FATAL(len > 0);
		CU_ASSERT((size_t)len < sizeof(buf));
		CU_ASSERT_EQUAL(cpumask_parse_list(buf, &back), 0);
		CU_ASSERT(cpumask_equal(&m, &back));
		dup = cpumask_format_list_alloc(&m);
		CU_ASSERT_PTR_NOT_NULL_FATAL(dup);
		CU_ASSERT_STRING_EQUAL(dup, buf);
		free(dup);
	}
	/* The empty set allocates "". */
	{
		struct cpumask m;
		char *dup;

		cpumask_zero(&m);
		dup = cpumask_format_list_alloc(&m);
		CU_ASSERT_PTR_NOT_NULL_FATAL(dup);
		CU_ASSERT_STRING_EQUAL(dup, "");
		free(dup);
	}
}

/* Random masks survive parse(format(m)) in both forms (fixed seed). */
static void test_roundtrip_random(void)
{
	static char lbuf[CPUMASK_LIST_MAX], hbuf[CPUMASK_HEX_MAX];
	unsigned int seed = 12345;

	for (int round = 0; round < 300; round++) {
		struct cpumask m, l, h;
		unsigned int span = 1 + (unsigned int)rand_r(&seed) % CPUMASK_MAX_CPUS;
		unsigned int density = (unsigned int)rand_r(&seed) % 101;
		unsigned int weight = 0;
		size_t len;

		cpumask_zero(&m);
		for (unsigned int cpu = 0; cpu < span; cpu++)
			if ((unsigned int)rand_r(&seed) % 100 < density) {
				cpumask_set(&m, cpu);
				weight++;
			}
		CU_ASSERT_EQUAL(cpumask_weight(&m), weight);
		CU_ASSERT_FATAL(cpumask_format_list(&m, lbuf, sizeof(lbuf)) >= 0);
		CU_ASSERT_FATAL(cpumask_format_hex(&m, hbuf, sizeof(hbuf)) >= 0);
		CU_ASSERT_EQUAL_FATAL(cpumask_parse_list(lbuf, &l), 0);
		CU_ASSERT_EQUAL_FATAL(cpumask_parse_hex(hbuf, &h), 0);
		CU_ASSERT(cpumask_equal(&m, &l));
		CU_ASSERT(cpumask_equal(&m, &h));
		/* As sysfs prints them: with a newline (random masks leave room for it). */
		len = strlen(lbuf);
		CU_ASSERT_FATAL(len + 1 < sizeof(lbuf));
		memcpy(lbuf + len, "\n", 2);
		CU_ASSERT_EQUAL(cpumask_parse_list(lbuf, &l), 0);
		CU_ASSERT(cpumask_equal(&m, &l));
	}
}

TEST_SUITE(cpumask)
{
	static const struct test_case tests[] = {
		{ "list form: valid", test_list_valid },
		{ "list form: hostile", test_list_hostile },
		{ "list form: strides", test_list_strides },
		{ "list form: huge input", test_list_huge },
		{ "hex form", test_hex },
		{ "set operations and iteration", test_set_ops },
		{ "format into small buffers", test_format_space },
		{ "longest list form fits CPUMASK_LIST_MAX", test_longest_list },
		{ "round trip of random masks", test_roundtrip_random },
		{ NULL, NULL },
	};

	return test_add_suite("cpumask", tests);
}
