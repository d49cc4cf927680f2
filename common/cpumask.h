/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_CPUMASK_H
#define SCX_COMMON_CPUMASK_H

/*
 * A set of CPU ids below CPUMASK_MAX_CPUS, as a fixed bitmap (1 KiB): no
 * allocation, copy by assignment. Parses and formats both forms the kernel
 * uses: the list form "0-3,8-11" (cpulist files, smp_affinity_list) and
 * the mask form "ff,00000000" (cpumap files, smp_affinity: 32-bit hex
 * words, most significant first).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPUMASK_MAX_CPUS 8192u
#define CPUMASK_WORDS	 (CPUMASK_MAX_CPUS / 64u)
/*
 * Buffer size that holds the list form of any mask, NUL included. The
 * longest is runs of two CPUs with one-CPU holes, "0-1,3-4,6-7,...": two
 * numbers (at most 4 digits and a separator each) per three CPUs.
 */
#define CPUMASK_LIST_MAX ((CPUMASK_MAX_CPUS * 2u / 3u + 2u) * 5u)
/* Mask form: 256 words of 8 digits and a comma (the first has no comma: room for the NUL). */
#define CPUMASK_HEX_MAX (CPUMASK_MAX_CPUS / 32u * 9u)

struct cpumask {
	uint64_t bits[CPUMASK_WORDS];
};

static inline void cpumask_zero(struct cpumask *m)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		m->bits[i] = 0;
}

/* Callers pass ids below CPUMASK_MAX_CPUS; others are ignored (false for test). */
static inline void cpumask_set(struct cpumask *m, unsigned int cpu)
{
	if (cpu < CPUMASK_MAX_CPUS)
		m->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

static inline void cpumask_clear(struct cpumask *m, unsigned int cpu)
{
	if (cpu < CPUMASK_MAX_CPUS)
		m->bits[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
}

static inline bool cpumask_test(const struct cpumask *m, unsigned int cpu)
{
	return cpu < CPUMASK_MAX_CPUS && (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

/* CPUs 0..n-1 and nothing else (n is capped at CPUMASK_MAX_CPUS). */
void cpumask_fill(struct cpumask *m, unsigned int n);
/* Add CPUs first..last (inclusive; last is capped); nothing if first > last. */
void cpumask_set_range(struct cpumask *m, unsigned int first, unsigned int last);
/* dst may be a or b in the binary operations. */
void cpumask_and(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b);
void cpumask_or(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b);
/* a without b. */
void cpumask_andnot(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b);
void cpumask_xor(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b);
bool cpumask_equal(const struct cpumask *a, const struct cpumask *b);
bool cpumask_is_empty(const struct cpumask *m);
/* Every CPU of a is in b. */
bool cpumask_is_subset(const struct cpumask *a, const struct cpumask *b);
bool cpumask_intersects(const struct cpumask *a, const struct cpumask *b);
unsigned int cpumask_weight(const struct cpumask *m);
/* The first CPU at or after `from`, or CPUMASK_MAX_CPUS if none. */
unsigned int cpumask_next(const struct cpumask *m, unsigned int from);
#define cpumask_first(m) cpumask_next((m), 0)
/* The highest CPU of the set, or CPUMASK_MAX_CPUS if it is empty. */
unsigned int cpumask_last(const struct cpumask *m);
/* The n-th CPU (0-based) of the set, or CPUMASK_MAX_CPUS. */
unsigned int cpumask_nth(const struct cpumask *m, unsigned int n);

/* Visit the CPUs of m in increasing order; cpu is an unsigned int lvalue. */
#define cpumask_for_each_cpu(cpu, m)                                 \
	for ((cpu) = cpumask_next((m), 0); (cpu) < CPUMASK_MAX_CPUS; \
	     (cpu) = cpumask_next((m), (cpu) + 1))

/*
 * Parse the list form: comma-separated ids "n" or ranges "a-b" (a <= b),
 * and the kernel's strided ranges "a-b:used/group" (the first `used` CPUs
 * of every `group`, 0 < used <= group). Ids are decimal digits (leading
 * zeros allowed). An empty string, or a lone newline, is the empty set:
 * sysfs prints an empty list so. One trailing newline is accepted; other
 * whitespace, signs, empty items ("1,,2", ",1", "1,"), reversed ranges and
 * other garbage are -EINVAL (also for a NULL s); an id at or past
 * CPUMASK_MAX_CPUS, or a stride number past UINT32_MAX, is -ERANGE. The
 * kernel's "N" (last CPU) and "all" are not accepted: sysfs never prints
 * them. *ret is set on success only.
 */
int cpumask_parse_list(const char *s, struct cpumask *ret);

/*
 * Parse the mask form: comma-separated groups of 1 to 8 hex digits (either
 * case, no "0x"), most significant group first. Leading all-zero groups
 * may be as many as the writer liked. One trailing newline is accepted.
 * Empty input, empty groups, whitespace and garbage are -EINVAL; a set bit
 * at or past CPUMASK_MAX_CPUS is -ERANGE. *ret is set on success only.
 */
int cpumask_parse_hex(const char *s, struct cpumask *ret);

/*
 * Format into buf (NUL-terminated): the list form the kernel prints (runs
 * of two or more as "a-b", "" for the empty set) or the mask form ("%x"
 * for the top non-zero word, then ",%08x" words; "0" for the empty set).
 * Returns the length, or -ENOSPC when buf is too small (buf then holds an
 * empty string if size > 0). CPUMASK_LIST_MAX and CPUMASK_HEX_MAX bytes
 * always suffice.
 */
int cpumask_format_list(const struct cpumask *m, char *buf, size_t size);
int cpumask_format_hex(const struct cpumask *m, char *buf, size_t size);

/* The list form in a new string of the exact size (free()); NULL only when out of memory. */
char *cpumask_format_list_alloc(const struct cpumask *m);

#endif
