/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Topology from the fake sysfs trees in tests/data/topo (see its README):
 * a 2-node SMT machine with 2 LLCs, holes (offline CPUs), a memory-only
 * node, no node directory, an LLC across nodes, isolated and nohz_full
 * CPUs, broken trees that must fail naming the file, and hostile variants
 * made by rewriting one file of a copy. Then the live /sys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/topology.h"
#include "tests/fakefs.h"
#include "tests/runner.h"

#define TOPO_DATA TEST_DATA_DIR "/topo"
#define CPU	  "devices/system/cpu/"
#define NODE	  "devices/system/node/"

static const char *list(const struct cpumask *m)
{
	static char buf[256];

	CU_ASSERT(cpumask_format_list(m, buf, sizeof(buf)) >= 0);
	return buf;
}

static const char *summary(const struct topo *t)
{
	static char buf[TOPO_SUMMARY_MAX];

	topo_format_summary(t, buf, sizeof(buf));
	return buf;
}

static struct topo *load_root(const char *root)
{
	struct topo *t = NULL;
	char err[256] = "";
	int r;

	r = topo_load(root, &t, err, sizeof(err));
	if (r != 0)
		fprintf(stderr, "\n%s: %d '%s'\n", root, r, err);
	CU_ASSERT_EQUAL_FATAL(r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

static struct topo *load_tree(const char *tree)
{
	char root[256];

	snprintf(root, sizeof(root), TOPO_DATA "/%s", tree);
	return load_root(root);
}

/* Every online CPU is in exactly the core, LLC and node that say they hold it. */
static void check_consistent(const struct topo *t)
{
	struct cpumask cores, llcs, nodes;
	unsigned int cpu;

	cpumask_zero(&cores);
	cpumask_zero(&llcs);
	cpumask_zero(&nodes);
	for (unsigned int i = 0; i < t->nr_cores; i++) {
		CU_ASSERT_EQUAL(t->cores[i].id, i);
		CU_ASSERT_FALSE(cpumask_intersects(&cores, &t->cores[i].cpus));
		cpumask_or(&cores, &cores, &t->cores[i].cpus);
	}
	for (unsigned int i = 0; i < t->nr_llcs; i++) {
		CU_ASSERT_EQUAL(t->llcs[i].id, i);
		CU_ASSERT_FALSE(cpumask_intersects(&llcs, &t->llcs[i].cpus));
		cpumask_or(&llcs, &llcs, &t->llcs[i].cpus);
		cpumask_for_each_cpu(cpu, &t->llcs[i].cpus)
			CU_ASSERT_EQUAL(t->cpus[cpu].node, t->llcs[i].node);
	}
	for (unsigned int i = 0; i < t->nr_nodes; i++) {
		CU_ASSERT(i == 0 || t->nodes[i - 1].id < t->nodes[i].id);
		CU_ASSERT_FALSE(cpumask_intersects(&nodes, &t->nodes[i].cpus));
		cpumask_or(&nodes, &nodes, &t->nodes[i].cpus);
	}
	CU_ASSERT(cpumask_equal(&cores, &t->online));
	CU_ASSERT(cpumask_equal(&llcs, &t->online));
	CU_ASSERT(cpumask_equal(&nodes, &t->online));
	CU_ASSERT_EQUAL(cpumask_weight(&t->online), t->nr_cpus);
	CU_ASSERT_EQUAL(cpumask_last(&t->online) + 1, t->nr_cpu_ids);
	for (cpu = 0; cpu < t->nr_cpu_ids; cpu++) {
		const struct topo_cpu *c = &t->cpus[cpu];

		CU_ASSERT_EQUAL(c->online, cpumask_test(&t->online, cpu));
		if (!c->online) {
			CU_ASSERT(c->core == -1 && c->llc == -1 && c->node == -1);
			continue;
		}
		CU_ASSERT(cpumask_test(&t->cores[c->core].cpus, cpu));
		CU_ASSERT(cpumask_test(&t->llcs[c->llc].cpus, cpu));
		CU_ASSERT(topo_node_index(t, (unsigned int)c->node) >= 0);
		CU_ASSERT_EQUAL(topo_cpu_core(t, cpu), c->core);
	}
}

static void test_two_node_smt(void)
{
	struct topo *t = load_tree("two_node_smt");

	check_consistent(t);
	CU_ASSERT_EQUAL(t->nr_cpus, 8);
	CU_ASSERT_EQUAL(t->nr_cpu_ids, 8);
	CU_ASSERT_STRING_EQUAL(list(&t->possible), "0-7");
	CU_ASSERT(cpumask_is_empty(&t->isolated));
	CU_ASSERT(cpumask_is_empty(&t->nohz_full));
	/* Cores (i, i+4), numbered by first CPU. */
	CU_ASSERT_EQUAL(t->nr_cores, 4);
	CU_ASSERT(t->smt);
	CU_ASSERT_STRING_EQUAL(list(&t->cores[1].cpus), "1,5");
	CU_ASSERT_EQUAL(t->cores[2].node, 1);
	CU_ASSERT_EQUAL(t->cores[2].llc, 1);
	CU_ASSERT_EQUAL(t->cpus[4].core, t->cpus[0].core);
	CU_ASSERT_NOT_EQUAL(t->cpus[1].core, t->cpus[0].core);
	CU_ASSERT_EQUAL(t->cpus[5].package, 0);
	CU_ASSERT_EQUAL(t->cpus[5].core_id, 1);
	CU_ASSERT_EQUAL(t->cpus[6].package, 1);
	CU_ASSERT_EQUAL(t->cpus[6].core_id, 0);
	CU_ASSERT_EQUAL(t->cpus[6].capacity, 1024);
	/* Nodes. */
	CU_ASSERT_EQUAL(topo_nr_nodes(t), 2);
	CU_ASSERT_STRING_EQUAL(list(&t->nodes[0].cpus), "0-1,4-5");
	CU_ASSERT_STRING_EQUAL(list(&t->nodes[1].cpus), "2-3,6-7");
	CU_ASSERT_EQUAL(t->nodes[0].distance[0], 10);
	CU_ASSERT_EQUAL(t->nodes[0].distance[1], 21);
	CU_ASSERT_EQUAL(t->nodes[1].distance[0], 21);
	CU_ASSERT_EQUAL(t->nodes[1].distance[1], 10);
	CU_ASSERT_EQUAL(t->nodes[0].mem_bytes, 1048576ull * 1024);
	CU_ASSERT_EQUAL(t->nodes[1].mem_bytes, 2097152ull * 1024);
	CU_ASSERT(t->nodes[0].has_memory && t->nodes[1].has_memory);
	/* LLCs: the L3 by its id, not the L1d (level 1) or the L1i. */
	CU_ASSERT_EQUAL(t->nr_llcs, 2);
	CU_ASSERT_STRING_EQUAL(list(&t->llcs[0].cpus), "0-1,4-5");
	CU_ASSERT_STRING_EQUAL(list(&t->llcs[1].cpus), "2-3,6-7");
	CU_ASSERT_EQUAL(t->llcs[1].node, 1);
	CU_ASSERT_EQUAL(t->llcs[1].kernel_id, 1);
	/* Lookups. */
	CU_ASSERT_EQUAL(topo_cpu_node(t, 6), 1);
	CU_ASSERT_EQUAL(topo_cpu_llc(t, 5), 0);
	CU_ASSERT_EQUAL(topo_cpu_core(t, 7), 3);
	CU_ASSERT_EQUAL(topo_cpu_node(t, 8), -1);
	CU_ASSERT_EQUAL(topo_cpu_llc(t, 100000), -1);
	CU_ASSERT_EQUAL(topo_node_index(t, 1), 1);
	CU_ASSERT_EQUAL(topo_node_index(t, 2), -1);
	CU_ASSERT_STRING_EQUAL(
		summary(t), "8 CPUs 0-7, 4 cores SMT, 2 LLCs, 2 nodes [0: 0-1,4-5] [1: 2-3,6-7]");
	topo_free(t);
}

/* CPUs 2 and 5 offline: holes, not errors; their siblings become single-CPU cores. */
static void test_holes(void)
{
	struct topo *t = load_tree("holes");

	check_consistent(t);
	CU_ASSERT_EQUAL(t->nr_cpus, 6);
	CU_ASSERT_EQUAL(t->nr_cpu_ids, 8);
	CU_ASSERT_STRING_EQUAL(list(&t->online), "0-1,3-4,6-7");
	CU_ASSERT_STRING_EQUAL(list(&t->possible), "0-7");
	CU_ASSERT_FALSE(t->cpus[2].online);
	CU_ASSERT_EQUAL(t->cpus[2].node, -1);
	CU_ASSERT_EQUAL(t->cpus[5].llc, -1);
	CU_ASSERT_EQUAL(t->cpus[5].core, -1);
	CU_ASSERT_EQUAL(t->cpus[5].package, -1);
	CU_ASSERT_EQUAL(topo_cpu_node(t, 5), -1);
	/* (0,4) (1) (3,7) (6): cpu1 still lists offline cpu5 as a sibling. */
	CU_ASSERT_EQUAL(t->nr_cores, 4);
	CU_ASSERT(t->smt);
	CU_ASSERT_STRING_EQUAL(list(&t->cores[1].cpus), "1");
	CU_ASSERT_STRING_EQUAL(list(&t->cores[2].cpus), "3,7");
	CU_ASSERT_STRING_EQUAL(list(&t->cores[3].cpus), "6");
	CU_ASSERT_STRING_EQUAL(list(&t->nodes[0].cpus), "0-1,4");
	CU_ASSERT_STRING_EQUAL(list(&t->nodes[1].cpus), "3,6-7");
	CU_ASSERT_EQUAL(t->nodes[1].distance[0], 20);
	CU_ASSERT_EQUAL(t->nodes[0].mem_bytes, 0);
	CU_ASSERT(t->nodes[0].has_memory);
	/* LLCs from shared_cpu_list (no id files). */
	CU_ASSERT_EQUAL(t->nr_llcs, 2);
	CU_ASSERT_STRING_EQUAL(list(&t->llcs[0].cpus), "0-1,4");
	CU_ASSERT_STRING_EQUAL(list(&t->llcs[1].cpus), "3,6-7");
	CU_ASSERT_EQUAL(t->llcs[0].kernel_id, -1);
	topo_free(t);
}

/* Node 1 has memory and no CPU; node 2 has CPUs and no memory. */
static void test_memory_only_node(void)
{
	struct topo *t = load_tree("memory_only_node");

	check_consistent(t);
	CU_ASSERT_EQUAL(t->nr_nodes, 3);
	CU_ASSERT(cpumask_is_empty(&t->nodes[1].cpus));
	CU_ASSERT(t->nodes[1].has_memory);
	CU_ASSERT_EQUAL(t->nodes[1].mem_bytes, 8388608ull * 1024);
	CU_ASSERT_FALSE(t->nodes[2].has_memory);
	CU_ASSERT_EQUAL(t->nodes[2].mem_bytes, 0);
	CU_ASSERT_EQUAL(t->nodes[2].distance[0], 31);
	CU_ASSERT_EQUAL(t->nodes[2].distance[1], 21);
	CU_ASSERT_EQUAL(topo_cpu_node(t, 7), 2);
	CU_ASSERT_EQUAL(topo_node_index(t, 2), 2);
	CU_ASSERT_EQUAL(topo_node_index(t, 3), -1);
	/* No cache information: one LLC per node that has CPUs. */
	CU_ASSERT_EQUAL(t->nr_llcs, 2);
	CU_ASSERT_EQUAL(t->llcs[1].node, 2);
	CU_ASSERT_STRING_EQUAL(list(&t->llcs[1].cpus), "4-7");
	/* No topology files: one core per CPU, package 0. */
	CU_ASSERT_EQUAL(t->nr_cores, 8);
	CU_ASSERT_FALSE(t->smt);
	CU_ASSERT_EQUAL(t->cpus[3].package, 0);
	CU_ASSERT_EQUAL(t->cpus[3].core_id, -1);
	CU_ASSERT_STRING_EQUAL(
		summary(t),
		"8 CPUs 0-7, 8 cores, 2 LLCs, 3 nodes [0: 0-3] [1: memory only] [2: 4-7]");
	topo_free(t);
}

/* No node directory; big.LITTLE with an L2 per cluster as the last level. */
static void test_no_numa(void)
{
	struct topo *t = load_tree("no_numa");

	check_consistent(t);
	CU_ASSERT_EQUAL(t->nr_nodes, 1);
	CU_ASSERT_EQUAL(t->nodes[0].id, 0);
	CU_ASSERT_STRING_EQUAL(list(&t->nodes[0].cpus), "0-3");
	CU_ASSERT_EQUAL(t->nodes[0].distance[0], 10);
	CU_ASSERT(t->nodes[0].has_memory);
	CU_ASSERT_EQUAL(t->nr_llcs, 2);
	CU_ASSERT_STRING_EQUAL(list(&t->llcs[1].cpus), "2-3");
	CU_ASSERT_EQUAL(t->llcs[1].node, 0);
	CU_ASSERT_EQUAL(t->cpus[1].capacity, 1024);
	CU_ASSERT_EQUAL(t->cpus[2].capacity, 446);
	CU_ASSERT_EQUAL(t->nr_cores, 4);
	CU_ASSERT_FALSE(t->smt);
	/* nohz_full reads "(null)". */
	CU_ASSERT(cpumask_is_empty(&t->nohz_full));
	topo_free(t);
}

/* Sub-NUMA clustering: one L3 over two nodes is one LLC per node. */
static void test_llc_spans_nodes(void)
{
	struct topo *t = load_tree("llc_spans_nodes");

	check_consistent(t);
	CU_ASSERT_EQUAL(t->nr_llcs, 2);
	CU_ASSERT_STRING_EQUAL(list(&t->llcs[0].cpus), "0-1");
	CU_ASSERT_STRING_EQUAL(list(&t->llcs[1].cpus), "2-3");
	CU_ASSERT_EQUAL(t->llcs[0].kernel_id, 0);
	CU_ASSERT_EQUAL(t->llcs[1].kernel_id, 0);
	CU_ASSERT_EQUAL(t->llcs[1].node, 1);
	CU_ASSERT_EQUAL(t->nodes[0].distance[1], 11);
	topo_free(t);
}

/* Bare minimum: cpu/online only. One node, one LLC, one core per CPU. */
static void test_minimal(void)
{
	struct topo *t = load_tree("minimal");

	check_consistent(t);
	CU_ASSERT_EQUAL(t->nr_nodes, 1);
	CU_ASSERT_EQUAL(t->nodes[0].id, 0);
	CU_ASSERT_STRING_EQUAL(list(&t->nodes[0].cpus), "0-3");
	CU_ASSERT_EQUAL(t->nodes[0].distance[0], 10);
	CU_ASSERT_EQUAL(t->nodes[0].mem_bytes, 0);
	CU_ASSERT_EQUAL(t->nr_llcs, 1);
	CU_ASSERT_EQUAL(t->llcs[0].kernel_id, -1);
	CU_ASSERT_EQUAL(t->nr_cores, 4);
	CU_ASSERT_FALSE(t->smt);
	CU_ASSERT_STRING_EQUAL(list(&t->possible), "0-3");
	CU_ASSERT_EQUAL(t->cpus[0].capacity, 1024);
	topo_free(t);
}

static void test_isolated_nohz(void)
{
	struct topo *t = load_tree("isolated_nohz");

	CU_ASSERT_STRING_EQUAL(list(&t->isolated), "2-3");
	CU_ASSERT_STRING_EQUAL(list(&t->nohz_full), "1-3");
	CU_ASSERT_STRING_EQUAL(summary(t), "4 CPUs 0-3, 4 cores, 1 LLCs, 1 nodes [0: 0-3], "
					   "isolated 2-3, nohz_full 1-3");
	topo_free(t);
}

/* Load root expecting err, with want in the message; *ret_topo stays untouched. */
static void expect_fail(const char *root, int err, const char *want)
{
	struct topo sentinel, *t = &sentinel;
	char msg[256];
	int r;

	r = topo_load(root, &t, msg, sizeof(msg));
	if (r != err || !strstr(msg, want))
		fprintf(stderr, "\n%s: got %d '%s', want %d '%s'\n", root ? root : "(null)", r, msg,
			err, want);
	CU_ASSERT_EQUAL(r, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, want));
	CU_ASSERT_PTR_EQUAL(t, &sentinel);
	/* No error buffer, or a tiny one: the same result. */
	CU_ASSERT_EQUAL(topo_load(root, &t, NULL, 0), err);
	CU_ASSERT_EQUAL(topo_load(root, &t, msg, 1), err);
	CU_ASSERT_STRING_EQUAL(msg, "");
	CU_ASSERT_PTR_EQUAL(t, &sentinel);
}

static void test_broken_trees(void)
{
	expect_fail(TOPO_DATA "/bad_no_online", -ENOENT, "devices/system/cpu/online: missing");
	expect_fail(
		TOPO_DATA "/bad_garbage", -EINVAL,
		"devices/system/cpu/cpu1/topology/thread_siblings_list: not a list of ids: 'banana'");
	expect_fail(TOPO_DATA "/bad_distance", -EINVAL,
		    "devices/system/node/node1/distance: more than 2 entries");
	expect_fail(TOPO_DATA "/no_such_tree", -ENOENT, "devices/system/cpu/online: missing");
	expect_fail(NULL, -EINVAL, "no sysfs root");
}

/* A copy of tree in a temporary directory, to be changed by the test. */
static void copy_tree(struct fakefs *fs, const char *tree)
{
	char cmd[1024];

	fakefs_init(fs);
	snprintf(cmd, sizeof(cmd), "cp -R '" TOPO_DATA "/%s/.' '%s/'", tree, fs->root);
	CU_ASSERT_FATAL(system(cmd) == 0);
}

/* Write len bytes (NULs included) to root/rel. */
static void put_bytes(const struct fakefs *fs, const char *rel, const char *data, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fs->root, rel);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_FATAL(fwrite(data, 1, len, f) == len);
	CU_ASSERT_FATAL(fclose(f) == 0);
}

