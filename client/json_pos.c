/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON paths -> positions in the text: the value a path names (or its
 * nearest ancestor in the document), the problems of a config sorted and
 * located, and which of the validator's problems a parse error makes
 * meaningless. Paths are those of json.h; the tree is json.c's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/json.h"
#include "client/json_int.h"
#include "common/banned.h"


/* The value of 4 hex digits at p, or UINT32_MAX. */
static unsigned int hex4(const char *p)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return UINT32_MAX;
	}
	return v;
}

/*
 * Split a path into components: ends[i] is the length of the path up to
 * and including component i. Returns the number of components; parsing
 * stops at anything it does not understand.
 */
static size_t path_split(const char *p, size_t *ends, size_t max)
{
	size_t n = 0, i = 1;

	if (p[0] != '$')
		return 0;
	while (p[i] && n < max) {
		if (p[i] == '.') {
			size_t k = i + 1;

			while ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z') ||
			       (p[k] >= '0' && p[k] <= '9') || p[k] == '_')
				k++;
			if (k == i + 1)
				break;
			i = k;
		} else if (p[i] == '[' && p[i + 1] == '"') {
			size_t k = i + 2;

			while (p[k] && p[k] != '"')
				k += p[k] == '\\' && p[k + 1] ? 2 : 1;
			if (p[k] != '"' || p[k + 1] != ']')
				break;
			i = k + 2;
		} else if (p[i] == '[') {
			size_t k = i + 1;

			while (p[k] >= '0' && p[k] <= '9')
				k++;
			if (k == i + 1 || p[k] != ']')
				break;
			i = k + 1;
		} else {
			break;
		}
		ends[n++] = i;
	}
	return n;
}

/* Undo put_escaped for one quoted key (s .. s + len); into buf. */
static size_t unescape_key(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			if (s[i + 1] == 'u' && i + 5 < len) {
				unsigned int v = hex4(s + i + 2);

				buf[o++] = v < 0x80 ? (char)v : '?';
				i += 5;
			} else {
				buf[o++] = s[++i];
			}
		} else {
			buf[o++] = s[i];
		}
	}
	buf[o] = '\0';
	return o;
}

/* The node at path, or its nearest ancestor in the document. */
static const struct json_node *path_lookup(const struct json_node *root, const char *path)
{
	size_t ends[JSON_MAX_DEPTH + 2];
	size_t n = path_split(path, ends, JSON_MAX_DEPTH + 2), start = 1;
	const struct json_node *cur = root;

	for (size_t c = 0; c < n && cur; start = ends[c++]) {
		const char *s = path + start;
		const struct json_node *next = NULL;

		if (s[0] == '[' && s[1] != '"') {
			size_t idx = (size_t)strtoull(s + 1, NULL, 10);

			if (cur->type == JSON_ARRAY && idx < cur->n)
				for (next = cur->first; next && next->idx != idx; next = next->next)
					;
		} else if (cur->type == JSON_OBJECT) {
			char key[JSON_PATH_MAX];
			size_t klen;

			if (s[0] == '.') {
				klen = ends[c] - start - 1;
				memcpy(key, s + 1, klen);
			} else {
				klen = unescape_key(s + 2, ends[c] - start - 4, key, sizeof(key));
			}
			for (next = cur->first; next; next = next->next)
				if (!next->dup && next->keylen == klen &&
				    memcmp(next->key, key, klen) == 0)
					break;
		}
		if (!next)
			break;
		cur = next;
	}
	return cur;
}

/* ------------------------------------------------------------- positions */

