/* SPDX-License-Identifier: GPL-2.0-only */
/* scxctl explain PID: the task's layer and the OR block of its matches that put it there. */
#include <stdint.h>
#include <stdio.h>

#include "client/cmd.h"
#include "client/jsonw.h"
#include "client/rpc_client.h"
#include "common/parse.h"

int cmd_explain(const struct ctl_globals *g, int argc, char **argv)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__ExplainRequest body = SCXD__V1__EXPLAIN_REQUEST__INIT;
	Scxd__V1__Response *resp;
	Scxd__V1__ExplainReply *e;
	struct jw w;
	int pid, rc;

	if (argc != 2 || parse_int(argv[1], 1, INT32_MAX, &pid) < 0)
		return ctl_report(g, CTL_EXIT_USAGE, "USAGE", "explain", "usage: scxctl explain PID (a number above 0)");
	body.pid = pid;
	req.body_case = SCXD__V1__REQUEST__BODY_EXPLAIN;
	req.explain = &body;
	rc = rpc_call(g, &req, SCXD__V1__RESPONSE__BODY_EXPLAIN, "explain", &resp);
	if (rc)
		return rc;
	e = resp->explain;
	if (g->json) {
		jw_begin(&w, stdout);
		jw_obj(&w, NULL);
		jw_int(&w, "pid", e->pid);
		jw_str(&w, "layer", e->layer);
		jw_uint(&w, "layer_index", e->layer_index);
		if (e->or_block)
			jw_uint(&w, "or_block", e->or_block);
		else
			jw_null(&w, "or_block");
		jw_arr(&w, "and_terms");
		for (size_t i = 0; i < e->n_and_terms; i++)
			jw_str(&w, NULL, e->and_terms[i]);
		jw_arr_end(&w);
		jw_str(&w, "why", e->why);
		jw_obj_end(&w);
		jw_end(&w);
	} else {
		printf("pid %d is in layer %u \"%s\"\n", e->pid, e->layer_index, e->layer);
		if (e->or_block) {
			printf("matched by OR block %u:\n", e->or_block);
			for (size_t i = 0; i < e->n_and_terms; i++)
				printf("  %s%s\n", i ? "AND " : "    ", e->and_terms[i]);
			if (!e->n_and_terms)
				printf("      (no terms: matches every task)\n");
			if (e->why[0])
				printf("details: %s\n", e->why);
		} else if (e->why[0]) {
			printf("why: %s\n", e->why);
		}
	}
	scxd__v1__response__free_unpacked(resp, NULL);
	return CTL_EXIT_OK;
}
