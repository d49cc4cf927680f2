/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Topology from sysfs, in this order: cpu/online (mandatory), possible,
 * isolated, nohz_full; for each online CPU its core (thread_siblings_list),
 * package, core_id, capacity and last-level cache (the highest-level
 * cache/indexK of type Data or Unified, grouped by its id file, else by
 * its shared_cpu_list); then the nodes (cpulist, distance, has_memory,
 * meminfo); then LLCs are numbered, one per (cache, node).
 *
 * Every file is read through topo_read(), which records the failing path,
 * so that a broken tree yields "devices/system/node/node1/distance: 3
 * entries for 2 nodes", not a bare -EINVAL. CPUs that come or go while we
 * read can make the files disagree, so when cpu/online has changed by the
 * end of a read, topo_load() reads the tree again.
 *
 * Grouping is linear in the number of CPUs: CPUs are visited in increasing
 * order, so the group a CPU's sibling or cache list names is the group of
 * the list's first CPU, and one mask comparison settles it.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numa.h>

#include "common/banned.h"
#include "common/cpumask.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/parse.h"
#include "common/topology.h"

#define CPU_DIR	 "devices/system/cpu"
#define NODE_DIR "devices/system/node"
/* Relative paths: "devices/system/cpu/cpu8191/cache/index15/shared_cpu_list" and shorter. */
#define REL_MAX 96
/* cache/indexK directories looked at per CPU; real CPUs have 3 to 5. */
#define CACHE_INDEX_MAX 16u
/* Reads of the whole tree before giving up on CPUs that keep going on- and offline. */
#define LOAD_TRIES 3

struct topo_reader {
	const char *root;
	char *errbuf;
	size_t errlen;
};

/* CPUs that sysfs puts together: by a shared mask (id < 0) or by a cache id at a level. */
struct group {
	int level;
	int id;
	struct cpumask cpus; /* by mask: the mask every member lists; by id: the members */
};

/* Scratch state of one load, indexed by CPU id (< nr_cpu_ids) or group. */
struct topo_build {
	struct group *cores, *caches; /* [nr_cpus] each */
	unsigned int nr_cores, nr_caches;
	int *core_of, *cache_of; /* group of each CPU, -1 for none */
};

static int topo_fail(struct topo_reader *rd, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int topo_fail(struct topo_reader *rd, int r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rd->errbuf && rd->errlen)
		snprintf(rd->errbuf, rd->errlen, "%s", msg);
	log_debug("topology below %s: %s", rd->root, msg);
	return r;
}

/* Read root/rel into buf; -ENOENT (not recorded) when absent, callers decide if that is fine. */
static int topo_read(struct topo_reader *rd, const char *rel, char *buf, size_t size)
{
	char path[PATH_MAX];
	int r;

	r = fileio_path(path, sizeof(path), rd->root, rel);
	if (r < 0)
		return topo_fail(rd, r, "%s: path too long", rel);
	r = fileio_read_small(path, buf, size);
	if (r == -ENOENT || r >= 0)
		return r;
	if (r == -EFBIG)
		return topo_fail(rd, -EINVAL, "%s: longer than %zu bytes", rel, size - 1);
	if (r == -EINVAL)
		return topo_fail(rd, r, "%s: contains a NUL byte", rel);
	return topo_fail(rd, r, "%s: %s", rel, strerror(-r));
}

enum {
	MASK_MANDATORY = 1 << 0,  /* absent is an error, not -ENOENT */
	MASK_NULL_EMPTY = 1 << 1, /* "(null)" is the empty set (nohz_full when off) */
};

/* A CPU list file into *ret; -ENOENT (and *ret empty) when absent and not mandatory. */
static int topo_read_mask(struct topo_reader *rd, const char *rel, unsigned int flags,
			  struct cpumask *ret)
{
	char buf[CPUMASK_LIST_MAX];
	int r;

