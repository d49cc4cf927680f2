/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Model <-> protobuf. Encoding copies pointers where protobuf-c lets us
 * (strings stay owned by the model while the message lives); decoding
 * copies everything, after checking every count against the limits the
 * BPF side and the validator rely on, so that a hostile request can make
 * the agent allocate no more than those limits allow.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/banned.h"
#include "common/pbconv.h"

/* Bounds on what a request may carry (the validator then applies the real limits). */
#define PB_MAX_LAYERS	  SCX_MAX_LAYERS
#define PB_MAX_ORS	  SCX_MAX_LAYER_MATCH_ORS
#define PB_MAX_ANDS	  SCX_MAX_MATCH_ANDS
#define PB_MAX_STR	  SCX_MAX_PATH
#define PB_MAX_LIST	  SCX_MAX_LLCS    /* nodes, llcs: more ids than exist */
#define PB_MAX_SYMBOLS	  64

/* ------------------------------------------------------------- encode */

static void match_to_pb(const struct cfg_match *m, Scxd__V1__Match *p)
{
	scxd__v1__match__init(p);
	p->kind = (uint32_t)m->kind;
	p->str.data = (uint8_t *)m->str;
	p->str.len = m->str ? m->len : 0;
	p->i = m->i;
	p->a = m->a;
	p->b = m->b;
	p->f = m->f;
	p->flag = m->flag;
}

static int layer_to_pb(const struct cfg_layer *l, Scxd__V1__Layer *p)
{
	scxd__v1__layer__init(p);
	p->name.data = (uint8_t *)l->name;
	p->name.len = l->name ? l->name_len : 0;
	p->has_comment = l->comment != NULL;
	p->comment = l->comment ? l->comment : (char *)"";
	p->has_template = l->has_template;
	if (l->has_template) {
		p->template_ = calloc(1, sizeof(*p->template_));
		if (!p->template_)
			return -ENOMEM;
		match_to_pb(&l->template_match, p->template_);
	}
	p->ors = calloc(l->nr_ors ? l->nr_ors : 1, sizeof(*p->ors));
	if (!p->ors)
		return -ENOMEM;
	for (size_t j = 0; j < l->nr_ors; j++) {
		Scxd__V1__AndBlock *a = calloc(1, sizeof(*a));

		if (!a)
			return -ENOMEM;
		scxd__v1__and_block__init(a);
		p->ors[p->n_ors++] = a;
		a->matches = calloc(l->ors[j].n ? l->ors[j].n : 1, sizeof(*a->matches));
		if (!a->matches)
			return -ENOMEM;
		for (size_t k = 0; k < l->ors[j].n; k++) {
			Scxd__V1__Match *m = calloc(1, sizeof(*m));

			if (!m)
				return -ENOMEM;
			match_to_pb(&l->ors[j].m[k], m);
			a->matches[a->n_matches++] = m;
		}
	}
	p->kind = (uint32_t)l->kind;
	p->has_util_range = l->has_util_range;
	p->util_range_lo = l->util_range[0];
	p->util_range_hi = l->util_range[1];
	p->has_cpus_range = l->has_cpus_range;
	p->cpus_range_min = l->cpus_range[0];
	p->cpus_range_max = l->cpus_range[1];
	p->has_cpus_range_frac = l->has_cpus_range_frac;
	p->cpus_range_frac_min = l->cpus_range_frac[0];
	p->cpus_range_frac_max = l->cpus_range_frac[1];
	p->has_membw_gb = l->has_membw_gb;
	p->membw_gb = l->membw_gb;
	p->protected_ = l->protected_;
	p->util_includes_open_cputime = l->util_includes_open_cputime;
	p->idle_confined = l->idle_confined;
	p->min_exec_us = l->min_exec_us;
	p->yield_ignore = l->yield_ignore;
	p->slice_us = l->slice_us;
	p->fifo = l->fifo;
	p->preempt = l->preempt;
	p->preempt_first = l->preempt_first;
	p->exclusive = l->exclusive;
	p->allow_node_aligned = (uint32_t)l->allow_node_aligned;
	p->skip_remote_node = l->skip_remote_node;
	p->prev_over_idle_core = l->prev_over_idle_core;
	p->weight = l->weight;
	p->has_disallow_open_after_us = l->has_disallow_open_after_us;
	p->disallow_open_after_us = l->disallow_open_after_us;
	p->has_disallow_preempt_after_us = l->has_disallow_preempt_after_us;
	p->disallow_preempt_after_us = l->disallow_preempt_after_us;
	p->xllc_mig_min_us = l->xllc_mig_min_us;
	p->idle_smt = (uint32_t)l->idle_smt;
	p->growth_algo = (uint32_t)l->growth_algo;
	p->util_peak_half_life_ms = l->util_peak_half_life_ms;
	p->perf = l->perf;
	p->has_idle_resume_us = l->has_idle_resume_us;
	p->idle_resume_us = l->idle_resume_us;
	p->nodes = l->nodes;
	p->n_nodes = l->nr_nodes;
	p->llcs = l->llcs;
	p->n_llcs = l->nr_llcs;
	p->placement = (uint32_t)l->placement;
	p->member_expire_ms = l->member_expire_ms;
	p->xnuma_threshold_lo = l->xnuma_threshold[0];
	p->xnuma_threshold_hi = l->xnuma_threshold[1];
	p->xnuma_threshold_delta_lo = l->xnuma_threshold_delta[0];
	p->xnuma_threshold_delta_hi = l->xnuma_threshold_delta[1];
	return 0;
}

