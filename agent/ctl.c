/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control loop's decisions: pure functions from the topology, the
 * config and per-layer measurements to the CPUs each layer owns.
 *
 * Model: the machine is cut into units (whole cores, or single CPUs with
 * allow_partial_core). Each layer has a static growth order of units (its
 * home node first for the locality algorithms, LLC by LLC, as CONFIG.md 7
 * describes) and holds a set of units. A step decays utilization, turns
 * it into CPU targets, shares the units by weight when targets do not
 * fit, releases units from the end of each layer's order and hands free
 * units out from the front, the most constrained layer (fewest allowed
 * units) first, then the smallest. A unit is held by at most one layer;
 * Open layers hold none.
 *
 * Invariants after every step: no CPU in two layers; a layer holds only
 * units its nodes/llcs/cpuset allow; a layer's units never exceed its
 * share; and, when nothing else changed, nothing moves.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent/ctl.h"

struct ctl_unit {
	unsigned int core;      /* dense core id */
	int cpu;                /* the one CPU with partial cores, else -1 */
	int node;               /* kernel node id */
	int llc;                /* dense LLC id */
	unsigned int nr_cpus;
	uint32_t capacity;
};

struct ctl_layer {
	unsigned int *order;    /* unit indices, the layer's growth order */
	size_t nr_order;
	unsigned int *pos;      /* per unit: its index in order, or UINT32_MAX */
	struct cpumask allowed;
	bool spread;            /* NodeSpread*: equal units on each allowed node */
	double util, peak, load;
	unsigned int target;
	unsigned int nr_units;  /* units held */
	struct cpumask cpus;    /* CPUs held */
};

struct ctl {
	const struct topo *topo;
	const struct cfg *cfg;
	struct ctl_unit *units;
	size_t nr_units;
	int *owner;             /* per unit: layer index, -1 free */
	struct ctl_layer *layers;
	size_t nr_layers;
	struct cpumask open;
};

double ctl_decay(double old, double cur, uint64_t elapsed_ns)
{
	double d = exp2(-(double)elapsed_ns / (double)CTL_HALF_LIFE_NS);

	return old * d + cur * (1.0 - d);
}

double ctl_peak(double old, double cur, uint64_t elapsed_ns, uint64_t half_life_ms)
{
	double decayed;

	if (!half_life_ms)
		return cur;
	decayed = old * exp2(-(double)elapsed_ns / ((double)half_life_ms * 1e6));
	return cur > decayed ? cur : decayed;
}