	cpumask_zero(ret);
	r = topo_read(rd, rel, buf, sizeof(buf));
	if (r == -ENOENT && (flags & MASK_MANDATORY))
		return topo_fail(rd, r, "%s: missing", rel);
	if (r < 0)
		return r;
	if ((flags & MASK_NULL_EMPTY) && strcmp(buf, "(null)") == 0)
		return 0;
	r = cpumask_parse_list(buf, ret);
	if (r == -ERANGE)
		return topo_fail(rd, r, "%s: an id past the limit of %u: '%.64s'", rel,
				 CPUMASK_MAX_CPUS - 1, buf);
	if (r < 0)
		return topo_fail(rd, r, "%s: not a list of ids: '%.64s'", rel, buf);
	return 0;
}

/* A decimal file in [min, max]; -ENOENT (not recorded) when absent; -EINVAL for anything else. */
static int topo_read_int(struct topo_reader *rd, const char *rel, int min, int max, int *ret)
{
	char buf[64];
	int r;

	r = topo_read(rd, rel, buf, sizeof(buf));
	if (r < 0)
		return r;
	r = parse_int(buf, min, max, ret);
	if (r < 0)
		return topo_fail(rd, -EINVAL, "%s: not a number in [%d, %d]: '%.32s'", rel, min,
				 max, buf);
	return 0;
}

/*
 * Put cpu in the group whose members all list s (s contains cpu). Returns
 * the group, or -EINVAL when the group s names lists something else.
 */
static int group_by_mask(struct group *g, unsigned int *nr, int *of_cpu, unsigned int cpu,
			 const struct cpumask *s)
{
	unsigned int first = cpumask_first(s);
	int k;

	if (first < cpu) {
		k = of_cpu[first];
		if (k < 0 || g[k].id >= 0 || !cpumask_equal(&g[k].cpus, s))
			return -EINVAL;
		return k;
	}
	g[*nr].level = -1;
	g[*nr].id = -1;
	g[*nr].cpus = *s;
	return (int)(*nr)++;
}

/* Put cpu in the group of cache id at level, new or not. */
static int group_by_id(struct group *g, unsigned int *nr, unsigned int cpu, int level, int id)
{
	unsigned int k;

	for (k = 0; k < *nr; k++)
		if (g[k].id == id && g[k].level == level)
			break;
	if (k == *nr) {
		g[k].level = level;
		g[k].id = id;
		cpumask_zero(&g[k].cpus);
		(*nr)++;
	}
	cpumask_set(&g[k].cpus, cpu);
	return (int)k;
}

/* The first CPU that a by-mask group lists but that went elsewhere, or CPUMASK_MAX_CPUS. */
static unsigned int first_disagreeing(const struct group *g, unsigned int nr, const int *of_cpu,
				      unsigned int *ret_group)
{
	for (unsigned int k = 0; k < nr; k++) {
		unsigned int cpu;

		if (g[k].id >= 0)
			continue;
		cpumask_for_each_cpu(cpu, &g[k].cpus)
			if (of_cpu[cpu] != (int)k) {
				*ret_group = k;
				return cpu;
			}
	}
	return CPUMASK_MAX_CPUS;
}

static int read_core(struct topo_reader *rd, struct topo *t, struct topo_build *b, unsigned int cpu)
{
	struct topo_cpu *c = &t->cpus[cpu];
	char rel[REL_MAX];
	struct cpumask sib;
	int r, v;

	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/topology/thread_siblings_list", cpu);
	r = topo_read_mask(rd, rel, 0, &sib);
	if (r == -ENOENT) {
		cpumask_set(&sib, cpu);
	} else if (r < 0) {
		return r;
	} else {
		/* Offline siblings are not part of the core as we see it. */
		cpumask_and(&sib, &sib, &t->online);
		if (!cpumask_test(&sib, cpu))
			return topo_fail(rd, -EINVAL, "%s: does not list CPU %u itself", rel, cpu);
	}
	r = group_by_mask(b->cores, &b->nr_cores, b->core_of, cpu, &sib);
	if (r < 0)
		return topo_fail(rd, r, "%s: disagrees with CPU %u", rel, cpumask_first(&sib));
	b->core_of[cpu] = r;

	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/topology/physical_package_id", cpu);
	r = topo_read_int(rd, rel, -1, INT_MAX, &v);
	if (r < 0 && r != -ENOENT)
		return r;
	c->package = r == 0 ? v : 0;
	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/topology/core_id", cpu);
	r = topo_read_int(rd, rel, -1, INT_MAX, &v);
	if (r < 0 && r != -ENOENT)
		return r;
	c->core_id = r == 0 ? v : -1;
	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/cpu_capacity", cpu);
	r = topo_read_int(rd, rel, 1, 1 << 20, &v);
	if (r < 0 && r != -ENOENT)
		return r;
	c->capacity = r == 0 ? (uint32_t)v : 1024;
	return 0;
}

