/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * State files. Layout: "SCXDSTA1" magic, u32 format version, u32 zero,
 * u64 payload length, 32-byte SHA-256 of the payload, then the payload.
 * Everything is checked on load; anything off is "corrupt".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "agent/persist.h"
#include "common/banned.h"
#include "common/err.h"
#include "common/fileio.h"

#define PERSIST_MAGIC	"SCXDSTA1"
#define PERSIST_VERSION 1u
#define PERSIST_HDR	(8 + 4 + 4 + 8 + SHA256_DIGEST_SIZE)
#define PERSIST_MAX	(16u << 20)

static void sha256(const uint8_t *buf, size_t len, uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, buf);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

void persist_digest(const uint8_t *buf, size_t len, char out[65])
{
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256(buf, len, d);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return negative_errno();
	if (fsync(fd) < 0)
		r = negative_errno();
	safe_close(&fd);
	return r;
}

int persist_save(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	uint32_t version = PERSIST_VERSION;
	uint64_t len64 = len;
	char path[PATH_MAX];
	uint8_t *file;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	file = calloc(1, PERSIST_HDR + len);
	if (!file)
		return -ENOMEM;
	memcpy(file, PERSIST_MAGIC, 8);
	memcpy(file + 8, &version, 4);
	memcpy(file + 16, &len64, 8);
	sha256(buf, len, file + 24);
	if (len)
		memcpy(file + PERSIST_HDR, buf, len);
	r = fileio_write_atomic(path, file, PERSIST_HDR + len, 0600);
	free(file);
	return r;
}

int persist_remove(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : negative_errno();
	return fsync_dir(dir);
}

int persist_load(const char *dir, const char *name, uint8_t **ret_buf, size_t *ret_len,
		 char *ret_aside, size_t aside_len)
{
	uint8_t hdr[PERSIST_HDR], sum[SHA256_DIGEST_SIZE];
	char path[PATH_MAX];
	uint32_t version;
	uint64_t len64;
	uint8_t *buf = NULL;
	struct stat st;
	ssize_t n;
	int fd, r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0) {
		r = negative_errno();
		goto out;
	}
	r = -EBADMSG;
	if (st.st_size < PERSIST_HDR || st.st_size > PERSIST_HDR + (off_t)PERSIST_MAX)
		goto out;
	n = read(fd, hdr, sizeof(hdr));
	if (n != (ssize_t)sizeof(hdr) || memcmp(hdr, PERSIST_MAGIC, 8) != 0)
		goto out;
	memcpy(&version, hdr + 8, 4);
	memcpy(&len64, hdr + 16, 8);
	if (version != PERSIST_VERSION || len64 != (uint64_t)st.st_size - PERSIST_HDR)
		goto out;
	buf = malloc(len64 ? len64 : 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	n = read(fd, buf, len64);
	if (n != (ssize_t)len64)
		goto out;
	sha256(buf, len64, sum);
	if (memcmp(sum, hdr + 24, sizeof(sum)) != 0)
		goto out;
	*ret_buf = buf;
	*ret_len = len64;
	buf = NULL;
	r = 0;
out:
	free(buf);
	safe_close(&fd);
	if (r == -EBADMSG) {
		char aside[PATH_MAX + 32];

		snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path, (long long)time(NULL));
		if (rename(path, aside) < 0)
			aside[0] = '\0';
		if (ret_aside && aside_len)
			snprintf(ret_aside, aside_len, "%s", aside);
	}
	return r;
}
