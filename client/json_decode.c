/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parse tree -> model: what only the JSON can tell (CONFIG.md 2-5). Types
 * and the ranges of integer types, required and optional fields, null,
 * externally tagged enums, pairs, unknown keys (warnings, as scx_layered
 * ignores them). Everything about values goes to the validator, which
 * sees only the model.
 *
 * A value that fails to decode is reported here and left at its default;
 * lists and pairs are taken whole or not at all. A matcher that fails
 * keeps its place (as an empty matcher of its kind, or an empty
 * CgroupPrefix when even the kind is unknown) so that the model's indices
 * stay the file's: the validator's paths must point at the right values.
 * json_drop_shadowed() then hides what the validator says about them.
 *
 * Decoding is table driven (struct json_field): json_emit.c prints the
 * model back with the same tables.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/json_int.h"
#include "common/banned.h"

/*
 * Layers decoded at most: 16 are allowed, but the count is still reported
 * right (the validator says "N layers"); past this, a file of a million
 * "{}" would cost a gigabyte of models.
 */
#define JSON_MAX_DECODED_LAYERS 1024

#define K_C   (1u << CFG_KIND_CONFINED)
#define K_G   (1u << CFG_KIND_GROUPED)
#define K_O   (1u << CFG_KIND_OPEN)
#define K_ALL (K_C | K_G | K_O)

#define LF(n, t, kinds)	    { #n, t, offsetof(struct cfg_layer, n), JSON_NO_HAS, kinds }
#define LFH(n, t, h, kinds) { #n, t, offsetof(struct cfg_layer, n), offsetof(struct cfg_layer, h), kinds }

/* In the order of CONFIG.md 4.2-4.4; json_emit.c prints them in this order. */
const struct json_field json_layer_fields[] = {
	LFH(util_range, F_PAIR_F64, has_util_range, K_C | K_G),
	LFH(cpus_range, F_OPT_PAIR_U64, has_cpus_range, K_C | K_G),
	LFH(cpus_range_frac, F_OPT_PAIR_F64, has_cpus_range_frac, K_C | K_G),
	LFH(membw_gb, F_OPT_F64, has_membw_gb, K_C | K_G),
	{ "protected", F_BOOL, offsetof(struct cfg_layer, protected_), JSON_NO_HAS, K_C | K_G },
	LF(util_includes_open_cputime, F_BOOL, K_G),
	LF(idle_confined, F_BOOL, K_G),
	LF(min_exec_us, F_U64, K_ALL),
	LF(yield_ignore, F_F64, K_ALL),
	LF(slice_us, F_U64, K_ALL),
	LF(fifo, F_BOOL, K_ALL),
	LF(preempt, F_BOOL, K_ALL),
	LF(preempt_first, F_BOOL, K_ALL),
	LF(exclusive, F_BOOL, K_ALL),
	LF(allow_node_aligned, F_TRI, K_ALL),
	LF(skip_remote_node, F_BOOL, K_ALL),
	LF(prev_over_idle_core, F_BOOL, K_ALL),
	LF(weight, F_U32, K_ALL),
	LFH(disallow_open_after_us, F_OPT_U64, has_disallow_open_after_us, K_ALL),
	LFH(disallow_preempt_after_us, F_OPT_U64, has_disallow_preempt_after_us, K_ALL),
	LF(xllc_mig_min_us, F_F64, K_ALL),
	LF(idle_smt, F_TRI, K_ALL),
	LF(growth_algo, F_GROWTH, K_ALL),
	LF(util_peak_half_life_ms, F_U64, K_ALL),
	LF(perf, F_U64, K_ALL),
	LFH(idle_resume_us, F_OPT_U32, has_idle_resume_us, K_ALL),
	LFH(nodes, F_U64_LIST, nr_nodes, K_ALL),
	LFH(llcs, F_U64_LIST, nr_llcs, K_ALL),
	LF(placement, F_PLACEMENT, K_ALL),
	LF(member_expire_ms, F_U64, K_ALL),
	LF(xnuma_threshold, F_PAIR_F64, K_ALL),
	LF(xnuma_threshold_delta, F_PAIR_F64, K_ALL),
};
const size_t json_nr_layer_fields = sizeof(json_layer_fields) / sizeof(json_layer_fields[0]);

