/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Model -> JSON (scxctl get-config), with json_decode.c's field tables:
 * what this prints, json_parse_config() reads back to the same model.
 * Fields at their defaults and unset optional fields are left out, so the
 * output looks like what an operator writes. Floats are printed in the
 * shortest form that reads back to the same double.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/json.h"
#include "client/json_int.h"
#include "common/banned.h"

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
	for (;;) {
		size_t room = o->cap - o->len;

		va_start(ap, fmt);
		n = vsnprintf(o->buf ? o->buf + o->len : NULL, o->buf ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->nomem = true;
			return;
		}
		if (o->buf && (size_t)n < room) {
			o->len += (size_t)n;
			return;
		}
		{
			size_t cap = (o->cap + (size_t)n + 1) * 2;
			char *b = realloc(o->buf, cap < 4096 ? 4096 : cap);

			if (!b) {
				o->nomem = true;
				return;
			}
			o->buf = b;
			o->cap = cap < 4096 ? 4096 : cap;
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
		else if (ch < 0x20 || ch == 0x7f)
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

static size_t value_size(enum json_ftype t)
{
	switch (t) {
	case F_U64:
	case F_OPT_U64:
		return sizeof(uint64_t);
	case F_U32:
	case F_OPT_U32:
		return sizeof(uint32_t);
	case F_F64:
	case F_OPT_F64:
		return sizeof(double);
	case F_BOOL:
		return sizeof(bool);
	case F_TRI:
		return sizeof(enum cfg_tristate);
	case F_PAIR_F64:
	case F_OPT_PAIR_F64:
		return 2 * sizeof(double);
	case F_OPT_PAIR_U64:
		return 2 * sizeof(uint64_t);
	case F_GROWTH:
		return sizeof(enum cfg_growth);
	case F_PLACEMENT:
		return sizeof(enum cfg_placement);
	default:
		return 0;
	}
}

/* Is field f of base at its default (dflt), or unset? Then it is left out. */
static bool is_default(const void *base, const void *dflt, const struct json_field *f)
{
	const char *p = (const char *)base + f->off;

	switch (f->type) {
	case F_STR:
		return !*(char *const *)p || !**(char *const *)p;
	case F_U64_LIST:
	case F_STR_LIST:
		return *(const size_t *)((const char *)base + f->has_off) == 0;
	default:
		break;
	}
	if (f->has_off != JSON_NO_HAS)
		return !*(const bool *)((const char *)base + f->has_off);
	return memcmp(p, (const char *)dflt + f->off, value_size(f->type)) == 0;
}

static void emit_value(struct out *o, const void *base, const struct json_field *f)
{
	const char *p = (const char *)base + f->off;
	bool list = f->type == F_U64_LIST || f->type == F_STR_LIST;
	size_t n = list ? *(const size_t *)((const char *)base + f->has_off) : 0;

	switch (f->type) {
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
	case F_U64_LIST:
		emit(o, "[");
		for (size_t i = 0; i < n; i++)
			emit(o, "%s%llu", i ? ", " : "",
			     (unsigned long long)(*(uint64_t *const *)p)[i]);
		emit(o, "]");
		break;
	case F_GROWTH:
		emit(o, "\"%s\"", cfg_growth_name(*(const enum cfg_growth *)p));
		break;
	case F_PLACEMENT:
		emit(o, "\"%s\"", cfg_placement_name(*(const enum cfg_placement *)p));
		break;
	case F_STR:
		emit_str(o, *(char *const *)p, strlen(*(char *const *)p));
		break;
	case F_STR_LIST:
		emit(o, "[");
		for (size_t i = 0; i < n; i++) {
			const char *s = (*(char **const *)p)[i];

			emit(o, "%s", i ? ", " : "");
			emit_str(o, s ? s : "", s ? strlen(s) : 0);
		}
		emit(o, "]");
		break;
	}
}

static void emit_fields(struct out *o, const void *base, const void *dflt,
			const struct json_field *tab, size_t ntab, unsigned int kind_bit,
			const char *indent)
{
	bool first = true;

	for (size_t i = 0; i < ntab; i++) {
		if ((kind_bit && !(tab[i].kinds & kind_bit)) || is_default(base, dflt, &tab[i]))
			continue;
		emit(o, "%s\n%s\"%s\": ", first ? "" : ",", indent, tab[i].name);
		emit_value(o, base, &tab[i]);
		first = false;
	}
	if (!first)
		emit(o, "\n%.*s", (int)(strlen(indent) - 2), indent);
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

static void emit_layer(struct out *o, const struct cfg_layer *l, const struct cfg_layer *dflt,
		       const char *ind)
{
	char fi[16];

	emit(o, "%s{\n%s  \"name\": ", ind, ind);
	emit_str(o, l->name ? l->name : "", l->name ? l->name_len : 0);
	if (l->comment) {
		emit(o, ",\n%s  \"comment\": ", ind);
		emit_str(o, l->comment, strlen(l->comment));
	}
	if (l->has_template) {
		emit(o, ",\n%s  \"template\": ", ind);
		emit_match(o, &l->template_match);
	}
	emit(o, ",\n%s  \"matches\": [", ind);
	for (size_t j = 0; j < l->nr_ors; j++) {
		emit(o, "%s[", j ? ", " : "");
		for (size_t k = 0; k < l->ors[j].n; k++) {
			emit(o, "%s", k ? ", " : "");
			emit_match(o, &l->ors[j].m[k]);
		}
		emit(o, "]");
	}
	emit(o, "],\n%s  \"kind\": {\"%s\": {", ind, cfg_kind_name(l->kind));
	snprintf(fi, sizeof(fi), "%s    ", ind);
	if ((unsigned int)l->kind < CFG_NR_KINDS)
		emit_fields(o, l, dflt, json_layer_fields, json_nr_layer_fields, 1u << l->kind, fi);
	emit(o, "}}\n%s}", ind);
}

static bool options_default(const struct cfg_options *opts, const struct cfg_options *dflt)
{
	for (size_t i = 0; i < json_nr_option_fields; i++)
		if (!is_default(opts, dflt, &json_option_fields[i]))
			return false;
	return true;
}

char *json_format_config(const struct cfg *c)
{
	struct cfg_options dopts;
	struct cfg_layer dlayer;
	struct out o = { 0 };
	bool object_form;
	const char *ind;

	cfg_options_init(&dopts);
	cfg_layer_init(&dlayer);
	object_form = c->object_form || !options_default(&c->opts, &dopts);
	ind = object_form ? "    " : "  ";
	if (object_form) {
		emit(&o, "{\n  \"options\": {");
		emit_fields(&o, &c->opts, &dopts, json_option_fields, json_nr_option_fields, 0,
			    "    ");
		emit(&o, "},\n  \"layers\": [");
	} else {
		emit(&o, "[");
	}
	for (size_t i = 0; i < c->nr_layers; i++) {
		emit(&o, "%s\n", i ? "," : "");
		emit_layer(&o, &c->layers[i], &dlayer, ind);
	}
	emit(&o, "\n%s]%s\n", object_form ? "  " : "", object_form ? "\n}" : "");
	if (o.nomem) {
		free(o.buf);
		return NULL;
	}
	return o.buf;
}

void json_print_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}
