/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control loop's pure parts (agent/ctl.c): decay, targets, the
 * weighted share, growth orders and the allocation, on fake topologies:
 * one node, two nodes with SMT, several LLCs, offline CPUs, big.LITTLE.
 * The invariants (no CPU in two layers, only allowed CPUs, the open set is
 * the rest) are checked after every step of every scenario.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/ctl.h"
#include "common/err.h"
#include "common/config.h"
#include "common/topology.h"
#include "tests/fakefs.h"
#include "tests/runner.h"

#define MS 1000000ull

static struct topo *load_topo(const char *name)
{
	char root[256], err[256];
	struct topo *t = NULL;

	snprintf(root, sizeof(root), TEST_DATA_DIR "/topo/%s", name);
	CU_ASSERT_EQUAL_FATAL(topo_load(root, &t, err, sizeof(err)), 0);
	return t;
}

/*
 * A machine of nodes x llcs_per_node x cores_per_llc cores with smt
 * threads each, numbered as Linux does (the siblings of core k are k,
 * k + nr_cores, ...). CPUs in `offline` (a list, may be "") are holes.
 */
static struct topo *make_topo(struct fakefs *fs, unsigned int nodes, unsigned int llcs_per_node,
			      unsigned int cores_per_llc, unsigned int smt, const char *offline)
{
	unsigned int nr_cores = nodes * llcs_per_node * cores_per_llc, nr_cpus = nr_cores * smt;
	struct cpumask off, online, m;
	char buf[4096], root[512], err[256];
	struct topo *t = NULL;

	fakefs_init(fs);
	CU_ASSERT_EQUAL_FATAL(cpumask_parse_list(offline, &off), 0);
	cpumask_fill(&online, nr_cpus);
	cpumask_andnot(&online, &online, &off);
	cpumask_format_list(&online, buf, sizeof(buf));
	fakefs_put(fs, buf, "devices/system/cpu/online");
	snprintf(buf, sizeof(buf), "0-%u\n", nr_cpus - 1);
	fakefs_put(fs, buf, "devices/system/cpu/possible");
	snprintf(buf, sizeof(buf), "0-%u\n", nodes - 1);
	fakefs_put(fs, buf, "devices/system/node/online");
	for (unsigned int n = 0; n < nodes; n++) {
		cpumask_zero(&m);
		for (unsigned int c = n * llcs_per_node * cores_per_llc; c < (n + 1) * llcs_per_node * cores_per_llc; c++)
			for (unsigned int th = 0; th < smt; th++)
				cpumask_set(&m, c + th * nr_cores);
		cpumask_and(&m, &m, &online);
		cpumask_format_list(&m, buf, sizeof(buf));
		fakefs_put(fs, buf, "devices/system/node/node%u/cpulist", n);
	}
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		unsigned int core = cpu % nr_cores, llc = core / cores_per_llc;
		struct cpumask sib, shared;

		if (!cpumask_test(&online, cpu))
			continue;
		cpumask_zero(&sib);
		cpumask_zero(&shared);
		for (unsigned int th = 0; th < smt; th++)
			cpumask_set(&sib, core + th * nr_cores);
		for (unsigned int c = llc * cores_per_llc; c < (llc + 1) * cores_per_llc; c++)
			for (unsigned int th = 0; th < smt; th++)
				cpumask_set(&shared, c + th * nr_cores);
		cpumask_and(&sib, &sib, &online);
		cpumask_and(&shared, &shared, &online);
		cpumask_format_list(&sib, buf, sizeof(buf));
		fakefs_put(fs, buf, "devices/system/cpu/cpu%u/topology/thread_siblings_list", cpu);
		fakefs_put(fs, "3\n", "devices/system/cpu/cpu%u/cache/index0/level", cpu);
		fakefs_put(fs, "Unified\n", "devices/system/cpu/cpu%u/cache/index0/type", cpu);
		snprintf(buf, sizeof(buf), "%u\n", llc);
		fakefs_put(fs, buf, "devices/system/cpu/cpu%u/cache/index0/id", cpu);
		cpumask_format_list(&shared, buf, sizeof(buf));
		fakefs_put(fs, buf, "devices/system/cpu/cpu%u/cache/index0/shared_cpu_list", cpu);
	}
	CU_ASSERT_EQUAL_FATAL(topo_load(fakefs_path(fs, root, sizeof(root), ""), &t, err, sizeof(err)), 0);
	return t;
}

