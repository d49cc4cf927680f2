/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The configuration language against a corpus (tests/data/config):
 * - every valid/X.json and shipped examples/X.json validates with no error;
 * - invalid/X.json yields exactly the problems in invalid/X.err, one per
 *   line as "LINE:COL: [warning: ]at PATH: message", in file order.
 *   `SCX_REGEN_GOLDEN=1 build/tests/unit-runner -s config` rewrites the .err
 *   files; review the diff before committing it.
 * - every valid config survives model -> JSON -> model unchanged;
 * - the validator is safe on hostile models (the agent's trust boundary).
 * The machine the corpus is checked against: 8 CPUs, 2 nodes, 2 LLCs.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd.h"
#include "client/json.h"
#include "common/config.h"
#include "common/pbconv.h"
#include "tests/runner.h"

static const struct cfg_topo test_topo = { .nr_cpus = 8, .nr_nodes = 2, .nr_llcs = 2 };

/* Parse + validate text; the formatted problems into a new string. */
static char *check_text(const char *text, size_t len, int *ret_errors)
{
	struct json_posmap pm = { 0 };
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;
	struct json_problem *v;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int r;

	r = json_parse_config(text, len, &c, &d, &pm);
	CU_ASSERT(r == 0 || r == -EINVAL);
	if (r == 0) {
		size_t nparse = d.n;

		CU_ASSERT(cfg_validate(c, &test_topo, 0, &d) >= 0);
		json_drop_shadowed(&d, nparse);
	}
	f = open_memstream(&out, &outlen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	v = json_locate_problems(&d, &pm);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	for (size_t i = 0; i < d.n; i++) {
		if (v[i].have)
			fprintf(f, "%u:%u: ", v[i].line, v[i].col);
		fprintf(f, "%sat %s: %s\n", v[i].dg->severity == CFG_ERROR ? "" : "warning: ",
			v[i].dg->path, v[i].dg->msg);
	}
	fclose(f);
	*ret_errors = (int)d.nr_errors;
	free(v);
	cfg_free(c);
	cfg_diags_release(&d);
	json_posmap_release(&pm);
	return out;
}

static char *slurp(const char *path, size_t *len)
{
	char *text = NULL;

	if (ctl_read_file(path, &text, len) < 0)
		return NULL;
	return text;
}

/* Call fn(path) for every *.json in dir; returns how many. */
static int for_each_json(const char *dir, void (*fn)(const char *path))
{
	struct dirent **names;
	int n, count = 0;

	n = scandir(dir, &names, NULL, alphasort);
	CU_ASSERT_FATAL(n >= 0);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);
		char path[512];

		if (l > 5 && strcmp(names[i]->d_name + l - 5, ".json") == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			fn(path);
			count++;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

static void expect_valid(const char *path)
{
	size_t len;
	char *text = slurp(path, &len), *out;
	int errors;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	out = check_text(text, len, &errors);
	if (errors)
		fprintf(stderr, "\n%s: unexpected errors:\n%s", path, out);
	CU_ASSERT_EQUAL(errors, 0);
	free(out);
	free(text);
}

static void test_valid_corpus(void)
{
	CU_ASSERT(for_each_json(TEST_DATA_DIR "/config/valid", expect_valid) >= 3);
	CU_ASSERT(for_each_json("examples", expect_valid) >= 1);
}

static void expect_golden(const char *path)
{
	char golden[512], *text, *out, *want;
	size_t len, wlen;
	int errors;

	snprintf(golden, sizeof(golden), "%.*s.err", (int)(strlen(path) - 5), path);
	text = slurp(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	out = check_text(text, len, &errors);
	if (getenv("SCX_REGEN_GOLDEN")) {
		FILE *f = fopen(golden, "w");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs(out, f);
		fclose(f);
	}
	want = slurp(golden, &wlen);
	if (!want)
		fprintf(stderr, "\n%s: no golden file (SCX_REGEN_GOLDEN=1 makes it)\n", golden);
	CU_ASSERT_PTR_NOT_NULL(want);
	if (want && strcmp(want, out) != 0)
		fprintf(stderr, "\n%s: problems differ\n--- want\n%s--- got\n%s", path, want, out);
	CU_ASSERT(want && strcmp(want, out) == 0);
	/* Every invalid file has at least one error, each with a position. */
	CU_ASSERT(errors > 0);
	CU_ASSERT(out[0] >= '1' && out[0] <= '9');
	free(want);
	free(out);
	free(text);
}

static void test_invalid_corpus(void)
{
	CU_ASSERT(for_each_json(TEST_DATA_DIR "/config/invalid", expect_golden) >= 40);
}

/*
 * JSON -> model -> JSON -> model prints identically, and so does the model
 * after a trip through the protobuf the client sends to the agent.
 */
static void expect_roundtrip(const char *path)
{
	struct cfg_diags d = { 0 };
	struct cfg *a = NULL, *b = NULL, *p = NULL;
	char *text, *ja, *jb, *jp;
	uint8_t *packed;
	size_t len, plen;

	text = slurp(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL_FATAL(json_parse_config(text, len, &a, &d, NULL), 0);
	ja = json_format_config(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ja);
	CU_ASSERT_EQUAL_FATAL(json_parse_config(ja, strlen(ja), &b, &d, NULL), 0);
	CU_ASSERT_EQUAL(d.nr_errors, 0);
	jb = json_format_config(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jb);
	if (strcmp(ja, jb) != 0)
		fprintf(stderr, "\n%s: round trip differs\n%s\n---\n%s\n", path, ja, jb);
	CU_ASSERT_STRING_EQUAL(ja, jb);
	CU_ASSERT_EQUAL(a->nr_layers, b->nr_layers);
	CU_ASSERT_EQUAL(a->object_form, b->object_form);

	CU_ASSERT_EQUAL_FATAL(pbconv_pack(a, &packed, &plen), 0);
	CU_ASSERT_EQUAL_FATAL(pbconv_unpack(packed, plen, &p, &d), 0);
	jp = json_format_config(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jp);
	if (strcmp(ja, jp) != 0)
		fprintf(stderr, "\n%s: protobuf round trip differs\n%s\n---\n%s\n", path, ja, jp);
	CU_ASSERT_STRING_EQUAL(ja, jp);
	free(jp);
	free(packed);
	cfg_free(p);
	free(ja);
	free(jb);
	cfg_free(a);
	cfg_free(b);
	cfg_diags_release(&d);
	free(text);
}

static void test_roundtrip(void)
{
	CU_ASSERT(for_each_json(TEST_DATA_DIR "/config/valid", expect_roundtrip) >= 3);
	CU_ASSERT(for_each_json("examples", expect_roundtrip) >= 1);
}

/* CONFIG.md 10: fine on 2 nodes, rejected on 1 node (L2 and L7). */
static void test_worked_example_topology(void)
{
	struct cfg_topo one = { .nr_cpus = 4, .nr_nodes = 1, .nr_llcs = 1 };
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;
	size_t len;
	char *text = slurp("examples/latency-numa.json", &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL_FATAL(json_parse_config(text, len, &c, &d, NULL), 0);
	CU_ASSERT_EQUAL(cfg_validate(c, &test_topo, 0, &d), 0);
	/* One node and one LLC: topology awareness is off, so only NumaNode 1 fails. */
	CU_ASSERT_EQUAL(cfg_validate(c, &one, 0, &d), 1);
	CU_ASSERT_STRING_EQUAL(d.v[d.n - 1].path, "$[1].matches[0][0].NumaNode");
	cfg_free(c);
	cfg_diags_release(&d);
	free(text);
}

/* The agent validates models nobody parsed: NaN, NUL bytes, absurd counts. */
static void test_hostile_model(void)
{
	struct cfg_diags d = { 0 };
	struct cfg c = { 0 };
	struct cfg_layer l[2];
	struct cfg_match m = { .kind = (enum cfg_match_kind)999 };
	struct cfg_and and = { .m = &m, .n = 1 };
	struct cfg_and empty = { 0 };
	char name[] = "a\0b";
	int r;

	cfg_options_init(&c.opts);
	c.opts.interval = NAN;
	cfg_layer_init(&l[0]);
	cfg_layer_init(&l[1]);
	l[0].name = name;
	l[0].name_len = 3;
	l[0].kind = (enum cfg_kind)7;
	l[0].ors = &and;
	l[0].nr_ors = 1;
	l[0].growth_algo = (enum cfg_growth)99;
	l[0].yield_ignore = NAN;
	l[1].name = name;
	l[1].name_len = 1;
	l[1].kind = CFG_KIND_CONFINED;
	l[1].has_util_range = true;
	l[1].util_range[0] = NAN;
	l[1].util_range[1] = INFINITY;
	l[1].ors = &empty;
	l[1].nr_ors = 1;
	l[1].nr_nodes = 1u << 30; /* nodes is NULL: the count alone must be refused */
	c.layers = l;
	c.nr_layers = 2;
	r = cfg_validate(&c, &test_topo, 0, &d);
	CU_ASSERT(r >= 5);
	cfg_diags_release(&d);

	/* An OR count past the limit is refused without walking the blocks. */
	c.nr_layers = 1;
	l[1].nr_nodes = 0;
	l[1].nr_ors = (size_t)1 << 40;
	c.layers = &l[1];
	r = cfg_validate(&c, NULL, 0, &d);
	CU_ASSERT(r >= 1);
	cfg_diags_release(&d);
}

/* Hostile protobuf: counts past the limits are refused before any copy. */
static void test_hostile_protobuf(void)
{
	static const uint8_t garbage[] = { 0x1a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00 };
	Scxd__V1__Config pb = SCXD__V1__CONFIG__INIT;
	Scxd__V1__Layer *layers[SCX_MAX_LAYERS + 1], one = SCXD__V1__LAYER__INIT;
	Scxd__V1__AndBlock *ors[SCX_MAX_LAYER_MATCH_ORS + 1], blk = SCXD__V1__AND_BLOCK__INIT;
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;

	CU_ASSERT_EQUAL(pbconv_unpack(garbage, sizeof(garbage), &c, &d), -EINVAL);
	CU_ASSERT_PTR_NULL(c);
	for (int i = 0; i <= SCX_MAX_LAYERS; i++)
		layers[i] = &one;
	pb.layers = layers;
	pb.n_layers = SCX_MAX_LAYERS + 1;
	CU_ASSERT_EQUAL(pbconv_from_pb(&pb, &c, &d), -EINVAL);
	for (int i = 0; i <= SCX_MAX_LAYER_MATCH_ORS; i++)
		ors[i] = &blk;
	one.ors = ors;
	one.n_ors = SCX_MAX_LAYER_MATCH_ORS + 1;
	pb.n_layers = 1;
	CU_ASSERT_EQUAL(pbconv_from_pb(&pb, &c, &d), -EINVAL);
	one.n_ors = 1;
	one.n_nodes = 100000;
	CU_ASSERT_EQUAL(pbconv_from_pb(&pb, &c, &d), -EINVAL);
	CU_ASSERT(d.nr_errors >= 4);
	/* Within the limits it decodes; semantics are the validator's. */
	one.n_nodes = 0;
	one.kind = 77;
	CU_ASSERT_EQUAL_FATAL(pbconv_from_pb(&pb, &c, &d), 0);
	CU_ASSERT(cfg_validate(c, NULL, 0, &d) > 0);
	cfg_free(c);
	cfg_diags_release(&d);
}

/* --strict turns warnings into errors. */
static void test_strict(void)
{
	const char *text = "[{\"name\": \"a\", \"bogus\": 1, \"matches\": [[]], \"kind\": {\"Open\": {\"idle_smt\": true}}}]";
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;

	CU_ASSERT_EQUAL_FATAL(json_parse_config(text, strlen(text), &c, &d, NULL), 0);
	CU_ASSERT_EQUAL(d.nr_errors, 0);
	CU_ASSERT_EQUAL(d.n, 1); /* unknown key */
	CU_ASSERT_EQUAL(cfg_validate(c, NULL, 0, &d), 0);
	CU_ASSERT_EQUAL(d.n, 2); /* + deprecated idle_smt */
	CU_ASSERT_EQUAL(cfg_validate(c, NULL, CFG_VALIDATE_STRICT, &d), 1);
	cfg_free(c);
	cfg_diags_release(&d);
}

/* Normalization follows the reference's defaults. */
static void test_normalize(void)
{
	const char *text = "[{\"name\": \"p\", \"matches\": [[{\"CommPrefix\": \"p\"}]], \"kind\": {\"Open\": {\"preempt\": true, \"weight\": 20000}}},"
			   " {\"name\": \"o\", \"matches\": [[]], \"kind\": {\"Open\": {\"slice_us\": 0}}}]";
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;

	CU_ASSERT_EQUAL_FATAL(json_parse_config(text, strlen(text), &c, &d, NULL), 0);
	cfg_normalize(c);
	CU_ASSERT_EQUAL(c->layers[0].weight, 10000);
	CU_ASSERT_EQUAL(c->layers[0].disallow_open_after_us, UINT64_MAX);
	CU_ASSERT_EQUAL(c->layers[1].weight, 100);
	CU_ASSERT_EQUAL(c->layers[1].slice_us, 20000);
	CU_ASSERT_EQUAL(c->layers[1].disallow_open_after_us, 40000);
	CU_ASSERT_EQUAL(c->layers[1].disallow_preempt_after_us, 80000);
	cfg_free(c);
	cfg_diags_release(&d);
}

TEST_SUITE(config)
{
	static const struct test_case tests[] = {
		{ "valid corpus and shipped examples", test_valid_corpus },
		{ "invalid corpus against golden messages", test_invalid_corpus },
		{ "JSON round trip", test_roundtrip },
		{ "worked example on 2 nodes and 1 node", test_worked_example_topology },
		{ "hostile model", test_hostile_model },
		{ "hostile protobuf", test_hostile_protobuf },
		{ "strict mode", test_strict },
		{ "normalization", test_normalize },
		{ NULL, NULL },
	};

	return test_add_suite("config", tests);
}
