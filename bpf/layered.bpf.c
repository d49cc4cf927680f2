/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxd_layered: a layered sched_ext scheduler.
 *
 * Policy: every task belongs to the first layer whose match rule it meets
 * (OR of AND blocks, written by the agent into the `layers` map). Each
 * layer has its own DSQ, FIFO or ordered by weighted virtual time. The
 * agent's control loop gives Confined and Grouped layers CPUs
 * (`layer_cpus`, `cpu_owner`, rewritten in place every interval) from the
 * utilization this side measures (`layer_stats`).
 *
 * - Confined: its tasks run only on its CPUs, and its DSQ is consumed only
 *   there. Grouped: its CPUs first, then any idle CPU; any CPU not owned
 *   by a protected layer pulls its DSQ. Open: owns nothing, runs anywhere.
 * - A CPU serves its owner's DSQ first, then preempt layers, then the
 *   other Grouped and Open layers, round-robin from a per-CPU starting
 *   point; a protected layer's CPUs serve only their owner.
 * - A preempt layer's task that finds no idle CPU takes one running a
 *   task of a non-preempt layer (SCX_ENQ_PREEMPT).
 *
 * Invariants:
 * - A task whose allowed CPUs miss its Confined layer's CPUs, and every
 *   per-CPU kernel thread, bypasses the layers (global or local DSQ), so
 *   no task can be stranded by affinity or by an empty layer.
 * - A task is matched again when the agent changes the config
 *   (`cfg_gen`), when it renames itself (exec, prctl), moves to another
 *   cgroup, when its affinity or its weight (nice) changes, when the
 *   agent learns a cgroup it did not know (`cgroup_gen`), and, for
 *   AvgRuntime, every refresh period (`avgrt_gen`).
 * - Cgroup path matchers are decided by the agent, which renders every
 *   cgroup's path and writes one bit per distinct term (`cgroup_bits`,
 *   keyed by cgroup id); a cgroup not in the map counts as unknown and
 *   its tasks match again once the agent has scanned it.
 * - Nothing here depends on the kernel's config file (no CONFIG_ externs);
 *   optional kfuncs are tested with bpf_ksym_exists().
 *
 * - One DSQ per layer and NUMA node. With several nodes a task stays on
 *   its node (idle picks, preemption and pulls look there) unless the
 *   agent marked the node a migration source for its layer (xnuma_src:
 *   the layer is overloaded there, see agent/backend_bpf.c).
 *
 * Not yet: hint, CmdJoin, utilization and DSQ-insert matchers (the
 * agent refuses configs that use them), per-LLC DSQs, exclusive,
 * disallow_*_after_us.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "compat.bpf.h"
#include "intf.h"

char _license[] SEC("license") = "GPL";

#define PF_KTHREAD_FLAG 0x00200000
#define ERR_NOMEM	12
#define NSEC_PER_USEC	1000ULL

/* Written by the agent. */
__u32 nr_layers;
__u32 nr_cpu_ids;                       /* highest possible CPU + 1 */
__u64 cfg_gen;                          /* config changed: match again */
__u64 cgroup_gen;                       /* cgroup_bits rescanned */
__u64 avgrt_gen;                        /* AvgRuntime refresh period */
__u32 has_avgrt;                        /* the config has AvgRuntime matchers */
__u64 antistall_ns;                     /* a DSQ waiting longer is served by any CPU; 0: off */
__u32 has_gpu_pid;                      /* the config has UsedGpuPid matchers */
__u64 gpu_pid_expire_ns;                /* the longest member_expire_ms of those layers (0: one never expires) */
struct scx_cpus layer_cpus[SCX_MAX_LAYERS];
struct scx_cpus node_cpus[SCX_MAX_NUMA_NODES];
__u32 cpu_owner[SCX_MAX_CPUS];          /* owning layer; SCX_NO_LAYER: nobody */
__u32 cpu_node[SCX_MAX_CPUS];           /* node id of each CPU */
__u32 nr_nodes_on;                      /* highest node id + 1 */
struct scx_cpus avail_cpus;             /* CPUs no protected layer owns */
__u32 layer_nodes[SCX_MAX_LAYERS];      /* nodes where layer i owns CPUs (Open: where open CPUs are) */
/*
 * Cross-NUMA gating: bit n of xnuma_src[i] set = layer i's tasks may move
 * away from node n (the agent's control loop found that node overloaded
 * for the layer, or the layer does not gate). Without the bit a task
 * stays on its node: idle picks, preemption and pulls look there only.
 */
__u32 xnuma_src[SCX_MAX_LAYERS];

/* Written here, read by the agent. */
__u64 cgroup_misses;                    /* lookups of cgroups not in cgroup_bits */
__u64 gpu_gen;                          /* a process became a GPU user (again): UsedGpuPid re-match */
__u64 gpu_calls;                        /* GPU driver calls seen */
__u64 gpu_tgid_full;                    /* processes not recorded: gpu_tgid was full */
__u64 hotplug_seq;                      /* CPUs went online or offline */
__s64 layer_nr_tasks[SCX_MAX_LAYERS];
__s32 exit_kind;                        /* 0 while running */
__s64 exit_code;
char exit_reason[128];
char exit_msg[256];

