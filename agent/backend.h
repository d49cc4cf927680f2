/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_BACKEND_H
#define SCX_AGENT_BACKEND_H

/*
 * The scheduler backend behind scxd: `bpf` (the kernel scheduler, written
 * by the scheduler work) or `sim` (everything but the kernel). The agent
 * validates a config before it reaches a backend; a backend may still
 * refuse what it cannot do (a GPU probe, a membw PMU) with an error.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/topology.h"

enum backend_state {
	BACKEND_DETACHED,
	BACKEND_ATTACHED,
	BACKEND_FAILED,     /* ejected and given up; reason in the status */
};

struct backend_layer_stats {
	unsigned int nr_tasks;
	unsigned int nr_cpus;
	double util;        /* in CPUs */
};

struct backend;

struct backend_ops {
	const char *name;
	/* Create the backend for this topology; NULL only for ENOMEM. */
	struct backend *(*create)(const struct topo *topo, const char *sysfs_root, const char *procfs_root);
	void (*destroy)(struct backend *b);
	/* Start scheduling with c (borrowed until the next attach/update/detach). */
	int (*attach)(struct backend *b, const struct cfg *c, char *err, size_t errlen);
	/* Change the running config in place, without leaving the scheduler. */
	int (*update)(struct backend *b, const struct cfg *c, char *err, size_t errlen);
	int (*detach)(struct backend *b);
	enum backend_state (*state)(const struct backend *b, char *reason, size_t len);
	/* The CPUs a layer owns now (empty for Open layers); -ENODATA when detached. */
	int (*layer_cpus)(const struct backend *b, size_t layer, struct cpumask *ret);
	/* Per-layer numbers for the current config; -ENODATA when detached. */
	int (*layer_stats)(const struct backend *b, size_t layer, struct backend_layer_stats *ret);
	/* Which layer task pid is in; -EOPNOTSUPP where the backend cannot know. */
	int (*explain)(const struct backend *b, int pid, size_t *ret_layer, char *why, size_t len);
	/* One control-loop step (timerfd). */
	void (*tick)(struct backend *b);
	/* Capabilities the backend needs after setup (CAP_* numbers), count in *ret_n. */
	const int *(*caps)(const struct backend *b, size_t *ret_n);
};

extern const struct backend_ops backend_sim_ops;
extern const struct backend_ops backend_bpf_ops;

#endif