static unsigned int clamp_u(unsigned int v, unsigned int lo, unsigned int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* A non-negative double to unsigned, saturating (NaN counts as 0). */
static unsigned int to_u(double v)
{
	if (!(v > 0))
		return 0;
	return v >= 4294967295.0 ? UINT32_MAX : (unsigned int)v;
}

void ctl_cpus_range(const struct cfg_layer *l, unsigned int nr_cpus, unsigned int *ret_min,
		    unsigned int *ret_max)
{
	unsigned int lo = 0, hi = nr_cpus;

	if (l->kind == CFG_KIND_OPEN) {
		*ret_min = *ret_max = 0;
		return;
	}
	if (l->has_cpus_range) {
		lo = l->cpus_range[0] < nr_cpus ? (unsigned int)l->cpus_range[0] : nr_cpus;
		hi = l->cpus_range[1] < nr_cpus ? (unsigned int)l->cpus_range[1] : nr_cpus;
	} else if (l->has_cpus_range_frac) {
		/* nearbyint() rounds half to even in the default rounding mode. */
		lo = to_u(nearbyint(l->cpus_range_frac[0] * nr_cpus));
		hi = to_u(nearbyint(l->cpus_range_frac[1] * nr_cpus));
		lo = lo < 1 ? 1 : lo;
		hi = clamp_u(hi, 1, nr_cpus ? nr_cpus : 1);
	}
	/* A Confined layer keeps a CPU, so that its tasks are never stranded. */
	if (l->kind == CFG_KIND_CONFINED && lo == 0 && hi > 0)
		lo = 1;
	if (lo > hi)
		lo = hi;
	*ret_min = lo;
	*ret_max = hi;
}

unsigned int ctl_target(const struct cfg_layer *l, unsigned int nr_cpus, double util, double peak,
			unsigned int cur)
{
	unsigned int rmin, rmax, t = cur;

	if (l->kind == CFG_KIND_OPEN)
		return 0;
	if (!(util >= CTL_UTIL_MIN))
		util = 0;
	if (!(peak >= util))
		peak = util;
	if (l->has_util_range) {
		double lo = l->util_range[0], hi = l->util_range[1];
		unsigned int low, high;

		low = hi > 0 ? to_u(ceil(util / hi)) : (util > 0 ? nr_cpus : 0);
		high = lo > 0 ? to_u(floor(peak / lo)) : nr_cpus;
		if (high < low)
			high = low;
		t = clamp_u(cur, low, high);
	}
	ctl_cpus_range(l, nr_cpus, &rmin, &rmax);
	t = clamp_u(t, rmin, rmax);
	if (t < cur) {
		/* Damped shrink: half the distance, rounded up, never below the range. */
		t = cur - (cur - t + 1) / 2;
		if (t < rmin)
			t = rmin;
	}
	return t;
}

void ctl_share(size_t n, const unsigned int *want, const uint32_t *weight, unsigned int total,
	       unsigned int *ret)
{
	unsigned long long sum = 0;
	unsigned int left = total;
	bool done;

	for (size_t i = 0; i < n; i++) {
		sum += want[i];
		ret[i] = 0;
	}
	if (sum <= total) {
		memcpy(ret, want, n * sizeof(*ret));
		return;
	}
	/* Water-fill: whoever wants less than a weighted share of what is left gets it all. */
	do {
		double wsum = 0;

		done = true;
		for (size_t i = 0; i < n; i++)
			if (ret[i] < want[i])
				wsum += weight[i] ? weight[i] : 1;
		if (wsum == 0 || left == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			double w = weight[i] ? weight[i] : 1;

			if (ret[i] < want[i] && want[i] - ret[i] <= (double)left * w / wsum) {
				left -= want[i] - ret[i];
				ret[i] = want[i];
				done = false;
			}
		}
	} while (!done);
	/* The rest: floors of the weighted shares, then the largest remainders. */
	if (left) {
		double wsum = 0, *rem = calloc(n ? n : 1, sizeof(*rem));
		unsigned int given = 0;

		if (!rem)
			n = 0;  /* out of memory: what was filled so far stands */

		for (size_t i = 0; i < n; i++)
			if (ret[i] < want[i])
				wsum += weight[i] ? weight[i] : 1;
		for (size_t i = 0; i < n && wsum > 0; i++) {
			double s;

			rem[i] = -1;
			if (ret[i] >= want[i])
				continue;
			s = (double)left * (weight[i] ? weight[i] : 1) / wsum;
			ret[i] += (unsigned int)s;
			given += (unsigned int)s;
			rem[i] = s - floor(s);
		}
		while (given < left && wsum > 0) {
			size_t best = n;

			for (size_t i = 0; i < n; i++)
				if (ret[i] < want[i] && rem[i] >= 0 && (best == n || rem[i] > rem[best]))
					best = i;
			if (best == n)
				break;
			ret[best]++;
			rem[best] = -1;
			given++;
		}
		free(rem);
	}
	/* Everyone who wants something gets a unit, taken from the largest holder. */
	for (size_t i = 0; i < n; i++) {
		size_t big = n;

		if (!want[i] || ret[i])
			continue;
		for (size_t j = 0; j < n; j++)
			if (ret[j] > 1 && (big == n || ret[j] > ret[big]))
				big = j;
		if (big == n)
			break;
		ret[big]--;
		ret[i] = 1;
	}
}

/* ------------------------------------------------------------ growth orders */

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: stable from run to run, seeded by the layer index. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void shuffle(unsigned int *v, size_t n, uint64_t seed)
{
	uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;

	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rng_next(&s) % i);
		unsigned int t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

static void rotate(unsigned int *v, size_t n, size_t by)
{
	unsigned int t;

	if (n < 2 || !(by %= n))
		return;
	/* Three reversals. */
	for (size_t i = 0, j = by - 1; i < j; i++, j--)
		t = v[i], v[i] = v[j], v[j] = t;
	for (size_t i = by, j = n - 1; i < j; i++, j--)
		t = v[i], v[i] = v[j], v[j] = t;
	for (size_t i = 0, j = n - 1; i < j; i++, j--)
		t = v[i], v[i] = v[j], v[j] = t;
}

static void reverse(unsigned int *v, size_t n)
{
	for (size_t i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
		unsigned int t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

static bool topology_aware(const struct ctl *s)
{
	if (s->cfg->opts.disable_topology == CFG_TRUE)
		return false;
	if (s->cfg->opts.disable_topology == CFG_FALSE)
		return true;
	return !(s->topo->nr_nodes == 1 && s->topo->nr_llcs == 1);
}

/* The units of node node_id, ascending, into v; returns the count. */
static size_t units_of_node(const struct ctl *s, int node_id, unsigned int *v)
{
	size_t n = 0;

	for (size_t u = 0; u < s->nr_units; u++)
		if (s->units[u].node == node_id)
			v[n++] = (unsigned int)u;
	return n;
}

/* The distinct LLCs of v, in order of appearance; returns the count. */
static size_t llcs_of(const struct ctl *s, const unsigned int *v, size_t n, int *ret)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < k && ret[j] != s->units[v[i]].llc)
			j++;
		if (j == k)
			ret[k++] = s->units[v[i]].llc;
	}
	return k;
}

