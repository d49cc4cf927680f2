/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fixed-size CPU sets. Everything works a 64-bit word at a time; the
 * parsers are strict (kernel output, config files and RPC peers feed them)
 * and each item of the list form costs at most a few hundred word
 * operations, strided or not, so that long hostile input cannot make them
 * slow.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/banned.h"
#include "common/cpumask.h"

void cpumask_fill(struct cpumask *m, unsigned int n)
{
	cpumask_zero(m);
	if (n > 0)
		cpumask_set_range(m, 0, n - 1);
}

void cpumask_set_range(struct cpumask *m, unsigned int first, unsigned int last)
{
	unsigned int i, j;
	uint64_t lo, hi;

	if (last >= CPUMASK_MAX_CPUS)
		last = CPUMASK_MAX_CPUS - 1;
	if (first > last)
		return;
	i = first / 64;
	j = last / 64;
	lo = UINT64_MAX << (first % 64);
	hi = UINT64_MAX >> (63 - last % 64);
	if (i == j) {
		m->bits[i] |= lo & hi;
		return;
	}
	m->bits[i] |= lo;
	for (unsigned int k = i + 1; k < j; k++)
		m->bits[k] = UINT64_MAX;
	m->bits[j] |= hi;
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

/* The first CPU at or after `from` that is set (want_set) or clear, or CPUMASK_MAX_CPUS. */
static unsigned int find_from(const struct cpumask *m, unsigned int from, bool want_set)
{
	uint64_t flip = want_set ? 0 : UINT64_MAX;
	unsigned int i;
	uint64_t w;

	if (from >= CPUMASK_MAX_CPUS)
		return CPUMASK_MAX_CPUS;
	i = from / 64;
	w = (m->bits[i] ^ flip) & (UINT64_MAX << (from % 64));
	for (;;) {
		if (w)
			return i * 64 + (unsigned int)__builtin_ctzll(w);
		if (++i == CPUMASK_WORDS)
			return CPUMASK_MAX_CPUS;
		w = m->bits[i] ^ flip;
	}
}

unsigned int cpumask_next(const struct cpumask *m, unsigned int from)
{
	return find_from(m, from, true);
}

unsigned int cpumask_last(const struct cpumask *m)
{
	for (unsigned int i = CPUMASK_WORDS; i-- > 0;)
		if (m->bits[i])
			return i * 64 + 63 - (unsigned int)__builtin_clzll(m->bits[i]);
	return CPUMASK_MAX_CPUS;
}

unsigned int cpumask_nth(const struct cpumask *m, unsigned int n)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++) {
		unsigned int w = (unsigned int)__builtin_popcountll(m->bits[i]);

		if (n < w) {
			uint64_t bits = m->bits[i];

			while (n--)
				bits &= bits - 1;
			return i * 64 + (unsigned int)__builtin_ctzll(bits);
		}
		n -= w;
	}
	return CPUMASK_MAX_CPUS;
}

/*
 * A decimal number: digits only (no sign, no space); -ERANGE above max.
 * Digits past the limit are still consumed so that a huge number is
 * -ERANGE and not -EINVAL; the value cannot overflow on the way.
 */
static int parse_num(const char **p, uint32_t max, uint32_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;
	bool big = false;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (!big)
			v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			big = true;
	}
	*p = s;
	if (big)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

static int parse_cpu(const char **p, uint32_t *ret)
{
	return parse_num(p, CPUMASK_MAX_CPUS - 1, ret);
}

/*
 * CPUs a..b, the first `used` of every `group` (0 < used <= group). Large
 * groups are one range each (at most 128 of them); small ones come from a
 * 128-bit periodic pattern, one word at a time, so that any stride costs
 * at most a few hundred word operations.
 */
static void set_strided(struct cpumask *m, uint32_t a, uint32_t b, uint32_t used, uint32_t group)
{
	uint64_t pat[2] = { 0, 0 };

	if (used >= group) {
		cpumask_set_range(m, a, b);
		return;
	}
	if (group > 64) {
		for (uint64_t start = a; start <= b; start += group)
			cpumask_set_range(
				m, (unsigned int)start,
				(unsigned int)(start + used - 1 < b ? start + used - 1 : b));
		return;
	}
	/* Bit i of the pattern: is a CPU i places after a group start used? */
	for (unsigned int i = 0; i < 128; i++)
		if (i % group < used)
			pat[i / 64] |= UINT64_C(1) << (i % 64);
	for (unsigned int w = a / 64; w <= b / 64; w++) {
		/* CPU 64w + j is (64w - a + j) mod group places into its group. */
		unsigned int off = (unsigned int)((((int64_t)w * 64 - a) % group + group) % group);
		uint64_t bits = off ? pat[0] >> off | pat[1] << (64 - off) : pat[0];
		unsigned int lo = w * 64 < a ? a % 64 : 0, hi = w == b / 64 ? b % 64 : 63;

		m->bits[w] |= bits & (UINT64_MAX << lo) & (UINT64_MAX >> (63 - hi));
	}
}

