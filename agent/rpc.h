/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_RPC_H
#define SCX_AGENT_RPC_H

/*
 * The control socket: listeners, clients, one request per packet
 * (DESIGN.md section 5). Everything here runs in the agent's one loop and
 * never blocks on a peer.
 */
#include <stdbool.h>

struct agent;
struct agent_client;
struct agent_listener;

/*
 * Create, bind and listen on path (a stale socket file is replaced), mode
 * 0660 (0666 for ro) and group a->admin_gid, owned by the agent: unlinked
 * at exit. group is the group's name, for messages. Logs and returns
 * -errno on failure.
 */
int rpc_listen(struct agent *a, const char *path, bool ro, const char *group);
/* Serve a listening socket systemd passed (fd is taken over). -ENOTSOCK, -EINVAL if it is not a listening AF_UNIX SOCK_SEQPACKET socket. */
int rpc_listen_fd(struct agent *a, int fd, bool ro);
/* Accept what is waiting on l (bounded per call); the peer's credentials come from the kernel. */
void rpc_accept(struct agent *a, struct agent_listener *l);
/* Read one packet from c, answer it; drops c when it closed, or when its answer would block. */
void rpc_handle(struct agent *a, struct agent_client *c);
/*
 * Close c: its fd at once, its memory only in rpc_free_dead(), after the
 * loop's current batch of events (which may still name c: skip dead ones).
 */
void rpc_close_client(struct agent *a, struct agent_client *c);
void rpc_free_dead(struct agent *a);
/* Watch the listeners again if accepting was paused and there is room now (after a batch; once a second). */
void rpc_resume_accept(struct agent *a);
/* Close clients idle for more than AGENT_IDLE_SECS. */
void rpc_reap_idle(struct agent *a);

#endif