struct llc_arg {
	uint64_t seed;
	size_t idx, nr_layers;
};

/*
 * Rearrange v LLC by LLC (LLCs in the order of llcs[], each group stable),
 * apply fn to each LLC's units, then keep the groups contiguous or
 * interleave them (the first unit of each LLC, then the second...). tmp
 * is scratch of n entries.
 */
static int arrange_llcs(const struct ctl *s, unsigned int *v, size_t n, const int *llcs, size_t nl,
			unsigned int *tmp, bool interleave,
			void (*fn)(unsigned int *g, size_t c, size_t j, const struct llc_arg *a),
			const struct llc_arg *arg)
{
	size_t *starts = calloc(nl + 1, sizeof(*starts)), k = 0;

	if (!starts)
		return -ENOMEM;
	for (size_t j = 0; j < nl; j++) {
		starts[j] = k;
		for (size_t i = 0; i < n; i++)
			if (s->units[v[i]].llc == llcs[j])
				tmp[k++] = v[i];
	}
	starts[nl] = k;
	for (size_t j = 0; fn && j < nl; j++)
		fn(tmp + starts[j], starts[j + 1] - starts[j], j, arg);
	if (!interleave) {
		memcpy(v, tmp, k * sizeof(*v));
	} else {
		size_t out = 0;

		for (size_t r = 0; out < k; r++)
			for (size_t j = 0; j < nl; j++)
				if (starts[j] + r < starts[j + 1])
					v[out++] = tmp[starts[j] + r];
	}
	free(starts);
	return 0;
}

static void llc_shuffle(unsigned int *g, size_t c, size_t j, const struct llc_arg *a)
{
	shuffle(g, c, a->seed * 31 + j);
}

/* Sticky inside an LLC: rotated by the layer's offset, odd layers walking backwards. */
static void llc_sticky(unsigned int *g, size_t c, size_t j, const struct llc_arg *a)
{
	(void)j;
	rotate(g, c, a->nr_layers ? a->idx * c / a->nr_layers : 0);
	if (a->idx % 2)
		reverse(g, c);
}

/* Shuffle LLC ids (ints) with the same generator. */
static void shuffle_ints(int *v, size_t n, uint64_t seed)
{
	uint64_t st = seed * 0x9E3779B97F4A7C15ULL + 1;

	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rng_next(&st) % i);
		int t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

static void rotate_ints(int *v, size_t n, size_t by)
{
	for (size_t r = 0; n > 1 && r < by % n; r++) {
		int first = v[0];

		memmove(v, v + 1, (n - 1) * sizeof(*v));
		v[n - 1] = first;
	}
}

static int cmp_capacity_desc(const void *a, const void *b, void *arg)
{
	const struct ctl *s = arg;
	const struct ctl_unit *x = &s->units[*(const unsigned int *)a], *y = &s->units[*(const unsigned int *)b];

	if (x->capacity != y->capacity)
		return x->capacity > y->capacity ? -1 : 1;
	return x->core < y->core ? -1 : x->core > y->core;
}

/*
 * Order the n units of one node (ascending in v) for layer idx of
 * nr_layers with algorithm g. tmp and llcs are scratch of n entries.
 * Returns 0 or -ENOMEM.
 */
static int order_node(const struct ctl *s, const struct cfg_layer *l, size_t idx, size_t nr_layers,
		      enum cfg_growth g, unsigned int *v, size_t n, unsigned int *tmp, int *llcs)
{
	size_t nl = llcs_of(s, v, n, llcs), off = nr_layers ? idx * n / nr_layers : 0;
	struct llc_arg arg = { idx + 1, idx, nr_layers };