#define OF(n, t)     { #n, t, offsetof(struct cfg_options, n), JSON_NO_HAS, 0 }
#define OFH(n, t, h) { #n, t, offsetof(struct cfg_options, n), offsetof(struct cfg_options, h), 0 }

/* scx_layered's long flags with '-' -> '_' (CONFIG.md 11), then ours. */
const struct json_field json_option_fields[] = {
	OF(slice_us, F_U64),
	OF(max_exec_us, F_U64),
	OF(interval, F_F64),
	OF(layer_refresh_ms_avgruntime, F_U64),
	OF(disable_topology, F_TRI),
	OFH(virt_llc, F_OPT_PAIR_U64, has_virt_llc),
	OF(allow_partial_core, F_BOOL),
	OF(lo_fb_wait_us, F_U64),
	OF(lo_fb_share, F_F64),
	OF(hi_fb_thread_name, F_STR),
	OF(disable_antistall, F_BOOL),
	OF(antistall_sec, F_U64),
	OF(disable_queued_wakeup, F_BOOL),
	OF(disable_percpu_kthread_preempt, F_BOOL),
	OF(percpu_kthread_preempt_all, F_BOOL),
	OF(enable_gpu_support, F_BOOL),
	OF(gpu_kprobe_level, F_U32),
	OF(enable_gpu_affinitize, F_BOOL),
	OF(gpu_affinitize_secs, F_U64),
	OF(netdev_irq_balance, F_BOOL),
	OF(util_compensation, F_BOOL),
	OF(task_hint_map, F_STR),
	OF(enable_match_debug, F_BOOL),
	OFH(gpu_probe_symbols, F_STR_LIST, nr_gpu_probe_symbols),
};
const size_t json_nr_option_fields = sizeof(json_option_fields) / sizeof(json_option_fields[0]);

/* ------------------------------------------------------------- values */

static const char *type_name(enum json_type t)
{
	static const char *const names[] = { "null", "a boolean", "a number", "a string",
					     "an array", "an object" };

	return (unsigned int)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

static bool expect(struct json_dec *x, const struct json_node *n, enum json_type t,
		   const char *what)
{
	if (n->type == t)
		return true;
	json_report(x, CFG_ERROR, n, NULL, n->off, "expected %s, found %s", what,
		    type_name(n->type));
	return false;
}

/* serde_json reads "-0" as the float -0.0, which no integer field takes. */
static bool is_integer_text(const char *s)
{
	return !strpbrk(s, ".eE") && strcmp(s, "-0") != 0;
}

static bool get_u64(struct json_dec *x, const struct json_node *n, uint64_t max, const char *tname,
		    uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!expect(x, n, JSON_NUMBER, tname))
		return false;
	if (!is_integer_text(n->s)) {
		json_report(x, CFG_ERROR, n, NULL, n->off,
			    "invalid value: %s, expected an integer (%s)", n->s, tname);
		return false;
	}
	if (n->s[0] == '-') {
		json_report(x, CFG_ERROR, n, NULL, n->off, "invalid value: integer %s, expected %s",
			    n->s, tname);
		return false;
	}
	errno = 0;
	v = strtoull(n->s, &end, 10);
	if (errno == ERANGE || *end || v > max) {
		json_report(x, CFG_ERROR, n, NULL, n->off,
			    "invalid value: integer %s does not fit in %s", n->s, tname);
		return false;
	}
	*ret = v;
	return true;
}

static bool get_i64(struct json_dec *x, const struct json_node *n, int64_t min, int64_t max,
		    const char *tname, int64_t *ret)
{
	long long v;
	char *end;

	if (!expect(x, n, JSON_NUMBER, tname))
		return false;
	if (!is_integer_text(n->s)) {
		json_report(x, CFG_ERROR, n, NULL, n->off,
			    "invalid value: %s, expected an integer (%s)", n->s, tname);
		return false;
	}
	errno = 0;
	v = strtoll(n->s, &end, 10);
	if (errno == ERANGE || *end || v < min || v > max) {
		json_report(x, CFG_ERROR, n, NULL, n->off,
			    "invalid value: integer %s does not fit in %s", n->s, tname);
		return false;
	}
	*ret = v;
	return true;
}

