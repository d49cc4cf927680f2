/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_FRAME_H
#define SCX_COMMON_FRAME_H

/*
 * Packet I/O on AF_UNIX SOCK_SEQPACKET sockets: one packet is one protobuf
 * message (DESIGN.md section 5). The size of a packet is learnt with
 * MSG_PEEK|MSG_TRUNC before anything is allocated for it.
 */
#include <stddef.h>

/* The largest packet either side accepts. */
#define FRAME_MAX_SIZE (1024u * 1024u)

/*
 * Receive one packet of at most max bytes into a new buffer (*ret_buf,
 * owned by the caller, free()). Returns 0, or:
 *   -ECONNRESET  the peer closed (or sent an empty packet, which no valid
 *                message is),
 *   -EMSGSIZE    the packet is larger than max; it has been consumed and
 *                dropped, nothing was allocated for it,
 *   -EAGAIN      nothing to read on a non-blocking socket,
 *   -ENOMEM, or another -errno from recv.
 */
int frame_recv(int fd, size_t max, void **ret_buf, size_t *ret_len);

/*
 * Send one packet. Never raises SIGPIPE. Returns 0, -EMSGSIZE if len
 * exceeds FRAME_MAX_SIZE, -EAGAIN if the socket buffer is full on a
 * non-blocking socket, or -errno from send.
 */
int frame_send(int fd, const void *buf, size_t len);

#endif