/* Private. */
__u64 vtime_now[SCX_MAX_LAYERS];
__u32 dsp_rr[SCX_MAX_CPUS];             /* per CPU: where the next dispatch starts */
__u64 layer_served[SCX_MAX_LAYERS];     /* when the layer's DSQ was last consumed or seen empty */
__u64 stalled;                          /* layers whose DSQ waited past antistall_ns */
__u64 next_stall_scan;
__u64 nr_antistall;                     /* tasks run by the antistall rule */
struct scx_cpu_cur cpu_cur[SCX_MAX_CPUS];

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCX_MAX_LAYERS);
	__type(key, __u32);
	__type(value, struct scx_layer);
} layers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCX_MAX_LAYERS);
	__type(key, __u32);
	__type(value, struct scx_layer_stats);
} layer_stats SEC(".maps");

/* Cgroup id -> one bit per distinct cgroup term (agent/backend_bpf.c). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} cgroup_bits SEC(".maps");

/*
 * Thread-group id -> its last GPU driver call (ns), for UsedGpuPid. An
 * entry goes when its group leader's task goes (exit_task), so a reused
 * pid never inherits it; a full map is counted (gpu_tgid_full), never
 * silent.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __s32);
	__type(value, __u64);
} gpu_tgid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct scx_task_ctx);
} task_ctxs SEC(".maps");

static __always_inline __u64 now_ns(void)
{
	if (bpf_ksym_exists(scx_bpf_now))
		return scx_bpf_now();
	return bpf_ktime_get_ns();
}

static __always_inline bool prefix_of(const char *want, const char *have)
{
	int i;

	for (i = 0; i < SCX_MAX_COMM; i++) {
		if (!want[i])
			return true;
		if (want[i] != have[i])
			return false;
	}
	return true;
}

static bool cpu_in(const struct scx_cpus *c, __s32 cpu)
{
	__u32 u = (__u32)cpu;

	if (cpu < 0 || u >= SCX_MAX_CPUS)
		return false;
	return c->bits[u / 64] & (1ULL << (u % 64));
}

static __u32 node_of(__s32 cpu)
{
	__u32 u = (__u32)cpu;

	if (u >= SCX_MAX_CPUS)
		return 0;
	/* Opaque to the compiler, so that the mask stays and the verifier sees the bound. */
	asm volatile("" : "+r"(u));
	return cpu_node[u & (SCX_MAX_CPUS - 1)] & (SCX_MAX_NUMA_NODES - 1);
}

/* The DSQ of layer l for tasks waiting on node n. */
static __u64 dsq_of(__u32 l, __u32 n)
{
	return SCX_LAYER_DSQ_BASE + (__u64)(l & (SCX_MAX_LAYERS - 1)) * SCX_MAX_NUMA_NODES + (n & (SCX_MAX_NUMA_NODES - 1));
}

/* May layer l's tasks leave node n? */
static bool may_leave(__u32 l, __u32 n)
{
	return (xnuma_src[l & (SCX_MAX_LAYERS - 1)] >> (n & (SCX_MAX_NUMA_NODES - 1))) & 1;
}

/* Are all of p's allowed CPUs in c? */
static bool allowed_within(struct task_struct *p, const struct scx_cpus *c)
{
	__s32 cpu;

	bpf_for(cpu, 0, (__s32)nr_cpu_ids) {
		if (cpu >= SCX_MAX_CPUS)
			break;
		if (bpf_cpumask_test_cpu(cpu, p->cpus_ptr) && !cpu_in(c, cpu))
			return false;
	}
	return true;
}

/* What one match needs besides the task. */
struct match_env {
	__u64 cgid;
	__u64 runtime_avg_ns;
	__u64 gpu_at;                   /* the thread's last GPU driver call */
	__u64 now;
	__u64 recheck_at;               /* earliest expiry of a GPU membership that held */
	bool cg_miss;                   /* a cgroup term met a cgroup the agent has not scanned */
};

/* Did a driver call at `at` make a member, for a layer whose memberships expire after `expire` ns? */
static bool gpu_member(struct match_env *env, __u64 at, __u64 expire)
{
	if (!at)
		return false;
	if (!expire)
		return true;
	if (env->now - at >= expire)
		return false;
	if (!env->recheck_at || at + expire < env->recheck_at)
		env->recheck_at = at + expire;
	return true;
}

/* p's PID namespace inode and its pid there. */
static void pid_ns_of(struct task_struct *p, __u64 *ret_ns, __u64 *ret_nr)
{
	struct pid *pid = BPF_CORE_READ(p, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level & 31]);
	*ret_ns = BPF_CORE_READ(up.ns, ns.inum);
	*ret_nr = (__u64)up.nr;
}

