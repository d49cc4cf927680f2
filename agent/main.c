/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxd: the privileged agent. Parses argv into the one static struct
 * agent_args; everything else hangs off struct agent.
 *
 * Setup order: arguments, admin group, state and runtime directories, IRQ
 * crash recovery (before anything else, even with --no-restore), topology,
 * the loop's fds, sockets (own or from systemd), backend, the persisted
 * config, privilege drop, readiness. Teardown is the reverse. Until the
 * backend is attached nothing on the system has changed, so errors before
 * that point may simply exit.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "agent/agent.h"
#include "agent/irq.h"
#include "agent/persist.h"
#include "agent/privs.h"
#include "agent/rpc.h"
#include "common/err.h"
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


static int setup_dirs(void)
{
	if (mkdir(args.runtime_dir, 0755) < 0 && errno != EEXIST)
		return log_error_errno(negative_errno(), "runtime dir %s: mkdir", args.runtime_dir);
	if (mkdir(args.state_dir, 0700) < 0 && errno != EEXIST)
		return log_error_errno(negative_errno(), "state dir %s: mkdir", args.state_dir);
	return 0;
}

static int setup_loop(struct agent *a)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t mask;

	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (a->epfd < 0)
		return log_error_errno(negative_errno(), "epoll_create1");
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return log_error_errno(negative_errno(), "sigprocmask");
	a->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (a->sigfd < 0)
		return log_error_errno(negative_errno(), "signalfd");
	a->sig_ep.type = EP_SIGNAL;
	ev.data.ptr = &a->sig_ep;
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->sigfd, &ev) < 0)
		return log_error_errno(negative_errno(), "epoll add signalfd");
	/* The control loop's tick; also confirm deadlines and idle clients. */
	a->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (a->timerfd < 0 || timerfd_settime(a->timerfd, 0, &its, NULL) < 0)
		return log_error_errno(negative_errno(), "timerfd");
	a->tick_ms = 1000;
	a->timer_ep.type = EP_TIMER;
	ev.data.ptr = &a->timer_ep;
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->timerfd, &ev) < 0)
		return log_error_errno(negative_errno(), "epoll add timerfd");
	return 0;
}

static int setup_sockets(struct agent *a)
{
	int n = sd_listen_fds(1), r;

	if (n < 0)
		return log_error_errno(n, "systemd socket activation");
	if (n > 0) {
		/* Socket activation: the first socket is the main one, a second one is read-only. */
		for (int i = 0; i < n && i < 2; i++) {
			r = rpc_listen_fd(a, SD_LISTEN_FDS_START + i, i == 1);
			if (r < 0)
				return log_error_errno(r, "socket from systemd (fd %d)", SD_LISTEN_FDS_START + i);
		}
		log_info("using %d socket%s from systemd", n, n == 1 ? "" : "s");
		return 0;
	}
	r = rpc_listen(a, args.socket_path, false, args.admin_group);
	if (r < 0)
		return r;
	if (args.ro_socket_path)
		return rpc_listen(a, args.ro_socket_path, true, args.admin_group);
	return 0;
}

static int setup_backend(struct agent *a)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	a->backend = a->bops->create(a->topo, a->sysfs_root, a->procfs_root);
	if (!a->backend)
		return log_error_errno(-ENOMEM, "backend %s", a->bops->name);
	/* Ejections arrive through the backend's fd when it has one, else the backend sees them in tick. */
	fd = a->bops->event_fd && a->bops->event ? a->bops->event_fd(a->backend) : -1;
	if (fd < 0)
		return 0;
	a->backend_ep.type = EP_BACKEND;
	ev.data.ptr = &a->backend_ep;
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return log_error_errno(negative_errno(), "epoll add backend %s event fd", a->bops->name);
	return 0;
}

static void restore_config(struct agent *a)
{
	char aside[512], err[512];
	uint8_t *pb = NULL;
	size_t len = 0;
	int r;

	r = persist_load(a->state_dir, AGENT_CONFIG_FILE, &pb, &len, aside, sizeof(aside));
	if (r == -ENOENT) {
		log_info("no persisted config in %s: waiting for apply", a->state_dir);
		return;
	}
	if (r == -EBADMSG) {
		log_error("%s/%s: corrupt, moved aside to %s; starting without a config", a->state_dir,
			  AGENT_CONFIG_FILE, aside[0] ? aside : "(could not move it)");
		return;
	}
	if (r < 0) {
		log_error_errno(r, "%s/%s: cannot read; starting without a config", a->state_dir, AGENT_CONFIG_FILE);
		return;
	}
	r = agent_apply_packed(a, pb, len, 0, NULL, err, sizeof(err));
	if (r < 0)
		log_error("%s/%s: not applied: %s; starting without a config", a->state_dir, AGENT_CONFIG_FILE, err);
	free(pb);
}

static void handle_signal(struct agent *a)
{
	struct signalfd_siginfo si;

	while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %d: stopping", (int)si.ssi_signo);
			a->quit = true;
			break;
		case SIGHUP:
			log_info("SIGHUP: nothing to reload (configs arrive through scxctl apply)");
			break;
		default:
			break;
		}
	}
}

static time_t mono_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * The control loop's tick (every interval of the running config), and
 * once a second the housekeeping: CPU hotplug, the confirm deadline, IRQ balancing
 * (re-applied for ownership changes and drift, devices rescanned every
 * 5 s), idle clients.
 */
