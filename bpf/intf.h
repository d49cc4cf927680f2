/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_BPF_INTF_H
#define SCX_BPF_INTF_H

/*
 * The one header shared by the BPF scheduler and user space: limits,
 * constants and the layout of map values. __u32/__u64/__s32 only, no
 * pointers or bool in shared structs, a _Static_assert on every size user
 * space relies on (STYLE.md 2.7).
 */
#ifdef __bpf__
/* vmlinux.h provides the __u32 family. */
#else
#include <linux/types.h>
#endif

/*
 * Limits of the configuration, checked by common/config's validator and
 * relied on by the BPF side's fixed-size tables. The reference's values
 * (CONFIG.md 8.1) are the floor; where ours are larger, the BPF side loops
 * over the actual counts, not the maximum, so the hot path does not slow.
 */
enum scx_layered_limits {
	SCX_MAX_LAYERS = 16,             /* layers after template expansion */
	SCX_MAX_LAYER_MATCH_ORS = 32,    /* OR blocks per layer */
	SCX_NR_LAYER_MATCH_KINDS = 26,   /* internal matcher kinds */
	SCX_MAX_MATCH_ANDS = 26,         /* conditions per AND block */
	SCX_MAX_PATH = 4096,             /* cgroup strings, NUL included */
	SCX_MAX_COMM = 16,               /* comm, pcomm, CmdJoin, NUL included */
	SCX_MAX_LAYER_NAME = 128,        /* layer name, NUL included */
	SCX_MAX_CGROUP_REGEXES = 16,     /* CgroupRegex in the whole config */
	SCX_MAX_NUMA_NODES = 32,
	SCX_MAX_LLCS = 64,
	SCX_MAX_CPUS = 512,
	SCX_MAX_HINT = 1024,             /* HintEquals range is 0..SCX_MAX_HINT */
	SCX_WEIGHT_MIN = 1,
	SCX_WEIGHT_MAX = 10000,
	SCX_WEIGHT_DEFAULT = 100,
	SCX_CMD_MAGIC = 0x5C10,          /* CmdJoin record magic */
	SCX_CMD_NAME_LEN = 13,
};

/*
 * Matcher kinds, numbered as common/config.h's enum cfg_match_kind (the
 * bpf backend checks every pair at compile time).
 */
enum scx_match_kind {
	SCX_M_CGROUP_PREFIX,
	SCX_M_CGROUP_SUFFIX,
	SCX_M_CGROUP_CONTAINS,
	SCX_M_CGROUP_REGEX,
	SCX_M_COMM_PREFIX,
	SCX_M_COMM_PREFIX_EXCLUDE,
	SCX_M_PCOMM_PREFIX,
	SCX_M_PCOMM_PREFIX_EXCLUDE,
	SCX_M_NICE_ABOVE,
	SCX_M_NICE_BELOW,
	SCX_M_NICE_EQUALS,
	SCX_M_UID_EQUALS,
	SCX_M_GID_EQUALS,
	SCX_M_PID_EQUALS,
	SCX_M_PPID_EQUALS,
	SCX_M_TGID_EQUALS,
	SCX_M_NSPID_EQUALS,
	SCX_M_NS_EQUALS,
	SCX_M_CMD_JOIN,
	SCX_M_IS_GROUP_LEADER,
	SCX_M_IS_KTHREAD,
	SCX_M_USED_GPU_TID,
	SCX_M_USED_GPU_PID,
	SCX_M_AVG_RUNTIME,
	SCX_M_HINT_EQUALS,
	SCX_M_SYSTEM_CPU_UTIL_BELOW,
	SCX_M_DSQ_INSERT_BELOW,
	SCX_M_NUMA_NODE,
	SCX_NR_M,
};

/* Layer kinds, numbered as enum cfg_kind. */
enum scx_layer_kind {
	SCX_LAYER_CONFINED,
	SCX_LAYER_GROUPED,
	SCX_LAYER_OPEN,
};

enum scx_layered_consts {
	SCX_NO_LAYER = 0xffffffffu,     /* a task not (yet) in a layer; a CPU nobody owns */
	SCX_LAYER_DSQ_BASE = 0x100,     /* DSQ id of layer i: SCX_LAYER_DSQ_BASE + i */
	SCX_CPU_WORDS = SCX_MAX_CPUS / 64,
	SCX_MAX_CGROUP_TERMS = 64,      /* distinct cgroup terms: bits of a cgroup_bits value */
	SCX_RATIO_ONE = 10000,          /* fractions (yield_ignore, utilization) x 10000 */
};

/* Layer flags (scx_layer.flags). */
enum scx_layer_flags {
	SCX_LF_FIFO = 1u << 0,          /* FIFO instead of weighted vtime */
	SCX_LF_PREEMPT = 1u << 1,       /* may preempt tasks of non-preempt layers */
	SCX_LF_PREEMPT_FIRST = 1u << 2, /* try the previous CPU before idle ones */
	SCX_LF_PROTECTED = 1u << 3,     /* owned CPUs never run other layers' tasks */
	SCX_LF_STICKY = 1u << 4,        /* placement Sticky: stay on the previous CPU */
};

