/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_BACKEND_H
#define SCX_AGENT_BACKEND_H

/*
 * The scheduler backend behind scxd: `bpf` (the kernel scheduler,
 * agent/backend_bpf.c) or `sim` (everything but the kernel,
 * agent/backend_sim.c). The agent owns everything else: the sockets, the
 * topology (read once from the sysfs root and handed to create), the
 * config (decoded, validated and normalized before a backend sees it),
 * persistence, IRQ balancing and the one epoll loop. A backend never
 * blocks that loop and never logs a config problem the validator could
 * have found; it may still refuse what it cannot do (a matcher it does
 * not implement, a GPU probe, a membw PMU) with an error message.
 *
 * Call order: create, then any number of attach / update / detach, then
 * destroy. All calls come from the agent's one thread. Every op is
 * mandatory unless marked "optional" (NULL: not provided).
 *
 * Errors: int ops return 0 or -errno; ops that take (err, errlen) also
 * write a one-line reason for the operator there (no trailing period),
 * which the agent passes to the client as it is.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/cpumask.h"
#include "common/topology.h"

enum backend_state {
	BACKEND_DETACHED,
	BACKEND_ATTACHED,
	BACKEND_FAILED,     /* ejected and given up; reason in the status */
};

/* What status, metrics and the control loop show per layer. Zero = unknown. */
struct backend_layer_stats {
	unsigned int nr_tasks;  /* tasks in the layer now */
	unsigned int nr_cpus;   /* CPUs the layer owns now (0 for Open layers) */
	double util;            /* decayed utilization, in CPUs (1.0 = one CPU busy) */
	double load;            /* decayed demand incl. queueing, in CPUs; 0 when not measured */
	unsigned int target;    /* the control loop's CPU target (before whole-core rounding) */
	/* Events since the scheduler attached (as the reference's monitor counts them); bpf only. */
	bool has_counters;
	uint64_t joined;        /* tasks that were matched into the layer */
	uint64_t enqueued;      /* queued on the layer's DSQ */
	uint64_t direct;        /* sent straight to an idle CPU at wake-up */
	uint64_t preempted;     /* took a CPU from a task of a non-preempt layer */
	uint64_t fallback;      /* could not run on the layer's CPUs (affinity): global queue */
	uint64_t yielded;       /* yields honoured */
};

struct backend;

struct backend_ops {
	const char *name;       /* "bpf", "sim": shown by status and metrics */

	/*
	 * Create the backend for this machine. topo is the agent's and
	 * outlives the backend; the roots are where /sys and /proc are (tests
	 * give fake trees). Nothing on the system changes yet. NULL only for
	 * ENOMEM.
	 */
	struct backend *(*create)(const struct topo *topo, const char *sysfs_root, const char *procfs_root);
	/* Detach if attached and free everything; NULL is fine. */
	void (*destroy)(struct backend *b);

	/*
	 * Start scheduling with c (validated and normalized; borrowed until
	 * the next attach, update or detach returns). On failure nothing is
	 * attached and err says why.
	 */
	int (*attach)(struct backend *b, const struct cfg *c, char *err, size_t errlen);
	/*
	 * Replace the running config with c without leaving the scheduler
	 * (BPF maps in place; /sys/kernel/sched_ext/enable_seq unchanged).
	 * Only what truly cannot change live may re-attach, and the backend
	 * logs that it did. On failure the previous config keeps running.
	 */
	int (*update)(struct backend *b, const struct cfg *c, char *err, size_t errlen);
	/* Stop scheduling (the kernel's default scheduler takes over); forget any pending re-attach. */
	int (*detach)(struct backend *b);
	/* ATTACHED, DETACHED or FAILED; for FAILED the kernel's reason goes to reason (len may be 0). */
	enum backend_state (*state)(const struct backend *b, char *reason, size_t len);

	/* The CPUs layer owns now (empty for Open layers); -ENODATA when detached or out of range. */
	int (*layer_cpus)(const struct backend *b, size_t layer, struct cpumask *ret);
	/* Per-layer numbers for the running config; -ENODATA when detached or out of range. */
	int (*layer_stats)(const struct backend *b, size_t layer, struct backend_layer_stats *ret);

	/*
	 * Which layer task pid is in: *ret_layer and a one-line reason in
	 * why. -ESRCH: no such task (or not one the scheduler knows);
	 * -ENODATA: detached; -EOPNOTSUPP: the backend cannot know (why says
	 * so). Superseded by match when that is provided.
	 */
	int (*explain)(const struct backend *b, int pid, size_t *ret_layer, char *why, size_t len);
	/*
	 * Optional. Like explain, but says which OR block of the layer's
	 * matches put the task there: *ret_or indexes layers[*ret_layer].ors
	 * of the running config. The agent renders the block's AND terms
	 * from the config, so the backend only reports indices.
	 */
	int (*match)(const struct backend *b, int pid, size_t *ret_layer, size_t *ret_or);

	/*
	 * One control-loop step: measure, decide (agent/ctl.h), push. Called
	 * every opts.interval seconds of the running config (default 0.1 s),
	 * every second while detached. Must not block.
	 */
	void (*tick)(struct backend *b);

	/*
	 * Optional. A file descriptor the agent's loop watches for input
	 * (EPOLLIN) from create to destroy: the kernel ejected the scheduler
	 * (exit info ready, e.g. a BPF ring buffer's epoll fd or an eventfd).
	 * -1: none, the backend notices ejections in tick. The backend owns
	 * the fd; it must not change while the backend lives.
	 */
	int (*event_fd)(const struct backend *b);
	/*
	 * Optional (with event_fd). The event fd is readable: drain it, log
	 * the kernel's reason once, arrange the re-attach with backoff (or
	 * give up: state FAILED). Must not block.
	 */
	void (*event)(struct backend *b);

	/*
	 * Optional. CPUs went offline or online: t replaces the topology
	 * given to create (the agent frees the old one after this returns,
	 * whatever it returns). The backend re-plans on t at once; on failure
	 * it keeps scheduling on what it had and err says why.
	 */
	int (*set_topology)(struct backend *b, const struct topo *t, char *err, size_t errlen);

	/*
	 * Optional. The GPU driver probes of the running config: one line per
	 * symbol into lines[] (at most max, each < 128 bytes), the number of
	 * driver calls seen into *ret_calls. Returns how many lines there are.
	 */
	size_t (*gpu_probes)(const struct backend *b, char (*lines)[128], size_t max, uint64_t *ret_calls);

	/*
	 * The capabilities (CAP_* numbers) the backend needs after setup,
	 * for everything it may still do (attach, update, re-attach): the
	 * agent keeps exactly these and drops the rest. *ret_n gets the count;
	 * NULL with 0 for none.
	 */
	const int *(*caps)(const struct backend *b, size_t *ret_n);
};

extern const struct backend_ops backend_sim_ops;
extern const struct backend_ops backend_bpf_ops;

#endif
