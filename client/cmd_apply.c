/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxctl apply FILE [--dry-run] [--confirm SECS], confirm, start, stop.
 *
 * apply parses and validates locally first (every problem with its
 * FILE:LINE:COL), then sends the typed config; the agent validates again
 * against its own machine and its problems are shown at the same places.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd.h"
#include "client/json.h"
#include "client/rpc_client.h"
#include "common/config.h"
#include "common/parse.h"
#include "common/pbconv.h"

static int simple_call(const struct ctl_globals *g, Scxd__V1__Request *req, const char *what, const char *ok)
{
	Scxd__V1__Response *resp;
	int rc = rpc_call(g->socket_path, req, &resp);

	if (rc)
		return rc;
	rc = rpc_exit_code(resp, what);
	if (g->json)
		printf("{\"ok\": %s}\n", rc == 0 ? "true" : "false");
	else if (rc == 0)
		printf("%s\n", ok);
	scxd__v1__response__free_unpacked(resp, NULL);
	return rc;
}

static bool no_args(int argc, char **argv, const char *usage)
{
	if (argc > 1) {
		fprintf(stderr, "usage: scxctl %s\n", usage);
		return false;
	}
	(void)argv;
	return true;
}

/* confirm, start, stop: no arguments, an empty request body, a one-line result. */
static int write_command(const struct ctl_globals *g, int argc, char **argv, Scxd__V1__Request__BodyCase body,
			 const char *name, const char *ok)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__ConfirmRequest confirm = SCXD__V1__CONFIRM_REQUEST__INIT;
	Scxd__V1__StartRequest start = SCXD__V1__START_REQUEST__INIT;
	Scxd__V1__StopRequest stop = SCXD__V1__STOP_REQUEST__INIT;

	if (!no_args(argc, argv, name))
		return CTL_EXIT_USAGE;
	req.body_case = body;
	if (body == SCXD__V1__REQUEST__BODY_CONFIRM)
		req.confirm = &confirm;
	else if (body == SCXD__V1__REQUEST__BODY_START)
		req.start = &start;
	else
		req.stop = &stop;
	return simple_call(g, &req, name, ok);
}

int cmd_confirm(const struct ctl_globals *g, int argc, char **argv)
{
	return write_command(g, argc, argv, SCXD__V1__REQUEST__BODY_CONFIRM, "confirm",
			     "confirmed: the applied config stays");
}

int cmd_start(const struct ctl_globals *g, int argc, char **argv)
{
	return write_command(g, argc, argv, SCXD__V1__REQUEST__BODY_START, "start", "scheduler attached");
}

int cmd_stop(const struct ctl_globals *g, int argc, char **argv)
{
	return write_command(g, argc, argv, SCXD__V1__REQUEST__BODY_STOP, "stop", "scheduler detached");
}

static void apply_usage(FILE *f)
{
	fprintf(f, "usage: scxctl apply FILE [--dry-run] [--confirm SECS]\n\n"
		   "Validate FILE here and in the agent, then apply it live.\n"
		   "  --dry-run        validate against the agent's machine, change nothing\n"
		   "  --confirm SECS   roll back unless `scxctl confirm` follows within SECS\n");
}

int cmd_apply(const struct ctl_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "confirm", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__ApplyRequest body = SCXD__V1__APPLY_REQUEST__INIT;
	Scxd__V1__Response *resp = NULL;
	Scxd__V1__Config *pb = NULL;
	struct json_posmap pm = { 0 };
	struct cfg_diags d = { 0 }, remote = { 0 };
	struct cfg_topo topo;
	struct cfg *c = NULL;
	const char *file, *shown;
	bool dry = false, first = true;
	unsigned int confirm = 0;
	char *text = NULL;
	size_t len, nparse;
	int opt, r, rc;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			dry = true;
			break;
		case 'c':
			if (parse_u32(optarg, 86400, &confirm) < 0 || confirm == 0) {
				fprintf(stderr, "scxctl apply: --confirm: seconds from 1 to 86400, not '%s'\n", optarg);
				return CTL_EXIT_USAGE;
			}
			break;
		case 'h':
			apply_usage(stdout);
			return CTL_EXIT_OK;
		default:
			apply_usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		apply_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	file = argv[optind];
	shown = strcmp(file, "-") == 0 ? "<stdin>" : file;
	r = ctl_read_file(file, &text, &len);
	if (r < 0) {
		fprintf(stderr, "scxctl: %s: %s\n", shown, strerror(-r));
		return CTL_EXIT_USAGE;
	}
	r = json_parse_config(text, len, &c, &d, &pm);
	if (r == 0) {
		nparse = d.n;
		r = cfg_validate(c, ctl_local_topology(&topo) ? &topo : NULL, 0, &d);
		json_drop_shadowed(&d, nparse);
	}
	(void)ctl_print_problems(shown, &d, &pm, false, &first);
	if (r != 0 || d.nr_errors) {
		rc = CTL_EXIT_FAILED;
		goto out;
	}
	if (pbconv_to_pb(c, &pb) < 0) {
		rc = CTL_EXIT_FAILED;
		goto out;
	}
	body.config = pb;
	body.dry_run = dry;
	body.confirm_secs = confirm;
	req.body_case = SCXD__V1__REQUEST__BODY_APPLY;
	req.apply = &body;
	rc = rpc_call(g->socket_path, &req, &resp);
	if (rc)
		goto out;
	/* The agent's own findings, shown where they are in the file. */
	if (resp->body_case == SCXD__V1__RESPONSE__BODY_APPLY) {
		for (size_t i = 0; i < resp->apply->n_problems; i++) {
			const Scxd__V1__Problem *p = resp->apply->problems[i];

			if (cfg_diag_add(&remote, p->warning ? CFG_WARNING : CFG_ERROR, p->path, "agent: %s",
					 p->message) < 0)
				break;
		}
		first = true;
		(void)ctl_print_problems(shown, &remote, &pm, false, &first);
	}
	rc = rpc_exit_code(resp, "apply");
	if (rc == 0 && resp->body_case == SCXD__V1__RESPONSE__BODY_APPLY) {
		if (g->json)
			printf("{\"digest\": \"%s\", \"dry_run\": %s, \"live\": %s, \"confirm_secs\": %u}\n",
			       resp->apply->digest, dry ? "true" : "false", resp->apply->live ? "true" : "false", confirm);
		else if (dry)
			printf("%s: valid for the agent's machine (digest %.12s); nothing applied\n", shown,
			       resp->apply->digest);
		else
			printf("%s: applied%s (digest %.12s)%s%s\n", shown, resp->apply->live ? " live" : "",
			       resp->apply->digest, confirm ? "; " : "", confirm ? resp->message : "");
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
