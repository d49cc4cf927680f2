/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Both cpumask parsers on arbitrary bytes. Whatever parses must format
 * back into text that parses to the same set in both forms, and both
 * parsers must agree with slow reference parsers written differently
 * (token by token, one CPU at a time): same verdict, same set. Any
 * violation is an abort().
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cpumask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const struct cpumask *m)
{
	static char lbuf[CPUMASK_LIST_MAX], hbuf[CPUMASK_HEX_MAX];
	struct cpumask l, h;
	char *dup;
	int n;

	n = cpumask_format_list(m, lbuf, sizeof(lbuf));
	if (n < 0 || cpumask_format_hex(m, hbuf, sizeof(hbuf)) < 0)
		abort();
	if (cpumask_parse_list(lbuf, &l) != 0 || cpumask_parse_hex(hbuf, &h) != 0)
		abort();
	if (!cpumask_equal(m, &l) || !cpumask_equal(m, &h))
		abort();
	/* One byte short of the text and its NUL is -ENOSPC. */
	if (cpumask_format_list(m, lbuf, (size_t)n) != -ENOSPC)
		abort();
	dup = cpumask_format_list_alloc(m);
	if (!dup)
		return;
	if (cpumask_parse_list(dup, &l) != 0 || !cpumask_equal(m, &l) || strlen(dup) != (size_t)n)
		abort();
	free(dup);
}

/* Digits [s, end) as a number; false if it is above max. */
static bool ref_num(const char *s, const char *end, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	for (; s < end; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	*ret = v;
	return true;
}

/* Length of the run of decimal digits at s. */
static size_t digits(const char *s, const char *end)
{
	size_t n = 0;

	while (s + n < end && s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* One item [s, end) of the list form, CPU by CPU. */
static int ref_item(const char *s, const char *end, struct cpumask *m)
{
	uint64_t v[4] = { 0, 0, 1, 1 };
	const char seps[] = "-:/";
	unsigned int k;

	for (k = 0; k < 4; k++) {
		size_t n = digits(s, end);

		if (n == 0)
			return -EINVAL;
		if (!ref_num(s, s + n, k < 2 ? CPUMASK_MAX_CPUS - 1 : UINT32_MAX, &v[k]))
			return -ERANGE;
		/* Errors are found left to right: a reversed range before its stride. */
		if (k == 1 && v[1] < v[0])
			return -EINVAL;
		s += n;
		if (s == end)
			break;
		if (k == 3 || *s != seps[k])
			return -EINVAL;
		s++;
	}
	if (k == 0)
		v[1] = v[0];
	else if (k == 2)
		return -EINVAL; /* "a-b:used" without "/group" */
	if (v[2] == 0 || v[2] > v[3])
		return -EINVAL;
	for (uint64_t cpu = v[0]; cpu <= v[1]; cpu++)
		if ((cpu - v[0]) % v[3] < v[2])
			cpumask_set(m, (unsigned int)cpu);
	return 0;
}

static int ref_parse_list(const char *s, struct cpumask *ret)
{
	size_t len = strlen(s);
	const char *p, *end;

	if (len > 0 && s[len - 1] == '\n')
		len--;
	end = s + len;
	cpumask_zero(ret);
	if (len == 0)
		return 0;
	for (p = s;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		int r = ref_item(p, stop, ret);

		if (r < 0)
			return r;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* The mask form, group by group from the right. */
static int ref_parse_hex(const char *s, struct cpumask *ret)
{
	size_t len = strlen(s);
	unsigned int group = 0;
	const char *end;

	if (len > 0 && s[len - 1] == '\n')
		len--;
	if (len == 0)
		return -EINVAL;
	cpumask_zero(ret);
	for (end = s + len;; group++) {
		const char *start = end;
		unsigned int n = 0;

		while (start > s && start[-1] != ',')
			start--;
		if (start == end || end - start > 8)
			return -EINVAL;
		for (const char *c = start; c < end; c++, n++) {
			unsigned int d;

			if (*c >= '0' && *c <= '9')
				d = (unsigned int)(*c - '0');
			else if (*c >= 'a' && *c <= 'f')
				d = (unsigned int)(*c - 'a' + 10);
			else if (*c >= 'A' && *c <= 'F')
				d = (unsigned int)(*c - 'A' + 10);
			else
				return -EINVAL;
			for (unsigned int b = 0; b < 4; b++) {
				unsigned int bit = (unsigned int)(end - c - 1) * 4 + b;

				if (!((d >> b) & 1))
					continue;
				if (group >= CPUMASK_MAX_CPUS / 32)
					return -ERANGE;
				cpumask_set(ret, group * 32 + bit);
			}
		}
		if (start == s)
			return 0;
		end = start - 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpumask m, ref;
	int r, rr;
	char *s;

	if (size > 65536)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	r = cpumask_parse_list(s, &m);
	rr = ref_parse_list(s, &ref);
	if (r != rr || (r == 0 && !cpumask_equal(&m, &ref)))
		abort();
	if (r == 0)
		check_roundtrip(&m);

	/*
	 * The mask form: errors may be found in another order (an -ERANGE
	 * group before an -EINVAL one), so only compare the verdict.
	 */
	r = cpumask_parse_hex(s, &m);
	rr = ref_parse_hex(s, &ref);
	if ((r == 0) != (rr == 0) || (r == 0 && !cpumask_equal(&m, &ref)))
		abort();
	if (r == 0)
		check_roundtrip(&m);
	free(s);
	return 0;
}
