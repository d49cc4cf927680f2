/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON text -> a parse tree where every value knows its position and its
 * path; the parser's own problems. json_decode.c turns the tree into the
 * model, json_pos.c finds values by path, json_emit.c prints the model.
 *
 * Why yajl (libyajl2): the validator reports problems by JSON path, and
 * every one of them must be shown as FILE:LINE:COL, so we need the
 * position of every value, not only of syntax errors. jansson builds a
 * tree and rejects duplicate keys, but keeps a position only for its one
 * parse error; json-c keeps none; jsmn gives token offsets but accepts
 * invalid JSON (bare words, missing commas) and leaves strings undecoded.
 * yajl is a streaming parser that calls back for every value and tells how
 * many bytes it has consumed at that point, so each node of our tree gets
 * the offset of its first byte; numbers arrive as raw text (yajl_number),
 * so integer fields can refuse 1.0 and 1e3 and check their range exactly;
 * duplicate keys reach us one by one, and we report them with their
 * paths. With its defaults (set explicitly below) it refuses comments,
 * trailing commas, single quotes, NaN/Infinity, a BOM, control characters
 * in strings, trailing text and multiple top-level values. Where it is
 * more lenient than RFC 8259 and RFC 3629 we check first (strict_scan):
 * it takes form feed and vertical tab as whitespace, and its UTF-8 check
 * lets overlong forms, encoded surrogates, code points past U+10FFFF and
 * lone \u surrogate escapes through.
 *
 * The tree lives in one arena (a few large allocations, freed at once):
 * a config at the limits has some 40000 values, and one malloc per value
 * used to cost more than the parse itself.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <yajl/yajl_parse.h>

#include "client/json.h"
#include "client/json_int.h"
#include "common/banned.h"

#define ARENA_CHUNK (64u * 1024u)
#define ARENA_CHUNK_MAX (4u * 1024u * 1024u)

/* ------------------------------------------------------------- arena */

struct json_chunk {
	struct json_chunk *next;
	size_t size;                /* of the mapping, this header included */
	unsigned char data[];
};

struct json_arena {
	struct json_chunk *chunks;
	unsigned char *cur;
	size_t left;
	size_t next_size;
};

/*
 * Chunks are mapped with MAP_POPULATE and double in size (64 KiB up to
 * 4 MiB): a big config's tree is a few MiB, and faulting its pages in one
 * by one cost more than building it (bench/README.md).
 */