static void options_to_pb(const struct cfg_options *o, Scxd__V1__Options *p)
{
	scxd__v1__options__init(p);
	p->slice_us = o->slice_us;
	p->max_exec_us = o->max_exec_us;
	p->interval = o->interval;
	p->layer_refresh_ms_avgruntime = o->layer_refresh_ms_avgruntime;
	p->disable_topology = (uint32_t)o->disable_topology;
	p->allow_partial_core = o->allow_partial_core;
	p->lo_fb_wait_us = o->lo_fb_wait_us;
	p->lo_fb_share = o->lo_fb_share;
	p->hi_fb_thread_name = o->hi_fb_thread_name ? o->hi_fb_thread_name : (char *)"";
	p->disable_antistall = o->disable_antistall;
	p->antistall_sec = o->antistall_sec;
	p->disable_queued_wakeup = o->disable_queued_wakeup;
	p->disable_percpu_kthread_preempt = o->disable_percpu_kthread_preempt;
	p->percpu_kthread_preempt_all = o->percpu_kthread_preempt_all;
	p->enable_gpu_support = o->enable_gpu_support;
	p->gpu_kprobe_level = o->gpu_kprobe_level;
	p->netdev_irq_balance = o->netdev_irq_balance;
	p->util_compensation = o->util_compensation;
	p->task_hint_map = o->task_hint_map ? o->task_hint_map : (char *)"";
	p->enable_match_debug = o->enable_match_debug;
	p->gpu_probe_symbols = o->gpu_probe_symbols;
	p->n_gpu_probe_symbols = o->nr_gpu_probe_symbols;
	p->has_virt_llc = o->has_virt_llc;
	p->virt_llc_min = o->virt_llc[0];
	p->virt_llc_max = o->virt_llc[1];
	p->enable_gpu_affinitize = o->enable_gpu_affinitize;
	p->gpu_affinitize_secs = o->gpu_affinitize_secs;
}

/* Frees what pbconv_to_pb allocated; the strings belong to the model. */
void pbconv_pb_free(Scxd__V1__Config *pb)
{
	if (!pb)
		return;
	for (size_t i = 0; i < pb->n_layers; i++) {
		Scxd__V1__Layer *l = pb->layers[i];

		for (size_t j = 0; j < l->n_ors; j++) {
			for (size_t k = 0; k < l->ors[j]->n_matches; k++)
				free(l->ors[j]->matches[k]);
			free(l->ors[j]->matches);
			free(l->ors[j]);
		}
		free(l->ors);
		free(l->template_);
		free(l);
	}
	free(pb->layers);
	free(pb->options);
	free(pb);
}

int pbconv_to_pb(const struct cfg *c, Scxd__V1__Config **ret)
{
	Scxd__V1__Config *pb = calloc(1, sizeof(*pb));
	int r;

	if (!pb)
		return -ENOMEM;
	scxd__v1__config__init(pb);
	pb->object_form = c->object_form;
	pb->options = calloc(1, sizeof(*pb->options));
	pb->layers = calloc(c->nr_layers ? c->nr_layers : 1, sizeof(*pb->layers));
	if (!pb->options || !pb->layers) {
		r = -ENOMEM;
		goto err;
	}
	options_to_pb(&c->opts, pb->options);
	for (size_t i = 0; i < c->nr_layers; i++) {
		Scxd__V1__Layer *l = calloc(1, sizeof(*l));

		if (!l) {
			r = -ENOMEM;
			goto err;
		}
		pb->layers[pb->n_layers++] = l;
		r = layer_to_pb(&c->layers[i], l);
		if (r < 0)
			goto err;
	}
	*ret = pb;
	return 0;
err:
	pbconv_pb_free(pb);
	return r;
}

