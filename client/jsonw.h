/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_CLIENT_JSONW_H
#define SCX_CLIENT_JSONW_H

/*
 * A small streaming JSON writer for scxctl --json documents: commas and
 * nesting are tracked, strings escaped, non-finite numbers become null.
 * key is the member name inside an object, NULL inside an array or at the
 * top. One document per jw_begin()/jw_end().
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

struct jw {
	FILE *f;
	int depth;
	bool first[JW_MAX_DEPTH];
};

void jw_begin(struct jw *w, FILE *f);
/* Ends the document with a newline and flushes. */
void jw_end(struct jw *w);
void jw_obj(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
/* NULL s is null. */
void jw_str(struct jw *w, const char *key, const char *s);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_uint(struct jw *w, const char *key, uint64_t v);
void jw_double(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);

#endif
