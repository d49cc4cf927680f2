/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_REQUEST_H
#define SCX_AGENT_REQUEST_H

/*
 * What a request may be (DESIGN.md section 5), before it has any effect:
 * the method table with each method's role, and the checks of a decoded
 * packet (version, method, body, every number) and of an apply's config
 * (bounded by pbconv, then the one validator against the agent's
 * topology). Pure functions: no I/O, no logging, no agent state, so the
 * fuzz target and the unit tests run exactly what the agent runs.
 */
#include <stddef.h>
#include <stdint.h>

#include "agent/auth.h"
#include "common/config.h"
#include "scxd.pb-c.h"

/* The longest --confirm window the agent accepts. */
#define REQUEST_CONFIRM_MAX_SECS 86400u

struct request_method {
	Scxd__V1__Request__BodyCase body;
	const char *name;       /* as scxctl names the command */
	enum auth_role role;
};

/* The method of a request body, or NULL when the body is unknown or unset. */
const struct request_method *request_method(int body_case);

/*
 * Decode one packet and check everything that needs no machine: the
 * protocol version, a known method, its body present, every number in
 * range (explain's pid, apply's confirm window and config). Returns
 * SCXD__V1__CODE__OK and *ret (scxd__v1__request__free_unpacked()), or
 * the code to answer with (INVALID_ARGUMENT, FAILED_PRECONDITION for
 * another protocol version) and a one-line message in msg.
 */
Scxd__V1__Code request_decode(const uint8_t *buf, size_t len, Scxd__V1__Request **ret, char *msg,
			      size_t msglen);

/*
 * The config of an apply, as the agent may run it: bounded and converted
 * (pbconv_from_pb), validated for this machine (cfg_validate with
 * CFG_VALIDATE_APPLY). Every problem, warnings included, goes to d with
 * its JSON path. Returns 0 and *ret_cfg (cfg_free(); not normalized),
 * -EINVAL when there are errors, or -ENOMEM.
 */
int request_config(const Scxd__V1__Config *pb, const struct cfg_topo *topo, struct cfg **ret_cfg,
		   struct cfg_diags *d);

#endif
