/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who may do what (DESIGN.md section 5), decided by the agent from the
 * kernel's view of each peer: root; uid 65534 in the admin group (as its
 * primary group, or only as a supplementary one); uid 65534 in neither.
 * The socket files' modes and group, the read-only socket, the agent's own
 * check behind a socket left open to all, the audit lines, a missing
 * admin group, the capability drop, and systemd socket activation.
 */
#include <grp.h>

#include "tests/integration/harness.h"

static const char *cfg_a = "[{\"name\": \"batch\", \"matches\": [[{\"CommPrefix\": \"make\"}]],"
			   " \"kind\": {\"Confined\": {\"util_range\": [0.5, 0.9], \"cpus_range\": [1, 1]}}},"
			   " {\"name\": \"rest\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]";
static const char *cfg_b = "[{\"name\": \"everything\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]";

#define STRANGER   "--regid=100 --clear-groups"
#define MEMBER	   "--regid=65534 --clear-groups"
#define SUPPLEMENT "--regid=100 --groups=65534"

#define as(who, sock, ...)	       h_ctlv((who), NULL, (sock), __VA_ARGS__, (const char *)NULL)
#define as_in(who, text, sock, ...) h_ctlv((who), (text), (sock), __VA_ARGS__, (const char *)NULL)

static void test_socket_files(void)
{
	struct group *gr = getgrnam(H_ADMIN_GROUP);
	struct stat st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(gr);
	h_start(false);
	CU_ASSERT_EQUAL_FATAL(stat(h.sock, &st), 0);
	CU_ASSERT(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0660);
	CU_ASSERT_EQUAL(st.st_uid, 0);
	CU_ASSERT_EQUAL(st.st_gid, gr->gr_gid);
	CU_ASSERT_EQUAL_FATAL(stat(h.rosock, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0666);
	h_stop(SIGTERM);
}

static void test_stranger(void)
{
	h_start(false);
	CU_ASSERT_EQUAL(h_ctl_in(cfg_a, "apply", "-"), 0);
	/* The main socket: the kernel refuses the connect; scxctl names the group to join. */
	CU_ASSERT_EQUAL(as(STRANGER, h.sock, "status"), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "membership of group '" H_ADMIN_GROUP "' is needed"));
	CU_ASSERT_EQUAL(as(STRANGER, h.sock, "--json", "status"), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"code\": \"PERMISSION_DENIED\", \"exit_code\": 4"));
	/* The read-only socket: every read, no write. */
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "batch"));
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "get-config"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"batch\""));
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "topology"), 0);
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "metrics"), 0);
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "version"), 0);
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "explain", "1"), 1);
	CU_ASSERT_EQUAL(as_in(STRANGER, cfg_b, h.rosock, "apply", "-"), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "needs root or membership of the admin group, and the read-write socket"));
	CU_ASSERT_EQUAL(as_in(STRANGER, cfg_b, h.rosock, "apply", "--dry-run", "-"), 4);
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "confirm"), 4);
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "stop"), 4);
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "start"), 4);
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "--json", "stop"), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"ok\": false"));
	/* Nothing changed. */
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "scheduler:  attached"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "batch"));
	/* Root on the read-only socket cannot write either. */
	CU_ASSERT_EQUAL(h_ctlv(NULL, NULL, h.rosock, "stop", (const char *)NULL), 4);
	h_stop(SIGTERM);
	CU_ASSERT(h_log_has("audit: uid=65534 gid=100 pid="));
	CU_ASSERT(h_log_has("method=apply result=denied (read-only socket)"));
	CU_ASSERT(h_log_has("method=stop result=denied (read-only socket)"));
	CU_ASSERT(h_log_has("audit: uid=0 gid=0 pid="));
}

static void test_members(void)
{
	h_start(false);
	/* Primary group. */
	CU_ASSERT_EQUAL(as_in(MEMBER, cfg_a, h.sock, "apply", "-"), 0);
	CU_ASSERT_EQUAL(h_ctl("--json", "status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"applied_by_uid\": 65534"));
	CU_ASSERT_EQUAL(as(MEMBER, h.sock, "stop"), 0);
	CU_ASSERT_EQUAL(as(MEMBER, h.sock, "start"), 0);
	/* Only a supplementary group: SO_PEERGROUPS. */
	CU_ASSERT_EQUAL(as_in(SUPPLEMENT, cfg_b, h.sock, "apply", "--confirm", "60", "-"), 0);
	CU_ASSERT_EQUAL(as(SUPPLEMENT, h.sock, "confirm"), 0);
	CU_ASSERT_EQUAL(as(SUPPLEMENT, h.sock, "get-config"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"everything\""));
	h_stop(SIGTERM);
	/* Every write left an audit line: who, which method, the result, the config digest. */
	CU_ASSERT(h_log_has("audit: uid=65534 gid=65534 pid="));
	CU_ASSERT(h_log_has("method=apply result=ok digest="));
	CU_ASSERT(h_log_has("audit: uid=65534 gid=100 pid="));
	CU_ASSERT(h_log_has("method=confirm result=ok digest="));
	CU_ASSERT(h_log_has("method=stop result=ok"));
}

