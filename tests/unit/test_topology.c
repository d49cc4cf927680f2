/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Topology from fake sysfs trees: a 2-node SMT machine with 2 LLCs, holes
 * (offline CPUs), a memory-only node, no node directory, isolated and
 * nohz_full CPUs, and broken trees that must fail naming the file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/topology.h"
#include "tests/fakefs.h"
#include "tests/runner.h"

static struct fakefs fs;
static char sysroot[512];

/* CPU cpu: SMT siblings, its L1d, L1i (to be skipped) and L2, and the L3 it shares. */
static void add_cpu(unsigned int cpu, const char *siblings, const char *l3)
{
	const char *b = "sys/devices/system/cpu";

	fakefs_put(&fs, siblings, "%s/cpu%u/topology/thread_siblings_list", b, cpu);
	fakefs_put(&fs, "0\n", "%s/cpu%u/topology/physical_package_id", b, cpu);
	fakefs_put(&fs, "1\n", "%s/cpu%u/cache/index0/level", b, cpu);
	fakefs_put(&fs, "Data\n", "%s/cpu%u/cache/index0/type", b, cpu);
	fakefs_put(&fs, siblings, "%s/cpu%u/cache/index0/shared_cpu_list", b, cpu);
	fakefs_put(&fs, "1\n", "%s/cpu%u/cache/index1/level", b, cpu);
	fakefs_put(&fs, "Instruction\n", "%s/cpu%u/cache/index1/type", b, cpu);
	fakefs_put(&fs, siblings, "%s/cpu%u/cache/index1/shared_cpu_list", b, cpu);
	fakefs_put(&fs, "2\n", "%s/cpu%u/cache/index2/level", b, cpu);
	fakefs_put(&fs, "Unified\n", "%s/cpu%u/cache/index2/type", b, cpu);
	fakefs_put(&fs, siblings, "%s/cpu%u/cache/index2/shared_cpu_list", b, cpu);
	fakefs_put(&fs, "3\n", "%s/cpu%u/cache/index3/level", b, cpu);
	fakefs_put(&fs, "Unified\n", "%s/cpu%u/cache/index3/type", b, cpu);
	fakefs_put(&fs, l3, "%s/cpu%u/cache/index3/shared_cpu_list", b, cpu);
}

/*
 * 8 CPUs, 4 SMT cores: (0,4) (1,5) (2,6) (3,7); node 0 = 0-1,4-5 with LLC
 * 0-1,4-5; node 1 = 2-3,6-7 with LLC 2-3,6-7.
 */
static void build_2node(void)
{
	static const char *sib[] = { "0,4\n", "1,5\n", "2,6\n", "3,7\n" };

	fakefs_init(&fs);
	fakefs_path(&fs, sysroot, sizeof(sysroot), "sys");
	fakefs_put(&fs, "0-7\n", "sys/devices/system/cpu/online");
	for (unsigned int cpu = 0; cpu < 8; cpu++)
		add_cpu(cpu, sib[cpu % 4], cpu % 4 < 2 ? "0-1,4-5\n" : "2-3,6-7\n");
	fakefs_put(&fs, "0-1\n", "sys/devices/system/node/online");
	fakefs_put(&fs, "0-1\n", "sys/devices/system/node/has_memory");
	fakefs_put(&fs, "0-1,4-5\n", "sys/devices/system/node/node0/cpulist");
	fakefs_put(&fs, "2-3,6-7\n", "sys/devices/system/node/node1/cpulist");
	fakefs_put(&fs, "10 21\n", "sys/devices/system/node/node0/distance");
	fakefs_put(&fs, "21 10\n", "sys/devices/system/node/node1/distance");
	fakefs_put(&fs, "Node 0 MemTotal:       1048576 kB\nNode 0 MemFree: 1 kB\n",
		   "sys/devices/system/node/node0/meminfo");
	fakefs_put(&fs, "Node 1 MemTotal:       2097152 kB\n", "sys/devices/system/node/node1/meminfo");
}

static const char *list(const struct cpumask *m)
{
	static char buf[256];

	cpumask_format_list(m, buf, sizeof(buf));
	return buf;
}

static int load(struct topo **t, char *err, size_t errlen)
{
	return topo_load(sysroot, t, err, errlen);
}