static bool get_f64(struct json_dec *x, const struct json_node *n, double *ret)
{
	double v;

	if (!expect(x, n, JSON_NUMBER, "a number (f64)"))
		return false;
	v = strtod(n->s, NULL);
	if (!isfinite(v)) {
		json_report(x, CFG_ERROR, n, NULL, n->off, "number %s is out of range for f64",
			    n->s);
		return false;
	}
	/* -0 is 0: the protobuf form of a config cannot tell them apart, and neither can a range. */
	*ret = v == 0 ? 0.0 : v;
	return true;
}

static bool get_str(struct json_dec *x, const struct json_node *n, char **ret, size_t *ret_len)
{
	char *s;

	if (!expect(x, n, JSON_STRING, "a string"))
		return false;
	s = malloc((size_t)n->len + 1);
	if (!s) {
		x->err = -ENOMEM;
		return false;
	}
	memcpy(s, n->s, n->len);
	s[n->len] = '\0';
	*ret = s;
	if (ret_len)
		*ret_len = n->len;
	return true;
}

/* A string for a field the model keeps as a C string: no NUL inside. */
static bool get_cstr(struct json_dec *x, const struct json_node *n, char **ret)
{
	if (n->type == JSON_STRING && memchr(n->s, '\0', n->len)) {
		json_report(x, CFG_ERROR, n, NULL, n->off, "the string contains a NUL character");
		return false;
	}
	return get_str(x, n, ret, NULL);
}

/* A pair: an array of exactly 2 elements. */
static bool get_pair(struct json_dec *x, const struct json_node *n)
{
	if (!expect(x, n, JSON_ARRAY, "an array of 2 elements"))
		return false;
	if (n->n != 2) {
		json_report(x, CFG_ERROR, n, NULL, n->off,
			    "invalid length %u, expected an array of 2 elements", n->n);
		return false;
	}
	return true;
}

/* The first member of object o with that key (duplicates were reported). */
static const struct json_node *member(const struct json_node *o, const char *key)
{
	size_t len = strlen(key);

	for (const struct json_node *m = o->first; m; m = m->next)
		if (!m->dup && m->keylen == len && memcmp(m->key, key, len) == 0)
			return m;
	return NULL;
}

static bool key_is(const struct json_node *m, const char *name)
{
	return m->keylen && m->key[0] == name[0] && strlen(name) == m->keylen &&
	       memcmp(m->key, name, m->keylen) == 0;
}

static int match_kind(const struct json_node *m)
{
	for (int k = 0; k < CFG_NR_MATCH_KINDS; k++)
		if (key_is(m, cfg_match_name((enum cfg_match_kind)k)))
			return k;
	return -1;
}

/*
 * A variant without data: "Sticky", or {"Sticky": null} as serde also
 * takes. Returns the node that names it, or NULL (reported).
 */
static const struct json_node *unit_variant(struct json_dec *x, const struct json_node *n,
					    const char **ret_name, size_t *ret_len)
{
	if (n->type == JSON_STRING) {
		*ret_name = n->s;
		*ret_len = n->len;
		return n;
	}
	if (n->type == JSON_OBJECT && n->n == 1 && n->first->type == JSON_NULL) {
		*ret_name = n->first->key;
		*ret_len = n->first->keylen;
		return n->first;
	}
	if (n->type == JSON_OBJECT && n->n == 1) {
		char key[128];

		json_report(x, CFG_ERROR, n, NULL, n->first->off,
			    "variant `%s` takes no value: write \"%s\"",
			    json_key_text(key, sizeof(key), n->first->key, n->first->keylen), key);
		return NULL;
	}
	json_report(x, CFG_ERROR, n, NULL, n->off, "expected a string (a variant name), found %s",
		    type_name(n->type));
	return NULL;
}