/* A main socket that systemd or an admin left open to all: the agent's own check still refuses strangers. */
static void test_open_socket(void)
{
	h_start(false);
	CU_ASSERT_EQUAL(chmod(h.sock, 0666), 0);
	CU_ASSERT_EQUAL(as(STRANGER, h.sock, "status"), 0);
	CU_ASSERT_EQUAL(as_in(STRANGER, cfg_a, h.sock, "apply", "-"), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "apply needs root or membership of the admin group"));
	CU_ASSERT_EQUAL(as(STRANGER, h.sock, "stop"), 4);
	CU_ASSERT_STRING_EQUAL(h_digest(), "");
	CU_ASSERT_EQUAL(as_in(SUPPLEMENT, cfg_a, h.sock, "apply", "-"), 0);
	h_stop(SIGTERM);
	CU_ASSERT(h_log_has("method=apply result=denied"));
}

static void test_admin_group_missing(void)
{
	const char *extra[] = { NULL };
	const char *argv[H_MAX_ARGS];
	int st;

	h.admin_group = "scx-no-such-group";
	h_argv(argv, false, extra);
	h.pid = h_spawn(argv, NULL, 0);
	CU_ASSERT_FATAL(h.pid > 0);
	st = h_stop(0);  /* signal 0: just wait for it */
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	CU_ASSERT(h_log_has("admin group 'scx-no-such-group' does not exist"));
	CU_ASSERT_EQUAL(access(h.sock, F_OK), -1);
	h.admin_group = NULL;
}

/* Capabilities after setup: none for the sim backend, no_new_privs, and status says so. */
static void test_privileges(void)
{
	char path[64], line[256];
	bool eff = false, prm = false, bnd = false, nnp = false;
	FILE *f;

	h_start(false);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)h.pid);
	f = fopen(path, "re");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f)) {
		eff |= strcmp(line, "CapEff:\t0000000000000000\n") == 0;
		prm |= strcmp(line, "CapPrm:\t0000000000000000\n") == 0;
		bnd |= strcmp(line, "CapBnd:\t0000000000000000\n") == 0;
		nnp |= strcmp(line, "NoNewPrivs:\t1\n") == 0;
	}
	fclose(f);
	CU_ASSERT(eff);
	CU_ASSERT(prm);
	CU_ASSERT(bnd);
	CU_ASSERT(nnp);
	CU_ASSERT_EQUAL(h_ctl("--json", "status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"capabilities\": \"=\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"no_new_privs\": true"));
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "capabilities '=', no_new_privs"));
	h_stop(SIGTERM);
}

static int listen_on(const char *path, int type)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	CU_ASSERT_FATAL(h_sockaddr(&sa, path));
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_FATAL(listen(fd, 16) == 0);
	CU_ASSERT_FATAL(chmod(path, 0666) == 0);
	return fd;
}

/* systemd socket activation: the agent serves the sockets it is given, and leaves them alone at exit. */
static void test_socket_activation(void)
{
	const char *argv[H_MAX_ARGS];
	int fds[2], st;

	fds[0] = listen_on(h.sock, SOCK_SEQPACKET);
	fds[1] = listen_on(h.rosock, SOCK_SEQPACKET);
	h.no_ro = true;
	h_argv(argv, false, NULL);
	h.pid = h_spawn(argv, fds, 2);
	close(fds[0]);
	close(fds[1]);
	CU_ASSERT_FATAL(h.pid > 0);
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_EQUAL(h_ctl_in(cfg_a, "apply", "-"), 0);
	/* The second socket is the read-only one. */
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "status"), 0);
	CU_ASSERT_EQUAL(as(STRANGER, h.rosock, "stop"), 4);
	CU_ASSERT_EQUAL(WEXITSTATUS(h_stop(SIGTERM)), 0);
	CU_ASSERT(h_log_has("using 2 sockets from systemd"));
	/* Not ours to remove. */
	CU_ASSERT_EQUAL(access(h.sock, F_OK), 0);
	unlink(h.sock);
	unlink(h.rosock);
	/* A stream socket is not what scxctl speaks to: a clear refusal to start. */
	fds[0] = listen_on(h.sock, SOCK_STREAM);
	h.pid = h_spawn(argv, fds, 1);
	close(fds[0]);
	st = h_stop(0);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	CU_ASSERT(h_log_has("socket from systemd (fd 3)"));
	h.no_ro = false;
}

static void run_fresh(void (*fn)(void))
{
	CU_ASSERT_FATAL(h_setup() == 0);
	fn();
	CU_ASSERT(h_teardown() == 0);
}

#define FRESH(name)                    \
	static void fresh_##name(void) \
	{                              \
		run_fresh(name);       \
	}

FRESH(test_socket_files)
FRESH(test_stranger)
FRESH(test_members)
FRESH(test_open_socket)
FRESH(test_admin_group_missing)
FRESH(test_privileges)
FRESH(test_socket_activation)

TEST_SUITE(peers)
{
	static const struct test_case tests[] = {
		{ "socket files: modes and group", fresh_test_socket_files },
		{ "a stranger: reads on the read-only socket, no writes", fresh_test_stranger },
		{ "admin group members, primary and supplementary; audit", fresh_test_members },
		{ "an open main socket: the agent still refuses strangers", fresh_test_open_socket },
		{ "a missing admin group is a clear startup error", fresh_test_admin_group_missing },
		{ "capabilities dropped, no_new_privs, reported", fresh_test_privileges },
		{ "systemd socket activation", fresh_test_socket_activation },
		{ NULL, NULL },
	};

	return test_add_suite("peers", tests);
}