/*
 * One condition of an AND block. The argument, by kind:
 *   CGROUP_PREFIX/SUFFIX/CONTAINS/REGEX  ival: bit in the cgroup's cgroup_bits
 *   COMM/PCOMM_PREFIX(_EXCLUDE)           str (NUL-terminated)
 *   NICE_*, UID/GID/PID/TGID/PPID_EQUALS  ival
 *   NUMA_NODE                             ival: node
 *   NS_EQUALS                             ival: PID namespace inode
 *   NSPID_EQUALS                          a: PID namespace inode, b: pid in it
 *   IS_GROUP_LEADER, IS_KTHREAD           flag (0/1)
 *   AVG_RUNTIME                           a <= average run time in us < b
 *   USED_GPU_TID, USED_GPU_PID            flag (0/1); a: the layer's member_expire_ms
 *                                         in ns (0: never expires)
 */
struct scx_match {
	__u32 kind;                     /* enum scx_match_kind */
	__u32 flag;                     /* boolean argument */
	__s64 ival;                     /* numeric argument */
	__u64 a, b;                     /* pairs */
	char str[SCX_MAX_COMM];         /* comm/pcomm prefix, NUL-terminated */
};

struct scx_and {
	__u32 nr;
	__u32 pad;
	struct scx_match m[SCX_MAX_MATCH_ANDS];
};

/* A layer as the BPF side sees it (map layers, key = layer index). */
struct scx_layer {
	__u32 kind;                     /* enum scx_layer_kind */
	__u32 nr_ors;
	__u64 slice_ns;
	__u64 min_exec_ns;              /* charged to vtime at least per run */
	__u32 weight;
	__u32 flags;                    /* enum scx_layer_flags */
	__u32 yield_ignore;             /* x SCX_RATIO_ONE; 0: a yield ends the slice */
	__u32 pad;
	struct scx_and ors[SCX_MAX_LAYER_MATCH_ORS];
};

/* A CPU set (layer_cpus[], node_cpus[] in .bss). */
struct scx_cpus {
	__u64 bits[SCX_CPU_WORDS];
};

/*
 * Counters per layer and CPU (per-CPU map layer_stats), summed by user
 * space: event counts, and nanoseconds for the control loop.
 */
struct scx_layer_stats {
	__u64 matched;                  /* tasks that joined the layer */
	__u64 enqueued;                 /* queued on the layer's DSQ */
	__u64 direct;                   /* dispatched straight to an idle CPU */
	__u64 preempt;                  /* preempted another layer's task */
	__u64 fallback;                 /* could not run on the layer's CPUs (affinity) */
	__u64 yielded;                  /* yields honoured (slice shortened or ended) */
	__u64 owned_ns;                 /* ran on CPUs the layer owns (Open: CPUs nobody owns) */
	__u64 open_ns;                  /* ran on other CPUs */
	__u64 wait_ns;                  /* waited on a DSQ before running */
	__u64 runs;
};

/* What runs on a CPU (cpu_cur[] in .bss, private to BPF). */
struct scx_cpu_cur {
	__u32 layer;                    /* of the task running there; SCX_NO_LAYER: none */
	__u32 preempt;                  /* it is a preempt layer's, or a preemptor is on its way */
};

/*
 * The per-task context (task storage task_ctxs), also read by the agent
 * through a pidfd for `scxctl explain`.
 */
struct scx_task_ctx {
	__u32 layer;                    /* SCX_NO_LAYER: none yet */
	__u32 or_idx;                   /* the OR block that matched */
	__u64 gen;                      /* cfg_gen when matched; 0: match again */
	__u64 cg_gen;                   /* cgroup_gen when a cgroup was unknown; 0: none was */
	__u64 rt_gen;                   /* avgrt_gen when matched */
	__u64 runnable_at;              /* ns, when it last became runnable */
	__u64 started_at;               /* ns, when it last started running */
	__u64 runtime_avg_ns;           /* EWMA of the run time per run */
	__u64 matched_at;               /* ns, when it joined its layer */
	__u64 gpu_at;                   /* ns, its last GPU driver call (UsedGpuTid); 0: never */
	__u64 recheck_at;               /* ns, when a GPU membership it matched by expires; 0: never */
	__u64 gpu_gen;                  /* gpu_gen when matched */
	__u32 gpu_expired;              /* a GPU membership expired: the next driver call re-matches */
	__u32 pad;
};

_Static_assert(sizeof(struct scx_match) == 48, "scx_match layout");
_Static_assert(sizeof(struct scx_and) == 8 + 48 * SCX_MAX_MATCH_ANDS, "scx_and layout");
_Static_assert(sizeof(struct scx_task_ctx) == 96, "scx_task_ctx layout");
_Static_assert(sizeof(struct scx_layer_stats) == 80, "scx_layer_stats layout");
_Static_assert(sizeof(struct scx_cpus) == SCX_MAX_CPUS / 8, "scx_cpus layout");

#endif
