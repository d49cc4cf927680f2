/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The configuration model: names, defaults, normalization, ownership.
 * Validation lives in config_validate.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/banned.h"
#include "common/config.h"
#include "common/err.h"

/* scx_layered's SCX_SLICE_DFL in microseconds and its --slice-us default. */
#define CFG_SLICE_DFL_US 20000u

static const char *const kind_names[CFG_NR_KINDS] = { "Confined", "Grouped", "Open" };

static const struct {
	const char *name;
	enum cfg_arg_type arg;
} match_info[CFG_NR_MATCH_KINDS] = {
	[CFG_M_CGROUP_PREFIX] = { "CgroupPrefix", CFG_ARG_STRING },
	[CFG_M_CGROUP_SUFFIX] = { "CgroupSuffix", CFG_ARG_STRING },
	[CFG_M_CGROUP_CONTAINS] = { "CgroupContains", CFG_ARG_STRING },
	[CFG_M_CGROUP_REGEX] = { "CgroupRegex", CFG_ARG_STRING },
	[CFG_M_COMM_PREFIX] = { "CommPrefix", CFG_ARG_STRING },
	[CFG_M_COMM_PREFIX_EXCLUDE] = { "CommPrefixExclude", CFG_ARG_STRING },
	[CFG_M_PCOMM_PREFIX] = { "PcommPrefix", CFG_ARG_STRING },
	[CFG_M_PCOMM_PREFIX_EXCLUDE] = { "PcommPrefixExclude", CFG_ARG_STRING },
	[CFG_M_NICE_ABOVE] = { "NiceAbove", CFG_ARG_I32 },
	[CFG_M_NICE_BELOW] = { "NiceBelow", CFG_ARG_I32 },
	[CFG_M_NICE_EQUALS] = { "NiceEquals", CFG_ARG_I32 },
	[CFG_M_UID_EQUALS] = { "UIDEquals", CFG_ARG_U32 },
	[CFG_M_GID_EQUALS] = { "GIDEquals", CFG_ARG_U32 },
	[CFG_M_PID_EQUALS] = { "PIDEquals", CFG_ARG_U32 },
	[CFG_M_PPID_EQUALS] = { "PPIDEquals", CFG_ARG_U32 },
	[CFG_M_TGID_EQUALS] = { "TGIDEquals", CFG_ARG_U32 },
	[CFG_M_NSPID_EQUALS] = { "NSPIDEquals", CFG_ARG_U64_U32_PAIR },
	[CFG_M_NS_EQUALS] = { "NSEquals", CFG_ARG_U32 },
	[CFG_M_CMD_JOIN] = { "CmdJoin", CFG_ARG_STRING },
	[CFG_M_IS_GROUP_LEADER] = { "IsGroupLeader", CFG_ARG_BOOL },
	[CFG_M_IS_KTHREAD] = { "IsKthread", CFG_ARG_BOOL },
	[CFG_M_USED_GPU_TID] = { "UsedGpuTid", CFG_ARG_BOOL },
	[CFG_M_USED_GPU_PID] = { "UsedGpuPid", CFG_ARG_BOOL },
	[CFG_M_AVG_RUNTIME] = { "AvgRuntime", CFG_ARG_U64_PAIR },
	[CFG_M_HINT_EQUALS] = { "HintEquals", CFG_ARG_U64 },
	[CFG_M_SYSTEM_CPU_UTIL_BELOW] = { "SystemCpuUtilBelow", CFG_ARG_F64 },
	[CFG_M_DSQ_INSERT_BELOW] = { "DsqInsertBelow", CFG_ARG_F64 },
	[CFG_M_NUMA_NODE] = { "NumaNode", CFG_ARG_U32 },
};

static const char *const growth_names[CFG_NR_GROWTH] = {
	"Sticky",     "Linear",		   "Reverse",	       "Random",
	"Topo",	      "RoundRobin",	   "BigLittle",	       "LittleBig",
	"NodeSpread", "NodeSpreadReverse", "NodeSpreadRandom", "CpuSetSpread",
	"CpuSetSpreadReverse", "CpuSetSpreadRandom", "RandomTopo", "StickyDynamic",
};

static const char *const placement_names[CFG_NR_PLACEMENTS] = { "Standard", "Sticky", "Floating" };

const char *cfg_kind_name(enum cfg_kind k)
{
	return (unsigned int)k < CFG_NR_KINDS ? kind_names[k] : "?";
}

const char *cfg_match_name(enum cfg_match_kind k)
{
	return (unsigned int)k < CFG_NR_MATCH_KINDS ? match_info[k].name : "?";
}

enum cfg_arg_type cfg_match_arg(enum cfg_match_kind k)
{
	return (unsigned int)k < CFG_NR_MATCH_KINDS ? match_info[k].arg : CFG_ARG_STRING;
}

const char *cfg_growth_name(enum cfg_growth g)
{
	return (unsigned int)g < CFG_NR_GROWTH ? growth_names[g] : "?";
}

const char *cfg_placement_name(enum cfg_placement p)
{
	return (unsigned int)p < CFG_NR_PLACEMENTS ? placement_names[p] : "?";
}

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

int cfg_kind_from_name(const char *s)
{
	return lookup(kind_names, CFG_NR_KINDS, s);
}

