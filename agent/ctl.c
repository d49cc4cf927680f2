/* SPDX-License-Identifier: GPL-2.0-only */
#include "agent/ctl.h"

void ctl_min_allocation(const struct topo *t, const struct cfg *c, struct cpumask *masks)
{
	unsigned int left = t->nr_cpus, next = cpumask_first(&t->online);

	for (size_t i = 0; i < c->nr_layers; i++) {
		const struct cfg_layer *l = &c->layers[i];
		unsigned int want = 0;

		cpumask_zero(&masks[i]);
		if (l->kind == CFG_KIND_OPEN)
			continue;
		if (l->has_cpus_range)
			want = l->cpus_range[0] < left ? (unsigned int)l->cpus_range[0] : left;
		else if (l->has_cpus_range_frac)
			want = (unsigned int)(l->cpus_range_frac[0] * t->nr_cpus);
		if (l->kind == CFG_KIND_CONFINED && want == 0)
			want = 1;
		if (want > left)
			want = left;
		left -= want;
		for (unsigned int k = 0; k < want && next < CPUMASK_MAX_CPUS; k++) {
			cpumask_set(&masks[i], next);
			next = cpumask_next(&t->online, next + 1);
		}
	}
}