/* 1-based line and byte column of offset off, counting from (from, line, col). */
static void advance(const char *text, size_t from, size_t off, unsigned int *line,
		    unsigned int *col)
{
	for (size_t i = from; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int json_posmap_find(const struct json_posmap *pm, const char *path, unsigned int *ret_line,
		     unsigned int *ret_col)
{
	unsigned int line = 1, col = 1;
	size_t off;

	if (!pm->root)
		return -ENOENT;
	off = path_lookup(pm->root, path)->off;
	advance(pm->text, 0, off < pm->len ? off : pm->len, &line, &col);
	*ret_line = line;
	*ret_col = col;
	return 0;
}


struct located {
	struct json_problem *p;
	size_t off;
};

static int cmp_located(const void *a, const void *b)
{
	const struct located *x = a, *y = b;

	if (x->p->have != y->p->have)
		return x->p->have ? 1 : -1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->p->order < y->p->order ? -1 : x->p->order > y->p->order;
}

static int cmp_own(const void *a, const void *b)
{
	const struct json_own_pos *x = a, *y = b;

	return x->msg < y->msg ? -1 : x->msg > y->msg;
}

struct json_problem *json_locate_problems(const struct cfg_diags *d, const struct json_posmap *pm)
{
	struct json_problem *v = calloc(d->n ? d->n : 1, sizeof(*v)), *sorted;
	struct located *loc = calloc(d->n ? d->n : 1, sizeof(*loc));
	struct json_own_pos *own = NULL;
	unsigned int line = 1, col = 1;
	size_t at = 0;

	if (!v || !loc)
		goto nomem;
	if (pm->n_own) {
		/* The parser's own problems, found by their message string (owned by d). */
		own = malloc(pm->n_own * sizeof(*own));
		if (!own)
			goto nomem;
		memcpy(own, pm->own, pm->n_own * sizeof(*own));
		qsort(own, pm->n_own, sizeof(*own), cmp_own);
	}
	for (size_t i = 0; i < d->n; i++) {
		struct json_own_pos key = { .msg = d->v[i].msg };
		const struct json_own_pos *o =
			own ? bsearch(&key, own, pm->n_own, sizeof(*own), cmp_own) : NULL;

		v[i].dg = &d->v[i];
		v[i].order = i;
		loc[i].p = &v[i];
		if (o) {
			loc[i].off = o->off;
			v[i].have = true;
		} else if (pm->root) {
			loc[i].off = path_lookup(pm->root, d->v[i].path)->off;
			v[i].have = true;
		}
		if (loc[i].off > pm->len)
			loc[i].off = pm->len;
	}
	/* One pass over the text for all line numbers, in position order. */
	qsort(loc, d->n, sizeof(*loc), cmp_located);
	for (size_t i = 0; i < d->n; i++) {
		if (!loc[i].p->have)
			continue;
		advance(pm->text, at, loc[i].off, &line, &col);
		at = loc[i].off;
		loc[i].p->line = line;
		loc[i].p->col = col;
	}
	sorted = calloc(d->n ? d->n : 1, sizeof(*sorted));
	if (!sorted)
		goto nomem;
	for (size_t i = 0; i < d->n; i++)
		sorted[i] = *loc[i].p;
	free(own);
	free(loc);
	free(v);
	return sorted;
nomem:
	free(own);
	free(loc);
	free(v);
	return NULL;
}

/* ------------------------------------------------------------- shadowing */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool contains(char **v, size_t n, const char *s)
{
	return n && bsearch(&s, v, n, sizeof(*v), cmp_str) != NULL;
}

/* Components of a path that make up the document or one layer ("$", "$.layers", "$[i]", "$.layers[i]"). */
static size_t top_components(const char *path)
{
	return strncmp(path, "$.layers", 8) == 0 ? 2 : 1;
}

void json_drop_shadowed(struct cfg_diags *d, size_t nparse)
{
	char **down = NULL, **up = NULL;
	size_t ndown = 0, nup = 0, keep = nparse, ends[JSON_MAX_DEPTH + 2];

	if (nparse >= d->n)
		return;
	/* down: what the parser refused; up: their ancestors below the layer level. */
	down = malloc(nparse * sizeof(*down) + 1);
	up = malloc(nparse * (JSON_MAX_DEPTH + 2) * sizeof(*up) + 1);
	if (!down || !up)
		goto out;
	for (size_t k = 0; k < nparse; k++) {
		const char *p = d->v[k].path;
		size_t n;

		if (d->v[k].severity != CFG_ERROR)
			continue;
		down[ndown++] = d->v[k].path;
		n = path_split(p, ends, JSON_MAX_DEPTH + 2);
		/* Proper ancestors with more than the top components. */
		for (size_t c = top_components(p) + 1; c < n; c++) {
			char *a = strndup(p, ends[c - 1]);

			if (!a)
				goto out;
			up[nup++] = a;
		}
	}
	qsort(down, ndown, sizeof(*down), cmp_str);
	qsort(up, nup, sizeof(*up), cmp_str);
	for (size_t i = nparse; i < d->n; i++) {
		const char *p = d->v[i].path;
		size_t n = path_split(p, ends, JSON_MAX_DEPTH + 2);
		bool shadowed = contains(down, ndown, p) || contains(up, nup, p);

		/* Below a refused value? Try each proper ancestor of p. */
		for (size_t c = 0; !shadowed && c + 1 < n; c++) {
			char a[JSON_PATH_MAX];

			if (ends[c] >= sizeof(a))
				break;
			memcpy(a, p, ends[c]);
			a[ends[c]] = '\0';
			shadowed = contains(down, ndown, a);
		}
		/* A document the parser refused as a whole ("$") has nothing to add. */
		if (!shadowed && contains(down, ndown, "$"))
			shadowed = true;
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
out:
	for (size_t i = 0; i < nup; i++)
		free(up[i]);
	free(up);
	free(down);
}
