/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_CTL_H
#define SCX_AGENT_CTL_H

/*
 * CPU allocation: pure functions from the topology and the config to the
 * CPUs each layer owns. The backends write the result where it takes
 * effect (BPF maps, the sim's view).
 */
#include "common/config.h"
#include "common/cpumask.h"
#include "common/topology.h"

/*
 * The allocation with no load measured yet: every Confined and Grouped
 * layer gets its minimum (cpus_range min, or cpus_range_frac min x CPUs;
 * a Confined layer at least one CPU), from the lowest online CPUs up, in
 * layer order, while CPUs last. Open layers own none. masks[] has one
 * entry per layer.
 */
void ctl_min_allocation(const struct topo *t, const struct cfg *c, struct cpumask *masks);

#endif
