/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxd_layered: a layered sched_ext scheduler (first slice).
 *
 * Policy: every task belongs to the first layer whose match rule it meets
 * (OR of AND blocks, written by the agent into the `layers` map). Each
 * layer has its own DSQ. A Confined layer's tasks run only on the CPUs the
 * agent gives the layer (`layer_cpus`, `cpu_owner`); Grouped and Open
 * layers' tasks run on any CPU, after the owner's own work. A CPU serves
 * its owner's DSQ first, then the Grouped and Open layers in layer order.
 *
 * Invariants:
 * - A task whose allowed CPUs miss its Confined layer's CPUs, and every
 *   per-CPU kernel thread, bypasses the layers (global or local DSQ), so
 *   no task can be stranded by affinity.
 * - A task is matched again whenever the agent changes the config
 *   (`cfg_gen`), when it renames itself (exec, prctl), when its affinity
 *   or its weight (nice) changes.
 * - Nothing here depends on the kernel's config file or on kfuncs beyond
 *   those every sched_ext kernel since the dsq_insert rename has.
 *
 * Not yet: cgroup, namespace, GPU, NUMA, hint and runtime matchers (the
 * agent refuses configs that use them), vtime ordering, preemption, the
 * per-layer knobs beyond slice_us.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "intf.h"

char _license[] SEC("license") = "GPL";

#define PF_KTHREAD_FLAG 0x00200000
#define ERR_NOMEM	12

/* Written by the agent: the number of layers and the config generation. */
__u32 nr_layers;
__u64 cfg_gen;

/* Exit information for the agent (kind 0 while running). */
__s32 exit_kind;
__s64 exit_code;
char exit_reason[128];
char exit_msg[256];

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCX_MAX_LAYERS);
	__type(key, __u32);
	__type(value, struct scx_layer);
} layers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCX_MAX_LAYERS);
	__type(key, __u32);
	__type(value, struct scx_cpus);
} layer_cpus SEC(".maps");

/* Which layer owns each CPU, SCX_NO_LAYER for none. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCX_MAX_CPUS);
	__type(key, __u32);
	__type(value, __u32);
} cpu_owner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCX_MAX_LAYERS);
	__type(key, __u32);
	__type(value, struct scx_layer_stats);
} layer_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __s32);
	__type(value, struct scx_task_info);
} task_layers SEC(".maps");

struct task_ctx {
	__u32 layer;
	__u64 gen;          /* cfg_gen when matched; 0: match again */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

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

static bool match_one(const struct scx_match *m, struct task_struct *p)
{
	char comm[SCX_MAX_COMM];
	int nice;

	switch (m->kind) {
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
	case SCX_M_IS_GROUP_LEADER:
		return (p->pid == p->tgid) == !!m->flag;
	case SCX_M_IS_KTHREAD:
		return !!(p->flags & PF_KTHREAD_FLAG) == !!m->flag;
	default:
		/* The agent refuses configs with matchers this version cannot decide. */
		return false;
	}
}

/* The first layer p matches, and the OR block that matched. */
static __u32 match_layer(struct task_struct *p, __u32 *ret_or)
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
				if (!match_one(&and->m[k], p)) {
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

static struct task_ctx *task_ctx_of(struct task_struct *p)
{
	return bpf_task_storage_get(&task_ctxs, p, 0, 0);
}

/* The task's layer, matching it again when the config or the task changed. */
static __u32 task_layer(struct task_struct *p)
{
	struct task_ctx *tc = task_ctx_of(p);
	struct scx_task_info info;
	__u64 gen = cfg_gen;
	__u32 or_idx = 0;

	if (!tc)
		return SCX_NO_LAYER;
	if (tc->gen == gen)
		return tc->layer;
	tc->layer = match_layer(p, &or_idx);
	tc->gen = gen;
	if (tc->layer != SCX_NO_LAYER) {
		struct scx_layer_stats *st;
		__u32 key = tc->layer;
		__s32 pid = p->pid;

		st = bpf_map_lookup_elem(&layer_stats, &key);
		if (st)
			__sync_fetch_and_add(&st->matched, 1);
		info.layer = tc->layer;
		info.or_idx = or_idx;
		bpf_map_update_elem(&task_layers, &pid, &info, BPF_ANY);
	}
	return tc->layer;
}

static bool cpu_in(const struct scx_cpus *c, __s32 cpu)
{
	__u32 u = (__u32)cpu;

	if (cpu < 0 || u >= SCX_MAX_CPUS)
		return false;
	return c->bits[u / 64] & (1ULL << (u % 64));
}

/* An idle CPU of the layer that p may use, claimed; -1 if none. */
static __s32 claim_idle(const struct scx_cpus *c, struct task_struct *p, __s32 prev)
{
	__s32 cpu;

	if (cpu_in(c, prev) && bpf_cpumask_test_cpu(prev, p->cpus_ptr) &&
	    scx_bpf_test_and_clear_cpu_idle(prev))
		return prev;
	bpf_for(cpu, 0, SCX_MAX_CPUS) {
		if (cpu_in(c, cpu) && bpf_cpumask_test_cpu(cpu, p->cpus_ptr) &&
		    scx_bpf_test_and_clear_cpu_idle(cpu))
			return cpu;
	}
	return -1;
}

/* Can p run anywhere in the layer's CPUs? */
static bool fits(const struct scx_cpus *c, struct task_struct *p)
{
	__s32 cpu;

	bpf_for(cpu, 0, SCX_MAX_CPUS) {
		if (cpu_in(c, cpu) && bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
			return true;
	}
	return false;
}

static __u64 layer_slice(__u32 l)
{
	struct scx_layer *layer = bpf_map_lookup_elem(&layers, &l);

	return layer && layer->slice_ns ? layer->slice_ns : SCX_SLICE_DFL;
}

static __u32 layer_kind(__u32 l)
{
	struct scx_layer *layer = bpf_map_lookup_elem(&layers, &l);

	return layer ? layer->kind : SCX_LAYER_OPEN;
}

static void count(__u32 l, int what)
{
	struct scx_layer_stats *st = bpf_map_lookup_elem(&layer_stats, &l);

	if (!st)
		return;
	if (what == 0)
		__sync_fetch_and_add(&st->enqueued, 1);
	else if (what == 1)
		__sync_fetch_and_add(&st->direct, 1);
	else
		__sync_fetch_and_add(&st->fallback, 1);
}

SEC("struct_ops/layered_select_cpu")
s32 BPF_PROG(layered_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	__u32 l = task_layer(p);
	struct scx_cpus *c;
	bool is_idle = false;
	s32 cpu;

	if (l != SCX_NO_LAYER && layer_kind(l) != SCX_LAYER_OPEN) {
		c = bpf_map_lookup_elem(&layer_cpus, &l);
		if (c) {
			cpu = claim_idle(c, p, prev_cpu);
			if (cpu >= 0) {
				count(l, 1);
				scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, layer_slice(l), 0);
				return cpu;
			}
			if (layer_kind(l) == SCX_LAYER_CONFINED)
				return prev_cpu;
		}
	}
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (is_idle && l != SCX_NO_LAYER) {
		__u32 key = cpu;
		__u32 *owner = bpf_map_lookup_elem(&cpu_owner, &key);

		/* An idle CPU nobody owns: run there at once. */
		if (owner && *owner == SCX_NO_LAYER) {
			count(l, 1);
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, layer_slice(l), 0);
		}
	}
	return cpu;
}

