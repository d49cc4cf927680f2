/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_PRIVS_H
#define SCX_AGENT_PRIVS_H

#include <stddef.h>

/*
 * Keep only the capabilities in keep[] (CAP_* numbers): they stay
 * permitted and effective, every other one leaves the permitted,
 * effective, inheritable and ambient sets and, where CAP_SETPCAP allows,
 * the bounding set. Then no_new_privs. Returns 0 or -errno.
 */
int privs_drop(const int *keep, size_t n);

/* The process's effective capabilities as text ("=" when none). */
void privs_describe(char *buf, size_t len);

#endif
