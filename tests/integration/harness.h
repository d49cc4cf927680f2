/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_TESTS_INTEGRATION_HARNESS_H
#define SCX_TESTS_INTEGRATION_HARNESS_H

/*
 * The agent under test: a real scxd --backend sim in a temporary
 * directory (sockets, state and runtime dirs, its log), on a fake sysfs
 * tree (tests/data/topo/two_node_smt: 8 CPUs, 2 nodes, SMT) unless a test
 * gives another, and the real scxctl, as root or, through setpriv, as
 * uid 65534 with chosen groups. The admin group is `nogroup` (gid 65534),
 * which Debian always has; gid 100 (`users`) is a group that is not it.
 *
 * Header-only (static functions) so that each suite file has its own
 * agent; every wait is bounded, every process the suite starts is
 * stopped by its PID.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/frame.h"
#include "scxd.pb-c.h"
#include "tests/proc.h"
#include "tests/runner.h"

#define H_ADMIN_GROUP "nogroup"
#define H_TOPO	      TEST_DATA_DIR "/topo/two_node_smt"
#define H_MAX_ARGS    32

struct harness {
	char dir[64], sock[128], rosock[128], state[128], run[128], logpath[128], loadpath[128];
	pid_t pid;
	const char *sysfs, *procfs;   /* NULL: the default fake topology, and /proc */
	bool no_ro;                   /* start without --ro-socket */
	const char *admin_group;      /* NULL: H_ADMIN_GROUP */
	struct proc_result res;
};

static struct harness h;

/* sa for path; false (and a test failure) when it does not fit. */
static __attribute__((unused)) bool h_sockaddr(struct sockaddr_un *sa, const char *path)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	CU_ASSERT(len < sizeof(sa->sun_path));
	if (len >= sizeof(sa->sun_path))
		return false;
	memcpy(sa->sun_path, path, len + 1);
	return true;
}

static __attribute__((unused)) int h_setup(void)
{
	memset(&h, 0, sizeof(h));
	h.pid = -1;
	snprintf(h.dir, sizeof(h.dir), "/tmp/scx-agent-test.XXXXXX");
	if (!mkdtemp(h.dir))
		return -1;
	if (chmod(h.dir, 0755) < 0)
		return -1;
	snprintf(h.sock, sizeof(h.sock), "%s/scxd.sock", h.dir);
	snprintf(h.rosock, sizeof(h.rosock), "%s/scxd-ro.sock", h.dir);
	snprintf(h.state, sizeof(h.state), "%s/state", h.dir);
	snprintf(h.run, sizeof(h.run), "%s/run", h.dir);
	snprintf(h.logpath, sizeof(h.logpath), "%s/scxd.log", h.dir);
	snprintf(h.loadpath, sizeof(h.loadpath), "%s/sim-load", h.dir);
	return 0;
}

/* Stop the agent with sig and reap it (bounded: SIGKILL after 10 s). Returns its wait status, or -1. */
static __attribute__((unused)) int h_stop(int sig)
{
	int st = -1;

	if (h.pid <= 0)
		return -1;
	kill(h.pid, sig);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(h.pid, &st, WNOHANG) == h.pid) {
			h.pid = -1;
			return st;
		}
		usleep(10000);
	}
	kill(h.pid, SIGKILL);
	waitpid(h.pid, &st, 0);
	h.pid = -1;
	CU_FAIL("scxd did not stop within 10 s");
	return st;
}

static __attribute__((unused)) int h_teardown(void)
{
	char cmd[128];

	h_stop(SIGTERM);
	if (strncmp(h.dir, "/tmp/scx-agent-test.", 20) == 0) {
		/* A test may have left the state dir read-only. */
		(void)chmod(h.state, 0700);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h.dir);
		return system(cmd) == 0 ? 0 : -1;
	}
	return 0;
}