static struct cfg *new_cfg(size_t n)
{
	struct cfg *c = calloc(1, sizeof(*c));

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	cfg_options_init(&c->opts);
	c->layers = calloc(n, sizeof(*c->layers));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->layers);
	c->nr_layers = n;
	for (size_t i = 0; i < n; i++) {
		char name[16];

		cfg_layer_init(&c->layers[i]);
		snprintf(name, sizeof(name), "l%zu", i);
		c->layers[i].name = strdup(name);
		c->layers[i].name_len = strlen(name);
		c->layers[i].kind = CFG_KIND_OPEN;
	}
	return c;
}

static void set_confined(struct cfg_layer *l, enum cfg_kind kind, double lo, double hi)
{
	l->kind = kind;
	l->has_util_range = true;
	l->util_range[0] = lo;
	l->util_range[1] = hi;
}

static void set_range(struct cfg_layer *l, uint64_t lo, uint64_t hi)
{
	l->has_cpus_range = true;
	l->cpus_range[0] = lo;
	l->cpus_range[1] = hi;
}

/* The invariants of a plan; returns the number of CPUs the layers own. */
static unsigned int check_plan(const struct ctl *s, const struct topo *t, const struct cfg *c)
{
	struct cpumask all, m;
	unsigned int owned = 0;

	cpumask_zero(&all);
	for (size_t i = 0; i < c->nr_layers; i++) {
		const struct cpumask *lc = ctl_layer_cpus(s, i);

		CU_ASSERT_FALSE(cpumask_intersects(&all, lc));
		CU_ASSERT(cpumask_is_subset(lc, &t->online));
		if (c->layers[i].kind == CFG_KIND_OPEN)
			CU_ASSERT(cpumask_is_empty(lc));
		cpumask_or(&all, &all, lc);
		owned += cpumask_weight(lc);
	}
	cpumask_or(&m, &all, ctl_open_cpus(s));
	CU_ASSERT(cpumask_equal(&m, &t->online));
	CU_ASSERT_FALSE(cpumask_intersects(&all, ctl_open_cpus(s)));
	return owned;
}

static void test_decay(void)
{
	CU_ASSERT_DOUBLE_EQUAL(ctl_decay(0, 1, 100 * MS), 0.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(ctl_decay(1, 0, 200 * MS), 0.25, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(ctl_decay(3, 7, 0), 3, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(ctl_decay(2, 2, 12345 * MS), 2, 1e-9);
	/* Steps add up: two 50 ms steps are one 100 ms step. */
	CU_ASSERT_DOUBLE_EQUAL(ctl_decay(ctl_decay(0, 1, 50 * MS), 1, 50 * MS), 0.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(ctl_peak(4, 1, 1000 * MS, 1000), 2, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(ctl_peak(4, 3, 1000 * MS, 1000), 3, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(ctl_peak(4, 1, 1000 * MS, 0), 1, 1e-9);
}

static void test_cpus_range(void)
{
	struct cfg_layer l;
	unsigned int lo, hi;

	cfg_layer_init(&l);
	l.kind = CFG_KIND_GROUPED;
	ctl_cpus_range(&l, 16, &lo, &hi);
	CU_ASSERT(lo == 0 && hi == 16);
	l.kind = CFG_KIND_CONFINED;
	ctl_cpus_range(&l, 16, &lo, &hi);
	CU_ASSERT(lo == 1 && hi == 16);
	set_range(&l, 2, 100);
	ctl_cpus_range(&l, 16, &lo, &hi);
	CU_ASSERT(lo == 2 && hi == 16);
	l.has_cpus_range = false;
	l.has_cpus_range_frac = true;
	l.cpus_range_frac[0] = 0.5;
	l.cpus_range_frac[1] = 0.5;
	/* 2.5 rounds to even: 2; 0.1 x 5 rounds to 0, raised to 1. */
	ctl_cpus_range(&l, 5, &lo, &hi);
	CU_ASSERT(lo == 2 && hi == 2);
	l.cpus_range_frac[0] = 0.1;
	l.cpus_range_frac[1] = 1.0;
	ctl_cpus_range(&l, 5, &lo, &hi);
	CU_ASSERT(lo == 1 && hi == 5);
	l.kind = CFG_KIND_OPEN;
	ctl_cpus_range(&l, 5, &lo, &hi);
	CU_ASSERT(lo == 0 && hi == 0);
}

static void test_target(void)
{
	struct cfg_layer l;

	cfg_layer_init(&l);
	set_confined(&l, CFG_KIND_GROUPED, 0.5, 0.8);
	/* util 3: band [ceil(3/0.8), floor(3/0.5)] = [4, 6]. */
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 3.0, 0, 0), 4);
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 3.0, 0, 5), 5);
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 3.0, 0, 6), 6);
	/* Above the band: a damped shrink, half the way rounded up: 10 -> 8 -> 7 -> 6. */
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 3.0, 0, 10), 8);
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 3.0, 0, 8), 7);
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 3.0, 0, 7), 6);
	/* A peak keeps CPUs: floor(6/0.5) = 12. */
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 3.0, 6.0, 10), 10);
	/* Noise is no load: from 1 to 0 in one step. */
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 0.005, 0, 1), 0);
	/* The machine is the limit, and cpus_range. */
	CU_ASSERT_EQUAL(ctl_target(&l, 8, 30.0, 0, 0), 8);
	set_range(&l, 2, 3);
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 3.0, 0, 0), 3);
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 0, 0, 3), 2);
	/* lo 0: never gives back. */
	l.has_cpus_range = false;
	l.util_range[0] = 0;
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 1.0, 0, 20), 20);
	/* NaN utilization counts as none. */
	CU_ASSERT_EQUAL(ctl_target(&l, 64, NAN, 0, 0), 0);
	l.kind = CFG_KIND_OPEN;
	CU_ASSERT_EQUAL(ctl_target(&l, 64, 10.0, 0, 0), 0);
}