static void decode_variant(struct json_dec *x, void *p, enum json_ftype t,
			   const struct json_node *n)
{
	size_t count = t == F_GROWTH ? CFG_NR_GROWTH : CFG_NR_PLACEMENTS;
	const struct json_node *at;
	const char *name;
	char names[512] = "", shown[128];
	size_t len, pos = 0;

	at = unit_variant(x, n, &name, &len);
	if (!at)
		return;
	for (size_t i = 0; i < count; i++) {
		const char *s = t == F_GROWTH ? cfg_growth_name((enum cfg_growth)i) :
						cfg_placement_name((enum cfg_placement)i);

		if (strlen(s) == len && memcmp(s, name, len) == 0) {
			if (t == F_GROWTH)
				*(enum cfg_growth *)p = (enum cfg_growth)i;
			else
				*(enum cfg_placement *)p = (enum cfg_placement)i;
			return;
		}
		if (pos < sizeof(names))
			pos += (size_t)snprintf(names + pos, sizeof(names) - pos, "%s`%s`",
						i ? ", " : "", s);
	}
	json_report(x, CFG_ERROR, n, NULL, at != n ? at->keyoff : n->off,
		    "unknown variant `%s`, expected one of %s",
		    json_key_text(shown, sizeof(shown), name, len), names);
}

static void set_has(void *base, const struct json_field *f)
{
	if (f->has_off != JSON_NO_HAS)
		*(bool *)((char *)base + f->has_off) = true;
}

static bool is_optional(enum json_ftype t)
{
	return t == F_TRI || t == F_OPT_U64 || t == F_OPT_U32 || t == F_OPT_F64 ||
	       t == F_OPT_PAIR_F64 || t == F_OPT_PAIR_U64;
}

static void decode_list(struct json_dec *x, void *base, const struct json_field *f,
			const struct json_node *n)
{
	size_t *count = (size_t *)((char *)base + f->has_off);
	void **slot = (void **)((char *)base + f->off);
	size_t k = 0;
	bool ok = true;

	if (!expect(x, n, JSON_ARRAY,
		    f->type == F_U64_LIST ? "an array of integers" : "an array of strings"))
		return;
	if (f->type == F_U64_LIST) {
		uint64_t *v = calloc(n->n ? n->n : 1, sizeof(*v));

		if (!v) {
			x->err = -ENOMEM;
			return;
		}
		for (const struct json_node *e = n->first; e; e = e->next)
			ok = get_u64(x, e, UINT64_MAX, "usize", &v[k++]) && ok;
		if (!ok) {
			free(v);
			return;
		}
		free(*slot);
		*slot = v;
	} else {
		char **v = calloc(n->n ? n->n : 1, sizeof(*v));

		if (!v) {
			x->err = -ENOMEM;
			return;
		}
		for (const struct json_node *e = n->first; e; e = e->next)
			ok = get_cstr(x, e, &v[k++]) && ok;
		if (!ok) {
			for (size_t i = 0; i < k; i++)
				free(v[i]);
			free(v);
			return;
		}
		for (size_t i = 0; i < *count; i++)
			free(((char **)*slot)[i]);
		free(*slot);
		*slot = v;
	}
	*count = n->n;
}

