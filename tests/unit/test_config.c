/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The configuration language against a corpus (tests/data/config):
 * - every valid/X.json and shipped examples/X.json validates with no error;
 * - invalid/X.json yields exactly the problems in invalid/X.err, one per
 *   line as "LINE:COL: [warning: ]at PATH: message", in file order, at
 *   least one of them an error; warn/X.json likewise, with warnings only
 *   (the file is valid). `SCX_REGEN_GOLDEN=1 build/tests/unit-runner -s
 *   config` rewrites the .err files; review the diff before committing it.
 * - every valid config survives model -> JSON -> model unchanged;
 * - the validator is safe on hostile models (the agent's trust boundary).
 * The machine the corpus is checked against: 8 CPUs, 2 nodes, 2 LLCs.
 */
#include <dirent.h>
#include <stdbool.h>
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
	CU_ASSERT(for_each_json(TEST_DATA_DIR "/config/valid", expect_valid) >= 7);
	CU_ASSERT(for_each_json("examples", expect_valid) >= 4);
}

static void expect_golden(const char *path, bool want_errors)
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
	/* An invalid file has an error, a warn/ file none; every problem has a position. */
	if (want_errors != (errors > 0))
		fprintf(stderr, "\n%s: %d errors\n", path, errors);
	CU_ASSERT(want_errors ? errors > 0 : errors == 0);
	CU_ASSERT(out[0] >= '1' && out[0] <= '9');
	CU_ASSERT(strstr(out, "\nat ") == NULL);
	free(want);
	free(out);
	free(text);
}

static void expect_invalid(const char *path)
{
	expect_golden(path, true);
}

static void expect_warnings(const char *path)
{
	expect_golden(path, false);
}

static void test_invalid_corpus(void)
{
	CU_ASSERT(for_each_json(TEST_DATA_DIR "/config/invalid", expect_invalid) >= 75);
}

static void test_warning_corpus(void)
{
	CU_ASSERT(for_each_json(TEST_DATA_DIR "/config/warn", expect_warnings) >= 5);
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
	CU_ASSERT_EQUAL(pbconv_packed_size(a), plen);
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
	CU_ASSERT(for_each_json(TEST_DATA_DIR "/config/valid", expect_roundtrip) >= 7);
	CU_ASSERT(for_each_json(TEST_DATA_DIR "/config/warn", expect_roundtrip) >= 5);
	CU_ASSERT(for_each_json("examples", expect_roundtrip) >= 4);
}

/* Parse text that must parse without errors. */
static struct cfg *parse_ok(const char *text)
{
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;

	CU_ASSERT_EQUAL_FATAL(json_parse_config(text, strlen(text), &c, &d, NULL), 0);
	if (d.nr_errors)
		fprintf(stderr, "\n%s: %s\n", d.v[0].path, d.v[0].msg);
	CU_ASSERT_EQUAL(d.nr_errors, 0);
	cfg_diags_release(&d);
	return c;
}

/* The number of errors of c on topo (flags), and whether one of them is at path. */
static int errors_at(const struct cfg *c, const struct cfg_topo *topo, unsigned int flags, const char *path,
		     bool *ret_found)
{
	struct cfg_diags d = { 0 };
	int r = cfg_validate(c, topo, flags, &d);

	*ret_found = false;
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].severity == CFG_ERROR && path && strcmp(d.v[i].path, path) == 0)
			*ret_found = true;
	cfg_diags_release(&d);
	return r;
}

/*
 * CONFIG.md 10: fine on 2 nodes; on one node rejected by L2 (nodes: [1])
 * when topology awareness is on (2 LLCs), else by L7 (NumaNode 1); with
 * disable_topology the topology is one node and nodes are dropped, so
 * only L7 fails.
 */
