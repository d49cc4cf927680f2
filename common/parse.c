/* SPDX-License-Identifier: GPL-2.0-only */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/banned.h"
#include "common/parse.h"

/* Accept the digits [s, end) followed by nothing or a single '\n'. */
static bool ends_cleanly(const char *end)
{
	return *end == '\0' || (end[0] == '\n' && end[1] == '\0');
}

int parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (!ends_cleanly(end))
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_s64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	long long v;
	char *end;

	if (!s)
		return -EINVAL;
	if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' && isdigit((unsigned char)s[1])))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!ends_cleanly(end))
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_u32(const char *s, uint32_t max, uint32_t *ret)
{
	uint64_t v;
	int r;

	r = parse_u64(s, max, &v);
	if (r < 0)
		return r;
	*ret = (uint32_t)v;
	return 0;
}

int parse_int(const char *s, int min, int max, int *ret)
{
	int64_t v;
	int r;

	r = parse_s64(s, min, max, &v);
	if (r < 0)
		return r;
	*ret = (int)v;
	return 0;
}
