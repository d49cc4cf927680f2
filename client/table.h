/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_CLIENT_TABLE_H
#define SCX_CLIENT_TABLE_H

/*
 * Text tables for scxctl: columns sized to their content, then the
 * flexible ones narrowed (their cells cut, ending in '~') until a row fits
 * the width asked for (80 columns for a terminal). Widths count UTF-8
 * characters, not bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct tbl_col {
	const char *head;
	bool right;          /* right-aligned (numbers) */
	unsigned int min;    /* a flexible column is never cut below this; 0: never cut */
};

struct tbl;

/* A table with these columns (cols is copied by reference: keep it alive). NULL only for ENOMEM. */
struct tbl *tbl_new(const struct tbl_col *cols, size_t ncols);
void tbl_free(struct tbl *t);

/* Append a cell (copied); rows fill left to right. Returns 0 or -ENOMEM. */
int tbl_add(struct tbl *t, const char *cell);
int tbl_addf(struct tbl *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the header and the rows within width columns (0: no limit), two spaces between columns. */
void tbl_print(const struct tbl *t, FILE *f, unsigned int width);

/* The number of UTF-8 characters of s. */
size_t tbl_strwidth(const char *s);

#endif
