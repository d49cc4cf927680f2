/* SPDX-License-Identifier: GPL-2.0-only */
/* scxctl metrics: the agent's Prometheus text exposition (for a textfile collector or a scrape wrapper). */
#include <stdio.h>

#include "client/cmd.h"
#include "client/jsonw.h"
#include "client/rpc_client.h"

int cmd_metrics(const struct ctl_globals *g, int argc, char **argv)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__MetricsRequest body = SCXD__V1__METRICS_REQUEST__INIT;
	Scxd__V1__Response *resp;
	struct jw w;
	int rc;

	(void)argv;
	if (argc > 1)
		return ctl_report(g, CTL_EXIT_USAGE, "USAGE", "metrics", "takes no arguments");
	req.body_case = SCXD__V1__REQUEST__BODY_METRICS;
	req.metrics = &body;
	rc = rpc_call(g, &req, SCXD__V1__RESPONSE__BODY_METRICS, "metrics", &resp);
	if (rc)
		return rc;
	if (g->json) {
		jw_begin(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "text", resp->metrics->text);
		jw_obj_end(&w);
		jw_end(&w);
	} else {
		fputs(resp->metrics->text, stdout);
	}
	scxd__v1__response__free_unpacked(resp, NULL);
	return CTL_EXIT_OK;
}
