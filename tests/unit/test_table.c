/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxctl's output helpers: text tables within 80 columns (client/table.c)
 * and the JSON writer of --json documents (client/jsonw.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/jsonw.h"
#include "client/table.h"
#include "tests/runner.h"

/* Print into a string (freed by the caller). */
static char *print_table(const struct tbl *t, unsigned int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	tbl_print(t, f, width);
	fclose(f);
	return buf;
}

static size_t max_line(const char *s)
{
	size_t best = 0;

	while (*s) {
		const char *e = strchr(s, '\n');
		size_t w;
		char line[1024];

		if (!e)
			e = s + strlen(s);
		snprintf(line, sizeof(line), "%.*s", (int)(e - s), s);
		w = tbl_strwidth(line);
		best = w > best ? w : best;
		s = *e ? e + 1 : e;
	}
	return best;
}

static void test_table(void)
{
	static const struct tbl_col cols[] = { { "#", true, 0 }, { "NAME", false, 6 }, { "CPUS", true, 0 },
					       { "LIST", false, 4 } };
	struct tbl *t = tbl_new(cols, 4);
	char *out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	tbl_add(t, "0");
	tbl_add(t, "batch");
	tbl_addf(t, "%u", 12u);
	tbl_add(t, "0-11");
	tbl_add(t, "1");
	tbl_add(t, "a-very-long-layer-name-that-goes-on-and-on-and-on-and-on");
	tbl_add(t, "3");
	tbl_add(t, "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,42");
	out = print_table(t, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "#  NAME"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "0  batch"));
	/* Numbers right-aligned under their heading. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  12  0-11\n"));
	CU_ASSERT(max_line(out) > 80);
	free(out);
	out = print_table(t, 80);
	CU_ASSERT(max_line(out) <= 80);
	/* Cut cells end in '~'; short ones are whole. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "a-very-long"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "~"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "batch"));
	free(out);
	/* Too narrow for the minimums: the minimums win. */
	out = print_table(t, 10);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "a-ver~"));
	free(out);
	tbl_free(t);
	/* UTF-8 counts characters: "é" is one column. */
	CU_ASSERT_EQUAL(tbl_strwidth("caf\xc3\xa9"), 4);
	t = tbl_new(cols, 4);
	tbl_add(t, "0");
	tbl_add(t, "caf\xc3\xa9-caf\xc3\xa9-caf\xc3\xa9");
	tbl_add(t, "1");
	tbl_add(t, "x");
	out = print_table(t, 24);
	CU_ASSERT(max_line(out) <= 24);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "caf\xc3\xa9-c"));
	free(out);
	tbl_free(t);
	tbl_free(NULL);
}

static void test_jsonw(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	jw_begin(&w, f);
	jw_obj(&w, NULL);
	jw_str(&w, "s", "a\"b\\c\nd\x01");
	jw_int(&w, "i", -3);
	jw_uint(&w, "u", 18446744073709551615ull);
	jw_double(&w, "d", 0.5);
	jw_double(&w, "nan", NAN);
	jw_bool(&w, "b", true);
	jw_str(&w, "null", NULL);
	jw_arr(&w, "a");
	jw_int(&w, NULL, 1);
	jw_obj(&w, NULL);
	jw_obj_end(&w);
	jw_arr(&w, NULL);
	jw_arr_end(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf, "{\"s\": \"a\\\"b\\\\c\\nd\\u0001\", \"i\": -3, \"u\": 18446744073709551615, "
				    "\"d\": 0.5, \"nan\": null, \"b\": true, \"null\": null, \"a\": [1, {}, []]}\n");
	free(buf);
}

TEST_SUITE(table)
{
	static const struct test_case tests[] = {
		{ "tables fit the width", test_table },
		{ "JSON writer", test_jsonw },
		{ NULL, NULL },
	};

	return test_add_suite("table", tests);
}
