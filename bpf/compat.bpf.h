/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small helpers for sched_ext schedulers, included after vmlinux.h and
 * libbpf's bpf_helpers.h/bpf_tracing.h.
 *
 * kfuncs: the vmlinux.h tools/deps generates (bpftool >= 7.3) already
 * declares every kfunc of the test kernel as `extern ... __weak __ksym`.
 * Re-declaring one with the same signature is harmless, with another it is
 * a compile error: declare here only kfuncs vmlinux.h lacks (for instance
 * ones of older kernels, tested with bpf_ksym_exists() before use).
 */
#ifndef SCX_BPF_COMPAT_BPF_H
#define SCX_BPF_COMPAT_BPF_H

/*
 * BPF_STRUCT_OPS(name, args...): a struct_ops callback named `name` with
 * typed arguments, e.g. BPF_STRUCT_OPS(foo_enqueue, struct task_struct *p,
 * u64 enq_flags). The _SLEEPABLE form may call sleepable kfuncs (init,
 * init_task, cgroup callbacks).
 */
#define BPF_STRUCT_OPS(name, args...) \
	SEC("struct_ops/" #name) BPF_PROG(name, ##args)
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) \
	SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

/* A compiler barrier. __sync_synchronize() crashes clang-19's BPF backend. */
#ifndef barrier
#define barrier() asm volatile("" ::: "memory")
#endif

/* Single accesses the compiler may neither tear nor merge nor elide. */
#ifndef READ_ONCE
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#endif
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#endif

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#endif /* SCX_BPF_COMPAT_BPF_H */
