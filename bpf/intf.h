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

#endif
