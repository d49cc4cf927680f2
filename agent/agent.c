/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the agent does with configs: apply (persist, then hand to the
 * backend), start, stop, and the --confirm rollback.
 *
 * Invariants: the persisted config (state_dir/config.pb) is the one the
 * backend runs, or the one it will run at the next start; a pending
 * --confirm always has its way back and its deadline on disk (rollback.pb)
 * before the new config is applied, so the rollback happens on time even
 * if the client goes away or the agent restarts inside the window.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>

#include "agent/agent.h"
#include "agent/cgroups.h"
#include "agent/persist.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/pbconv.h"

/* The first error of d as "prefix PATH: message" into err, or strerror(-r) when d has none. */
static void first_error(const struct cfg_diags *d, int r, const char *prefix, char *err, size_t errlen)
{
	size_t i = 0;

	while (i < d->n && d->v[i].severity != CFG_ERROR)
		i++;
	snprintf(err, errlen, "%s%s%s%s", prefix, i < d->n ? d->v[i].path : "", i < d->n ? ": " : "",
		 i < d->n ? d->v[i].msg : strerror(-r));
}

/*
 * Replace the template specs of *c by one layer per cgroup they pick
 * (CONFIG.md 6), against the cgroup tree as it is now, and validate the
 * result again (the limits apply after expansion). The applied config
 * (what get-config returns and the state dir keeps) stays the one with
 * templates; each apply and start expands it anew.
 */
static int expand_templates(struct agent *a, struct cfg **c, const struct cfg_topo *topo, char *err, size_t errlen)
{
	struct cfg_diags d = { 0 };
	struct cgroup_list cl;
	struct cfg_cgroup *v;
	struct cfg *out = NULL;
	char root[4096];
	size_t n;
	int r;

	r = fileio_path(root, sizeof(root), a->sysfs_root, "fs/cgroup");
	if (r == 0)
		r = cgroups_scan(root, &cl);
	if (r == -ENOENT) {
		/* No cgroup-v2 tree: no template picks anything (each spec stays as written). */
		log_warn("templates: no cgroup tree at %s: every template picks nothing", root);
		memset(&cl, 0, sizeof(cl));
		r = 0;
	}
	if (r < 0) {
		snprintf(err, errlen, "templates: cannot walk the cgroup tree at %s: %s", root, strerror(-r));
		return r;
	}
	v = cgroups_for_templates(&cl, &n);
	r = v ? cfg_expand_templates(*c, v, n, &out, &d) : -ENOMEM;
	if (r == 0)
		r = cfg_validate(out, topo, CFG_VALIDATE_APPLY, &d) > 0 ? -EINVAL : 0;
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].severity == CFG_WARNING)
			log_warn("templates: %s: %s", d.v[i].path, d.v[i].msg);
	if (r < 0) {
		first_error(&d, r, "templates: ", err, errlen);
		cfg_free(out);
	} else {
		log_info("templates: %zu specs expanded to %zu layers over %zu cgroups", (*c)->nr_layers,
			 out->nr_layers, n);
		cfg_free(*c);
		*c = out;
	}
	free(v);
	cgroups_free(&cl);
	cfg_diags_release(&d);
	return r;
}

/* Decode a packed config we wrote ourselves (or restored): bounded, validated, normalized. */
static int decode_config(struct agent *a, const uint8_t *pb, size_t len, struct cfg **ret, char *err,
			 size_t errlen)
{
	struct cfg_topo topo = { a->topo->nr_cpus, a->topo->nr_nodes, a->topo->nr_llcs };
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;
	int r;

	r = pbconv_unpack(pb, len, &c, &d);
	if (r == 0)
		r = cfg_validate(c, &topo, CFG_VALIDATE_APPLY, &d) > 0 ? -EINVAL : 0;
	if (r < 0) {
		first_error(&d, r, "", err, errlen);
		cfg_free(c);
		cfg_diags_release(&d);
		return r;
	}
	cfg_diags_release(&d);
	if (cfg_has_templates(c)) {
		r = expand_templates(a, &c, &topo, err, errlen);
		if (r < 0) {
			cfg_free(c);
			return r;
		}
	}
	cfg_normalize(c);
	*ret = c;
	return 0;
}