static void *arena_alloc(struct json_arena *a, size_t size)
{
	void *p;

	if (size > SIZE_MAX / 4)
		return NULL;
	size = (size + 7) & ~(size_t)7;
	if (size > a->left) {
		size_t map = a->next_size ? a->next_size : ARENA_CHUNK;
		struct json_chunk *c;

		while (map < size + sizeof(*c))
			map *= 2;
		c = mmap(NULL, map, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (c == MAP_FAILED)
			return NULL;
		c->next = a->chunks;
		c->size = map;
		a->chunks = c;
		a->cur = c->data;
		a->left = map - sizeof(*c);
		if (map < ARENA_CHUNK_MAX)
			a->next_size = map * 2;
	}
	p = a->cur;
	a->cur += size;
	a->left -= size;
	return p;
}

static char *arena_strdup(struct json_arena *a, const void *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	if (p) {
		if (len)
			memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static void arena_free(struct json_arena *a)
{
	if (!a)
		return;
	while (a->chunks) {
		struct json_chunk *c = a->chunks;

		a->chunks = c->next;
		munmap(c, c->size);
	}
	free(a);
}

/* ------------------------------------------------------- strict scan */

static unsigned int hex4(const unsigned char *p, size_t avail)
{
	unsigned int v = 0;

	if (avail < 4)
		return UINT32_MAX;
	for (int i = 0; i < 4; i++) {
		unsigned char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return UINT32_MAX;
	}
	return v;
}

#define ONES	0x0101010101010101ull
#define HIGHS	0x8080808080808080ull

/* Are all 8 bytes at p printable ASCII other than '"' and '\\'? (word-at-a-time tests) */
static bool plain8(const unsigned char *p)
{
	uint64_t w, quote, bslash, low;

	memcpy(&w, p, sizeof(w));
	quote = w ^ (ONES * '"');
	bslash = w ^ (ONES * '\\');
	low = (w - ONES * 0x20) & ~w;                /* a byte below 0x20 */
	quote = (quote - ONES) & ~quote;            /* a zero byte: a quote */
	bslash = (bslash - ONES) & ~bslash;
	return !((low | quote | bslash | w) & HIGHS);
}

/*
 * What RFC 8259 and RFC 3629 refuse and yajl lets through (see the top).
 * Returns the offset of the first such byte, or len; *ret_msg says why.
 * Only meaningful up to yajl's own first error, which the caller compares.
 */
static size_t strict_scan(const char *text, size_t len, const char **ret_msg)
{
	const unsigned char *p = (const unsigned char *)text;
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c;

		/* Most bytes are plain: printable ASCII, not a quote or a backslash. Skip 8 at a time. */
		while (len - i >= 8 && plain8(p + i))
			i += 8;
		if (i == len)
			break;
		c = p[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
			continue;
		if (!in_str) {
			if (c == '"') {
				in_str = true;
			} else if (c == '\f' || c == '\v') {
				*ret_msg = "form feed and vertical tab are not JSON whitespace";
				return i;
			}
			continue;
		}
		if (c == '"') {
			in_str = false;
		} else if (c == '\\' && i + 1 < len && p[i + 1] == 'u') {
			unsigned int u = hex4(p + i + 2, len - i - 2);

			if (u >= 0xdc00 && u <= 0xdfff) {
				*ret_msg = "lone low surrogate in a \\u escape";
				return i;
			}
			if (u >= 0xd800 && u <= 0xdbff) {
				unsigned int v = i + 7 < len && p[i + 6] == '\\' && p[i + 7] == 'u'
							 ? hex4(p + i + 8, len - i - 8)
							 : UINT32_MAX;

				if (v < 0xdc00 || v > 0xdfff) {
					*ret_msg = "lone high surrogate in a \\u escape";
					return i;
				}
				i += 11;
			} else {
				i += 1;  /* yajl checks the hex digits */
			}
		} else if (c == '\\') {
			i++;
		} else if (c >= 0x80) {
			size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

			if (n > len - i || !cfg_utf8_valid(text + i, n)) {
				*ret_msg = "invalid UTF-8";
				return i;
			}
			i += n - 1;
		}
	}
	return len;
}

/* ------------------------------------------------------------- tree build */

struct jbuild {
	yajl_handle h;
	const char *text;
	size_t len;
	struct json_arena *a;
	struct json_node *root;
	struct json_node *stack[JSON_MAX_DEPTH];
	struct json_node *last[JSON_MAX_DEPTH];    /* the last child of each open container */
	int depth;
	const char *key;
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

static struct json_node *node(struct jbuild *b, enum json_type t, size_t off)
{
	struct json_node *n = arena_alloc(b->a, sizeof(*n));

	if (!n) {
		b->nomem = true;
		return NULL;
	}
	/* Zero already: arena memory is fresh from mmap and never reused. */
	n->type = (unsigned char)t;
	n->off = (uint32_t)off;
	return n;
}

/*
 * Bytes yajl hands us: in place when they lie in the text (a string
 * without escapes), else (yajl's decoding buffer, reused) a copy.
 */
static const char *keep(struct jbuild *b, const void *s, size_t len)
{
	const char *p = s;

	if (p >= b->text && len <= b->len && p - b->text <= (ptrdiff_t)(b->len - len))
		return p;
	return arena_strdup(b->a, s, len);
}

static int attach(struct jbuild *b, struct json_node *n)
{
	struct json_node *p;

	if (!n)
		return 0;
	if (b->depth == 0) {
		b->root = n;
		return 1;
	}
	p = b->stack[b->depth - 1];
	if (p->type == JSON_OBJECT) {
		n->key = b->key;
		n->keylen = (uint32_t)b->keylen;
		n->keyoff = (uint32_t)b->keyoff;
		b->key = NULL;
	}
	n->parent = p;
	n->idx = p->n++;
	if (b->last[b->depth - 1])
		b->last[b->depth - 1]->next = n;
	else
		p->first = n;
	b->last[b->depth - 1] = n;
	return 1;
}

static int cb_null(void *ctx)
{
	struct jbuild *b = ctx;

	return attach(b, node(b, JSON_NULL, consumed(b) - 4));
}

static int cb_bool(void *ctx, int v)
{
	struct jbuild *b = ctx;
	struct json_node *n = node(b, JSON_BOOL, consumed(b) - (v ? 4 : 5));

	if (n)
		n->b = v;
	return attach(b, n);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	struct jbuild *b = ctx;
	size_t end = consumed(b);
	struct json_node *n = node(b, JSON_NUMBER, end >= len ? end - len : 0);

	if (n) {
		n->s = arena_strdup(b->a, s, len);
		n->len = (uint32_t)len;
		if (!n->s) {
			b->nomem = true;
			return 0;
		}
	}
	return attach(b, n);
}

/* The opening quote of the string yajl hands us: right before it when it lies in the text. */
static size_t string_off(struct jbuild *b, const void *s, size_t len)
{
	const char *p = s;

	if (p > b->text && len <= b->len && p - b->text <= (ptrdiff_t)(b->len - len) &&
	    p[-1] == '"')
		return (size_t)(p - b->text) - 1;
	return string_start(b->text, consumed(b));
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct jbuild *b = ctx;
	struct json_node *n = node(b, JSON_STRING, string_off(b, s, len));

	if (n) {
		n->s = keep(b, s, len);
		n->len = (uint32_t)len;
		if (!n->s) {
			b->nomem = true;
			return 0;
		}
	}
	return attach(b, n);
}

static int open_container(struct jbuild *b, enum json_type t)
{
	struct json_node *n;

	if (b->depth == JSON_MAX_DEPTH) {
		b->too_deep = true;
		return 0;
	}
	n = node(b, t, consumed(b) - 1);
	if (!attach(b, n))
		return 0;
	b->last[b->depth] = NULL;
	b->stack[b->depth++] = n;
	return 1;
}

static int cb_start_map(void *ctx)
{
	return open_container(ctx, JSON_OBJECT);
}

static int cb_start_array(void *ctx)
{
	return open_container(ctx, JSON_ARRAY);
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

	b->key = keep(b, s, len);
	if (!b->key) {
		b->nomem = true;
		return 0;
	}
	b->keylen = len;
	b->keyoff = string_off(b, s, len);
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

/* A byte of a bare word or number token. */
static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '+' || c == '-';
}

/*
 * Where a yajl error is: yajl counts bytes up to the end of the token it
 * could not take (parse errors) or just past the byte it could not read
 * (most lexical errors), and nothing useful after yajl_complete_parse
 * (the input ended early). msg is yajl's message, "parse error: ..." or
 * "lexical error: ...".
 */
static size_t error_offset(const char *text, size_t len, size_t consumed, bool at_end,
			   const char *msg)
{
	size_t p;

	if (at_end || consumed > len)
		return len;
	if (consumed == 0)
		return 0;
	p = consumed - 1;
	if (strncmp(msg, "parse error", 11) == 0) {
		/* The unexpected token: a string, a word or number, or one character. */
		if (text[p] == ' ' || text[p] == '\t' || text[p] == '\n' || text[p] == '\r')
			return consumed;
		if (text[p] == '"')
			return string_start(text, consumed);
		while (p > 0 && is_word(text[p]) && is_word(text[p - 1]))
			p--;
		return p;
	}
	if (strstr(msg, "invalid string in json text")) {
		/* a word that is not true, false or null: its first letter */
		while (p > 0 && is_word(text[p - 1]) && text[p - 1] > '9')
			p--;
		return p;
	}
	if (strstr(msg, "invalid char in json text") || strstr(msg, "UTF8") ||
	    strstr(msg, "occurs before"))
		return p;
	return consumed;
}

/* ------------------------------------------------------------- paths */

static bool is_ident(const char *key, size_t len)
{
	if (len == 0 || (key[0] >= '0' && key[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

/* Append s to buf (size) at *pos, keeping buf NUL-terminated; truncates. */
static void put(char *buf, size_t size, size_t *pos, const char *s, size_t n)
{
	if (*pos + 1 >= size)
		return;
	if (n > size - 1 - *pos)
		n = size - 1 - *pos;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
}

/* key with JSON string escapes (no quotes), at most max bytes of it. */
static void put_escaped(char *buf, size_t size, size_t *pos, const char *key, size_t len,
			size_t max)
{
	for (size_t i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)key[i];
		char e[8];

		if (c == '"' || c == '\\') {
			e[0] = '\\';
			e[1] = (char)c;
			put(buf, size, pos, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(e, sizeof(e), "\\u%04x", c);
			put(buf, size, pos, e, 6);
		} else {
			put(buf, size, pos, (const char *)&key[i], 1);
		}
	}
	if (len > max)
		put(buf, size, pos, "...", 3);
}

const char *json_key_text(char *buf, size_t size, const char *key, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	put_escaped(buf, size, &pos, key, len, 64);
	return buf;
}

/* The path of n, plus ".member" when member is not NULL, into buf. */
static void path_of(const struct json_node *n, const char *member, char *buf, size_t size)
{
	const struct json_node *chain[JSON_MAX_DEPTH + 1];
	size_t depth = 0, pos = 0;

	buf[0] = '\0';
	put(buf, size, &pos, "$", 1);
	for (const struct json_node *p = n; p && p->parent && depth < JSON_MAX_DEPTH + 1;
	     p = p->parent)
		chain[depth++] = p;
	while (depth--) {
		const struct json_node *p = chain[depth];
		char idx[32];

		if (p->parent->type == JSON_ARRAY) {
			snprintf(idx, sizeof(idx), "[%u]", p->idx);
			put(buf, size, &pos, idx, strlen(idx));
		} else if (is_ident(p->key, p->keylen)) {
			put(buf, size, &pos, ".", 1);
			put(buf, size, &pos, p->key, p->keylen);
		} else {
			put(buf, size, &pos, "[\"", 2);
			put_escaped(buf, size, &pos, p->key, p->keylen, SIZE_MAX);
			put(buf, size, &pos, "\"]", 2);
		}
	}
	if (member) {
		put(buf, size, &pos, ".", 1);
		put(buf, size, &pos, member, strlen(member));
	}
}

/* ------------------------------------------------------------- reporting */

static void own_pos(struct json_dec *x, const struct cfg_diag *dg, size_t off)
{
	struct json_posmap *pm = x->pm;

	if (!pm)
		return;
	if (pm->n_own == pm->cap_own) {
		size_t cap = pm->cap_own ? pm->cap_own * 2 : 16;
		struct json_own_pos *v = realloc(pm->own, cap * sizeof(*v));

		if (!v) {
			x->err = -ENOMEM;
			return;
		}
		pm->own = v;
		pm->cap_own = cap;
	}
	pm->own[pm->n_own].msg = dg->msg;
	pm->own[pm->n_own].off = off;
	pm->n_own++;
}

static void vreport(struct json_dec *x, enum cfg_severity sev, const char *path, size_t off,
		    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static void vreport(struct json_dec *x, enum cfg_severity sev, const char *path, size_t off,
		    const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cfg_diag_add(x->d, sev, path, "%s", msg) < 0) {
		x->err = -ENOMEM;
		return;
	}
	own_pos(x, &x->d->v[x->d->n - 1], off);
}

void json_report(struct json_dec *x, enum cfg_severity sev, const struct json_node *n,
		 const char *member, size_t off, const char *fmt, ...)
{
	char path[JSON_PATH_MAX];
	va_list ap;

	path_of(n, member, path, sizeof(path));
	va_start(ap, fmt);
	vreport(x, sev, path, off, fmt, ap);
	va_end(ap);
}

static void report_at(struct json_dec *x, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report_at(struct json_dec *x, size_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(x, CFG_ERROR, "$", off, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------- duplicate keys */

static int cmp_member(const void *a, const void *b)
{
	const struct json_node *x = *(const struct json_node *const *)a;
	const struct json_node *y = *(const struct json_node *const *)b;
	int r;

	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	r = memcmp(x->key, y->key, x->keylen);
	if (r)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Mark every member whose key an earlier member has; small objects pairwise, large ones sorted. */
static int mark_duplicates(struct json_node *o)
{
	struct json_node **v;
	size_t i = 0;

	if (o->n < 2)
		return 0;
	if (o->n <= 16) {
		for (struct json_node *m = o->first; m; m = m->next)
			for (struct json_node *e = o->first; e != m; e = e->next)
				if (e->keylen == m->keylen &&
				    memcmp(e->key, m->key, m->keylen) == 0) {
					m->dup = true;
					break;
				}
		return 0;
	}
	v = malloc(o->n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (struct json_node *m = o->first; m; m = m->next)
		v[i++] = m;
	qsort(v, o->n, sizeof(*v), cmp_member);
	for (i = 1; i < o->n; i++)
		if (v[i]->keylen == v[i - 1]->keylen &&
		    memcmp(v[i]->key, v[i - 1]->key, v[i]->keylen) == 0)
			v[i]->dup = true;
	free(v);
	return 0;
}

/* A key repeated in one object is an error at every level (CONFIG.md 2). */
static void check_duplicates(struct json_dec *x, struct json_node *n)
{
	if (n->type == JSON_OBJECT) {
		if (mark_duplicates(n) < 0) {
			x->err = -ENOMEM;
			return;
		}
		for (struct json_node *m = n->first; m; m = m->next)
			if (m->dup) {
				char key[128];

				json_report(x, CFG_ERROR, m, NULL, m->keyoff,
					    "duplicate field `%s`",
					    json_key_text(key, sizeof(key), m->key, m->keylen));
			}
	}
	for (struct json_node *m = n->first; m; m = m->next)
		check_duplicates(x, m);
}

/* ------------------------------------------------------------- parse */

int json_parse_config(const char *text, size_t len, struct cfg **ret_cfg, struct cfg_diags *d,
		      struct json_posmap *pm)
{
	struct json_posmap local = { 0 };
	struct jbuild b = { .text = text, .len = len };
	struct json_dec x = { .d = d, .pm = pm ? pm : &local };
	const char *strict_msg = NULL;
	bool at_end = false;
	size_t strict_off;
	yajl_status st;
	struct cfg *c;
	int r = 0;

	/* Offsets are 32-bit (struct json_node); scxctl reads at most 16 MiB. */
	if (len > INT32_MAX)
		return -EFBIG;
	x.pm->text = text;
	x.pm->len = len;
	b.a = calloc(1, sizeof(*b.a));
	if (!b.a)
		return -ENOMEM;
	x.pm->arena = b.a;
	b.h = yajl_alloc(&callbacks, NULL, &b);
	if (!b.h) {
		r = -ENOMEM;
		goto out;
	}
	(void)yajl_config(b.h, yajl_allow_comments, 0);
	/* strict_scan checks UTF-8, more strictly than yajl does. */
	(void)yajl_config(b.h, yajl_dont_validate_strings, 1);
	(void)yajl_config(b.h, yajl_allow_trailing_garbage, 0);
	(void)yajl_config(b.h, yajl_allow_multiple_values, 0);
	(void)yajl_config(b.h, yajl_allow_partial_values, 0);
	strict_off = strict_scan(text, len, &strict_msg);
	st = yajl_parse(b.h, (const unsigned char *)text, len);
	if (st == yajl_status_ok) {
		at_end = true;
		st = yajl_complete_parse(b.h);
	}
	if (b.nomem) {
		r = -ENOMEM;
		goto out;
	}
	if (st != yajl_status_ok || !b.root || strict_off < len) {
		size_t off = len;
		unsigned char *e = NULL;
		const char *msg = NULL;

		if (st != yajl_status_ok) {
			char *colon;

			/* "parse error: trailing garbage\n   text\n   (right here)" -> "trailing garbage" */
			e = yajl_get_error(b.h, 0, (const unsigned char *)text, len);
			if (e) {
				((char *)e)[strcspn((char *)e, "\n")] = '\0';
				off = error_offset(text, len, yajl_get_bytes_consumed(b.h), at_end,
						   (char *)e);
				msg = (colon = strstr((char *)e, ": ")) ? colon + 2 : (char *)e;
			}
			if (b.too_deep)
				msg = "nested deeper than 64 levels";
			if (!msg || !*msg)
				msg = "unexpected end of input";
		}
		if (strict_off < len && strict_off <= off) {
			off = strict_off;
			msg = strict_msg;
		}
		report_at(&x, off < len ? off : len, "invalid JSON: %s", msg);
		if (e)
			yajl_free_error(b.h, e);
		r = x.err ? x.err : -EINVAL;
		goto out;
	}
	x.pm->root = b.root;
	check_duplicates(&x, b.root);
	c = calloc(1, sizeof(*c));
	if (!c) {
		r = -ENOMEM;
		goto out;
	}
	cfg_options_init(&c->opts);
	json_decode_config(&x, b.root, c);
	if (x.err) {
		cfg_free(c);
		r = x.err;
		goto out;
	}
	/* With type errors the model lacks those values; the caller decides. */
	*ret_cfg = c;
out:
	if (b.h)
		yajl_free(b.h);
	if (!pm || r == -ENOMEM)
		json_posmap_release(x.pm);
	return r;
}

void json_posmap_release(struct json_posmap *pm)
{
	if (!pm)
		return;
	arena_free(pm->arena);
	free(pm->own);
	memset(pm, 0, sizeof(*pm));
}
