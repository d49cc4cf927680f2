/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bpf backend: bpf/layered.bpf.c through its skeleton (the only user
 * of it). attach loads and attaches the struct_ops link, so the kernel
 * returns to its default scheduler as soon as scxd goes away; update
 * rewrites the maps and bumps the config generation, so an apply never
 * leaves sched_ext; detach destroys the link.
 *
 * Every interval (tick) it reads the per-layer CPU time BPF measured,
 * runs the control loop (agent/ctl.h) and writes the CPUs each layer owns
 * into the BPF object's .bss (layer_cpus, cpu_owner). Cgroup path
 * matchers are decided here: the cgroup tree is walked, every distinct
 * CgroupPrefix/Suffix/Contains/Regex term gets a bit, and each cgroup's
 * bits go to the cgroup_bits map; the tree is walked again when BPF met a
 * cgroup it did not know, and every CGROUP_RESCAN_SECS to forget removed
 * ones.
 *
 * GPU membership: with enable_gpu_support, one kprobe.multi link per
 * driver symbol (gpu_probe_symbols, or the NVIDIA entry points of
 * gpu_kprobe_level) that exists in kallsyms, attached after the scheduler
 * (kprobe.multi, not perf-event kprobes: those need CAP_SYS_ADMIN at
 * perf_event_paranoid 3, and the agent keeps only CAP_BPF+CAP_PERFMON).
 *
 * Matchers BPF cannot decide yet (hints, CmdJoin, SystemCpuUtilBelow,
 * DsqInsertBelow) and templates are refused with a clear error rather
 * than half applied.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>

#include "agent/backend.h"
#include "agent/cgroups.h"
#include "agent/ctl.h"
#include "bpf/intf.h"
#include "common/fileio.h"
#include "common/log.h"
#include "layered.skel.h"

/* One numbering for the matcher and layer kinds on both sides. */
_Static_assert((int)CFG_M_CGROUP_PREFIX == (int)SCX_M_CGROUP_PREFIX, "match kinds");
_Static_assert((int)CFG_M_CGROUP_REGEX == (int)SCX_M_CGROUP_REGEX, "match kinds");
_Static_assert((int)CFG_M_COMM_PREFIX == (int)SCX_M_COMM_PREFIX, "match kinds");
_Static_assert((int)CFG_M_PCOMM_PREFIX_EXCLUDE == (int)SCX_M_PCOMM_PREFIX_EXCLUDE, "match kinds");
_Static_assert((int)CFG_M_NICE_EQUALS == (int)SCX_M_NICE_EQUALS, "match kinds");
_Static_assert((int)CFG_M_TGID_EQUALS == (int)SCX_M_TGID_EQUALS, "match kinds");
_Static_assert((int)CFG_M_NSPID_EQUALS == (int)SCX_M_NSPID_EQUALS, "match kinds");
_Static_assert((int)CFG_M_NS_EQUALS == (int)SCX_M_NS_EQUALS, "match kinds");
_Static_assert((int)CFG_M_IS_KTHREAD == (int)SCX_M_IS_KTHREAD, "match kinds");
_Static_assert((int)CFG_M_AVG_RUNTIME == (int)SCX_M_AVG_RUNTIME, "match kinds");
_Static_assert((int)CFG_M_NUMA_NODE == (int)SCX_M_NUMA_NODE, "match kinds");
_Static_assert((int)CFG_NR_MATCH_KINDS == (int)SCX_NR_M, "match kinds");
_Static_assert((int)CFG_KIND_CONFINED == (int)SCX_LAYER_CONFINED, "layer kinds");
_Static_assert((int)CFG_KIND_OPEN == (int)SCX_LAYER_OPEN, "layer kinds");

/* pidfd_open() flag for a thread rather than a process (Linux 6.9, = O_EXCL). */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD 0x80
#endif

/* The kernel's SCX_EXIT_UNREG: unregistered by us. */
#define EXIT_UNREG 64

#define EJECT_WINDOW_SECS  120
#define EJECT_MAX	   5
#define CGROUP_RESCAN_SECS 10

#define GPU_MAX_PROBES CFG_MAX_GPU_SYMBOLS

/* One GPU driver probe: a kprobe.multi link on one symbol, or why there is none. */
struct gpu_probe {
	char sym[96];
	struct bpf_link *link;
	char state[128];                /* "attached", "missing", "failed: ..." */
};