static void handle_timer(struct agent *a)
{
	uint64_t expirations;
	time_t now;

	while (read(a->timerfd, &expirations, sizeof(expirations)) == sizeof(expirations))
		;
	a->bops->tick(a->backend);
	now = mono_secs();
	if (now < a->next_housekeeping)
		return;
	a->next_housekeeping = now + 1;
	agent_check_hotplug(a);
	agent_check_confirm(a);
	a->ticks++;
	if (a->irq_on || (a->cfg && a->cfg->opts.netdev_irq_balance))
		agent_irq_sync(a, a->ticks % 5 == 0);
	rpc_reap_idle(a);
	rpc_resume_accept(a);
}

static int run_loop(struct agent *a)
{
	while (!a->quit) {
		struct epoll_event evs[16];
		int n = epoll_wait(a->epfd, evs, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return log_error_errno(negative_errno(), "epoll_wait");
		for (int i = 0; i < n && !a->quit; i++) {
			struct agent_ep *ep = evs[i].data.ptr;

			switch (ep->type) {
			case EP_SIGNAL:
				handle_signal(a);
				break;
			case EP_TIMER:
				handle_timer(a);
				break;
			case EP_BACKEND:
				a->bops->event(a->backend);
				break;
			case EP_LISTENER:
				rpc_accept(a, (struct agent_listener *)ep);
				break;
			case EP_CLIENT:
				/* Closed earlier in this batch (evicted, reaped): its memory waits for the batch's end. */
				if (((struct agent_client *)ep)->dead)
					break;
				if (evs[i].events & (EPOLLHUP | EPOLLERR) && !(evs[i].events & EPOLLIN)) {
					log_debug("client: hangup (events %#x)", evs[i].events);
					rpc_close_client(a, (struct agent_client *)ep);
				} else
					rpc_handle(a, (struct agent_client *)ep);
				break;
			}
		}
		rpc_free_dead(a);
		rpc_resume_accept(a);
	}
	return 0;
}

static void teardown(struct agent *a)
{
	while (a->clients)
		rpc_close_client(a, a->clients);
	rpc_free_dead(a);
	agent_irq_stop(a);
	if (a->backend) {
		if (a->bops->state(a->backend, NULL, 0) == BACKEND_ATTACHED)
			(void)agent_stop(a);
		a->bops->destroy(a->backend);
	}
	for (size_t i = 0; i < a->nr_listeners; i++) {
		safe_close(&a->listeners[i].fd);
		if (a->listeners[i].owned && a->listeners[i].path)
			(void)unlink(a->listeners[i].path);
	}
	safe_close(&a->timerfd);
	safe_close(&a->sigfd);
	safe_close(&a->epfd);
	cfg_free(a->cfg);
	free(a->cfg_pb);
	free(a->rollback_pb);
	topo_free(a->topo);
}

int main(int argc, char **argv)
{
	struct agent a = { .epfd = -1, .sigfd = -1, .timerfd = -1 };
	const int *caps;
	char err[512];
	struct group *gr;
	size_t ncaps;
	int r;

	log_init("scxd", LOG_LEVEL_INFO);
	r = parse_args(argc, argv);
	if (r == 1)
		return 0;
	if (r)
		return r;
	log_set_level(args.log_level);
	a.sysfs_root = args.sysfs_root;
	a.procfs_root = args.procfs_root;
	a.state_dir = args.state_dir;
	a.runtime_dir = args.runtime_dir;
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		a.started = ts.tv_sec;
	}
	a.bops = strcmp(args.backend, "sim") == 0 ? &backend_sim_ops : &backend_bpf_ops;
	gr = getgrnam(args.admin_group);
	if (!gr) {
		log_error("admin group '%s' does not exist: create it (groupadd --system %s) or name another with --admin-group",
			  args.admin_group, args.admin_group);
		return 1;
	}
	a.admin_gid = gr->gr_gid;
	r = setup_dirs();
	if (r < 0)
		return 1;
	/* IRQ affinities a crashed agent left behind come back first, whatever else happens. */
	r = irq_recover(a.runtime_dir, a.procfs_root);
	if (r < 0 && r != -EINVAL)
		log_warn_errno(r, "%s: IRQ recovery", a.runtime_dir);
	r = topo_load(a.sysfs_root, &a.topo, err, sizeof(err));
	if (r < 0) {
		log_error("topology below %s: %s", a.sysfs_root, err);
		return 1;
	}
	log_info("topology: %u CPUs, %u nodes, %u LLCs%s", a.topo->nr_cpus, a.topo->nr_nodes, a.topo->nr_llcs,
		 a.topo->smt ? ", SMT" : "");
	r = setup_loop(&a);
	if (r == 0)
		r = setup_sockets(&a);
	if (r == 0)
		r = setup_backend(&a);
	if (r < 0) {
		teardown(&a);
		return 1;
	}
	if (args.no_restore)
		log_info("--no-restore: the persisted config is not applied");
	else
		restore_config(&a);
	r = agent_restore_pending(&a);
	if (r < 0)
		goto out;
	caps = a.bops->caps(a.backend, &ncaps);
	r = privs_drop(caps, ncaps);
	if (r < 0) {
		log_error_errno(r, "dropping privileges");
		goto out;
	}
	privs_describe(a.caps, sizeof(a.caps));
	log_info("running with capabilities '%s', no_new_privs set; backend %s", a.caps, a.bops->name);
	(void)sd_notify(0, "READY=1\nSTATUS=serving");
	r = run_loop(&a);
	(void)sd_notify(0, "STOPPING=1");
out:
	teardown(&a);
	return r < 0 ? 1 : 0;
}