	switch (g) {
	case CFG_GROWTH_LINEAR:
		if (!l->nr_llcs)
			rotate(v, n, off);
		return 0;
	case CFG_GROWTH_REVERSE:
		if (!l->nr_llcs)
			rotate(v, n, off);
		reverse(v, n);
		return 0;
	case CFG_GROWTH_NODE_SPREAD:
		return 0;
	case CFG_GROWTH_NODE_SPREAD_REVERSE:
		reverse(v, n);
		return 0;
	case CFG_GROWTH_RANDOM:
	case CFG_GROWTH_NODE_SPREAD_RANDOM:
		shuffle(v, n, arg.seed);
		return 0;
	case CFG_GROWTH_BIG_LITTLE:
		qsort_r(v, n, sizeof(*v), cmp_capacity_desc, (void *)s);
		return 0;
	case CFG_GROWTH_LITTLE_BIG:
		qsort_r(v, n, sizeof(*v), cmp_capacity_desc, (void *)s);
		reverse(v, n);
		return 0;
	case CFG_GROWTH_TOPO:
		if (l->nr_llcs) {
			/* The layer's LLCs first, in the order listed, then the rest ascending. */
			size_t k = 0;

			for (size_t j = 0; j < l->nr_llcs; j++)
				for (size_t i = 0; i < n; i++)
					if ((uint64_t)s->units[v[i]].llc == l->llcs[j])
						tmp[k++] = v[i];
			for (size_t i = 0; i < n; i++) {
				bool listed = false;

				for (size_t j = 0; j < l->nr_llcs; j++)
					listed |= (uint64_t)s->units[v[i]].llc == l->llcs[j];
				if (!listed)
					tmp[k++] = v[i];
			}
			memcpy(v, tmp, n * sizeof(*v));
			return 0;
		}
		if (l->nr_nodes)
			return 0;
		/* Neither llcs nor nodes: RoundRobin's order inside the node. */
		shuffle_ints(llcs, nl, arg.seed);
		return arrange_llcs(s, v, n, llcs, nl, tmp, true, llc_shuffle, &arg);
	case CFG_GROWTH_ROUND_ROBIN:
		/* LLC order and each LLC's cores shuffled, then interleaved. */
		shuffle_ints(llcs, nl, arg.seed);
		return arrange_llcs(s, v, n, llcs, nl, tmp, true, llc_shuffle, &arg);
	case CFG_GROWTH_CPUSET_SPREAD:
	case CFG_GROWTH_CPUSET_SPREAD_REVERSE:
	case CFG_GROWTH_CPUSET_SPREAD_RANDOM:
		/* No cgroup cpusets here: the LLCs interleaved, rotated per layer. */
		if (arrange_llcs(s, v, n, llcs, nl, tmp, true,
				 g == CFG_GROWTH_CPUSET_SPREAD_RANDOM ? llc_shuffle : NULL, &arg) < 0)
			return -ENOMEM;
		rotate(v, n, off);
		if (g == CFG_GROWTH_CPUSET_SPREAD_REVERSE)
			reverse(v, n);
		return 0;
	case CFG_GROWTH_RANDOM_TOPO:
		shuffle_ints(llcs, nl, arg.seed);
		return arrange_llcs(s, v, n, llcs, nl, tmp, false, llc_shuffle, &arg);
	case CFG_GROWTH_STICKY:
	case CFG_GROWTH_STICKY_DYNAMIC:
	default:
		/*
		 * LLCs rotated by the layer's offset, each LLC's cores rotated
		 * too, odd layers walking them backwards: layers start at
		 * evenly spaced cores and keep them.
		 */
		rotate_ints(llcs, nl, nr_layers ? idx * nl / nr_layers : 0);
		return arrange_llcs(s, v, n, llcs, nl, tmp, false, llc_sticky, &arg);
	}
}

/* Nodes (indices in topo->nodes) in the layer's preference order; returns the count. */
static size_t node_order(const struct ctl *s, size_t idx, unsigned int *ret)
{
	const struct cfg_layer *l = &s->cfg->layers[idx];
	unsigned int nn = s->topo->nr_nodes;
	size_t k = 0;

	if (l->nr_nodes && topology_aware(s)) {
		/* A hard, ordered list. */
		for (size_t j = 0; j < l->nr_nodes && k < nn; j++) {
			int ni = l->nodes[j] < TOPO_MAX_NODES ? topo_node_index(s->topo, (unsigned int)l->nodes[j]) : -1;
			bool dup = false;

			for (size_t m = 0; m < k; m++)
				dup |= ret[m] == (unsigned int)ni;
			if (ni >= 0 && !dup)
				ret[k++] = (unsigned int)ni;
		}
		return k;
	}
	/* Rotated by the layer index; nodes other layers name move to the back. */
	for (int pass = 0; pass < 2; pass++)
		for (unsigned int j = 0; j < nn; j++) {
			unsigned int ni = (unsigned int)((idx + j) % nn);
			bool claimed = false;

			for (size_t o = 0; o < s->nr_layers && topology_aware(s); o++)
				for (size_t m = 0; o != idx && m < s->cfg->layers[o].nr_nodes; m++)
					claimed |= s->cfg->layers[o].nodes[m] == s->topo->nodes[ni].id;
			if (claimed == (pass == 1))
				ret[k++] = ni;
		}
	return k;
}

static bool unit_intersects(const struct ctl *s, unsigned int u, const struct cpumask *m)
{
	if (s->units[u].cpu >= 0)
		return cpumask_test(m, (unsigned int)s->units[u].cpu);
	return cpumask_intersects(&s->topo->cores[s->units[u].core].cpus, m);
}

static void unit_cpus(const struct ctl *s, unsigned int u, struct cpumask *ret)
{
	if (s->units[u].cpu >= 0) {
		cpumask_zero(ret);
		cpumask_set(ret, (unsigned int)s->units[u].cpu);
	} else {
		*ret = s->topo->cores[s->units[u].core].cpus;
	}
}