static void decode_field(struct json_dec *x, void *base, const struct json_field *f,
			 const struct json_node *n)
{
	void *p = (char *)base + f->off;
	uint64_t u;
	double dv;

	if (n->type == JSON_NULL) {
		/* util_range: required in Confined and Grouped, no default to fall back on. */
		if (f->type == F_PAIR_F64 && f->has_off != JSON_NO_HAS)
			json_report(x, CFG_ERROR, n, NULL, n->off,
				    "invalid type: null, %s is required", f->name);
		else if (!is_optional(f->type))
			json_report(x, CFG_ERROR, n, NULL, n->off,
				    "invalid type: null, %s may be left out but not null", f->name);
		return;
	}
	switch (f->type) {
	case F_U64:
	case F_OPT_U64:
		if (get_u64(x, n, UINT64_MAX, "u64", &u)) {
			*(uint64_t *)p = u;
			set_has(base, f);
		}
		break;
	case F_U32:
	case F_OPT_U32:
		if (get_u64(x, n, UINT32_MAX, "u32", &u)) {
			*(uint32_t *)p = (uint32_t)u;
			set_has(base, f);
		}
		break;
	case F_F64:
	case F_OPT_F64:
		if (get_f64(x, n, &dv)) {
			*(double *)p = dv;
			set_has(base, f);
		}
		break;
	case F_BOOL:
	case F_TRI:
		if (expect(x, n, JSON_BOOL, "a boolean")) {
			if (f->type == F_BOOL)
				*(bool *)p = n->b;
			else
				*(enum cfg_tristate *)p = n->b ? CFG_TRUE : CFG_FALSE;
		}
		break;
	case F_PAIR_F64:
	case F_OPT_PAIR_F64:
		if (get_pair(x, n)) {
			double a = 0, b = 0;
			bool ok = get_f64(x, n->first, &a);

			ok = get_f64(x, n->first->next, &b) && ok;
			if (ok) {
				((double *)p)[0] = a;
				((double *)p)[1] = b;
				set_has(base, f);
			}
		}
		break;
	case F_OPT_PAIR_U64:
		if (get_pair(x, n)) {
			uint64_t a = 0, b = 0;
			bool ok = get_u64(x, n->first, UINT64_MAX, "usize", &a);

			ok = get_u64(x, n->first->next, UINT64_MAX, "usize", &b) && ok;
			if (ok) {
				((uint64_t *)p)[0] = a;
				((uint64_t *)p)[1] = b;
				set_has(base, f);
			}
		}
		break;
	case F_U64_LIST:
	case F_STR_LIST:
		decode_list(x, base, f, n);
		break;
	case F_GROWTH:
	case F_PLACEMENT:
		decode_variant(x, p, f->type, n);
		break;
	case F_STR: {
		char *s;

		if (get_cstr(x, n, &s)) {
			free(*(char **)p);
			*(char **)p = s;
		}
		break;
	}
	}
}

static const struct json_field *find_field(const struct json_field *tab, size_t n,
					   const struct json_node *m)
{
	for (size_t i = 0; i < n; i++)
		if (key_is(m, tab[i].name))
			return &tab[i];
	return NULL;
}

/*
 * The members of object o into base, by table. Keys not in the table (or
 * there for another kind) are warnings: scx_layered ignores them, and
 * some of its examples rely on that.
 */
static void decode_fields(struct json_dec *x, const struct json_node *o, void *base,
			  const struct json_field *tab, size_t ntab, unsigned int kind_bit,
			  const char *where)
{
	for (const struct json_node *m = o->first; m; m = m->next) {
		const struct json_field *f;
		char key[128];

		if (m->dup)
			continue;
		f = find_field(tab, ntab, m);
		if (!f || (kind_bit && !(f->kinds & kind_bit)))
			json_report(x, CFG_WARNING, m, NULL, m->keyoff,
				    "unknown key `%s` in %s is ignored%s",
				    json_key_text(key, sizeof(key), m->key, m->keylen), where,
				    f ? " (it belongs to another layer kind)" : "");
		else
			decode_field(x, base, f, m);
	}
}

/* ------------------------------------------------------------- layers */

