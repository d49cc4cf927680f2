/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_CONFIG_H
#define SCX_COMMON_CONFIG_H

/*
 * The layer configuration: one typed model (plain structs) for the
 * scx_layered language (shared/CONFIG.md), and the one validator used by
 * scxctl (after parsing JSON) and by scxd (after decoding a request).
 *
 * The model holds what the file said ("has_*" flags for optional fields)
 * plus the defaults the reference applies; cfg_normalize() fills in the
 * derived defaults (slice, weight clamp, disallow_* for preempt layers).
 * Problems are reported as JSON paths ("$.layers[2].kind.Confined.util_range"
 * or "$[2]..." for the bare-array form); the client maps paths to file
 * positions, the agent returns them as they are.
 *
 * Templates (CONFIG.md 6) stay in the model as written: expanding one needs
 * the live cgroup tree, which only the agent has. The agent walks its tree,
 * calls cfg_expand_templates() and validates the result again; the applied
 * and persisted config is the unexpanded one (get-config returns what the
 * operator wrote).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/intf.h"

enum cfg_kind {
	CFG_KIND_CONFINED,
	CFG_KIND_GROUPED,
	CFG_KIND_OPEN,
	CFG_NR_KINDS,
};

/* The 28 JSON matcher names, in CONFIG.md 5.3 order. */
enum cfg_match_kind {
	CFG_M_CGROUP_PREFIX,
	CFG_M_CGROUP_SUFFIX,
	CFG_M_CGROUP_CONTAINS,
	CFG_M_CGROUP_REGEX,
	CFG_M_COMM_PREFIX,
	CFG_M_COMM_PREFIX_EXCLUDE,
	CFG_M_PCOMM_PREFIX,
	CFG_M_PCOMM_PREFIX_EXCLUDE,
	CFG_M_NICE_ABOVE,
	CFG_M_NICE_BELOW,
	CFG_M_NICE_EQUALS,
	CFG_M_UID_EQUALS,
	CFG_M_GID_EQUALS,
	CFG_M_PID_EQUALS,
	CFG_M_PPID_EQUALS,
	CFG_M_TGID_EQUALS,
	CFG_M_NSPID_EQUALS,
	CFG_M_NS_EQUALS,
	CFG_M_CMD_JOIN,
	CFG_M_IS_GROUP_LEADER,
	CFG_M_IS_KTHREAD,
	CFG_M_USED_GPU_TID,
	CFG_M_USED_GPU_PID,
	CFG_M_AVG_RUNTIME,
	CFG_M_HINT_EQUALS,
	CFG_M_SYSTEM_CPU_UTIL_BELOW,
	CFG_M_DSQ_INSERT_BELOW,
	CFG_M_NUMA_NODE,
	CFG_NR_MATCH_KINDS,
};

/* How a matcher's argument is typed in JSON. */
enum cfg_arg_type {
	CFG_ARG_STRING,
	CFG_ARG_I32,
	CFG_ARG_U32,
	CFG_ARG_U64,
	CFG_ARG_BOOL,
	CFG_ARG_F64,
	CFG_ARG_U64_PAIR,     /* AvgRuntime [lo, hi] */
	CFG_ARG_U64_U32_PAIR, /* NSPIDEquals [ns, pid] */
};

/*
 * Ownership: every pointer in the model is owned by it (cfg_free()).
 * Strings are NUL-terminated; where a length goes with one, it counts the
 * bytes before the terminator, NULs inside included (the validator
 * refuses those).
 */
struct cfg_match {
	enum cfg_match_kind kind;
	char *str;       /* string matchers; len bytes */
	size_t len;
	int64_t i;       /* nice; uid/gid/pid/...; NumaNode; HintEquals; NSEquals */
	uint64_t a, b;   /* pairs: AvgRuntime [a, b), NSPIDEquals [ns=a, pid=b] */
	double f;        /* SystemCpuUtilBelow, DsqInsertBelow */
	bool flag;       /* IsGroupLeader, IsKthread, UsedGpu* */
};

struct cfg_and {
	struct cfg_match *m;
	size_t n;
};

enum cfg_growth {
	CFG_GROWTH_STICKY,
	CFG_GROWTH_LINEAR,
	CFG_GROWTH_REVERSE,
	CFG_GROWTH_RANDOM,
	CFG_GROWTH_TOPO,
	CFG_GROWTH_ROUND_ROBIN,
	CFG_GROWTH_BIG_LITTLE,
	CFG_GROWTH_LITTLE_BIG,
	CFG_GROWTH_NODE_SPREAD,
	CFG_GROWTH_NODE_SPREAD_REVERSE,
	CFG_GROWTH_NODE_SPREAD_RANDOM,
	CFG_GROWTH_CPUSET_SPREAD,
	CFG_GROWTH_CPUSET_SPREAD_REVERSE,
	CFG_GROWTH_CPUSET_SPREAD_RANDOM,
	CFG_GROWTH_RANDOM_TOPO,
	CFG_GROWTH_STICKY_DYNAMIC,
	CFG_NR_GROWTH,
};

