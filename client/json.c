/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON <-> configuration model.
 *
 * Why yajl: the validator reports problems by JSON path, and every one of
 * them must be shown as FILE:LINE:COL, so we need the position of every
 * value, not only of syntax errors. jansson and json-c build a tree but
 * keep no positions; jsmn keeps offsets but accepts invalid JSON. yajl is a
 * strict RFC 8259 streaming parser (no comments, no trailing commas or
 * garbage, UTF-8 checked, NaN/Infinity refused) that tells how many bytes
 * it has consumed at each callback: from that we build a small tree whose
 * nodes carry the offset of their first byte. Numbers arrive as raw text
 * (yajl_number), so integer fields can refuse 1.0 and 1e3 and check their
 * range exactly. Duplicate keys are kept in the tree and reported by the
 * decoder, which knows their path.
 *
 * Decoding is table driven (struct field): the same tables print the model
 * back as JSON for `scxctl get-config`, so the two directions cannot drift.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "client/json.h"
#include "common/banned.h"

#define JSON_MAX_DEPTH 64

enum jtype {
	J_NULL,
	J_BOOL,
	J_NUM,
	J_STR,
	J_ARR,
	J_OBJ,
};

struct jnode {
	enum jtype t;
	size_t off;              /* offset of the value's first byte */
	char *s;                 /* J_STR: decoded bytes; J_NUM: raw text */
	size_t len;
	bool b;
	struct jnode **kids;     /* J_ARR, J_OBJ */
	char **keys;             /* J_OBJ */
	size_t *keylens;
	size_t *keyoffs;
	size_t n, cap;
};

