/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bpf backend: bpf/layered.bpf.c through its skeleton (the only user
 * of it). attach loads and attaches the struct_ops link, so the kernel
 * returns to its default scheduler as soon as scxd goes away; update
 * rewrites the maps and bumps the config generation, so an apply never
 * leaves sched_ext; detach destroys the link.
 *
 * This first slice decides comm/pcomm, nice, uid/gid, pid/ppid/tgid,
 * group-leader and kthread matchers in BPF; a config using another
 * matcher is refused with a clear error rather than half applied.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>

#include "agent/backend.h"
#include "agent/ctl.h"
#include "bpf/intf.h"
#include "common/log.h"
#include "layered.skel.h"

/* One numbering for the matcher and layer kinds on both sides. */
_Static_assert((int)CFG_M_CGROUP_PREFIX == (int)SCX_M_CGROUP_PREFIX, "match kinds");
_Static_assert((int)CFG_M_COMM_PREFIX == (int)SCX_M_COMM_PREFIX, "match kinds");
_Static_assert((int)CFG_M_PCOMM_PREFIX_EXCLUDE == (int)SCX_M_PCOMM_PREFIX_EXCLUDE, "match kinds");
_Static_assert((int)CFG_M_NICE_EQUALS == (int)SCX_M_NICE_EQUALS, "match kinds");
_Static_assert((int)CFG_M_TGID_EQUALS == (int)SCX_M_TGID_EQUALS, "match kinds");
_Static_assert((int)CFG_M_IS_KTHREAD == (int)SCX_M_IS_KTHREAD, "match kinds");
_Static_assert((int)CFG_M_NUMA_NODE == (int)SCX_M_NUMA_NODE, "match kinds");
_Static_assert((int)CFG_NR_MATCH_KINDS == (int)SCX_NR_M, "match kinds");
_Static_assert((int)CFG_KIND_CONFINED == (int)SCX_LAYER_CONFINED, "layer kinds");
_Static_assert((int)CFG_KIND_OPEN == (int)SCX_LAYER_OPEN, "layer kinds");

/* The kernel's SCX_EXIT_UNREG: unregistered by us. */
#define EXIT_UNREG 64

struct backend {
	const struct topo *topo;
	struct layered_bpf *skel;
	struct bpf_link *link;
	struct bpf_link *rename_link;
	struct cpumask *masks;
	size_t nr;
	bool failed;
	char reason[400];
	/* Ejections: re-attach with backoff, give up after too many in a window. */
	const struct cfg *cfg;          /* borrowed: the agent's current config */
	unsigned int ejections;         /* in the current window */
	time_t window_start;
	time_t retry_at;                /* 0: no re-attach pending */
};

#define EJECT_WINDOW_SECS 120
#define EJECT_MAX	  5

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	if (level == LIBBPF_WARN)
		log_warn("libbpf: %s", line);
	else if (level == LIBBPF_INFO)
		log_info("libbpf: %s", line);
	else
		log_debug("libbpf: %s", line);
	return 0;
}

static struct backend *bpf_create(const struct topo *topo, const char *sysfs_root, const char *procfs_root)
{
	struct backend *b = calloc(1, sizeof(*b));

	(void)sysfs_root;
	(void)procfs_root;
	if (b)
		b->topo = topo;
	libbpf_set_print(print_libbpf);
	return b;
}

static int bpf_detach(struct backend *b);

/* Detach on request: no re-attach pending either. */
static int bpf_stop(struct backend *b)
{
	b->retry_at = 0;
	b->failed = false;
	b->cfg = NULL;
	return bpf_detach(b);
}

static int bpf_detach(struct backend *b)
{
	bpf_link__destroy(b->link);
	b->link = NULL;
	bpf_link__destroy(b->rename_link);
	b->rename_link = NULL;
	layered_bpf__destroy(b->skel);
	b->skel = NULL;
	return 0;
}

static void bpf_destroy(struct backend *b)
{
	if (!b)
		return;
	bpf_detach(b);
	free(b->masks);
	free(b);
}

static bool supported(enum cfg_match_kind k)
{
	switch (k) {
	case CFG_M_COMM_PREFIX:
	case CFG_M_COMM_PREFIX_EXCLUDE:
	case CFG_M_PCOMM_PREFIX:
	case CFG_M_PCOMM_PREFIX_EXCLUDE:
	case CFG_M_NICE_ABOVE:
	case CFG_M_NICE_BELOW:
	case CFG_M_NICE_EQUALS:
	case CFG_M_UID_EQUALS:
	case CFG_M_GID_EQUALS:
	case CFG_M_PID_EQUALS:
	case CFG_M_PPID_EQUALS:
	case CFG_M_TGID_EQUALS:
	case CFG_M_IS_GROUP_LEADER:
	case CFG_M_IS_KTHREAD:
		return true;
	default:
		return false;
	}
}