static void test_share(void)
{
	const unsigned int want1[] = { 2, 3, 0 };
	const unsigned int want2[] = { 100, 100 };
	const unsigned int want3[] = { 1, 100, 100 };
	const unsigned int want4[] = { 5, 5, 5, 5 };
	const uint32_t w1[] = { 100, 100, 100 }, w2[] = { 100, 300 }, w3[] = { 100, 100, 100 };
	const uint32_t w4[] = { 10000, 1, 1, 1 };
	unsigned int r[4];

	ctl_share(3, want1, w1, 10, r);
	CU_ASSERT(r[0] == 2 && r[1] == 3 && r[2] == 0);
	ctl_share(2, want2, w2, 8, r);
	CU_ASSERT(r[0] == 2 && r[1] == 6);
	/* The small want is met in full, the rest split evenly. */
	ctl_share(3, want3, w3, 9, r);
	CU_ASSERT(r[0] == 1 && r[1] == 4 && r[2] == 4);
	/* A heavy layer cannot starve the others: each gets a unit. */
	ctl_share(4, want4, w4, 4, r);
	CU_ASSERT(r[0] == 1 && r[1] == 1 && r[2] == 1 && r[3] == 1);
	ctl_share(4, want4, w4, 8, r);
	CU_ASSERT(r[0] == 5 && r[1] == 1 && r[2] == 1 && r[3] == 1);
	ctl_share(4, want4, w4, 0, r);
	CU_ASSERT(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0);
}

/* Every growth algorithm orders each allowed online CPU exactly once, the same way each time. */
static void test_growth_orders(void)
{
	static const char *const topos[] = { "two_node_smt", "holes", "no_numa", "llc_spans_nodes",
					     "memory_only_node", "minimal" };

	for (size_t ti = 0; ti < ARRAY_SIZE(topos); ti++) {
		struct topo *t = load_topo(topos[ti]);

		for (int g = 0; g < CFG_NR_GROWTH; g++) {
			struct cfg *c = new_cfg(3);
			unsigned int got[512], again[512];
			struct ctl *s, *s2;

			for (size_t i = 0; i < 3; i++) {
				set_confined(&c->layers[i], CFG_KIND_GROUPED, 0.5, 0.8);
				c->layers[i].growth_algo = (enum cfg_growth)g;
			}
			CU_ASSERT_EQUAL_FATAL(ctl_new(t, c, NULL, &s), 0);
			CU_ASSERT_EQUAL_FATAL(ctl_new(t, c, NULL, &s2), 0);
			for (size_t i = 0; i < 3; i++) {
				size_t n = ctl_growth_cpus(s, i, got, 512);
				struct cpumask seen;

				CU_ASSERT_EQUAL(n, t->nr_cpus);
				cpumask_zero(&seen);
				for (size_t k = 0; k < n && k < 512; k++) {
					CU_ASSERT(cpumask_test(&t->online, got[k]));
					CU_ASSERT_FALSE(cpumask_test(&seen, got[k]));
					cpumask_set(&seen, got[k]);
				}
				CU_ASSERT_EQUAL(ctl_growth_cpus(s2, i, again, 512), n);
				CU_ASSERT(memcmp(got, again, n * sizeof(got[0])) == 0);
			}
			check_plan(s, t, c);
			ctl_free(s);
			ctl_free(s2);
			cfg_free(c);
		}
		topo_free(t);
	}
}

