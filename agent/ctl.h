/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_CTL_H
#define SCX_AGENT_CTL_H

/*
 * The control loop's decisions (SCHEDULER.md 2.3-2.5, CONFIG.md 7) as
 * pure functions from inputs to a plan: utilization decay, per-layer CPU
 * targets, the weighted share of the machine, and which CPUs each layer
 * owns, LLC- and NUMA-aware along its growth order. Backends measure
 * (BPF counters, or the sim's synthetic load), call ctl_step() and write
 * the plan where it takes effect; nothing here reads or writes the system.
 *
 * What is not modelled (yet): per-node pinned demand of NumaNode layers,
 * cross-NUMA migration gates, the membw limit, StickyDynamic's whole-LLC
 * trading (it grows like Sticky), and CpuSetSpread's cgroup cpusets (it
 * interleaves LLCs like RoundRobin, without the shuffle).
 */
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/cpumask.h"
#include "common/topology.h"

/* Utilization half-life (SCHEDULER.md 2.3). */
#define CTL_HALF_LIFE_NS (100u * 1000u * 1000u)
/* Below this a layer's utilization counts as none. */
#define CTL_UTIL_MIN 0.01

/* The EWMA after elapsed_ns at cur: old x d + cur x (1 - d), d = 0.5^(elapsed / 100 ms). */
double ctl_decay(double old, double cur, uint64_t elapsed_ns);

/* A decayed peak: max(cur, old halved every half_life_ms); cur when half_life_ms is 0. */
double ctl_peak(double old, double cur, uint64_t elapsed_ns, uint64_t half_life_ms);

/*
 * The layer's CPU count limits on a machine of nr_cpus CPUs: cpus_range,
 * or cpus_range_frac (round half to even, min raised to 1, max to
 * [1, nr_cpus]), or [0, nr_cpus]; Open layers [0, 0].
 */
void ctl_cpus_range(const struct cfg_layer *l, unsigned int nr_cpus, unsigned int *ret_min,
		    unsigned int *ret_max);

/*
 * The layer's CPU target for the next step, given its decayed
 * utilization (in CPUs), its decayed peak (0 without
 * util_peak_half_life_ms) and the CPUs it holds now: Open 0; else the
 * current count clamped into [ceil(util / hi), floor(max(util, peak) /
 * lo)] (no change inside the band), then into ctl_cpus_range(); a shrink
 * moves half the way (rounded up) per step.
 */
unsigned int ctl_target(const struct cfg_layer *l, unsigned int nr_cpus, double util, double peak,
			unsigned int cur);

/*
 * Share total units between n layers wanting want[i] units, by weight:
 * everyone gets what they want when it fits; otherwise a weighted
 * water-fill (layers wanting less than their share get it, the rest is
 * split again) with largest-remainder rounding, and every layer that wants
 * something gets at least one unit while units last. ret[i] <= want[i].
 */
void ctl_share(size_t n, const unsigned int *want, const uint32_t *weight, unsigned int total,
	       unsigned int *ret);

/* Per-layer measurement of one period, in CPUs (CPU time / elapsed time). */
struct ctl_sample {
	double owned;  /* on CPUs the layer owns */
	double open;   /* on CPUs it does not own */
	double load;   /* runnable demand incl. queue wait (0: not measured) */
};

/* The per-layer view of the current plan. */
struct ctl_layer_view {
	double util;            /* decayed, what the target used */
	double load;            /* decayed */
	unsigned int target;    /* CPUs wanted */
	unsigned int nr_cpus;   /* CPUs owned (whole cores) */
};

struct ctl;

/*
 * The control loop for config c on topology t (both borrowed; they must
 * outlive the result). With prev (may be NULL; the previous config's
 * loop), layers of the same name keep their utilization and, where still
 * allowed, their CPUs, so a live update moves nothing it need not. The
 * first plan is the allocation at no load (each layer's cpus_range
 * minimum, at least one CPU for a Confined layer). Returns 0 and *ret
 * (ctl_free()), or -ENOMEM.
 */
int ctl_new(const struct topo *t, const struct cfg *c, const struct ctl *prev, struct ctl **ret);
void ctl_free(struct ctl *s);

/*
 * One step: samples[] has one entry per layer, measured over elapsed_ns.
 * Decays the utilization, sets the targets, shares the machine and moves
 * CPUs. Returns the number of layers whose CPUs changed.
 */
unsigned int ctl_step(struct ctl *s, const struct ctl_sample *samples, uint64_t elapsed_ns);

/* The CPUs layer owns in the current plan (empty for Open layers). */
const struct cpumask *ctl_layer_cpus(const struct ctl *s, size_t layer);
/* CPUs no layer owns: where Open layers (and spilling Grouped ones) run. */
const struct cpumask *ctl_open_cpus(const struct ctl *s);
void ctl_layer_view(const struct ctl *s, size_t layer, struct ctl_layer_view *ret);

/*
 * The growth order of a layer, as CPUs (each unit's CPUs in turn; whole
 * cores unless allow_partial_core): the order the layer takes CPUs in.
 * Writes at most max ids to ret and returns how many there are.
 */
size_t ctl_growth_cpus(const struct ctl *s, size_t layer, unsigned int *ret, size_t max);

/*
 * The allocation with no load measured yet, into masks[] (one per
 * layer): what ctl_new() plans first. Kept for callers that do not run
 * the loop; -ENOMEM leaves masks empty.
 */
int ctl_min_allocation(const struct topo *t, const struct cfg *c, struct cpumask *masks);

#endif