/* {"Name": arg}: exactly one key. On failure m is an empty matcher (of its kind if known). */
static bool decode_match(struct json_dec *x, const struct json_node *n, struct cfg_match *m)
{
	const struct json_node *a;
	char names[1024] = "", key[128];
	size_t pos = 0;
	bool ok = true;
	uint64_t u;
	int k;

	memset(m, 0, sizeof(*m));
	m->kind = CFG_M_CGROUP_PREFIX;
	if (!expect(x, n, JSON_OBJECT, "a matcher object like {\"CommPrefix\": \"x\"}"))
		return false;
	if (n->n != 1) {
		json_report(x, CFG_ERROR, n, NULL, n->off,
			    "a matcher object has exactly one key, found %u", n->n);
		return false;
	}
	a = n->first;
	k = match_kind(a);
	if (k < 0) {
		for (int i = 0; i < CFG_NR_MATCH_KINDS && pos < sizeof(names); i++)
			pos += (size_t)snprintf(names + pos, sizeof(names) - pos, "%s`%s`",
						i ? ", " : "",
						cfg_match_name((enum cfg_match_kind)i));
		json_report(x, CFG_ERROR, n, NULL, a->keyoff,
			    "unknown variant `%s`, expected one of %s",
			    json_key_text(key, sizeof(key), a->key, a->keylen), names);
		return false;
	}
	m->kind = (enum cfg_match_kind)k;
	switch (cfg_match_arg(m->kind)) {
	case CFG_ARG_STRING:
		ok = get_str(x, a, &m->str, &m->len);
		break;
	case CFG_ARG_I32:
		ok = get_i64(x, a, INT32_MIN, INT32_MAX, "i32", &m->i);
		break;
	case CFG_ARG_U32:
		ok = get_u64(x, a, UINT32_MAX, "u32", &u);
		m->i = ok ? (int64_t)u : 0;
		break;
	case CFG_ARG_U64:
		/* HintEquals: u64 in JSON; the validator checks 0..1024. */
		ok = get_u64(x, a, UINT64_MAX, "u64", &u);
		m->i = !ok ? 0 : u > INT64_MAX ? INT64_MAX : (int64_t)u;
		break;
	case CFG_ARG_BOOL:
		ok = expect(x, a, JSON_BOOL, "a boolean");
		m->flag = ok && a->b;
		break;
	case CFG_ARG_F64:
		ok = get_f64(x, a, &m->f);
		break;
	case CFG_ARG_U64_PAIR:
	case CFG_ARG_U64_U32_PAIR:
		ok = get_pair(x, a);
		if (ok) {
			bool pid32 = cfg_match_arg(m->kind) == CFG_ARG_U64_U32_PAIR;
			uint64_t lo = 0, hi = 0;

			ok = get_u64(x, a->first, UINT64_MAX, "u64", &lo);
			ok = get_u64(x, a->first->next, pid32 ? UINT32_MAX : UINT64_MAX,
				     pid32 ? "u32" : "u64", &hi) &&
			     ok;
			if (ok) {
				m->a = lo;
				m->b = hi;
			}
		}
		break;
	}
	return ok;
}

/* decode_match(), and a failed string matcher still holds "" (so the model prints and packs). */
static bool decode_match_slot(struct json_dec *x, const struct json_node *n, struct cfg_match *m)
{
	bool ok = decode_match(x, n, m);

	if (!ok && cfg_match_arg(m->kind) == CFG_ARG_STRING && !m->str) {
		m->str = calloc(1, 1);
		m->len = 0;
		if (!m->str)
			x->err = -ENOMEM;
	}
	return ok;
}

static void decode_matches(struct json_dec *x, const struct json_node *n, struct cfg_layer *l)
{
	size_t j = 0;

	if (!expect(x, n, JSON_ARRAY, "an array of arrays of matchers"))
		return;
	l->ors = calloc(n->n ? n->n : 1, sizeof(*l->ors));
	if (!l->ors) {
		x->err = -ENOMEM;
		return;
	}
	l->nr_ors = n->n;
	for (const struct json_node *and = n->first; and; and = and->next, j++) {
		struct cfg_and *a = &l->ors[j];

		if (!expect(x, and, JSON_ARRAY, "an array of matchers"))
			continue;
		a->m = calloc(and->n ? and->n : 1, sizeof(*a->m));
		if (!a->m) {
			x->err = -ENOMEM;
			return;
		}
		for (const struct json_node *e = and->first; e && !x->err; e = e->next)
			(void)decode_match_slot(x, e, &a->m[a->n++]);
	}
}

static void decode_kind(struct json_dec *x, const struct json_node *n, struct cfg_layer *l)
{
	const struct json_node *body;
	char key[128];
	int k;

	if (!expect(x, n, JSON_OBJECT, "a layer kind like {\"Open\": {}}"))
		return;
	if (n->n != 1) {
		json_report(
			x, CFG_ERROR, n, NULL, n->off,
			"a layer kind has exactly one key (Confined, Grouped or Open), found %u",
			n->n);
		return;
	}
	body = n->first;
	for (k = 0; k < CFG_NR_KINDS; k++)
		if (key_is(body, cfg_kind_name((enum cfg_kind)k)))
			break;
	if (k == CFG_NR_KINDS) {
		json_report(x, CFG_ERROR, n, NULL, body->keyoff,
			    "unknown variant `%s`, expected one of `Confined`, `Grouped`, `Open`",
			    json_key_text(key, sizeof(key), body->key, body->keylen));
		return;
	}
	l->kind = (enum cfg_kind)k;
	if (expect(x, body, JSON_OBJECT, "an object with the layer's fields"))
		decode_fields(x, body, l, json_layer_fields, json_nr_layer_fields, 1u << k,
			      cfg_kind_name((enum cfg_kind)k));
}