struct backend {
	const struct topo *topo;
	char *kallsyms;                 /* procfs_root + /kallsyms */
	struct gpu_probe probes[GPU_MAX_PROBES];
	size_t nr_probes;
	char *cgroup_root;              /* sysfs_root + /fs/cgroup */
	struct layered_bpf *skel;
	struct bpf_link *link;
	struct bpf_link *rename_link;
	struct bpf_link *cgroup_link;
	const struct cfg *cfg;          /* borrowed: the agent's current config */
	struct ctl *ctl;
	size_t nr;
	bool failed;
	char reason[400];
	/* Measurement for the control loop. */
	struct scx_layer_stats *prev;   /* [SCX_MAX_LAYERS] sums at the last step */
	struct scx_layer_stats *percpu; /* one lookup's buffer */
	int nr_possible;
	double last_step;
	double last_avgrt;
	/* Cross-NUMA gating: per layer and node, the time at the last step, and the source nodes. */
	uint64_t xn_prev[SCX_MAX_LAYERS][SCX_MAX_NUMA_NODES];
	uint64_t xn_now[SCX_MAX_LAYERS][SCX_MAX_NUMA_NODES];
	uint32_t xn_src[SCX_MAX_LAYERS];
	/* Cgroup terms. */
	struct cgroup_terms terms;
	uint64_t seen_misses;
	uint64_t seen_gpu_full;         /* gpu_tgid_full already logged */
	double last_scan;
	/* Ejections: re-attach with backoff, give up after too many in a window. */
	unsigned int ejections;         /* in the current window */
	time_t window_start;
	time_t retry_at;                /* 0: no re-attach pending */
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* A verifier log comes as one message of many lines: one log line each (the last 200 at most). */
	static char buf[256 * 1024];
	char *line, *save = NULL;
	int n, skip;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return 0;
	skip = 0;
	for (char *p = buf; *p; p++)
		skip += *p == '\n';
	skip = skip > 200 ? skip - 200 : 0;
	if (skip)
		log_warn("libbpf: (%d earlier lines of this message left out)", skip);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (skip-- > 0)
			continue;
		if (level == LIBBPF_WARN)
			log_warn("libbpf: %s", line);
		else if (level == LIBBPF_INFO)
			log_info("libbpf: %s", line);
		else
			log_debug("libbpf: %s", line);
	}
	return 0;
}

static struct backend *bpf_create(const struct topo *topo, const char *sysfs_root, const char *procfs_root)
{
	struct backend *b = calloc(1, sizeof(*b));
	char path[4096];
	int n = libbpf_num_possible_cpus();

	if (!b)
		return NULL;
	b->topo = topo;
	b->nr_possible = n > 0 ? n : 1;
	b->prev = calloc(SCX_MAX_LAYERS, sizeof(*b->prev));
	b->percpu = calloc((size_t)b->nr_possible, sizeof(*b->percpu));
	if (fileio_path(path, sizeof(path), sysfs_root, "fs/cgroup") == 0)
		b->cgroup_root = strdup(path);
	if (fileio_path(path, sizeof(path), procfs_root, "kallsyms") == 0)
		b->kallsyms = strdup(path);
	if (!b->prev || !b->percpu || !b->cgroup_root || !b->kallsyms) {
		free(b->prev);
		free(b->percpu);
		free(b->cgroup_root);
		free(b->kallsyms);
		free(b);
		return NULL;
	}
	libbpf_set_print(print_libbpf);
	return b;
}

static void gpu_detach(struct backend *b)
{
	for (size_t i = 0; i < b->nr_probes; i++)
		bpf_link__destroy(b->probes[i].link);
	b->nr_probes = 0;
}

static int bpf_detach(struct backend *b)
{
	gpu_detach(b);
	bpf_link__destroy(b->link);
	b->link = NULL;
	bpf_link__destroy(b->rename_link);
	b->rename_link = NULL;
	bpf_link__destroy(b->cgroup_link);
	b->cgroup_link = NULL;
	layered_bpf__destroy(b->skel);
	b->skel = NULL;
	ctl_free(b->ctl);
	b->ctl = NULL;
	b->nr = 0;
	return 0;
}

/* Detach on request: no re-attach pending either. */
static int bpf_stop(struct backend *b)
{
	b->retry_at = 0;
	b->failed = false;
	b->cfg = NULL;
	return bpf_detach(b);
}

static void bpf_destroy(struct backend *b)
{
	if (!b)
		return;
	bpf_detach(b);
	cgroup_terms_free(&b->terms);
	free(b->prev);
	free(b->percpu);
	free(b->cgroup_root);
	free(b->kallsyms);
	free(b);
}

