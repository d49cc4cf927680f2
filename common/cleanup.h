/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_CLEANUP_H
#define SCX_COMMON_CLEANUP_H

/*
 * Scope-bound cleanup for single-owner locals (systemd's _cleanup_). Never
 * mix with goto unwinding in one function; not for bpf/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		(void)close(*fd);
		errno = saved;
	}
}

static inline void cleanup_fclosep(FILE **f)
{
	if (*f)
		(void)fclose(*f);
}

#define _cleanup_free_	 __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_	 __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))

/* Hand ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p)                          \
	({                                   \
		__typeof__(p) take_ptr_ = (p); \
		(p) = NULL;                  \
		take_ptr_;                   \
	})
#define TAKE_FD(fd)                 \
	({                          \
		int take_fd_ = (fd); \
		(fd) = -1;          \
		take_fd_;           \
	})

#endif