static bool match_one(const struct scx_match *m, struct task_struct *p, struct match_env *env)
{
	char comm[SCX_MAX_COMM];
	__u64 ns, nr, *bits;
	int nice;

	switch (m->kind) {
	case SCX_M_CGROUP_PREFIX:
	case SCX_M_CGROUP_SUFFIX:
	case SCX_M_CGROUP_CONTAINS:
	case SCX_M_CGROUP_REGEX:
		bits = bpf_map_lookup_elem(&cgroup_bits, &env->cgid);
		if (!bits) {
			env->cg_miss = true;
			return false;
		}
		return (*bits >> (m->ival & 63)) & 1;
	case SCX_M_COMM_PREFIX:
	case SCX_M_COMM_PREFIX_EXCLUDE:
		bpf_probe_read_kernel_str(comm, sizeof(comm), p->comm);
		return prefix_of(m->str, comm) == (m->kind == SCX_M_COMM_PREFIX);
	case SCX_M_PCOMM_PREFIX:
	case SCX_M_PCOMM_PREFIX_EXCLUDE:
		bpf_probe_read_kernel_str(comm, sizeof(comm), BPF_CORE_READ(p, group_leader, comm));
		return prefix_of(m->str, comm) == (m->kind == SCX_M_PCOMM_PREFIX);
	case SCX_M_NICE_ABOVE:
	case SCX_M_NICE_BELOW:
	case SCX_M_NICE_EQUALS:
		nice = p->static_prio - 120;
		if (m->kind == SCX_M_NICE_ABOVE)
			return nice > m->ival;
		if (m->kind == SCX_M_NICE_BELOW)
			return nice < m->ival;
		return nice == m->ival;
	case SCX_M_UID_EQUALS:
		return BPF_CORE_READ(p, cred, euid.val) == (__u32)m->ival;
	case SCX_M_GID_EQUALS:
		return BPF_CORE_READ(p, cred, egid.val) == (__u32)m->ival;
	case SCX_M_PID_EQUALS:
		return p->pid == m->ival;
	case SCX_M_PPID_EQUALS:
		return BPF_CORE_READ(p, real_parent, tgid) == m->ival;
	case SCX_M_TGID_EQUALS:
		return p->tgid == m->ival;
	case SCX_M_NS_EQUALS:
		pid_ns_of(p, &ns, &nr);
		return ns == (__u64)m->ival;
	case SCX_M_NSPID_EQUALS:
		pid_ns_of(p, &ns, &nr);
		return ns == m->a && nr == m->b;
	case SCX_M_IS_GROUP_LEADER:
		return (p->pid == p->tgid) == !!m->flag;
	case SCX_M_IS_KTHREAD:
		return !!(p->flags & PF_KTHREAD_FLAG) == !!m->flag;
	case SCX_M_USED_GPU_TID:
		return gpu_member(env, env->gpu_at, m->a) == !!m->flag;
	case SCX_M_USED_GPU_PID: {
		__s32 tgid = p->tgid;
		__u64 *at = bpf_map_lookup_elem(&gpu_tgid, &tgid);

		return gpu_member(env, at ? *at : 0, m->a) == !!m->flag;
	}
	case SCX_M_AVG_RUNTIME:
		return env->runtime_avg_ns / NSEC_PER_USEC >= m->a && env->runtime_avg_ns / NSEC_PER_USEC < m->b;
	case SCX_M_NUMA_NODE:
		if (m->ival < 0 || m->ival >= SCX_MAX_NUMA_NODES)
			return false;
		return allowed_within(p, &node_cpus[m->ival]);
	default:
		/* The agent refuses configs with matchers this version cannot decide. */
		return false;
	}
}

/* The first layer p matches, and the OR block that matched. */
static __u32 match_layer(struct task_struct *p, struct match_env *env, __u32 *ret_or)
{
	__u32 n = nr_layers, l, o, k;

	bpf_for(l, 0, SCX_MAX_LAYERS) {
		struct scx_layer *layer;
		__u32 key = l;

		if (l >= n)
			break;
		layer = bpf_map_lookup_elem(&layers, &key);
		if (!layer)
			break;
		bpf_for(o, 0, SCX_MAX_LAYER_MATCH_ORS) {
			struct scx_and *and;
			bool all = true;

			if (o >= layer->nr_ors)
				break;
			and = &layer->ors[o];
			bpf_for(k, 0, SCX_MAX_MATCH_ANDS) {
				if (k >= and->nr)
					break;
				if (!match_one(&and->m[k], p, env)) {
					all = false;
					break;
				}
			}
			if (all) {
				*ret_or = o;
				return l;
			}
		}
	}
	return SCX_NO_LAYER;
}

static struct scx_task_ctx *task_ctx_of(struct task_struct *p)
{
	return bpf_task_storage_get(&task_ctxs, p, 0, 0);
}

static struct scx_layer *layer_of(__u32 l)
{
	return bpf_map_lookup_elem(&layers, &l);
}

static struct scx_layer_stats *stats_of(__u32 l)
{
	return bpf_map_lookup_elem(&layer_stats, &l);
}

static bool needs_match(const struct scx_task_ctx *tc)
{
	if (tc->gen != cfg_gen)
		return true;
	if (tc->cg_gen && tc->cg_gen != cgroup_gen)
		return true;
	if (has_gpu_pid && tc->gpu_gen != gpu_gen)
		return true;
	return has_avgrt && tc->rt_gen != avgrt_gen;
}

/* The task's layer, matching it again when the config or the task changed. */
static __u32 task_layer(struct task_struct *p, struct scx_task_ctx *tc)
{
	struct match_env env = {};
	__u32 l, or_idx = 0;

	if (!needs_match(tc))
		return tc->layer;
	env.cgid = BPF_CORE_READ(p, cgroups, dfl_cgrp, kn, id);
	env.runtime_avg_ns = tc->runtime_avg_ns;
	env.gpu_at = tc->gpu_at;
	env.now = bpf_ktime_get_ns();   /* the clock of gpu_at (the probe's) */
	l = match_layer(p, &env, &or_idx);
	tc->gen = cfg_gen;
	tc->rt_gen = avgrt_gen;
	tc->gpu_gen = gpu_gen;
	tc->recheck_at = env.recheck_at;
	tc->cg_gen = 0;
	if (env.cg_miss) {
		/* Ask the agent to scan, and try again once it has. */
		__sync_fetch_and_add(&cgroup_misses, 1);
		tc->cg_gen = cgroup_gen + 1;
		if (tc->layer != SCX_NO_LAYER && tc->layer < nr_layers)
			return tc->layer;
	}
	tc->or_idx = or_idx;
	if (l == tc->layer)
		return l;
	if (tc->layer < SCX_MAX_LAYERS)
		__sync_fetch_and_sub(&layer_nr_tasks[tc->layer], 1);
	tc->layer = l;
	if (l < SCX_MAX_LAYERS) {
		struct scx_layer_stats *st = stats_of(l);

		__sync_fetch_and_add(&layer_nr_tasks[l], 1);
		if (st)
			st->matched++;
		tc->matched_at = now_ns();
		/* A newcomer starts at the layer's current virtual time. */
		p->scx.dsq_vtime = vtime_now[l];
	}
	return l;
}

