/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_CLIENT_JSON_INT_H
#define SCX_CLIENT_JSON_INT_H

/*
 * Private to client/json*.c: the parse tree (json.c builds it), the
 * decoder's state and the field tables (json_decode.c decodes with them,
 * json_emit.c prints with them, so the two directions cannot drift).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/json.h"
#include "common/config.h"

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/*
 * One value; the whole tree lives in one arena owned by the posmap.
 * Offsets and lengths are 32-bit: scxctl reads at most 16 MiB of text.
 */
struct json_node {
	const char *s;            /* string: decoded bytes (not NUL-terminated); number: raw text (NUL-terminated) */
	const char *key;          /* member of an object: its decoded key (not NUL-terminated) */
	const struct json_node *parent;
	struct json_node *next;   /* the next element or member */
	struct json_node *first;  /* JSON_ARRAY, JSON_OBJECT: elements or members, in order */
	uint32_t off;             /* offset of the value's first byte in the text */
	uint32_t len;             /* of s */
	uint32_t keylen;
	uint32_t keyoff;          /* offset of the key's opening quote */
	uint32_t idx;             /* its index among its parent's elements or members */
	uint32_t n;               /* JSON_ARRAY, JSON_OBJECT: how many */
	unsigned char type;       /* enum json_type */
	bool b;                   /* JSON_BOOL */
	bool dup;                 /* a member whose key an earlier member of its object has */
};

#define JSON_PATH_MAX 1024
#define JSON_MAX_DEPTH 64      /* nesting the parser takes */

/* The decoder's state. Paths come from the tree (each node knows its parent). */
struct json_dec {
	struct cfg_diags *d;
	struct json_posmap *pm;   /* where the parser's own problems' offsets go */
	int err;                  /* -ENOMEM once an allocation failed */
};

/*
 * Add a problem about node n (or, with member, about its missing member
 * of that name) at n's path, shown at offset off of the text (n->off,
 * n->keyoff, or a member's key).
 */
void json_report(struct json_dec *x, enum cfg_severity sev, const struct json_node *n,
		 const char *member, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* key (len bytes) for a message: JSON escapes, cut after 64 bytes; returns buf. */
const char *json_key_text(char *buf, size_t size, const char *key, size_t len);

/* Decode the tree of a parsed document into c (json_decode.c). */
void json_decode_config(struct json_dec *x, const struct json_node *root, struct cfg *c);

enum json_ftype {
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

#define JSON_NO_HAS ((size_t)-1)

/* A field of struct cfg_layer or struct cfg_options as it is written in JSON. */
struct json_field {
	const char *name;
	enum json_ftype type;
	size_t off;
	size_t has_off;           /* offset of its has_* flag or count, or JSON_NO_HAS */
	unsigned int kinds;       /* layer fields: bit (1 << enum cfg_kind) for each kind that has it */
};

extern const struct json_field json_layer_fields[];
extern const size_t json_nr_layer_fields;
extern const struct json_field json_option_fields[];
extern const size_t json_nr_option_fields;

#endif
