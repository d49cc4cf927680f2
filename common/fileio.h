/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_FILEIO_H
#define SCX_COMMON_FILEIO_H

#include <stddef.h>

/*
 * Read a small text file (sysfs, procfs) into buf, NUL-terminated, with
 * trailing whitespace removed. Returns the length, -EFBIG if the file does
 * not fit in buf, or -errno from open/read.
 */
int fileio_read_small(const char *path, char *buf, size_t size);

/*
 * Build "root/rel" into buf (root "" or "/" means the real root). Returns
 * 0 or -ENAMETOOLONG.
 */
int fileio_path(char *buf, size_t size, const char *root, const char *rel);

/*
 * Replace path with len bytes of buf so that a crash leaves either the old
 * file or the new one: write path.tmp (mode), fsync, rename, fsync the
 * directory. Returns 0 or -errno; the temporary file never outlives a
 * failure.
 */
int fileio_write_atomic(const char *path, const void *buf, size_t len, unsigned int mode);

#endif
