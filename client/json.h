/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_CLIENT_JSON_H
#define SCX_CLIENT_JSON_H

/*
 * JSON <-> configuration model, with the source position of every value.
 * Only scxctl parses JSON; the agent receives the typed model.
 *
 * Paths: "$" is the document; ".key" a member whose key is an identifier
 * ([A-Za-z_][A-Za-z0-9_]*), ["key"] any other member (the key as a JSON
 * string); "[i]" an element. The model's problems (common/config.h) use
 * the same scheme, so either side's paths can be located in the text.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/config.h"

struct json_arena;
struct json_node;

/*
 * What is needed to show problems at their place in the text: the parse
 * tree (every value with its offset) and the exact offsets of the
 * parser's own problems. Zero-initialise; json_parse_config() fills it;
 * json_posmap_release() frees it. The text is not copied: it must outlive
 * the posmap's use.
 */
struct json_posmap {
	const char *text;
	size_t len;
	struct json_arena *arena;
	const struct json_node *root;
	struct json_own_pos {
		const char *msg;      /* identifies the diag (its message string) */
		size_t off;
	} *own;
	size_t n_own, cap_own;
};

/*
 * Parse text (len bytes, need not be NUL-terminated) in either form (the
 * bare scx_layered array or {"options", "layers"}) into a new model
 * (*ret_cfg, cfg_free()). Syntax errors, type errors, duplicate keys and
 * unknown keys (warnings) are added to d with their JSON path, and, when
 * pm is not NULL, their offsets to pm. Returns 0 when the text is JSON and
 * a model was built: values with type errors are left at their defaults
 * (a list or pair with a bad element is left out whole; a bad matcher
 * keeps its place so that later indices stay those of the file) and the
 * errors are in d (d->nr_errors), so that the validator can still report
 * everything else. Returns -EINVAL when the text is not JSON (the error
 * is in d), or -ENOMEM.
 */
int json_parse_config(const char *text, size_t len, struct cfg **ret_cfg, struct cfg_diags *d,
		      struct json_posmap *pm);

/*
 * The 1-based line and column (in bytes) of the value at path: the exact
 * path if it is in the document, else its nearest ancestor that is.
 * Returns 0, or -ENOENT when pm holds no document.
 */
int json_posmap_find(const struct json_posmap *pm, const char *path, unsigned int *ret_line,
		     unsigned int *ret_col);
void json_posmap_release(struct json_posmap *pm);

/*
 * Drop what the validator said (d->v[nparse..]) about values the parser
 * already refused (errors in d->v[0..nparse)): at the same path or below
 * it, or above it within a layer (a value that failed to parse was left
 * at its default, and the validator's view of that default would only
 * mislead). Problems of the whole document or of a layer count ("$",
 * "$.layers", "$[i]") are kept.
 */
void json_drop_shadowed(struct cfg_diags *d, size_t nparse);

struct json_problem {
	const struct cfg_diag *dg;
	unsigned int line, col;   /* valid when have */
	bool have;
	size_t order;             /* index in the diags */
};

/*
 * The problems of d with their positions in pm (the parser's own problems
 * at their exact offsets, the others by path), sorted by position, those
 * without one first. Returns a new array of d->n entries (free()), NULL
 * for ENOMEM.
 */
struct json_problem *json_locate_problems(const struct cfg_diags *d, const struct json_posmap *pm);

/*
 * The model as JSON that json_parse_config() reads back to the same model:
 * the object form when c->object_form or an option is not at its default,
 * else the bare array; fields equal to their defaults and unset optional
 * fields are left out. Returns a new NUL-terminated string (free()) or
 * NULL for ENOMEM.
 */
char *json_format_config(const struct cfg *c);

/* Print s as a JSON string literal (quoted, escaped). */
void json_print_string(FILE *f, const char *s);

#endif
