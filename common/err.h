/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_ERR_H
#define SCX_COMMON_ERR_H

/*
 * Error helpers: functions return 0 (or a count) on success and -errno on
 * failure (STYLE.md 2.3).
 */
#include <errno.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* -errno of the last failed libc call, never 0 (a libc bug must not look like success). */
static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* Close fd if it is open and set it to -1; keeps errno. */
static inline void safe_close(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		(void)close(*fd);
		*fd = -1;
		errno = saved;
	}
}

#endif