/* root/rel (which must fit) into buf: its length, or -1 when there is no such file. */
static long get_bytes(const struct fakefs *fs, const char *rel, char *buf, size_t size)
{
	char path[1024];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fs->root, rel);
	f = fopen(path, "r");
	if (!f && errno == ENOENT)
		return -1;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	len = fread(buf, 1, size, f);
	CU_ASSERT_FATAL(len < size && !ferror(f));
	CU_ASSERT_FATAL(fclose(f) == 0);
	return (long)len;
}

/*
 * Hostile content, one file at a time (text NULL: the file is removed),
 * in a copy of the tree that is restored after each case.
 */
static void test_hostile_files(void)
{
	static const struct {
		const char *tree, *file, *text;
		int err;
		const char *want;
	} cases[] = {
		{ "two_node_smt", CPU "online", "\n", -EINVAL, "online: no CPU online" },
		{ "two_node_smt", CPU "online", " 0-7\n", -EINVAL, "online: not a list of ids" },
		{ "two_node_smt", CPU "online", "0-7 junk\n", -EINVAL,
		  "not a list of ids: '0-7 junk'" },
		{ "two_node_smt", CPU "online", "7-0\n", -EINVAL, "online: not a list" },
		{ "two_node_smt", CPU "online", "0,,1\n", -EINVAL, "online: not a list" },
		{ "two_node_smt", CPU "online", "-1\n", -EINVAL, "online: not a list" },
		{ "two_node_smt", CPU "online", "0-8192\n", -ERANGE,
		  "online: an id past the limit of 8191" },
		{ "two_node_smt", CPU "online", "0-99999999999999999999999\n", -ERANGE,
		  "online: an id past" },
		{ "two_node_smt", CPU "possible", "0-3\n", -EINVAL,
		  "possible: lacks online CPU 4" },
		{ "two_node_smt", CPU "isolated", "x\n", -EINVAL, "isolated: not a list" },
		{ "two_node_smt", CPU "nohz_full", "(nul)\n", -EINVAL, "nohz_full: not a list" },
		{ "two_node_smt", CPU "cpu1/topology/thread_siblings_list", "2,6\n", -EINVAL,
		  "cpu1/topology/thread_siblings_list: does not list CPU 1 itself" },
		{ "two_node_smt", CPU "cpu4/topology/thread_siblings_list", "4\n", -EINVAL,
		  "cpu4/topology/thread_siblings_list: disagrees with CPU 0" },
		{ "two_node_smt", CPU "cpu0/topology/thread_siblings_list", "0\n", -EINVAL,
		  "cpu4/topology/thread_siblings_list: disagrees with CPU 0" },
		{ "two_node_smt", CPU "cpu3/topology/physical_package_id", "x\n", -EINVAL,
		  "cpu3/topology/physical_package_id: not a number" },
		{ "two_node_smt", CPU "cpu3/topology/physical_package_id", "-2\n", -EINVAL,
		  "physical_package_id: not a number" },
		{ "two_node_smt", CPU "cpu3/topology/core_id", "99999999999\n", -EINVAL,
		  "cpu3/topology/core_id: not a number" },
		{ "two_node_smt", CPU "cpu2/cpu_capacity", "0\n", -EINVAL,
		  "cpu2/cpu_capacity: not a number in [1, 1048576]" },
		{ "two_node_smt", CPU "cpu3/cache/index3/level", "two\n", -EINVAL,
		  "cpu3/cache/index3/level: not a number" },
		{ "two_node_smt", CPU "cpu3/cache/index3/level", "0\n", -EINVAL,
		  "index3/level: not a number" },
		{ "two_node_smt", CPU "cpu3/cache/index3/type", "Weird\n", -EINVAL,
		  "cpu3/cache/index3/type: not a cache type: 'Weird'" },
		{ "two_node_smt", CPU "cpu3/cache/index3/id", "-1\n", -EINVAL,
		  "cpu3/cache/index3/id: not a number" },
		/* cpu5 has no cache id, and its shared_cpu_list names CPUs grouped by id. */
		{ "two_node_smt", CPU "cpu5/cache/index3/id", NULL, -EINVAL,
		  "cpu5/cache/index3/shared_cpu_list: disagrees with CPU 0" },
		{ "two_node_smt", NODE "online", "0,1500\n", -ERANGE,
		  "node/online: node 1500 past the limit of 1023" },
		{ "two_node_smt", NODE "online", "0,9999\n", -ERANGE, "node/online: an id past" },
		{ "two_node_smt", NODE "online", "\n", -EINVAL, "node/online: no node" },
		{ "two_node_smt", NODE "has_memory", "x\n", -EINVAL, "has_memory: not a list" },
		{ "two_node_smt", NODE "node1/cpulist", NULL, -ENOENT, "node1/cpulist: missing" },
		{ "two_node_smt", NODE "node1/cpulist", "0-3\n", -EINVAL,
		  "node1/cpulist: CPU 0 is in two nodes" },
		{ "two_node_smt", NODE "node1/cpulist", "2-3,6\n", -EINVAL,
		  "devices/system/node: online CPU 7 is in no node" },
		{ "two_node_smt", NODE "node0/distance", "10 21 30\n", -EINVAL,
		  "node0/distance: more than 2 entries" },
		{ "two_node_smt", NODE "node1/distance", "10\n", -EINVAL,
		  "node1/distance: 1 entries for 2 nodes" },
		{ "two_node_smt", NODE "node1/distance", "\n", -EINVAL,
		  "node1/distance: 0 entries for 2 nodes" },
		{ "two_node_smt", NODE "node1/distance", "10 far\n", -EINVAL,
		  "not a distance: 'far'" },
		{ "two_node_smt", NODE "node1/distance", "21 0\n", -EINVAL, "not a distance: '0'" },
		{ "two_node_smt", NODE "node1/distance", "21 256\n", -EINVAL,
		  "not a distance: '256'" },
		{ "two_node_smt", NODE "node1/distance", "21\t10\n", -EINVAL,
		  "node1/distance: not a distance" },
		{ "two_node_smt", NODE "node1/distance", "-21 10\n", -EINVAL,
		  "not a distance: '-21'" },
		{ "holes", CPU "cpu0/cache/index2/shared_cpu_list", "1,4\n", -EINVAL,
		  "cpu0/cache/index2/shared_cpu_list: does not list CPU 0 itself" },
		{ "holes", CPU "cpu4/cache/index2/shared_cpu_list", "4\n", -EINVAL,
		  "cpu4/cache: its last-level cache disagrees with CPU 0's" },
		{ "holes", CPU "cpu1/cache/index2/shared_cpu_list", "1\n", -EINVAL,
		  "cpu1/cache: its last-level cache disagrees with CPU 0's" },
		{ "holes", CPU "cpu3/cache/index2/shared_cpu_list", "3-7\n", -EINVAL,
		  "cpu6/cache/index2/shared_cpu_list: disagrees with CPU 3" },
		{ "minimal", CPU "online", "0-3\n4\n", -EINVAL, "online: not a list" },
	};

	struct fakefs fs = { .root = "" };
	const char *tree = NULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char saved[4096];
		long len;

		if (!tree || strcmp(tree, cases[i].tree) != 0) {
			if (tree)
				fakefs_remove(&fs);
			tree = cases[i].tree;
			copy_tree(&fs, tree);
		}
		len = get_bytes(&fs, cases[i].file, saved, sizeof(saved));
		if (cases[i].text)
			fakefs_put(&fs, cases[i].text, "%s", cases[i].file);
		else
			fakefs_unlink(&fs, "%s", cases[i].file);
		expect_fail(fs.root, cases[i].err, cases[i].want);
		if (len >= 0)
			put_bytes(&fs, cases[i].file, saved, (size_t)len);
		else
			fakefs_unlink(&fs, "%s", cases[i].file);
	}
	fakefs_remove(&fs);
}