static void layer_allowed(const struct ctl *s, const struct cfg_layer *l, struct cpumask *ret)
{
	const struct topo *t = s->topo;

	*ret = t->online;
	if ((l->nr_nodes || l->nr_llcs) && topology_aware(s)) {
		cpumask_zero(ret);
		for (size_t j = 0; j < l->nr_nodes; j++) {
			int ni = l->nodes[j] < TOPO_MAX_NODES ? topo_node_index(t, (unsigned int)l->nodes[j]) : -1;

			if (ni >= 0)
				cpumask_or(ret, ret, &t->nodes[ni].cpus);
		}
		for (size_t j = 0; j < l->nr_llcs; j++)
			if (l->llcs[j] < t->nr_llcs)
				cpumask_or(ret, ret, &t->llcs[l->llcs[j]].cpus);
	}
	if (l->cpuset) {
		struct cpumask cs;

		/* A template layer: limited to its cgroup's cpus. */
		if (cpumask_parse_list(l->cpuset, &cs) == 0)
			cpumask_and(ret, ret, &cs);
	}
}

/* The growth order of layer idx: node by node (or interleaved across nodes for the balanced algorithms). */
static int build_order(struct ctl *s, size_t idx)
{
	const struct cfg_layer *l = &s->cfg->layers[idx];
	struct ctl_layer *cl = &s->layers[idx];
	enum cfg_growth g = l->growth_algo < CFG_NR_GROWTH ? l->growth_algo : CFG_GROWTH_STICKY;
	size_t nu = s->nr_units ? s->nr_units : 1, nn = s->topo->nr_nodes ? s->topo->nr_nodes : 1;
	unsigned int *nodes, *v, *tmp;
	size_t nr_nodes, n = 0, *per_node, *at;
	int *llcs, r = -ENOMEM;
	bool balanced;

	layer_allowed(s, l, &cl->allowed);
	cl->spread = g == CFG_GROWTH_NODE_SPREAD || g == CFG_GROWTH_NODE_SPREAD_REVERSE ||
		     g == CFG_GROWTH_NODE_SPREAD_RANDOM;
	balanced = cl->spread || g == CFG_GROWTH_ROUND_ROBIN;
	cl->order = calloc(nu, sizeof(*cl->order));
	cl->pos = calloc(nu, sizeof(*cl->pos));
	nodes = calloc(nn, sizeof(*nodes));
	per_node = calloc(nn, sizeof(*per_node));
	at = calloc(nn, sizeof(*at));
	v = calloc(nu, sizeof(*v));
	tmp = calloc(nu, sizeof(*tmp));
	llcs = calloc(nu, sizeof(*llcs));
	if (!cl->order || !cl->pos || !nodes || !per_node || !at || !v || !tmp || !llcs)
		goto out;
	nr_nodes = l->kind == CFG_KIND_OPEN ? 0 : node_order(s, idx, nodes);
	for (size_t j = 0; j < nr_nodes; j++) {
		size_t m = units_of_node(s, (int)s->topo->nodes[nodes[j]].id, v + n), k = 0;

		/* Only units the layer may use. */
		for (size_t i = 0; i < m; i++)
			if (unit_intersects(s, v[n + i], &cl->allowed))
				v[n + k++] = v[n + i];
		if (order_node(s, l, idx, s->nr_layers, g, v + n, k, tmp, llcs) < 0)
			goto out;
		per_node[j] = k;
		n += k;
	}
	if (!balanced || nr_nodes < 2) {
		memcpy(cl->order, v, n * sizeof(*v));
	} else {
		/* Across nodes in proportion to their size: the node least taken from goes next. */
		for (size_t k = 0; k < n; k++) {
			size_t best = nr_nodes, start = 0, best_start = 0;

			for (size_t j = 0; j < nr_nodes; start += per_node[j], j++)
				if (at[j] < per_node[j] &&
				    (best == nr_nodes ||
				     (double)at[j] / (double)per_node[j] < (double)at[best] / (double)per_node[best])) {
					best = j;
					best_start = start;
				}
			cl->order[k] = v[best_start + at[best]++];
		}
	}
	cl->nr_order = n;
	for (size_t u = 0; u < s->nr_units; u++)
		cl->pos[u] = UINT32_MAX;
	for (size_t k = 0; k < n; k++)
		cl->pos[cl->order[k]] = (unsigned int)k;
	r = 0;
out:
	free(nodes);
	free(per_node);
	free(at);
	free(v);
	free(tmp);
	free(llcs);
	return r;
}

/* ------------------------------------------------------------ allocation */

static void hold(struct ctl *s, size_t layer, unsigned int u)
{
	s->owner[u] = (int)layer;
	s->layers[layer].nr_units++;
}