/* Two nodes with SMT: whole cores, each layer on its home node. */
static void test_two_nodes_smt(void)
{
	struct topo *t = load_topo("two_node_smt");
	struct cfg *c = new_cfg(3);
	struct ctl_layer_view v;
	struct cpumask node0, node1;
	struct ctl *s;

	node0 = t->nodes[0].cpus;
	node1 = t->nodes[1].cpus;
	set_confined(&c->layers[0], CFG_KIND_CONFINED, 0.5, 0.9);
	set_range(&c->layers[0], 2, 2);
	set_confined(&c->layers[1], CFG_KIND_CONFINED, 0.5, 0.9);
	set_range(&c->layers[1], 2, 2);
	CU_ASSERT_EQUAL_FATAL(ctl_new(t, c, NULL, &s), 0);
	CU_ASSERT_EQUAL(check_plan(s, t, c), 4);
	/* One core each: two SMT siblings, on layer 0's home node 0 and layer 1's home node 1. */
	CU_ASSERT_EQUAL(cpumask_weight(ctl_layer_cpus(s, 0)), 2);
	CU_ASSERT(cpumask_is_subset(ctl_layer_cpus(s, 0), &node0));
	CU_ASSERT(cpumask_is_subset(ctl_layer_cpus(s, 1), &node1));
	for (size_t i = 0; i < 2; i++) {
		unsigned int cpu = cpumask_first(ctl_layer_cpus(s, i));

		CU_ASSERT(cpumask_equal(ctl_layer_cpus(s, i), &t->cores[topo_cpu_core(t, cpu)].cpus));
	}
	ctl_layer_view(s, 0, &v);
	CU_ASSERT_EQUAL(v.target, 2);
	CU_ASSERT_EQUAL(v.nr_cpus, 2);
	CU_ASSERT_EQUAL(cpumask_weight(ctl_open_cpus(s)), 4);
	ctl_free(s);
	/* A target of 3 CPUs is two whole cores; with partial cores, 3 CPUs. */
	set_range(&c->layers[0], 3, 3);
	CU_ASSERT_EQUAL_FATAL(ctl_new(t, c, NULL, &s), 0);
	CU_ASSERT_EQUAL(cpumask_weight(ctl_layer_cpus(s, 0)), 4);
	check_plan(s, t, c);
	ctl_free(s);
	c->opts.allow_partial_core = true;
	CU_ASSERT_EQUAL_FATAL(ctl_new(t, c, NULL, &s), 0);
	CU_ASSERT_EQUAL(cpumask_weight(ctl_layer_cpus(s, 0)), 3);
	check_plan(s, t, c);
	ctl_free(s);
	cfg_free(c);
	topo_free(t);
}

