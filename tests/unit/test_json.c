/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * client/json: the JSON dialect of CONFIG.md 2 (what is refused, and
 * where), positions of values by path, the path scheme, which validator
 * problems a parse error hides, and the printer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/json.h"
#include "common/config.h"
#include "tests/runner.h"

#define OPEN_LAYER "{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {}}}"

struct dialect_case {
	const char *text;
	size_t len;               /* 0: strlen(text) */
	const char *where;        /* "LINE:COL" of the first problem, NULL: accepted */
	const char *msg;          /* a part of its message */
};

static const struct dialect_case dialect[] = {
	/* accepted */
	{ "[" OPEN_LAYER "]", 0, NULL, NULL },
	{ " \t\r\n[" OPEN_LAYER "]\r\n ", 0, NULL, NULL },
	{ "{\"layers\": [" OPEN_LAYER "]}", 0, NULL, NULL },
	{ "{\"options\": {}, \"layers\": [" OPEN_LAYER "]}", 0, NULL, NULL },
	{ "[{\"name\": \"\\u00e9\\ud83d\\ude00\\/\\\"\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, NULL, NULL },
	{ "[{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {\"yield_ignore\": 1E-2, \"xllc_mig_min_us\": -0}}}]", 0,
	  NULL, NULL },
	/* syntax: yajl's refusals */
	{ "", 0, "1:1", "invalid JSON" },
	{ "   ", 0, "1:4", "invalid JSON" },
	{ "[" OPEN_LAYER "] // c", 0, "1:56", "trailing garbage" },
	{ "/* c */ [" OPEN_LAYER "]", 0, "1:1", "comment" },
	{ "[" OPEN_LAYER ",]", 0, "1:55", "unallowed token" },
	{ "[{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {},}}]", 0, "1:53", "invalid object key" },
	{ "\xef\xbb\xbf[" OPEN_LAYER "]", 0, "1:1", "invalid char" },
	{ "[{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {\"yield_ignore\": NaN}}}]", 0, "1:67", "invalid char" },
	{ "[{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {\"yield_ignore\": -Infinity}}}]", 0, "1:68",
	  "after the minus sign" },
	{ "[{'name': \"a\"}]", 0, "1:3", "invalid char" },
	{ "[" OPEN_LAYER "] x", 0, "1:56", "trailing garbage" },
	{ "[" OPEN_LAYER "][]", 0, "1:55", "trailing garbage" },
	{ "[{\"name\": \"a\tb\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:13", "inside string" },
	{ "[{\"name\": \"\\x41\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:12", "occurs before" },
	{ "[{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {\"weight\": +1}}}]", 0, "1:61", "invalid char" },
	{ "[{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {\"yield_ignore\": .5}}}]", 0, "1:67", "invalid char" },
	{ "[{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {\"yield_ignore\": 1.}}}]", 0, "1:69", "after the decimal point" },
	{ "[" OPEN_LAYER, 0, "1:54", "premature EOF" },
	{ "[" OPEN_LAYER "]\0", sizeof("[" OPEN_LAYER "]\0") - 1, "1:55", "invalid" },
	/* what yajl lets through and we do not (strict_scan) */
	{ "[{\"name\": \"\xc0\xaf\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:12", "invalid UTF-8" },
	{ "[{\"name\": \"\xe0\x80\xaf\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:12", "invalid UTF-8" },
	{ "[{\"name\": \"\xed\xbf\xbf\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:12", "invalid UTF-8" },
	{ "[{\"name\": \"\xf4\x90\x80\x80\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:12", "invalid UTF-8" },
	{ "[{\"name\": \"\xf8\x88\x80\x80\x80\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:12",
	  "UTF" },
	{ "[{\"name\": \"ab\xc3\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:14", "UTF" },
	{ "[{\"name\": \"\\udc00\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:12", "surrogate" },
	{ "[{\"name\": \"\\ud800\\u0041\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:12", "surrogate" },
	{ "[{\"name\": \"\\ud800\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:12", "surrogate" },
	{ "\f[" OPEN_LAYER "]", 0, "1:1", "whitespace" },
	{ "[" OPEN_LAYER "]\v", 0, "1:55", "whitespace" },
	/* after parsing: shape and types */
	{ "[" OPEN_LAYER ", " OPEN_LAYER "]", 0, "1:65", "already used" },
	{ "[{\"name\": \"a\", \"name\": \"b\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]", 0, "1:16",
	  "duplicate field `name`" },
	{ "[{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {\"weight\": 1.0}}}]", 0, "1:61",
	  "expected an integer" },
	{ "[{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {\"weight\": 1e3}}}]", 0, "1:61",
	  "expected an integer" },
	{ "[{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {\"fifo\": 1}}}]", 0, "1:59", "boolean" },
	{ "[{\"name\": \"a\", \"matches\": [[]], \"kind\": \"Open\"}]", 0, "1:41", "layer kind" },
	{ OPEN_LAYER, 0, "1:1", "missing field `layers`" },
	{ "\"layers\"", 0, "1:1", "expected an array of layer specs" },
	{ "[]", 0, "1:1", "no layer" },
	{ "{\"layers\": []}", 0, "1:12", "no layer" },
};

static void test_dialect(void)
{
	for (size_t i = 0; i < sizeof(dialect) / sizeof(dialect[0]); i++) {
		const struct dialect_case *t = &dialect[i];
		size_t len = t->len ? t->len : strlen(t->text);
		struct json_posmap pm = { 0 };
		struct cfg_diags d = { 0 };
		struct json_problem *v;
		struct cfg *c = NULL;
		char where[32] = "";
		const char *msg = "";
		int r;

		r = json_parse_config(t->text, len, &c, &d, &pm);
		if (r == 0) {
			size_t nparse = d.n;

			CU_ASSERT(cfg_validate(c, NULL, 0, &d) >= 0);
			json_drop_shadowed(&d, nparse);
		}
		v = json_locate_problems(&d, &pm);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		/* The first error, in file order. */
		for (size_t k = 0; k < d.n; k++)
			if (v[k].dg->severity == CFG_ERROR) {
				snprintf(where, sizeof(where), "%u:%u", v[k].line, v[k].col);
				msg = v[k].dg->msg;
				CU_ASSERT(v[k].have);
				break;
			}
		if (!t->where) {
			if (d.nr_errors)
				fprintf(stderr, "\ncase %zu: unexpected %s: %s\n", i, where, msg);
			CU_ASSERT_EQUAL(d.nr_errors, 0);
		} else {
			if (strcmp(where, t->where) != 0 || !strstr(msg, t->msg))
				fprintf(stderr, "\ncase %zu: want %s '%s', got %s '%s'\n", i, t->where, t->msg, where, msg);
			CU_ASSERT_STRING_EQUAL(where, t->where);
			CU_ASSERT_PTR_NOT_NULL(strstr(msg, t->msg));
		}
		free(v);
		cfg_free(c);
		cfg_diags_release(&d);
		json_posmap_release(&pm);
	}
}

/* Every value's position by its path; a missing one gives its nearest ancestor. */
static void test_positions(void)
{
	const char *text = "{\n"
			   "  \"layers\": [\n"
			   "    {\"name\": \"\xc3\xa9t\xc3\xa9\", \"x.y\": {\"k\\\"\": [1, 2]},\n"
			   "     \"matches\": [[], [{\"NiceAbove\": 5}]],\n"
			   "     \"kind\": {\"Open\": {\"weight\": 7}}}\n"
			   "  ]\n"
			   "}\n";
	static const struct {
		const char *path;
		const char *where;
	} want[] = {
		{ "$", "1:1" },
		{ "$.layers", "2:13" },
		{ "$.layers[0]", "3:5" },
		{ "$.layers[0].name", "3:14" },
		/* bytes, not characters: "été" is 5 bytes */
		{ "$.layers[0][\"x.y\"]", "3:30" },
		{ "$.layers[0][\"x.y\"][\"k\\\"\"]", "3:38" },
		{ "$.layers[0][\"x.y\"][\"k\\\"\"][1]", "3:42" },
		{ "$.layers[0].matches[1][0].NiceAbove", "4:37" },
		{ "$.layers[0].kind.Open.weight", "5:34" },
		/* absent: the nearest ancestor */
		{ "$.layers[0].kind.Open.slice_us", "5:23" },
		{ "$.layers[0].matches[7][3]", "4:17" },
		{ "$.layers[3]", "2:13" },
		{ "$.options.slice_us", "1:1" },
		{ "not a path", "1:1" },
	};
	struct json_posmap pm = { 0 };
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;

	CU_ASSERT_EQUAL_FATAL(json_parse_config(text, strlen(text), &c, &d, &pm), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		unsigned int line, col;
		char where[32];

		CU_ASSERT_EQUAL_FATAL(json_posmap_find(&pm, want[i].path, &line, &col), 0);
		snprintf(where, sizeof(where), "%u:%u", line, col);
		if (strcmp(where, want[i].where) != 0)
			fprintf(stderr, "\n%s: want %s, got %s\n", want[i].path, want[i].where, where);
		CU_ASSERT_STRING_EQUAL(where, want[i].where);
	}
	/* The unknown key's warning uses the quoted path form and points at the key. */
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_STRING_EQUAL(d.v[0].path, "$.layers[0][\"x.y\"]");
	cfg_free(c);
	cfg_diags_release(&d);
	json_posmap_release(&pm);
}

/* A matcher that fails keeps its place: the validator's paths stay those of the file. */
static void test_indices_kept(void)
{
	const char *text = "[{\"name\": \"a\", \"matches\": [[{\"CommPrefix\": 1}, {\"Bogus\": 1}, {\"CommPrefix\": \"0123456789abcdef\"}]],"
			   " \"kind\": {\"Open\": {}}}, " OPEN_LAYER "]";
	struct json_posmap pm = { 0 };
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;
	size_t nparse;

	CU_ASSERT_EQUAL_FATAL(json_parse_config(text, strlen(text), &c, &d, &pm), 0);
	nparse = d.n;
	CU_ASSERT_EQUAL(nparse, 2);
	CU_ASSERT_EQUAL_FATAL(c->layers[0].ors[0].n, 3);
	CU_ASSERT(cfg_validate(c, NULL, 0, &d) > 0);
	json_drop_shadowed(&d, nparse);
	/* the two parse errors, the 16-byte prefix at [0][2], and the duplicate name "a" */
	CU_ASSERT_EQUAL(d.nr_errors, 4);
	CU_ASSERT_STRING_EQUAL(d.v[2].path, "$[0].matches[0][2].CommPrefix");
	cfg_free(c);
	cfg_diags_release(&d);
	json_posmap_release(&pm);
}

/*
 * What a parse error hides: the validator's view of the value left at its
 * default (here: "needs a util_range"), but not the document's own
 * problems (the layer count) nor other layers'.
 */
static void test_shadowing(void)
{
	char text[4096];
	size_t len = 0, nparse;
	struct json_posmap pm = { 0 };
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;
	bool count = false, util = false, other = false;

	len += (size_t)snprintf(text + len, sizeof(text) - len,
				"[{\"name\": \"a\", \"matches\": [[{\"CommPrefix\": \"a\"}]], \"kind\": {\"Confined\": {\"util_range\": \"x\"}}}");
	for (int i = 0; i < 16; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					", {\"name\": \"l%d\", \"matches\": [[{\"CommPrefix\": \"0123456789abcdef\"}]], \"kind\": {\"Open\": {}}}",
					i);
	len += (size_t)snprintf(text + len, sizeof(text) - len, "]");
	CU_ASSERT_EQUAL_FATAL(json_parse_config(text, len, &c, &d, &pm), 0);
	nparse = d.n;
	CU_ASSERT(cfg_validate(c, NULL, 0, &d) > 0);
	json_drop_shadowed(&d, nparse);
	for (size_t i = 0; i < d.n; i++) {
		count = count || strcmp(d.v[i].path, "$") == 0;
		util = util || strcmp(d.v[i].path, "$[0].kind.Confined") == 0;
		other = other || strcmp(d.v[i].path, "$[1].matches[0][0].CommPrefix") == 0;
	}
	CU_ASSERT(count);
	CU_ASSERT(!util);
	CU_ASSERT(other);
	cfg_free(c);
	cfg_diags_release(&d);
	json_posmap_release(&pm);
}

/* Positions of the parser's own problems apply to its diags only, not to another list (cmd_apply). */
static void test_foreign_diags(void)
{
	const char *text = "[{\"name\": \"a\", \"bogus\": 1,\n \"matches\": [[]], \"kind\": {\"Open\": {}}}]";
	struct json_posmap pm = { 0 };
	struct cfg_diags d = { 0 }, remote = { 0 };
	struct json_problem *v;
	struct cfg *c = NULL;

	CU_ASSERT_EQUAL_FATAL(json_parse_config(text, strlen(text), &c, &d, &pm), 0);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_EQUAL(cfg_diag_add(&remote, CFG_ERROR, "$[0].kind", "agent: no"), 0);
	v = json_locate_problems(&remote, &pm);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(v[0].have);
	CU_ASSERT_EQUAL(v[0].line, 2);
	CU_ASSERT_EQUAL(v[0].col, 27);
	free(v);
	v = json_locate_problems(&d, &pm);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v[0].line, 1);
	CU_ASSERT_EQUAL(v[0].col, 16);
	free(v);
	cfg_free(c);
	cfg_diags_release(&d);
	cfg_diags_release(&remote);
	json_posmap_release(&pm);
}

