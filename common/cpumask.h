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
/* Longest list form: every other CPU, "0,2,4,...,8190" ~ 5 bytes each. */
#define CPUMASK_LIST_MAX (CPUMASK_MAX_CPUS / 2u * 5u + 2u)
/* Mask form: 256 words of 8 digits and a comma. */
#define CPUMASK_HEX_MAX	 (CPUMASK_MAX_CPUS / 32u * 9u + 1u)

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

/* CPUs 0..n-1 (n is capped at CPUMASK_MAX_CPUS). */
void cpumask_fill(struct cpumask *m, unsigned int n);
void cpumask_and(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b);
void cpumask_or(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b);
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
/* The n-th CPU (0-based) of the set, or CPUMASK_MAX_CPUS. */
unsigned int cpumask_nth(const struct cpumask *m, unsigned int n);

#define cpumask_for_each_cpu(cpu, m)                                               \
	for ((cpu) = cpumask_next((m), 0); (cpu) < CPUMASK_MAX_CPUS;               \
	     (cpu) = cpumask_next((m), (cpu) + 1))

/*
 * Parse the list form: comma-separated ids or ranges "a-b" (a <= b), and
 * the kernel's strided ranges "a-b:used/group". An empty string (or a lone
 * newline: sysfs prints an empty list so) is the empty set. One trailing
 * newline is accepted; other whitespace, signs, empty items and garbage
 * are -EINVAL; ids at or past CPUMASK_MAX_CPUS are -ERANGE. *ret is set on
 * success only.
 */
int cpumask_parse_list(const char *s, struct cpumask *ret);

/*
 * Parse the mask form: comma-separated groups of 1 to 8 hex digits, most
 * significant group first (the first may be shorter). One trailing newline
 * is accepted. -EINVAL for garbage, -ERANGE for a bit at or past
 * CPUMASK_MAX_CPUS.
 */
int cpumask_parse_hex(const char *s, struct cpumask *ret);

/*
 * Format into buf (NUL-terminated). The list form of the empty set is "";
 * the mask form of it is "0". Returns the length, or -ENOSPC when buf is
 * too small (buf then holds an empty string).
 */
int cpumask_format_list(const struct cpumask *m, char *buf, size_t size);
int cpumask_format_hex(const struct cpumask *m, char *buf, size_t size);

#endif
