/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_CLIENT_CMD_H
#define SCX_CLIENT_CMD_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes of scxctl (DESIGN.md section 3). */
enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILED = 1,       /* invalid config or the operation failed */
	CTL_EXIT_USAGE = 2,        /* usage or file error */
	CTL_EXIT_UNREACHABLE = 3,  /* agent unreachable */
	CTL_EXIT_DENIED = 4,       /* permission denied */
};

/* Options given before the command name. */
struct ctl_globals {
	const char *socket_path;
	bool json;
	bool color;
	const char *command;       /* the command's name, for reports */
};

/*
 * A subcommand: argv[0] is the command's name; returns an enum ctl_exit
 * value. Each prints its own results to stdout and diagnostics to stderr.
 */
struct ctl_command {
	const char *name;
	const char *args;
	const char *summary;
	int (*run)(const struct ctl_globals *g, int argc, char **argv);
};

#define CTL_DEFAULT_SOCKET "/run/scxd/scxd.sock"

struct cfg_diags;
struct cfg_topo;
struct json_posmap;

/* Commands (client/cmd_<name>.c). */
int cmd_validate(const struct ctl_globals *g, int argc, char **argv);
int cmd_apply(const struct ctl_globals *g, int argc, char **argv);
int cmd_confirm(const struct ctl_globals *g, int argc, char **argv);
int cmd_start(const struct ctl_globals *g, int argc, char **argv);
int cmd_stop(const struct ctl_globals *g, int argc, char **argv);
int cmd_status(const struct ctl_globals *g, int argc, char **argv);
int cmd_get_config(const struct ctl_globals *g, int argc, char **argv);
int cmd_explain(const struct ctl_globals *g, int argc, char **argv);
int cmd_topology(const struct ctl_globals *g, int argc, char **argv);
int cmd_metrics(const struct ctl_globals *g, int argc, char **argv);
int cmd_agent_version(const struct ctl_globals *g, int argc, char **argv);

/*
 * Print the problems of a config, located in pm, sorted: text lines on
 * stderr or, with json, array elements on stdout (*first tracks commas).
 * Returns 0 or -ENOMEM.
 */
int ctl_print_problems(const char *file, const struct cfg_diags *d, const struct json_posmap *pm, bool json,
		       bool *first);

/*
 * Read a whole file, or stdin for "-", into a new NUL-terminated buffer
 * (at most 16 MiB). Returns 0 or -errno (-EFBIG when too large).
 */
int ctl_read_file(const char *name, char **ret_text, size_t *ret_len);
/* This machine's topology as the validator needs it; false (warned) if unreadable. */
bool ctl_local_topology(struct cfg_topo *ret);

#endif
