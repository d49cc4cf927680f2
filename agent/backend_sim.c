/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sim backend: everything except the kernel scheduler. It keeps the
 * applied layers and runs the real control loop (agent/ctl.c) on the
 * topology read from the sysfs root, fed with a synthetic load instead of
 * BPF counters, so that status, metrics, IRQ balancing and tests see the
 * allocation the bpf backend would make for that load. It never claims
 * to schedule tasks: every layer has 0 tasks, and explain is unsupported.
 *
 * The synthetic load: each Confined/Grouped layer demands a slow wave
 * (period 60 s) around a weighted share of half the machine, each Open
 * layer a tenth of the machine. SCXD_SIM_LOAD=FILE (read at create, the
 * file re-read every second) pins the demand of named layers: lines of
 * "NAME CPUS" (CPUS a non-negative decimal, '#' starts a comment); a
 * missing file means no pins. A layer runs its demand on its own CPUs up
 * to 95 % of them; Grouped and Open layers spill the rest onto CPUs no
 * layer owns, Confined layers queue it (load above util).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/backend.h"
#include "agent/ctl.h"
#include "common/log.h"

#define SIM_PERIOD_SECS  60.0
#define SIM_BUSY_MAX	 0.95
#define SIM_MAX_PINS	 64
#define SIM_NAME_MAX	 160

struct sim_pin {
	char name[SIM_NAME_MAX];
	double cpus;
};

struct backend {
	const struct topo *topo;
	const struct cfg *cfg;
	struct ctl *ctl;
	bool attached;
	double started;           /* CLOCK_MONOTONIC seconds at attach */
	double last;              /* of the previous tick */
	/* SCXD_SIM_LOAD */
	char *load_path;
	double load_read;         /* when it was last read */
	struct sim_pin pins[SIM_MAX_PINS];
	size_t nr_pins;
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct backend *sim_create(const struct topo *topo, const char *sysfs_root, const char *procfs_root)
{
	struct backend *b = calloc(1, sizeof(*b));
	const char *path = getenv("SCXD_SIM_LOAD");

	(void)sysfs_root;
	(void)procfs_root;
	if (!b)
		return NULL;
	b->topo = topo;
	if (path && *path) {
		b->load_path = strdup(path);
		if (!b->load_path) {
			free(b);
			return NULL;
		}
		log_info("sim: synthetic load pinned from %s", path);
	}
	return b;
}

static void sim_destroy(struct backend *b)
{
	if (!b)
		return;
	ctl_free(b->ctl);
	free(b->load_path);
	free(b);
}

/* Re-read the pins (at most once a second); a file that is gone means none. */
static void read_pins(struct backend *b, double now)
{
	char line[256];
	FILE *f;

	if (!b->load_path || now - b->load_read < 1.0)
		return;
	b->load_read = now;
	b->nr_pins = 0;
	f = fopen(b->load_path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && b->nr_pins < SIM_MAX_PINS) {
		struct sim_pin *p = &b->pins[b->nr_pins];
		char *end;

		line[strcspn(line, "#\n")] = '\0';
		if (sscanf(line, "%159s", p->name) != 1)
			continue;
		end = line + strspn(line, " \t");
		end += strcspn(end, " \t");
		p->cpus = strtod(end, &end);
		if (!isfinite(p->cpus) || p->cpus < 0 || p->cpus > CPUMASK_MAX_CPUS)
			continue;
		b->nr_pins++;
	}
	fclose(f);
}

/* The synthetic demand of layer i, in CPUs, at time t since attach. */
static double demand(const struct backend *b, size_t i, double t)
{
	const struct cfg_layer *l = &b->cfg->layers[i];
	double wsum = 0, share;

	for (size_t k = 0; k < b->nr_pins; k++)
		if (strlen(b->pins[k].name) == l->name_len && memcmp(b->pins[k].name, l->name, l->name_len) == 0)
			return b->pins[k].cpus;
	if (l->kind == CFG_KIND_OPEN)
		return 0.1 * b->topo->nr_cpus;
	for (size_t k = 0; k < b->cfg->nr_layers; k++)
		if (b->cfg->layers[k].kind != CFG_KIND_OPEN)
			wsum += b->cfg->layers[k].weight ? b->cfg->layers[k].weight : 1;
	share = 0.5 * b->topo->nr_cpus * (l->weight ? l->weight : 1) / (wsum > 0 ? wsum : 1);
	return share * (0.75 + 0.25 * sin(2.0 * M_PI * t / SIM_PERIOD_SECS + (double)i));
}

static void sim_step(struct backend *b)
{
	size_t n = b->cfg->nr_layers;
	struct ctl_sample *smp = calloc(n ? n : 1, sizeof(*smp));
	double now = mono(), elapsed = now - b->last, open_cap, spill = 0;
	unsigned int changed;

	if (!smp)
		return;
	if (elapsed > 10.0)
		elapsed = 10.0;
	read_pins(b, now);
	open_cap = SIM_BUSY_MAX * cpumask_weight(ctl_open_cpus(b->ctl));
	/* On own CPUs first; what Grouped and Open layers cannot run there spills onto open CPUs. */
	for (size_t i = 0; i < n; i++) {
		double d = demand(b, i, now - b->started);
		double own = SIM_BUSY_MAX * cpumask_weight(ctl_layer_cpus(b->ctl, i));

		smp[i].load = d;
		smp[i].owned = d < own ? d : own;
		if (b->cfg->layers[i].kind != CFG_KIND_CONFINED)
			spill += d - smp[i].owned;
	}
	for (size_t i = 0; i < n && spill > 0; i++)
		if (b->cfg->layers[i].kind != CFG_KIND_CONFINED)
			smp[i].open = (smp[i].load - smp[i].owned) * (spill > open_cap ? open_cap / spill : 1.0);
	changed = ctl_step(b->ctl, smp, (uint64_t)(elapsed * 1e9));
	if (changed)
		log_debug("sim: %u layers changed CPUs", changed);
	b->last = now;
	free(smp);
}

static int sim_attach(struct backend *b, const struct cfg *c, char *err, size_t errlen)
{
	struct ctl *s;
	int r;

	/* Attached already (an update): the loop carries over what same-named layers have. */
	r = ctl_new(b->topo, c, b->attached ? b->ctl : NULL, &s);
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		return r;
	}
	ctl_free(b->ctl);
	b->ctl = s;
	b->cfg = c;
	if (!b->attached) {
		b->started = b->last = mono();
		b->load_read = -1e9;
	}
	b->attached = true;
	return 0;
}

