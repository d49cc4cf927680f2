/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxd_minimal: the smallest complete sched_ext scheduler, used by the VM
 * smoke test to prove the toolchain, the loader path and the test kernel.
 *
 * Policy: one global FIFO. A waking task that finds an idle CPU goes
 * straight to that CPU's local queue; every other task is queued on the
 * global DSQ, which the kernel drains without a dispatch callback.
 * Invariant: every task handed to enqueue is inserted exactly once.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "compat.bpf.h"

char _license[] SEC("license") = "GPL";

/* Read by the loader: enqueues seen, and the kind of exit (0 while running). */
__u64 nr_enqueued;
__s32 exit_kind;

s32 BPF_STRUCT_OPS(minimal_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (is_idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(minimal_enqueue, struct task_struct *p, u64 enq_flags)
{
	__sync_fetch_and_add(&nr_enqueued, 1);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(minimal_exit, struct scx_exit_info *ei)
{
	WRITE_ONCE(exit_kind, ei->kind);
}

SEC(".struct_ops.link")
struct sched_ext_ops minimal_ops = {
	.select_cpu = (void *)minimal_select_cpu,
	.enqueue = (void *)minimal_enqueue,
	.exit = (void *)minimal_exit,
	.name = "scxd_minimal",
};