/* Make (c, pb) the running config; takes ownership of both. */
static int run_config(struct agent *a, struct cfg *c, uint8_t *pb, size_t len, uid_t by, bool *ret_live,
		      char *err, size_t errlen)
{
	bool attached = a->bops->state(a->backend, NULL, 0) == BACKEND_ATTACHED;
	int r;

	r = attached ? a->bops->update(a->backend, c, err, errlen) : a->bops->attach(a->backend, c, err, errlen);
	if (r < 0) {
		cfg_free(c);
		free(pb);
		return r;
	}
	if (ret_live)
		*ret_live = attached;
	cfg_free(a->cfg);
	free(a->cfg_pb);
	a->cfg = c;
	a->cfg_pb = pb;
	a->cfg_pb_len = len;
	persist_digest(pb, len, a->digest);
	a->applied_at = time(NULL);
	a->applied_by = by;
	return 0;
}

int agent_apply_packed(struct agent *a, const uint8_t *pb, size_t len, uid_t by, bool *ret_live,
		       char *err, size_t errlen)
{
	struct cfg *c;
	uint8_t *copy;
	int r;

	r = decode_config(a, pb, len, &c, err, errlen);
	if (r < 0)
		return r;
	copy = malloc(len ? len : 1);
	if (!copy) {
		cfg_free(c);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(copy, pb, len);
	/* On disk first: what runs is what the next start restores. */
	r = persist_save(a->state_dir, AGENT_CONFIG_FILE, pb, len);
	if (r < 0) {
		snprintf(err, errlen, "cannot persist the config in %s: %s; nothing changed", a->state_dir,
			 strerror(-r));
		cfg_free(c);
		free(copy);
		return r;
	}
	r = run_config(a, c, copy, len, by, ret_live, err, errlen);
	if (r < 0) {
		/* Put the previous config back on disk: the running one did not change. */
		if (a->cfg_pb)
			(void)persist_save(a->state_dir, AGENT_CONFIG_FILE, a->cfg_pb, a->cfg_pb_len);
		else
			(void)persist_remove(a->state_dir, AGENT_CONFIG_FILE);
		return r;
	}
	log_info("config %.12s applied (%zu layers)", a->digest, a->cfg->nr_layers);
	agent_timer_sync(a);
	agent_irq_sync(a, false);
	return 0;
}

int agent_stop(struct agent *a)
{
	int r = a->bops->detach(a->backend);

	if (r == 0)
		log_info("scheduler detached");
	agent_timer_sync(a);
	agent_irq_sync(a, false);
	return r;
}

int agent_start(struct agent *a, char *err, size_t errlen)
{
	struct cfg *c;
	int r;

	if (!a->cfg_pb) {
		snprintf(err, errlen, "no config has been applied");
		return -ENOENT;
	}
	if (a->bops->state(a->backend, NULL, 0) == BACKEND_ATTACHED) {
		snprintf(err, errlen, "the scheduler is already attached");
		return -EALREADY;
	}
	r = decode_config(a, a->cfg_pb, a->cfg_pb_len, &c, err, errlen);
	if (r < 0)
		return r;
	r = a->bops->attach(a->backend, c, err, errlen);
	if (r < 0) {
		cfg_free(c);
		return r;
	}
	cfg_free(a->cfg);
	a->cfg = c;
	log_info("scheduler attached with config %.12s", a->digest);
	agent_timer_sync(a);
	agent_irq_sync(a, false);
	return 0;
}

void agent_rollback(struct agent *a, const char *why)
{
	char err[256];
	int r;

	if (!a->pending)
		return;
	a->pending = false;
	if (a->rollback_pb && a->rollback_len) {
		r = agent_apply_packed(a, a->rollback_pb, a->rollback_len, 0, NULL, err, sizeof(err));
		if (r < 0)
			log_error("rollback (%s) failed: %s", why, err);
		else
			log_warn("rolled back to config %.12s: %s", a->digest, why);
	} else {
		/* There was no config before: detach and forget the new one. */
		(void)a->bops->detach(a->backend);
		(void)persist_remove(a->state_dir, AGENT_CONFIG_FILE);
		cfg_free(a->cfg);
		free(a->cfg_pb);
		a->cfg = NULL;
		a->cfg_pb = NULL;
		a->cfg_pb_len = 0;
		agent_timer_sync(a);
		agent_irq_sync(a, false);
		log_warn("rolled back to no config: %s", why);
	}
	free(a->rollback_pb);
	a->rollback_pb = NULL;
	a->rollback_len = 0;
	(void)persist_remove(a->state_dir, AGENT_PENDING_FILE);
}

int agent_confirm(struct agent *a)
{
	if (!a->pending)
		return -ENOENT;
	a->pending = false;
	free(a->rollback_pb);
	a->rollback_pb = NULL;
	a->rollback_len = 0;
	(void)persist_remove(a->state_dir, AGENT_PENDING_FILE);
	log_info("config %.12s confirmed", a->digest);
	return 0;
}

int agent_begin_confirm(struct agent *a, unsigned int secs)
{
	uint8_t *rec;
	int64_t deadline = (int64_t)time(NULL) + secs;
	size_t len = sizeof(deadline) + a->cfg_pb_len;
	int r;

	/* The record: the deadline, then the config to go back to (none: empty). */
	rec = malloc(len);
	if (!rec)
		return -ENOMEM;
	memcpy(rec, &deadline, sizeof(deadline));
	if (a->cfg_pb_len)
		memcpy(rec + sizeof(deadline), a->cfg_pb, a->cfg_pb_len);
	r = persist_save(a->state_dir, AGENT_PENDING_FILE, rec, len);
	if (r < 0) {
		free(rec);
		return r;
	}
	free(a->rollback_pb);
	a->rollback_pb = NULL;
	a->rollback_len = a->cfg_pb_len;
	if (a->cfg_pb_len) {
		a->rollback_pb = malloc(a->cfg_pb_len);
		if (!a->rollback_pb) {
			free(rec);
			(void)persist_remove(a->state_dir, AGENT_PENDING_FILE);
			return -ENOMEM;
		}
		memcpy(a->rollback_pb, a->cfg_pb, a->cfg_pb_len);
	}
	free(rec);
	a->confirm_deadline = (time_t)deadline;
	return 0;
}

int agent_restore_pending(struct agent *a)
{
	uint8_t *rec = NULL;
	size_t len = 0;
	char aside[512];
	int64_t deadline;
	int r;

	r = persist_load(a->state_dir, AGENT_PENDING_FILE, &rec, &len, aside, sizeof(aside));
	if (r == -ENOENT)
		return 0;
	if (r == -EBADMSG || (r == 0 && len < sizeof(deadline))) {
		log_error("%s/%s: corrupt rollback record, moved aside to %s; the current config stays",
			  a->state_dir, AGENT_PENDING_FILE, aside);
		free(rec);
		return 0;
	}
	if (r < 0)
		return log_error_errno(r, "%s/%s: read rollback record", a->state_dir, AGENT_PENDING_FILE);
	memcpy(&deadline, rec, sizeof(deadline));
	free(a->rollback_pb);
	a->rollback_len = len - sizeof(deadline);
	a->rollback_pb = NULL;
	if (a->rollback_len) {
		a->rollback_pb = malloc(a->rollback_len);
		if (!a->rollback_pb) {
			free(rec);
			return -ENOMEM;
		}
		memcpy(a->rollback_pb, rec + sizeof(deadline), a->rollback_len);
	}
	free(rec);
	a->pending = true;
	a->confirm_deadline = (time_t)deadline;
	log_warn("a config applied with --confirm was not confirmed before the agent stopped; %s",
		 deadline <= time(NULL) ? "rolling back now" : "rolling back at its deadline unless confirmed");
	if (deadline <= time(NULL))
		agent_rollback(a, "the confirm window ended while the agent was down");
	return 0;
}

void agent_timer_sync(struct agent *a)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	unsigned int ms = 1000;

	if (a->cfg && a->bops->state(a->backend, NULL, 0) == BACKEND_ATTACHED) {
		/* Validated: (0, 3600] seconds; below 10 ms the loop would only burn CPU. */
		double v = a->cfg->opts.interval * 1000.0;

		ms = isfinite(v) && v >= 10.0 ? (v <= 3600000.0 ? (unsigned int)v : 3600000u) : 10u;
	}
	if (a->timerfd < 0 || ms == a->tick_ms)
		return;
	its.it_interval.tv_sec = ms / 1000;
	its.it_interval.tv_nsec = (long)(ms % 1000) * 1000000L;
	its.it_value = its.it_interval;
	if (timerfd_settime(a->timerfd, 0, &its, NULL) < 0) {
		log_warn_errno(negative_errno(), "control loop timer: set %u ms", ms);
		return;
	}
	log_debug("control loop every %u ms", ms);
	a->tick_ms = ms;
}