static void jnode_free(struct jnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		jnode_free(n->kids[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->kids);
	free(n->keys);
	free(n->keylens);
	free(n->keyoffs);
	free(n->s);
	free(n);
}

/* ------------------------------------------------------------- tree build */

struct jbuild {
	yajl_handle h;
	const char *text;
	size_t len;
	struct jnode *root;
	struct jnode *stack[JSON_MAX_DEPTH];
	int depth;
	char *key;
	size_t keylen, keyoff;
	bool too_deep;
	bool nomem;
};

static size_t consumed(struct jbuild *b)
{
	return yajl_get_bytes_consumed(b->h);
}

/* The opening quote of the string token that ends just before `end`. */
static size_t string_start(const char *text, size_t end)
{
	size_t q = end >= 2 ? end - 2 : 0;

	for (; q > 0; q--) {
		size_t bs = 0;

		if (text[q] != '"')
			continue;
		while (bs < q && text[q - 1 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			break;
	}
	return q;
}

static int attach(struct jbuild *b, struct jnode *n)
{
	struct jnode *p;

	if (!n) {
		b->nomem = true;
		return 0;
	}
	if (b->depth == 0) {
		b->root = n;
		return 1;
	}
	p = b->stack[b->depth - 1];
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;
		struct jnode **kids = realloc(p->kids, cap * sizeof(*kids));

		if (!kids)
			goto nomem;
		p->kids = kids;
		if (p->t == J_OBJ) {
			char **keys = realloc(p->keys, cap * sizeof(*keys));
			size_t *lens, *offs;

			if (!keys)
				goto nomem;
			p->keys = keys;
			lens = realloc(p->keylens, cap * sizeof(*lens));
			if (!lens)
				goto nomem;
			p->keylens = lens;
			offs = realloc(p->keyoffs, cap * sizeof(*offs));
			if (!offs)
				goto nomem;
			p->keyoffs = offs;
		}
		p->cap = cap;
	}
	if (p->t == J_OBJ) {
		p->keys[p->n] = b->key;
		p->keylens[p->n] = b->keylen;
		p->keyoffs[p->n] = b->keyoff;
		b->key = NULL;
	}
	p->kids[p->n++] = n;
	return 1;
nomem:
	jnode_free(n);
	b->nomem = true;
	return 0;
}

static struct jnode *node(enum jtype t, size_t off)
{
	struct jnode *n = calloc(1, sizeof(*n));

	if (n) {
		n->t = t;
		n->off = off;
	}
	return n;
}

static int cb_null(void *ctx)
{
	struct jbuild *b = ctx;

	return attach(b, node(J_NULL, consumed(b) - 4));
}

static int cb_bool(void *ctx, int v)
{
	struct jbuild *b = ctx;
	struct jnode *n = node(J_BOOL, consumed(b) - (v ? 4 : 5));

	if (n)
		n->b = v;
	return attach(b, n);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	struct jbuild *b = ctx;
	size_t end = consumed(b);
	struct jnode *n = node(J_NUM, end >= len ? end - len : 0);

	if (n) {
		n->s = strndup(s, len);
		n->len = len;
		if (!n->s) {
			free(n);
			n = NULL;
		}
	}
	return attach(b, n);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct jbuild *b = ctx;
	struct jnode *n = node(J_STR, string_start(b->text, consumed(b)));

	if (n) {
		n->s = malloc(len + 1);
		if (!n->s) {
			free(n);
			n = NULL;
		} else {
			memcpy(n->s, s, len);
			n->s[len] = '\0';
			n->len = len;
		}
	}
	return attach(b, n);
}

static int open_container(struct jbuild *b, enum jtype t)
{
	struct jnode *n;

	if (b->depth == JSON_MAX_DEPTH) {
		b->too_deep = true;
		return 0;
	}
	n = node(t, consumed(b) - 1);
	if (!attach(b, n))
		return 0;
	b->stack[b->depth++] = n;
	return 1;
}

static int cb_start_map(void *ctx)
{
	return open_container(ctx, J_OBJ);
}

static int cb_start_array(void *ctx)
{
	return open_container(ctx, J_ARR);
}

static int cb_end(void *ctx)
{
	struct jbuild *b = ctx;

	b->depth--;
	return 1;
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct jbuild *b = ctx;

	free(b->key);
	b->key = malloc(len + 1);
	if (!b->key) {
		b->nomem = true;
		return 0;
	}
	memcpy(b->key, s, len);
	b->key[len] = '\0';
	b->keylen = len;
	b->keyoff = string_start(b->text, consumed(b));
	return 1;
}

static const yajl_callbacks callbacks = {
	.yajl_null = cb_null,
	.yajl_boolean = cb_bool,
	.yajl_number = cb_number,
	.yajl_string = cb_string,
	.yajl_start_map = cb_start_map,
	.yajl_map_key = cb_map_key,
	.yajl_end_map = cb_end,
	.yajl_start_array = cb_start_array,
	.yajl_end_array = cb_end,
};

/* ------------------------------------------------------------- decoding */

struct dec {
	struct cfg_diags *d;
	struct json_posmap *pm;
	char path[1024];
	size_t plen;
	int err;                /* -ENOMEM */
};

static size_t push(struct dec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t push(struct dec *x, const char *fmt, ...)
{
	size_t old = x->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(x->path + x->plen, sizeof(x->path) - x->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		x->plen = x->plen + (size_t)n < sizeof(x->path) ? x->plen + (size_t)n : sizeof(x->path) - 1;
	return old;
}

static void pop(struct dec *x, size_t old)
{
	x->plen = old;
	x->path[old] = '\0';
}

static void mark(struct dec *x, size_t off)
{
	struct json_posmap *pm = x->pm;
	size_t need = x->plen + 1;

	if (!pm)
		return;
	/* The decoder often marks a value twice in a row (type check, then use). */
	if (pm->n && pm->v[pm->n - 1].off == off &&
	    strcmp(pm->arena + pm->v[pm->n - 1].path, x->path) == 0)
		return;
	if (pm->n == pm->cap) {
		size_t cap = pm->cap ? pm->cap * 2 : 256;
		struct json_pos *v = realloc(pm->v, cap * sizeof(*v));

		if (!v) {
			x->err = -ENOMEM;
			return;
		}
		pm->v = v;
		pm->cap = cap;
	}
	/* Paths live in one arena: a record costs no allocation of its own. */
	if (pm->arena_len + need > pm->arena_cap) {
		size_t cap = pm->arena_cap ? pm->arena_cap * 2 : 16384;
		char *a;

		while (cap < pm->arena_len + need)
			cap *= 2;
		a = realloc(pm->arena, cap);
		if (!a) {
			x->err = -ENOMEM;
			return;
		}
		pm->arena = a;
		pm->arena_cap = cap;
	}
	memcpy(pm->arena + pm->arena_len, x->path, need);
	pm->v[pm->n].path = pm->arena_len;
	pm->v[pm->n].off = off;
	pm->arena_len += need;
	pm->n++;
}

/* The parser knows exactly where its problems are: keep the offset with the diag. */
static void note_diag_offset(struct dec *x, size_t off)
{
	struct json_posmap *pm = x->pm;
	size_t i = x->d->n - 1;

	if (!pm)
		return;
	if (i >= pm->n_diag_off) {
		size_t n = (i + 1) * 2;
		size_t *v = realloc(pm->diag_off, n * sizeof(*v));

		if (!v) {
			x->err = -ENOMEM;
			return;
		}
		memset(v + pm->n_diag_off, 0, (n - pm->n_diag_off) * sizeof(*v));
		pm->diag_off = v;
		pm->n_diag_off = n;
	}
	pm->diag_off[i] = off + 1;
}

static void report(struct dec *x, enum cfg_severity sev, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void report(struct dec *x, enum cfg_severity sev, size_t off, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mark(x, off);
	if (cfg_diag_add(x->d, sev, x->path, "%s", msg) < 0) {
		x->err = -ENOMEM;
		return;
	}
	note_diag_offset(x, off);
}

static const char *type_name(enum jtype t)
{
	static const char *const names[] = { "null", "a boolean", "a number", "a string", "an array",
					     "an object" };

	return names[t];
}

static bool expect(struct dec *x, const struct jnode *n, enum jtype t, const char *what)
{
	mark(x, n->off);
	if (n->t == t)
		return true;
	report(x, CFG_ERROR, n->off, "expected %s, found %s", what, type_name(n->t));
	return false;
}

static bool is_integer_text(const char *s)
{
	return !strpbrk(s, ".eE");
}

static bool get_u64(struct dec *x, const struct jnode *n, uint64_t max, const char *tname, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!expect(x, n, J_NUM, tname))
		return false;
	if (!is_integer_text(n->s)) {
		report(x, CFG_ERROR, n->off, "invalid value: %s, expected an integer (%s)", n->s, tname);
		return false;
	}
	if (n->s[0] == '-') {
		report(x, CFG_ERROR, n->off, "invalid value: integer %s, expected %s", n->s, tname);
		return false;
	}
	errno = 0;
	v = strtoull(n->s, &end, 10);
	if (errno == ERANGE || *end || v > max) {
		report(x, CFG_ERROR, n->off, "invalid value: integer %s does not fit in %s", n->s, tname);
		return false;
	}
	*ret = v;
	return true;
}

static bool get_i64(struct dec *x, const struct jnode *n, int64_t min, int64_t max, const char *tname,
		    int64_t *ret)
{
	long long v;
	char *end;

	if (!expect(x, n, J_NUM, tname))
		return false;
	if (!is_integer_text(n->s)) {
		report(x, CFG_ERROR, n->off, "invalid value: %s, expected an integer (%s)", n->s, tname);
		return false;
	}
	errno = 0;
	v = strtoll(n->s, &end, 10);
	if (errno == ERANGE || *end || v < min || v > max) {
		report(x, CFG_ERROR, n->off, "invalid value: integer %s does not fit in %s", n->s, tname);
		return false;
	}
	*ret = v;
	return true;
}

static bool get_f64(struct dec *x, const struct jnode *n, double *ret)
{
	double v;

	if (!expect(x, n, J_NUM, "a number (f64)"))
		return false;
	errno = 0;
	v = strtod(n->s, NULL);
	if (!isfinite(v)) {
		report(x, CFG_ERROR, n->off, "number %s is out of range for f64", n->s);
		return false;
	}
	*ret = v;
	return true;
}

static bool get_str(struct dec *x, const struct jnode *n, char **ret, size_t *ret_len)
{
	char *s;

	if (!expect(x, n, J_STR, "a string"))
		return false;
	s = malloc(n->len + 1);
	if (!s) {
		x->err = -ENOMEM;
		return false;
	}
	memcpy(s, n->s, n->len + 1);
	*ret = s;
	if (ret_len)
		*ret_len = n->len;
	return true;
}

/* A pair: an array of exactly 2 elements. */
static bool get_pair(struct dec *x, const struct jnode *n)
{
	if (!expect(x, n, J_ARR, "an array of 2 elements"))
		return false;
	if (n->n != 2) {
		report(x, CFG_ERROR, n->off, "invalid length %zu, expected an array of 2 elements", n->n);
		return false;
	}
	return true;
}

/* Report duplicate keys of an object (every level the decoder visits). */
static void check_duplicates(struct dec *x, const struct jnode *o)
{
	for (size_t i = 1; i < o->n; i++)
		for (size_t j = 0; j < i; j++)
			if (o->keylens[i] == o->keylens[j] && memcmp(o->keys[i], o->keys[j], o->keylens[i]) == 0) {
				size_t old = push(x, ".%s", o->keys[i]);

				report(x, CFG_ERROR, o->keyoffs[i], "duplicate field `%s`", o->keys[i]);
				pop(x, old);
				break;
			}
}

/* The value of key in object o, or NULL. */
static const struct jnode *lookup(const struct jnode *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->keys[i], key) == 0)
			return o->kids[i];
	return NULL;
}

/* ------------------------------------------------------------- fields */

enum ftype {
	F_U64,
	F_U32,
	F_F64,
	F_BOOL,
	F_TRI,          /* optional bool: null or absent = unset */
	F_OPT_U64,
	F_OPT_U32,
	F_OPT_F64,
	F_PAIR_F64,     /* has_off (if any) marks presence; null refused */
	F_OPT_PAIR_F64,
	F_OPT_PAIR_U64,
	F_U64_LIST,     /* has_off: the count */
	F_GROWTH,
	F_PLACEMENT,
	F_STR,
	F_STR_LIST,     /* has_off: the count */
};

#define NO_HAS	 ((size_t)-1)
#define K_C	 (1u << CFG_KIND_CONFINED)
#define K_G	 (1u << CFG_KIND_GROUPED)
#define K_O	 (1u << CFG_KIND_OPEN)
#define K_ALL	 (K_C | K_G | K_O)

struct field {
	const char *name;
	enum ftype t;
	size_t off;
	size_t has_off;
	unsigned int kinds;
};

#define LF(n, t, kinds)	       { #n, t, offsetof(struct cfg_layer, n), NO_HAS, kinds }
#define LFH(n, t, h, kinds)    { #n, t, offsetof(struct cfg_layer, n), offsetof(struct cfg_layer, h), kinds }

static const struct field layer_fields[] = {
	LFH(util_range, F_PAIR_F64, has_util_range, K_C | K_G),
	LFH(cpus_range, F_OPT_PAIR_U64, has_cpus_range, K_C | K_G),
	LFH(cpus_range_frac, F_OPT_PAIR_F64, has_cpus_range_frac, K_C | K_G),
	LFH(membw_gb, F_OPT_F64, has_membw_gb, K_C | K_G),
	{ "protected", F_BOOL, offsetof(struct cfg_layer, protected_), NO_HAS, K_C | K_G },
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

#define OF(n, t)     { #n, t, offsetof(struct cfg_options, n), NO_HAS, 0 }
#define OFH(n, t, h) { #n, t, offsetof(struct cfg_options, n), offsetof(struct cfg_options, h), 0 }

static const struct field option_fields[] = {
	OF(slice_us, F_U64),
	OF(max_exec_us, F_U64),
	OF(interval, F_F64),
	OF(layer_refresh_ms_avgruntime, F_U64),
	OF(disable_topology, F_TRI),
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
	OF(netdev_irq_balance, F_BOOL),
	OF(util_compensation, F_BOOL),
	OF(task_hint_map, F_STR),
	OF(enable_match_debug, F_BOOL),
	OFH(gpu_probe_symbols, F_STR_LIST, nr_gpu_probe_symbols),
};

static const struct field *find_field(const struct field *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

static bool is_optional(enum ftype t)
{
	return t == F_TRI || t == F_OPT_U64 || t == F_OPT_U32 || t == F_OPT_F64 ||
	       t == F_OPT_PAIR_F64 || t == F_OPT_PAIR_U64;
}

static void set_has(void *base, const struct field *f)
{
	if (f->has_off != NO_HAS)
		*(bool *)((char *)base + f->has_off) = true;
}

static void decode_field(struct dec *x, void *base, const struct field *f, const struct jnode *n)
{
	void *p = (char *)base + f->off;
	uint64_t u;
	double dv;

	if (n->t == J_NULL) {
		mark(x, n->off);
		if (!is_optional(f->t))
			report(x, CFG_ERROR, n->off, "invalid type: null, %s may be left out but not null",
			       f->name);
		else if (f->t == F_TRI)
			*(enum cfg_tristate *)p = CFG_UNSET;
		return;
	}
	switch (f->t) {
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
		if (expect(x, n, J_BOOL, "a boolean")) {
			if (f->t == F_BOOL)
				*(bool *)p = n->b;
			else
				*(enum cfg_tristate *)p = n->b ? CFG_TRUE : CFG_FALSE;
		}
		break;
	case F_PAIR_F64:
	case F_OPT_PAIR_F64:
		if (get_pair(x, n)) {
			double a = 0, b = 0;
			size_t old = push(x, "[0]");
			bool ok = get_f64(x, n->kids[0], &a);

			pop(x, old);
			old = push(x, "[1]");
			ok = get_f64(x, n->kids[1], &b) && ok;
			pop(x, old);
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
			size_t old = push(x, "[0]");
			bool ok = get_u64(x, n->kids[0], UINT64_MAX, "usize", &a);

			pop(x, old);
			old = push(x, "[1]");
			ok = get_u64(x, n->kids[1], UINT64_MAX, "usize", &b) && ok;
			pop(x, old);
			if (ok) {
				((uint64_t *)p)[0] = a;
				((uint64_t *)p)[1] = b;
				set_has(base, f);
			}
		}
		break;
	case F_U64_LIST:
		if (expect(x, n, J_ARR, "an array of integers")) {
			uint64_t *v = calloc(n->n ? n->n : 1, sizeof(*v));
			size_t k = 0;

			if (!v) {
				x->err = -ENOMEM;
				break;
			}
			for (size_t i = 0; i < n->n; i++) {
				size_t old = push(x, "[%zu]", i);

				if (get_u64(x, n->kids[i], UINT64_MAX, "usize", &u))
					v[k++] = u;
				pop(x, old);
			}
			free(*(uint64_t **)p);
			*(uint64_t **)p = v;
			*(size_t *)((char *)base + f->has_off) = k;
		}
		break;
	case F_GROWTH:
	case F_PLACEMENT:
		if (expect(x, n, J_STR, "a string")) {
			int v = f->t == F_GROWTH ? cfg_growth_from_name(n->s) : cfg_placement_from_name(n->s);

			if (v < 0) {
				char names[512] = "";
				size_t len = 0, count = f->t == F_GROWTH ? CFG_NR_GROWTH : CFG_NR_PLACEMENTS;

				for (size_t i = 0; i < count && len < sizeof(names); i++)
					len += (size_t)snprintf(names + len, sizeof(names) - len, "%s`%s`",
								i ? ", " : "",
								f->t == F_GROWTH ? cfg_growth_name((enum cfg_growth)i) :
										   cfg_placement_name((enum cfg_placement)i));
				report(x, CFG_ERROR, n->off, "unknown variant `%s`, expected one of %s", n->s, names);
			} else if (f->t == F_GROWTH) {
				*(enum cfg_growth *)p = (enum cfg_growth)v;
			} else {
				*(enum cfg_placement *)p = (enum cfg_placement)v;
			}
		}
		break;
	case F_STR: {
		char *s;

		if (get_str(x, n, &s, NULL)) {
			free(*(char **)p);
			*(char **)p = s;
		}
		break;
	}
	case F_STR_LIST:
		if (expect(x, n, J_ARR, "an array of strings")) {
			char **v = calloc(n->n ? n->n : 1, sizeof(*v));
			size_t k = 0;

			if (!v) {
				x->err = -ENOMEM;
				break;
			}
			for (size_t i = 0; i < n->n; i++) {
				size_t old = push(x, "[%zu]", i);

				if (get_str(x, n->kids[i], &v[k], NULL))
					k++;
				pop(x, old);
			}
			*(char ***)p = v;
			*(size_t *)((char *)base + f->has_off) = k;
		}
		break;
	}
}

/*
 * Decode the members of object o into base by table; keys not in the
 * table (or in it for another kind) are warnings, as scx_layered ignores
 * them.
 */
static void decode_fields(struct dec *x, const struct jnode *o, void *base, const struct field *tab,
			  size_t ntab, unsigned int kind_bit, const char *where)
{
	check_duplicates(x, o);
	for (size_t i = 0; i < o->n; i++) {
		const struct field *f = find_field(tab, ntab, o->keys[i]);
		size_t old = push(x, ".%s", o->keys[i]);

		if (!f || (kind_bit && !(f->kinds & kind_bit)))
			report(x, CFG_WARNING, o->keyoffs[i], "unknown key `%s` in %s is ignored%s", o->keys[i],
			       where, f ? " (it belongs to another layer kind)" : "");
		else if (lookup(o, o->keys[i]) == o->kids[i])    /* first of duplicates only */
			decode_field(x, base, f, o->kids[i]);
		pop(x, old);
	}
}

/* {"Name": arg}: exactly one key. */
static bool decode_match(struct dec *x, const struct jnode *n, struct cfg_match *m)
{
	const struct jnode *a;
	size_t old;
	bool ok = true;
	int k;

	if (!expect(x, n, J_OBJ, "a matcher object like {\"CommPrefix\": \"x\"}"))
		return false;
	if (n->n != 1) {
		report(x, CFG_ERROR, n->off, "a matcher object has exactly one key, found %zu", n->n);
		return false;
	}
	old = push(x, ".%s", n->keys[0]);
	k = cfg_match_from_name(n->keys[0]);
	if (k < 0) {
		char names[1024] = "";
		size_t len = 0;

		for (int i = 0; i < CFG_NR_MATCH_KINDS && len < sizeof(names); i++)
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s`%s`", i ? ", " : "",
						cfg_match_name((enum cfg_match_kind)i));
		report(x, CFG_ERROR, n->keyoffs[0], "unknown variant `%s`, expected one of %s", n->keys[0],
		       names);
		pop(x, old);
		return false;
	}
	memset(m, 0, sizeof(*m));
	m->kind = (enum cfg_match_kind)k;
	a = n->kids[0];
	switch (cfg_match_arg(m->kind)) {
	case CFG_ARG_STRING:
		ok = get_str(x, a, &m->str, &m->len);
		break;
	case CFG_ARG_I32:
		ok = get_i64(x, a, INT32_MIN, INT32_MAX, "i32", &m->i);
		break;
	case CFG_ARG_U32: {
		uint64_t u;

		ok = get_u64(x, a, UINT32_MAX, "u32", &u);
		m->i = (int64_t)u;
		break;
	}
	case CFG_ARG_U64: {
		uint64_t u;

		/* HintEquals: u64 in JSON; the validator checks 0..1024. */
		ok = get_u64(x, a, UINT64_MAX, "u64", &u);
		m->i = u > INT64_MAX ? INT64_MAX : (int64_t)u;
		break;
	}
	case CFG_ARG_BOOL:
		ok = expect(x, a, J_BOOL, "a boolean");
		m->flag = ok && a->b;
		break;
	case CFG_ARG_F64:
		ok = get_f64(x, a, &m->f);
		break;
	case CFG_ARG_U64_PAIR:
	case CFG_ARG_U64_U32_PAIR:
		ok = get_pair(x, a);
		if (ok) {
			size_t o2 = push(x, "[0]");

			ok = get_u64(x, a->kids[0], UINT64_MAX, "u64", &m->a);
			pop(x, o2);
			o2 = push(x, "[1]");
			ok = get_u64(x, a->kids[1],
				     cfg_match_arg(m->kind) == CFG_ARG_U64_PAIR ? UINT64_MAX : UINT32_MAX,
				     cfg_match_arg(m->kind) == CFG_ARG_U64_PAIR ? "u64" : "u32", &m->b) && ok;
			pop(x, o2);
		}
		break;
	}
	pop(x, old);
	return ok;
}

static void decode_matches(struct dec *x, const struct jnode *n, struct cfg_layer *l)
{
	if (!expect(x, n, J_ARR, "an array of arrays of matchers"))
		return;
	l->ors = calloc(n->n ? n->n : 1, sizeof(*l->ors));
	if (!l->ors) {
		x->err = -ENOMEM;
		return;
	}
	l->nr_ors = n->n;
	for (size_t j = 0; j < n->n; j++) {
		const struct jnode *and = n->kids[j];
		struct cfg_and *a = &l->ors[j];
		size_t old = push(x, "[%zu]", j);

		if (expect(x, and, J_ARR, "an array of matchers")) {
			a->m = calloc(and->n ? and->n : 1, sizeof(*a->m));
			if (!a->m) {
				x->err = -ENOMEM;
				pop(x, old);
				return;
			}
			for (size_t k = 0; k < and->n; k++) {
				size_t o2 = push(x, "[%zu]", k);

				if (decode_match(x, and->kids[k], &a->m[a->n]))
					a->n++;
				pop(x, o2);
			}
		}
		pop(x, old);
	}
}

static void decode_kind(struct dec *x, const struct jnode *n, struct cfg_layer *l)
{
	const struct jnode *body;
	size_t old;
	int k;

	if (!expect(x, n, J_OBJ, "a layer kind like {\"Open\": {}}"))
		return;
	check_duplicates(x, n);
	if (n->n != 1) {
		report(x, CFG_ERROR, n->off, "a layer kind has exactly one key (Confined, Grouped or Open), found %zu",
		       n->n);
		return;
	}
	k = cfg_kind_from_name(n->keys[0]);
	if (k < 0) {
		report(x, CFG_ERROR, n->keyoffs[0], "unknown variant `%s`, expected one of `Confined`, `Grouped`, `Open`",
		       n->keys[0]);
		return;
	}
	old = push(x, ".%s", n->keys[0]);
	l->kind = (enum cfg_kind)k;
	body = n->kids[0];
	if (expect(x, body, J_OBJ, "an object with the layer's fields"))
		decode_fields(x, body, l, layer_fields, sizeof(layer_fields) / sizeof(layer_fields[0]),
			      1u << k, n->keys[0]);
	pop(x, old);
}

static void decode_layer(struct dec *x, const struct jnode *n, struct cfg_layer *l)
{
	static const char *const known[] = { "name", "comment", "template", "matches", "kind" };
	const struct jnode *v;
	size_t old;

	if (!expect(x, n, J_OBJ, "a layer object"))
		return;
	check_duplicates(x, n);
	for (size_t i = 0; i < n->n; i++) {
		bool ok = false;

		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			ok = ok || strcmp(n->keys[i], known[k]) == 0;
		if (!ok) {
			old = push(x, ".%s", n->keys[i]);
			report(x, CFG_WARNING, n->keyoffs[i], "unknown key `%s` in a layer is ignored", n->keys[i]);
			pop(x, old);
		}
	}
	if ((v = lookup(n, "name"))) {
		old = push(x, ".name");
		(void)get_str(x, v, &l->name, &l->name_len);
		pop(x, old);
	} else {
		old = push(x, ".name");
		report(x, CFG_ERROR, n->off, "missing field `name`");
		pop(x, old);
	}
	if ((v = lookup(n, "comment")) && v->t != J_NULL) {
		old = push(x, ".comment");
		(void)get_str(x, v, &l->comment, NULL);
		pop(x, old);
	}
	if ((v = lookup(n, "template")) && v->t != J_NULL) {
		old = push(x, ".template");
		l->has_template = decode_match(x, v, &l->template_match);
		pop(x, old);
	}
	if ((v = lookup(n, "matches"))) {
		old = push(x, ".matches");
		decode_matches(x, v, l);
		pop(x, old);
	} else {
		old = push(x, ".matches");
		report(x, CFG_ERROR, n->off, "missing field `matches`");
		pop(x, old);
	}
	if ((v = lookup(n, "kind"))) {
		old = push(x, ".kind");
		decode_kind(x, v, l);
		pop(x, old);
	} else {
		old = push(x, ".kind");
		report(x, CFG_ERROR, n->off, "missing field `kind`");
		pop(x, old);
	}
}

static void decode_layers(struct dec *x, const struct jnode *n, struct cfg *c)
{
	if (!expect(x, n, J_ARR, "an array of layer specs"))
		return;
	c->layers = calloc(n->n ? n->n : 1, sizeof(*c->layers));
	if (!c->layers) {
		x->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		size_t old = push(x, "[%zu]", i);

		cfg_layer_init(&c->layers[i]);
		c->nr_layers++;
		decode_layer(x, n->kids[i], &c->layers[i]);
		pop(x, old);
	}
}

static void decode_top(struct dec *x, const struct jnode *root, struct cfg *c)
{
	const struct jnode *v;

	mark(x, root->off);
	if (root->t == J_ARR) {
		decode_layers(x, root, c);
		return;
	}
	if (root->t != J_OBJ) {
		report(x, CFG_ERROR, root->off,
		       "expected an array of layer specs or an object with \"layers\", found %s",
		       type_name(root->t));
		return;
	}
	c->object_form = true;
	check_duplicates(x, root);
	for (size_t i = 0; i < root->n; i++)
		if (strcmp(root->keys[i], "options") != 0 && strcmp(root->keys[i], "layers") != 0) {
			size_t old = push(x, ".%s", root->keys[i]);

			report(x, CFG_WARNING, root->keyoffs[i], "unknown key `%s` at the top is ignored",
			       root->keys[i]);
			pop(x, old);
		}
	if ((v = lookup(root, "options"))) {
		size_t old = push(x, ".options");

		if (expect(x, v, J_OBJ, "an object of options"))
			decode_fields(x, v, &c->opts, option_fields,
				      sizeof(option_fields) / sizeof(option_fields[0]), 0, "options");
		pop(x, old);
	}
	if ((v = lookup(root, "layers"))) {
		size_t old = push(x, ".layers");

		decode_layers(x, v, c);
		pop(x, old);
	} else {
		size_t old = push(x, ".layers");

		report(x, CFG_ERROR, root->off, "missing field `layers` (a lone layer spec must be put in an array)");
		pop(x, old);
	}
}

int json_parse_config(const char *text, size_t len, struct cfg **ret_cfg, struct cfg_diags *d,
		      struct json_posmap *pm)
{
	struct jbuild b = { .text = text, .len = len };
	struct dec x = { .d = d, .pm = pm, .path = "$", .plen = 1 };
	yajl_status st;
	struct cfg *c;
	int r = 0;

	if (pm) {
		pm->text = text;
		pm->len = len;
	}
	b.h = yajl_alloc(&callbacks, NULL, &b);
	if (!b.h)
		return -ENOMEM;
	st = yajl_parse(b.h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(b.h);
	if (b.nomem) {
		r = -ENOMEM;
		goto out;
	}
	if (st != yajl_status_ok || !b.root) {
		size_t off = yajl_get_bytes_consumed(b.h);
		unsigned char *e = yajl_get_error(b.h, 0, (const unsigned char *)text, len);
		char *msg = (char *)e, *colon;

		/* "parse error: trailing garbage" -> "trailing garbage" */
		if (msg && (colon = strstr(msg, ": ")))
			msg = colon + 2;
		if (msg)
			msg[strcspn(msg, "\n")] = '\0';
		if (b.too_deep)
			msg = (char *)"nested deeper than 64 levels";
		if (cfg_diag_add(d, CFG_ERROR, "$", "invalid JSON: %s", msg && *msg ? msg : "unexpected end of input") < 0) {
			r = -ENOMEM;
		} else {
			note_diag_offset(&x, off < len ? off : len);
			r = x.err ? x.err : -EINVAL;
		}
		if (e)
			yajl_free_error(b.h, e);
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		r = -ENOMEM;
		goto out;
	}
	cfg_options_init(&c->opts);
	decode_top(&x, b.root, c);
	if (x.err) {
		cfg_free(c);
		r = x.err;
		goto out;
	}
	/* With type errors the model lacks those values; the caller decides. */
	*ret_cfg = c;
out:
	free(b.key);
	jnode_free(b.root);
	yajl_free(b.h);
	return r;
}

/* 1-based line and byte column of offset off in pm's text. */
static void line_col(const struct json_posmap *pm, size_t off, unsigned int *ret_line, unsigned int *ret_col)
{
	unsigned int line = 1, col = 1;

	for (size_t i = 0; i < off && i < pm->len; i++) {
		if (pm->text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	*ret_line = line;
	*ret_col = col;
}

int json_posmap_find(const struct json_posmap *pm, const char *path, unsigned int *ret_line,
		     unsigned int *ret_col)
{
	char p[1024];
	size_t off = 0, plen;
	bool found = false;

	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		plen = strlen(p);
		/* The first record: where the value was first read. */
		for (size_t i = 0; i < pm->n; i++)
			if (strcmp(pm->arena + pm->v[i].path, p) == 0) {
				off = pm->v[i].off;
				found = true;
				break;
			}
		if (found || plen <= 1)
			break;
		/* Drop the last component: ".key" or "[i]". */
		while (plen > 1 && p[plen - 1] != '.' && p[plen - 1] != '[')
			plen--;
		if (plen > 1)
			plen--;
		p[plen] = '\0';
	}
	if (!found)
		return -ENOENT;
	line_col(pm, off, ret_line, ret_col);
	return 0;
}

/* Is a the same path as b, or an ancestor of it? */
static bool path_covers(const char *a, const char *b)
{
	size_t n = strlen(a);

	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '.' || b[n] == '[');
}

void json_drop_shadowed(struct cfg_diags *d, size_t nparse)
{
	size_t keep = nparse;

	for (size_t i = nparse; i < d->n; i++) {
		bool shadowed = false;

		for (size_t k = 0; k < nparse && !shadowed; k++)
			shadowed = d->v[k].severity == CFG_ERROR &&
				   (path_covers(d->v[k].path, d->v[i].path) ||
				    path_covers(d->v[i].path, d->v[k].path));
		if (shadowed) {
			if (d->v[i].severity == CFG_ERROR)
				d->nr_errors--;
			free(d->v[i].path);
			free(d->v[i].msg);
		} else {
			d->v[keep++] = d->v[i];
		}
	}
	d->n = keep;
}

/* Problems in file order; those without a position first, as reported. */
static int cmp_problem(const void *a, const void *b)
{
	const struct json_problem *x = a, *y = b;

	if (x->have != y->have)
		return x->have ? 1 : -1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

struct json_problem *json_locate_problems(const struct cfg_diags *d, const struct json_posmap *pm)
{
	struct json_problem *v = calloc(d->n ? d->n : 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < d->n; i++) {
		v[i].dg = &d->v[i];
		v[i].order = i;
		if (i < pm->n_diag_off && pm->diag_off[i]) {
			line_col(pm, pm->diag_off[i] - 1, &v[i].line, &v[i].col);
			v[i].have = true;
		} else {
			v[i].have = json_posmap_find(pm, d->v[i].path, &v[i].line, &v[i].col) == 0;
		}
	}
	qsort(v, d->n, sizeof(*v), cmp_problem);
	return v;
}

void json_posmap_release(struct json_posmap *pm)
{
	if (!pm)
		return;
	free(pm->arena);
	free(pm->v);
	free(pm->diag_off);
	memset(pm, 0, sizeof(*pm));
}

/* ------------------------------------------------------------- output */

struct out {
	char *buf;
	size_t len, cap;
	bool nomem;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->nomem)
		return;
	if (!o->buf) {
		o->buf = malloc(4096);
		if (!o->buf) {
			o->nomem = true;
			return;
		}
		o->cap = 4096;
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->nomem = true;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		{
			size_t cap = (o->cap + (size_t)n) * 2;
			char *b = realloc(o->buf, cap);

			if (!b) {
				o->nomem = true;
				return;
			}
			o->buf = b;
			o->cap = cap;
		}
	}
}

static void emit_str(struct out *o, const char *s, size_t len)
{
	emit(o, "\"");
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			emit(o, "\\%c", ch);
		else if (ch < 0x20)
			emit(o, "\\u%04x", ch);
		else
			emit(o, "%c", ch);
	}
	emit(o, "\"");
}

/* Shortest text that reads back as the same double. */
static void emit_f64(struct out *o, double v)
{
	char buf[40];

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	emit(o, "%s", buf);
}

static void emit_field(struct out *o, const void *base, const void *dflt, const struct field *f,
		       bool *first, const char *indent)
{
	const char *p = (const char *)base + f->off;
	size_t size;

	/* Leave out what equals the default and optional fields that are unset. */
	switch (f->t) {
	case F_U64:
	case F_OPT_U64:
		size = sizeof(uint64_t);
		break;
	case F_U32:
	case F_OPT_U32:
		size = sizeof(uint32_t);
		break;
	case F_F64:
	case F_OPT_F64:
		size = sizeof(double);
		break;
	case F_BOOL:
		size = sizeof(bool);
		break;
	case F_TRI:
		size = sizeof(enum cfg_tristate);
		break;
	case F_PAIR_F64:
	case F_OPT_PAIR_F64:
		size = 2 * sizeof(double);
		break;
	case F_OPT_PAIR_U64:
		size = 2 * sizeof(uint64_t);
		break;
	case F_GROWTH:
		size = sizeof(enum cfg_growth);
		break;
	case F_PLACEMENT:
		size = sizeof(enum cfg_placement);
		break;
	case F_STR:
		if (!*(char *const *)p || !**(char *const *)p)
			return;
		size = 0;
		break;
	default:
		if (*(const size_t *)((const char *)base + f->has_off) == 0)
			return;
		size = 0;
		break;
	}
	if (f->has_off != NO_HAS && f->t != F_U64_LIST && f->t != F_STR_LIST &&
	    !*(const bool *)((const char *)base + f->has_off))
		return;
	if (f->has_off == NO_HAS && size && memcmp(p, (const char *)dflt + f->off, size) == 0)
		return;
	emit(o, "%s\n%s\"%s\": ", *first ? "" : ",", indent, f->name);
	*first = false;
	switch (f->t) {
	case F_U64:
	case F_OPT_U64:
		emit(o, "%llu", (unsigned long long)*(const uint64_t *)p);
		break;
	case F_U32:
	case F_OPT_U32:
		emit(o, "%u", *(const uint32_t *)p);
		break;
	case F_F64:
	case F_OPT_F64:
		emit_f64(o, *(const double *)p);
		break;
	case F_BOOL:
		emit(o, "%s", *(const bool *)p ? "true" : "false");
		break;
	case F_TRI:
		emit(o, "%s", *(const enum cfg_tristate *)p == CFG_TRUE ? "true" : "false");
		break;
	case F_PAIR_F64:
	case F_OPT_PAIR_F64:
		emit(o, "[");
		emit_f64(o, ((const double *)p)[0]);
		emit(o, ", ");
		emit_f64(o, ((const double *)p)[1]);
		emit(o, "]");
		break;
	case F_OPT_PAIR_U64:
		emit(o, "[%llu, %llu]", (unsigned long long)((const uint64_t *)p)[0],
		     (unsigned long long)((const uint64_t *)p)[1]);
		break;
	case F_U64_LIST: {
		size_t n = *(const size_t *)((const char *)base + f->has_off);

		emit(o, "[");
		for (size_t i = 0; i < n; i++)
			emit(o, "%s%llu", i ? ", " : "", (unsigned long long)(*(uint64_t *const *)p)[i]);
		emit(o, "]");
		break;
	}
	case F_GROWTH:
		emit(o, "\"%s\"", cfg_growth_name(*(const enum cfg_growth *)p));
		break;
	case F_PLACEMENT:
		emit(o, "\"%s\"", cfg_placement_name(*(const enum cfg_placement *)p));
		break;
	case F_STR:
		emit_str(o, *(char *const *)p, strlen(*(char *const *)p));
		break;
	case F_STR_LIST: {
		size_t n = *(const size_t *)((const char *)base + f->has_off);

		emit(o, "[");
		for (size_t i = 0; i < n; i++) {
			const char *s = (*(char **const *)p)[i];

			emit(o, "%s", i ? ", " : "");
			emit_str(o, s, strlen(s));
		}
		emit(o, "]");
		break;
	}
	}
}

static void emit_match(struct out *o, const struct cfg_match *m)
{
	emit(o, "{\"%s\": ", cfg_match_name(m->kind));
	switch (cfg_match_arg(m->kind)) {
	case CFG_ARG_STRING:
		emit_str(o, m->str ? m->str : "", m->str ? m->len : 0);
		break;
	case CFG_ARG_I32:
	case CFG_ARG_U32:
	case CFG_ARG_U64:
		emit(o, "%lld", (long long)m->i);
		break;
	case CFG_ARG_BOOL:
		emit(o, "%s", m->flag ? "true" : "false");
		break;
	case CFG_ARG_F64:
		emit_f64(o, m->f);
		break;
	case CFG_ARG_U64_PAIR:
	case CFG_ARG_U64_U32_PAIR:
		emit(o, "[%llu, %llu]", (unsigned long long)m->a, (unsigned long long)m->b);
		break;
	}
	emit(o, "}");
}

void json_print_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

char *json_format_config(const struct cfg *c)
{
	const char *ind = c->object_form ? "    " : "  ";
	struct cfg_options dopts;
	struct cfg_layer dlayer;
	struct out o = { 0 };
	bool first;

	cfg_options_init(&dopts);
	cfg_layer_init(&dlayer);
	if (c->object_form) {
		emit(&o, "{\n  \"options\": {");
		first = true;
		for (size_t i = 0; i < sizeof(option_fields) / sizeof(option_fields[0]); i++)
			emit_field(&o, &c->opts, &dopts, &option_fields[i], &first, "    ");
		emit(&o, "%s},\n  \"layers\": [", first ? "" : "\n  ");
	} else {
		emit(&o, "[");
	}
	for (size_t i = 0; i < c->nr_layers; i++) {
		const struct cfg_layer *l = &c->layers[i];

		emit(&o, "%s\n%s{\n%s  \"name\": ", i ? "," : "", ind, ind);
		emit_str(&o, l->name ? l->name : "", l->name ? l->name_len : 0);
		if (l->comment) {
			emit(&o, ",\n%s  \"comment\": ", ind);
			emit_str(&o, l->comment, strlen(l->comment));
		}
		if (l->has_template) {
			emit(&o, ",\n%s  \"template\": ", ind);
			emit_match(&o, &l->template_match);
		}
		emit(&o, ",\n%s  \"matches\": [", ind);
		for (size_t j = 0; j < l->nr_ors; j++) {
			emit(&o, "%s[", j ? ", " : "");
			for (size_t k = 0; k < l->ors[j].n; k++) {
				emit(&o, "%s", k ? ", " : "");
				emit_match(&o, &l->ors[j].m[k]);
			}
			emit(&o, "]");
		}
		emit(&o, "],\n%s  \"kind\": {\"%s\": {", ind, cfg_kind_name(l->kind));
		first = true;
		{
			char fi[16];

			snprintf(fi, sizeof(fi), "%s    ", ind);
			for (size_t k = 0; k < sizeof(layer_fields) / sizeof(layer_fields[0]); k++)
				if (layer_fields[k].kinds & (1u << l->kind))
					emit_field(&o, l, &dlayer, &layer_fields[k], &first, fi);
		}
		if (!first)
			emit(&o, "\n%s  ", ind);
		emit(&o, "}}\n%s}", ind);
	}
	emit(&o, "\n%s]%s\n", c->object_form ? "  " : "", c->object_form ? "\n}" : "");
	if (o.nomem) {
		free(o.buf);
		return NULL;
	}
	return o.buf;
}