static int check_supported(const struct cfg *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->nr_layers; i++) {
		const struct cfg_layer *l = &c->layers[i];

		if (l->has_template) {
			snprintf(err, errlen, "layer \"%s\": templates are not supported by the bpf backend yet", l->name);
			return -EOPNOTSUPP;
		}
		for (size_t j = 0; j < l->nr_ors; j++)
			for (size_t k = 0; k < l->ors[j].n; k++)
				if (!supported(l->ors[j].m[k].kind)) {
					snprintf(err, errlen, "layer \"%s\": the %s matcher is not supported by the bpf backend yet",
						 l->name, cfg_match_name(l->ors[j].m[k].kind));
					return -EOPNOTSUPP;
				}
	}
	return 0;
}

/* Write the config and its CPU allocation into the maps. */
static int write_maps(struct backend *b, const struct cfg *c, char *err, size_t errlen)
{
	struct cpumask *masks = calloc(c->nr_layers ? c->nr_layers : 1, sizeof(*masks));
	struct scx_layer *sl = calloc(1, sizeof(*sl));
	int r = 0;

	if (!masks || !sl) {
		free(masks);
		free(sl);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ctl_min_allocation(b->topo, c, masks);
	for (__u32 i = 0; i < c->nr_layers && r == 0; i++) {
		const struct cfg_layer *l = &c->layers[i];
		struct scx_cpus cpus = { 0 };
		unsigned int cpu;

		memset(sl, 0, sizeof(*sl));
		sl->kind = (__u32)l->kind;
		sl->nr_ors = (__u32)l->nr_ors;
		sl->slice_ns = l->slice_us * 1000;
		sl->weight = l->weight;
		sl->fifo = l->fifo;
		for (size_t j = 0; j < l->nr_ors; j++) {
			sl->ors[j].nr = (__u32)l->ors[j].n;
			for (size_t k = 0; k < l->ors[j].n; k++) {
				const struct cfg_match *m = &l->ors[j].m[k];
				struct scx_match *sm = &sl->ors[j].m[k];

				sm->kind = (__u32)m->kind;
				sm->flag = m->flag;
				sm->ival = m->i;
				if (m->str)
					memcpy(sm->str, m->str, m->len < SCX_MAX_COMM ? m->len : SCX_MAX_COMM - 1);
			}
		}
		if (bpf_map__update_elem(b->skel->maps.layers, &i, sizeof(i), sl, sizeof(*sl), BPF_ANY) < 0)
			r = -errno;
		cpumask_for_each_cpu(cpu, &masks[i])
			if (cpu < SCX_MAX_CPUS)
				cpus.bits[cpu / 64] |= 1ULL << (cpu % 64);
		if (r == 0 && bpf_map__update_elem(b->skel->maps.layer_cpus, &i, sizeof(i), &cpus, sizeof(cpus), BPF_ANY) < 0)
			r = -errno;
	}
	for (__u32 cpu = 0; cpu < SCX_MAX_CPUS && r == 0; cpu++) {
		__u32 owner = SCX_NO_LAYER;

		for (size_t i = 0; i < c->nr_layers; i++)
			if (cpumask_test(&masks[i], cpu))
				owner = (__u32)i;
		if (bpf_map__update_elem(b->skel->maps.cpu_owner, &cpu, sizeof(cpu), &owner, sizeof(owner), BPF_ANY) < 0)
			r = -errno;
	}
	free(sl);
	if (r < 0) {
		free(masks);
		snprintf(err, errlen, "writing the BPF maps: %s", strerror(-r));
		return r;
	}
	free(b->masks);
	b->masks = masks;
	b->nr = c->nr_layers;
	/* Tasks match again at their next scheduling event. */
	b->skel->bss->nr_layers = (__u32)c->nr_layers;
	__atomic_add_fetch(&b->skel->bss->cfg_gen, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static int bpf_attach(struct backend *b, const struct cfg *c, char *err, size_t errlen)
{
	int r;

	r = check_supported(c, err, errlen);
	if (r < 0)
		return r;
	bpf_detach(b);
	b->skel = layered_bpf__open();
	if (!b->skel) {
		r = -errno;
		snprintf(err, errlen, "opening the BPF scheduler: %s", strerror(-r));
		return r;
	}
	r = layered_bpf__load(b->skel);
	if (r) {
		snprintf(err, errlen, "loading the BPF scheduler: %s (the log says why)", strerror(-r));
		goto err;
	}
	r = write_maps(b, c, err, errlen);
	if (r < 0)
		goto err;
	/* Renames (exec, prctl) make a task match again. */
	b->rename_link = bpf_program__attach(b->skel->progs.layered_task_rename);
	if (!b->rename_link) {
		r = -errno;
		snprintf(err, errlen, "attaching the task_rename tracepoint: %s", strerror(-r));
		goto err;
	}
	b->link = bpf_map__attach_struct_ops(b->skel->maps.layered_ops);
	if (!b->link) {
		r = -errno;
		snprintf(err, errlen, "attaching the BPF scheduler: %s (is sched_ext enabled, is another scheduler attached?)",
			 strerror(-r));
		goto err;
	}
	b->cfg = c;
	b->failed = false;
	log_info("bpf scheduler scxd_layered attached (%zu layers)", c->nr_layers);
	return 0;
err:
	bpf_detach(b);
	return r;
}

static int bpf_update(struct backend *b, const struct cfg *c, char *err, size_t errlen)
{
	int r = check_supported(c, err, errlen);

	if (r < 0)
		return r;
	if (!b->link)
		return bpf_attach(b, c, err, errlen);
	r = write_maps(b, c, err, errlen);
	if (r == 0)
		b->cfg = c;
	return r;
}

static enum backend_state bpf_state(const struct backend *b, char *reason, size_t len)
{
	if (len)
		reason[0] = '\0';
	if (b->link && b->skel && b->skel->bss->exit_kind == 0)
		return BACKEND_ATTACHED;
	if (b->failed) {
		if (len)
			snprintf(reason, len, "%s", b->reason);
		return BACKEND_FAILED;
	}
	return BACKEND_DETACHED;
}

static int bpf_layer_cpus(const struct backend *b, size_t layer, struct cpumask *ret)
{
	if (!b->link || layer >= b->nr)
		return -ENODATA;
	*ret = b->masks[layer];
	return 0;
}

static int bpf_layer_stats(const struct backend *b, size_t layer, struct backend_layer_stats *ret)
{
	struct scx_layer_stats st;
	__u32 key = (__u32)layer;

	if (!b->link || layer >= b->nr)
		return -ENODATA;
	memset(ret, 0, sizeof(*ret));
	ret->nr_cpus = cpumask_weight(&b->masks[layer]);
	if (bpf_map__lookup_elem(b->skel->maps.layer_stats, &key, sizeof(key), &st, sizeof(st), 0) == 0)
		ret->nr_tasks = (unsigned int)st.matched;
	return 0;
}

static int bpf_explain(const struct backend *b, int pid, size_t *ret_layer, char *why, size_t len)
{
	struct scx_task_info info;
	__s32 key = pid;

	if (!b->link) {
		snprintf(why, len, "the scheduler is not attached");
		return -ENODATA;
	}
	if (bpf_map__lookup_elem(b->skel->maps.task_layers, &key, sizeof(key), &info, sizeof(info), 0) < 0)
		return -ESRCH;
	*ret_layer = info.layer;
	snprintf(why, len, "matched OR block %u", info.or_idx);
	return 0;
}

static time_t mono_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * The kernel ejected the scheduler (a BPF error, the watchdog, sysrq-S):
 * log its reason and attach again after 1, 2, 4, 8... seconds; after
 * EJECT_MAX ejections within EJECT_WINDOW_SECS give up and report failed
 * until `scxctl start` or an apply.
 */
static void bpf_tick(struct backend *b)
{
	char err[256];
	time_t now = mono_secs();

	if (b->retry_at && now >= b->retry_at && b->cfg) {
		b->retry_at = 0;
		if (bpf_attach(b, b->cfg, err, sizeof(err)) == 0) {
			log_warn("bpf scheduler re-attached after ejection %u", b->ejections);
			b->failed = false;
		} else {
			log_error("bpf scheduler: re-attach failed: %s", err);
			b->retry_at = now + (1 << (b->ejections < 6 ? b->ejections : 6));
		}
		return;
	}
	if (!b->link || !b->skel || b->skel->bss->exit_kind == 0)
		return;
	if (b->skel->bss->exit_kind == EXIT_UNREG) {
		bpf_detach(b);
		return;
	}
	snprintf(b->reason, sizeof(b->reason), "%s%s%s", b->skel->bss->exit_reason,
		 b->skel->bss->exit_msg[0] ? ": " : "", b->skel->bss->exit_msg);
	log_error("bpf scheduler ejected by the kernel (exit kind %d): %s", b->skel->bss->exit_kind, b->reason);
	bpf_detach(b);
	b->failed = true;
	if (now - b->window_start > EJECT_WINDOW_SECS) {
		b->window_start = now;
		b->ejections = 0;
	}
	if (++b->ejections > EJECT_MAX) {
		log_error("bpf scheduler: %u ejections within %d s, giving up; `scxctl start` tries again",
			  b->ejections - 1, EJECT_WINDOW_SECS);
		return;
	}
	b->retry_at = now + (1 << (b->ejections - 1));
}

static const int bpf_caps_needed[] = { CAP_BPF, CAP_PERFMON };

static const int *bpf_caps(const struct backend *b, size_t *ret_n)
{
	(void)b;
	*ret_n = sizeof(bpf_caps_needed) / sizeof(bpf_caps_needed[0]);
	return bpf_caps_needed;
}

const struct backend_ops backend_bpf_ops = {
	.name = "bpf",
	.create = bpf_create,
	.destroy = bpf_destroy,
	.attach = bpf_attach,
	.update = bpf_update,
	.detach = bpf_stop,
	.state = bpf_state,
	.layer_cpus = bpf_layer_cpus,
	.layer_stats = bpf_layer_stats,
	.explain = bpf_explain,
	.tick = bpf_tick,
	.caps = bpf_caps,
};
