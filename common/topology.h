/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_TOPOLOGY_H
#define SCX_COMMON_TOPOLOGY_H

/*
 * The CPU topology as sysfs describes it, read below a root directory
 * ("/sys" in production, a fake tree in tests): online CPUs, cores and SMT
 * siblings, last-level caches, NUMA nodes with CPUs, distances and memory,
 * isolated and nohz_full CPUs. Offline CPUs are holes, not errors.
 *
 * Ids: CPU and node ids are the kernel's (they may have holes). LLCs get
 * dense ids 0..nr_llcs-1 in the order of their first CPU, as
 * scx_layered numbers them; cores likewise.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cpumask.h"

/* Node ids are kernel ids; MAX_NUMNODES is at most 1024. */
#define TOPO_MAX_NODES 1024u

struct topo_cpu {
	bool online;
	int core;      /* dense core id; -1 if offline */
	int llc;       /* dense LLC id; -1 if offline */
	int node;      /* kernel node id; -1 if offline */
	int package;
	uint32_t capacity; /* cpu_capacity, 1024 when the file is absent */
};

struct topo_node {
	unsigned int id;               /* kernel node id */
	struct cpumask cpus;           /* online CPUs */
	uint64_t mem_bytes;            /* 0 when unknown */
	bool has_memory;
	unsigned int *distance;        /* [nr_nodes], in the order of nodes[] */
};

struct topo_llc {
	unsigned int id;               /* dense id */
	int node;
	struct cpumask cpus;
};

struct topo {
	unsigned int nr_cpus;          /* online CPUs */
	unsigned int nr_cpu_ids;       /* highest online CPU id + 1 */
	struct cpumask online;
	struct cpumask isolated;
	struct cpumask nohz_full;
	struct topo_cpu *cpus;         /* [nr_cpu_ids] */
	unsigned int nr_cores;
	bool smt;                      /* some core has more than one online CPU */
	unsigned int nr_nodes;
	struct topo_node *nodes;       /* sorted by id */
	unsigned int nr_llcs;
	struct topo_llc *llcs;
};

/*
 * Read the topology below sysfs_root. On success *ret_topo is a new topo
 * (topo_free()). On failure returns -errno and, if errbuf is given, writes
 * there which file failed and why: -ENOENT for a missing mandatory file
 * (devices/system/cpu/online), -EINVAL for content that makes no sense (a
 * CPU in two nodes, a distance row of the wrong length, garbage).
 * Optional files fall back: no node directory means one node 0 with every
 * CPU, no cache information one LLC per node, no topology files one core
 * per CPU. Memory sizes come from libnuma when sysfs_root is the live
 * /sys, else from nodeN/meminfo.
 */
int topo_load(const char *sysfs_root, struct topo **ret_topo, char *errbuf, size_t errlen);

void topo_free(struct topo *t);

/* The index in nodes[] of kernel node id, or -1. */
int topo_node_index(const struct topo *t, unsigned int node_id);

/* Node and LLC of an online CPU, -1 for others. */
int topo_cpu_node(const struct topo *t, unsigned int cpu);
int topo_cpu_llc(const struct topo *t, unsigned int cpu);

#endif