/* An idle CPU in c (and in c2, if given) that p may use, claimed; -1 if none. */
static __s32 claim_idle2(const struct scx_cpus *c, const struct scx_cpus *c2, struct task_struct *p, __s32 prev)
{
	__u32 w, i, words = (nr_cpu_ids + 63) / 64;

	if (cpu_in(c, prev) && (!c2 || cpu_in(c2, prev)) && bpf_cpumask_test_cpu(prev, p->cpus_ptr) &&
	    scx_bpf_test_and_clear_cpu_idle(prev))
		return prev;
	bpf_for(w, 0, SCX_CPU_WORDS) {
		__u64 bits;

		if (w >= words)
			break;
		bits = c->bits[w] & (c2 ? c2->bits[w] : ~0ULL);
		bpf_for(i, 0, 64) {
			__s32 cpu;

			if (!bits)
				break;
			cpu = w * 64 + __builtin_ctzll(bits);
			bits &= bits - 1;
			if (bpf_cpumask_test_cpu(cpu, p->cpus_ptr) && scx_bpf_test_and_clear_cpu_idle(cpu))
				return cpu;
		}
	}
	return -1;
}

static __s32 claim_idle(const struct scx_cpus *c, struct task_struct *p, __s32 prev)
{
	return claim_idle2(c, NULL, p, prev);
}

/*
 * An idle CPU in c for a task of layer l last on prev: on prev's node
 * first; elsewhere only when the layer may leave that node.
 */
static __s32 claim_idle_near(const struct scx_cpus *c, __u32 l, struct task_struct *p, __s32 prev)
{
	__u32 n = node_of(prev);
	__s32 cpu;

	if (nr_nodes_on <= 1)
		return claim_idle(c, p, prev);
	cpu = claim_idle2(c, &node_cpus[n], p, prev);
	if (cpu >= 0 || !may_leave(l, n))
		return cpu;
	return claim_idle(c, p, prev);
}

/* Can p run anywhere in c? */
static bool fits(const struct scx_cpus *c, struct task_struct *p)
{
	__u32 w, i, words = (nr_cpu_ids + 63) / 64;

	bpf_for(w, 0, SCX_CPU_WORDS) {
		__u64 bits;

		if (w >= words)
			break;
		bits = c->bits[w];
		bpf_for(i, 0, 64) {
			if (!bits)
				break;
			if (bpf_cpumask_test_cpu(w * 64 + __builtin_ctzll(bits), p->cpus_ptr))
				return true;
			bits &= bits - 1;
		}
	}
	return false;
}

static __u64 slice_of(const struct scx_layer *layer)
{
	return layer && layer->slice_ns ? layer->slice_ns : SCX_SLICE_DFL;
}

static __u32 owner_of(__s32 cpu)
{
	__u32 u = (__u32)cpu;

	if (u >= SCX_MAX_CPUS)
		return SCX_NO_LAYER;
	asm volatile("" : "+r"(u));
	return cpu_owner[u & (SCX_MAX_CPUS - 1)];
}

static bool owner_protected(__s32 cpu, __u32 l)
{
	__u32 o = owner_of(cpu);
	struct scx_layer *ol;

	if (o == SCX_NO_LAYER || o == l)
		return false;
	ol = layer_of(o);
	return ol && (ol->flags & SCX_LF_PROTECTED);
}

/*
 * The node whose DSQ p waits on: the node of its CPU, or, for a Confined
 * layer with no CPU there that p may use, a node where it has one.
 */
static __u32 queue_node(struct task_struct *p, __u32 l, const struct scx_layer *layer)
{
	__u32 n = node_of(scx_bpf_task_cpu(p)), k, w;

	if (layer->kind != SCX_LAYER_CONFINED || nr_nodes_on <= 1)
		return n;
	bpf_for(k, 0, SCX_MAX_NUMA_NODES) {
		__u32 m = k == 0 ? n : k - 1;

		if (k > nr_nodes_on)
			break;
		bpf_for(w, 0, SCX_CPU_WORDS) {
			__u64 bits = layer_cpus[l & (SCX_MAX_LAYERS - 1)].bits[w] & node_cpus[m & (SCX_MAX_NUMA_NODES - 1)].bits[w];
			__u32 i;

			bpf_for(i, 0, 64) {
				if (!bits)
					break;
				if (bpf_cpumask_test_cpu(w * 64 + __builtin_ctzll(bits), p->cpus_ptr))
					return m;
				bits &= bits - 1;
			}
		}
	}
	return n;
}

