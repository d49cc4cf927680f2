/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Text tables. Cells are kept until the table is printed, so that the
 * widths can be decided from the content.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/table.h"

#define TBL_GAP 2

struct tbl {
	const struct tbl_col *cols;
	size_t ncols;
	char **cells;
	size_t n, cap;
};

struct tbl *tbl_new(const struct tbl_col *cols, size_t ncols)
{
	struct tbl *t = calloc(1, sizeof(*t));

	if (t) {
		t->cols = cols;
		t->ncols = ncols;
	}
	return t;
}

void tbl_free(struct tbl *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

int tbl_add(struct tbl *t, const char *cell)
{
	char *copy;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		char **v = realloc(t->cells, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->cells = v;
		t->cap = cap;
	}
	copy = strdup(cell ? cell : "");
	if (!copy)
		return -ENOMEM;
	t->cells[t->n++] = copy;
	return 0;
}

int tbl_addf(struct tbl *t, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tbl_add(t, buf);
}

size_t tbl_strwidth(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Print s in w characters: cut (ending in '~') or padded on the side its alignment asks. */
static void put_cell(FILE *f, const char *s, size_t w, bool right, bool last)
{
	size_t sw = tbl_strwidth(s);

	if (sw > w) {
		size_t chars = 0;
		const char *p = s;

		/* w - 1 characters, then the mark. */
		while (*p && chars < (w ? w - 1 : 0)) {
			p++;
			while (((unsigned char)*p & 0xc0) == 0x80)
				p++;
			chars++;
		}
		fwrite(s, 1, (size_t)(p - s), f);
		if (w)
			fputc('~', f);
		return;
	}
	if (right)
		fprintf(f, "%*s%s", (int)(w - sw), "", s);
	else if (last)
		fputs(s, f);
	else
		fprintf(f, "%s%*s", s, (int)(w - sw), "");
}

void tbl_print(const struct tbl *t, FILE *f, unsigned int width)
{
	size_t *w = calloc(t->ncols ? t->ncols : 1, sizeof(*w)), total = 0;

	if (!w)
		return;
	for (size_t c = 0; c < t->ncols; c++)
		w[c] = tbl_strwidth(t->cols[c].head);
	for (size_t i = 0; i < t->n; i++) {
		size_t sw = tbl_strwidth(t->cells[i]);

		if (sw > w[i % t->ncols])
			w[i % t->ncols] = sw;
	}
	for (size_t c = 0; c < t->ncols; c++)
		total += w[c] + (c ? TBL_GAP : 0);
	/* Narrow the widest flexible column, one character at a time, until it fits. */
	while (width && total > width) {
		size_t best = t->ncols;

		for (size_t c = 0; c < t->ncols; c++)
			if (t->cols[c].min && w[c] > t->cols[c].min && (best == t->ncols || w[c] > w[best]))
				best = c;
		if (best == t->ncols)
			break;
		w[best]--;
		total--;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			fprintf(f, "%*s", TBL_GAP, "");
		put_cell(f, t->cols[c].head, w[c], t->cols[c].right, c + 1 == t->ncols);
	}
	fputc('\n', f);
	for (size_t i = 0; i < t->n; i++) {
		size_t c = i % t->ncols;

		if (c)
			fprintf(f, "%*s", TBL_GAP, "");
		put_cell(f, t->cells[i], w[c], t->cols[c].right, c + 1 == t->ncols || i + 1 == t->n);
		if (c + 1 == t->ncols || i + 1 == t->n)
			fputc('\n', f);
	}
	free(w);
}
