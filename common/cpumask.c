/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/banned.h"
#include "common/cpumask.h"

void cpumask_fill(struct cpumask *m, unsigned int n)
{
	cpumask_zero(m);
	if (n > CPUMASK_MAX_CPUS)
		n = CPUMASK_MAX_CPUS;
	for (unsigned int i = 0; i < n / 64; i++)
		m->bits[i] = UINT64_MAX;
	if (n % 64)
		m->bits[n / 64] = (UINT64_C(1) << (n % 64)) - 1;
}

void cpumask_and(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		dst->bits[i] = a->bits[i] & b->bits[i];
}

void cpumask_or(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		dst->bits[i] = a->bits[i] | b->bits[i];
}

void cpumask_andnot(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		dst->bits[i] = a->bits[i] & ~b->bits[i];
}

void cpumask_xor(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		dst->bits[i] = a->bits[i] ^ b->bits[i];
}

bool cpumask_equal(const struct cpumask *a, const struct cpumask *b)
{
	return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

bool cpumask_is_empty(const struct cpumask *m)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		if (m->bits[i])
			return false;
	return true;
}

bool cpumask_is_subset(const struct cpumask *a, const struct cpumask *b)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		if (a->bits[i] & ~b->bits[i])
			return false;
	return true;
}

bool cpumask_intersects(const struct cpumask *a, const struct cpumask *b)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		if (a->bits[i] & b->bits[i])
			return true;
	return false;
}

unsigned int cpumask_weight(const struct cpumask *m)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		n += (unsigned int)__builtin_popcountll(m->bits[i]);
	return n;
}

unsigned int cpumask_next(const struct cpumask *m, unsigned int from)
{
	unsigned int i;
	uint64_t w;

	if (from >= CPUMASK_MAX_CPUS)
		return CPUMASK_MAX_CPUS;
	i = from / 64;
	w = m->bits[i] & (UINT64_MAX << (from % 64));
	for (;;) {
		if (w)
			return i * 64 + (unsigned int)__builtin_ctzll(w);
		if (++i == CPUMASK_WORDS)
			return CPUMASK_MAX_CPUS;
		w = m->bits[i];
	}
}

unsigned int cpumask_nth(const struct cpumask *m, unsigned int n)
{
	unsigned int cpu;

	cpumask_for_each_cpu(cpu, m)
		if (n-- == 0)
			return cpu;
	return CPUMASK_MAX_CPUS;
}

/* A decimal id: digits only, no sign, no leading junk; -ERANGE past the limit. */
static int parse_id(const char **p, unsigned int *ret)
{
	const char *s = *p;
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v >= CPUMASK_MAX_CPUS) {
			/* Keep consuming digits so "99999999999999999999" is -ERANGE, not -EINVAL. */
			while (*s >= '0' && *s <= '9')
				s++;
			*p = s;
			return -ERANGE;
		}
		s++;
	}
	*p = s;
	*ret = (unsigned int)v;
	return 0;
}

int cpumask_parse_list(const char *s, struct cpumask *ret)
{
	struct cpumask m;
	int r;

	cpumask_zero(&m);
	if (s[0] == '\0' || (s[0] == '\n' && s[1] == '\0')) {
		*ret = m;
		return 0;
	}
	for (;;) {
		unsigned int a, b, used = 1, group = 1;

		r = parse_id(&s, &a);
		if (r < 0)
			return r;
		b = a;
		if (*s == '-') {
			s++;
			r = parse_id(&s, &b);
			if (r < 0)
				return r;
			if (b < a)
				return -EINVAL;
			if (*s == ':') {
				s++;
				r = parse_id(&s, &used);
				if (r < 0)
					return r;
				if (*s++ != '/')
					return -EINVAL;
				r = parse_id(&s, &group);
				if (r < 0)
					return r;
				if (used == 0 || group == 0 || used > group)
					return -EINVAL;
			}
		}
		for (unsigned int cpu = a; cpu <= b; cpu++)
			if ((cpu - a) % group < used)
				cpumask_set(&m, cpu);
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\n')
			s++;
		if (*s != '\0')
			return -EINVAL;
		break;
	}
	*ret = m;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cpumask_parse_hex(const char *s, struct cpumask *ret)
{
	uint32_t words[CPUMASK_MAX_CPUS / 32 + 1];
	unsigned int nwords = 0;
	struct cpumask m;
	size_t len = strlen(s);

	if (len > 0 && s[len - 1] == '\n')
		len--;
	if (len == 0 || s[0] == ',' || s[len - 1] == ',')
		return -EINVAL;
	for (size_t i = 0; i < len;) {
		uint32_t w = 0;
		unsigned int digits = 0;

		while (i < len && s[i] != ',') {
			int d = hex_digit(s[i]);

			if (d < 0 || ++digits > 8)
				return -EINVAL;
			w = w << 4 | (uint32_t)d;
			i++;
		}
		if (digits == 0)
			return -EINVAL;
		/* Leading all-zero words are harmless however many there are. */
		if (nwords == 0 && w == 0 && i < len) {
			i++;
			continue;
		}
		if (nwords == sizeof(words) / sizeof(words[0]))
			return -ERANGE;
		words[nwords++] = w;
		if (i < len)
			i++;
	}
	if (nwords > CPUMASK_MAX_CPUS / 32)
		return -ERANGE;
	cpumask_zero(&m);
	for (unsigned int k = 0; k < nwords; k++) {
		uint32_t w = words[nwords - 1 - k];

		m.bits[k / 2] |= (uint64_t)w << (32 * (k % 2));
	}
	*ret = m;
	return 0;
}

int cpumask_format_list(const struct cpumask *m, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int cpu;

	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';
	cpu = cpumask_first(m);
	while (cpu < CPUMASK_MAX_CPUS) {
		unsigned int end = cpu;
		int n;

		while (end + 1 < CPUMASK_MAX_CPUS && cpumask_test(m, end + 1))
			end++;
		if (end == cpu)
			n = snprintf(buf + len, size - len, "%s%u", len ? "," : "", cpu);
		else
			n = snprintf(buf + len, size - len, "%s%u-%u", len ? "," : "", cpu, end);
		if (n < 0 || (size_t)n >= size - len) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		len += (size_t)n;
		cpu = cpumask_next(m, end + 1);
	}
	return (int)len;
}

int cpumask_format_hex(const struct cpumask *m, char *buf, size_t size)
{
	int top = -1;
	size_t len = 0;

	for (int k = (int)(CPUMASK_MAX_CPUS / 32) - 1; k >= 0; k--)
		if ((uint32_t)(m->bits[k / 2] >> (32 * (k % 2)))) {
			top = k;
			break;
		}
	if (top < 0)
		top = 0;
	for (int k = top; k >= 0; k--) {
		uint32_t w = (uint32_t)(m->bits[k / 2] >> (32 * (k % 2)));
		int n = snprintf(buf + len, size - len, k == top ? "%x" : ",%08x", w);

		if (n < 0 || (size_t)n >= size - len) {
			if (size)
				buf[0] = '\0';
			return -ENOSPC;
		}
		len += (size_t)n;
	}
	return (int)len;
}