/* Queue p on its layer's DSQ for its node, by vtime unless the layer is FIFO. */
static void queue_on_layer(struct task_struct *p, __u32 l, const struct scx_layer *layer, __u64 enq_flags)
{
	__u64 slice = slice_of(layer), floor, dsq = dsq_of(l, queue_node(p, l, layer));

	if (layer->flags & SCX_LF_FIFO) {
		scx_bpf_dsq_insert(p, dsq, slice, enq_flags);
		return;
	}
	/* A sleeper gets at most one slice of credit. */
	floor = vtime_now[l & (SCX_MAX_LAYERS - 1)] - slice;
	if ((__s64)(p->scx.dsq_vtime - floor) < 0)
		p->scx.dsq_vtime = floor;
	scx_bpf_dsq_insert_vtime(p, dsq, slice, p->scx.dsq_vtime, enq_flags);
}

/*
 * A preempt layer's task with no idle CPU: take a CPU (its own first)
 * running a task of a non-preempt layer. Returns true when p was sent
 * there.
 */
static bool try_preempt(struct task_struct *p, __u32 l, const struct scx_layer *layer, __u64 enq_flags)
{
	__s32 prev = scx_bpf_task_cpu(p), cpu;
	bool confined = layer->kind == SCX_LAYER_CONFINED;

	/* -1 stands for prev; the bound is signed so that -1 compares as -1. */
	bpf_for(cpu, -1, (__s32)nr_cpu_ids) {
		__s32 c = cpu < 0 ? prev : cpu;
		struct scx_cpu_cur *cc;

		if (c < 0 || c >= SCX_MAX_CPUS || (cpu >= 0 && c == prev))
			continue;
		if (!bpf_cpumask_test_cpu(c, p->cpus_ptr))
			continue;
		if (confined && !cpu_in(&layer_cpus[l & (SCX_MAX_LAYERS - 1)], c))
			continue;
		/* Another node: only if the layer may leave this one. */
		if (nr_nodes_on > 1 && node_of(c) != node_of(prev) && !may_leave(l, node_of(prev)))
			continue;
		if (owner_protected(c, l))
			continue;
		cc = &cpu_cur[c];
		if (cc->layer == SCX_NO_LAYER || cc->preempt)
			continue;
		/* Claim it, so that two preemptors do not pick the same CPU. */
		if (__sync_val_compare_and_swap(&cc->preempt, 0, 1) != 0)
			continue;
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | c, slice_of(layer), enq_flags | SCX_ENQ_PREEMPT);
		return true;
	}
	return false;
}

SEC("struct_ops/layered_select_cpu")
s32 BPF_PROG(layered_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	struct scx_task_ctx *tc = task_ctx_of(p);
	struct scx_layer_stats *st;
	struct scx_layer *layer;
	bool is_idle = false;
	__u32 l;
	s32 cpu;

	if (!tc)
		return prev_cpu;
	l = task_layer(p, tc);
	layer = l < SCX_MAX_LAYERS ? layer_of(l) : NULL;
	if (!layer)
		return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	st = stats_of(l);
	if (layer->flags & SCX_LF_STICKY)
		return prev_cpu;
	/*
	 * preempt_first: when the previous CPU runs a task of a non-preempt
	 * layer, take it back at once (enqueue preempts it, prev first)
	 * rather than looking for an idle CPU elsewhere.
	 */
	if ((layer->flags & (SCX_LF_PREEMPT | SCX_LF_PREEMPT_FIRST)) == (SCX_LF_PREEMPT | SCX_LF_PREEMPT_FIRST) &&
	    prev_cpu >= 0 && prev_cpu < SCX_MAX_CPUS && bpf_cpumask_test_cpu(prev_cpu, p->cpus_ptr) &&
	    cpu_cur[prev_cpu].layer != SCX_NO_LAYER && !cpu_cur[prev_cpu].preempt && !owner_protected(prev_cpu, l) &&
	    (layer->kind != SCX_LAYER_CONFINED || cpu_in(&layer_cpus[l & (SCX_MAX_LAYERS - 1)], prev_cpu)))
		return prev_cpu;
	if (layer->kind != SCX_LAYER_OPEN) {
		cpu = claim_idle_near(&layer_cpus[l & (SCX_MAX_LAYERS - 1)], l, p, prev_cpu);
		if (cpu >= 0) {
			if (st)
				st->direct++;
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_of(layer), 0);
			return cpu;
		}
		/* Confined: its CPUs are busy; wait in its DSQ (enqueue). */
		if (layer->kind == SCX_LAYER_CONFINED)
			return prev_cpu;
	}
	/*
	 * Several nodes and the layer may not leave prev's: any idle CPU
	 * there that no protected layer owns, else wait on this node.
	 */
	if (nr_nodes_on > 1 && !may_leave(l, node_of(prev_cpu))) {
		cpu = claim_idle2(&avail_cpus, &node_cpus[node_of(prev_cpu)], p, prev_cpu);
		if (cpu < 0)
			return prev_cpu;
		if (st)
			st->direct++;
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_of(layer), 0);
		return cpu;
	}
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	/* An idle CPU whose owner does not keep it to itself: run there at once. */
	if (is_idle && !owner_protected(cpu, l)) {
		if (st)
			st->direct++;
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_of(layer), 0);
	}
	return cpu;
}