/* The argv of scxd for this harness, with extra arguments (NULL-terminated list) appended. */
static __attribute__((unused)) void h_argv(const char **argv, bool restore, const char *const *extra)
{
	int n = 0;

	argv[n++] = proc_env_path("SCXD");
	argv[n++] = "--backend";
	argv[n++] = "sim";
	argv[n++] = "--socket";
	argv[n++] = h.sock;
	if (!h.no_ro) {
		argv[n++] = "--ro-socket";
		argv[n++] = h.rosock;
	}
	argv[n++] = "--admin-group";
	argv[n++] = h.admin_group ? h.admin_group : H_ADMIN_GROUP;
	argv[n++] = "--log-level"; argv[n++] = "debug";
	argv[n++] = "--state-dir";
	argv[n++] = h.state;
	argv[n++] = "--runtime-dir";
	argv[n++] = h.run;
	if (!restore)
		argv[n++] = "--no-restore";
	argv[n++] = "--sysfs-root";
	argv[n++] = h.sysfs ? h.sysfs : H_TOPO;
	if (h.procfs) {
		argv[n++] = "--procfs-root";
		argv[n++] = h.procfs;
	}
	for (; extra && *extra && n < H_MAX_ARGS - 1; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
}

/*
 * Fork and exec argv with stdout and stderr appended to the log, the
 * synthetic load file in SCXD_SIM_LOAD; listen_fds > 0 passes fds 3.. as
 * systemd socket activation does (fds[] become 3, 4, ...).
 */
static __attribute__((unused)) pid_t h_spawn(const char *const *argv, const int *fds, int listen_fds)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	{
		int fd = open(h.logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		char n[16], p[16];

		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		setenv("SCXD_SIM_LOAD", h.loadpath, 1);
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_PID");
		if (listen_fds > 0) {
			/* Move them out of the way first, then into place: dup2 clears O_CLOEXEC. */
			int tmp[4];

			for (int i = 0; i < listen_fds && i < 4; i++)
				tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
			for (int i = 0; i < listen_fds && i < 4; i++)
				dup2(tmp[i], 3 + i);
			snprintf(n, sizeof(n), "%d", listen_fds);
			snprintf(p, sizeof(p), "%d", (int)getpid());
			setenv("LISTEN_FDS", n, 1);
			setenv("LISTEN_PID", p, 1);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
}

/* Wait (at most 10 s) until path answers a connect; false if the agent exited or never answered. */
static __attribute__((unused)) bool h_wait_socket(const char *path)
{
	struct sockaddr_un sa;

	if (!h_sockaddr(&sa, path))
		return false;
	for (int i = 0; i < 400; i++) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), st;

		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			return true;
		}
		if (fd >= 0)
			close(fd);
		if (h.pid > 0 && waitpid(h.pid, &st, WNOHANG) == h.pid) {
			h.pid = -1;
			return false;
		}
		usleep(25000);
	}
	return false;
}

static __attribute__((unused)) void h_start_with(bool restore, const char *const *extra)
{
	const char *argv[H_MAX_ARGS];

	h_argv(argv, restore, extra);
	h.pid = h_spawn(argv, NULL, 0);
	CU_ASSERT_FATAL(h.pid > 0);
	CU_ASSERT_FATAL(h_wait_socket(h.sock));
	if (!h.no_ro)
		CU_ASSERT_FATAL(h_wait_socket(h.rosock));
}

static __attribute__((unused)) void h_start(bool restore)
{
	h_start_with(restore, NULL);
}

/*
 * Run scxctl (args NULL-terminated) on socket, as root (as == NULL) or
 * through setpriv as uid 65534 with the setpriv group options in as
 * (e.g. "--regid=100 --clear-groups"). Returns its exit status; output in
 * h.res.
 */