static void decode_layer(struct json_dec *x, const struct json_node *n, struct cfg_layer *l)
{
	static const char *const known[] = { "name", "comment", "template", "matches", "kind" };
	const struct json_node *v;
	char key[128];

	if (!expect(x, n, JSON_OBJECT, "a layer object"))
		return;
	for (const struct json_node *m = n->first; m; m = m->next) {
		bool ok = m->dup;

		for (size_t k = 0; !ok && k < sizeof(known) / sizeof(known[0]); k++)
			ok = key_is(m, known[k]);
		if (!ok)
			json_report(x, CFG_WARNING, m, NULL, m->keyoff,
				    "unknown key `%s` in a layer is ignored",
				    json_key_text(key, sizeof(key), m->key, m->keylen));
	}
	if ((v = member(n, "name")))
		(void)get_str(x, v, &l->name, &l->name_len);
	else
		json_report(x, CFG_ERROR, n, "name", n->off, "missing field `name`");
	if ((v = member(n, "comment")) && v->type != JSON_NULL)
		(void)get_cstr(x, v, &l->comment);
	if ((v = member(n, "template")) && v->type != JSON_NULL) {
		l->has_template = decode_match(x, v, &l->template_match);
		if (!l->has_template) {
			free(l->template_match.str);
			memset(&l->template_match, 0, sizeof(l->template_match));
		}
	}
	if ((v = member(n, "matches")))
		decode_matches(x, v, l);
	else
		json_report(x, CFG_ERROR, n, "matches", n->off, "missing field `matches`");
	if ((v = member(n, "kind")))
		decode_kind(x, v, l);
	else
		json_report(x, CFG_ERROR, n, "kind", n->off, "missing field `kind`");
}

static void decode_layers(struct json_dec *x, const struct json_node *n, struct cfg *c)
{
	size_t i = 0;

	if (!expect(x, n, JSON_ARRAY, "an array of layer specs"))
		return;
	if (n->n > JSON_MAX_DECODED_LAYERS) {
		json_report(x, CFG_ERROR, n, NULL, n->off, "%u layers; at most %d", n->n,
			    SCX_MAX_LAYERS);
		return;
	}
	c->layers = calloc(n->n ? n->n : 1, sizeof(*c->layers));
	if (!c->layers) {
		x->err = -ENOMEM;
		return;
	}
	for (const struct json_node *e = n->first; e && !x->err; e = e->next, i++) {
		cfg_layer_init(&c->layers[i]);
		c->nr_layers++;
		decode_layer(x, e, &c->layers[i]);
	}
}

void json_decode_config(struct json_dec *x, const struct json_node *root, struct cfg *c)
{
	const struct json_node *v;
	char key[128];

	if (root->type == JSON_ARRAY) {
		decode_layers(x, root, c);
		return;
	}
	if (root->type != JSON_OBJECT) {
		json_report(
			x, CFG_ERROR, root, NULL, root->off,
			"expected an array of layer specs or an object with \"layers\", found %s",
			type_name(root->type));
		return;
	}
	c->object_form = true;
	for (const struct json_node *m = root->first; m; m = m->next)
		if (!m->dup && !key_is(m, "options") && !key_is(m, "layers"))
			json_report(x, CFG_WARNING, m, NULL, m->keyoff,
				    "unknown key `%s` at the top is ignored",
				    json_key_text(key, sizeof(key), m->key, m->keylen));
	if ((v = member(root, "options")) && expect(x, v, JSON_OBJECT, "an object of options"))
		decode_fields(x, v, &c->opts, json_option_fields, json_nr_option_fields, 0,
			      "options");
	if ((v = member(root, "layers")))
		decode_layers(x, v, c);
	else
		json_report(x, CFG_ERROR, root, "layers", root->off,
			    "missing field `layers` (a lone layer spec must be put in an array)");
}
