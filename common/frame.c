/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "common/banned.h"
#include "common/err.h"
#include "common/frame.h"

static ssize_t recv_retry(int fd, void *buf, size_t len, int flags)
{
	ssize_t n;

	do
		n = recv(fd, buf, len, flags);
	while (n < 0 && errno == EINTR);
	return n;
}

int frame_recv(int fd, size_t max, void **ret_buf, size_t *ret_len)
{
	uint8_t probe;
	void *buf;
	ssize_t n;

	/* With MSG_TRUNC, recv returns the packet's real length. */
	n = recv_retry(fd, &probe, sizeof(probe), MSG_PEEK | MSG_TRUNC);
	if (n < 0)
		return negative_errno();
	if (n == 0) {
		/* EOF, or an empty packet: consume it either way. */
		(void)recv_retry(fd, &probe, sizeof(probe), MSG_DONTWAIT);
		return -ECONNRESET;
	}
	if ((size_t)n > max) {
		/* Dropping it needs no buffer: the rest of a packet is discarded. */
		(void)recv_retry(fd, &probe, sizeof(probe), MSG_DONTWAIT);
		return -EMSGSIZE;
	}
	buf = malloc((size_t)n);
	if (!buf)
		return -ENOMEM;
	n = recv_retry(fd, buf, (size_t)n, MSG_DONTWAIT);
	if (n <= 0) {
		int r = n < 0 ? negative_errno() : -ECONNRESET;

		free(buf);
		return r;
	}
	*ret_buf = buf;
	*ret_len = (size_t)n;
	return 0;
}

int frame_send(int fd, const void *buf, size_t len)
{
	ssize_t n;

	if (len > FRAME_MAX_SIZE)
		return -EMSGSIZE;
	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return negative_errno();
	if ((size_t)n != len)
		return -EIO;
	return 0;
}
