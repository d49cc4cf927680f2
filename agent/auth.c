/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "agent/auth.h"
#include "common/err.h"

int auth_peer_get(int fd, struct auth_peer *ret)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct auth_peer p = { 0 };

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return negative_errno();
	p.uid = cred.uid;
	p.gid = cred.gid;
	p.pid = cred.pid;
	len = sizeof(p.groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, p.groups, &len) < 0) {
		/* ERANGE: more groups than we hold; membership then fails closed. */
		if (errno != ERANGE)
			return negative_errno();
		p.nr_groups = -1;
	} else {
		p.nr_groups = (int)(len / sizeof(gid_t));
	}
	*ret = p;
	return 0;
}

static bool in_group(const struct auth_peer *p, gid_t gid)
{
	if (p->gid == gid)
		return true;
	for (int i = 0; i < p->nr_groups; i++)
		if (p->groups[i] == gid)
			return true;
	return false;
}

bool auth_allowed(const struct auth_peer *p, gid_t admin_gid, bool ro_socket, enum auth_role role)
{
	if (role == AUTH_READ)
		return true;
	if (ro_socket)
		return false;
	return p->uid == 0 || in_group(p, admin_gid);
}
