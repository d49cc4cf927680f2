/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * agent/cgroups.c: the walk of a cgroup tree (a fake one: plain
 * directories, whose inode numbers stand for cgroup ids) and the answers
 * of cgroup path terms as CONFIG.md 5.2 defines the path.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/cgroups.h"
#include "tests/fakefs.h"
#include "tests/runner.h"

static struct cfg *cfg_with_terms(const struct cfg_match *ms, size_t n)
{
	struct cfg *c = calloc(1, sizeof(*c));

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	cfg_options_init(&c->opts);
	c->layers = calloc(1, sizeof(*c->layers));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->layers);
	c->nr_layers = 1;
	cfg_layer_init(&c->layers[0]);
	c->layers[0].name = strdup("cg");
	c->layers[0].name_len = 2;
	c->layers[0].ors = calloc(n, sizeof(*c->layers[0].ors));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->layers[0].ors);
	c->layers[0].nr_ors = n;
	for (size_t i = 0; i < n; i++) {
		struct cfg_match *m = calloc(1, sizeof(*m));

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		*m = ms[i];
		m->str = strdup(ms[i].str);
		m->len = strlen(ms[i].str);
		c->layers[0].ors[i].m = m;
		c->layers[0].ors[i].n = 1;
	}
	return c;
}

static void test_terms(void)
{
	static const struct cfg_match ms[] = {
		{ .kind = CFG_M_CGROUP_PREFIX, .str = (char *)"system.slice/" },
		{ .kind = CFG_M_CGROUP_SUFFIX, .str = (char *)"sshd.service/" },
		{ .kind = CFG_M_CGROUP_CONTAINS, .str = (char *)"slice/ss" },
		{ .kind = CFG_M_CGROUP_REGEX, .str = (char *)"^/sys/fs/cgroup/user\\.slice/user-[0-9]+" },
		{ .kind = CFG_M_CGROUP_PREFIX, .str = (char *)"system.slice/" }, /* again: same bit */
		{ .kind = CFG_M_CGROUP_PREFIX, .str = (char *)"/" },
		{ .kind = CFG_M_CGROUP_PREFIX, .str = (char *)"system.slice" },
	};
	struct cfg *c = cfg_with_terms(ms, sizeof(ms) / sizeof(ms[0]));
	struct cgroup_terms t;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(cgroup_terms_build(&t, c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(t.n, 6);
	CU_ASSERT_EQUAL(cgroup_terms_find(&t, &c->layers[0].ors[4].m[0]), 0);
	CU_ASSERT_EQUAL(cgroup_terms_find(&t, &c->layers[0].ors[6].m[0]), 5);
	/* "system.slice/sshd.service/": prefix, suffix, contains, and the prefix without '/'. */
	CU_ASSERT_EQUAL(cgroup_terms_bits(&t, "system.slice/sshd.service"), 0x1 | 0x2 | 0x4 | 0x20);
	/* The root is "/". */
	CU_ASSERT_EQUAL(cgroup_terms_bits(&t, ""), 0x10);
	/* "a/b/" vs "a/b": a trailing '/' in the prefix matters. */
	CU_ASSERT_EQUAL(cgroup_terms_bits(&t, "system.slicex"), 0x20);
	/* Regexes search the absolute sysfs path. */
	CU_ASSERT_EQUAL(cgroup_terms_bits(&t, "user.slice/user-1000.slice"), 0x8);
	CU_ASSERT_EQUAL(cgroup_terms_bits(&t, "user.slice/user-x.slice"), 0);
	cgroup_terms_free(&t);
	cfg_free(c);
}

static void test_terms_limits(void)
{
	struct cfg_match ms[SCX_MAX_CGROUP_TERMS + 1];
	char bufs[SCX_MAX_CGROUP_TERMS + 1][16];
	struct cgroup_terms t;
	struct cfg *c;
	char err[256];

	for (size_t i = 0; i <= SCX_MAX_CGROUP_TERMS; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "s%zu/", i);
		ms[i] = (struct cfg_match){ .kind = CFG_M_CGROUP_SUFFIX, .str = bufs[i] };
	}
	c = cfg_with_terms(ms, SCX_MAX_CGROUP_TERMS + 1);
	CU_ASSERT_EQUAL(cgroup_terms_build(&t, c, err, sizeof(err)), -E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 64 distinct cgroup matchers"));
	cgroup_terms_free(&t);
	cfg_free(c);

	ms[0] = (struct cfg_match){ .kind = CFG_M_CGROUP_REGEX, .str = (char *)"(unclosed" };
	c = cfg_with_terms(ms, 1);
	CU_ASSERT_EQUAL(cgroup_terms_build(&t, c, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not compile"));
	cgroup_terms_free(&t);
	cfg_free(c);
}

static size_t find(const struct cgroup_list *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].path, path))
			return i;
	return (size_t)-1;
}

static void test_scan(void)
{
	struct fakefs fs;
	struct cgroup_list l;
	struct cfg_cgroup *tv;
	char root[512], p[600];
	struct stat st;
	size_t a, ab, ntv;

	fakefs_init(&fs);
	fakefs_mkdir(&fs, "cg/a/b");
	fakefs_mkdir(&fs, "cg/c");
	fakefs_put(&fs, "0-3\n", "cg/a/cpuset.cpus.effective");
	fakefs_put(&fs, "\n", "cg/c/cpuset.cpus.effective");
	fakefs_put(&fs, "x", "cg/a/cgroup.procs");
	fakefs_path(&fs, root, sizeof(root), "cg");
	CU_ASSERT_EQUAL_FATAL(cgroups_scan(root, &l), 0);
	CU_ASSERT_EQUAL(l.n, 4);
	CU_ASSERT_STRING_EQUAL(l.v[0].path, "");
	a = find(&l, "a");
	ab = find(&l, "a/b");
	CU_ASSERT_FATAL(a < l.n && ab < l.n && find(&l, "c") < l.n);
	/* Children before their parent. */
	CU_ASSERT(ab < a);
	CU_ASSERT_STRING_EQUAL(l.v[a].cpus, "0-3");
	CU_ASSERT_PTR_NULL(l.v[find(&l, "c")].cpus);
	snprintf(p, sizeof(p), "%s/a/b", root);
	CU_ASSERT_EQUAL_FATAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(l.v[ab].id, (uint64_t)st.st_ino);
	CU_ASSERT(!l.truncated);
	tv = cgroups_for_templates(&l, &ntv);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tv);
	CU_ASSERT_EQUAL(ntv, 3);
	free(tv);
	cgroups_free(&l);
	CU_ASSERT_EQUAL(l.n, 0);

	fakefs_path(&fs, p, sizeof(p), "nonexistent");
	CU_ASSERT_EQUAL(cgroups_scan(p, &l), -ENOENT);
	fakefs_path(&fs, p, sizeof(p), "cg/a/cgroup.procs");
	CU_ASSERT_EQUAL(cgroups_scan(p, &l), -ENOENT);
	fakefs_remove(&fs);
}

static void test_scan_deep(void)
{
	struct fakefs fs;
	struct cgroup_list l;
	char rel[1024] = "cg", root[512];

	fakefs_init(&fs);
	for (int i = 0; i < CGROUPS_MAX_DEPTH + 3; i++)
		strcat(rel, "/d");
	fakefs_mkdir(&fs, "%s", rel);
	fakefs_path(&fs, root, sizeof(root), "cg");
	CU_ASSERT_EQUAL_FATAL(cgroups_scan(root, &l), 0);
	CU_ASSERT(l.truncated);
	CU_ASSERT_EQUAL(l.n, 1 + CGROUPS_MAX_DEPTH);
	cgroups_free(&l);
	fakefs_remove(&fs);
}

TEST_SUITE(cgroups)
{
	static const struct test_case tests[] = {
		{ "cgroup path terms: prefix, suffix, contains, regex, root", test_terms },
		{ "more than 64 terms, a bad regex", test_terms_limits },
		{ "walk: ids, cpusets, order", test_scan },
		{ "walk: depth limit", test_scan_deep },
		{ NULL, NULL },
	};

	return test_add_suite("cgroups", tests);
}
