/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_PARSE_H
#define SCX_COMMON_PARSE_H

/*
 * Strict number parsing: decimal only, no sign on unsigned values, no
 * leading or trailing junk (one trailing newline is accepted for sysfs
 * contents), range checked. All return 0 or -EINVAL (not a number) or
 * -ERANGE (outside [min, max]); *ret is set on success only.
 */
#include <stdint.h>

int parse_u64(const char *s, uint64_t max, uint64_t *ret);
int parse_s64(const char *s, int64_t min, int64_t max, int64_t *ret);
int parse_u32(const char *s, uint32_t max, uint32_t *ret);
int parse_int(const char *s, int min, int max, int *ret);

#endif
