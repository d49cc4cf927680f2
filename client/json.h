/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_CLIENT_JSON_H
#define SCX_CLIENT_JSON_H

/*
 * JSON <-> configuration model, with the source position of every value.
 * Only scxctl parses JSON; the agent receives the typed model.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/config.h"

/* JSON path -> byte offset of the value in the text, for every value read. */
struct json_posmap {
	struct json_pos {
		size_t path;   /* offset of the NUL-terminated path in arena */
		size_t off;
	} *v;
	size_t n, cap;
	char *arena;
	size_t arena_len, arena_cap;
	const char *text;   /* not owned: the parsed text, for line/column */
	size_t len;
	/* Offset + 1 of the parser's own diags, by index in the diags (0: none). */
	size_t *diag_off;
	size_t n_diag_off;
};

/*
 * Parse text (len bytes, need not be NUL-terminated) in either form (the
 * bare scx_layered array or {"options", "layers"}) into a new model
 * (*ret_cfg, cfg_free()). Syntax errors, type errors, duplicate keys and
 * unknown keys (warnings) are added to d with their JSON path, and their
 * offsets to pm. Returns 0 when the text is JSON and a model was built:
 * values with type errors are left at their defaults and the errors are in
 * d (d->nr_errors), so that the validator can still report everything
 * else. Returns -EINVAL when the text is not JSON (the error is in d), or
 * -ENOMEM.
 */
int json_parse_config(const char *text, size_t len, struct cfg **ret_cfg, struct cfg_diags *d,
		      struct json_posmap *pm);

/*
 * The 1-based line and column (in bytes) of the value at path: the exact
 * path if it was read, else its nearest recorded ancestor. Returns 0, or
 * -ENOENT when nothing along the path was recorded.
 */
int json_posmap_find(const struct json_posmap *pm, const char *path, unsigned int *ret_line,
		     unsigned int *ret_col);
void json_posmap_release(struct json_posmap *pm);

/*
 * Drop what the validator said (d->v[nparse..]) about values the parser
 * already refused (errors in d->v[0..nparse) at the same path, an ancestor
 * or a descendant): a value that failed to parse was left at its default,
 * and the validator's view of that default would only mislead.
 */
void json_drop_shadowed(struct cfg_diags *d, size_t nparse);

struct json_problem {
	const struct cfg_diag *dg;
	unsigned int line, col;   /* valid when have */
	bool have;
	size_t order;             /* index in the diags */
};

/*
 * The problems of d with their positions in pm, sorted by position (those
 * without one first). Returns a new array of d->n entries (free()), NULL
 * for ENOMEM.
 */
struct json_problem *json_locate_problems(const struct cfg_diags *d, const struct json_posmap *pm);

/*
 * The model as JSON that json_parse_config() reads back to the same model
 * (object form when options differ from the defaults or c->object_form).
 * Returns a new NUL-terminated string (free()) or NULL for ENOMEM.
 */
char *json_format_config(const struct cfg *c);

/* Print s as a JSON string literal (quoted, escaped). */
void json_print_string(FILE *f, const char *s);

#endif
