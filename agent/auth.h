/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_AUTH_H
#define SCX_AGENT_AUTH_H

/*
 * Who is on the other end of a socket, from the kernel (SO_PEERCRED,
 * SO_PEERGROUPS), and what they may do: read methods for anyone who can
 * connect, write methods for uid 0 or members of the admin group, and only
 * read methods on the read-only socket.
 */
#include <stdbool.h>
#include <sys/types.h>

#define AUTH_MAX_GROUPS 256

struct auth_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	gid_t groups[AUTH_MAX_GROUPS];
	int nr_groups;      /* -1 when the list did not fit: membership then fails closed */
};

enum auth_role {
	AUTH_READ,
	AUTH_WRITE,
};

/* Fill ret from the kernel's view of fd's peer. Returns 0 or -errno. */
int auth_peer_get(int fd, struct auth_peer *ret);

/* May this peer call a method of this role on this socket? */
bool auth_allowed(const struct auth_peer *p, gid_t admin_gid, bool ro_socket, enum auth_role role);

#endif