/* Growing with load: the home node first, LLC by LLC; back down, damped, when the load goes. */
static void test_grow_and_shrink(void)
{
	struct fakefs fs;
	struct topo *t = make_topo(&fs, 2, 2, 4, 2, "");  /* 2 nodes x 2 LLCs x 4 cores x 2 = 32 CPUs */
	struct cfg *c = new_cfg(2);
	struct ctl_sample smp[2] = { { 0 } };
	unsigned int prev = 0, steps = 0, n;
	struct ctl_layer_view v;
	struct ctl *s;

	CU_ASSERT_EQUAL_FATAL(t->nr_cpus, 32);
	CU_ASSERT_EQUAL_FATAL(t->nr_llcs, 4);
	set_confined(&c->layers[0], CFG_KIND_CONFINED, 0.5, 0.6);
	CU_ASSERT_EQUAL_FATAL(ctl_new(t, c, NULL, &s), 0);
	/* A Confined layer starts with one CPU's worth: one core. */
	CU_ASSERT_EQUAL(cpumask_weight(ctl_layer_cpus(s, 0)), 2);
	/* 6 CPUs of load: ceil(6 / 0.6) = 10 CPUs = 5 cores, all on node 0, in two LLCs. */
	smp[0].owned = 6.0;
	for (int i = 0; i < 100; i++) {
		ctl_step(s, smp, 100 * MS);
		check_plan(s, t, c);
	}
	ctl_layer_view(s, 0, &v);
	CU_ASSERT_DOUBLE_EQUAL(v.util, 6.0, 0.01);
	CU_ASSERT_EQUAL(v.target, 10);
	n = cpumask_weight(ctl_layer_cpus(s, 0));
	CU_ASSERT_EQUAL(n, 10);
	CU_ASSERT(cpumask_is_subset(ctl_layer_cpus(s, 0), &t->nodes[0].cpus));
	{
		unsigned int llcs = 0;

		for (unsigned int k = 0; k < t->nr_llcs; k++)
			llcs += cpumask_intersects(&t->llcs[k].cpus, ctl_layer_cpus(s, 0));
		CU_ASSERT_EQUAL(llcs, 2);
	}
	/* Steady load: nothing moves. */
	CU_ASSERT_EQUAL(ctl_step(s, smp, 100 * MS), 0);
	/* 14 CPUs of load: 24 CPUs, past node 0's 16: spills to node 1. */
	smp[0].owned = 14.0;
	for (int i = 0; i < 100; i++)
		ctl_step(s, smp, 100 * MS);
	CU_ASSERT_EQUAL(cpumask_weight(ctl_layer_cpus(s, 0)), 24);
	CU_ASSERT(cpumask_is_subset(&t->nodes[0].cpus, ctl_layer_cpus(s, 0)));
	check_plan(s, t, c);
	/* No load: shrinks step by step (never all at once) to its one core. */
	smp[0].owned = 0;
	prev = cpumask_weight(ctl_layer_cpus(s, 0));
	for (; steps < 200 && prev > 2; steps++) {
		ctl_step(s, smp, 100 * MS);
		n = cpumask_weight(ctl_layer_cpus(s, 0));
		CU_ASSERT(n <= prev && n >= prev / 2);
		prev = n;
	}
	CU_ASSERT_EQUAL(prev, 2);
	CU_ASSERT(steps > 3);
	ctl_free(s);
	cfg_free(c);
	topo_free(t);
	fakefs_remove(&fs);
}

/* Two layers that both want the machine share it by weight; Open layers own nothing. */
static void test_contention(void)
{
	struct fakefs fs;
	struct topo *t = make_topo(&fs, 1, 2, 8, 1, "");  /* 16 CPUs, no SMT */
	struct cfg *c = new_cfg(3);
	struct ctl_sample smp[3] = { { 100, 0, 0 }, { 100, 0, 0 }, { 5, 0, 0 } };
	struct ctl *s;

	set_confined(&c->layers[0], CFG_KIND_GROUPED, 0.5, 0.8);
	c->layers[0].weight = 100;
	set_confined(&c->layers[1], CFG_KIND_GROUPED, 0.5, 0.8);
	c->layers[1].weight = 300;
	c->layers[2].weight = 100;
	CU_ASSERT_EQUAL_FATAL(ctl_new(t, c, NULL, &s), 0);
	for (int i = 0; i < 50; i++) {
		ctl_step(s, smp, 100 * MS);
		check_plan(s, t, c);
	}
	CU_ASSERT_EQUAL(cpumask_weight(ctl_layer_cpus(s, 0)), 4);
	CU_ASSERT_EQUAL(cpumask_weight(ctl_layer_cpus(s, 1)), 12);
	CU_ASSERT(cpumask_is_empty(ctl_layer_cpus(s, 2)));
	CU_ASSERT(cpumask_is_empty(ctl_open_cpus(s)));
	ctl_free(s);
	cfg_free(c);
	topo_free(t);
	fakefs_remove(&fs);
}