/* The printer: shortest floats, escapes, the object form only when needed, and it reads back. */
static void test_format(void)
{
	const char *text = "[{\"name\": \"q\\\"b\\\\s\\u0001\\u007f\xc3\xa9\", \"matches\": [[{\"NiceAbove\": -3}]],"
			   " \"kind\": {\"Confined\": {\"util_range\": [0.1, 0.30000000000000004], \"weight\": 100}}}, " OPEN_LAYER "]";
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL, *b = NULL;
	char *out, *again;

	CU_ASSERT_EQUAL_FATAL(json_parse_config(text, strlen(text), &c, &d, NULL), 0);
	out = json_format_config(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(out[0], '[');
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"q\\\"b\\\\s\\u0001\\u007f\xc3\xa9\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "[0.1, 0.30000000000000004]"));
	/* 100 is weight's default as written (0 means 100 only after normalization) */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"weight\": 100"));
	CU_ASSERT_EQUAL_FATAL(json_parse_config(out, strlen(out), &b, &d, NULL), 0);
	CU_ASSERT_EQUAL(d.nr_errors, 0);
	again = json_format_config(b);
	CU_ASSERT_STRING_EQUAL(out, again);
	free(out);
	free(again);
	cfg_free(b);
	/* Options that are not the defaults need the object form, whatever the source was. */
	c->opts.netdev_irq_balance = true;
	out = json_format_config(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(out[0], '{');
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"netdev_irq_balance\": true"));
	free(out);
	cfg_free(c);
	cfg_diags_release(&d);
}

/* Text that is not JSON leaves no model; an allocation-free error path. */
static void test_no_model_on_syntax_error(void)
{
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;

	CU_ASSERT_EQUAL(json_parse_config("[", 1, &c, &d, NULL), -EINVAL);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL(d.nr_errors, 1);
	cfg_diags_release(&d);
}

TEST_SUITE(json)
{
	static const struct test_case tests[] = {
		{ "dialect: accepted and refused, with positions", test_dialect },
		{ "positions by path", test_positions },
		{ "failed matchers keep their index", test_indices_kept },
		{ "parse errors hide what they make meaningless", test_shadowing },
		{ "parser positions only for the parser's diags", test_foreign_diags },
		{ "printer", test_format },
		{ "no model on a syntax error", test_no_model_on_syntax_error },
		{ NULL, NULL },
	};

	return test_add_suite("json", tests);
}
