/* SPDX-License-Identifier: GPL-2.0-only */
/* scxctl version: this client's version and the agent's (when it answers). */
#include <stdio.h>

#include "client/cmd.h"
#include "client/jsonw.h"
#include "client/rpc_client.h"

int cmd_agent_version(const struct ctl_globals *g, int argc, char **argv)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__VersionRequest body = SCXD__V1__VERSION_REQUEST__INIT;
	struct ctl_globals quiet = *g;
	Scxd__V1__Response *resp = NULL;
	struct jw w;
	int rc;

	(void)argv;
	if (argc > 1)
		return ctl_report(g, CTL_EXIT_USAGE, "USAGE", "version", "takes no arguments");
	req.body_case = SCXD__V1__REQUEST__BODY_AGENT_VERSION;
	req.agent_version = &body;
	/* One document either way: the error, if any, goes into it rather than a second one. */
	quiet.json = false;
	rc = rpc_call(&quiet, &req, SCXD__V1__RESPONSE__BODY_AGENT_VERSION, "version", &resp);
	if (g->json) {
		jw_begin(&w, stdout);
		jw_obj(&w, NULL);
		jw_bool(&w, "ok", rc == 0);
		jw_str(&w, "client", SCX_VERSION);
		jw_str(&w, "agent", resp ? resp->agent_version->version : NULL);
		if (resp)
			jw_uint(&w, "protocol", resp->agent_version->protocol);
		else
			jw_int(&w, "exit_code", rc);
		jw_obj_end(&w);
		jw_end(&w);
	} else {
		printf("scxctl %s\n", SCX_VERSION);
		if (resp)
			printf("scxd %s (protocol %u)\n", resp->agent_version->version, resp->agent_version->protocol);
	}
	if (resp)
		scxd__v1__response__free_unpacked(resp, NULL);
	return rc;
}
