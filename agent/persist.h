/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_PERSIST_H
#define SCX_AGENT_PERSIST_H

/*
 * Durable state files: a versioned header with the payload's SHA-256,
 * replaced atomically (write a temporary, fsync, rename, fsync the dir),
 * so that a crash at any point leaves the old file or the new one.
 */
#include <stddef.h>
#include <stdint.h>

/* Replace dir/name with buf. Returns 0 or -errno. */
int persist_save(const char *dir, const char *name, const uint8_t *buf, size_t len);

/*
 * Read dir/name into a new buffer. Returns 0, -ENOENT when there is none,
 * or -EBADMSG when it is corrupt: the file has then been moved aside to
 * name.corrupt-<time> (never deleted) and *ret_aside names it. Other
 * -errno for I/O errors.
 */
int persist_load(const char *dir, const char *name, uint8_t **ret_buf, size_t *ret_len,
		 char *ret_aside, size_t aside_len);

/* Remove dir/name durably; a missing file is fine. */
int persist_remove(const char *dir, const char *name);

/* Lowercase hex SHA-256 of buf into out (65 bytes). */
void persist_digest(const uint8_t *buf, size_t len, char out[65]);

#endif
