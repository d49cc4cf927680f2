/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxctl apply FILE [--dry-run] [--confirm SECS]
 *
 * Parses and validates locally first (every problem with its
 * FILE:LINE:COL), then sends the typed config; the agent validates again
 * against its own machine and its problems are shown at the same places
 * in the file. With --json the result, or the problems, are one document.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd.h"
#include "client/json.h"
#include "client/jsonw.h"
#include "client/rpc_client.h"
#include "common/config.h"
#include "common/parse.h"
#include "common/pbconv.h"

static int apply_usage(const struct ctl_globals *g, FILE *f, int rc)
{
	if (rc)
		return ctl_report(g, rc, "USAGE", "apply",
				  "usage: scxctl apply FILE [--dry-run] [--confirm SECS] [--agent-topology]");
	fprintf(f, "usage: scxctl apply FILE [--dry-run] [--confirm SECS] [--agent-topology]\n\n"
		   "Validate FILE (\"-\" for stdin) here and in the agent, then apply it live.\n"
		   "  --dry-run        validate against the agent's machine, change nothing\n"
		   "  --confirm SECS   roll back unless `scxctl confirm` follows within SECS\n"
		   "                   (1 to 86400; also across a restart of the agent)\n"
		   "  --agent-topology check CPU, node and LLC numbers only against the agent's\n"
		   "                   machine, not this one (an agent reached through a\n"
		   "                   forwarded socket, or a fake sysfs tree)\n");
	return rc;
}

/* The problems as one JSON document: {"ok": false, "file": ..., "problems": [...]}. */
static void problems_json(const char *file, const struct cfg_diags *local, const struct cfg_diags *remote,
			  const struct json_posmap *pm, const char *message)
{
	bool first = true;

	printf("{\"ok\": false, \"file\": ");
	json_print_string(stdout, file);
	printf(", \"message\": ");
	json_print_string(stdout, message);
	printf(", \"problems\": [");
	(void)ctl_print_problems(file, local, pm, true, &first);
	(void)ctl_print_problems(file, remote, pm, true, &first);
	printf("]}\n");
}

int cmd_apply(const struct ctl_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "confirm", required_argument, NULL, 'c' },
		{ "agent-topology", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__ApplyRequest body = SCXD__V1__APPLY_REQUEST__INIT;
	struct ctl_globals quiet = *g;
	Scxd__V1__Response *resp = NULL;
	Scxd__V1__Config *pb = NULL;
	struct json_posmap pm = { 0 };
	struct cfg_diags d = { 0 }, remote = { 0 };
	struct cfg_topo topo;
	struct cfg *c = NULL;
	const char *file, *shown;
	bool dry = false, first = true, local_topo = true;
	unsigned int confirm = 0;
	char *text = NULL;
	size_t len, nparse;
	struct jw w;
	int opt, r, rc;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			dry = true;
			break;
		case 'a':
			local_topo = false;
			break;
		case 'c':
			if (parse_u32(optarg, 86400, &confirm) < 0 || confirm == 0)
				return ctl_report(g, CTL_EXIT_USAGE, "USAGE", "apply",
						  "--confirm: seconds from 1 to 86400, not '%s'", optarg);
			break;
		case 'h':
			return apply_usage(g, stdout, CTL_EXIT_OK);
		default:
			return apply_usage(g, stderr, CTL_EXIT_USAGE);
		}
	}
	if (optind != argc - 1)
		return apply_usage(g, stderr, CTL_EXIT_USAGE);
	if (dry && confirm)
		return ctl_report(g, CTL_EXIT_USAGE, "USAGE", "apply", "--dry-run and --confirm do not go together");
	file = argv[optind];
	shown = strcmp(file, "-") == 0 ? "<stdin>" : file;
	r = ctl_read_file(file, &text, &len);
	if (r < 0)
		return ctl_report(g, CTL_EXIT_USAGE, "USAGE", shown, "%s", strerror(-r));
	r = json_parse_config(text, len, &c, &d, &pm);
	if (r == 0) {
		nparse = d.n;
		r = cfg_validate(c, local_topo && ctl_local_topology(&topo) ? &topo : NULL, 0, &d);
		json_drop_shadowed(&d, nparse);
	}
	if (r == -ENOMEM) {
		rc = ctl_report(g, CTL_EXIT_FAILED, "INTERNAL", "apply", "out of memory");
		goto out;
	}
	if (r != 0 || d.nr_errors) {
		if (g->json)
			problems_json(shown, &d, &remote, &pm, "the config is invalid");
		else
			(void)ctl_print_problems(shown, &d, &pm, false, &first);
		rc = CTL_EXIT_FAILED;
		goto out;
	}
	if (!g->json)
		(void)ctl_print_problems(shown, &d, &pm, false, &first);   /* warnings */
	if (pbconv_to_pb(c, &pb) < 0) {
		rc = ctl_report(g, CTL_EXIT_FAILED, "INTERNAL", "apply", "out of memory");
		goto out;
	}
	body.config = pb;
	body.dry_run = dry;
	body.confirm_secs = confirm;
	req.body_case = SCXD__V1__REQUEST__BODY_APPLY;
	req.apply = &body;
	rc = rpc_roundtrip(g, &req, &resp);
	if (rc)
		goto out;
	/* The agent's own findings, shown where they are in the file. */
	if (resp->body_case == SCXD__V1__RESPONSE__BODY_APPLY && resp->apply) {
		for (size_t i = 0; i < resp->apply->n_problems; i++) {
			const Scxd__V1__Problem *p = resp->apply->problems[i];

			if (cfg_diag_add(&remote, p->warning ? CFG_WARNING : CFG_ERROR, p->path, "agent: %s",
					 p->message) < 0)
				break;
		}
	}
	if (g->json && resp->code != SCXD__V1__CODE__OK && remote.n) {
		/* Refused with problems: they are the document. */
		problems_json(shown, &d, &remote, &pm, resp->message);
		quiet.json = false;
	}
	if (!g->json) {
		first = true;
		(void)ctl_print_problems(shown, &remote, &pm, false, &first);
	}
	rc = rpc_check(&quiet, resp, SCXD__V1__RESPONSE__BODY_APPLY, "apply");
	if (rc)
		goto out;
	if (g->json) {
		jw_begin(&w, stdout);
		jw_obj(&w, NULL);
		jw_bool(&w, "ok", true);
		jw_str(&w, "file", shown);
		jw_str(&w, "digest", resp->apply->digest);
		jw_bool(&w, "dry_run", dry);
		jw_bool(&w, "live", resp->apply->live);
		jw_uint(&w, "confirm_secs", confirm);
		jw_uint(&w, "warnings", d.n - d.nr_errors + remote.n - remote.nr_errors);
		jw_obj_end(&w);
		jw_end(&w);
	} else if (dry) {
		printf("%s: valid for the agent's machine (digest %.12s); nothing applied\n", shown, resp->apply->digest);
	} else {
		printf("%s: applied%s (digest %.12s)%s%s\n", shown, resp->apply->live ? " live" : "", resp->apply->digest,
		       confirm ? "; " : "", confirm ? resp->message : "");
	}
out:
	if (resp)
		scxd__v1__response__free_unpacked(resp, NULL);
	pbconv_pb_free(pb);
	cfg_free(c);
	cfg_diags_release(&d);
	cfg_diags_release(&remote);
	json_posmap_release(&pm);
	free(text);
	return rc;
}
