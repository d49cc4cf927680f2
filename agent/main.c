/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxd: the privileged agent. Parses argv into the one static struct
 * agent_args; everything else hangs off struct agent.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"

static struct agent_args {
	const char *backend;
	const char *socket_path;
	const char *ro_socket_path;
	const char *admin_group;
	const char *state_dir;
	const char *runtime_dir;
	const char *sysfs_root;
	const char *procfs_root;
	bool no_restore;
	enum log_level log_level;
} args = {
	.backend = "bpf",
	.socket_path = "/run/scxd/scxd.sock",
	.admin_group = "scx",
	.state_dir = "/var/lib/scxd",
	.runtime_dir = "/run/scxd",
	.sysfs_root = "/sys",
	.procfs_root = "/proc",
	.log_level = LOG_LEVEL_INFO,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: scxd [--backend bpf|sim] [--socket PATH] [--ro-socket PATH]\n"
		   "            [--admin-group NAME] [--state-dir DIR] [--runtime-dir DIR]\n"
		   "            [--sysfs-root DIR] [--procfs-root DIR] [--no-restore]\n"
		   "            [--log-level error|warn|info|debug]\n\n"
		   "The layered sched_ext scheduler agent. Runs in the foreground as root.\n\n"
		   "  --backend bpf|sim     bpf: the kernel scheduler; sim: everything but the\n"
		   "                        kernel scheduler (hosts without sched_ext, tests)\n"
		   "  --socket PATH         control socket (default %s, mode 0660)\n"
		   "  --ro-socket PATH      extra socket serving read-only methods\n"
		   "  --admin-group NAME    group allowed to change the scheduler (default %s)\n"
		   "  --state-dir DIR       persisted config (default %s)\n"
		   "  --runtime-dir DIR     runtime state, IRQ snapshots (default %s)\n"
		   "  --sysfs-root DIR      read sysfs below DIR (default %s)\n"
		   "  --procfs-root DIR     read and write procfs below DIR (default %s)\n"
		   "  --no-restore          do not re-apply the persisted config at start\n"
		   "  --log-level LEVEL     error, warn, info (default) or debug\n"
		   "  -h, --help            this help\n"
		   "  -V, --version         print the version\n",
		args.socket_path, args.admin_group, args.state_dir, args.runtime_dir,
		args.sysfs_root, args.procfs_root);
}

static int parse_args(int argc, char **argv)
{
	enum { OPT_BACKEND = 256, OPT_SOCKET, OPT_RO_SOCKET, OPT_ADMIN_GROUP, OPT_STATE_DIR,
	       OPT_RUNTIME_DIR, OPT_SYSFS_ROOT, OPT_PROCFS_ROOT, OPT_NO_RESTORE, OPT_LOG_LEVEL };
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "ro-socket", required_argument, NULL, OPT_RO_SOCKET },
		{ "admin-group", required_argument, NULL, OPT_ADMIN_GROUP },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "runtime-dir", required_argument, NULL, OPT_RUNTIME_DIR },
		{ "sysfs-root", required_argument, NULL, OPT_SYSFS_ROOT },
		{ "procfs-root", required_argument, NULL, OPT_PROCFS_ROOT },
		{ "no-restore", no_argument, NULL, OPT_NO_RESTORE },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_BACKEND:
			if (strcmp(optarg, "bpf") != 0 && strcmp(optarg, "sim") != 0) {
				log_error("--backend: unknown backend '%s' (bpf or sim)", optarg);
				return 2;
			}
			args.backend = optarg;
			break;
		case OPT_SOCKET:
			args.socket_path = optarg;
			break;
		case OPT_RO_SOCKET:
			args.ro_socket_path = optarg;
			break;
		case OPT_ADMIN_GROUP:
			args.admin_group = optarg;
			break;
		case OPT_STATE_DIR:
			args.state_dir = optarg;
			break;
		case OPT_RUNTIME_DIR:
			args.runtime_dir = optarg;
			break;
		case OPT_SYSFS_ROOT:
			args.sysfs_root = optarg;
			break;
		case OPT_PROCFS_ROOT:
			args.procfs_root = optarg;
			break;
		case OPT_NO_RESTORE:
			args.no_restore = true;
			break;
		case OPT_LOG_LEVEL:
			if (log_level_from_string(optarg, &args.log_level) < 0) {
				log_error("--log-level: unknown level '%s'", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("scxd %s\n", SCX_VERSION);
			return 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int r;

	log_init("scxd", LOG_LEVEL_INFO);
	r = parse_args(argc, argv);
	if (r == 1)
		return 0;
	if (r)
		return r;
	log_set_level(args.log_level);
	log_error("the agent is not implemented yet");
	return 1;
}