SEC("struct_ops/layered_enqueue")
void BPF_PROG(layered_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct scx_task_ctx *tc = task_ctx_of(p);
	struct scx_layer_stats *st;
	struct scx_layer *layer;
	__u32 l;
	s32 cpu;

	/* Per-CPU kernel threads run where they must, before anything else. */
	if ((p->flags & PF_KTHREAD_FLAG) && p->nr_cpus_allowed == 1) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	l = tc ? task_layer(p, tc) : SCX_NO_LAYER;
	layer = l < SCX_MAX_LAYERS ? layer_of(l) : NULL;
	if (!layer) {
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	st = stats_of(l);
	if (layer->kind == SCX_LAYER_CONFINED && !fits(&layer_cpus[l & (SCX_MAX_LAYERS - 1)], p)) {
		/* Its affinity misses the layer's CPUs (or it has none yet): never strand it. */
		if (st)
			st->fallback++;
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, slice_of(layer), enq_flags);
		return;
	}
	if ((layer->flags & SCX_LF_PREEMPT) && try_preempt(p, l, layer, enq_flags)) {
		if (st)
			st->preempt++;
		return;
	}
	if (st)
		st->enqueued++;
	queue_on_layer(p, l, layer, enq_flags);
	if (layer->kind != SCX_LAYER_OPEN) {
		cpu = claim_idle_near(&layer_cpus[l & (SCX_MAX_LAYERS - 1)], l, p, scx_bpf_task_cpu(p));
		if (cpu >= 0)
			scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
	}
}

/*
 * Pull a task of layer l to this CPU: from this node's DSQ first, then
 * from another node's when the layer may leave that node, or when it has
 * no CPU there to serve it (or force: antistall).
 */
static bool consume(__u32 l, __s32 cpu, bool force)
{
	__u32 me = node_of(cpu), k;

	if (scx_bpf_dsq_move_to_local(dsq_of(l, me)))
		goto served;
	bpf_for(k, 0, SCX_MAX_NUMA_NODES) {
		if (k >= nr_nodes_on)
			break;
		if (k == me)
			continue;
		if (!force && !may_leave(l, k) && ((layer_nodes[l & (SCX_MAX_LAYERS - 1)] >> k) & 1))
			continue;
		if (scx_bpf_dsq_move_to_local(dsq_of(l, k)))
			goto served;
	}
	return false;
served:
	layer_served[l & (SCX_MAX_LAYERS - 1)] = now_ns();
	return true;
}

/* Tasks of layer l queued on any node. */
static __s32 queued(__u32 l)
{
	__s32 n = 0;
	__u32 k;

	bpf_for(k, 0, SCX_MAX_NUMA_NODES) {
		if (k >= nr_nodes_on)
			break;
		n += scx_bpf_dsq_nr_queued(dsq_of(l, k));
	}
	return n;
}

/*
 * Antistall: every 100 ms one CPU looks at every layer's DSQ; a layer
 * whose tasks have waited longer than antistall_ns since the DSQ was last
 * consumed (or seen empty) is marked, and the next dispatch on any CPU,
 * protected or not, serves it first. Config orders, protected layers and
 * Confined layers without CPUs can then delay a task, but never past the
 * kernel's watchdog.
 */
static void scan_stalls(__u64 now, __u32 n)
{
	__u64 next = next_stall_scan, mask = 0;
	__u32 l;

	if (!antistall_ns || now < next || __sync_val_compare_and_swap(&next_stall_scan, next, now + 100000000ULL) != next)
		return;
	bpf_for(l, 0, SCX_MAX_LAYERS) {
		if (l >= n)
			break;
		if (queued(l) <= 0)
			layer_served[l] = now;
		else if (now - layer_served[l] > antistall_ns)
			mask |= 1ULL << l;
	}
	stalled = mask;
}

static bool serve_stalled(__u32 n, __s32 cpu)
{
	__u64 mask = stalled;
	__u32 l;

	if (!mask)
		return false;
	bpf_for(l, 0, SCX_MAX_LAYERS) {
		if (l >= n)
			break;
		if ((mask & (1ULL << l)) && consume(l, cpu, true)) {
			__sync_fetch_and_and(&stalled, ~(1ULL << l));
			__sync_fetch_and_add(&nr_antistall, 1);
			return true;
		}
	}
	return false;
}

SEC("struct_ops/layered_dispatch")
void BPF_PROG(layered_dispatch, s32 cpu, struct task_struct *prev)
{
	__u32 n = nr_layers, owner = owner_of(cpu), pass, i, start;
	struct scx_layer *ol = owner < SCX_MAX_LAYERS ? layer_of(owner) : NULL;

	if (!n || cpu < 0 || cpu >= SCX_MAX_CPUS)
		return;
	scan_stalls(now_ns(), n);
	if (serve_stalled(n, cpu))
		return;
	if (ol && consume(owner, cpu, false))
		return;
	if (ol && (ol->flags & SCX_LF_PROTECTED))
		return;
	/*
	 * Preempt layers first, then the rest; Confined DSQs only on their
	 * own CPUs. Each dispatch on a CPU starts one layer further, so
	 * that a busy layer early in the config cannot starve the later
	 * ones (the kernel's own workers live in some catch-all layer).
	 */
	start = dsp_rr[cpu]++;
	bpf_for(pass, 0, 2) {
		bpf_for(i, 0, SCX_MAX_LAYERS) {
			struct scx_layer *layer;
			__u32 l;

			if (i >= n)
				break;
			l = (start + i) % n;
			layer = layer_of(l);
			if (!layer || layer->kind == SCX_LAYER_CONFINED || l == owner)
				continue;
			if (!!(layer->flags & SCX_LF_PREEMPT) != (pass == 0))
				continue;
			if (consume(l, cpu, false))
				return;
		}
	}
}

SEC("struct_ops/layered_runnable")
void BPF_PROG(layered_runnable, struct task_struct *p, u64 enq_flags)
{
	struct scx_task_ctx *tc = task_ctx_of(p);

	if (tc)
		tc->runnable_at = now_ns();
}