static __attribute__((unused)) int h_ctlv(const char *as, const char *stdin_text, const char *socket, ...)
{
	const char *argv[H_MAX_ARGS];
	char asbuf[128], *save = NULL;
	int n = 0;
	va_list ap;

	if (as) {
		argv[n++] = "/usr/bin/setpriv";
		argv[n++] = "--reuid=65534";
		snprintf(asbuf, sizeof(asbuf), "%s", as);
		for (char *t = strtok_r(asbuf, " ", &save); t && n < 8; t = strtok_r(NULL, " ", &save))
			argv[n++] = t;
	}
	argv[n++] = proc_env_path("SCXCTL");
	argv[n++] = "--socket";
	argv[n++] = socket;
	va_start(ap, socket);
	for (const char *a = va_arg(ap, const char *); a && n < H_MAX_ARGS - 1; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	CU_ASSERT_EQUAL_FATAL(proc_run(argv, stdin_text, 30, &h.res), 0);
	return h.res.status;
}

#define h_ctl(...)	     h_ctlv(NULL, NULL, h.sock, __VA_ARGS__, (const char *)NULL)
#define h_ctl_in(text, ...) h_ctlv(NULL, (text), h.sock, __VA_ARGS__, (const char *)NULL)

/* The applied config's digest (12 hex digits), "" for none. */
static __attribute__((unused)) const char *h_digest(void)
{
	static char d[16];
	char *p, *q;

	d[0] = '\0';
	CU_ASSERT_EQUAL(h_ctl("--json", "status"), 0);
	p = strstr(h.res.out, "\"config_digest\": \"");
	if (!p)
		return d;
	p += 18;
	q = strchr(p, '"');
	if (q)
		snprintf(d, sizeof(d), "%.*s", (int)(q - p < 12 ? q - p : 12), p);
	return d;
}

/* The digest a config would get (a dry run through the agent). */
static __attribute__((unused)) const char *h_digest_of(const char *cfg)
{
	static char d[16];
	char *p;

	d[0] = '\0';
	CU_ASSERT_EQUAL(h_ctl_in(cfg, "--json", "apply", "--dry-run", "-"), 0);
	p = strstr(h.res.out, "\"digest\": \"");
	if (p)
		snprintf(d, sizeof(d), "%.12s", p + 11);
	return d;
}

/* Does the agent's log hold s? */
static __attribute__((unused)) bool h_log_has(const char *s)
{
	static char log[1 << 20];
	size_t len;
	FILE *f = fopen(h.logpath, "re");

	if (!f)
		return false;
	len = fread(log, 1, sizeof(log) - 1, f);
	log[len] = '\0';
	fclose(f);
	return strstr(log, s) != NULL;
}

/* Write the synthetic load ("NAME CPUS" lines) the sim backend reads. */
static __attribute__((unused)) void h_load(const char *text)
{
	char tmp[160];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", h.loadpath);
	f = fopen(tmp, "we");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_EQUAL(rename(tmp, h.loadpath), 0);
}

static __attribute__((unused)) int h_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (!h_sockaddr(&sa, path))
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One response on fd (10 s at most), NULL if none. */
static __attribute__((unused)) Scxd__V1__Response *h_reply(int fd)
{
	struct timeval tv = { 10, 0 };
	Scxd__V1__Response *r;
	void *buf = NULL;
	size_t len = 0;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (frame_recv(fd, FRAME_MAX_SIZE, &buf, &len) < 0)
		return NULL;
	r = scxd__v1__response__unpack(NULL, len, buf);
	free(buf);
	return r;
}

/* Send bytes on a new connection and return the answer's code, or -1 when there is none. */
static __attribute__((unused)) int h_raw_code(const void *buf, size_t len)
{
	Scxd__V1__Response *r;
	int fd = h_connect(h.sock), code = -1;

	if (fd < 0)
		return -1;
	if (send(fd, buf, len, 0) == (ssize_t)len && (r = h_reply(fd))) {
		code = r->code;
		scxd__v1__response__free_unpacked(r, NULL);
	}
	close(fd);
	return code;
}

/* Pack req (version 1 unless set) and return the answer's code. */
static __attribute__((unused)) int h_request_code(Scxd__V1__Request *req)
{
	uint8_t buf[4096];
	size_t len = scxd__v1__request__get_packed_size(req);

	CU_ASSERT_FATAL(len <= sizeof(buf));
	scxd__v1__request__pack(req, buf);
	return h_raw_code(buf, len);
}

#endif