/* One item of the list form, "a", "a-b" or "a-b:used/group", into m. */
static int parse_item(const char **p, struct cpumask *m)
{
	uint32_t a, b, used, group;
	int r;

	r = parse_cpu(p, &a);
	if (r < 0)
		return r;
	if (**p != '-') {
		cpumask_set(m, a);
		return 0;
	}
	(*p)++;
	r = parse_cpu(p, &b);
	if (r < 0)
		return r;
	if (b < a)
		return -EINVAL;
	if (**p != ':') {
		cpumask_set_range(m, a, b);
		return 0;
	}
	(*p)++;
	r = parse_num(p, UINT32_MAX, &used);
	if (r < 0)
		return r;
	if (**p != '/')
		return -EINVAL;
	(*p)++;
	r = parse_num(p, UINT32_MAX, &group);
	if (r < 0)
		return r;
	if (used == 0 || used > group)
		return -EINVAL;
	set_strided(m, a, b, used, group);
	return 0;
}

int cpumask_parse_list(const char *s, struct cpumask *ret)
{
	struct cpumask m;
	int r;

	if (!s)
		return -EINVAL;
	cpumask_zero(&m);
	if (s[0] == '\0' || (s[0] == '\n' && s[1] == '\0')) {
		*ret = m;
		return 0;
	}
	for (;;) {
		r = parse_item(&s, &m);
		if (r < 0)
			return r;
		if (*s != ',')
			break;
		s++;
	}
	if (*s == '\n')
		s++;
	if (*s != '\0')
		return -EINVAL;
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
	uint32_t words[CPUMASK_MAX_CPUS / 32];
	unsigned int nwords = 0;
	struct cpumask m;
	size_t len, i = 0;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (len > 0 && s[len - 1] == '\n')
		len--;
	if (len == 0)
		return -EINVAL;
	for (;;) {
		unsigned int digits = 0;
		uint32_t w = 0;

		for (; i < len && s[i] != ','; i++) {
			int d = hex_digit(s[i]);

			if (d < 0 || ++digits > 8)
				return -EINVAL;
			w = w << 4 | (uint32_t)d;
		}
		if (digits == 0)
			return -EINVAL;
		/* Leading all-zero words are harmless however many there are. */
		if (nwords > 0 || w != 0) {
			if (nwords == CPUMASK_MAX_CPUS / 32)
				return -ERANGE;
			words[nwords++] = w;
		}
		if (i == len)
			break;
		i++; /* the comma; an empty group after it is caught above */
	}
	cpumask_zero(&m);
	for (unsigned int k = 0; k < nwords; k++)
		m.bits[k / 2] |= (uint64_t)words[nwords - 1 - k] << (32 * (k % 2));
	*ret = m;
	return 0;
}

/*
 * Append what fits of item (n bytes) at buf + *len, and count it in *len
 * either way, so that one pass both writes and measures.
 */
static void put(char *buf, size_t size, size_t *len, const char *item, int n)
{
	if (n > 0 && *len + (size_t)n < size)
		memcpy(buf + *len, item, (size_t)n);
	*len += n > 0 ? (size_t)n : 0;
}

/* The list form of m into buf if it fits (NUL included); returns its length without the NUL. */
static size_t list_form(const struct cpumask *m, char *buf, size_t size)
{
	unsigned int cpu = cpumask_first(m);
	size_t len = 0;

	while (cpu < CPUMASK_MAX_CPUS) {
		unsigned int end = find_from(m, cpu, false) - 1;
		const char *sep = len ? "," : "";
		char item[32];
		int n;

		if (end == cpu)
			n = snprintf(item, sizeof(item), "%s%u", sep, cpu);
		else
			n = snprintf(item, sizeof(item), "%s%u-%u", sep, cpu, end);
		put(buf, size, &len, item, n);
		cpu = cpumask_next(m, end + 1);
	}
	if (len < size)
		buf[len] = '\0';
	return len;
}

int cpumask_format_list(const struct cpumask *m, char *buf, size_t size)
{
	size_t len = list_form(m, buf, size);

	if (len >= size) {
		if (size > 0)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)len;
}

char *cpumask_format_list_alloc(const struct cpumask *m)
{
	size_t len = list_form(m, NULL, 0);
	char *s = malloc(len + 1);

	if (s)
		(void)list_form(m, s, len + 1);
	return s;
}

static uint32_t word32(const struct cpumask *m, unsigned int k)
{
	return (uint32_t)(m->bits[k / 2] >> (32 * (k % 2)));
}

int cpumask_format_hex(const struct cpumask *m, char *buf, size_t size)
{
	unsigned int top = 0;
	size_t len = 0;

	for (unsigned int k = CPUMASK_MAX_CPUS / 32; k-- > 0;)
		if (word32(m, k)) {
			top = k;
			break;
		}
	for (unsigned int k = top + 1; k-- > 0;) {
		char item[16];
		int n = snprintf(item, sizeof(item), k == top ? "%x" : ",%08x", word32(m, k));

		put(buf, size, &len, item, n);
	}
	if (len >= size) {
		if (size > 0)
			buf[0] = '\0';
		return -ENOSPC;
	}
	buf[len] = '\0';
	return (int)len;
}
