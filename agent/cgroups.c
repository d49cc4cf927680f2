/* SPDX-License-Identifier: GPL-2.0-only */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "agent/cgroups.h"
#include "bpf/intf.h"
#include "common/log.h"

struct walk {
	struct cgroup_list *out;
	size_t cap;
	char path[SCX_MAX_PATH];
};

/* The first line of cpuset.cpus.effective in dirfd, or NULL. */
static char *read_cpus(int dirfd)
{
	char buf[4096];
	ssize_t n;
	int fd = openat(dirfd, "cpuset.cpus.effective", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] ? strdup(buf) : NULL;
}

static int add(struct walk *w, const char *path, uint64_t id, int dirfd)
{
	struct cgroup_ent *e;

	if (w->out->n >= CGROUPS_MAX) {
		w->out->truncated = true;
		return 0;
	}
	if (w->out->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct cgroup_ent *v = realloc(w->out->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->out->v = v;
		w->cap = cap;
	}
	e = &w->out->v[w->out->n];
	e->id = id;
	e->path = strdup(path);
	e->cpus = read_cpus(dirfd);
	if (!e->path) {
		free(e->cpus);
		return -ENOMEM;
	}
	w->out->n++;
	return 0;
}

/* Children of the directory dirfd (at w->path, len bytes) depth first, each after its own children. */
static int walk_dir(struct walk *w, int dirfd, size_t len, unsigned int depth)
{
	DIR *d;
	struct dirent *de;
	int r = 0, fd;

	fd = dup(dirfd);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while (r == 0 && (de = readdir(d))) {
		size_t nlen = strlen(de->d_name);
		struct stat st;
		int child;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (depth >= CGROUPS_MAX_DEPTH || len + 1 + nlen >= sizeof(w->path)) {
			w->out->truncated = true;
			continue;
		}
		child = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (child < 0)
			continue; /* gone, or not a directory */
		if (fstat(child, &st) < 0) {
			close(child);
			continue;
		}
		if (len)
			w->path[len] = '/';
		memcpy(w->path + len + (len ? 1 : 0), de->d_name, nlen + 1);
		r = walk_dir(w, child, len + (len ? 1 : 0) + nlen, depth + 1);
		if (r == 0)
			r = add(w, w->path, (uint64_t)st.st_ino, child);
		w->path[len] = '\0';
		close(child);
	}
	closedir(d);
	return r;
}

int cgroups_scan(const char *root, struct cgroup_list *ret)
{
	struct walk w = { .out = ret };
	struct stat st;
	int fd, r;

	memset(ret, 0, sizeof(*ret));
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	w.path[0] = '\0';
	r = add(&w, "", (uint64_t)st.st_ino, fd);
	if (r == 0)
		r = walk_dir(&w, fd, 0, 0);
	close(fd);
	if (r < 0) {
		cgroups_free(ret);
		return r;
	}
	if (ret->truncated)
		log_warn("cgroups below %s: more than %d cgroups or %d levels; the rest are not matched", root,
			 CGROUPS_MAX, CGROUPS_MAX_DEPTH);
	return 0;
}

void cgroups_free(struct cgroup_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].cpus);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct cfg_cgroup *cgroups_for_templates(const struct cgroup_list *l, size_t *ret_n)
{
	struct cfg_cgroup *v = calloc(l->n ? l->n : 1, sizeof(*v));

	*ret_n = 0;
	if (!v)
		return NULL;
	for (size_t i = 1; i < l->n; i++) {
		v[*ret_n].path = l->v[i].path;
		v[*ret_n].cpus = l->v[i].cpus;
		(*ret_n)++;
	}
	return v;
}

int cgroup_terms_find(const struct cgroup_terms *t, const struct cfg_match *m)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].kind == m->kind && t->v[i].len == m->len && memcmp(t->v[i].str, m->str, m->len) == 0)
			return (int)i;
	return -1;
}

static int add_term(struct cgroup_terms *t, const struct cfg_match *m)
{
	struct cgroup_term *e;

	if (cgroup_terms_find(t, m) >= 0)
		return 0;
	if (t->n >= SCX_MAX_CGROUP_TERMS)
		return -E2BIG;
	e = &t->v[t->n];
	memset(e, 0, sizeof(*e));
	e->kind = m->kind;
	e->str = m->str ? m->str : "";
	e->len = m->str ? m->len : 0;
	if (m->kind == CFG_M_CGROUP_REGEX) {
		PCRE2_SIZE off;
		int code;

		e->re = pcre2_compile((PCRE2_SPTR)e->str, e->len, PCRE2_UTF, &code, &off, NULL);
		if (!e->re)
			return -EINVAL;
		e->md = pcre2_match_data_create_from_pattern(e->re, NULL);
		if (!e->md) {
			pcre2_code_free(e->re);
			e->re = NULL;
			return -ENOMEM;
		}
	}
	t->n++;
	return 0;
}

int cgroup_terms_build(struct cgroup_terms *t, const struct cfg *c, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < c->nr_layers; i++)
		for (size_t j = 0; j < c->layers[i].nr_ors; j++)
			for (size_t k = 0; k < c->layers[i].ors[j].n; k++) {
				const struct cfg_match *m = &c->layers[i].ors[j].m[k];
				int r;

				if (!cgroup_term_kind(m->kind))
					continue;
				r = add_term(t, m);
				if (r == -E2BIG)
					snprintf(err, errlen, "layer \"%s\": more than %d distinct cgroup matchers in the config",
						 c->layers[i].name, SCX_MAX_CGROUP_TERMS);
				else if (r == -EINVAL)
					snprintf(err, errlen, "layer \"%s\": cgroup regex '%s' does not compile",
						 c->layers[i].name, m->str);
				else if (r < 0)
					snprintf(err, errlen, "out of memory");
				if (r < 0)
					return r;
			}
	return 0;
}

void cgroup_terms_free(struct cgroup_terms *t)
{
	for (size_t i = 0; i < t->n; i++) {
		pcre2_match_data_free(t->v[i].md);
		pcre2_code_free(t->v[i].re);
	}
	t->n = 0;
}

uint64_t cgroup_terms_bits(const struct cgroup_terms *t, const char *rel)
{
	static const char root[] = "/sys/fs/cgroup";
	char path[SCX_MAX_PATH + 2], abs[sizeof(root) + SCX_MAX_PATH + 1];
	size_t rlen = strlen(rel), plen, alen;
	uint64_t bits = 0;

	if (rlen + 2 > sizeof(path))
		return 0;
	memcpy(path, rel, rlen);
	path[rlen] = '/';
	plen = rlen ? rlen + 1 : 1;
	path[plen] = '\0';
	alen = (size_t)snprintf(abs, sizeof(abs), "%s%s%s", root, rlen ? "/" : "", rel);
	for (size_t i = 0; i < t->n; i++) {
		const struct cgroup_term *e = &t->v[i];
		bool hit;

		switch (e->kind) {
		case CFG_M_CGROUP_PREFIX:
			hit = plen >= e->len && memcmp(path, e->str, e->len) == 0;
			break;
		case CFG_M_CGROUP_SUFFIX:
			hit = plen >= e->len && memcmp(path + plen - e->len, e->str, e->len) == 0;
			break;
		case CFG_M_CGROUP_CONTAINS:
			hit = e->len == 0 || memmem(path, plen, e->str, e->len) != NULL;
			break;
		default:
			hit = alen < sizeof(abs) &&
			      pcre2_match(e->re, (PCRE2_SPTR)abs, alen, 0, 0, e->md, NULL) >= 0;
			break;
		}
		if (hit)
			bits |= 1ULL << i;
	}
	return bits;
}