/* Files that are too long, binary, or not files at all. */
static void test_hostile_shapes(void)
{
	size_t len = 4 * CPUMASK_LIST_MAX;
	char *big = malloc(len);
	struct fakefs fs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	for (size_t i = 0; i < len; i += 2)
		memcpy(big + i, "0,", 2);
	big[len - 1] = '0';
	copy_tree(&fs, "two_node_smt");
	put_bytes(&fs, CPU "online", big, len);
	expect_fail(fs.root, -EINVAL, "devices/system/cpu/online: longer than");
	put_bytes(&fs, CPU "online", "0-7\0garbage", 11);
	expect_fail(fs.root, -EINVAL, "devices/system/cpu/online: contains a NUL byte");
	put_bytes(&fs, CPU "online", "0-7\n", 4);
	put_bytes(&fs, NODE "node0/distance", big, len);
	expect_fail(fs.root, -EINVAL, "node0/distance: longer than");
	fakefs_remove(&fs);

	copy_tree(&fs, "minimal");
	fakefs_unlink(&fs, CPU "online");
	fakefs_mkdir(&fs, CPU "online");
	expect_fail(fs.root, -EISDIR, "devices/system/cpu/online: Is a directory");
	fakefs_remove(&fs);
	free(big);
}

/* Changes that must not fail: odd but legal, or optional files gone. */
static void test_tolerated(void)
{
	struct fakefs fs;
	struct topo *t;

	copy_tree(&fs, "two_node_smt");
	fakefs_put(&fs, "garbage\n", NODE "node0/meminfo");
	fakefs_unlink(&fs, NODE "node1/distance");
	fakefs_unlink(&fs, NODE "has_memory");
	fakefs_unlink(&fs, CPU "possible");
	fakefs_put(&fs, "2048\n", CPU "cpu0/cpu_capacity");
	t = load_root(fs.root);
	check_consistent(t);
	CU_ASSERT_EQUAL(t->nodes[0].mem_bytes, 0);
	CU_ASSERT_EQUAL(t->nodes[1].distance[0], 20);
	CU_ASSERT_EQUAL(t->nodes[1].distance[1], 10);
	CU_ASSERT(t->nodes[1].has_memory);
	CU_ASSERT_STRING_EQUAL(list(&t->possible), "0-7");
	CU_ASSERT_EQUAL(t->cpus[0].capacity, 2048);
	topo_free(t);

	/* Node ids with holes, and the highest node id allowed. */
	fakefs_put(&fs, "0,1023\n", NODE "online");
	fakefs_put(&fs, "2-3,6-7\n", NODE "node1023/cpulist");
	fakefs_unlink(&fs, NODE "node1/cpulist");
	t = load_root(fs.root);
	CU_ASSERT_EQUAL(t->nr_nodes, 2);
	CU_ASSERT_EQUAL(t->nodes[1].id, 1023);
	CU_ASSERT_EQUAL(topo_node_index(t, 1023), 1);
	CU_ASSERT_EQUAL(topo_cpu_node(t, 7), 1023);
	CU_ASSERT_EQUAL(t->llcs[1].node, 1023);
	topo_free(t);

	/* Only the L1d and L1i left: the L1d is the last level, per core. */
	for (unsigned int cpu = 0; cpu < 8; cpu++)
		for (unsigned int idx = 2; idx < 4; idx++)
			fakefs_unlink(&fs, CPU "cpu%u/cache/index%u/level", cpu, idx);
	t = load_root(fs.root);
	CU_ASSERT_EQUAL(t->nr_llcs, 4);
	CU_ASSERT_STRING_EQUAL(list(&t->llcs[3].cpus), "3,7");
	topo_free(t);
	fakefs_remove(&fs);
}