static void release(struct ctl *s, unsigned int u)
{
	s->layers[s->owner[u]].nr_units--;
	s->owner[u] = -1;
}

/* Is unit u in the layer's order (may the layer hold it)? */
static bool in_order(const struct ctl_layer *cl, unsigned int u)
{
	return cl->pos[u] != UINT32_MAX;
}

/* Units held by layer on node (kernel id). */
static unsigned int held_on_node(const struct ctl *s, size_t layer, int node)
{
	unsigned int n = 0;

	for (size_t u = 0; u < s->nr_units; u++)
		n += s->owner[u] == (int)layer && s->units[u].node == node;
	return n;
}

/* Free units on node the layer may use. */
static unsigned int free_on_node(const struct ctl *s, size_t layer, int node)
{
	unsigned int n = 0;

	for (size_t u = 0; u < s->nr_units; u++)
		n += s->owner[u] < 0 && s->units[u].node == node &&
		     unit_intersects(s, (unsigned int)u, &s->layers[layer].allowed);
	return n;
}

/* The distinct nodes in the layer's order; returns the count. */
static size_t layer_nodes(const struct ctl *s, size_t layer, int *ret)
{
	const struct ctl_layer *cl = &s->layers[layer];
	size_t k = 0;

	for (size_t i = 0; i < cl->nr_order; i++) {
		size_t j = 0;

		while (j < k && ret[j] != s->units[cl->order[i]].node)
			j++;
		if (j == k)
			ret[k++] = s->units[cl->order[i]].node;
	}
	return k;
}

static bool grows_before(const struct ctl *s, const unsigned int *grant, size_t a, size_t b)
{
	if (s->layers[a].nr_order != s->layers[b].nr_order)
		return s->layers[a].nr_order < s->layers[b].nr_order;
	return grant[a] < grant[b];
}

/* Move units so that each layer holds grant[i] of them; returns layers whose CPUs changed. */
static unsigned int allocate(struct ctl *s, const unsigned int *grant)
{
	size_t nl = s->nr_layers, *by_grant;
	int *nodes = calloc(s->topo->nr_nodes ? s->topo->nr_nodes : 1, sizeof(*nodes));
	unsigned int changed = 0;

	by_grant = calloc(nl ? nl : 1, sizeof(*by_grant));
	if (!by_grant || !nodes) {
		free(by_grant);
		free(nodes);
		return 0;
	}
	/* Release what a layer may no longer hold, then from the end of its order down to its grant. */
	for (size_t u = 0; u < s->nr_units; u++)
		if (s->owner[u] >= 0 && !in_order(&s->layers[s->owner[u]], (unsigned int)u))
			release(s, (unsigned int)u);
	for (size_t i = 0; i < nl; i++) {
		struct ctl_layer *cl = &s->layers[i];

		for (size_t k = cl->nr_order; k-- > 0 && cl->nr_units > grant[i];)
			if (s->owner[cl->order[k]] == (int)i)
				release(s, cl->order[k]);
		if (cl->spread) {
			/* Strict spread: no node above an equal share. */
			size_t nn = layer_nodes(s, i, nodes);
			unsigned int q = nn ? grant[i] / (unsigned int)nn : 0;

			for (size_t j = 0; j < nn; j++)
				for (size_t k = cl->nr_order; k-- > 0 && held_on_node(s, i, nodes[j]) > q;)
					if (s->owner[cl->order[k]] == (int)i && s->units[cl->order[k]].node == nodes[j])
						release(s, cl->order[k]);
		}
	}
	/*
	 * Grow, taking free units in growth order: the layers with the fewest
	 * allowed units first (a layer limited to one LLC cannot go
	 * elsewhere), then the smallest grant first.
	 */
	for (size_t i = 0; i < nl; i++)
		by_grant[i] = i;
	for (size_t i = 1; i < nl; i++)
		for (size_t j = i; j > 0 && grows_before(s, grant, by_grant[j], by_grant[j - 1]); j--) {
			size_t t = by_grant[j];

			by_grant[j] = by_grant[j - 1];
			by_grant[j - 1] = t;
		}
	for (size_t r = 0; r < nl; r++) {
		size_t i = by_grant[r];
		struct ctl_layer *cl = &s->layers[i];
		unsigned int q = UINT32_MAX;
		size_t nn = 0;

		if (cl->spread) {
			/* Equal on every node, limited by the node with the least room. */
			nn = layer_nodes(s, i, nodes);
			q = nn ? grant[i] / (unsigned int)nn : 0;
			for (size_t j = 0; j < nn; j++) {
				unsigned int room = held_on_node(s, i, nodes[j]) + free_on_node(s, i, nodes[j]);

				q = room < q ? room : q;
			}
		}
		for (size_t k = 0; k < cl->nr_order && cl->nr_units < grant[i]; k++) {
			unsigned int u = cl->order[k];

			if (s->owner[u] >= 0)
				continue;
			if (cl->spread && held_on_node(s, i, s->units[u].node) >= q)
				continue;
			hold(s, i, u);
		}
	}
	/* The masks. */
	s->open = s->topo->online;
	for (size_t i = 0; i < nl; i++) {
		struct ctl_layer *cl = &s->layers[i];
		struct cpumask m, uc;

		cpumask_zero(&m);
		for (size_t k = 0; k < cl->nr_order; k++)
			if (s->owner[cl->order[k]] == (int)i) {
				unit_cpus(s, cl->order[k], &uc);
				cpumask_or(&m, &m, &uc);
			}
		cpumask_and(&m, &m, &cl->allowed);
		if (!cpumask_equal(&m, &cl->cpus))
			changed++;
		cl->cpus = m;
		cpumask_andnot(&s->open, &s->open, &m);
	}
	free(by_grant);
	free(nodes);
	return changed;
}