size_t pbconv_packed_size(const struct cfg *c)
{
	Scxd__V1__Config *pb;
	size_t len;

	if (pbconv_to_pb(c, &pb) < 0)
		return 0;
	len = scxd__v1__config__get_packed_size(pb);
	pbconv_pb_free(pb);
	return len;
}

int pbconv_pack(const struct cfg *c, uint8_t **ret_buf, size_t *ret_len)
{
	Scxd__V1__Config *pb;
	uint8_t *buf;
	size_t len;
	int r;

	r = pbconv_to_pb(c, &pb);
	if (r < 0)
		return r;
	len = scxd__v1__config__get_packed_size(pb);
	buf = malloc(len ? len : 1);
	if (!buf) {
		pbconv_pb_free(pb);
		return -ENOMEM;
	}
	scxd__v1__config__pack(pb, buf);
	pbconv_pb_free(pb);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

/* ------------------------------------------------------------- decode */

struct pdec {
	struct cfg_diags *d;
	bool bad;
	bool nomem;
};

static void bad(struct pdec *x, const char *path, const char *what)
{
	x->bad = true;
	if (cfg_diag_add(x->d, CFG_ERROR, path, "%s", what) < 0)
		x->nomem = true;
}

static char *dup_bytes(struct pdec *x, const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);

	if (!s) {
		x->nomem = true;
		return NULL;
	}
	if (len)
		memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

static char *dup_str(struct pdec *x, const char *path, const char *s)
{
	size_t len = s ? strnlen(s, PB_MAX_STR + 1) : 0;

	if (len > PB_MAX_STR) {
		bad(x, path, "string too long");
		return NULL;
	}
	return dup_bytes(x, (const uint8_t *)(s ? s : ""), len);
}

static void match_from_pb(struct pdec *x, const char *path, const Scxd__V1__Match *p, struct cfg_match *m)
{
	memset(m, 0, sizeof(*m));
	if (!p) {
		bad(x, path, "missing matcher");
		return;
	}
	if (p->kind >= CFG_NR_MATCH_KINDS) {
		bad(x, path, "unknown matcher kind");
		return;
	}
	m->kind = (enum cfg_match_kind)p->kind;
	if (p->str.len > PB_MAX_STR) {
		bad(x, path, "matcher string too long");
		return;
	}
	if (cfg_match_arg(m->kind) == CFG_ARG_STRING) {
		m->str = dup_bytes(x, p->str.data, p->str.len);
		m->len = p->str.len;
	}
	m->i = p->i;
	m->a = p->a;
	m->b = p->b;
	m->f = p->f;
	m->flag = p->flag;
}

static uint64_t *dup_list(struct pdec *x, const char *path, const uint64_t *v, size_t n)
{
	uint64_t *out;

	if (n > PB_MAX_LIST) {
		bad(x, path, "list too long");
		return NULL;
	}
	out = calloc(n ? n : 1, sizeof(*out));
	if (!out) {
		x->nomem = true;
		return NULL;
	}
	if (n)
		memcpy(out, v, n * sizeof(*v));
	return out;
}

static void layer_from_pb(struct pdec *x, const char *base, const Scxd__V1__Layer *p, struct cfg_layer *l)
{
	char path[128];

	cfg_layer_init(l);
	if (p->name.len >= SCX_MAX_LAYER_NAME * 4) {
		snprintf(path, sizeof(path), "%s.name", base);
		bad(x, path, "layer name too long");
		return;
	}
	l->name = dup_bytes(x, p->name.data, p->name.len);
	l->name_len = p->name.len;
	if (p->has_comment) {
		snprintf(path, sizeof(path), "%s.comment", base);
		l->comment = dup_str(x, path, p->comment);
	}
	if (p->has_template) {
		snprintf(path, sizeof(path), "%s.template", base);
		l->has_template = true;
		match_from_pb(x, path, p->template_, &l->template_match);
	}
	snprintf(path, sizeof(path), "%s.matches", base);
	if (p->n_ors > PB_MAX_ORS) {
		bad(x, path, "too many OR blocks");
		return;
	}
	l->ors = calloc(p->n_ors ? p->n_ors : 1, sizeof(*l->ors));
	if (!l->ors) {
		x->nomem = true;
		return;
	}
	l->nr_ors = p->n_ors;
	for (size_t j = 0; j < p->n_ors; j++) {
		const Scxd__V1__AndBlock *a = p->ors[j];

		snprintf(path, sizeof(path), "%s.matches[%zu]", base, j);
		if (!a) {
			bad(x, path, "missing AND block");
			continue;
		}
		if (a->n_matches > PB_MAX_ANDS) {
			bad(x, path, "too many conditions in an AND block");
			continue;
		}
		l->ors[j].m = calloc(a->n_matches ? a->n_matches : 1, sizeof(*l->ors[j].m));
		if (!l->ors[j].m) {
			x->nomem = true;
			return;
		}
		l->ors[j].n = a->n_matches;
		for (size_t k = 0; k < a->n_matches; k++) {
			snprintf(path, sizeof(path), "%s.matches[%zu][%zu]", base, j, k);
			match_from_pb(x, path, a->matches[k], &l->ors[j].m[k]);
		}
	}
	l->kind = (enum cfg_kind)p->kind;
	l->has_util_range = p->has_util_range;
	l->util_range[0] = p->util_range_lo;
	l->util_range[1] = p->util_range_hi;
	l->has_cpus_range = p->has_cpus_range;
	l->cpus_range[0] = p->cpus_range_min;
	l->cpus_range[1] = p->cpus_range_max;
	l->has_cpus_range_frac = p->has_cpus_range_frac;
	l->cpus_range_frac[0] = p->cpus_range_frac_min;
	l->cpus_range_frac[1] = p->cpus_range_frac_max;
	l->has_membw_gb = p->has_membw_gb;
	l->membw_gb = p->membw_gb;
	l->protected_ = p->protected_;
	l->util_includes_open_cputime = p->util_includes_open_cputime;
	l->idle_confined = p->idle_confined;
	l->min_exec_us = p->min_exec_us;
	l->yield_ignore = p->yield_ignore;
	l->slice_us = p->slice_us;
	l->fifo = p->fifo;
	l->preempt = p->preempt;
	l->preempt_first = p->preempt_first;
	l->exclusive = p->exclusive;
	l->allow_node_aligned = p->allow_node_aligned <= CFG_TRUE ? (enum cfg_tristate)p->allow_node_aligned : CFG_UNSET;
	l->skip_remote_node = p->skip_remote_node;
	l->prev_over_idle_core = p->prev_over_idle_core;
	l->weight = p->weight;
	l->has_disallow_open_after_us = p->has_disallow_open_after_us;
	l->disallow_open_after_us = p->disallow_open_after_us;
	l->has_disallow_preempt_after_us = p->has_disallow_preempt_after_us;
	l->disallow_preempt_after_us = p->disallow_preempt_after_us;
	l->xllc_mig_min_us = p->xllc_mig_min_us;
	l->idle_smt = p->idle_smt <= CFG_TRUE ? (enum cfg_tristate)p->idle_smt : CFG_UNSET;
	l->growth_algo = (enum cfg_growth)p->growth_algo;
	l->util_peak_half_life_ms = p->util_peak_half_life_ms;
	l->perf = p->perf;
	l->has_idle_resume_us = p->has_idle_resume_us;
	l->idle_resume_us = p->idle_resume_us;
	snprintf(path, sizeof(path), "%s.nodes", base);
	l->nodes = dup_list(x, path, p->nodes, p->n_nodes);
	l->nr_nodes = l->nodes ? p->n_nodes : 0;
	snprintf(path, sizeof(path), "%s.llcs", base);
	l->llcs = dup_list(x, path, p->llcs, p->n_llcs);
	l->nr_llcs = l->llcs ? p->n_llcs : 0;
	l->placement = (enum cfg_placement)p->placement;
	l->member_expire_ms = p->member_expire_ms;
	l->xnuma_threshold[0] = p->xnuma_threshold_lo;
	l->xnuma_threshold[1] = p->xnuma_threshold_hi;
	l->xnuma_threshold_delta[0] = p->xnuma_threshold_delta_lo;
	l->xnuma_threshold_delta[1] = p->xnuma_threshold_delta_hi;
}

static void options_from_pb(struct pdec *x, const Scxd__V1__Options *p, struct cfg_options *o)
{
	cfg_options_init(o);
	if (!p)
		return; /* absent: the defaults */
	o->slice_us = p->slice_us;
	o->max_exec_us = p->max_exec_us;
	o->interval = p->interval;
	o->layer_refresh_ms_avgruntime = p->layer_refresh_ms_avgruntime;
	o->disable_topology = p->disable_topology <= CFG_TRUE ? (enum cfg_tristate)p->disable_topology : CFG_UNSET;
	o->allow_partial_core = p->allow_partial_core;
	o->lo_fb_wait_us = p->lo_fb_wait_us;
	o->lo_fb_share = p->lo_fb_share;
	o->hi_fb_thread_name = dup_str(x, "$.options.hi_fb_thread_name", p->hi_fb_thread_name);
	o->disable_antistall = p->disable_antistall;
	o->antistall_sec = p->antistall_sec;
	o->disable_queued_wakeup = p->disable_queued_wakeup;
	o->disable_percpu_kthread_preempt = p->disable_percpu_kthread_preempt;
	o->percpu_kthread_preempt_all = p->percpu_kthread_preempt_all;
	o->enable_gpu_support = p->enable_gpu_support;
	o->gpu_kprobe_level = p->gpu_kprobe_level;
	o->netdev_irq_balance = p->netdev_irq_balance;
	o->util_compensation = p->util_compensation;
	o->task_hint_map = dup_str(x, "$.options.task_hint_map", p->task_hint_map);
	o->enable_match_debug = p->enable_match_debug;
	o->has_virt_llc = p->has_virt_llc;
	o->virt_llc[0] = p->virt_llc_min;
	o->virt_llc[1] = p->virt_llc_max;
	o->enable_gpu_affinitize = p->enable_gpu_affinitize;
	if (p->gpu_affinitize_secs)
		o->gpu_affinitize_secs = p->gpu_affinitize_secs;
	if (p->n_gpu_probe_symbols > PB_MAX_SYMBOLS) {
		bad(x, "$.options.gpu_probe_symbols", "too many symbols");
		return;
	}
	o->gpu_probe_symbols = calloc(p->n_gpu_probe_symbols ? p->n_gpu_probe_symbols : 1,
				      sizeof(*o->gpu_probe_symbols));
	if (!o->gpu_probe_symbols) {
		x->nomem = true;
		return;
	}
	for (size_t i = 0; i < p->n_gpu_probe_symbols; i++) {
		char *s = dup_str(x, "$.options.gpu_probe_symbols", p->gpu_probe_symbols[i]);

		if (!s)
			return;
		o->gpu_probe_symbols[o->nr_gpu_probe_symbols++] = s;
	}
}

int pbconv_from_pb(const Scxd__V1__Config *pb, struct cfg **ret_cfg, struct cfg_diags *d)
{
	struct pdec x = { .d = d };
	struct cfg *c;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->object_form = pb->object_form;
	options_from_pb(&x, pb->options, &c->opts);
	if (pb->n_layers > PB_MAX_LAYERS) {
		bad(&x, c->object_form ? "$.layers" : "$", "too many layers");
	} else {
		c->layers = calloc(pb->n_layers ? pb->n_layers : 1, sizeof(*c->layers));
		if (!c->layers) {
			x.nomem = true;
		} else {
			for (size_t i = 0; i < pb->n_layers && !x.nomem; i++) {
				char base[48];

				cfg_layer_path(c, i, base, sizeof(base));
				c->nr_layers++;
				if (pb->layers[i])
					layer_from_pb(&x, base, pb->layers[i], &c->layers[i]);
				else
					bad(&x, base, "missing layer");
			}
		}
	}
	if (x.nomem || x.bad) {
		cfg_free(c);
		return x.nomem ? -ENOMEM : -EINVAL;
	}
	*ret_cfg = c;
	return 0;
}

int pbconv_unpack(const uint8_t *buf, size_t len, struct cfg **ret_cfg, struct cfg_diags *d)
{
	Scxd__V1__Config *pb;
	int r;

	pb = scxd__v1__config__unpack(NULL, len, buf);
	if (!pb) {
		if (cfg_diag_add(d, CFG_ERROR, "$", "not a valid protobuf Config message") < 0)
			return -ENOMEM;
		return -EINVAL;
	}
	r = pbconv_from_pb(pb, ret_cfg, d);
	scxd__v1__config__free_unpacked(pb, NULL);
	return r;
}
