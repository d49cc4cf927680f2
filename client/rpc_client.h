/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_CLIENT_RPC_CLIENT_H
#define SCX_CLIENT_RPC_CLIENT_H

#include "scxd.pb-c.h"

/*
 * One request to scxd, one response. On success returns 0 and *ret
 * (scxd__v1__response__free_unpacked()); the response's code may still be
 * an error. On failure prints why to stderr (agent not running, which
 * group is needed, a timeout) and returns the scxctl exit code.
 */
int rpc_call(const char *socket_path, Scxd__V1__Request *req, Scxd__V1__Response **ret);

/* The exit code for a response code, after printing its message if not OK. */
int rpc_exit_code(const Scxd__V1__Response *resp, const char *what);

#endif
