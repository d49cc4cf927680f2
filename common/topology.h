/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_TOPOLOGY_H
#define SCX_COMMON_TOPOLOGY_H

/*
 * The CPU topology as sysfs describes it, read below a root directory
 * ("/sys" in production, a fake tree in tests): online and possible CPUs,
 * cores and SMT siblings, last-level caches, NUMA nodes with CPUs,
 * distances and memory, isolated and nohz_full CPUs, CPU capacities.
 * Offline CPUs are holes, not errors: they are in no core, LLC or node.
 *
 * Ids: CPU and node ids are the kernel's (they may have holes). Cores and
 * LLCs get dense ids 0..nr-1 in the order of their first CPU, as
 * scx_layered numbers them; the ids index cores[] and llcs[]. An LLC
 * never spans two nodes: a cache shared across nodes (sub-NUMA
 * clustering) counts as one LLC per node, as the kernel's scheduler
 * treats it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cpumask.h"

/* Node ids are kernel ids; the kernel's MAX_NUMNODES is at most 1024. */
#define TOPO_MAX_NODES 1024u
/* Room for topo_format_summary()'s line. */
#define TOPO_SUMMARY_MAX 512u

struct topo_cpu {
	bool online;
	int core;	   /* dense core id; -1 if offline */
	int llc;	   /* dense LLC id; -1 if offline */
	int node;	   /* kernel node id; -1 if offline */
	int package;	   /* physical_package_id; 0 when absent, -1 if offline */
	int core_id;	   /* the kernel's core_id (unique per package only); -1 when absent */
	uint32_t capacity; /* cpu_capacity, 1024 when absent; 0 if offline */
};

struct topo_core {
	unsigned int id;     /* dense id, index in cores[] */
	int llc;	     /* dense LLC id of its first CPU */
	int node;	     /* kernel node id of its first CPU */
	struct cpumask cpus; /* online SMT siblings */
};

struct topo_node {
	unsigned int id;	/* kernel node id */
	struct cpumask cpus;	/* online CPUs; empty for a memory-only node */
	uint64_t mem_bytes;	/* 0 when unknown */
	bool has_memory;	/* true when devices/system/node/has_memory is absent */
	unsigned int *distance; /* [nr_nodes], in the order of nodes[] */
};

struct topo_llc {
	unsigned int id;     /* dense id, index in llcs[] */
	int kernel_id;	     /* the cache's sysfs id; -1 when sysfs has none */
	int node;	     /* kernel node id */
	struct cpumask cpus; /* online CPUs */
};

struct topo {
	unsigned int nr_cpus;	 /* online CPUs */
	unsigned int nr_cpu_ids; /* highest online CPU id + 1: the size of cpus[] */
	struct cpumask online;
	struct cpumask possible;  /* devices/system/cpu/possible; online when absent */
	struct cpumask isolated;  /* as the kernel lists them (may include offline CPUs) */
	struct cpumask nohz_full; /* likewise; empty when absent or "(null)" */
	struct topo_cpu *cpus;	  /* [nr_cpu_ids], offline entries included */
	bool smt;		  /* some core has more than one online CPU */
	unsigned int nr_cores;
	struct topo_core *cores;
	unsigned int nr_nodes;
	struct topo_node *nodes; /* sorted by id */
	unsigned int nr_llcs;
	struct topo_llc *llcs;
};

/*
 * Read the topology below sysfs_root (files under
 * sysfs_root/devices/system/{cpu,node}/). On success *ret_topo is a new
 * topo, owned by the caller (topo_free()). On failure *ret_topo is left
 * alone, the error is returned, and a message naming the file and the
 * problem goes to errbuf (if not NULL) and to the debug log:
 *   -ENOENT  a mandatory file is missing: devices/system/cpu/online, or
 *            nodeN/cpulist of a listed node;
 *   -EINVAL  content that makes no sense: garbage, no CPU online, a CPU
 *            in two nodes, a distance row of the wrong length, siblings
 *            or caches that CPUs disagree about, a file too long;
 *   -ERANGE  an id past what this build supports (a CPU at or past
 *            CPUMASK_MAX_CPUS, a node at or past TOPO_MAX_NODES);
 *   other -errno from reading files, -ENOMEM.
 * Optional files fall back: without node information one node 0 holds
 * every CPU (distance 10); without cache information the CPUs of a node
 * share one LLC; without thread_siblings_list each CPU is its own core;
 * without distance files distances are 10 (local) and 20. Only when
 * sysfs_root is the live "/sys" does libnuma supply memory sizes and
 * distances; fake trees give them with nodeN/meminfo and nodeN/distance.
 */
int topo_load(const char *sysfs_root, struct topo **ret_topo, char *errbuf, size_t errlen);

/* Free t and all it holds; NULL is fine. */
void topo_free(struct topo *t);

static inline unsigned int topo_nr_nodes(const struct topo *t)
{
	return t->nr_nodes;
}

/* The index in nodes[] of kernel node id node_id, or -1. */
int topo_node_index(const struct topo *t, unsigned int node_id);

/* Node (kernel id), LLC and core (dense ids) of an online CPU; -1 for others. */
int topo_cpu_node(const struct topo *t, unsigned int cpu);
int topo_cpu_llc(const struct topo *t, unsigned int cpu);
int topo_cpu_core(const struct topo *t, unsigned int cpu);

/*
 * One line for logs and tests: "8 CPUs 0-7, 4 cores SMT, 2 LLCs, 2 nodes
 * [0: 0-1,4-5] [1: 2-3,6-7]" and isolated/nohz_full when set. Long CPU
 * lists become "(N CPUs)"; the line is cut to fit buf (size > 0).
 */
void topo_format_summary(const struct topo *t, char *buf, size_t size);

#endif
