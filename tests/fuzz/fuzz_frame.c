/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz the receive side of the framing: whatever a peer sends in one
 * packet, frame_recv either returns exactly those bytes or refuses them
 * without allocating.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max = size > 0 ? data[0] * 64u : 0;
	void *buf = NULL;
	size_t len = 0;
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	if (size > 0 && send(sv[0], data, size, 0) != (ssize_t)size)
		abort();
	close(sv[0]);
	r = frame_recv(sv[1], max, &buf, &len);
	if (size == 0 && r != -ECONNRESET)
		abort();
	if (size > max && size > 0 && r != -EMSGSIZE)
		abort();
	if (size > 0 && size <= max && (r != 0 || len != size || memcmp(buf, data, size) != 0))
		abort();
	free(buf);
	close(sv[1]);
	return 0;
}
