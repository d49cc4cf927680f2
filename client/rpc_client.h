/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_CLIENT_RPC_CLIENT_H
#define SCX_CLIENT_RPC_CLIENT_H

/*
 * scxctl's side of the protocol: one connection, one request, one
 * response (DESIGN.md section 5). Failures are reported where the
 * operator looks: a line on stderr, and with --json also one JSON
 * document on stdout ({"ok": false, "error": {...}}); the return value is
 * the scxctl exit code (client/cmd.h).
 */
#include "client/cmd.h"
#include "scxd.pb-c.h"

/*
 * Send req, wait for the response (bounded) and decode it. Returns 0 and
 * *ret (scxd__v1__response__free_unpacked()) whatever the response's
 * code; on failure reports why (agent not running, the group needed,
 * no answer) and returns CTL_EXIT_UNREACHABLE, CTL_EXIT_DENIED or
 * CTL_EXIT_FAILED.
 */
int rpc_roundtrip(const struct ctl_globals *g, Scxd__V1__Request *req, Scxd__V1__Response **ret);

/*
 * The exit code for resp: 0 when its code is OK and its body is want
 * (SCXD__V1__RESPONSE__BODY__NOT_SET: any body); else reports "what:
 * message" and returns CTL_EXIT_DENIED for PERMISSION_DENIED,
 * CTL_EXIT_FAILED otherwise.
 */
int rpc_check(const struct ctl_globals *g, const Scxd__V1__Response *resp, Scxd__V1__Response__BodyCase want,
	      const char *what);

/* rpc_roundtrip() then rpc_check(); *ret only on success (0). */
int rpc_call(const struct ctl_globals *g, Scxd__V1__Request *req, Scxd__V1__Response__BodyCase want,
	     const char *what, Scxd__V1__Response **ret);

/*
 * confirm, start, stop: no arguments, an empty body, one line (or
 * {"ok": true, ...}) saying done. Returns the exit code.
 */
int rpc_simple(const struct ctl_globals *g, int argc, char **argv, Scxd__V1__Request__BodyCase body,
	       const char *what, const char *done);

/*
 * Report a failure of command what: "scxctl: what: message" on stderr,
 * and with --json the error document on stdout. code is the protocol's
 * code name ("PERMISSION_DENIED") or a local one ("UNREACHABLE",
 * "USAGE"). Returns rc.
 */
int ctl_report(const struct ctl_globals *g, int rc, const char *code, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
