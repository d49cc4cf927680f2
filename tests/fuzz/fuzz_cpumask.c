/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Both cpumask parsers on arbitrary bytes: no crash, and whatever parses
 * formats back into text that parses to the same set in both forms.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cpumask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const struct cpumask *m)
{
	static char lbuf[CPUMASK_LIST_MAX], hbuf[CPUMASK_HEX_MAX];
	struct cpumask l, h;

	if (cpumask_format_list(m, lbuf, sizeof(lbuf)) < 0 ||
	    cpumask_format_hex(m, hbuf, sizeof(hbuf)) < 0)
		abort();
	if (cpumask_parse_list(lbuf, &l) != 0 || cpumask_parse_hex(hbuf, &h) != 0)
		abort();
	if (!cpumask_equal(m, &l) || !cpumask_equal(m, &h))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpumask m;
	char *s;

	if (size > 65536)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cpumask_parse_list(s, &m) == 0)
		check_roundtrip(&m);
	if (cpumask_parse_hex(s, &m) == 0)
		check_roundtrip(&m);
	free(s);
	return 0;
}