int cfg_match_from_name(const char *s)
{
	for (int i = 0; i < CFG_NR_MATCH_KINDS; i++)
		if (strcmp(match_info[i].name, s) == 0)
			return i;
	return -1;
}

int cfg_growth_from_name(const char *s)
{
	return lookup(growth_names, CFG_NR_GROWTH, s);
}

int cfg_placement_from_name(const char *s)
{
	return lookup(placement_names, CFG_NR_PLACEMENTS, s);
}

void cfg_options_init(struct cfg_options *o)
{
	memset(o, 0, sizeof(*o));
	o->slice_us = CFG_SLICE_DFL_US;
	o->interval = 0.1;
	o->layer_refresh_ms_avgruntime = 2000;
	o->lo_fb_wait_us = 10000;
	o->lo_fb_share = 0.05;
	o->antistall_sec = 3;
	o->gpu_kprobe_level = 3;
	o->gpu_affinitize_secs = 900;
}

void cfg_layer_init(struct cfg_layer *l)
{
	memset(l, 0, sizeof(*l));
	l->growth_algo = CFG_GROWTH_STICKY;
	l->placement = CFG_PLACEMENT_STANDARD;
	l->xnuma_threshold[0] = 0.6;
	l->xnuma_threshold[1] = 0.7;
	l->xnuma_threshold_delta[0] = 0.2;
	l->xnuma_threshold_delta[1] = 0.3;
}

static void match_release(struct cfg_match *m)
{
	free(m->str);
	m->str = NULL;
}

void cfg_layer_release(struct cfg_layer *l)
{
	if (!l)
		return;
	free(l->name);
	free(l->comment);
	match_release(&l->template_match);
	for (size_t i = 0; i < l->nr_ors; i++) {
		for (size_t j = 0; j < l->ors[i].n; j++)
			match_release(&l->ors[i].m[j]);
		free(l->ors[i].m);
	}
	free(l->ors);
	free(l->nodes);
	free(l->llcs);
	free(l->cpuset);
	memset(l, 0, sizeof(*l));
}

void cfg_options_release(struct cfg_options *o)
{
	if (!o)
		return;
	free(o->hi_fb_thread_name);
	free(o->task_hint_map);
	for (size_t i = 0; i < o->nr_gpu_probe_symbols; i++)
		free(o->gpu_probe_symbols[i]);
	free(o->gpu_probe_symbols);
	memset(o, 0, sizeof(*o));
}

void cfg_free(struct cfg *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nr_layers; i++)
		cfg_layer_release(&c->layers[i]);
	free(c->layers);
	cfg_options_release(&c->opts);
	free(c);
}

void cfg_normalize(struct cfg *c)
{
	for (size_t i = 0; i < c->nr_layers; i++) {
		struct cfg_layer *l = &c->layers[i];

		if (l->slice_us == 0)
			l->slice_us = c->opts.slice_us;
		if (l->weight == 0)
			l->weight = SCX_WEIGHT_DEFAULT;
		if (l->weight > SCX_WEIGHT_MAX)
			l->weight = SCX_WEIGHT_MAX;
		if (l->preempt) {
			/* Preempting layers never lock others out: "never" is UINT64_MAX. */
			l->has_disallow_open_after_us = true;
			l->disallow_open_after_us = UINT64_MAX;
			l->has_disallow_preempt_after_us = true;
			l->disallow_preempt_after_us = UINT64_MAX;
		}
		if (!l->has_disallow_open_after_us) {
			l->has_disallow_open_after_us = true;
			l->disallow_open_after_us = 2 * CFG_SLICE_DFL_US;
		}
		if (!l->has_disallow_preempt_after_us) {
			l->has_disallow_preempt_after_us = true;
			l->disallow_preempt_after_us = 4 * CFG_SLICE_DFL_US;
		}
	}
}

void cfg_layer_path(const struct cfg *c, size_t i, char *buf, size_t size)
{
	if (c->expanded && i < c->nr_layers && c->layers)
		i = c->layers[i].origin;
	snprintf(buf, size, c->object_form ? "$.layers[%zu]" : "$[%zu]", i);
}

bool cfg_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		unsigned char lo = 0x80, hi = 0xbf;
		uint64_t w;
		size_t n;

		if (c < 0x80) {
			/* ASCII eight bytes at a time: no byte has its top bit set. */
			while (len - i >= 8 &&
			       (memcpy(&w, p + i, 8), (w & 0x8080808080808080ull) == 0))
				i += 8;
			if (i < len && p[i] < 0x80)
				i++;
			continue;
		}
		/* Unicode 15, table 3-7: the well-formed byte sequences. */
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return false;
		}
		if (len - i <= n || p[i + 1] < lo || p[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= n; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return false;
		i += n + 1;
	}
	return true;
}

int cfg_diag_add(struct cfg_diags *d, enum cfg_severity sev, const char *path, const char *fmt, ...)
{
	struct cfg_diag *e;
	va_list ap;
	char *msg;
	int n;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct cfg_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	e = &d->v[d->n];
	e->severity = sev;
	e->msg = msg;
	e->path = strdup(path ? path : "$");
	if (!e->path) {
		free(msg);
		return -ENOMEM;
	}
	d->n++;
	if (sev == CFG_ERROR)
		d->nr_errors++;
	return 0;
}

void cfg_diags_release(struct cfg_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].path);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}
