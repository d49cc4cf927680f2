/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Topology from sysfs. Every file is read through one helper that records
 * the failing path in the caller's error buffer, so that a broken tree
 * yields "devices/system/node/node1/distance: 3 entries for 2 nodes", not a
 * bare -EINVAL.
 */
#include <dirent.h>
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
#include "common/parse.h"
#include "common/topology.h"

struct topo_reader {
	const char *root;
	char *errbuf;
	size_t errlen;
};

static int topo_fail(struct topo_reader *rd, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int topo_fail(struct topo_reader *rd, int r, const char *fmt, ...)
{
	va_list ap;

	if (rd->errbuf && rd->errlen) {
		va_start(ap, fmt);
		vsnprintf(rd->errbuf, rd->errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* Read root/rel into buf; -ENOENT when absent (callers decide if that is fine). */
static int topo_read(struct topo_reader *rd, const char *rel, char *buf, size_t size)
{
	char path[PATH_MAX];
	int r;

	r = fileio_path(path, sizeof(path), rd->root, rel);
	if (r < 0)
		return topo_fail(rd, r, "%s: path too long", rel);
	r = fileio_read_small(path, buf, size);
	if (r < 0 && r != -ENOENT)
		return topo_fail(rd, r, "%s: %s", rel, strerror(-r));
	return r;
}

static int topo_read_mask(struct topo_reader *rd, const char *rel, struct cpumask *ret, bool optional)
{
	char buf[CPUMASK_LIST_MAX];
	int r;

	r = topo_read(rd, rel, buf, sizeof(buf));
	if (r == -ENOENT && optional) {
		cpumask_zero(ret);
		return 0;
	}
	if (r == -ENOENT)
		return topo_fail(rd, r, "%s: missing", rel);
	if (r < 0)
		return r;
	/* nohz_full says "(null)" when it is off. */
	if (strcmp(buf, "(null)") == 0) {
		cpumask_zero(ret);
		return 0;
	}
	r = cpumask_parse_list(buf, ret);
	if (r < 0)
		return topo_fail(rd, r, "%s: not a CPU list: '%.64s'", rel, buf);
	return 0;
}

static int topo_read_int(struct topo_reader *rd, const char *rel, int min, int max, int *ret)
{
	char buf[64];
	int r;

	r = topo_read(rd, rel, buf, sizeof(buf));
	if (r < 0)
		return r;
	r = parse_int(buf, min, max, ret);
	if (r < 0)
		return topo_fail(rd, r, "%s: not a number in [%d, %d]: '%s'", rel, min, max, buf);
	return 0;
}

/* Give equal masks the same dense id, in order of first appearance. */
static int dense_id(struct cpumask *seen, unsigned int *nr, unsigned int cap, const struct cpumask *m)
{
	for (unsigned int i = 0; i < *nr; i++)
		if (cpumask_equal(&seen[i], m))
			return (int)i;
	if (*nr == cap)
		return -E2BIG;
	seen[*nr] = *m;
	return (int)(*nr)++;
}

static int topo_read_cpus(struct topo_reader *rd, struct topo *t)
{
	struct cpumask *cores = NULL, *llcs = NULL;
	unsigned int nr_cores = 0, nr_llcs = 0, cpu;
	char rel[128];
	int r = 0;

	t->cpus = calloc(t->nr_cpu_ids, sizeof(*t->cpus));
	cores = calloc(t->nr_cpus, sizeof(*cores));
	llcs = calloc(t->nr_cpus, sizeof(*llcs));
	if (!t->cpus || !cores || !llcs) {
		r = -ENOMEM;
		goto out;
	}
	for (cpu = 0; cpu < t->nr_cpu_ids; cpu++) {
		t->cpus[cpu].core = t->cpus[cpu].llc = t->cpus[cpu].node = -1;
		t->cpus[cpu].capacity = 1024;
	}
	cpumask_for_each_cpu(cpu, &t->online) {
		struct topo_cpu *c = &t->cpus[cpu];
		struct cpumask sib, llc;
		int best_level = -1, v;

		c->online = true;
		snprintf(rel, sizeof(rel), "devices/system/cpu/cpu%u/topology/thread_siblings_list", cpu);
		r = topo_read_mask(rd, rel, &sib, true);
		if (r < 0)
			goto out;
		/* Siblings that are offline are not part of the core as we see it. */
		cpumask_and(&sib, &sib, &t->online);
		if (!cpumask_test(&sib, cpu)) {
			cpumask_zero(&sib);
			cpumask_set(&sib, cpu);
		}
		r = dense_id(cores, &nr_cores, t->nr_cpus, &sib);
		if (r < 0)
			goto out;
		c->core = r;
		snprintf(rel, sizeof(rel), "devices/system/cpu/cpu%u/topology/physical_package_id", cpu);
		r = topo_read_int(rd, rel, -1, INT_MAX, &v);
		if (r < 0 && r != -ENOENT)
			goto out;
		c->package = r == 0 ? v : 0;
		snprintf(rel, sizeof(rel), "devices/system/cpu/cpu%u/cpu_capacity", cpu);
		r = topo_read_int(rd, rel, 0, 1 << 20, &v);
		if (r < 0 && r != -ENOENT)
			goto out;
		if (r == 0)
			c->capacity = (uint32_t)v;

		/* The last-level cache: the highest level that holds data. */
		cpumask_zero(&llc);
		for (unsigned int idx = 0; idx < 16; idx++) {
			char type[32];
			int level;

			snprintf(rel, sizeof(rel), "devices/system/cpu/cpu%u/cache/index%u/level", cpu, idx);
			r = topo_read_int(rd, rel, 0, 16, &level);
			if (r == -ENOENT)
				break;
			if (r < 0)
				goto out;
			snprintf(rel, sizeof(rel), "devices/system/cpu/cpu%u/cache/index%u/type", cpu, idx);
			r = topo_read(rd, rel, type, sizeof(type));
			if (r < 0 && r != -ENOENT)
				goto out;
			if (r >= 0 && strcmp(type, "Instruction") == 0)
				continue;
			if (level <= best_level)
				continue;
			snprintf(rel, sizeof(rel), "devices/system/cpu/cpu%u/cache/index%u/shared_cpu_list",
				 cpu, idx);
			r = topo_read_mask(rd, rel, &llc, false);
			if (r < 0)
				goto out;
			best_level = level;
		}
		r = 0;
		cpumask_and(&llc, &llc, &t->online);
		if (best_level < 0 || !cpumask_test(&llc, cpu)) {
			/* Unknown: decided per node once nodes are known. */
			c->llc = -1;
			continue;
		}
		r = dense_id(llcs, &nr_llcs, t->nr_cpus, &llc);
		if (r < 0)
			goto out;
		c->llc = r;
		r = 0;
	}
	t->nr_cores = nr_cores;
	for (unsigned int i = 0; i < nr_cores; i++)
		if (cpumask_weight(&cores[i]) > 1)
			t->smt = true;
	if (nr_llcs) {
		t->llcs = calloc(nr_llcs, sizeof(*t->llcs));
		if (!t->llcs) {
			r = -ENOMEM;
			goto out;
		}
		for (unsigned int i = 0; i < nr_llcs; i++) {
			t->llcs[i].id = i;
			t->llcs[i].cpus = llcs[i];
			t->llcs[i].node = -1;
		}
		t->nr_llcs = nr_llcs;
	}
	/* An LLC listed by one CPU must list the same set for all of its CPUs. */
	for (unsigned int i = 0; i < nr_llcs; i++)
		for (unsigned int j = i + 1; j < nr_llcs; j++)
			if (cpumask_intersects(&llcs[i], &llcs[j])) {
				r = topo_fail(rd, -EINVAL, "devices/system/cpu: CPU %u is in two caches",
					      cpumask_first(&llcs[i]));
				goto out;
			}
out:
	free(cores);
	free(llcs);
	return r;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static uint64_t meminfo_total(struct topo_reader *rd, unsigned int node)
{
	char rel[96], buf[4096], *p;
	unsigned long long kb;

	snprintf(rel, sizeof(rel), "devices/system/node/node%u/meminfo", node);
	if (topo_read(rd, rel, buf, sizeof(buf)) < 0)
		return 0;
	p = strstr(buf, "MemTotal:");
	if (!p || sscanf(p, "MemTotal: %llu kB", &kb) != 1)
		return 0;
	return (uint64_t)kb * 1024;
}

static bool is_live_sysfs(const char *root)
{
	return strcmp(root, "/sys") == 0 || strcmp(root, "/sys/") == 0;
}

static int topo_read_nodes(struct topo_reader *rd, struct topo *t)
{
	unsigned int ids[TOPO_MAX_NODES], nr = 0, cpu;
	struct cpumask node_ids, with_mem, seen;
	char rel[96], buf[8192];
	int r;

	r = topo_read_mask(rd, "devices/system/node/online", &node_ids, true);
	if (r < 0)
		return r;
	if (cpumask_is_empty(&node_ids)) {
		/* No NUMA information: one node holding every CPU. */
		cpumask_set(&node_ids, 0);
	}
	cpumask_for_each_cpu(cpu, &node_ids) {
		if (cpu >= TOPO_MAX_NODES)
			return topo_fail(rd, -EINVAL, "devices/system/node/online: node %u past %u",
					 cpu, TOPO_MAX_NODES);
		ids[nr++] = cpu;
	}
	qsort(ids, nr, sizeof(ids[0]), cmp_uint);
	r = topo_read_mask(rd, "devices/system/node/has_memory", &with_mem, true);
	if (r < 0)
		return r;
	t->nodes = calloc(nr, sizeof(*t->nodes));
	if (!t->nodes)
		return -ENOMEM;
	t->nr_nodes = nr;
	cpumask_zero(&seen);
	for (unsigned int i = 0; i < nr; i++) {
		struct topo_node *n = &t->nodes[i];
		char *s, *save = NULL;
		unsigned int k = 0;

		n->id = ids[i];
		n->distance = calloc(nr, sizeof(*n->distance));
		if (!n->distance)
			return -ENOMEM;
		snprintf(rel, sizeof(rel), "devices/system/node/node%u/cpulist", n->id);
		r = topo_read_mask(rd, rel, &n->cpus, nr == 1);
		if (r < 0)
			return r;
		if (nr == 1 && cpumask_is_empty(&n->cpus))
			n->cpus = t->online;
		cpumask_and(&n->cpus, &n->cpus, &t->online);
		if (cpumask_intersects(&n->cpus, &seen)) {
			struct cpumask both;

			cpumask_and(&both, &n->cpus, &seen);
			return topo_fail(rd, -EINVAL, "%s: CPU %u is in two nodes", rel,
					 cpumask_first(&both));
		}
		cpumask_or(&seen, &seen, &n->cpus);
		n->has_memory = cpumask_test(&with_mem, n->id) || cpumask_is_empty(&with_mem);

		snprintf(rel, sizeof(rel), "devices/system/node/node%u/distance", n->id);
		r = topo_read(rd, rel, buf, sizeof(buf));
		if (r == -ENOENT) {
			for (unsigned int j = 0; j < nr; j++)
				n->distance[j] = i == j ? 10 : 20;
		} else if (r < 0) {
			return r;
		} else {
			for (s = strtok_r(buf, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
				unsigned int d;

				if (k == nr)
					return topo_fail(rd, -EINVAL, "%s: more than %u entries", rel, nr);
				if (parse_u32(s, 255, &d) < 0)
					return topo_fail(rd, -EINVAL, "%s: not a distance: '%s'", rel, s);
				n->distance[k++] = d;
			}
			if (k != nr)
				return topo_fail(rd, -EINVAL, "%s: %u entries for %u nodes", rel, k, nr);
		}
		if (is_live_sysfs(rd->root) && numa_available() >= 0) {
			long long size = numa_node_size64((int)n->id, NULL);

			n->mem_bytes = size > 0 ? (uint64_t)size : 0;
		} else {
			n->mem_bytes = meminfo_total(rd, n->id);
		}
	}
	/* CPUs no node claims (a sysfs without them): the first node takes them. */
	cpumask_for_each_cpu(cpu, &t->online) {
		if (!cpumask_test(&seen, cpu))
			cpumask_set(&t->nodes[0].cpus, cpu);
	}
	for (unsigned int i = 0; i < nr; i++)
		cpumask_for_each_cpu(cpu, &t->nodes[i].cpus)
			t->cpus[cpu].node = (int)t->nodes[i].id;
	return 0;
}

/* CPUs with no cache information: one LLC per node for them. */
static int topo_fill_llcs(struct topo *t)
{
	for (unsigned int i = 0; i < t->nr_nodes; i++) {
		struct cpumask orphans;
		struct topo_llc *n;
		unsigned int cpu;

		cpumask_zero(&orphans);
		cpumask_for_each_cpu(cpu, &t->nodes[i].cpus)
			if (t->cpus[cpu].llc < 0)
				cpumask_set(&orphans, cpu);
		if (cpumask_is_empty(&orphans))
			continue;
		n = realloc(t->llcs, (t->nr_llcs + 1) * sizeof(*t->llcs));
		if (!n)
			return -ENOMEM;
		t->llcs = n;
		t->llcs[t->nr_llcs].id = t->nr_llcs;
		t->llcs[t->nr_llcs].cpus = orphans;
		cpumask_for_each_cpu(cpu, &orphans)
			t->cpus[cpu].llc = (int)t->nr_llcs;
		t->nr_llcs++;
	}
	for (unsigned int i = 0; i < t->nr_llcs; i++)
		t->llcs[i].node = t->cpus[cpumask_first(&t->llcs[i].cpus)].node;
	return 0;
}

int topo_load(const char *sysfs_root, struct topo **ret_topo, char *errbuf, size_t errlen)
{
	struct topo_reader rd = { .root = sysfs_root, .errbuf = errbuf, .errlen = errlen };
	struct topo *t;
	int r;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	r = topo_read_mask(&rd, "devices/system/cpu/online", &t->online, false);
	if (r < 0)
		goto err;
	t->nr_cpus = cpumask_weight(&t->online);
	if (t->nr_cpus == 0) {
		r = topo_fail(&rd, -EINVAL, "devices/system/cpu/online: no CPU online");
		goto err;
	}
	for (unsigned int cpu = cpumask_first(&t->online); cpu < CPUMASK_MAX_CPUS;
	     cpu = cpumask_next(&t->online, cpu + 1))
		t->nr_cpu_ids = cpu + 1;
	r = topo_read_mask(&rd, "devices/system/cpu/isolated", &t->isolated, true);
	if (r < 0)
		goto err;
	r = topo_read_mask(&rd, "devices/system/cpu/nohz_full", &t->nohz_full, true);
	if (r < 0)
		goto err;
	r = topo_read_cpus(&rd, t);
	if (r < 0)
		goto err;
	r = topo_read_nodes(&rd, t);
	if (r < 0)
		goto err;
	r = topo_fill_llcs(t);
	if (r < 0)
		goto err;
	*ret_topo = t;
	return 0;
err:
	if (r == -ENOMEM)
		topo_fail(&rd, r, "out of memory");
	topo_free(t);
	return r;
}

void topo_free(struct topo *t)
{
	if (!t)
		return;
	for (unsigned int i = 0; i < t->nr_nodes; i++)
		free(t->nodes[i].distance);
	free(t->nodes);
	free(t->llcs);
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