enum cfg_placement {
	CFG_PLACEMENT_STANDARD,
	CFG_PLACEMENT_STICKY,
	CFG_PLACEMENT_FLOATING,
	CFG_NR_PLACEMENTS,
};

/* Tri-state for deprecated optional booleans. */
enum cfg_tristate {
	CFG_UNSET = 0,
	CFG_FALSE,
	CFG_TRUE,
};

struct cfg_layer {
	char *name;                 /* may hold NUL bytes (name_len counts them); the validator refuses them */
	size_t name_len;
	char *comment;              /* NULL: unset */
	bool has_template;
	struct cfg_match template_match;
	struct cfg_and *ors;
	size_t nr_ors;
	enum cfg_kind kind;

	/* Confined and Grouped */
	bool has_util_range;
	double util_range[2];
	bool has_cpus_range;
	uint64_t cpus_range[2];
	bool has_cpus_range_frac;
	double cpus_range_frac[2];
	bool has_membw_gb;
	double membw_gb;
	bool protected_;
	/* Grouped */
	bool util_includes_open_cputime;
	bool idle_confined;

	/* all kinds */
	uint64_t min_exec_us;
	double yield_ignore;
	uint64_t slice_us;
	bool fifo;
	bool preempt;
	bool preempt_first;
	bool exclusive;
	enum cfg_tristate allow_node_aligned;
	bool skip_remote_node;
	bool prev_over_idle_core;
	uint32_t weight;
	bool has_disallow_open_after_us;
	uint64_t disallow_open_after_us;
	bool has_disallow_preempt_after_us;
	uint64_t disallow_preempt_after_us;
	double xllc_mig_min_us;
	enum cfg_tristate idle_smt;
	enum cfg_growth growth_algo;
	uint64_t util_peak_half_life_ms;
	uint64_t perf;
	bool has_idle_resume_us;
	uint32_t idle_resume_us;
	uint64_t *nodes;
	size_t nr_nodes;
	uint64_t *llcs;
	size_t nr_llcs;
	enum cfg_placement placement;
	uint64_t member_expire_ms;
	double xnuma_threshold[2];
	double xnuma_threshold_delta[2];

	/*
	 * Set only by cfg_expand_templates(), never by JSON or protobuf: the
	 * cpuset.cpus.effective list (e.g. "0-3,8") of the cgroup a layer was
	 * made for (NULL: no limit), and the index of the spec it came from.
	 */
	char *cpuset;
	size_t origin;
};

/* At most this many gpu_probe_symbols. */
#define CFG_MAX_GPU_SYMBOLS 64

/* scx_layered's command-line flags that matter here, and our own options. */
struct cfg_options {
	uint64_t slice_us;                 /* 20000 */
	uint64_t max_exec_us;              /* 0 = 20 x slice */
	double interval;                   /* seconds, 0.1 */
	uint64_t layer_refresh_ms_avgruntime; /* 2000 */
	enum cfg_tristate disable_topology; /* unset = auto */
	bool allow_partial_core;
	uint64_t lo_fb_wait_us;            /* 10000 */
	double lo_fb_share;                /* 0.05 */
	char *hi_fb_thread_name;           /* "" */
	bool disable_antistall;
	uint64_t antistall_sec;            /* 3 */
	bool disable_queued_wakeup;
	bool disable_percpu_kthread_preempt;
	bool percpu_kthread_preempt_all;
	bool enable_gpu_support;
	uint32_t gpu_kprobe_level;         /* 3 */
	bool netdev_irq_balance;
	bool util_compensation;
	char *task_hint_map;               /* "" */
	bool enable_match_debug;
	bool has_virt_llc;                 /* --virt-llc=MIN-MAX: split LLCs into virtual ones */
	uint64_t virt_llc[2];              /* cores per virtual LLC, min and max (2-8) */
	bool enable_gpu_affinitize;
	uint64_t gpu_affinitize_secs;      /* 900 */
	char **gpu_probe_symbols;          /* ours: replaces the default driver symbols */
	size_t nr_gpu_probe_symbols;
};

struct cfg {
	bool object_form;                  /* {"options":..., "layers":[...]} */
	bool expanded;                     /* made by cfg_expand_templates(): paths use origin */
	struct cfg_options opts;
	struct cfg_layer *layers;
	size_t nr_layers;
};

/* Names as they are written in JSON. */
const char *cfg_kind_name(enum cfg_kind k);
const char *cfg_match_name(enum cfg_match_kind k);
enum cfg_arg_type cfg_match_arg(enum cfg_match_kind k);
const char *cfg_growth_name(enum cfg_growth g);
const char *cfg_placement_name(enum cfg_placement p);
/* Lookups by JSON name; -1 when unknown. */
int cfg_kind_from_name(const char *s);
int cfg_match_from_name(const char *s);
int cfg_growth_from_name(const char *s);
int cfg_placement_from_name(const char *s);

