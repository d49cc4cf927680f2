/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/banned.h"
#include "common/err.h"
#include "common/fileio.h"

int fileio_read_small(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd, r;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	for (;;) {
		ssize_t n;

		if (len == size - 1) {
			char extra;

			/* Full: fine only if the file ends here. */
			n = read(fd, &extra, 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				r = negative_errno();
				goto out;
			}
			if (n > 0) {
				r = -EFBIG;
				goto out;
			}
			break;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = negative_errno();
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		r = -EINVAL;
		goto out;
	}
	r = (int)len;
out:
	safe_close(&fd);
	return r;
}

int fileio_path(char *buf, size_t size, const char *root, const char *rel)
{
	int n;

	if (!root || root[0] == '\0' || strcmp(root, "/") == 0)
		root = "";
	while (rel[0] == '/')
		rel++;
	n = snprintf(buf, size, "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int fileio_write_atomic(const char *path, const void *buf, size_t len, unsigned int mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *p = buf;
	int fd, dfd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return negative_errno();
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = negative_errno();
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = negative_errno();
	if (close(fd) < 0 && r == 0)
		r = negative_errno();
	if (r == 0 && rename(tmp, path) < 0)
		r = negative_errno();
	if (r < 0) {
		(void)unlink(tmp);
		return r;
	}
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return negative_errno();
	if (fsync(dfd) < 0)
		r = negative_errno();
	safe_close(&dfd);
	return r;
}
