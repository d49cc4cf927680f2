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

#include "bpf/intf.h"
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

/*
 * The cgroup path terms of a config (CgroupPrefix/Suffix/Contains/Regex),
 * each distinct (kind, text) once: term i is bit i of a cgroup's answer,
 * which the bpf backend writes to the cgroup_bits map.
 */
struct cgroup_term {
	enum cfg_match_kind kind;
	const char *str;                /* borrowed from the config */
	size_t len;
	void *re, *md;                  /* CgroupRegex: pcre2 code and match data */
};

struct cgroup_terms {
	struct cgroup_term v[SCX_MAX_CGROUP_TERMS];
	size_t n;
};

static inline bool cgroup_term_kind(enum cfg_match_kind k)
{
	return k == CFG_M_CGROUP_PREFIX || k == CFG_M_CGROUP_SUFFIX || k == CFG_M_CGROUP_CONTAINS ||
	       k == CFG_M_CGROUP_REGEX;
}

/*
 * The terms of c (which must outlive them). -E2BIG for more than
 * SCX_MAX_CGROUP_TERMS distinct terms, -EINVAL for a regex that does not
 * compile, -ENOMEM; err says which. *t is valid (maybe partial) even on
 * failure: cgroup_terms_free() it.
 */
int cgroup_terms_build(struct cgroup_terms *t, const struct cfg *c, char *err, size_t errlen);
void cgroup_terms_free(struct cgroup_terms *t);
/* The bit of cgroup term m; -1 when it is not one of t. */
int cgroup_terms_find(const struct cgroup_terms *t, const struct cfg_match *m);
/*
 * The answers of every term for the cgroup at rel (relative to the root,
 * no leading or trailing '/'; "" for the root): prefix, suffix and
 * substring terms see "rel/" ("/" for the root), regexes search
 * "/sys/fs/cgroup/rel" (CONFIG.md 5.2).
 */
uint64_t cgroup_terms_bits(const struct cgroup_terms *t, const char *rel);

#endif