/* CPUs -> units for layer i: walk its order until the units' CPUs reach the target. */
static unsigned int units_for(const struct ctl *s, size_t i, unsigned int cpus)
{
	const struct ctl_layer *cl = &s->layers[i];
	unsigned int got = 0, n = 0;

	for (size_t k = 0; k < cl->nr_order && got < cpus; k++, n++)
		got += s->units[cl->order[k]].nr_cpus;
	return n;
}

static unsigned int plan(struct ctl *s, const unsigned int *targets)
{
	size_t nl = s->nr_layers;
	unsigned int *want = calloc(nl ? nl : 1, sizeof(*want)), *grant = calloc(nl ? nl : 1, sizeof(*grant));
	uint32_t *weight = calloc(nl ? nl : 1, sizeof(*weight));
	unsigned int changed = 0;

	if (want && grant && weight) {
		for (size_t i = 0; i < nl; i++) {
			s->layers[i].target = targets[i];
			want[i] = units_for(s, i, targets[i]);
			weight[i] = s->cfg->layers[i].weight;
		}
		ctl_share(nl, want, weight, (unsigned int)s->nr_units, grant);
		changed = allocate(s, grant);
	}
	free(want);
	free(grant);
	free(weight);
	return changed;
}

static void min_targets(const struct ctl *s, unsigned int *targets)
{
	for (size_t i = 0; i < s->nr_layers; i++) {
		unsigned int hi;

		ctl_cpus_range(&s->cfg->layers[i], s->topo->nr_cpus, &targets[i], &hi);
	}
}

int ctl_new(const struct topo *t, const struct cfg *c, const struct ctl *prev, struct ctl **ret)
{
	struct ctl *s = calloc(1, sizeof(*s));
	unsigned int *targets = NULL;

	if (!s)
		return -ENOMEM;
	s->topo = t;
	s->cfg = c;
	s->nr_layers = c->nr_layers;
	s->units = calloc(t->nr_cpus ? t->nr_cpus : 1, sizeof(*s->units));
	s->owner = calloc(t->nr_cpus ? t->nr_cpus : 1, sizeof(*s->owner));
	s->layers = calloc(c->nr_layers ? c->nr_layers : 1, sizeof(*s->layers));
	targets = calloc(c->nr_layers ? c->nr_layers : 1, sizeof(*targets));
	if (!s->units || !s->owner || !s->layers || !targets)
		goto err;
	if (c->opts.allow_partial_core) {
		unsigned int cpu;

		cpumask_for_each_cpu(cpu, &t->online) {
			int core = topo_cpu_core(t, cpu);

			if (core < 0 || s->nr_units >= t->nr_cpus)
				continue;
			s->units[s->nr_units] = (struct ctl_unit){ (unsigned int)core, (int)cpu, topo_cpu_node(t, cpu),
								   topo_cpu_llc(t, cpu), 1,
								   cpu < t->nr_cpu_ids ? t->cpus[cpu].capacity : 1024 };
			s->nr_units++;
		}
	} else {
		for (unsigned int k = 0; k < t->nr_cores && s->nr_units < t->nr_cpus; k++) {
			unsigned int first = cpumask_first(&t->cores[k].cpus);

			if (first >= CPUMASK_MAX_CPUS)
				continue;
			s->units[s->nr_units] = (struct ctl_unit){ k, -1, t->cores[k].node, t->cores[k].llc,
								   cpumask_weight(&t->cores[k].cpus),
								   first < t->nr_cpu_ids ? t->cpus[first].capacity : 1024 };
			s->nr_units++;
		}
	}
	for (size_t u = 0; u < s->nr_units; u++)
		s->owner[u] = -1;
	for (size_t i = 0; i < s->nr_layers; i++)
		if (build_order(s, i) < 0)
			goto err;
	/* Same-named layers of the previous loop keep their numbers and, where allowed, their CPUs. */
	for (size_t i = 0; prev && i < s->nr_layers; i++)
		for (size_t j = 0; j < prev->nr_layers; j++) {
			const struct cfg_layer *a = &c->layers[i], *b = &prev->cfg->layers[j];

			if (a->name_len != b->name_len || memcmp(a->name, b->name, a->name_len) != 0)
				continue;
			s->layers[i].util = prev->layers[j].util;
			s->layers[i].peak = prev->layers[j].peak;
			s->layers[i].load = prev->layers[j].load;
			if (a->kind == CFG_KIND_OPEN)
				break;
			for (size_t k = 0; k < s->layers[i].nr_order; k++) {
				unsigned int u = s->layers[i].order[k];

				if (s->owner[u] < 0 && unit_intersects(s, u, &prev->layers[j].cpus))
					hold(s, i, u);
			}
			break;
		}
	if (prev) {
		/* Targets from the carried utilization and what each layer kept. */
		for (size_t i = 0; i < s->nr_layers; i++) {
			unsigned int held = 0;

			for (size_t k = 0; k < s->layers[i].nr_order; k++)
				if (s->owner[s->layers[i].order[k]] == (int)i)
					held += s->units[s->layers[i].order[k]].nr_cpus;
			targets[i] = ctl_target(&c->layers[i], t->nr_cpus, s->layers[i].util,
						c->layers[i].util_peak_half_life_ms ? s->layers[i].peak : 0, held);
		}
	} else {
		min_targets(s, targets);
	}
	(void)plan(s, targets);
	free(targets);
	*ret = s;
	return 0;
err:
	free(targets);
	ctl_free(s);
	return -ENOMEM;
}