/*
 * The cache/indexK of cpu's last-level cache and its level, or -ENOENT
 * when sysfs describes none.
 */
static int find_llc_index(struct topo_reader *rd, unsigned int cpu, int *ret_level)
{
	int best = -ENOENT, best_level = -1;

	for (unsigned int idx = 0; idx < CACHE_INDEX_MAX; idx++) {
		char rel[REL_MAX], type[32];
		int level, r;

		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/cache/index%u/level", cpu, idx);
		r = topo_read_int(rd, rel, 1, 15, &level);
		if (r == -ENOENT)
			break;
		if (r < 0)
			return r;
		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/cache/index%u/type", cpu, idx);
		r = topo_read(rd, rel, type, sizeof(type));
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		if (strcmp(type, "Instruction") == 0)
			continue;
		if (strcmp(type, "Data") != 0 && strcmp(type, "Unified") != 0)
			return topo_fail(rd, -EINVAL, "%s: not a cache type: '%s'", rel, type);
		if (level > best_level) {
			best = (int)idx;
			best_level = level;
		}
	}
	*ret_level = best_level;
	return best;
}

static int read_llc(struct topo_reader *rd, struct topo *t, struct topo_build *b, unsigned int cpu)
{
	char rel[REL_MAX];
	struct cpumask s;
	int idx, level = -1, id, r;

	idx = find_llc_index(rd, cpu, &level);
	if (idx == -ENOENT)
		return 0;
	if (idx < 0)
		return idx;
	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/cache/index%d/id", cpu, idx);
	r = topo_read_int(rd, rel, 0, INT_MAX, &id);
	if (r == 0) {
		b->cache_of[cpu] = group_by_id(b->caches, &b->nr_caches, cpu, level, id);
		return 0;
	}
	if (r != -ENOENT)
		return r;
	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/cache/index%d/shared_cpu_list", cpu, idx);
	r = topo_read_mask(rd, rel, 0, &s);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	cpumask_and(&s, &s, &t->online);
	if (!cpumask_test(&s, cpu))
		return topo_fail(rd, -EINVAL, "%s: does not list CPU %u itself", rel, cpu);
	r = group_by_mask(b->caches, &b->nr_caches, b->cache_of, cpu, &s);
	if (r < 0)
		return topo_fail(rd, r, "%s: disagrees with CPU %u", rel, cpumask_first(&s));
	b->cache_of[cpu] = r;
	return 0;
}

static int read_cpus(struct topo_reader *rd, struct topo *t, struct topo_build *b)
{
	char rel[REL_MAX];
	unsigned int cpu, k;
	int r;

	for (cpu = 0; cpu < t->nr_cpu_ids; cpu++) {
		struct topo_cpu *c = &t->cpus[cpu];

		c->core = c->llc = c->node = c->package = c->core_id = -1;
		b->core_of[cpu] = b->cache_of[cpu] = -1;
	}
	cpumask_for_each_cpu(cpu, &t->online) {
		t->cpus[cpu].online = true;
		r = read_core(rd, t, b, cpu);
		if (r < 0)
			return r;
		r = read_llc(rd, t, b, cpu);
		if (r < 0)
			return r;
	}
	cpu = first_disagreeing(b->cores, b->nr_cores, b->core_of, &k);
	if (cpu < CPUMASK_MAX_CPUS) {
		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/topology/thread_siblings_list", cpu);
		return topo_fail(rd, -EINVAL, "%s: disagrees with CPU %u", rel,
				 cpumask_first(&b->cores[k].cpus));
	}
	cpu = first_disagreeing(b->caches, b->nr_caches, b->cache_of, &k);
	if (cpu < CPUMASK_MAX_CPUS) {
		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/cache", cpu);
		return topo_fail(rd, -EINVAL, "%s: its last-level cache disagrees with CPU %u's",
				 rel, cpumask_first(&b->caches[k].cpus));
	}
	return 0;
}

