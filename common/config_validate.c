/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one validator (CONFIG.md section 8). scxctl runs it on a parsed
 * file, scxd on every decoded request, so it assumes nothing about the
 * model: counts may be huge, strings may hold NUL bytes, floats may be NaN.
 * Every problem is reported, each with the JSON path of the value at
 * fault; nothing stops at the first error.
 *
 * Rule numbers in comments (S*, L*, X*) are those of CONFIG.md.
 *
 * Strings are checked for NUL bytes and UTF-8 here and not only in the
 * JSON parser: a protobuf request can carry any bytes, and whatever the
 * agent accepts it must be able to print back as JSON (get-config).
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "common/banned.h"
#include "common/config.h"

/* Our own bounds where the reference has none. */
#define CFG_MAX_SYMBOL_LEN   128
#define CFG_MAX_PATH_STR     4096
#define CFG_MAX_CHECKED_LAYERS 1024  /* the JSON decoder's bound too */
#define CFG_TEMPLATE_SUFFIX  64     /* bytes a template adds to a name and as a CgroupSuffix */

struct vctx {
	const struct cfg *c;
	const struct cfg_topo *topo;
	unsigned int flags;
	struct cfg_diags *d;
	int err;                     /* -ENOMEM once an allocation failed */
	unsigned int nr_regexes;
};

static void vreport(struct vctx *v, enum cfg_severity sev, const char *path, const char *fmt,
		    va_list ap) __attribute__((format(printf, 4, 0)));
static void vreport(struct vctx *v, enum cfg_severity sev, const char *path, const char *fmt,
		    va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (sev == CFG_WARNING && (v->flags & CFG_VALIDATE_STRICT))
		sev = CFG_ERROR;
	if (cfg_diag_add(v->d, sev, path, "%s", msg) < 0)
		v->err = -ENOMEM;
}

