/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Request checks. Invariant: a request that request_decode() accepts has
 * a known method with its body present and every scalar in range; the
 * only part left for later is the config, which request_config() bounds
 * before it allocates anything for it and validates completely. Nothing
 * here trusts the peer.
 */
#include <errno.h>
#include <stdio.h>

#include "agent/request.h"
#include "common/err.h"
#include "common/pbconv.h"

static const struct request_method methods[] = {
	{ SCXD__V1__REQUEST__BODY_STATUS, "status", AUTH_READ },
	{ SCXD__V1__REQUEST__BODY_GET_CONFIG, "get-config", AUTH_READ },
	{ SCXD__V1__REQUEST__BODY_EXPLAIN, "explain", AUTH_READ },
	{ SCXD__V1__REQUEST__BODY_TOPOLOGY, "topology", AUTH_READ },
	{ SCXD__V1__REQUEST__BODY_METRICS, "metrics", AUTH_READ },
	{ SCXD__V1__REQUEST__BODY_AGENT_VERSION, "version", AUTH_READ },
	{ SCXD__V1__REQUEST__BODY_APPLY, "apply", AUTH_WRITE },
	{ SCXD__V1__REQUEST__BODY_CONFIRM, "confirm", AUTH_WRITE },
	{ SCXD__V1__REQUEST__BODY_START, "start", AUTH_WRITE },
	{ SCXD__V1__REQUEST__BODY_STOP, "stop", AUTH_WRITE },
};

const struct request_method *request_method(int body_case)
{
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if ((int)methods[i].body == body_case)
			return &methods[i];
	return NULL;
}

/* The body of a oneof case, NULL if the peer left it out. */
static const void *body_of(const Scxd__V1__Request *req)
{
	switch (req->body_case) {
	case SCXD__V1__REQUEST__BODY_STATUS:
		return req->status;
	case SCXD__V1__REQUEST__BODY_GET_CONFIG:
		return req->get_config;
	case SCXD__V1__REQUEST__BODY_EXPLAIN:
		return req->explain;
	case SCXD__V1__REQUEST__BODY_TOPOLOGY:
		return req->topology;
	case SCXD__V1__REQUEST__BODY_METRICS:
		return req->metrics;
	case SCXD__V1__REQUEST__BODY_AGENT_VERSION:
		return req->agent_version;
	case SCXD__V1__REQUEST__BODY_APPLY:
		return req->apply;
	case SCXD__V1__REQUEST__BODY_CONFIRM:
		return req->confirm;
	case SCXD__V1__REQUEST__BODY_START:
		return req->start;
	case SCXD__V1__REQUEST__BODY_STOP:
		return req->stop;
	default:
		return NULL;
	}
}

static Scxd__V1__Code check(const Scxd__V1__Request *req, char *msg, size_t msglen)
{
	const struct request_method *m;

	if (req->version != SCXD__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_1) {
		snprintf(msg, msglen, "protocol version %u is not supported (1 is): update scxctl or scxd",
			 req->version);
		return SCXD__V1__CODE__FAILED_PRECONDITION;
	}
	m = request_method(req->body_case);
	if (!m) {
		snprintf(msg, msglen, "unknown method (request body %d)", (int)req->body_case);
		return SCXD__V1__CODE__INVALID_ARGUMENT;
	}
	if (!body_of(req)) {
		snprintf(msg, msglen, "%s: the request has no body", m->name);
		return SCXD__V1__CODE__INVALID_ARGUMENT;
	}
	switch (req->body_case) {
	case SCXD__V1__REQUEST__BODY_EXPLAIN:
		if (req->explain->pid <= 0) {
			snprintf(msg, msglen, "explain: a PID above 0 is needed, not %d", req->explain->pid);
			return SCXD__V1__CODE__INVALID_ARGUMENT;
		}
		break;
	case SCXD__V1__REQUEST__BODY_APPLY:
		if (!req->apply->config) {
			snprintf(msg, msglen, "apply: no config in the request");
			return SCXD__V1__CODE__INVALID_ARGUMENT;
		}
		if (req->apply->confirm_secs > REQUEST_CONFIRM_MAX_SECS) {
			snprintf(msg, msglen, "apply: --confirm is at most %u seconds, not %u", REQUEST_CONFIRM_MAX_SECS,
				 req->apply->confirm_secs);
			return SCXD__V1__CODE__INVALID_ARGUMENT;
		}
		if (req->apply->dry_run && req->apply->confirm_secs) {
			snprintf(msg, msglen, "apply: --dry-run and --confirm do not go together");
			return SCXD__V1__CODE__INVALID_ARGUMENT;
		}
		break;
	default:
		break;
	}
	return SCXD__V1__CODE__OK;
}

Scxd__V1__Code request_decode(const uint8_t *buf, size_t len, Scxd__V1__Request **ret, char *msg,
			      size_t msglen)
{
	Scxd__V1__Request *req;
	Scxd__V1__Code code;

	req = scxd__v1__request__unpack(NULL, len, buf);
	if (!req) {
		snprintf(msg, msglen, "malformed request (%zu bytes): not a scxd.v1.Request", len);
		return SCXD__V1__CODE__INVALID_ARGUMENT;
	}
	code = check(req, msg, msglen);
	if (code != SCXD__V1__CODE__OK) {
		scxd__v1__request__free_unpacked(req, NULL);
		return code;
	}
	*ret = req;
	return SCXD__V1__CODE__OK;
}

int request_config(const Scxd__V1__Config *pb, const struct cfg_topo *topo, struct cfg **ret_cfg,
		   struct cfg_diags *d)
{
	struct cfg *c = NULL;
	int r;

	r = pbconv_from_pb(pb, &c, d);
	if (r < 0)
		return r;
	r = cfg_validate(c, topo, CFG_VALIDATE_APPLY, d);
	if (r != 0) {
		cfg_free(c);
		return r < 0 ? r : -EINVAL;
	}
	*ret_cfg = c;
	return 0;
}