SEC("struct_ops/layered_running")
void BPF_PROG(layered_running, struct task_struct *p)
{
	struct scx_task_ctx *tc = task_ctx_of(p);
	__s32 cpu = scx_bpf_task_cpu(p);
	struct scx_layer_stats *st;
	struct scx_layer *layer;
	__u64 now = now_ns();
	__u32 l;

	if (!tc || cpu < 0 || cpu >= SCX_MAX_CPUS)
		return;
	tc->started_at = now;
	l = tc->layer;
	layer = l < SCX_MAX_LAYERS ? layer_of(l) : NULL;
	cpu_cur[cpu].layer = layer ? l : SCX_NO_LAYER;
	cpu_cur[cpu].preempt = layer && (layer->flags & SCX_LF_PREEMPT);
	if (!layer)
		return;
	st = stats_of(l);
	if (st) {
		st->runs++;
		if (tc->runnable_at && now > tc->runnable_at)
			st->wait_ns += now - tc->runnable_at;
	}
	tc->runnable_at = 0;
	if (!(layer->flags & SCX_LF_FIFO) && (__s64)(p->scx.dsq_vtime - vtime_now[l & (SCX_MAX_LAYERS - 1)]) > 0)
		vtime_now[l & (SCX_MAX_LAYERS - 1)] = p->scx.dsq_vtime;
}

/* Charge the time p ran since it started (or since the last charge). */
static void account(struct task_struct *p, struct scx_task_ctx *tc, __u64 now, bool stopping)
{
	__s32 cpu = scx_bpf_task_cpu(p);
	struct scx_layer_stats *st;
	struct scx_layer *layer;
	__u64 used, charge;
	__u32 l = tc->layer, owner;

	/* A GPU membership it matched by has expired: match again, and let the next driver call bring it back. */
	if (tc->recheck_at && bpf_ktime_get_ns() >= tc->recheck_at) {
		tc->recheck_at = 0;
		tc->gpu_expired = 1;
		tc->gen = 0;
	}
	if (!tc->started_at || now <= tc->started_at)
		return;
	used = now - tc->started_at;
	tc->started_at = now;
	layer = l < SCX_MAX_LAYERS ? layer_of(l) : NULL;
	if (!layer)
		return;
	st = stats_of(l);
	owner = owner_of(cpu);
	if (st) {
		if (layer->kind == SCX_LAYER_OPEN ? owner == SCX_NO_LAYER : owner == l)
			st->owned_ns += used;
		else
			st->open_ns += used;
	}
	if (!(layer->flags & SCX_LF_FIFO)) {
		charge = used;
		if (stopping && charge < layer->min_exec_ns)
			charge = layer->min_exec_ns;
		p->scx.dsq_vtime += charge * 100 / (p->scx.weight ? p->scx.weight : 100);
	}
}

SEC("struct_ops/layered_tick")
void BPF_PROG(layered_tick, struct task_struct *p)
{
	struct scx_task_ctx *tc = task_ctx_of(p);

	if (tc)
		account(p, tc, now_ns(), false);
}

SEC("struct_ops/layered_stopping")
void BPF_PROG(layered_stopping, struct task_struct *p, bool runnable)
{
	struct scx_task_ctx *tc = task_ctx_of(p);
	__s32 cpu = scx_bpf_task_cpu(p);
	__u64 now = now_ns(), ran;

	if (cpu >= 0 && cpu < SCX_MAX_CPUS) {
		cpu_cur[cpu].layer = SCX_NO_LAYER;
		cpu_cur[cpu].preempt = 0;
	}
	if (!tc)
		return;
	ran = tc->started_at && now > tc->started_at ? now - tc->started_at : 0;
	account(p, tc, now, true);
	/* Run time per run: an EWMA with weight 1/4 for the newest. */
	tc->runtime_avg_ns = (tc->runtime_avg_ns * 3 + ran) / 4;
	tc->started_at = 0;
	/* Still runnable (slice over, preempted): it waits again from now. */
	if (runnable)
		tc->runnable_at = now;
}

SEC("struct_ops/layered_yield")
bool BPF_PROG(layered_yield, struct task_struct *from, struct task_struct *to)
{
	struct scx_task_ctx *tc = task_ctx_of(from);
	struct scx_layer *layer = tc && tc->layer < SCX_MAX_LAYERS ? layer_of(tc->layer) : NULL;
	struct scx_layer_stats *st;
	__u64 step;

	if (!layer) {
		from->scx.slice = 0;
		return false;
	}
	/* yield_ignore: a yield takes slice x (1 - yield_ignore) off the slice; 1.0 ignores it. */
	step = slice_of(layer) * (SCX_RATIO_ONE - layer->yield_ignore) / SCX_RATIO_ONE;
	if (!step)
		return false;
	st = stats_of(tc->layer);
	if (st)
		st->yielded++;
	from->scx.slice = from->scx.slice > step ? from->scx.slice - step : 0;
	return false;
}

static void rematch(struct task_struct *p)
{
	struct scx_task_ctx *tc = task_ctx_of(p);

	if (tc)
		tc->gen = 0;
}

SEC("struct_ops/layered_set_cpumask")
void BPF_PROG(layered_set_cpumask, struct task_struct *p, const struct cpumask *cpumask)
{
	rematch(p);
}

SEC("struct_ops/layered_set_weight")
void BPF_PROG(layered_set_weight, struct task_struct *p, u32 weight)
{
	rematch(p);
}

