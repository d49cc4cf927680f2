/* SPDX-License-Identifier: GPL-2.0-only */
#include <inttypes.h>
#include <math.h>

#include "client/jsonw.h"

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* The separator and the key of the next value. */
static void next(struct jw *w, const char *key)
{
	if (w->depth > 0) {
		if (!w->first[w->depth - 1])
			fputs(", ", w->f);
		w->first[w->depth - 1] = false;
	}
	if (key) {
		put_string(w->f, key);
		fputs(": ", w->f);
	}
}

void jw_begin(struct jw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
}

void jw_end(struct jw *w)
{
	fputc('\n', w->f);
	fflush(w->f);
}

static void open_(struct jw *w, const char *key, char c)
{
	next(w, key);
	fputc(c, w->f);
	if (w->depth < JW_MAX_DEPTH)
		w->first[w->depth] = true;
	w->depth++;
}

static void close_(struct jw *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj(struct jw *w, const char *key)
{
	open_(w, key, '{');
}

void jw_obj_end(struct jw *w)
{
	close_(w, '}');
}

void jw_arr(struct jw *w, const char *key)
{
	open_(w, key, '[');
}

void jw_arr_end(struct jw *w)
{
	close_(w, ']');
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	next(w, key);
	if (s)
		put_string(w->f, s);
	else
		fputs("null", w->f);
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	next(w, key);
	fprintf(w->f, "%" PRId64, v);
}

void jw_uint(struct jw *w, const char *key, uint64_t v)
{
	next(w, key);
	fprintf(w->f, "%" PRIu64, v);
}

void jw_double(struct jw *w, const char *key, double v)
{
	next(w, key);
	if (isfinite(v))
		fprintf(w->f, "%.6g", v);
	else
		fputs("null", w->f);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	next(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	next(w, key);
	fputs("null", w->f);
}
