/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
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
