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
};

/* One condition of an AND block. */
struct scx_match {
	__u32 kind;                     /* enum scx_match_kind */
	__u32 flag;                     /* boolean argument */
	__s64 ival;                     /* numeric argument */
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
	__u32 weight;
	__u32 fifo;
	struct scx_and ors[SCX_MAX_LAYER_MATCH_ORS];
};

/* CPUs of a layer (map layer_cpus, key = layer index). */
struct scx_cpus {
	__u64 bits[SCX_CPU_WORDS];
};

/* Counters per layer (map layer_stats), summed by user space. */
struct scx_layer_stats {
	__u64 matched;                  /* tasks that joined the layer */
	__u64 enqueued;
	__u64 direct;                   /* dispatched straight to an idle CPU */
	__u64 fallback;                 /* could not run on the layer's CPUs (affinity) */
};

/* Where a task went and why (map task_layers, key = pid), for explain. */
struct scx_task_info {
	__u32 layer;
	__u32 or_idx;
};

_Static_assert(sizeof(struct scx_match) == 32, "scx_match layout");
_Static_assert(sizeof(struct scx_and) == 8 + 32 * SCX_MAX_MATCH_ANDS, "scx_and layout");
_Static_assert(sizeof(struct scx_cpus) == SCX_MAX_CPUS / 8, "scx_cpus layout");

#endif