SEC("struct_ops/layered_enqueue")
void BPF_PROG(layered_enqueue, struct task_struct *p, u64 enq_flags)
{
	__u32 l = task_layer(p);
	struct scx_cpus *c;
	s32 cpu;

	/* Per-CPU kernel threads run where they must, before anything else. */
	if ((p->flags & PF_KTHREAD_FLAG) && p->nr_cpus_allowed == 1) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	if (l == SCX_NO_LAYER || l >= SCX_MAX_LAYERS) {
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	c = bpf_map_lookup_elem(&layer_cpus, &l);
	if (layer_kind(l) == SCX_LAYER_CONFINED && (!c || !fits(c, p))) {
		/* Its affinity misses the layer's CPUs: never strand it. */
		count(l, 2);
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, layer_slice(l), enq_flags);
		return;
	}
	count(l, 0);
	scx_bpf_dsq_insert(p, SCX_LAYER_DSQ_BASE + l, layer_slice(l), enq_flags);
	if (c && layer_kind(l) != SCX_LAYER_OPEN) {
		cpu = claim_idle(c, p, scx_bpf_task_cpu(p));
		if (cpu >= 0)
			scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
	}
}

SEC("struct_ops/layered_dispatch")
void BPF_PROG(layered_dispatch, s32 cpu, struct task_struct *prev)
{
	__u32 key = cpu, n = nr_layers, l;
	__u32 *owner = bpf_map_lookup_elem(&cpu_owner, &key);

	if (owner && *owner < SCX_MAX_LAYERS && scx_bpf_dsq_move_to_local(SCX_LAYER_DSQ_BASE + *owner))
		return;
	bpf_for(l, 0, SCX_MAX_LAYERS) {
		if (l >= n)
			break;
		if (layer_kind(l) == SCX_LAYER_CONFINED)
			continue;
		if (scx_bpf_dsq_move_to_local(SCX_LAYER_DSQ_BASE + l))
			return;
	}
}

SEC("struct_ops/layered_set_cpumask")
void BPF_PROG(layered_set_cpumask, struct task_struct *p, const struct cpumask *cpumask)
{
	struct task_ctx *tc = task_ctx_of(p);

	if (tc)
		tc->gen = 0;
}

SEC("struct_ops/layered_set_weight")
void BPF_PROG(layered_set_weight, struct task_struct *p, u32 weight)
{
	struct task_ctx *tc = task_ctx_of(p);

	if (tc)
		tc->gen = 0;
}

/* A rename (exec, prctl PR_SET_NAME) may change the comm matchers' answer. */
SEC("tp_btf/task_rename")
int BPF_PROG(layered_task_rename, struct task_struct *p, const char *buf)
{
	struct task_ctx *tc = bpf_task_storage_get(&task_ctxs, p, 0, 0);

	if (tc)
		tc->gen = 0;
	return 0;
}

SEC("struct_ops/layered_init_task")
s32 BPF_PROG(layered_init_task, struct task_struct *p, struct scx_init_task_args *args)
{
	struct task_ctx *tc;

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
	__s32 pid = p->pid;

	bpf_map_delete_elem(&task_layers, &pid);
}

SEC("struct_ops.s/layered_init")
s32 BPF_PROG(layered_init)
{
	__u32 l;
	s32 r;

	bpf_for(l, 0, SCX_MAX_LAYERS) {
		r = scx_bpf_create_dsq(SCX_LAYER_DSQ_BASE + l, -1);
		if (r)
			return r;
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
	.set_cpumask = (void *)layered_set_cpumask,
	.set_weight = (void *)layered_set_weight,
	.init_task = (void *)layered_init_task,
	.exit_task = (void *)layered_exit_task,
	.init = (void *)layered_init,
	.exit = (void *)layered_exit,
	.name = "scxd_layered",
};