static int sim_detach(struct backend *b)
{
	b->attached = false;
	b->cfg = NULL;
	ctl_free(b->ctl);
	b->ctl = NULL;
	return 0;
}

static int sim_set_topology(struct backend *b, const struct topo *t, char *err, size_t errlen)
{
	struct ctl *s;
	int r;

	b->topo = t;
	if (!b->attached)
		return 0;
	r = ctl_new(t, b->cfg, b->ctl, &s);
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		return r;
	}
	ctl_free(b->ctl);
	b->ctl = s;
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
	struct ctl_layer_view v;

	if (!b->attached || layer >= b->cfg->nr_layers)
		return -ENODATA;
	ctl_layer_view(b->ctl, layer, &v);
	memset(ret, 0, sizeof(*ret));
	ret->nr_cpus = v.nr_cpus;
	ret->util = v.util;
	ret->load = v.load;
	ret->target = v.target;
	return 0;
}

static int sim_layer_cpus(const struct backend *b, size_t layer, struct cpumask *ret)
{
	if (!b->attached || layer >= b->cfg->nr_layers)
		return -ENODATA;
	*ret = *ctl_layer_cpus(b->ctl, layer);
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
	if (b->attached)
		sim_step(b);
}

static const int *sim_caps(const struct backend *b, size_t *ret_n)
{
	/* Files it writes (IRQ affinity, state) are root's: uid 0 needs no capability for them. */
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
	.set_topology = sim_set_topology,
	.caps = sim_caps,
};