void agent_check_confirm(struct agent *a)
{
	if (a->pending && time(NULL) >= a->confirm_deadline)
		agent_rollback(a, "not confirmed in time");
}

void agent_irq_stop(struct agent *a)
{
	int failed;

	if (!a->irq_on)
		return;
	failed = irq_balancer_restore(&a->irq);
	if (failed)
		log_warn("netdev IRQ balancing stopped: %d IRQs could not be restored (kept in %s for the next start)",
			 failed, a->runtime_dir);
	else
		log_info("netdev IRQ balancing stopped: original affinities restored");
	irq_balancer_free(&a->irq);
	a->irq_on = false;
}

void agent_irq_sync(struct agent *a, bool rescan)
{
	bool want = a->cfg && a->cfg->opts.netdev_irq_balance &&
		    a->bops->state(a->backend, NULL, 0) == BACKEND_ATTACHED;
	struct cpumask *node_cpus = NULL, owned, m;
	struct irq_topo it = { 0 };
	unsigned int max_id = 0;
	int r;

	if (!want) {
		agent_irq_stop(a);
		return;
	}
	if (!a->irq_on) {
		r = irq_balancer_init(&a->irq, a->sysfs_root, a->procfs_root, a->runtime_dir);
		if (r < 0) {
			log_warn_errno(r, "netdev IRQ balancing: cannot list network devices below %s", a->sysfs_root);
			return;
		}
		a->irq_on = true;
		log_info("netdev IRQ balancing: %zu devices, %zu IRQs", a->irq.nr_nics, a->irq.nr_irqs);
		if (a->irq.irqbalance_running)
			log_warn("irqbalance is running and will fight these IRQ affinities: stop it or ban the NIC IRQs (docs/operations.md)");
	} else if (rescan) {
		r = irq_balancer_rescan(&a->irq);
		if (r < 0)
			log_warn_errno(r, "netdev IRQ balancing: rescan");
	}
	for (unsigned int i = 0; i < a->topo->nr_nodes; i++)
		if (a->topo->nodes[i].id > max_id)
			max_id = a->topo->nodes[i].id;
	node_cpus = calloc(max_id + 1, sizeof(*node_cpus));
	if (!node_cpus) {
		log_error("netdev IRQ balancing: out of memory");
		return;
	}
	for (unsigned int i = 0; i < a->topo->nr_nodes; i++)
		node_cpus[a->topo->nodes[i].id] = a->topo->nodes[i].cpus;
	it.nr_nodes = max_id + 1;
	it.node_cpus = node_cpus;
	it.online = a->topo->online;
	cpumask_or(&it.unusable, &a->topo->isolated, &a->topo->nohz_full);
	cpumask_zero(&owned);
	for (size_t i = 0; a->cfg && i < a->cfg->nr_layers; i++)
		if (a->bops->layer_cpus(a->backend, i, &m) == 0)
			cpumask_or(&owned, &owned, &m);
	r = irq_balancer_apply(&a->irq, &it, &owned);
	if (r > 0)
		log_info("netdev IRQ balancing: %d IRQ affinities written", r);
	free(node_cpus);
}

