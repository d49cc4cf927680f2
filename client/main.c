/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxctl: the unprivileged operator's tool. Global options, the command
 * table and the mapping of failures to exit codes live here; each command
 * lives in cmd_<name>.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cmd.h"
#include "common/log.h"

static const struct ctl_command commands[] = {
	{ "validate", "[--nodes N] [--cpus N] FILE...", "parse and validate configs (no agent)",
	  cmd_validate },
	{ "apply", "FILE [--dry-run] [--confirm SECS]", "apply a config live", cmd_apply },
	{ "confirm", "", "keep a config applied with --confirm", cmd_confirm },
	{ "status", "[--watch [SECS]]", "scheduler, layers, config", cmd_status },
	{ "get-config", "", "the applied config as JSON", cmd_get_config },
	{ "start", "", "attach the persisted config", cmd_start },
	{ "stop", "", "detach the scheduler", cmd_stop },
	{ "explain", "PID", "which layer a task is in and why", cmd_explain },
	{ "topology", "", "CPUs, LLCs, NUMA nodes as scxd sees them", cmd_topology },
	{ "metrics", "", "Prometheus text exposition", cmd_metrics },
	{ "version", "", "client and agent versions", cmd_agent_version },
	{ NULL, NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: scxctl [--socket PATH] [--json] [--no-color] COMMAND [ARGS]\n\n"
		   "Controls scxd, the layered sched_ext scheduler service.\n\n"
		   "Commands:\n");
	for (const struct ctl_command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %-36s %s\n", c->name, c->args, c->summary);
	fprintf(f, "\nOptions:\n"
		   "  --socket PATH   agent socket (default %s)\n"
		   "  --json          print one JSON document on stdout\n"
		   "  --no-color      no colours in tables\n"
		   "  -h, --help      this help\n"
		   "  -V, --version   print the client version\n\n"
		   "Exit codes: 0 success, 1 invalid config or operation failed, 2 usage or file\n"
		   "error, 3 agent unreachable, 4 permission denied.\n",
		CTL_DEFAULT_SOCKET);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_globals g = {
		.socket_path = CTL_DEFAULT_SOCKET,
		.color = isatty(STDOUT_FILENO),
	};
	int opt;

	log_init("scxctl", LOG_LEVEL_WARN);
	/* '+': stop at the command name; its options are its own. */
	while ((opt = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			g.socket_path = optarg;
			break;
		case 'j':
			g.json = true;
			break;
		case 'C':
			g.color = false;
			break;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		case 'V':
			printf("scxctl %s\n", SCX_VERSION);
			return CTL_EXIT_OK;
		default:
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (getenv("NO_COLOR"))
		g.color = false;
	for (const struct ctl_command *c = commands; c->name; c++) {
		if (strcmp(c->name, argv[optind]) == 0) {
			int first = optind;

			/* glibc: optind 0 restarts getopt for the command's own options. */
			optind = 0;
			g.command = c->name;
			return c->run(&g, argc - first, argv + first);
		}
	}
	fprintf(stderr, "scxctl: unknown command '%s' (see scxctl --help)\n", argv[optind]);
	return CTL_EXIT_USAGE;
}
