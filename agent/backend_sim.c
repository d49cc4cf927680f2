/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sim backend: everything except the kernel scheduler. It keeps the
 * applied layers and hands out CPUs the way the control loop would with no
 * load (each layer's cpus_range minimum, Confined and Grouped only, in
 * layer order, lowest online CPUs first), so that status, IRQ balancing
 * and tests see an honest allocation. It never claims to schedule tasks:
 * explain is unsupported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/backend.h"
#include "agent/ctl.h"

struct backend {
	const struct topo *topo;
	const struct cfg *cfg;
	bool attached;
	unsigned int *cpus;       /* per layer */
	struct cpumask *masks;    /* per layer */
	size_t nr;
};

static struct backend *sim_create(const struct topo *topo, const char *sysfs_root,
				  const char *procfs_root)
{
	struct backend *b = calloc(1, sizeof(*b));

	(void)sysfs_root;
	(void)procfs_root;
	if (b)
		b->topo = topo;
	return b;
}

static void sim_destroy(struct backend *b)
{
	if (!b)
		return;
	free(b->cpus);
	free(b->masks);
	free(b);
}

static int sim_allocate(struct backend *b, const struct cfg *c)
{
	unsigned int *cpus = calloc(c->nr_layers ? c->nr_layers : 1, sizeof(*cpus));
	struct cpumask *masks = calloc(c->nr_layers ? c->nr_layers : 1, sizeof(*masks));

	if (!cpus || !masks) {
		free(cpus);
		free(masks);
		return -ENOMEM;
	}
	ctl_min_allocation(b->topo, c, masks);
	for (size_t i = 0; i < c->nr_layers; i++)
		cpus[i] = cpumask_weight(&masks[i]);
	free(b->cpus);
	free(b->masks);
	b->cpus = cpus;
	b->masks = masks;
	b->nr = c->nr_layers;
	return 0;
}

static int sim_attach(struct backend *b, const struct cfg *c, char *err, size_t errlen)
{
	int r = sim_allocate(b, c);

	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		return r;
	}
	b->cfg = c;
	b->attached = true;
	return 0;
}

static int sim_detach(struct backend *b)
{
	b->attached = false;
	b->cfg = NULL;
	return 0;
}

static enum backend_state sim_state(const struct backend *b, char *reason, size_t len)
{
	if (len)
		reason[0] = '\0';
	return b->attached ? BACKEND_ATTACHED : BACKEND_DETACHED;
}

static int sim_layer_stats(const struct backend *b, size_t layer, struct backend_layer_stats *ret)
{
	if (!b->attached || layer >= b->nr)
		return -ENODATA;
	memset(ret, 0, sizeof(*ret));
	ret->nr_cpus = b->cpus[layer];
	return 0;
}

static int sim_layer_cpus(const struct backend *b, size_t layer, struct cpumask *ret)
{
	if (!b->attached || layer >= b->nr)
		return -ENODATA;
	*ret = b->masks[layer];
	return 0;
}

static int sim_explain(const struct backend *b, int pid, size_t *ret_layer, char *why, size_t len)
{
	(void)b;
	(void)pid;
	(void)ret_layer;
	snprintf(why, len, "the sim backend does not schedule tasks");
	return -EOPNOTSUPP;
}

static void sim_tick(struct backend *b)
{
	(void)b;
}

static const int *sim_caps(const struct backend *b, size_t *ret_n)
{
	(void)b;
	*ret_n = 0;
	return NULL;
}

const struct backend_ops backend_sim_ops = {
	.name = "sim",
	.create = sim_create,
	.destroy = sim_destroy,
	.attach = sim_attach,
	.update = sim_attach,
	.detach = sim_detach,
	.state = sim_state,
	.layer_cpus = sim_layer_cpus,
	.layer_stats = sim_layer_stats,
	.explain = sim_explain,
	.tick = sim_tick,
	.caps = sim_caps,
};
