/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_CGROUPS_H
#define SCX_AGENT_CGROUPS_H

/*
 * The cgroup-v2 tree as the agent sees it: every cgroup below the root
 * (the root itself first), with the id the kernel uses for it (the inode
 * number of its directory, which is the kernfs id BPF reads) and its
 * cpuset.cpus.effective. One walk serves the bpf backend's cgroup path
 * matchers and template expansion (common/config.h cfg_cgroup).
 */
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"

/* Deeper cgroups are skipped (CONFIG.md 5.2: at most 127 levels). */
#define CGROUPS_MAX_DEPTH 127
/* A tree larger than this is cut (logged once per scan). */
#define CGROUPS_MAX 200000

struct cgroup_ent {
	char *path;      /* relative to the root, no leading or trailing '/'; "" for the root */
	uint64_t id;     /* inode number of the directory = cgroup id */
	char *cpus;      /* cpuset.cpus.effective, NULL when absent or empty */
};

struct cgroup_list {
	struct cgroup_ent *v;  /* v[0] is the root; then depth first, children before their parent */
	size_t n;
	bool truncated;        /* CGROUPS_MAX or CGROUPS_MAX_DEPTH was hit */
};

/*
 * Walk the cgroup-v2 tree mounted at root (e.g. "/sys/fs/cgroup").
 * Cgroups that vanish during the walk are skipped. Returns 0 and *ret
 * (cgroups_free()), -ENOENT when root is not a directory, other -errno.
 */
int cgroups_scan(const char *root, struct cgroup_list *ret);
void cgroups_free(struct cgroup_list *l);

/* The cgroups below the root as cfg_cgroup entries for cfg_expand_templates() (malloc'd, borrowing l). */
struct cfg_cgroup *cgroups_for_templates(const struct cgroup_list *l, size_t *ret_n);

#endif