static void error(struct vctx *v, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void error(struct vctx *v, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(v, CFG_ERROR, path, fmt, ap);
	va_end(ap);
}

static void warning(struct vctx *v, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warning(struct vctx *v, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(v, CFG_WARNING, path, fmt, ap);
	va_end(ap);
}

/* A path below base: base + suffix (suffix starts with '.' or '['). */
static const char *sub(char *buf, size_t size, const char *base, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static const char *sub(char *buf, size_t size, const char *base, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(buf, size, "%s", base);
	if (n < 0 || (size_t)n >= size)
		return base;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	return buf;
}

/* base + "[k]." + name, without printf: this runs for every matcher of a config. */
static const char *matcher_path(char *buf, size_t size, const char *base, size_t k, const char *name)
{
	char idx[24];
	size_t blen = strlen(base), nlen = strlen(name), ilen = 0, pos;

	do {
		idx[sizeof(idx) - 1 - ilen++] = (char)('0' + k % 10);
		k /= 10;
	} while (k && ilen < sizeof(idx) - 1);
	if (blen + ilen + nlen + 4 > size)
		return base;
	memcpy(buf, base, blen);
	pos = blen;
	buf[pos++] = '[';
	memcpy(buf + pos, idx + sizeof(idx) - ilen, ilen);
	pos += ilen;
	buf[pos++] = ']';
	buf[pos++] = '.';
	memcpy(buf + pos, name, nlen + 1);
	return buf;
}

static bool has_nul(const char *s, size_t len)
{
	return s && memchr(s, '\0', len) != NULL;
}

/* NUL bytes and invalid UTF-8 (X5): why s is unusable, or NULL. */
static const char *bad_string(const char *s, size_t len)
{
	if (has_nul(s, len))
		return "contains a NUL character";
	if (!cfg_utf8_valid(s, len))
		return "is not valid UTF-8";
	return NULL;
}

/*
 * Compile a CgroupRegex the way the agent will. The reference uses Rust's
 * regex crate, which has no backreferences or lookaround; PCRE2 has both,
 * so those are refused here to keep configs portable between the two.
 */
static bool regex_ok(struct vctx *v, const char *path, const char *re, size_t len)
{
	static const char *const unsupported[] = { "(?=", "(?!", "(?<=", "(?<!", "\\1", "\\2",
						   "\\3", "\\4", "\\5", "\\6", "\\7", "\\8", "\\9",
						   "\\g", "\\k" };
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	pcre2_code *code;
	int errcode;

	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (strstr(re, unsupported[i])) {
			error(v, path, "invalid regex '%s': '%s' (lookaround or backreference) is not supported",
			      re, unsupported[i]);
			return false;
		}
	code = pcre2_compile((PCRE2_SPTR)re, len, PCRE2_UTF, &errcode, &off, NULL);
	if (!code) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		error(v, path, "invalid regex '%s': %s at offset %zu", re, (char *)msg, (size_t)off);
		return false;
	}
	pcre2_code_free(code);
	return true;
}

static bool finite_in(double x, double lo, double hi)
{
	return isfinite(x) && x >= lo && x <= hi;
}

/* A layer's name for messages: only once it is known to be printable. */
static const char *lname(const struct cfg_layer *l)
{
	if (!l->name || l->name_len >= SCX_MAX_LAYER_NAME || bad_string(l->name, l->name_len))
		return "?";
	return l->name;
}

/* Rust's f64::round_ties_even() for 0 <= x < 2^53, without libm. */
static uint64_t round_even(double x)
{
	uint64_t i = (uint64_t)x;
	double frac = x - (double)i;

	if (frac > 0.5 || (frac == 0.5 && (i & 1)))
		i++;
	return i;
}

/* Strings of matchers: NUL bytes and the BPF side's buffer sizes (S7, S8, X2, X3, X5). */
static void check_match_string(struct vctx *v, const char *path, const struct cfg_match *m)
{
	const char *name = cfg_match_name(m->kind);
	const char *why;
	size_t max = 0;

	if (!m->str) {
		error(v, path, "%s needs a string", name);
		return;
	}
	if ((why = bad_string(m->str, m->len))) {
		error(v, path, "%s: the string %s", name, why);
		return;
	}
	switch (m->kind) {
	case CFG_M_CGROUP_PREFIX:
	case CFG_M_CGROUP_SUFFIX:
	case CFG_M_CGROUP_CONTAINS:
		max = SCX_MAX_PATH - 1;
		break;
	case CFG_M_COMM_PREFIX:
	case CFG_M_COMM_PREFIX_EXCLUDE:
	case CFG_M_PCOMM_PREFIX:
	case CFG_M_PCOMM_PREFIX_EXCLUDE:
	case CFG_M_CMD_JOIN:
		max = SCX_MAX_COMM - 1;
		break;
	case CFG_M_CGROUP_REGEX:
		max = CFG_MAX_PATH_STR;
		break;
	default:
		break;
	}
	if (max && m->len > max)
		error(v, path, "%s is %zu bytes long; at most %zu fit (%s)", name, m->len, max,
		      max == SCX_MAX_COMM - 1 ? "a task name has 15 characters" : "the BPF buffer");
	if (m->kind == CFG_M_CMD_JOIN && m->len > SCX_CMD_NAME_LEN)
		warning(v, path, "CmdJoin '%s' is longer than the %d bytes a join command carries, so it never matches",
			m->str, SCX_CMD_NAME_LEN);
}

static void check_match(struct vctx *v, const char *path, const struct cfg_match *m,
			const struct cfg_layer *l)
{
	switch (cfg_match_arg(m->kind)) {
	case CFG_ARG_STRING:
		check_match_string(v, path, m);
		if (m->kind == CFG_M_CGROUP_REGEX && m->str && !bad_string(m->str, m->len)) {
			/*
			 * L5 counts in list order; L6 each must compile. Past the
			 * limit the config is refused anyway, and compiling a
			 * hostile number of regexes would only cost time.
			 */
			if (++v->nr_regexes == SCX_MAX_CGROUP_REGEXES + 1)
				error(v, path, "too many CgroupRegex rules: at most %d in the whole config",
				      SCX_MAX_CGROUP_REGEXES);
			if (v->nr_regexes <= SCX_MAX_CGROUP_REGEXES)
				(void)regex_ok(v, path, m->str, m->len);
		}
		return;
	default:
		break;
	}
	switch (m->kind) {
	case CFG_M_NICE_ABOVE:
	case CFG_M_NICE_BELOW:
	case CFG_M_NICE_EQUALS:
		if (m->i < INT32_MIN || m->i > INT32_MAX)
			error(v, path, "%s: %lld does not fit in i32", cfg_match_name(m->kind), (long long)m->i);
		break;
	case CFG_M_UID_EQUALS:
	case CFG_M_GID_EQUALS:
	case CFG_M_PID_EQUALS:
	case CFG_M_PPID_EQUALS:
	case CFG_M_TGID_EQUALS:
	case CFG_M_NS_EQUALS:
		if (m->i < 0 || m->i > UINT32_MAX)
			error(v, path, "%s: %lld does not fit in u32", cfg_match_name(m->kind), (long long)m->i);
		break;
	case CFG_M_NSPID_EQUALS:
		if (m->b > UINT32_MAX)
			error(v, path, "NSPIDEquals: pid %llu does not fit in u32", (unsigned long long)m->b);
		break;
	case CFG_M_IS_KTHREAD:
		if (!m->flag)
			warning(v, path, "IsKthread(false) selects user tasks here; scx_layered ignores the value and selects kernel threads");
		break;
	case CFG_M_USED_GPU_TID:
	case CFG_M_USED_GPU_PID:
		if (!v->c->opts.enable_gpu_support) {
			/* X7: a config property only together with the agent's options. */
			if (v->flags & CFG_VALIDATE_APPLY)
				error(v, path, "%s needs the option enable_gpu_support", cfg_match_name(m->kind));
			else
				warning(v, path, "%s needs the option enable_gpu_support when applied",
					cfg_match_name(m->kind));
		}
		break;
	case CFG_M_AVG_RUNTIME:
		if (m->a >= m->b)
			warning(v, path, "AvgRuntime [%llu, %llu) is empty: it never matches",
				(unsigned long long)m->a, (unsigned long long)m->b);
		break;
	case CFG_M_HINT_EQUALS:
		if (m->i < 0 || m->i > SCX_MAX_HINT)    /* S9 */
			error(v, path, "hint value %lld is outside the range [0, %d]", (long long)m->i,
			      SCX_MAX_HINT);
		if (!v->c->opts.task_hint_map || !v->c->opts.task_hint_map[0])
			warning(v, path, "HintEquals never matches without the option task_hint_map");
		break;
	case CFG_M_SYSTEM_CPU_UTIL_BELOW:
	case CFG_M_DSQ_INSERT_BELOW:
		if (!finite_in(m->f, 0.0, 1.0))    /* S10 */
			error(v, path, "%s threshold %g is outside the range [0.0, 1.0]",
			      cfg_match_name(m->kind), m->f);
		break;
	case CFG_M_NUMA_NODE: {
		unsigned int nodes = 0;

		if (m->i < 0 || m->i > UINT32_MAX) {
			error(v, path, "NumaNode: %lld does not fit in u32", (long long)m->i);
			break;
		}
		/* L4 */
		if (l->growth_algo == CFG_GROWTH_NODE_SPREAD ||
		    l->growth_algo == CFG_GROWTH_NODE_SPREAD_REVERSE ||
		    l->growth_algo == CFG_GROWTH_NODE_SPREAD_RANDOM)
			error(v, path, "NumaNode cannot be combined with the %s growth algorithm: the layer would own CPUs on nodes its tasks cannot use",
			      cfg_growth_name(l->growth_algo));
		/* L7: with topology awareness turned off there is one node. */
		if (v->topo)
			nodes = v->c->opts.disable_topology == CFG_TRUE ? 1 : v->topo->nr_nodes;
		if (nodes && m->i >= nodes)
			error(v, path, "NumaNode %lld does not exist (available nodes: %s%u)", (long long)m->i,
			      nodes > 1 ? "0-" : "", nodes - 1);
		break;
	}
	default:
		break;
	}
}

/* S11-S15 within one AND block; records the block's hint for S16. */
static void check_hint_block(struct vctx *v, const char *path, const struct cfg_and *and)
{
	unsigned int hints = 0, sys = 0, dsq = 0, others = 0;

	for (size_t k = 0; k < and->n; k++) {
		switch (and->m[k].kind) {
		case CFG_M_HINT_EQUALS:
			hints++;
			break;
		case CFG_M_SYSTEM_CPU_UTIL_BELOW:
			sys++;
			break;
		case CFG_M_DSQ_INSERT_BELOW:
			dsq++;
			break;
		default:
			others++;
		}
	}
	if (hints > 1)
		error(v, path, "only 1 HintEquals match is permitted per AND block");
	if (sys > 1)
		error(v, path, "only 1 SystemCpuUtilBelow match is permitted per AND block");
	if (dsq > 1)
		error(v, path, "only 1 DsqInsertBelow match is permitted per AND block");
	if ((sys || dsq) && hints != 1)
		error(v, path, "high-frequency matchers (SystemCpuUtilBelow, DsqInsertBelow) must be used with one HintEquals");
	if ((sys || dsq) && others)
		error(v, path, "high-frequency matchers must be used only with HintEquals (no other matchers)");
	if (hints && !sys && !dsq && others)
		error(v, path, "HintEquals cannot be combined with other matchers (except SystemCpuUtilBelow and DsqInsertBelow)");
}

static void check_matches(struct vctx *v, const char *base, size_t li)
{
	const struct cfg_layer *l = &v->c->layers[li];
	bool last = li + 1 == v->c->nr_layers;
	char mpath[256], bpath[288], path[352];

	sub(mpath, sizeof(mpath), base, ".matches");
	if (l->nr_ors && !l->ors) {
		error(v, mpath, "%zu match blocks announced, none given", l->nr_ors);
		return;
	}
	if (last) {
		/* S3 */
		if (l->nr_ors != 1 || l->ors[0].n != 0)
			error(v, mpath, "the last layer \"%s\" must have an empty match [[]] so that every task finds a layer",
			      lname(l));
	} else if (l->nr_ors == 0) {
		error(v, mpath, "layer \"%s\" has no match blocks: no task can ever join it (only the last layer may match everything)",
		      lname(l));    /* S4 */
	}
	if (l->nr_ors > SCX_MAX_LAYER_MATCH_ORS) {
		error(v, mpath, "layer \"%s\" has %zu OR match blocks; at most %d", lname(l), l->nr_ors,
		      SCX_MAX_LAYER_MATCH_ORS);    /* S5 */
		return;
	}
	for (size_t j = 0; j < l->nr_ors; j++) {
		const struct cfg_and *and = &l->ors[j];

		sub(bpath, sizeof(bpath), mpath, "[%zu]", j);
		if (and->n > SCX_MAX_MATCH_ANDS) {
			error(v, bpath, "OR block %zu has %zu conditions; at most %d", j, and->n,
			      SCX_MAX_MATCH_ANDS);    /* S6 */
			continue;
		}
		if (and->n && !and->m) {
			error(v, bpath, "%zu conditions announced, none given", and->n);
			continue;
		}
		if (and->n == 0 && !last && !l->has_template)
			warning(v, bpath, "an empty AND block matches every task: the layers after \"%s\" are unreachable",
				lname(l));
		else if (and->n == 0 && !last)
			warning(v, bpath, "an empty AND block: if the template picks no cgroup, \"%s\" matches every task and the layers after it are unreachable",
				lname(l));
		if (l->has_template && and->n == SCX_MAX_MATCH_ANDS)
			warning(v, bpath, "no room for the template's CgroupSuffix: once the template picks a cgroup this block has %d conditions, over the limit of %d",
				SCX_MAX_MATCH_ANDS + 1, SCX_MAX_MATCH_ANDS);
		for (size_t k = 0; k < and->n; k++) {
			const struct cfg_match *m = &and->m[k];

			if ((unsigned int)m->kind >= CFG_NR_MATCH_KINDS) {
				error(v, sub(path, sizeof(path), bpath, "[%zu]", k), "unknown matcher kind %d",
				      (int)m->kind);
				continue;
			}
			check_match(v, matcher_path(path, sizeof(path), bpath, k, cfg_match_name(m->kind)), m, l);
		}
		check_hint_block(v, bpath, and);
	}
}

/* Counts within the limits: only then are the match arrays walked. */
static bool layer_walkable(const struct cfg_layer *l)
{
	if (l->nr_ors > SCX_MAX_LAYER_MATCH_ORS || (l->nr_ors && !l->ors))
		return false;
	for (size_t j = 0; j < l->nr_ors; j++)
		if (l->ors[j].n > SCX_MAX_MATCH_ANDS || (l->ors[j].n && !l->ors[j].m))
			return false;
	return true;
}

/* S16: a hint value belongs to one layer (the first that uses it; reuse within a layer is fine). */
static void check_hint_owners(struct vctx *v)
{
	short owner[SCX_MAX_HINT + 1];

	memset(owner, 0xff, sizeof(owner));
	for (size_t li = 0; li < v->c->nr_layers && li < SCX_MAX_LAYERS; li++) {
		const struct cfg_layer *l = &v->c->layers[li];

		if (!layer_walkable(l))
			continue;
		for (size_t j = 0; j < l->nr_ors; j++)
			for (size_t k = 0; k < l->ors[j].n; k++) {
				const struct cfg_match *m = &l->ors[j].m[k];
				char base[64], path[160];

				if (m->kind != CFG_M_HINT_EQUALS || m->i < 0 || m->i > SCX_MAX_HINT)
					continue;
				if (owner[m->i] < 0) {
					owner[m->i] = (short)li;
				} else if ((size_t)owner[m->i] != li) {
					cfg_layer_path(v->c, li, base, sizeof(base));
					error(v, sub(path, sizeof(path), base, ".matches[%zu][%zu].HintEquals", j, k),
					      "hint value %lld is already mapped to layer \"%s\"", (long long)m->i,
					      lname(&v->c->layers[owner[m->i]]));
				}
			}
	}
}

/*
 * nodes / llcs (L2, L3). avail: ids that exist (0: unknown). The reference
 * checks them only with topology awareness on and otherwise clears the
 * lists; without a topology (NULL) duplicates are still wrong.
 */
static void check_id_list(struct vctx *v, const char *path, const char *what, const uint64_t *ids,
			  size_t n, size_t max, unsigned int avail, bool check)
{
	char p[320];

	if (n > max) {
		error(v, path, "%zu %s listed; at most %zu", n, what, max);
		return;
	}
	if (n && !ids) {
		error(v, path, "%s: %zu ids announced, none given", what, n);
		return;
	}
	for (size_t i = 0; check && i < n; i++) {
		if (avail && ids[i] >= avail)
			error(v, sub(p, sizeof(p), path, "[%zu]", i),
			      "%s references %s %llu which does not exist (available: %s%u)", what,
			      what[0] == 'n' ? "node" : "LLC", (unsigned long long)ids[i], avail > 1 ? "0-" : "",
			      avail - 1);
		for (size_t j = 0; j < i; j++)
			if (ids[j] == ids[i]) {
				error(v, sub(p, sizeof(p), path, "[%zu]", i), "%s contains %llu twice", what,
				      (unsigned long long)ids[i]);
				break;
			}
	}
}

static void check_kind(struct vctx *v, const char *base, const struct cfg_layer *l)
{
	char kpath[192], p[256];
	bool owns = l->kind == CFG_KIND_CONFINED || l->kind == CFG_KIND_GROUPED;
	bool aware;

	if ((unsigned int)l->kind >= CFG_NR_KINDS) {
		error(v, sub(kpath, sizeof(kpath), base, ".kind"), "unknown layer kind %d", (int)l->kind);
		return;
	}
	sub(kpath, sizeof(kpath), base, ".kind.%s", cfg_kind_name(l->kind));
	if (owns) {
		if (!l->has_util_range) {
			error(v, kpath, "%s layers need a util_range", cfg_kind_name(l->kind));
		} else {
			const char *up = sub(p, sizeof(p), kpath, ".util_range");

			if (!isfinite(l->util_range[0]) || !isfinite(l->util_range[1]) ||
			    l->util_range[0] < 0 || l->util_range[1] < 0)    /* L12 */
				error(v, up, "invalid util_range (%g, %g): both bounds must be numbers >= 0",
				      l->util_range[0], l->util_range[1]);
			else if (l->util_range[0] >= l->util_range[1])    /* S18 */
				error(v, up, "invalid util_range (%g, %g): the low bound must be below the high bound",
				      l->util_range[0], l->util_range[1]);
		}
		if (l->has_cpus_range && l->cpus_range[0] > l->cpus_range[1])    /* S17 */
			error(v, sub(p, sizeof(p), kpath, ".cpus_range"),
			      "invalid cpus_range (%llu, %llu): min is above max",
			      (unsigned long long)l->cpus_range[0], (unsigned long long)l->cpus_range[1]);
		if (l->has_cpus_range && l->has_cpus_range_frac)    /* L9, X1 */
			error(v, sub(p, sizeof(p), kpath, ".cpus_range_frac"),
			      "cpus_range and cpus_range_frac cannot both be set");
		if (l->has_cpus_range_frac) {
			const char *fp = sub(p, sizeof(p), kpath, ".cpus_range_frac");
			const double *f = l->cpus_range_frac;
			unsigned int nr_cpus = v->topo ? v->topo->nr_cpus : 0;

			if (!finite_in(f[0], 0, 1) || !finite_in(f[1], 0, 1)) {
				error(v, fp, "cpus_range_frac values must be between 0.0 and 1.0, not (%g, %g)",
				      f[0], f[1]);    /* L10, X1 */
			} else if (nr_cpus) {
				/* L11 as the reference resolves it: rounded, min >= 1, max in [1, nr_cpus]. */
				uint64_t lo = round_even(f[0] * nr_cpus), hi = round_even(f[1] * nr_cpus);

				lo = lo ? lo : 1;
				hi = hi ? (hi < nr_cpus ? hi : nr_cpus) : 1;
				if (lo > hi)
					error(v, fp, "invalid cpus_range_frac (%g, %g): on %u CPUs it is (%llu, %llu), min above max",
					      f[0], f[1], nr_cpus, (unsigned long long)lo, (unsigned long long)hi);
			} else if (f[0] > f[1]) {
				error(v, fp, "invalid cpus_range_frac (%g, %g): min is above max", f[0], f[1]);    /* L11 */
			}
		}
		if (l->kind == CFG_KIND_CONFINED && l->has_cpus_range && l->cpus_range[1] == 0)
			error(v, sub(p, sizeof(p), kpath, ".cpus_range"),
			      "a Confined layer needs at least 1 CPU: cpus_range max is 0");    /* L11 */
		if (l->has_membw_gb) {
			const char *mp = sub(p, sizeof(p), kpath, ".membw_gb");

			if (!isfinite(l->membw_gb) || l->membw_gb <= 0)
				error(v, mp, "membw_gb must be a number above 0, not %g", l->membw_gb);
			else if (!(v->flags & CFG_VALIDATE_APPLY))
				warning(v, mp, "membw_gb needs a memory-bandwidth PMU event the agent knows for this CPU; it is checked when applied");
			else if (!(v->flags & CFG_VALIDATE_MEMBW))    /* X8 */
				error(v, mp, "membw_gb: this machine's CPU has no memory-bandwidth event the agent can use");
		}
	} else if (l->util_peak_half_life_ms) {
		error(v, sub(p, sizeof(p), kpath, ".util_peak_half_life_ms"),
		      "util_peak_half_life_ms requires util_range, which Open layers do not have");    /* L13 */
	}

	if (!isfinite(l->yield_ignore) || l->yield_ignore < 0 || l->yield_ignore > 1)
		warning(v, sub(p, sizeof(p), kpath, ".yield_ignore"), "yield_ignore %g is outside [0, 1]",
			l->yield_ignore);
	if (!isfinite(l->xllc_mig_min_us) || l->xllc_mig_min_us < 0)
		error(v, sub(p, sizeof(p), kpath, ".xllc_mig_min_us"), "xllc_mig_min_us must be a number >= 0, not %g",
		      l->xllc_mig_min_us);
	for (int i = 0; i < 2; i++) {
		if (!isfinite(l->xnuma_threshold[i]))
			error(v, sub(p, sizeof(p), kpath, ".xnuma_threshold"), "xnuma_threshold must be finite numbers");
		if (!isfinite(l->xnuma_threshold_delta[i]))
			error(v, sub(p, sizeof(p), kpath, ".xnuma_threshold_delta"),
			      "xnuma_threshold_delta must be finite numbers");
	}
	if (l->weight > SCX_WEIGHT_MAX)
		warning(v, sub(p, sizeof(p), kpath, ".weight"), "weight %u is clamped to %d", l->weight,
			SCX_WEIGHT_MAX);
	if (l->preempt && (l->has_disallow_open_after_us || l->has_disallow_preempt_after_us))
		warning(v, sub(p, sizeof(p), kpath, "%s", l->has_disallow_open_after_us ?
						      ".disallow_open_after_us" : ".disallow_preempt_after_us"),
			"disallow_*_after_us is ignored on a preempt layer (always never)");
	if (l->idle_smt != CFG_UNSET)
		warning(v, sub(p, sizeof(p), kpath, ".idle_smt"), "idle_smt is deprecated and ignored");
	if (l->allow_node_aligned != CFG_UNSET)
		warning(v, sub(p, sizeof(p), kpath, ".allow_node_aligned"),
			"allow_node_aligned is deprecated and ignored");
	if (l->perf > UINT32_MAX)    /* L8 */
		error(v, sub(p, sizeof(p), kpath, ".perf"), "perf %llu does not fit in u32",
		      (unsigned long long)l->perf);
	else if (l->perf > 1024)
		warning(v, sub(p, sizeof(p), kpath, ".perf"), "perf %llu is above the maximum 1024",
			(unsigned long long)l->perf);
	if ((unsigned int)l->growth_algo >= CFG_NR_GROWTH)
		error(v, sub(p, sizeof(p), kpath, ".growth_algo"), "unknown growth algorithm %d", (int)l->growth_algo);
	if ((unsigned int)l->placement >= CFG_NR_PLACEMENTS)
		error(v, sub(p, sizeof(p), kpath, ".placement"), "unknown placement %d", (int)l->placement);

	/*
	 * Topology awareness is off with disable_topology or on a 1-node,
	 * 1-LLC machine (CONFIG.md 9). With virt_llc the LLC ids are those of
	 * the virtual LLCs, which only the agent can count.
	 */
	aware = !v->topo || (v->c->opts.disable_topology != CFG_TRUE &&
			     (v->topo->nr_nodes > 1 || v->topo->nr_llcs > 1));
	check_id_list(v, sub(p, sizeof(p), kpath, ".nodes"), "nodes", l->nodes, l->nr_nodes,
		      SCX_MAX_NUMA_NODES, v->topo ? v->topo->nr_nodes : 0, aware);
	check_id_list(v, sub(p, sizeof(p), kpath, ".llcs"), "llcs", l->llcs, l->nr_llcs, SCX_MAX_LLCS,
		      v->topo && !v->c->opts.has_virt_llc ? v->topo->nr_llcs : 0, aware);
}

static void check_layer(struct vctx *v, size_t li)
{
	const struct cfg_layer *l = &v->c->layers[li];
	char base[64], p[160];
	const char *why;

	cfg_layer_path(v->c, li, base, sizeof(base));
	sub(p, sizeof(p), base, ".name");
	if (!l->name || l->name_len == 0)
		error(v, p, "a layer needs a non-empty name");
	else if ((why = bad_string(l->name, l->name_len)))
		error(v, p, "the layer name %s", why);    /* X5 */
	else if (l->name_len >= SCX_MAX_LAYER_NAME)    /* X4 */
		error(v, p, "the layer name is %zu bytes long; at most %d fit", l->name_len,
		      SCX_MAX_LAYER_NAME - 1);
	else
		for (size_t o = 0; o < li; o++)
			if (v->c->layers[o].name && v->c->layers[o].name_len == l->name_len &&
			    memcmp(v->c->layers[o].name, l->name, l->name_len) == 0) {
				error(v, p, "layer name \"%s\" is already used by layer %zu", l->name, o);
				break;
			}
	if (l->comment && (why = bad_string(l->comment, strlen(l->comment))))
		error(v, sub(p, sizeof(p), base, ".comment"), "the comment %s", why);
	else if (l->comment && strlen(l->comment) > CFG_MAX_PATH_STR)
		error(v, sub(p, sizeof(p), base, ".comment"), "the comment is %zu bytes long; at most %d",
		      strlen(l->comment), CFG_MAX_PATH_STR);
	if (l->has_template) {
		const struct cfg_match *t = &l->template_match;

		/* X6 */
		sub(p, sizeof(p), base, ".template");
		if (t->kind != CFG_M_CGROUP_SUFFIX && t->kind != CFG_M_CGROUP_REGEX) {
			error(v, p, "a template must be CgroupSuffix or CgroupRegex, not %s", cfg_match_name(t->kind));
		} else if (!t->str) {
			error(v, p, "the template has no string");
		} else if ((why = bad_string(t->str, t->len))) {
			error(v, p, "the template's string %s", why);
		} else if (t->len > CFG_MAX_PATH_STR) {
			error(v, p, "the template's string is %zu bytes long; at most %d", t->len, CFG_MAX_PATH_STR);
		} else if (t->kind == CFG_M_CGROUP_REGEX) {
			(void)regex_ok(v, sub(p, sizeof(p), base, ".template.CgroupRegex"), t->str, t->len);
		}
		/* What expansion will do, as far as it can be known without the cgroup tree. */
		sub(p, sizeof(p), base, ".template");
		if (li + 1 == v->c->nr_layers)
			warning(v, p, "a template on the last layer: once it picks a cgroup, the layers made from it are not the catch-all [[]]");
		else if (v->c->nr_layers >= SCX_MAX_LAYERS)
			warning(v, p, "the config already has %d layers: a template that picks more than one cgroup goes over the limit",
				SCX_MAX_LAYERS);
		if (l->name && l->name_len + CFG_TEMPLATE_SUFFIX >= SCX_MAX_LAYER_NAME &&
		    l->name_len < SCX_MAX_LAYER_NAME)
			warning(v, sub(p, sizeof(p), base, ".name"),
				"the template appends up to %d bytes of the cgroup's path to this %zu-byte name: the result may pass the limit of %d",
				CFG_TEMPLATE_SUFFIX, l->name_len, SCX_MAX_LAYER_NAME - 1);
	}
	check_matches(v, base, li);
	check_kind(v, base, l);
}

static void check_options(struct vctx *v)
{
	const struct cfg_options *o = &v->c->opts;
	const char *b = "$.options";
	const char *why;
	char p[96];

	if (o->hi_fb_thread_name && (why = bad_string(o->hi_fb_thread_name, strlen(o->hi_fb_thread_name))))
		error(v, sub(p, sizeof(p), b, ".hi_fb_thread_name"), "hi_fb_thread_name %s", why);
	else if (o->hi_fb_thread_name && strlen(o->hi_fb_thread_name) >= SCX_MAX_COMM)    /* X2 */
		error(v, sub(p, sizeof(p), b, ".hi_fb_thread_name"),
		      "hi_fb_thread_name is %zu bytes long; a task name has at most 15",
		      strlen(o->hi_fb_thread_name));
	if (o->task_hint_map && o->task_hint_map[0]) {
		size_t len = strlen(o->task_hint_map);

		sub(p, sizeof(p), b, ".task_hint_map");
		if ((why = bad_string(o->task_hint_map, len)))
			error(v, p, "task_hint_map %s", why);
		else if (o->task_hint_map[0] != '/' || len >= CFG_MAX_PATH_STR)
			error(v, p, "task_hint_map must be an absolute path (under a BPF file system) shorter than %d bytes",
			      CFG_MAX_PATH_STR);
	}
	if (o->slice_us == 0)
		error(v, sub(p, sizeof(p), b, ".slice_us"), "slice_us must be above 0");
	if (!isfinite(o->interval) || o->interval <= 0 || o->interval > 3600)
		error(v, sub(p, sizeof(p), b, ".interval"), "interval must be in (0, 3600] seconds, not %g",
		      o->interval);
	if (!isfinite(o->lo_fb_share) || o->lo_fb_share < 0 || o->lo_fb_share > 1)
		error(v, sub(p, sizeof(p), b, ".lo_fb_share"), "lo_fb_share must be in [0, 1], not %g",
		      o->lo_fb_share);
	if (o->gpu_kprobe_level < 1 || o->gpu_kprobe_level > 3)
		error(v, sub(p, sizeof(p), b, ".gpu_kprobe_level"), "gpu_kprobe_level must be 1, 2 or 3, not %u",
		      o->gpu_kprobe_level);
	if (o->gpu_affinitize_secs == 0)
		error(v, sub(p, sizeof(p), b, ".gpu_affinitize_secs"), "gpu_affinitize_secs must be at least 1");
	if (o->has_virt_llc && (o->virt_llc[0] < 1 || o->virt_llc[0] > o->virt_llc[1] ||
				o->virt_llc[1] > SCX_MAX_CPUS))
		error(v, sub(p, sizeof(p), b, ".virt_llc"),
		      "virt_llc [%llu, %llu]: cores per virtual LLC, 1 <= min <= max <= %d",
		      (unsigned long long)o->virt_llc[0], (unsigned long long)o->virt_llc[1], SCX_MAX_CPUS);
	if (o->nr_gpu_probe_symbols > CFG_MAX_GPU_SYMBOLS)
		error(v, sub(p, sizeof(p), b, ".gpu_probe_symbols"), "%zu symbols; at most %d",
		      o->nr_gpu_probe_symbols, CFG_MAX_GPU_SYMBOLS);
	else if (o->nr_gpu_probe_symbols && !o->gpu_probe_symbols)
		error(v, sub(p, sizeof(p), b, ".gpu_probe_symbols"), "%zu symbols announced, none given",
		      o->nr_gpu_probe_symbols);
	else
		for (size_t i = 0; i < o->nr_gpu_probe_symbols; i++) {
			const char *s = o->gpu_probe_symbols[i];
			size_t len = s ? strnlen(s, CFG_MAX_SYMBOL_LEN) : 0;
			bool ok = len > 0 && len < CFG_MAX_SYMBOL_LEN;

			for (size_t k = 0; ok && k < len; k++)
				ok = (s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
				     (s[k] >= '0' && s[k] <= '9') || s[k] == '_' || s[k] == '.';
			if (!ok)
				error(v, sub(p, sizeof(p), b, ".gpu_probe_symbols[%zu]", i),
				      "not a kernel symbol name: letters, digits, '_' and '.', 1 to %d bytes",
				      CFG_MAX_SYMBOL_LEN - 1);
		}
}

int cfg_validate(const struct cfg *c, const struct cfg_topo *topo, unsigned int flags,
		 struct cfg_diags *d)
{
	struct vctx v = { .c = c, .topo = topo, .flags = flags, .d = d };
	size_t before = d->nr_errors;

	check_options(&v);
	if (c->nr_layers == 0) {
		error(&v, c->object_form ? "$.layers" : "$", "no layer: a config needs at least one layer");    /* S1 */
		return v.err ? v.err : (int)(d->nr_errors - before);
	}
	if (!c->layers) {
		error(&v, c->object_form ? "$.layers" : "$", "%zu layers announced, none given", c->nr_layers);
		return v.err ? v.err : (int)(d->nr_errors - before);
	}
	if (c->nr_layers > SCX_MAX_LAYERS)    /* S2 */
		error(&v, c->object_form ? "$.layers" : "$", "%zu layers; at most %d", c->nr_layers,
		      SCX_MAX_LAYERS);
	/* Every layer's own problems too, up to a bound a hostile count cannot stretch. */
	for (size_t i = 0; i < c->nr_layers && i < CFG_MAX_CHECKED_LAYERS; i++)
		check_layer(&v, i);
	check_hint_owners(&v);
	if (v.err)
		return v.err;
	return (int)(d->nr_errors - before);
}