/* MemTotal of nodeN/meminfo ("Node 0 MemTotal:  1048576 kB"), 0 when unknown. */
static uint64_t meminfo_total(struct topo_reader *rd, unsigned int node)
{
	char rel[REL_MAX], buf[4096], *p;
	unsigned long long kb;

	snprintf(rel, sizeof(rel), NODE_DIR "/node%u/meminfo", node);
	if (topo_read(rd, rel, buf, sizeof(buf)) < 0)
		return 0;
	p = strstr(buf, "MemTotal:");
	if (!p || sscanf(p, "MemTotal: %llu kB", &kb) != 1 || kb > UINT64_MAX / 1024)
		return 0;
	return (uint64_t)kb * 1024;
}

static bool is_live_sysfs(const char *root)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	return n == 4 && memcmp(root, "/sys", 4) == 0;
}

/*
 * On the live system libnuma is the authority on node memory and
 * distances: it is what numactl and NUMA-aware allocators act on. Answers
 * it does not have (0 or -1) keep what sysfs said. Never used for fake
 * trees, which describe some other machine.
 */
static void topo_apply_libnuma(struct topo *t)
{
	if (numa_available() < 0)
		return;
	for (unsigned int i = 0; i < t->nr_nodes; i++) {
		struct topo_node *n = &t->nodes[i];
		long long size = numa_node_size64((int)n->id, NULL);

		if (size > 0)
			n->mem_bytes = (uint64_t)size;
		for (unsigned int j = 0; j < t->nr_nodes; j++) {
			int d = numa_distance((int)n->id, (int)t->nodes[j].id);

			if (d > 0)
				n->distance[j] = (unsigned int)d;
		}
	}
}

/* The listed node ids, sorted; *ret_numa false when sysfs lists none (one node 0). */
static int read_node_ids(struct topo_reader *rd, unsigned int *ids, unsigned int *ret_nr,
			 bool *ret_numa)
{
	const char *rel = NODE_DIR "/online";
	struct cpumask m;
	unsigned int id, nr = 0;
	int r;

	r = topo_read_mask(rd, rel, 0, &m);
	if (r == -ENOENT) {
		rel = NODE_DIR "/possible";
		r = topo_read_mask(rd, rel, 0, &m);
	}
	if (r == -ENOENT) {
		ids[0] = 0;
		*ret_nr = 1;
		*ret_numa = false;
		return 0;
	}
	if (r < 0)
		return r;
	if (cpumask_is_empty(&m))
		return topo_fail(rd, -EINVAL, "%s: no node", rel);
	cpumask_for_each_cpu(id, &m) {
		if (id >= TOPO_MAX_NODES)
			return topo_fail(rd, -ERANGE, "%s: node %u past the limit of %u", rel, id,
					 TOPO_MAX_NODES - 1);
		ids[nr++] = id;
	}
	*ret_nr = nr;
	*ret_numa = true;
	return 0;
}

/* nodeN/distance into n->distance[nr]; 10 to itself and 20 to others when absent. */
static int read_distances(struct topo_reader *rd, struct topo_node *n, unsigned int self,
			  unsigned int nr)
{
	char rel[REL_MAX], buf[TOPO_MAX_NODES * 4 + 16], *tok, *save = NULL;
	unsigned int k = 0;
	int r;

	snprintf(rel, sizeof(rel), NODE_DIR "/node%u/distance", n->id);
	r = topo_read(rd, rel, buf, sizeof(buf));
	if (r == -ENOENT) {
		for (unsigned int j = 0; j < nr; j++)
			n->distance[j] = j == self ? 10 : 20;
		return 0;
	}
	if (r < 0)
		return r;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		uint32_t d;

		if (k == nr)
			return topo_fail(rd, -EINVAL, "%s: more than %u entries", rel, nr);
		if (parse_u32(tok, 255, &d) < 0 || d == 0)
			return topo_fail(rd, -EINVAL, "%s: not a distance: '%.16s'", rel, tok);
		n->distance[k++] = d;
	}
	if (k != nr)
		return topo_fail(rd, -EINVAL, "%s: %u entries for %u nodes", rel, k, nr);
	return 0;
}