/*
 * CPU hotplug: when the online CPUs differ from the topology's, read the
 * topology again and hand it to the backend and the IRQ balancer. A
 * topology that cannot be read is logged and the old one kept (the next
 * check tries again).
 */
void agent_check_hotplug(struct agent *a)
{
	char path[4096], buf[4096], now[4096], err[256];
	struct topo *t = NULL, *old = a->topo;
	struct cpumask online;
	int r;

	static bool warned;

	if (fileio_path(path, sizeof(path), a->sysfs_root, "devices/system/cpu/online") < 0)
		return;
	if (fileio_read_small(path, buf, sizeof(buf)) < 0 || cpumask_parse_list(buf, &online) < 0) {
		if (!warned)
			log_warn("CPU hotplug: %s cannot be read or parsed; keeping the topology", path);
		warned = true;
		return;
	}
	warned = false;
	if (cpumask_equal(&online, &old->online))
		return;
	r = topo_load(a->sysfs_root, &t, err, sizeof(err));
	if (r < 0) {
		log_warn("CPU hotplug: cannot read the new topology: %s; keeping the old one", err);
		return;
	}
	cpumask_format_list(&old->online, buf, sizeof(buf));
	cpumask_format_list(&t->online, now, sizeof(now));
	log_info("CPU hotplug: online CPUs %s -> %s", buf, now);
	if (a->bops->set_topology && a->bops->set_topology(a->backend, t, err, sizeof(err)) < 0)
		log_error("CPU hotplug: the %s backend could not re-plan: %s", a->bops->name, err);
	a->topo = t;
	topo_free(old);
	if (a->irq_on || (a->cfg && a->cfg->opts.netdev_irq_balance))
		agent_irq_sync(a, true);
}