static void test_two_nodes(void)
{
	struct topo *t = NULL;
	char err[256];

	build_2node();
	CU_ASSERT_EQUAL_FATAL(load(&t, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(t->nr_cpus, 8);
	CU_ASSERT_EQUAL(t->nr_cpu_ids, 8);
	CU_ASSERT_EQUAL(t->nr_cores, 4);
	CU_ASSERT(t->smt);
	CU_ASSERT_EQUAL(t->nr_nodes, 2);
	CU_ASSERT_STRING_EQUAL(list(&t->nodes[1].cpus), "2-3,6-7");
	CU_ASSERT_EQUAL(t->nodes[0].distance[1], 21);
	CU_ASSERT_EQUAL(t->nodes[1].distance[1], 10);
	CU_ASSERT_EQUAL(t->nodes[1].mem_bytes, 2097152ull * 1024);
	CU_ASSERT_EQUAL(t->nr_llcs, 2);
	CU_ASSERT_STRING_EQUAL(list(&t->llcs[1].cpus), "2-3,6-7");
	CU_ASSERT_EQUAL(t->llcs[1].node, 1);
	CU_ASSERT_EQUAL(topo_cpu_node(t, 6), 1);
	CU_ASSERT_EQUAL(topo_cpu_llc(t, 5), 0);
	CU_ASSERT_EQUAL(t->cpus[4].core, t->cpus[0].core);
	CU_ASSERT_NOT_EQUAL(t->cpus[1].core, t->cpus[0].core);
	CU_ASSERT_EQUAL(topo_cpu_node(t, 8), -1);
	CU_ASSERT(cpumask_is_empty(&t->isolated));
	topo_free(t);
	fakefs_remove(&fs);
}

/* CPUs 2 and 5 offline: holes, not errors; their siblings become single-CPU cores. */
static void test_offline_holes(void)
{
	struct topo *t = NULL;
	char err[256];

	build_2node();
	fakefs_put(&fs, "0-1,3-4,6-7\n", "sys/devices/system/cpu/online");
	fakefs_unlink(&fs, "sys/devices/system/cpu/cpu2/topology/thread_siblings_list");
	CU_ASSERT_EQUAL_FATAL(load(&t, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(t->nr_cpus, 6);
	CU_ASSERT_FALSE(t->cpus[2].online);
	CU_ASSERT_EQUAL(t->cpus[2].node, -1);
	CU_ASSERT_STRING_EQUAL(list(&t->nodes[0].cpus), "0-1,4");
	CU_ASSERT_STRING_EQUAL(list(&t->llcs[1].cpus), "3,6-7");
	CU_ASSERT_EQUAL(t->nr_cores, 4);
	topo_free(t);
	fakefs_remove(&fs);
}

/* Node 1 has memory and no CPU; node 2 has CPUs and no memory. */
static void test_memory_only_node(void)
{
	struct topo *t = NULL;
	char err[256];

	build_2node();
	fakefs_put(&fs, "0-2\n", "sys/devices/system/node/online");
	fakefs_put(&fs, "0-1\n", "sys/devices/system/node/has_memory");
	fakefs_put(&fs, "\n", "sys/devices/system/node/node1/cpulist");
	fakefs_put(&fs, "2-3,6-7\n", "sys/devices/system/node/node2/cpulist");
	fakefs_put(&fs, "10 21 21\n", "sys/devices/system/node/node0/distance");
	fakefs_put(&fs, "21 10 31\n", "sys/devices/system/node/node1/distance");
	fakefs_put(&fs, "21 31 10\n", "sys/devices/system/node/node2/distance");
	CU_ASSERT_EQUAL_FATAL(load(&t, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(t->nr_nodes, 3);
	CU_ASSERT(cpumask_is_empty(&t->nodes[1].cpus));
	CU_ASSERT(t->nodes[1].has_memory);
	CU_ASSERT_FALSE(t->nodes[2].has_memory);
	CU_ASSERT_EQUAL(topo_cpu_node(t, 7), 2);
	CU_ASSERT_EQUAL(topo_node_index(t, 2), 2);
	CU_ASSERT_EQUAL(topo_node_index(t, 3), -1);
	CU_ASSERT_EQUAL(t->llcs[1].node, 2);
	topo_free(t);
	fakefs_remove(&fs);
}

/* Bare minimum: cpu/online only. One node, one LLC, one core per CPU. */
static void test_minimal_tree(void)
{
	struct topo *t = NULL;
	char err[256];

	fakefs_init(&fs);
	fakefs_path(&fs, sysroot, sizeof(sysroot), "sys");
	fakefs_put(&fs, "0-3\n", "sys/devices/system/cpu/online");
	CU_ASSERT_EQUAL_FATAL(load(&t, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(t->nr_nodes, 1);
	CU_ASSERT_EQUAL(t->nodes[0].id, 0);
	CU_ASSERT_STRING_EQUAL(list(&t->nodes[0].cpus), "0-3");
	CU_ASSERT_EQUAL(t->nodes[0].distance[0], 10);
	CU_ASSERT_EQUAL(t->nr_llcs, 1);
	CU_ASSERT_EQUAL(t->nr_cores, 4);
	CU_ASSERT_FALSE(t->smt);
	topo_free(t);
	fakefs_remove(&fs);
}

static void test_isolated_nohz(void)
{
	struct topo *t = NULL;
	char err[256];

	build_2node();
	fakefs_put(&fs, "6-7\n", "sys/devices/system/cpu/isolated");
	fakefs_put(&fs, "(null)\n", "sys/devices/system/cpu/nohz_full");
	CU_ASSERT_EQUAL_FATAL(load(&t, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(list(&t->isolated), "6-7");
	CU_ASSERT(cpumask_is_empty(&t->nohz_full));
	topo_free(t);
	fakefs_put(&fs, "1-3\n", "sys/devices/system/cpu/nohz_full");
	CU_ASSERT_EQUAL_FATAL(load(&t, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(list(&t->nohz_full), "1-3");
	topo_free(t);
	fakefs_remove(&fs);
}

/* Broken trees fail with the file named in the message. */
static void test_broken(void)
{
	static const struct {
		const char *text, *file, *want;
		int err;
	} cases[] = {
		{ NULL, "sys/devices/system/cpu/online", "devices/system/cpu/online: missing", -ENOENT },
		{ "0-3 junk\n", "sys/devices/system/cpu/online", "devices/system/cpu/online: not a CPU list",
		  -EINVAL },
		{ "\n", "sys/devices/system/cpu/online", "no CPU online", -EINVAL },
		{ "0-99999\n", "sys/devices/system/cpu/online", "devices/system/cpu/online", -ERANGE },
		{ "0-3\n", "sys/devices/system/node/node1/cpulist", "node1/cpulist: CPU 0 is in two nodes",
		  -EINVAL },
		{ "10 21 30\n", "sys/devices/system/node/node0/distance",
		  "node0/distance: more than 2 entries", -EINVAL },
		{ "10\n", "sys/devices/system/node/node1/distance", "node1/distance: 1 entries for 2 nodes",
		  -EINVAL },
		{ "10 far\n", "sys/devices/system/node/node1/distance", "not a distance: 'far'", -EINVAL },
		{ "two\n", "sys/devices/system/cpu/cpu3/cache/index3/level", "index3/level: not a number",
		  -EINVAL },
		{ "x\n", "sys/devices/system/cpu/cpu1/topology/thread_siblings_list",
		  "thread_siblings_list: not a CPU list", -EINVAL },
		{ "0,9999\n", "sys/devices/system/node/online", "node/online: not a CPU list", -ERANGE },
		{ "0,1500\n", "sys/devices/system/node/online", "node 1500 past", -EINVAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct topo *t = NULL;
		char err[256];
		int r;

		build_2node();
		if (cases[i].text)
			fakefs_put(&fs, cases[i].text, "%s", cases[i].file);
		else
			fakefs_unlink(&fs, "%s", cases[i].file);
		r = load(&t, err, sizeof(err));
		if (r != cases[i].err || !strstr(err, cases[i].want))
			fprintf(stderr, "\ncase %zu: got %d '%s', want %d '%s'\n", i, r, err,
				cases[i].err, cases[i].want);
		CU_ASSERT_EQUAL(r, cases[i].err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].want));
		CU_ASSERT_PTR_NULL(t);
		fakefs_remove(&fs);
	}
}

/* The live system, read through the same code (libnuma for memory). */
static void test_live(void)
{
	struct topo *t = NULL;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(topo_load("/sys", &t, err, sizeof(err)), 0);
	CU_ASSERT(t->nr_cpus >= 1);
	CU_ASSERT(t->nr_nodes >= 1);
	CU_ASSERT(t->nr_llcs >= 1);
	CU_ASSERT(t->nodes[0].mem_bytes > 0);
	topo_free(t);
}

TEST_SUITE(topology)
{
	static const struct test_case tests[] = {
		{ "two nodes, SMT, two LLCs", test_two_nodes },
		{ "offline CPUs are holes", test_offline_holes },
		{ "memory-only node", test_memory_only_node },
		{ "minimal tree: defaults", test_minimal_tree },
		{ "isolated and nohz_full", test_isolated_nohz },
		{ "broken trees name the file", test_broken },
		{ "live /sys", test_live },
		{ NULL, NULL },
	};

	return test_add_suite("topology", tests);
}