/* A rename (exec, prctl PR_SET_NAME) may change the comm matchers' answer. */
SEC("tp_btf/task_rename")
int BPF_PROG(layered_task_rename, struct task_struct *p, const char *buf)
{
	rematch(p);
	return 0;
}

/* A move to another cgroup may change the cgroup matchers' answer. */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(layered_cgroup_attach_task, struct cgroup *dst, const char *path, struct task_struct *p,
	     bool threadgroup)
{
	rematch(p);
	return 0;
}

/*
 * A GPU driver entry point (kprobe.multi, attached by the agent after the
 * scheduler, on the symbols the config names): the calling thread is a
 * GPU user now (UsedGpuTid), and so is its process (UsedGpuPid, keyed by
 * the thread group, i.e. the group leader, not the parent). A thread seen
 * for the first time, or whose membership had expired, is matched again
 * at its next scheduling event; a process seen for the first time (or
 * after its longest membership window) makes every task re-check
 * UsedGpuPid, so its other threads join.
 */
SEC("kprobe.multi")
int BPF_KPROBE(layered_gpu_probe)
{
	struct task_struct *p = bpf_get_current_task_btf();
	struct scx_task_ctx *tc = bpf_task_storage_get(&task_ctxs, p, 0, 0);
	__s32 tgid = p->tgid;
	__u64 now = bpf_ktime_get_ns(), *at;

	__sync_fetch_and_add(&gpu_calls, 1);
	if (tc) {
		if (!tc->gpu_at || tc->gpu_expired) {
			tc->gpu_expired = 0;
			tc->gen = 0;
		}
		tc->gpu_at = now;
	}
	at = bpf_map_lookup_elem(&gpu_tgid, &tgid);
	if (at) {
		if (gpu_pid_expire_ns && now - *at >= gpu_pid_expire_ns)
			__sync_fetch_and_add(&gpu_gen, 1);
		*at = now;
		return 0;
	}
	if (bpf_map_update_elem(&gpu_tgid, &tgid, &now, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(&gpu_gen, 1);
	else
		__sync_fetch_and_add(&gpu_tgid_full, 1);
	return 0;
}

SEC("struct_ops/layered_init_task")
s32 BPF_PROG(layered_init_task, struct task_struct *p, struct scx_init_task_args *args)
{
	struct scx_task_ctx *tc;

	tc = bpf_task_storage_get(&task_ctxs, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!tc)
		return -ERR_NOMEM;
	tc->layer = SCX_NO_LAYER;
	tc->gen = 0;
	return 0;
}

SEC("struct_ops/layered_exit_task")
void BPF_PROG(layered_exit_task, struct task_struct *p, struct scx_exit_task_args *args)
{
	struct scx_task_ctx *tc = task_ctx_of(p);
	__u32 l = tc ? tc->layer : SCX_NO_LAYER;
	__s32 tgid = p->tgid;

	if (l < SCX_MAX_LAYERS)
		__sync_fetch_and_sub(&layer_nr_tasks[l], 1);
	/* The leader goes last: the process is gone, and its pid may be reused. */
	if (p->pid == p->tgid)
		bpf_map_delete_elem(&gpu_tgid, &tgid);
}

/*
 * CPU hotplug. Implementing these keeps the kernel from ejecting the
 * scheduler on hotplug; the agent notices the new online set within a
 * second and re-plans (until then a CPU that left simply finds nothing
 * idle, and antistall covers a layer left without CPUs).
 */
SEC("struct_ops/layered_cpu_online")
void BPF_PROG(layered_cpu_online, s32 cpu)
{
	__sync_fetch_and_add(&hotplug_seq, 1);
}

SEC("struct_ops/layered_cpu_offline")
void BPF_PROG(layered_cpu_offline, s32 cpu)
{
	__sync_fetch_and_add(&hotplug_seq, 1);
}

SEC("struct_ops.s/layered_init")
s32 BPF_PROG(layered_init)
{
	__u32 l;
	s32 r;

	__u32 n;

	/* One DSQ per layer and node, for every node id the agent may name. */
	bpf_for(l, 0, SCX_MAX_LAYERS) {
		bpf_for(n, 0, SCX_MAX_NUMA_NODES) {
			r = scx_bpf_create_dsq(dsq_of(l, n), -1);
			if (r)
				return r;
		}
	}
	return 0;
}

SEC("struct_ops/layered_exit")
void BPF_PROG(layered_exit, struct scx_exit_info *ei)
{
	bpf_probe_read_kernel_str(exit_reason, sizeof(exit_reason), ei->reason);
	bpf_probe_read_kernel_str(exit_msg, sizeof(exit_msg), ei->msg);
	exit_code = ei->exit_code;
	exit_kind = ei->kind;
}

SEC(".struct_ops.link")
struct sched_ext_ops layered_ops = {
	.select_cpu = (void *)layered_select_cpu,
	.enqueue = (void *)layered_enqueue,
	.dispatch = (void *)layered_dispatch,
	.runnable = (void *)layered_runnable,
	.running = (void *)layered_running,
	.stopping = (void *)layered_stopping,
	.tick = (void *)layered_tick,
	.yield = (void *)layered_yield,
	.set_cpumask = (void *)layered_set_cpumask,
	.set_weight = (void *)layered_set_weight,
	.init_task = (void *)layered_init_task,
	.exit_task = (void *)layered_exit_task,
	.cpu_online = (void *)layered_cpu_online,
	.cpu_offline = (void *)layered_cpu_offline,
	.init = (void *)layered_init,
	.exit = (void *)layered_exit,
	.name = "scxd_layered",
};
