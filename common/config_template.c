/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Template expansion (CONFIG.md 6): a spec with "template" becomes one
 * layer per cgroup the template picks. Expansion needs the live cgroup
 * tree, so it is not part of parsing or validation: the agent walks its
 * tree (under --sysfs-root), passes what it found here, and validates the
 * result again, since the limits apply after expansion. This function
 * only computes; it reads no file.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "common/banned.h"
#include "common/config.h"

/* Where the reference finds cgroups; suffixes and regexes see this prefix. */
#define CFG_CGROUP_ROOT "/sys/fs/cgroup/"
#define CFG_SUFFIX_MAX 64

static char *dup_mem(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		if (len)
			memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static int match_copy(struct cfg_match *dst, const struct cfg_match *src)
{
	*dst = *src;
	dst->str = NULL;
	if (src->str && !(dst->str = dup_mem(src->str, src->len)))
		return -ENOMEM;
	return 0;
}

/* A deep copy of src, each AND block with room for `extra` more conditions. */
static int layer_copy(struct cfg_layer *dst, const struct cfg_layer *src, size_t extra)
{
	*dst = *src;
	dst->name = NULL;
	dst->comment = NULL;
	dst->template_match.str = NULL;
	dst->ors = NULL;
	dst->nr_ors = 0;
	dst->nodes = NULL;
	dst->llcs = NULL;
	dst->cpuset = NULL;
	if (src->name && !(dst->name = dup_mem(src->name, src->name_len)))
		return -ENOMEM;
	if (src->comment && !(dst->comment = dup_mem(src->comment, strlen(src->comment))))
		return -ENOMEM;
	if (match_copy(&dst->template_match, &src->template_match) < 0)
		return -ENOMEM;
	dst->ors = calloc(src->nr_ors ? src->nr_ors : 1, sizeof(*dst->ors));
	if (!dst->ors)
		return -ENOMEM;
	for (size_t j = 0; j < src->nr_ors; j++) {
		struct cfg_and *a = &dst->ors[j];

		a->m = calloc(src->ors[j].n + extra ? src->ors[j].n + extra : 1, sizeof(*a->m));
		if (!a->m)
			return -ENOMEM;
		dst->nr_ors++;
		for (size_t k = 0; k < src->ors[j].n; k++) {
			if (match_copy(&a->m[k], &src->ors[j].m[k]) < 0)
				return -ENOMEM;
			a->n++;
		}
	}
	dst->nodes = calloc(src->nr_nodes ? src->nr_nodes : 1, sizeof(*dst->nodes));
	dst->llcs = calloc(src->nr_llcs ? src->nr_llcs : 1, sizeof(*dst->llcs));
	if (!dst->nodes || !dst->llcs)
		return -ENOMEM;
	if (src->nr_nodes)
		memcpy(dst->nodes, src->nodes, src->nr_nodes * sizeof(*dst->nodes));
	if (src->nr_llcs)
		memcpy(dst->llcs, src->llcs, src->nr_llcs * sizeof(*dst->llcs));
	if (src->cpuset && !(dst->cpuset = dup_mem(src->cpuset, strlen(src->cpuset))))
		return -ENOMEM;
	return 0;
}

static int options_copy(struct cfg_options *dst, const struct cfg_options *src)
{
	*dst = *src;
	dst->hi_fb_thread_name = NULL;
	dst->task_hint_map = NULL;
	dst->gpu_probe_symbols = NULL;
	dst->nr_gpu_probe_symbols = 0;
	if (src->hi_fb_thread_name &&
	    !(dst->hi_fb_thread_name = dup_mem(src->hi_fb_thread_name, strlen(src->hi_fb_thread_name))))
		return -ENOMEM;
	if (src->task_hint_map && !(dst->task_hint_map = dup_mem(src->task_hint_map, strlen(src->task_hint_map))))
		return -ENOMEM;
	dst->gpu_probe_symbols = calloc(src->nr_gpu_probe_symbols ? src->nr_gpu_probe_symbols : 1,
					sizeof(*dst->gpu_probe_symbols));
	if (!dst->gpu_probe_symbols)
		return -ENOMEM;
	for (size_t i = 0; i < src->nr_gpu_probe_symbols; i++) {
		const char *s = src->gpu_probe_symbols[i];

		if (!(dst->gpu_probe_symbols[i] = dup_mem(s, strlen(s))))
			return -ENOMEM;
		dst->nr_gpu_probe_symbols++;
	}
	return 0;
}

/*
 * T: the last 64 bytes of path + "/", from a character boundary. Built
 * from the root-relative path, which the BPF side compares (the
 * reference cuts it from the absolute path; CONFIG.md 6 quirk b).
 */
static char *template_suffix(const char *path, size_t *ret_len)
{
	size_t len = strlen(path), start;
	char *t = malloc(len + 2);

	if (!t)
		return NULL;
	memcpy(t, path, len);
	t[len++] = '/';
	t[len] = '\0';
	start = len > CFG_SUFFIX_MAX ? len - CFG_SUFFIX_MAX : 0;
	while (start < len && ((unsigned char)t[start] & 0xc0) == 0x80)
		start++;
	memmove(t, t + start, len - start + 1);
	*ret_len = len - start;
	return t;
}

/* One more layer in out, a copy of l made for the cgroup cg (or the spec as written, cg NULL). */
static int add_layer(struct cfg *out, size_t *cap, const struct cfg_layer *l, size_t origin,
		     const struct cfg_cgroup *cg)
{
	struct cfg_layer *nl;
	size_t tlen;
	char *t, *name;
	int r;

	if (out->nr_layers == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct cfg_layer *v = realloc(out->layers, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		out->layers = v;
		*cap = ncap;
	}
	nl = &out->layers[out->nr_layers];
	r = layer_copy(nl, l, cg ? 1 : 0);
	out->nr_layers++;    /* even half-made: cfg_free() releases it */
	if (r < 0)
		return r;
	nl->origin = origin;
	nl->has_template = false;
	free(nl->template_match.str);
	memset(&nl->template_match, 0, sizeof(nl->template_match));
	if (!cg)
		return 0;
	t = template_suffix(cg->path, &tlen);
	if (!t)
		return -ENOMEM;
	name = malloc(nl->name_len + tlen + 1);
	if (!name) {
		free(t);
		return -ENOMEM;
	}
	memcpy(name, nl->name ? nl->name : "", nl->name_len);
	memcpy(name + nl->name_len, t, tlen + 1);
	free(nl->name);
	nl->name = name;
	nl->name_len += tlen;
	for (size_t j = 0; j < nl->nr_ors; j++) {
		struct cfg_match *m = &nl->ors[j].m[nl->ors[j].n];

		memset(m, 0, sizeof(*m));
		m->kind = CFG_M_CGROUP_SUFFIX;
		m->str = dup_mem(t, tlen);
		m->len = tlen;
		if (!m->str) {
			free(t);
			return -ENOMEM;
		}
		nl->ors[j].n++;
	}
	free(t);
	if (cg->cpus && !(nl->cpuset = dup_mem(cg->cpus, strlen(cg->cpus))))
		return -ENOMEM;
	return 0;
}

/* Does template t pick the cgroup at abs (absolute, no trailing '/')? */
static bool picks(const struct cfg_match *t, pcre2_code *re, pcre2_match_data *md, const char *abs, size_t len)
{
	if (t->kind == CFG_M_CGROUP_SUFFIX)
		return len >= t->len && memcmp(abs + len - t->len, t->str, t->len) == 0;
	return pcre2_match(re, (PCRE2_SPTR)abs, len, 0, 0, md, NULL) >= 0;
}

int cfg_expand_templates(const struct cfg *c, const struct cfg_cgroup *cgroups, size_t nr_cgroups,
			 struct cfg **ret_cfg, struct cfg_diags *d)
{
	struct cfg *out = calloc(1, sizeof(*out));
	size_t cap = 0, made = 0;
	char base[64];
	int r = 0;

	if (!out)
		return -ENOMEM;
	out->object_form = c->object_form;
	out->expanded = true;
	r = options_copy(&out->opts, &c->opts);
	for (size_t li = 0; li < c->nr_layers && r == 0; li++) {
		const struct cfg_layer *l = &c->layers[li];
		const struct cfg_match *t = &l->template_match;
		pcre2_match_data *md = NULL;
		pcre2_code *re = NULL;
		size_t picked = 0;

		if (!l->has_template) {
			r = add_layer(out, &cap, l, li, NULL);
			made++;
			continue;
		}
		cfg_layer_path(c, li, base, sizeof(base));
		if ((t->kind != CFG_M_CGROUP_SUFFIX && t->kind != CFG_M_CGROUP_REGEX) || !t->str) {
			r = cfg_diag_add(d, CFG_ERROR, base, "a template must be CgroupSuffix or CgroupRegex") < 0 ?
				    -ENOMEM : -EINVAL;
			break;
		}
		if (t->kind == CFG_M_CGROUP_REGEX) {
			PCRE2_SIZE off;
			int err;

			re = pcre2_compile((PCRE2_SPTR)t->str, t->len, PCRE2_UTF, &err, &off, NULL);
			md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
			if (!md) {
				pcre2_code_free(re);
				r = cfg_diag_add(d, CFG_ERROR, base, "invalid template regex '%s'", t->str) < 0 ?
					    -ENOMEM : -EINVAL;
				break;
			}
		}
		for (size_t i = 0; i < nr_cgroups && r == 0; i++) {
			size_t plen = strlen(cgroups[i].path), alen = sizeof(CFG_CGROUP_ROOT) - 1 + plen;
			char *abs = malloc(alen + 1);

			if (!abs) {
				r = -ENOMEM;
				break;
			}
			memcpy(abs, CFG_CGROUP_ROOT, sizeof(CFG_CGROUP_ROOT) - 1);
			memcpy(abs + sizeof(CFG_CGROUP_ROOT) - 1, cgroups[i].path, plen + 1);
			if (picks(t, re, md, abs, alen)) {
				picked++;
				made++;
				/* Past the limit only count, so that the error says how many. */
				if (made <= SCX_MAX_LAYERS + 1)
					r = add_layer(out, &cap, l, li, &cgroups[i]);
				if (r == 0 && !cgroups[i].cpus && made <= SCX_MAX_LAYERS + 1 &&
				    cfg_diag_add(d, CFG_WARNING, base,
						 "cgroup %s has no cpuset.cpus.effective: its layer gets no CPU limit",
						 cgroups[i].path) < 0)
					r = -ENOMEM;
			}
			free(abs);
		}
		pcre2_match_data_free(md);
		pcre2_code_free(re);
		if (r == 0 && !picked) {
			/* Nothing picked: the spec as written (CONFIG.md 6 step 4). */
			made++;
			if (made <= SCX_MAX_LAYERS + 1)
				r = add_layer(out, &cap, l, li, NULL);
		}
	}
	if (r == 0 && made > SCX_MAX_LAYERS + 1)
		r = cfg_diag_add(d, CFG_ERROR, c->object_form ? "$.layers" : "$",
				 "the templates make %zu layers; at most %d", made, SCX_MAX_LAYERS) < 0 ? -ENOMEM : -EINVAL;
	if (r < 0) {
		cfg_free(out);
		return r;
	}
	*ret_cfg = out;
	return 0;
}

bool cfg_has_templates(const struct cfg *c)
{
	for (size_t i = 0; i < c->nr_layers; i++)
		if (c->layers[i].has_template)
			return true;
	return false;
}