static bool supported(enum cfg_match_kind k)
{
	switch (k) {
	case CFG_M_CMD_JOIN:
	case CFG_M_HINT_EQUALS:
	case CFG_M_SYSTEM_CPU_UTIL_BELOW:
	case CFG_M_DSQ_INSERT_BELOW:
		return false;
	default:
		return true;
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Walk the cgroup tree and write every cgroup's bits to cgroup_bits,
 * removing cgroups that are gone; then bump cgroup_gen so tasks that met
 * an unknown cgroup match again.
 */
static void scan_cgroups(struct backend *b)
{
	struct cgroup_list cl;
	uint64_t *ids = NULL, key, next;
	size_t updated = 0, removed = 0;
	int fd, r;

	b->last_scan = mono();
	b->seen_misses = b->skel->bss->cgroup_misses;
	if (!b->terms.n)
		return;
	r = cgroups_scan(b->cgroup_root, &cl);
	if (r < 0) {
		log_warn("cgroup matchers: walking %s: %s; cgroup terms match nothing", b->cgroup_root, strerror(-r));
		return;
	}
	fd = bpf_map__fd(b->skel->maps.cgroup_bits);
	ids = calloc(cl.n ? cl.n : 1, sizeof(*ids));
	for (size_t i = 0; i < cl.n; i++) {
		uint64_t bits = cgroup_terms_bits(&b->terms, cl.v[i].path);

		if (ids)
			ids[i] = cl.v[i].id;
		if (bpf_map_update_elem(fd, &cl.v[i].id, &bits, BPF_ANY) == 0)
			updated++;
		else if (errno == E2BIG)
			break;
	}
	if (ids) {
		qsort(ids, cl.n, sizeof(*ids), cmp_u64);
		/* Forget cgroups that are gone (restarting the walk after each delete keeps it simple and safe). */
		for (r = bpf_map_get_next_key(fd, NULL, &key); r == 0; r = bpf_map_get_next_key(fd, &key, &next), key = next)
			if (!bsearch(&key, ids, cl.n, sizeof(*ids), cmp_u64) && bpf_map_delete_elem(fd, &key) == 0)
				removed++;
	}
	if (updated < cl.n)
		log_warn("cgroup matchers: only %zu of %zu cgroups fit in the BPF map", updated, cl.n);
	log_debug("cgroup matchers: %zu cgroups scanned, %zu removed", cl.n, removed);
	free(ids);
	cgroups_free(&cl);
	__atomic_add_fetch(&b->skel->bss->cgroup_gen, 1, __ATOMIC_SEQ_CST);
}

static void cpus_to_bits(const struct cpumask *m, struct scx_cpus *out)
{
	unsigned int cpu;

	memset(out, 0, sizeof(*out));
	cpumask_for_each_cpu(cpu, m)
		if (cpu < SCX_MAX_CPUS)
			out->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

/* The topology's nodes into .bss: each node's CPUs, each CPU's node. */
static void push_nodes(struct backend *b)
{
	struct layered_bpf__bss *bss = b->skel->bss;
	const struct topo *t = b->topo;
	__u32 max = 0;

	for (size_t n = 0; n < SCX_MAX_NUMA_NODES; n++)
		memset(&bss->node_cpus[n], 0, sizeof(bss->node_cpus[n]));
	for (size_t n = 0; n < t->nr_nodes; n++)
		if (t->nodes[n].id < SCX_MAX_NUMA_NODES) {
			cpus_to_bits(&t->nodes[n].cpus, &bss->node_cpus[t->nodes[n].id]);
			if (t->nodes[n].id + 1 > max)
				max = t->nodes[n].id + 1;
		}
	for (unsigned int c = 0; c < SCX_MAX_CPUS; c++)
		bss->cpu_node[c] = c < t->nr_cpu_ids && t->cpus[c].node >= 0 && t->cpus[c].node < SCX_MAX_NUMA_NODES ?
					   (__u32)t->cpus[c].node : 0;
	bss->nr_cpu_ids = t->nr_cpu_ids < SCX_MAX_CPUS ? t->nr_cpu_ids : SCX_MAX_CPUS;
	bss->nr_nodes_on = max ? max : 1;
}

/* Does layer i gate cross-NUMA moves (both thresholds of xnuma_threshold above 0, several nodes)? */
static bool xnuma_gates(const struct backend *b, size_t i)
{
	const struct cfg_layer *l = &b->cfg->layers[i];

	return b->topo->nr_nodes > 1 && (l->xnuma_threshold[0] > 0 || l->xnuma_threshold[1] > 0);
}

/* The control loop's allocation into .bss, where BPF reads it. */
static void push_cpus(struct backend *b)
{
	struct layered_bpf__bss *bss = b->skel->bss;
	__u32 owner[SCX_MAX_CPUS];
	struct cpumask avail;

	for (size_t cpu = 0; cpu < SCX_MAX_CPUS; cpu++)
		owner[cpu] = SCX_NO_LAYER;
	for (size_t i = 0; i < b->nr && i < SCX_MAX_LAYERS; i++) {
		const struct cpumask *m = ctl_layer_cpus(b->ctl, i);
		unsigned int cpu;

		cpus_to_bits(m, &bss->layer_cpus[i]);
		cpumask_for_each_cpu(cpu, m)
			if (cpu < SCX_MAX_CPUS)
				owner[cpu] = (__u32)i;
	}
	for (size_t cpu = 0; cpu < SCX_MAX_CPUS; cpu++)
		if (bss->cpu_owner[cpu] != owner[cpu])
			__atomic_store_n(&bss->cpu_owner[cpu], owner[cpu], __ATOMIC_RELAXED);
	/* Where each layer has CPUs (Open: the open ones), and the CPUs no protected layer owns. */
	cpumask_fill(&avail, b->topo->nr_cpu_ids);
	for (size_t i = 0; i < b->nr && i < SCX_MAX_LAYERS; i++) {
		const struct cpumask *m = b->cfg->layers[i].kind == CFG_KIND_OPEN ? ctl_open_cpus(b->ctl) :
										ctl_layer_cpus(b->ctl, i);
		__u32 nodes = 0;

		for (size_t n = 0; n < b->topo->nr_nodes; n++) {
			struct cpumask x;

			cpumask_and(&x, m, &b->topo->nodes[n].cpus);
			if (!cpumask_is_empty(&x) && b->topo->nodes[n].id < SCX_MAX_NUMA_NODES)
				nodes |= 1u << b->topo->nodes[n].id;
		}
		bss->layer_nodes[i] = nodes;
		if (b->cfg->layers[i].protected_)
			cpumask_andnot(&avail, &avail, ctl_layer_cpus(b->ctl, i));
		if (!xnuma_gates(b, i))
			b->xn_src[i] = ~0u;
		bss->xnuma_src[i] = b->xn_src[i];
	}
	cpus_to_bits(&avail, &bss->avail_cpus);
}

/*
 * Cross-NUMA gating (SCHEDULER.md 2.5, xnuma): a node becomes a migration
 * source for a layer when the layer's load there (CPU time and queue wait,
 * in CPUs) over the CPUs it has there exceeds xnuma_threshold's high
 * mark, exceeds the least loaded other node's ratio by more than
 * xnuma_threshold_delta's high mark, and the layer could not grow (Open
 * layers never can); it stops being one below either low mark, or when
 * the layer could grow again. Then BPF lets the layer's tasks leave it.
 */
static void xnuma_step(struct backend *b, size_t i, double elapsed)
{
	const struct cfg_layer *l = &b->cfg->layers[i];
	const struct cpumask *m = l->kind == CFG_KIND_OPEN ? ctl_open_cpus(b->ctl) : ctl_layer_cpus(b->ctl, i);
	double ratio[SCX_MAX_NUMA_NODES] = { 0 };
	struct ctl_layer_view v;
	bool denied;

	if (!xnuma_gates(b, i))
		return;
	ctl_layer_view(b->ctl, i, &v);
	denied = l->kind == CFG_KIND_OPEN || v.target > v.nr_cpus;
	for (size_t n = 0; n < b->topo->nr_nodes; n++) {
		unsigned int id = b->topo->nodes[n].id;
		struct cpumask x;
		double load, alloc;

		if (id >= SCX_MAX_NUMA_NODES || cpumask_is_empty(&b->topo->nodes[n].cpus))
			continue;
		cpumask_and(&x, m, &b->topo->nodes[n].cpus);
		alloc = cpumask_weight(&x);
		load = (double)(b->xn_now[i][id] - b->xn_prev[i][id]) / 1e9 / elapsed;
		ratio[id] = alloc > 0 ? load / alloc : load > 0.05 ? INFINITY : 0;
	}
	for (size_t n = 0; n < b->topo->nr_nodes; n++) {
		unsigned int id = b->topo->nodes[n].id;
		bool src, was;
		double others = 1e18;

		if (id >= SCX_MAX_NUMA_NODES || cpumask_is_empty(&b->topo->nodes[n].cpus))
			continue;
		for (size_t k = 0; k < b->topo->nr_nodes; k++)
			if (k != n && b->topo->nodes[k].id < SCX_MAX_NUMA_NODES && ratio[b->topo->nodes[k].id] < others)
				others = ratio[b->topo->nodes[k].id];
		was = (b->xn_src[i] >> id) & 1;
		if (was)
			src = denied && ratio[id] >= l->xnuma_threshold[0] && ratio[id] - others >= l->xnuma_threshold_delta[0];
		else
			src = denied && ratio[id] > l->xnuma_threshold[1] && ratio[id] - others > l->xnuma_threshold_delta[1];
		if (src == was)
			continue;
		b->xn_src[i] ^= 1u << id;
		log_info("layer \"%s\": node %u %s a cross-NUMA migration source (load/CPUs %.2f, others %.2f)", l->name,
			 id, src ? "becomes" : "is no longer", ratio[id], others);
	}
	b->skel->bss->xnuma_src[i] = b->xn_src[i];
}

static void fill_layer(struct scx_layer *sl, const struct cfg_layer *l, const struct cfg_options *o,
		       const struct cgroup_terms *terms)
{
	memset(sl, 0, sizeof(*sl));
	sl->kind = (__u32)l->kind;
	sl->nr_ors = (__u32)l->nr_ors;
	sl->slice_ns = (l->slice_us ? l->slice_us : o->slice_us) * 1000;
	sl->min_exec_ns = l->min_exec_us * 1000;
	sl->weight = l->weight;
	sl->yield_ignore = (__u32)(l->yield_ignore * SCX_RATIO_ONE + 0.5);
	sl->flags = (l->fifo ? SCX_LF_FIFO : 0) | (l->preempt ? SCX_LF_PREEMPT : 0) |
		    (l->preempt_first ? SCX_LF_PREEMPT_FIRST : 0) | (l->protected_ ? SCX_LF_PROTECTED : 0) |
		    (l->placement == CFG_PLACEMENT_STICKY ? SCX_LF_STICKY : 0);
	for (size_t j = 0; j < l->nr_ors; j++) {
		sl->ors[j].nr = (__u32)l->ors[j].n;
		for (size_t k = 0; k < l->ors[j].n; k++) {
			const struct cfg_match *m = &l->ors[j].m[k];
			struct scx_match *sm = &sl->ors[j].m[k];

			sm->kind = (__u32)m->kind;
			sm->flag = m->flag;
			sm->ival = m->i;
			sm->a = m->a;
			sm->b = m->b;
			if (m->kind == CFG_M_USED_GPU_TID || m->kind == CFG_M_USED_GPU_PID)
				sm->a = l->member_expire_ms * 1000000ULL;
			if (cgroup_term_kind(m->kind))
				sm->ival = cgroup_terms_find(terms, m);
			else if (m->str)
				memcpy(sm->str, m->str, m->len < SCX_MAX_COMM ? m->len : SCX_MAX_COMM - 1);
		}
	}
}

/* Write the config into the maps and .bss; tasks match again at their next scheduling event. */
static int write_config(struct backend *b, const struct cfg *c, char *err, size_t errlen)
{
	struct cgroup_terms terms;
	struct layered_bpf__bss *bss = b->skel->bss;
	struct scx_layer *sl = calloc(1, sizeof(*sl));
	struct ctl *ctl = NULL;
	bool avgrt = false, gpu_pid = false;
	__u64 gpu_expire = 0;
	int r;

	if (!sl) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = cgroup_terms_build(&terms, c, err, errlen);
	if (r == 0) {
		r = ctl_new(b->topo, c, b->ctl && b->nr ? b->ctl : NULL, &ctl);
		if (r < 0)
			snprintf(err, errlen, "out of memory");
	}
	for (__u32 i = 0; i < c->nr_layers && r == 0; i++) {
		fill_layer(sl, &c->layers[i], &c->opts, &terms);
		for (size_t j = 0; j < c->layers[i].nr_ors; j++)
			for (size_t k = 0; k < c->layers[i].ors[j].n; k++) {
				enum cfg_match_kind kind = c->layers[i].ors[j].m[k].kind;
				__u64 ttl = c->layers[i].member_expire_ms * 1000000ULL;

				avgrt |= kind == CFG_M_AVG_RUNTIME;
				if (kind == CFG_M_USED_GPU_PID) {
					/* The longest window; one that never expires wins. */
					gpu_expire = !gpu_pid ? ttl : (!ttl || !gpu_expire) ? 0 : ttl > gpu_expire ? ttl : gpu_expire;
					gpu_pid = true;
				}
			}
		if (bpf_map__update_elem(b->skel->maps.layers, &i, sizeof(i), sl, sizeof(*sl), BPF_ANY) < 0) {
			r = -errno;
			snprintf(err, errlen, "writing layer %u to the BPF map: %s", i, strerror(-r));
		}
	}
	free(sl);
	if (r < 0) {
		cgroup_terms_free(&terms);
		ctl_free(ctl);
		return r;
	}
	cgroup_terms_free(&b->terms);
	b->terms = terms;
	ctl_free(b->ctl);
	b->ctl = ctl;
	b->nr = c->nr_layers;
	b->cfg = c;
	memset(b->prev, 0, SCX_MAX_LAYERS * sizeof(*b->prev));
	b->last_step = 0;
	memset(b->xn_src, 0, sizeof(b->xn_src));
	memset(b->xn_prev, 0, sizeof(b->xn_prev));
	push_nodes(b);
	bss->has_avgrt = avgrt;
	bss->has_gpu_pid = gpu_pid;
	bss->gpu_pid_expire_ns = gpu_expire;
	bss->antistall_ns = c->opts.disable_antistall ? 0 : c->opts.antistall_sec * 1000000000ULL;
	push_cpus(b);
	scan_cgroups(b);
	bss->nr_layers = (__u32)c->nr_layers;
	__atomic_add_fetch(&bss->cfg_gen, 1, __ATOMIC_SEQ_CST);
	return 0;
}

/* Is sym a function in kallsyms? */
static bool in_kallsyms(const char *path, const char *sym)
{
	char line[512], name[256], type;
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %c %255s", &type, name) == 2 && (type == 't' || type == 'T'))
			found = strcmp(name, sym) == 0;
	fclose(f);
	return found;
}

/*
 * (Re)attach the GPU driver probes of c: the symbols of gpu_probe_symbols,
 * else the NVIDIA entry points of gpu_kprobe_level. A symbol the kernel
 * does not have (no driver loaded) is a warning, not a failure.
 */
static void gpu_attach(struct backend *b, const struct cfg *c)
{
	static const char *const nvidia[] = { "nvidia_open", "nvidia_mmap", "nvidia_poll" };
	const char *syms[GPU_MAX_PROBES];
	size_t n = 0;

	gpu_detach(b);
	if (!c->opts.enable_gpu_support)
		return;
	if (c->opts.nr_gpu_probe_symbols)
		for (size_t i = 0; i < c->opts.nr_gpu_probe_symbols && n < GPU_MAX_PROBES; i++)
			syms[n++] = c->opts.gpu_probe_symbols[i];
	else
		for (unsigned int i = 0; i < c->opts.gpu_kprobe_level && i < 3; i++)
			syms[n++] = nvidia[i];
	for (size_t i = 0; i < n; i++) {
		struct gpu_probe *gp = &b->probes[b->nr_probes++];
		LIBBPF_OPTS(bpf_kprobe_multi_opts, opts, .syms = &syms[i], .cnt = 1);

		memset(gp, 0, sizeof(*gp));
		snprintf(gp->sym, sizeof(gp->sym), "%s", syms[i]);
		if (!in_kallsyms(b->kallsyms, syms[i])) {
			snprintf(gp->state, sizeof(gp->state), "missing");
			log_warn("gpu: driver symbol %s is not in %s: not probed (no driver loaded?)", syms[i], b->kallsyms);
			continue;
		}
		gp->link = bpf_program__attach_kprobe_multi_opts(b->skel->progs.layered_gpu_probe, NULL, &opts);
		if (!gp->link) {
			int e = errno;

			snprintf(gp->state, sizeof(gp->state), "failed: %s", strerror(e));
			log_warn("gpu: probing %s: %s", syms[i], strerror(e));
			continue;
		}
		snprintf(gp->state, sizeof(gp->state), "attached");
		log_info("gpu: probing driver symbol %s", syms[i]);
	}
}

static size_t bpf_gpu_probes(const struct backend *b, char (*lines)[128], size_t max, uint64_t *ret_calls)
{
	*ret_calls = b->skel && b->link ? b->skel->bss->gpu_calls : 0;
	for (size_t i = 0; i < b->nr_probes && i < max; i++)
		snprintf(lines[i], 128, "%.60s %.60s", b->probes[i].sym, b->probes[i].state);
	/* Processes the full map could not record: never silent. */
	if (b->nr_probes && b->nr_probes < max && b->skel && b->link && b->skel->bss->gpu_tgid_full) {
		snprintf(lines[b->nr_probes], 128, "(map full: %llu processes not recorded)",
			 (unsigned long long)b->skel->bss->gpu_tgid_full);
		return b->nr_probes + 1;
	}
	return b->nr_probes;
}

static int bpf_attach(struct backend *b, const struct cfg *c, char *err, size_t errlen)
{
	int r;

	r = check_supported(c, err, errlen);
	if (r < 0)
		return r;
	bpf_detach(b);
	b->seen_gpu_full = 0;
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
	for (size_t cpu = 0; cpu < SCX_MAX_CPUS; cpu++)
		b->skel->bss->cpu_cur[cpu].layer = SCX_NO_LAYER;
	r = write_config(b, c, err, errlen);
	if (r < 0)
		goto err;
	/* Renames (exec, prctl) and cgroup moves make a task match again. */
	b->rename_link = bpf_program__attach(b->skel->progs.layered_task_rename);
	b->cgroup_link = b->rename_link ? bpf_program__attach(b->skel->progs.layered_cgroup_attach_task) : NULL;
	if (!b->rename_link || !b->cgroup_link) {
		r = -errno;
		snprintf(err, errlen, "attaching the %s tracepoint: %s", b->rename_link ? "cgroup_attach_task" : "task_rename",
			 strerror(-r));
		goto err;
	}
	b->link = bpf_map__attach_struct_ops(b->skel->maps.layered_ops);
	if (!b->link) {
		r = -errno;
		snprintf(err, errlen, "attaching the BPF scheduler: %s (is sched_ext enabled, is another scheduler attached?)",
			 strerror(-r));
		goto err;
	}
	b->failed = false;
	/* After the scheduler: a probe never runs before the task contexts exist. */
	gpu_attach(b, c);
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
	r = write_config(b, c, err, errlen);
	if (r == 0)
		gpu_attach(b, c);
	return r;
}

/* CPU hotplug: the control loop again on the new topology, same-named layers keeping what they can. */
static int bpf_set_topology(struct backend *b, const struct topo *t, char *err, size_t errlen)
{
	struct ctl *ctl;
	int r;

	b->topo = t;
	if (!b->link || !b->cfg || !b->ctl)
		return 0;
	r = ctl_new(t, b->cfg, b->ctl, &ctl);
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		return r;
	}
	ctl_free(b->ctl);
	b->ctl = ctl;
	push_nodes(b);
	push_cpus(b);
	/* NumaNode answers may have changed. */
	__atomic_add_fetch(&b->skel->bss->cfg_gen, 1, __ATOMIC_SEQ_CST);
	return 0;
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
	if (!b->link || !b->ctl || layer >= b->nr)
		return -ENODATA;
	*ret = *ctl_layer_cpus(b->ctl, layer);
	return 0;
}

static int read_stats(struct backend *b, __u32 l, struct scx_layer_stats *ret);

static int bpf_layer_stats(const struct backend *b, size_t layer, struct backend_layer_stats *ret)
{
	struct scx_layer_stats st;
	struct ctl_layer_view v;
	__s64 n;

	if (!b->link || !b->ctl || layer >= b->nr || layer >= SCX_MAX_LAYERS)
		return -ENODATA;
	ctl_layer_view(b->ctl, layer, &v);
	memset(ret, 0, sizeof(*ret));
	n = __atomic_load_n(&b->skel->bss->layer_nr_tasks[layer], __ATOMIC_RELAXED);
	ret->nr_tasks = n > 0 ? (unsigned int)n : 0;
	ret->nr_cpus = v.nr_cpus;
	ret->util = v.util;
	ret->load = v.load;
	ret->target = v.target;
	if (read_stats((struct backend *)b, (__u32)layer, &st) == 0) {
		ret->has_counters = true;
		ret->joined = st.matched;
		ret->enqueued = st.enqueued;
		ret->direct = st.direct;
		ret->preempted = st.preempt;
		ret->fallback = st.fallback;
		ret->yielded = st.yielded;
	}
	return 0;
}

/* The task context BPF keeps for pid, read through a pidfd. */
static int task_ctx(const struct backend *b, int pid, struct scx_task_ctx *tc)
{
	int pidfd, r = 0;

	if (!b->link)
		return -ENODATA;
	if (pid <= 0)
		return -ESRCH;
	/* A thread needs PIDFD_THREAD (Linux 6.9); older kernels only know processes. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
	if (pidfd < 0 && errno == EINVAL)
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -ESRCH;
	if (bpf_map__lookup_elem(b->skel->maps.task_ctxs, &pidfd, sizeof(pidfd), tc, sizeof(*tc), 0) < 0)
		r = errno == ENOENT ? -ESRCH : -errno;
	close(pidfd);
	if (r == 0 && (tc->layer == SCX_NO_LAYER || tc->layer >= b->nr))
		r = -ESRCH;
	return r;
}

/* What else BPF knows about the task: its run time, and its GPU membership. */
static void explain_details(const struct backend *b, const struct scx_task_ctx *tc, char *why, size_t len)
{
	struct timespec ts;
	uint64_t now;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	n = snprintf(why, len, "average run %llu us", (unsigned long long)(tc->runtime_avg_ns / 1000));
	if (n < 0 || (size_t)n >= len || !b->nr_probes)
		return;
	if (!tc->gpu_at)
		snprintf(why + n, len - (size_t)n, "; GPU: no driver call seen");
	else if (tc->recheck_at)
		snprintf(why + n, len - (size_t)n, "; GPU: last driver call %llu ms ago, membership expires in %lld ms",
			 (unsigned long long)((now - tc->gpu_at) / 1000000),
			 (long long)((int64_t)(tc->recheck_at - now) / 1000000));
	else
		snprintf(why + n, len - (size_t)n, "; GPU: last driver call %llu ms ago%s",
			 (unsigned long long)((now - tc->gpu_at) / 1000000),
			 tc->gpu_expired ? ", membership expired" : "");
}

static int bpf_explain(const struct backend *b, int pid, size_t *ret_layer, char *why, size_t len)
{
	struct scx_task_ctx tc;
	int r = task_ctx(b, pid, &tc);

	if (r == -ENODATA)
		snprintf(why, len, "the scheduler is not attached");
	if (r < 0)
		return r;
	*ret_layer = tc.layer;
	explain_details(b, &tc, why, len);
	return 0;
}

static int bpf_match(const struct backend *b, int pid, size_t *ret_layer, size_t *ret_or)
{
	struct scx_task_ctx tc;
	int r = task_ctx(b, pid, &tc);

	if (r < 0)
		return r;
	*ret_layer = tc.layer;
	*ret_or = tc.or_idx;
	return 0;
}

/* Sum layer l's per-CPU counters into *ret. */
static int read_stats(struct backend *b, __u32 l, struct scx_layer_stats *ret)
{
	size_t sz = sizeof(*b->percpu) * (size_t)b->nr_possible;

	memset(ret, 0, sizeof(*ret));
	if (bpf_map__lookup_elem(b->skel->maps.layer_stats, &l, sizeof(l), b->percpu, sz, 0) < 0)
		return -errno;
	if (l < SCX_MAX_LAYERS)
		memset(b->xn_now[l], 0, sizeof(b->xn_now[l]));
	for (int c = 0; c < b->nr_possible; c++) {
		const __u64 *src = (const __u64 *)&b->percpu[c];
		__u64 *dst = (__u64 *)ret;
		int node = (unsigned int)c < b->topo->nr_cpu_ids ? b->topo->cpus[c].node : -1;

		for (size_t k = 0; k < sizeof(*ret) / sizeof(__u64); k++)
			dst[k] += src[k];
		/* Load per node (CPU time and queue wait of the CPU's runs), for the cross-NUMA gate. */
		if (l < SCX_MAX_LAYERS && node >= 0 && node < SCX_MAX_NUMA_NODES)
			b->xn_now[l][node] += b->percpu[c].owned_ns + b->percpu[c].open_ns + b->percpu[c].wait_ns;
	}
	return 0;
}

/* One control-loop step: measure what each layer ran since the last, decide, push. */
static void control_step(struct backend *b)
{
	struct ctl_sample smp[SCX_MAX_LAYERS];
	double now = mono(), elapsed = now - b->last_step;
	bool first = b->last_step == 0;

	b->last_step = now;
	memset(smp, 0, sizeof(smp));
	for (__u32 i = 0; i < b->nr && i < SCX_MAX_LAYERS; i++) {
		struct scx_layer_stats st;

		if (read_stats(b, i, &st) < 0)
			return;
		if (!first && elapsed > 0) {
			smp[i].owned = (double)(st.owned_ns - b->prev[i].owned_ns) / 1e9 / elapsed;
			smp[i].open = (double)(st.open_ns - b->prev[i].open_ns) / 1e9 / elapsed;
			smp[i].load = smp[i].owned + smp[i].open + (double)(st.wait_ns - b->prev[i].wait_ns) / 1e9 / elapsed;
		}
		b->prev[i] = st;
	}
	if (first) {
		memcpy(b->xn_prev, b->xn_now, sizeof(b->xn_prev));
		return;
	}
	if (ctl_step(b->ctl, smp, (uint64_t)(elapsed * 1e9)))
		push_cpus(b);
	for (size_t i = 0; i < b->nr && i < SCX_MAX_LAYERS; i++)
		xnuma_step(b, i, elapsed);
	memcpy(b->xn_prev, b->xn_now, sizeof(b->xn_prev));
}

static time_t mono_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * Every interval: the control loop, cgroup rescans, the AvgRuntime
 * refresh. And ejections (a BPF error, the watchdog, sysrq-S): log the
 * kernel's reason and attach again after 1, 2, 4, 8... seconds; after
 * EJECT_MAX ejections within EJECT_WINDOW_SECS give up and report failed
 * until `scxctl start` or an apply.
 */
static void bpf_tick(struct backend *b)
{
	char err[256];
	time_t now = mono_secs();

	if (b->retry_at && now >= b->retry_at && b->cfg) {
		const struct cfg *c = b->cfg;

		b->retry_at = 0;
		if (bpf_attach(b, c, err, sizeof(err)) == 0) {
			log_warn("bpf scheduler re-attached after ejection %u", b->ejections);
			b->failed = false;
		} else {
			log_error("bpf scheduler: re-attach failed: %s", err);
			b->cfg = c;
			b->retry_at = now + (1 << (b->ejections < 6 ? b->ejections : 6));
		}
		return;
	}
	if (!b->link || !b->skel)
		return;
	if (b->skel->bss->exit_kind == 0) {
		double t = mono();

		control_step(b);
		if (b->terms.n && (b->skel->bss->cgroup_misses != b->seen_misses || t - b->last_scan >= CGROUP_RESCAN_SECS))
			scan_cgroups(b);
		if (b->skel->bss->gpu_tgid_full != b->seen_gpu_full) {
			log_warn("gpu: %llu GPU processes could not be recorded: the process map is full (%u entries)",
				 (unsigned long long)(b->skel->bss->gpu_tgid_full - b->seen_gpu_full),
				 bpf_map__max_entries(b->skel->maps.gpu_tgid));
			b->seen_gpu_full = b->skel->bss->gpu_tgid_full;
		}
		if (b->skel->bss->has_avgrt && b->cfg &&
		    (t - b->last_avgrt) * 1000.0 >= (double)b->cfg->opts.layer_refresh_ms_avgruntime) {
			b->last_avgrt = t;
			__atomic_add_fetch(&b->skel->bss->avgrt_gen, 1, __ATOMIC_SEQ_CST);
		}
		return;
	}
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
	.match = bpf_match,
	.gpu_probes = bpf_gpu_probes,
	.set_topology = bpf_set_topology,
	.tick = bpf_tick,
	.caps = bpf_caps,
};