/* The 8192-CPU boundary: CPU 8191 is fine, 8192 is -ERANGE. */
static void test_max_cpus(void)
{
	struct fakefs fs;
	struct topo *t;

	copy_tree(&fs, "minimal");
	fakefs_put(&fs, "0-8191\n", CPU "online");
	t = load_root(fs.root);
	check_consistent(t);
	CU_ASSERT_EQUAL(t->nr_cpus, CPUMASK_MAX_CPUS);
	CU_ASSERT_EQUAL(t->nr_cpu_ids, CPUMASK_MAX_CPUS);
	CU_ASSERT_EQUAL(t->nr_cores, CPUMASK_MAX_CPUS);
	CU_ASSERT_EQUAL(t->nr_llcs, 1);
	CU_ASSERT_STRING_EQUAL(summary(t),
			       "8192 CPUs 0-8191, 8192 cores, 1 LLCs, 1 nodes [0: 0-8191]");
	topo_free(t);
	fakefs_put(&fs, "8191\n", CPU "online");
	t = load_root(fs.root);
	CU_ASSERT_EQUAL(t->nr_cpus, 1);
	CU_ASSERT_EQUAL(t->nr_cpu_ids, CPUMASK_MAX_CPUS);
	CU_ASSERT_EQUAL(topo_cpu_node(t, 8191), 0);
	CU_ASSERT_FALSE(t->cpus[0].online);
	topo_free(t);
	fakefs_put(&fs, "8192\n", CPU "online");
	expect_fail(fs.root, -ERANGE, "online: an id past the limit of 8191");
	fakefs_remove(&fs);
}