static int read_nodes(struct topo_reader *rd, struct topo *t)
{
	unsigned int ids[TOPO_MAX_NODES], nr = 0, cpu;
	struct cpumask with_mem, seen;
	bool numa = false, mem_known;
	char rel[REL_MAX];
	int r;

	r = read_node_ids(rd, ids, &nr, &numa);
	if (r < 0)
		return r;
	r = topo_read_mask(rd, NODE_DIR "/has_memory", 0, &with_mem);
	if (r < 0 && r != -ENOENT)
		return r;
	mem_known = r == 0;
	t->nodes = calloc(nr, sizeof(*t->nodes));
	if (!t->nodes)
		return -ENOMEM;
	t->nr_nodes = nr;
	cpumask_zero(&seen);
	for (unsigned int i = 0; i < nr; i++) {
		struct topo_node *n = &t->nodes[i];

		n->id = ids[i];
		n->distance = calloc(nr, sizeof(*n->distance));
		if (!n->distance)
			return -ENOMEM;
		if (!numa) {
			n->cpus = t->online;
		} else {
			snprintf(rel, sizeof(rel), NODE_DIR "/node%u/cpulist", n->id);
			r = topo_read_mask(rd, rel, MASK_MANDATORY, &n->cpus);
			if (r < 0)
				return r;
			cpumask_and(&n->cpus, &n->cpus, &t->online);
			if (cpumask_intersects(&n->cpus, &seen)) {
				struct cpumask both;

				cpumask_and(&both, &n->cpus, &seen);
				return topo_fail(rd, -EINVAL, "%s: CPU %u is in two nodes", rel,
						 cpumask_first(&both));
			}
			cpumask_or(&seen, &seen, &n->cpus);
		}
		r = read_distances(rd, n, i, nr);
		if (r < 0)
			return r;
		n->has_memory = !mem_known || cpumask_test(&with_mem, n->id);
		n->mem_bytes = meminfo_total(rd, n->id);
	}
	if (numa) {
		struct cpumask lost;

		cpumask_andnot(&lost, &t->online, &seen);
		if (!cpumask_is_empty(&lost))
			return topo_fail(rd, -EINVAL,
					 "devices/system/node: online CPU %u is in no node",
					 cpumask_first(&lost));
	}
	if (is_live_sysfs(rd->root))
		topo_apply_libnuma(t);
	for (unsigned int i = 0; i < nr; i++)
		cpumask_for_each_cpu(cpu, &t->nodes[i].cpus)
			t->cpus[cpu].node = (int)t->nodes[i].id;
	return 0;
}

/* Cores in the order of their first CPU, with the LLC and node of that CPU. */
static int make_cores(struct topo *t, const struct topo_build *b)
{
	t->cores = calloc(b->nr_cores, sizeof(*t->cores));
	if (!t->cores)
		return -ENOMEM;
	t->nr_cores = b->nr_cores;
	for (unsigned int k = 0; k < b->nr_cores; k++) {
		struct topo_core *c = &t->cores[k];
		unsigned int cpu;

		c->id = k;
		c->cpus = b->cores[k].cpus;
		cpu = cpumask_first(&c->cpus);
		c->llc = t->cpus[cpu].llc;
		c->node = t->cpus[cpu].node;
		if (cpumask_weight(&c->cpus) > 1)
			t->smt = true;
		cpumask_for_each_cpu(cpu, &c->cpus)
			t->cpus[cpu].core = (int)k;
	}
	return 0;
}

/*
 * One LLC per (cache group, node), numbered in the order of first CPUs;
 * CPUs without cache information share one per node.
 */