/* Set the reference's defaults (what an empty object means). */
void cfg_options_init(struct cfg_options *o);
void cfg_layer_init(struct cfg_layer *l);

/* Release everything the model owns; NULL-safe. cfg_free() frees cfg too. */
void cfg_layer_release(struct cfg_layer *l);
void cfg_options_release(struct cfg_options *o);
void cfg_free(struct cfg *c);

/*
 * Normalization (CONFIG.md 4.4): slice_us 0 becomes the global slice,
 * weight 0 becomes 100 and is clamped to [1, 10000], disallow_* get their
 * defaults (and "never" on preempt layers). Idempotent.
 */
void cfg_normalize(struct cfg *c);

/* ---------------------------------------------------------- validation */

enum cfg_severity {
	CFG_WARNING,
	CFG_ERROR,
};

struct cfg_diag {
	enum cfg_severity severity;
	char *path;      /* "$.layers[0].kind.Confined.util_range" */
	char *msg;
};

struct cfg_diags {
	struct cfg_diag *v;
	size_t n, cap;
	size_t nr_errors;
};

/* Record a problem; copies path and message. -ENOMEM if it could not. */
int cfg_diag_add(struct cfg_diags *d, enum cfg_severity sev, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void cfg_diags_release(struct cfg_diags *d);

/*
 * What the validator knows of the target machine; NULL skips topology
 * checks. A count of 0 means "unknown" and skips the checks that need it
 * (scxctl validate --nodes N declares nodes but not LLCs).
 */
struct cfg_topo {
	unsigned int nr_cpus;
	unsigned int nr_nodes;
	unsigned int nr_llcs;
};

enum cfg_validate_flags {
	CFG_VALIDATE_STRICT = 1 << 0,    /* every warning is an error */
	/*
	 * The agent's apply-time checks, warnings without it: UsedGpu*
	 * matchers need enable_gpu_support (X7), membw_gb needs
	 * CFG_VALIDATE_MEMBW (X8).
	 */
	CFG_VALIDATE_APPLY = 1 << 1,
	/* With APPLY: the agent can measure memory bandwidth on this CPU (X8). */
	CFG_VALIDATE_MEMBW = 1 << 2,
};

/*
 * Check every rule of CONFIG.md 8.2-8.4 (and the typing rules the parser
 * could not: NUL bytes, UTF-8, lengths, ranges) and append every problem
 * to d, warnings included; CFG_VALIDATE_STRICT makes the warnings errors.
 * Safe on any model content (the agent's trust boundary): counts past the
 * limits are reported, not walked; NULL arrays with a count, NaN and
 * out-of-range enum values are problems, not crashes. Allocates only the
 * diags. Returns the number of errors added (0: valid), or -ENOMEM.
 */
int cfg_validate(const struct cfg *c, const struct cfg_topo *topo, unsigned int flags,
		 struct cfg_diags *d);

/* "$.layers[i]" or "$[i]" for layer i of c (its origin once expanded), into buf. */
void cfg_layer_path(const struct cfg *c, size_t i, char *buf, size_t size);

/* Is s (len bytes) well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates)? */
bool cfg_utf8_valid(const char *s, size_t len);

/* ---------------------------------------------------------- templates */

/* A cgroup as the agent found it, in walk order (CONFIG.md 6 step 1). */
struct cfg_cgroup {
	const char *path;   /* relative to the cgroup root, no leading or trailing '/' */
	const char *cpus;   /* its cpuset.cpus.effective, or NULL when it has none */
};

/*
 * Expand the templates of c (CONFIG.md 6) against the cgroups the agent
 * walked (depth first, children before their parent, siblings in
 * directory order; the root itself not included). A spec whose template
 * picks cgroups is replaced, in place, by one layer per picked cgroup:
 * T = the last 64 bytes (whole UTF-8 characters) of PATH + "/" is added as
 * {"CgroupSuffix": T} to every OR block and appended to the name, and the
 * layer is limited to the cgroup's cpus. Suffixes are matched, and
 * regexes searched, against "/sys/fs/cgroup/" + PATH as the reference
 * does; T is built from the relative path, which is what the BPF side
 * compares (CONFIG.md 6 quirk b). A spec that picks nothing stays as
 * written, without its template. The result (*ret_cfg, cfg_free()) has
 * expanded set and each layer's origin; validate it again, because the
 * limits (16 layers, 26 conditions, 127-byte names) apply after expansion.
 * Warnings (a cgroup without cpus) go to d. Returns 0, -EINVAL for a
 * template that is not a valid CgroupSuffix/CgroupRegex (run cfg_validate
 * first), or -ENOMEM.
 */
/* Does some spec of c have a template? */
bool cfg_has_templates(const struct cfg *c);

int cfg_expand_templates(const struct cfg *c, const struct cfg_cgroup *cgroups, size_t nr_cgroups,
			 struct cfg **ret_cfg, struct cfg_diags *d);

#endif