/* The live system, read through the same code (and libnuma). */
static void test_live(void)
{
	struct topo *t;
	long n;

	if (access("/sys/devices/system/cpu/online", R_OK) != 0) {
		fprintf(stderr, "\n(no /sys here: live topology not checked) ");
		return;
	}
	t = load_root("/sys");
	check_consistent(t);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	CU_ASSERT(t->nr_cpus >= 1);
	CU_ASSERT(n <= 0 || (unsigned long)n == t->nr_cpus);
	CU_ASSERT(t->nr_nodes >= 1);
	CU_ASSERT(t->nr_llcs >= 1);
	CU_ASSERT_EQUAL(t->nodes[0].distance[0], 10);
	if (access("/sys/devices/system/node/node0/meminfo", R_OK) == 0)
		CU_ASSERT(t->nodes[0].mem_bytes > 0);
	topo_free(t);
	/* The same with a trailing slash. */
	t = load_root("/sys/");
	CU_ASSERT(t->nr_cpus >= 1);
	topo_free(t);
}

TEST_SUITE(topology)
{
	static const struct test_case tests[] = {
		{ "two nodes, SMT, two LLCs", test_two_node_smt },
		{ "offline CPUs are holes", test_holes },
		{ "memory-only node", test_memory_only_node },
		{ "no node directory, big.LITTLE", test_no_numa },
		{ "an LLC across nodes is split", test_llc_spans_nodes },
		{ "minimal tree: defaults", test_minimal },
		{ "isolated and nohz_full", test_isolated_nohz },
		{ "broken trees name the file", test_broken_trees },
		{ "hostile files name the file", test_hostile_files },
		{ "too long, binary, a directory", test_hostile_shapes },
		{ "odd but legal trees", test_tolerated },
		{ "8192 CPUs", test_max_cpus },
		{ "live /sys", test_live },
		{ NULL, NULL },
	};

	return test_add_suite("topology", tests);
}