static void test_worked_example_topology(void)
{
	struct cfg_topo one = { .nr_cpus = 4, .nr_nodes = 1, .nr_llcs = 1 };
	struct cfg_topo one_2llc = { .nr_cpus = 4, .nr_nodes = 1, .nr_llcs = 2 };
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;
	bool found;
	size_t len;
	char *text = slurp("examples/latency-numa.json", &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL_FATAL(json_parse_config(text, len, &c, &d, NULL), 0);
	CU_ASSERT_EQUAL(cfg_validate(c, &test_topo, 0, &d), 0);
	CU_ASSERT_EQUAL(errors_at(c, &one, 0, "$[1].matches[0][0].NumaNode", &found), 1);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(errors_at(c, &one_2llc, 0, "$[1].kind.Grouped.nodes[0]", &found), 2);
	CU_ASSERT(found);
	c->opts.disable_topology = CFG_TRUE;
	CU_ASSERT_EQUAL(errors_at(c, &test_topo, 0, "$[1].matches[0][0].NumaNode", &found), 1);
	CU_ASSERT(found);
	/* No topology: only what needs none. */
	CU_ASSERT_EQUAL(errors_at(c, NULL, 0, NULL, &found), 0);
	cfg_free(c);
	cfg_diags_release(&d);
	free(text);
}

/* L11 as the reference resolves cpus_range_frac: rounded to whole CPUs of this machine. */
static void test_frac_resolution(void)
{
	struct cfg *c = parse_ok("[{\"name\": \"a\", \"matches\": [[{\"CommPrefix\": \"a\"}]], \"kind\": {\"Confined\": {\"util_range\": [0.1, 0.5], \"cpus_range_frac\": [0.3, 0.2]}}},"
				 " {\"name\": \"b\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]");
	struct cfg_topo eight = { .nr_cpus = 8, .nr_nodes = 1, .nr_llcs = 1 };
	struct cfg_topo hundred = { .nr_cpus = 100, .nr_nodes = 1, .nr_llcs = 1 };
	const char *at = "$[0].kind.Confined.cpus_range_frac";
	bool found;

	/* 8 CPUs: round(2.4) = 2, round(1.6) = 2: accepted, as by the reference. */
	CU_ASSERT_EQUAL(errors_at(c, &eight, 0, at, &found), 0);
	/* 100 CPUs: 30 > 20. Without a CPU count the order alone decides. */
	CU_ASSERT_EQUAL(errors_at(c, &hundred, 0, at, &found), 1);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(errors_at(c, NULL, 0, at, &found), 1);
	CU_ASSERT(found);
	/* Ties to even: 0.3125 x 8 = 2.5 -> 2 and 0.1875 x 8 = 1.5 -> 2. */
	c->layers[0].cpus_range_frac[0] = 0.3125;
	c->layers[0].cpus_range_frac[1] = 0.1875;
	CU_ASSERT_EQUAL(errors_at(c, &eight, 0, at, &found), 0);
	/* [0, 0] is one CPU, not none. */
	c->layers[0].cpus_range_frac[0] = 0;
	c->layers[0].cpus_range_frac[1] = 0;
	CU_ASSERT_EQUAL(errors_at(c, &eight, 0, at, &found), 0);
	cfg_free(c);
}

/* L2/L3 only with topology awareness: off on one node with one LLC, or with disable_topology. */
static void test_topology_awareness(void)
{
	struct cfg *c = parse_ok("[{\"name\": \"a\", \"matches\": [[]], \"kind\": {\"Open\": {\"nodes\": [3, 3], \"llcs\": [9]}}}]");
	struct cfg_topo flat = { .nr_cpus = 4, .nr_nodes = 1, .nr_llcs = 1 };
	bool found;

	CU_ASSERT_EQUAL(errors_at(c, &flat, 0, NULL, &found), 0);
	/* 2 nodes, 2 LLCs: node 3 does not exist and is listed twice, LLC 9 does not exist. */
	CU_ASSERT_EQUAL(errors_at(c, &test_topo, 0, "$[0].kind.Open.nodes[1]", &found), 4);
	CU_ASSERT(found);
	c->opts.disable_topology = CFG_TRUE;
	CU_ASSERT_EQUAL(errors_at(c, &test_topo, 0, NULL, &found), 0);
	/* virt_llc renumbers LLCs: their ids cannot be checked, duplicates still can. */
	c->opts.disable_topology = CFG_UNSET;
	c->opts.has_virt_llc = true;
	c->opts.virt_llc[0] = 2;
	c->opts.virt_llc[1] = 8;
	CU_ASSERT_EQUAL(errors_at(c, &test_topo, 0, "$[0].kind.Open.llcs[0]", &found), 3);
	CU_ASSERT(!found);
	/* No topology: ids unchecked, duplicates still wrong. */
	CU_ASSERT_EQUAL(errors_at(c, NULL, 0, "$[0].kind.Open.nodes[1]", &found), 1);
	CU_ASSERT(found);
	cfg_free(c);
}

/* X7 and X8: warnings for validate, errors for the agent unless it can do them. */
static void test_apply_checks(void)
{
	struct cfg *c = parse_ok("[{\"name\": \"g\", \"matches\": [[{\"UsedGpuPid\": true}]], \"kind\": {\"Grouped\": {\"util_range\": [0.1, 0.5], \"membw_gb\": 4}}},"
				 " {\"name\": \"b\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]");
	bool found;

	CU_ASSERT_EQUAL(errors_at(c, &test_topo, 0, NULL, &found), 0);
	CU_ASSERT_EQUAL(errors_at(c, &test_topo, CFG_VALIDATE_APPLY, "$[0].matches[0][0].UsedGpuPid", &found), 2);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(errors_at(c, &test_topo, CFG_VALIDATE_APPLY, "$[0].kind.Grouped.membw_gb", &found), 2);
	CU_ASSERT(found);
	c->opts.enable_gpu_support = true;
	CU_ASSERT_EQUAL(errors_at(c, &test_topo, CFG_VALIDATE_APPLY | CFG_VALIDATE_MEMBW, NULL, &found), 0);
	CU_ASSERT_EQUAL(errors_at(c, &test_topo, CFG_VALIDATE_STRICT, NULL, &found), 1);    /* membw warning */
	cfg_free(c);
}

/* Templates: one layer per picked cgroup, suffix and name from the relative path, in walk order. */
static void test_template_expansion(void)
{
	static const struct cfg_cgroup tree[] = {
		{ "system.slice/docker-aa.scope", "0-1" },
		{ "system.slice/sshd.service", "0-7" },
		{ "system.slice", "0-7" },
		{ "jobs.slice/job-12.scope", NULL },
		{ "user.slice/user-1000.slice/user@1000.service/app.slice/a-very-long-application-name-that-goes-on.scope",
		  "4" },
	};
	struct cfg *c = parse_ok("[{\"name\": \"c-\", \"template\": {\"CgroupRegex\": \"docker-[0-9a-f]+\\\\.scope$\"},"
				 "   \"matches\": [[{\"CommPrefix\": \"x\"}], []], \"kind\": {\"Open\": {}}},"
				 " {\"name\": \"none-\", \"template\": {\"CgroupSuffix\": \"nothing/\"}, \"matches\": [[{\"NiceAbove\": 0}]], \"kind\": {\"Open\": {}}},"
				 " {\"name\": \"s-\", \"template\": {\"CgroupSuffix\": \".scope\"}, \"matches\": [[{\"NiceBelow\": 0}]], \"kind\": {\"Open\": {}}},"
				 " {\"name\": \"rest\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]");
	struct cfg_diags d = { 0 };
	struct cfg *x = NULL;
	const struct cfg_layer *l;

	CU_ASSERT_EQUAL_FATAL(cfg_expand_templates(c, tree, sizeof(tree) / sizeof(tree[0]), &x, &d), 0);
	CU_ASSERT(x->expanded);
	CU_ASSERT_EQUAL_FATAL(x->nr_layers, 6);
	/* The regex template: one cgroup; T added to every OR block and to the name. */
	l = &x->layers[0];
	CU_ASSERT_STRING_EQUAL(l->name, "c-system.slice/docker-aa.scope/");
	CU_ASSERT_FALSE(l->has_template);
	CU_ASSERT_EQUAL(l->origin, 0);
	CU_ASSERT_STRING_EQUAL(l->cpuset, "0-1");
	CU_ASSERT_EQUAL_FATAL(l->nr_ors, 2);
	CU_ASSERT_EQUAL(l->ors[0].n, 2);
	CU_ASSERT_EQUAL(l->ors[0].m[1].kind, CFG_M_CGROUP_SUFFIX);
	CU_ASSERT_STRING_EQUAL(l->ors[0].m[1].str, "system.slice/docker-aa.scope/");
	CU_ASSERT_EQUAL(l->ors[1].n, 1);
	/* A suffix ending in '/' picks nothing: the spec stays, without its template. */
	l = &x->layers[1];
	CU_ASSERT_STRING_EQUAL(l->name, "none-");
	CU_ASSERT_FALSE(l->has_template);
	CU_ASSERT_EQUAL(l->ors[0].n, 1);
	CU_ASSERT_EQUAL(l->origin, 1);
	/* The suffix template: three cgroups in walk order; T is at most 64 bytes. */
	CU_ASSERT_STRING_EQUAL(x->layers[2].name, "s-system.slice/docker-aa.scope/");
	CU_ASSERT_STRING_EQUAL(x->layers[3].name, "s-jobs.slice/job-12.scope/");
	CU_ASSERT_PTR_NULL(x->layers[3].cpuset);
	l = &x->layers[4];
	CU_ASSERT_EQUAL(l->name_len, 2 + 64);
	CU_ASSERT_STRING_EQUAL(l->ors[0].m[1].str, "rvice/app.slice/a-very-long-application-name-that-goes-on.scope/");
	CU_ASSERT_EQUAL(l->origin, 2);
	CU_ASSERT_EQUAL(x->layers[5].origin, 3);
	/* One warning: the cgroup without cpus. The result validates, with paths of the specs. */
	CU_ASSERT_EQUAL(d.nr_errors, 0);
	CU_ASSERT_EQUAL(d.n, 1);
	CU_ASSERT_EQUAL(cfg_validate(x, &test_topo, 0, &d), 0);
	cfg_free(x);
	cfg_diags_release(&d);

	/* Too many picks: counted, refused without building them all. */
	{
		struct cfg_cgroup many[40];
		char paths[40][32];

		for (int i = 0; i < 40; i++) {
			snprintf(paths[i], sizeof(paths[i]), "batch/job-%d.scope", i);
			many[i].path = paths[i];
			many[i].cpus = "0";
		}
		CU_ASSERT_EQUAL(cfg_expand_templates(c, many, 40, &x, &d), -EINVAL);
		CU_ASSERT_EQUAL(d.nr_errors, 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(d.v[d.n - 1].msg, "43 layers"));
		cfg_diags_release(&d);
		/* Exactly 17: built, and the validator says so at the spec's path. */
		CU_ASSERT_EQUAL_FATAL(cfg_expand_templates(c, many, 14, &x, &d), 0);
		CU_ASSERT_EQUAL(x->nr_layers, 1 + 1 + 14 + 1);
		CU_ASSERT(cfg_validate(x, &test_topo, 0, &d) >= 1);
		cfg_free(x);
		cfg_diags_release(&d);
	}
	cfg_free(c);
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

	/* Counts with no array behind them, and strings that are not UTF-8, are problems, not crashes. */
	{
		struct cfg_layer h;
		struct cfg_and nomatch = { .m = NULL, .n = 3 };
		char bad_utf8[] = "caf\xc3";
		struct cfg one = { 0 };
		bool found = false;

		cfg_options_init(&one.opts);
		one.opts.nr_gpu_probe_symbols = 2;
		cfg_layer_init(&h);
		h.name = bad_utf8;
		h.name_len = strlen(bad_utf8);
		h.kind = CFG_KIND_OPEN;
		h.ors = &nomatch;
		h.nr_ors = 1;
		h.nr_llcs = 4;
		one.layers = &h;
		one.nr_layers = 1;
		CU_ASSERT(cfg_validate(&one, &test_topo, 0, &d) >= 4);
		for (size_t i = 0; i < d.n; i++)
			found = found || (strcmp(d.v[i].path, "$[0].name") == 0 && strstr(d.v[i].msg, "UTF-8"));
		CU_ASSERT(found);
		cfg_diags_release(&d);
		h.ors = NULL;
		CU_ASSERT(cfg_validate(&one, NULL, 0, &d) >= 1);
		cfg_diags_release(&d);
		one.layers = NULL;
		CU_ASSERT(cfg_validate(&one, NULL, 0, &d) >= 1);
		cfg_diags_release(&d);
	}

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
	/* Missing sub-messages (a hand-built request) are refused, not followed. */
	{
		Scxd__V1__AndBlock *holes[1] = { NULL };
		Scxd__V1__Layer *none[1] = { NULL };

		one.n_nodes = 0;
		one.ors = holes;
		one.n_ors = 1;
		CU_ASSERT_EQUAL(pbconv_from_pb(&pb, &c, &d), -EINVAL);
		one.ors = ors;
		pb.layers = none;
		CU_ASSERT_EQUAL(pbconv_from_pb(&pb, &c, &d), -EINVAL);
		pb.layers = layers;
	}
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
		{ "warning corpus against golden messages", test_warning_corpus },
		{ "JSON round trip", test_roundtrip },
		{ "worked example on 2 nodes and 1 node", test_worked_example_topology },
		{ "cpus_range_frac resolved on the machine", test_frac_resolution },
		{ "topology awareness", test_topology_awareness },
		{ "apply-time checks", test_apply_checks },
		{ "template expansion", test_template_expansion },
		{ "hostile model", test_hostile_model },
		{ "hostile protobuf", test_hostile_protobuf },
		{ "strict mode", test_strict },
		{ "normalization", test_normalize },
		{ NULL, NULL },
	};

	return test_add_suite("config", tests);
}