/* nodes, llcs and NodeSpread: hard limits and strict spread. */
static void test_restrictions(void)
{
	struct fakefs fs;
	struct topo *t = make_topo(&fs, 2, 2, 4, 1, "");  /* 16 CPUs: node 0 = 0-7 (LLC 0, 1), node 1 = 8-15 */
	struct cfg *c = new_cfg(3);
	struct ctl_sample smp[3] = { { 50, 0, 0 }, { 50, 0, 0 }, { 3, 0, 0 } };
	struct cpumask llc3;
	struct ctl *s;

	set_confined(&c->layers[0], CFG_KIND_CONFINED, 0.5, 0.8);
	c->layers[0].nodes = calloc(1, sizeof(uint64_t));
	c->layers[0].nodes[0] = 1;
	c->layers[0].nr_nodes = 1;
	set_confined(&c->layers[1], CFG_KIND_GROUPED, 0.5, 0.8);
	c->layers[1].growth_algo = CFG_GROWTH_TOPO;
	c->layers[1].llcs = calloc(1, sizeof(uint64_t));
	c->layers[1].llcs[0] = 0;
	c->layers[1].nr_llcs = 1;
	set_confined(&c->layers[2], CFG_KIND_GROUPED, 0.5, 0.8);
	c->layers[2].growth_algo = CFG_GROWTH_NODE_SPREAD;
	CU_ASSERT_EQUAL_FATAL(ctl_new(t, c, NULL, &s), 0);
	for (int i = 0; i < 50; i++) {
		ctl_step(s, smp, 100 * MS);
		check_plan(s, t, c);
	}
	/* Layer 0 wants everything but may only have node 1; layer 1 only LLC 0. */
	CU_ASSERT(cpumask_is_subset(ctl_layer_cpus(s, 0), &t->nodes[1].cpus));
	CU_ASSERT(cpumask_is_subset(ctl_layer_cpus(s, 1), &t->llcs[0].cpus));
	CU_ASSERT_EQUAL(cpumask_weight(ctl_layer_cpus(s, 1)), 4);
	/* Layer 2 wants ceil(3 / 0.8) = 4 CPUs, equally on both nodes if it can... */
	{
		unsigned int on0, on1;
		struct cpumask m;

		cpumask_and(&m, ctl_layer_cpus(s, 2), &t->nodes[0].cpus);
		on0 = cpumask_weight(&m);
		cpumask_and(&m, ctl_layer_cpus(s, 2), &t->nodes[1].cpus);
		on1 = cpumask_weight(&m);
		CU_ASSERT_EQUAL(on0, on1);
	}
	ctl_free(s);
	/* Alone, the spread layer gets 2 + 2. */
	c->layers[0].kind = CFG_KIND_OPEN;
	c->layers[1].kind = CFG_KIND_OPEN;
	CU_ASSERT_EQUAL_FATAL(ctl_new(t, c, NULL, &s), 0);
	for (int i = 0; i < 50; i++)
		ctl_step(s, smp, 100 * MS);
	CU_ASSERT_EQUAL(cpumask_weight(ctl_layer_cpus(s, 2)), 4);
	cpumask_and(&llc3, ctl_layer_cpus(s, 2), &t->nodes[1].cpus);
	CU_ASSERT_EQUAL(cpumask_weight(&llc3), 2);
	check_plan(s, t, c);
	ctl_free(s);
	cfg_free(c);
	topo_free(t);
	fakefs_remove(&fs);
}

/* A live update keeps what same-named layers hold; offline CPUs are never handed out. */
static void test_update_and_holes(void)
{
	struct topo *t = load_topo("holes");
	struct cfg *c = new_cfg(2), *c2 = new_cfg(3);
	struct ctl_sample smp[3] = { { 2, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 } };
	struct ctl *s, *s2;
	struct cpumask before;

	set_confined(&c->layers[0], CFG_KIND_CONFINED, 0.5, 0.9);
	set_confined(&c2->layers[1], CFG_KIND_CONFINED, 0.5, 0.9);
	/* c2: a new layer first, then c's l0 renamed to keep its name at index 1. */
	free(c2->layers[1].name);
	c2->layers[1].name = strdup("l0");
	free(c2->layers[0].name);
	c2->layers[0].name = strdup("new");
	c2->layers[0].name_len = 3;
	set_confined(&c2->layers[0], CFG_KIND_GROUPED, 0.5, 0.9);
	CU_ASSERT_EQUAL_FATAL(ctl_new(t, c, NULL, &s), 0);
	for (int i = 0; i < 30; i++)
		ctl_step(s, smp, 100 * MS);
	before = *ctl_layer_cpus(s, 0);
	CU_ASSERT(cpumask_weight(&before) >= 3);
	CU_ASSERT_FALSE(cpumask_test(&before, 2));
	CU_ASSERT_FALSE(cpumask_test(&before, 5));
	CU_ASSERT_EQUAL_FATAL(ctl_new(t, c2, s, &s2), 0);
	CU_ASSERT(cpumask_equal(ctl_layer_cpus(s2, 1), &before));
	check_plan(s2, t, c2);
	ctl_free(s);
	ctl_free(s2);
	cfg_free(c);
	cfg_free(c2);
	topo_free(t);
}

