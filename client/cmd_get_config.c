/* SPDX-License-Identifier: GPL-2.0-only */
/* scxctl get-config: the applied config, as JSON that apply accepts (as it was applied, not normalized). */
#include <stdio.h>
#include <stdlib.h>

#include "client/cmd.h"
#include "client/json.h"
#include "client/rpc_client.h"
#include "common/config.h"
#include "common/pbconv.h"

int cmd_get_config(const struct ctl_globals *g, int argc, char **argv)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__GetConfigRequest body = SCXD__V1__GET_CONFIG_REQUEST__INIT;
	struct cfg_diags d = { 0 };
	Scxd__V1__Response *resp;
	struct cfg *c = NULL;
	char *text = NULL;
	int rc;

	(void)argv;
	if (argc > 1)
		return ctl_report(g, CTL_EXIT_USAGE, "USAGE", "get-config", "takes no arguments");
	req.body_case = SCXD__V1__REQUEST__BODY_GET_CONFIG;
	req.get_config = &body;
	rc = rpc_call(g, &req, SCXD__V1__RESPONSE__BODY_GET_CONFIG, "get-config", &resp);
	if (rc)
		return rc;
	/* The agent is not trusted either: the config is bounded and converted like any other. */
	if (!resp->get_config->config || pbconv_from_pb(resp->get_config->config, &c, &d) < 0)
		rc = ctl_report(g, CTL_EXIT_FAILED, "INTERNAL", "get-config",
				"the agent sent a config this client cannot read");
	else if (!(text = json_format_config(c)))
		rc = ctl_report(g, CTL_EXIT_FAILED, "INTERNAL", "get-config", "out of memory");
	else
		fputs(text, stdout);   /* JSON already, with or without --json */
	free(text);
	cfg_free(c);
	cfg_diags_release(&d);
	scxd__v1__response__free_unpacked(resp, NULL);
	return rc;
}