static int make_llcs(struct topo *t, const struct topo_build *b)
{
	int *dense_of = NULL, *group_of = NULL;
	struct topo_llc *l;
	unsigned int nr = 0, cpu;
	int r = 0;

	t->llcs = calloc(t->nr_cpus, sizeof(*t->llcs));
	group_of = calloc(t->nr_cpus, sizeof(*group_of));
	dense_of = malloc((b->nr_caches + 1) * sizeof(*dense_of));
	if (!t->llcs || !group_of || !dense_of) {
		r = -ENOMEM;
		goto out;
	}
	for (unsigned int g = 0; g < b->nr_caches; g++)
		dense_of[g] = -1;
	cpumask_for_each_cpu(cpu, &t->online) {
		int g = b->cache_of[cpu], node = t->cpus[cpu].node, id = -1;

		if (g >= 0 && dense_of[g] >= 0 && t->llcs[dense_of[g]].node == node)
			id = dense_of[g];
		else if (g < 0 || dense_of[g] >= 0)
			/* Orphans, or a cache that spans nodes: look for this node's piece. */
			for (unsigned int k = 0; k < nr; k++)
				if (group_of[k] == g && t->llcs[k].node == node) {
					id = (int)k;
					break;
				}
		if (id < 0) {
			id = (int)nr++;
			group_of[id] = g;
			t->llcs[id].id = (unsigned int)id;
			t->llcs[id].kernel_id = g >= 0 ? b->caches[g].id : -1;
			t->llcs[id].node = node;
			if (g >= 0)
				dense_of[g] = id;
		}
		cpumask_set(&t->llcs[id].cpus, cpu);
		t->cpus[cpu].llc = id;
	}
	t->nr_llcs = nr;
	l = realloc(t->llcs, nr * sizeof(*t->llcs));
	if (l)
		t->llcs = l;
out:
	free(group_of);
	free(dense_of);
	return r;
}

static int build_alloc(struct topo_build *b, const struct topo *t)
{
	b->cores = calloc(t->nr_cpus, sizeof(*b->cores));
	b->caches = calloc(t->nr_cpus, sizeof(*b->caches));
	b->core_of = calloc(t->nr_cpu_ids, sizeof(*b->core_of));
	b->cache_of = calloc(t->nr_cpu_ids, sizeof(*b->cache_of));
	if (!b->cores || !b->caches || !b->core_of || !b->cache_of)
		return -ENOMEM;
	return 0;
}

static void build_free(struct topo_build *b)
{
	free(b->cores);
	free(b->caches);
	free(b->core_of);
	free(b->cache_of);
}

/* One pass over the tree into t (zeroed); on failure t holds what was read so far. */
static int read_all(struct topo_reader *rd, struct topo *t)
{
	struct topo_build b = { 0 };
	int r;

	r = topo_read_mask(rd, CPU_DIR "/online", MASK_MANDATORY, &t->online);
	if (r < 0)
		return r;
	t->nr_cpus = cpumask_weight(&t->online);
	if (t->nr_cpus == 0)
		return topo_fail(rd, -EINVAL, "devices/system/cpu/online: no CPU online");
	t->nr_cpu_ids = cpumask_last(&t->online) + 1;
	r = topo_read_mask(rd, CPU_DIR "/possible", 0, &t->possible);
	if (r == -ENOENT)
		t->possible = t->online;
	else if (r < 0)
		return r;
	if (!cpumask_is_subset(&t->online, &t->possible)) {
		struct cpumask odd;

		cpumask_andnot(&odd, &t->online, &t->possible);
		return topo_fail(rd, -EINVAL, "devices/system/cpu/possible: lacks online CPU %u",
				 cpumask_first(&odd));
	}
	r = topo_read_mask(rd, CPU_DIR "/isolated", 0, &t->isolated);
	if (r < 0 && r != -ENOENT)
		return r;
	r = topo_read_mask(rd, CPU_DIR "/nohz_full", MASK_NULL_EMPTY, &t->nohz_full);
	if (r < 0 && r != -ENOENT)
		return r;

	t->cpus = calloc(t->nr_cpu_ids, sizeof(*t->cpus));
	if (!t->cpus)
		return -ENOMEM;
	r = build_alloc(&b, t);
	if (r < 0)
		goto out;
	r = read_cpus(rd, t, &b);
	if (r < 0)
		goto out;
	r = read_nodes(rd, t);
	if (r < 0)
		goto out;
	r = make_llcs(t, &b);
	if (r < 0)
		goto out;
	r = make_cores(t, &b);
out:
	build_free(&b);
	return r;
}