/* Many layers, random loads, every algorithm: the invariants hold at every step (bounded). */
static void test_random_loads(void)
{
	struct fakefs fs;
	struct topo *t = make_topo(&fs, 2, 2, 3, 2, "5,17");
	struct cfg *c = new_cfg(6);
	struct ctl_sample smp[6];
	uint64_t seed = 42;
	struct ctl *s;

	for (size_t i = 0; i < 6; i++) {
		set_confined(&c->layers[i], i % 2 ? CFG_KIND_GROUPED : CFG_KIND_CONFINED, 0.3, 0.7);
		c->layers[i].growth_algo = (enum cfg_growth)((i * 5) % CFG_NR_GROWTH);
		c->layers[i].weight = (uint32_t)(50 + 100 * i);
	}
	c->layers[5].kind = CFG_KIND_OPEN;
	set_range(&c->layers[0], 1, 4);
	CU_ASSERT_EQUAL_FATAL(ctl_new(t, c, NULL, &s), 0);
	for (int step = 0; step < 500; step++) {
		for (size_t i = 0; i < 6; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			smp[i].owned = (double)(seed >> 40) / (double)(1u << 24) * 12.0;
			smp[i].open = 0.5;
			smp[i].load = smp[i].owned;
		}
		ctl_step(s, smp, 100 * MS);
		check_plan(s, t, c);
		CU_ASSERT(cpumask_weight(ctl_layer_cpus(s, 0)) <= 4);
		CU_ASSERT(cpumask_weight(ctl_layer_cpus(s, 0)) >= 1);
	}
	ctl_free(s);
	cfg_free(c);
	topo_free(t);
	fakefs_remove(&fs);
}

static void test_min_allocation(void)
{
	struct topo *t = load_topo("two_node_smt");
	struct cfg *c = new_cfg(3);
	struct cpumask masks[3];

	set_confined(&c->layers[0], CFG_KIND_CONFINED, 0.5, 0.9);
	set_range(&c->layers[0], 1, 1);
	set_confined(&c->layers[1], CFG_KIND_GROUPED, 0.5, 0.9);
	CU_ASSERT_EQUAL(ctl_min_allocation(t, c, masks), 0);
	/* At least one CPU for a Confined layer (a whole core); none for a Grouped one at no load. */
	CU_ASSERT_EQUAL(cpumask_weight(&masks[0]), 2);
	CU_ASSERT(cpumask_test(&masks[0], 0));
	CU_ASSERT(cpumask_is_empty(&masks[1]));
	CU_ASSERT(cpumask_is_empty(&masks[2]));
	cfg_free(c);
	topo_free(t);
}

TEST_SUITE(ctl)
{
	static const struct test_case tests[] = {
		{ "utilization decay and peaks", test_decay },
		{ "cpus_range and cpus_range_frac", test_cpus_range },
		{ "targets: band, hysteresis, damped shrink", test_target },
		{ "weighted share", test_share },
		{ "growth orders cover the allowed CPUs", test_growth_orders },
		{ "two nodes, SMT: whole cores on the home node", test_two_nodes_smt },
		{ "grow LLC by LLC, spill, shrink damped", test_grow_and_shrink },
		{ "contention by weight, Open owns nothing", test_contention },
		{ "nodes, llcs, NodeSpread", test_restrictions },
		{ "live update keeps CPUs; offline CPUs", test_update_and_holes },
		{ "random loads keep the invariants", test_random_loads },
		{ "the allocation at no load", test_min_allocation },
		{ NULL, NULL },
	};

	return test_add_suite("ctl", tests);
}