void ctl_free(struct ctl *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->layers && i < s->nr_layers; i++) {
		free(s->layers[i].order);
		free(s->layers[i].pos);
	}
	free(s->layers);
	free(s->units);
	free(s->owner);
	free(s);
}

unsigned int ctl_step(struct ctl *s, const struct ctl_sample *samples, uint64_t elapsed_ns)
{
	unsigned int *targets = calloc(s->nr_layers ? s->nr_layers : 1, sizeof(*targets)), changed;

	if (!targets)
		return 0;
	for (size_t i = 0; i < s->nr_layers; i++) {
		const struct cfg_layer *l = &s->cfg->layers[i];
		struct ctl_layer *cl = &s->layers[i];
		unsigned int held = cpumask_weight(&cl->cpus);
		double u = samples[i].owned;

		/* Open CPU time counts when asked to, and always for a layer that owns nothing. */
		if (l->util_includes_open_cputime || held == 0)
			u += samples[i].open;
		cl->util = ctl_decay(cl->util, u, elapsed_ns);
		cl->peak = ctl_peak(cl->peak, cl->util, elapsed_ns, l->util_peak_half_life_ms);
		cl->load = ctl_decay(cl->load, samples[i].load, elapsed_ns);
		targets[i] = ctl_target(l, s->topo->nr_cpus, cl->util, l->util_peak_half_life_ms ? cl->peak : 0,
					held);
	}
	changed = plan(s, targets);
	free(targets);
	return changed;
}

const struct cpumask *ctl_layer_cpus(const struct ctl *s, size_t layer)
{
	return &s->layers[layer].cpus;
}

const struct cpumask *ctl_open_cpus(const struct ctl *s)
{
	return &s->open;
}

void ctl_layer_view(const struct ctl *s, size_t layer, struct ctl_layer_view *ret)
{
	const struct ctl_layer *cl = &s->layers[layer];

	ret->util = cl->util;
	ret->load = cl->load;
	ret->target = cl->target;
	ret->nr_cpus = cpumask_weight(&cl->cpus);
}

size_t ctl_growth_cpus(const struct ctl *s, size_t layer, unsigned int *ret, size_t max)
{
	const struct ctl_layer *cl = &s->layers[layer];
	size_t n = 0;

	for (size_t k = 0; k < cl->nr_order; k++) {
		struct cpumask m;
		unsigned int cpu;

		unit_cpus(s, cl->order[k], &m);
		cpumask_and(&m, &m, &cl->allowed);
		cpumask_for_each_cpu(cpu, &m) {
			if (n < max)
				ret[n] = cpu;
			n++;
		}
	}
	return n;
}

int ctl_min_allocation(const struct topo *t, const struct cfg *c, struct cpumask *masks)
{
	struct ctl *s;
	int r;

	for (size_t i = 0; i < c->nr_layers; i++)
		cpumask_zero(&masks[i]);
	r = ctl_new(t, c, NULL, &s);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->nr_layers; i++)
		masks[i] = s->layers[i].cpus;
	ctl_free(s);
	return 0;
}