/* Whether cpu/online now reads as something other than was. */
static bool online_changed(const char *root, const struct cpumask *was)
{
	char path[PATH_MAX], buf[CPUMASK_LIST_MAX];
	struct cpumask now;

	if (fileio_path(path, sizeof(path), root, CPU_DIR "/online") < 0 ||
	    fileio_read_small(path, buf, sizeof(buf)) < 0 || cpumask_parse_list(buf, &now) < 0)
		return false;
	return !cpumask_equal(&now, was);
}

int topo_load(const char *sysfs_root, struct topo **ret_topo, char *errbuf, size_t errlen)
{
	struct topo_reader rd = { .root = sysfs_root, .errbuf = errbuf, .errlen = errlen };
	char summary[TOPO_SUMMARY_MAX];
	struct topo *t;
	int r;

	if (!sysfs_root) {
		rd.root = "(none)";
		return topo_fail(&rd, -EINVAL, "no sysfs root given");
	}
	for (unsigned int attempt = 1;; attempt++) {
		if (errbuf && errlen)
			errbuf[0] = '\0';
		t = calloc(1, sizeof(*t));
		if (!t)
			return topo_fail(&rd, -ENOMEM, "out of memory");
		r = read_all(&rd, t);
		if (attempt == LOAD_TRIES || !online_changed(sysfs_root, &t->online))
			break;
		log_debug(
			"topology below %s: CPUs went on- or offline while reading; reading again",
			sysfs_root);
		topo_free(t);
	}
	if (r < 0) {
		if (r == -ENOMEM)
			topo_fail(&rd, r, "out of memory");
		topo_free(t);
		return r;
	}
	topo_format_summary(t, summary, sizeof(summary));
	log_debug("topology below %s: %s", sysfs_root, summary);
	*ret_topo = t;
	return 0;
}

void topo_free(struct topo *t)
{
	if (!t)
		return;
	for (unsigned int i = 0; i < t->nr_nodes; i++)
		free(t->nodes[i].distance);
	free(t->nodes);
	free(t->llcs);
	free(t->cores);
	free(t->cpus);
	free(t);
}

int topo_node_index(const struct topo *t, unsigned int node_id)
{
	for (unsigned int i = 0; i < t->nr_nodes; i++)
		if (t->nodes[i].id == node_id)
			return (int)i;
	return -1;
}

int topo_cpu_node(const struct topo *t, unsigned int cpu)
{
	return cpu < t->nr_cpu_ids ? t->cpus[cpu].node : -1;
}

int topo_cpu_llc(const struct topo *t, unsigned int cpu)
{
	return cpu < t->nr_cpu_ids ? t->cpus[cpu].llc : -1;
}

int topo_cpu_core(const struct topo *t, unsigned int cpu)
{
	return cpu < t->nr_cpu_ids ? t->cpus[cpu].core : -1;
}

static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < size - *len ? (size_t)n : size - *len - 1;
}

/* A short list form, or "(N CPUs)" when it would be long. */
static const char *brief(const struct cpumask *m, char *buf, size_t size)
{
	if (cpumask_format_list(m, buf, size) < 0)
		snprintf(buf, size, "(%u CPUs)", cpumask_weight(m));
	return buf;
}

void topo_format_summary(const struct topo *t, char *buf, size_t size)
{
	size_t len = 0;
	char l[48];

	if (size == 0)
		return;
	buf[0] = '\0';
	append(buf, size, &len, "%u CPUs %s, %u cores%s, %u LLCs, %u nodes", t->nr_cpus,
	       brief(&t->online, l, sizeof(l)), t->nr_cores, t->smt ? " SMT" : "", t->nr_llcs,
	       t->nr_nodes);
	for (unsigned int i = 0; i < t->nr_nodes; i++)
		append(buf, size, &len, " [%u: %s]", t->nodes[i].id,
		       cpumask_is_empty(&t->nodes[i].cpus)
			       ? "memory only"
			       : brief(&t->nodes[i].cpus, l, sizeof(l)));
	if (!cpumask_is_empty(&t->isolated))
		append(buf, size, &len, ", isolated %s", brief(&t->isolated, l, sizeof(l)));
	if (!cpumask_is_empty(&t->nohz_full))
		append(buf, size, &len, ", nohz_full %s", brief(&t->nohz_full, l, sizeof(l)));
}
