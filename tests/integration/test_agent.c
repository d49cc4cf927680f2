/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The real scxd (sim backend, temporary state and runtime dirs) and the
 * real scxctl over real sockets: roles and peers (root, a member of the
 * admin group, a stranger), persistence across kill -9, corrupt state,
 * --confirm rollback (also across a restart), and hostile clients.
 *
 * The admin group is `nogroup` (gid 65534); unprivileged peers run through
 * setpriv as uid 65534 with gid 65534 (a member) or gid 100 (not one).
 * Every wait is bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/frame.h"
#include "scxd.pb-c.h"
#include "tests/fakefs.h"
#include "tests/proc.h"
#include "tests/runner.h"

static char dir[64], sock[128], rosock[128], state[128], run[128], logpath[128];
static pid_t agent_pid = -1;
/* Fake trees for the agent, when a test sets them. */
static const char *agent_sysfs, *agent_procfs;
static struct proc_result res;

static void start_agent(bool restore)
{
	const char *argv[20];
	int n = 0, fd;

	argv[n++] = proc_env_path("SCXD");
	argv[n++] = "--backend";
	argv[n++] = "sim";
	argv[n++] = "--socket";
	argv[n++] = sock;
	argv[n++] = "--ro-socket";
	argv[n++] = rosock;
	argv[n++] = "--admin-group";
	argv[n++] = "nogroup";
	argv[n++] = "--state-dir";
	argv[n++] = state;
	argv[n++] = "--runtime-dir";
	argv[n++] = run;
	if (!restore)
		argv[n++] = "--no-restore";
	if (agent_sysfs) {
		argv[n++] = "--sysfs-root";
		argv[n++] = agent_sysfs;
		argv[n++] = "--procfs-root";
		argv[n++] = agent_procfs;
	}
	argv[n] = NULL;
	(void)unlink(sock);
	agent_pid = fork();
	CU_ASSERT_FATAL(agent_pid >= 0);
	if (agent_pid == 0) {
		fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	/* Ready when the socket answers; at most 10 s. */
	for (int i = 0; i < 200; i++) {
		struct stat st;

		if (stat(sock, &st) == 0 && stat(rosock, &st) == 0)
			return;
		usleep(50000);
	}
	CU_FAIL_FATAL("scxd did not create its sockets within 10 s");
}

static void stop_agent(int sig)
{
	int st;

	if (agent_pid <= 0)
		return;
	kill(agent_pid, sig);
	waitpid(agent_pid, &st, 0);
	agent_pid = -1;
}

static int ctl_as(const char *as, const char *stdin_text, const char *socket_path, const char *a1,
		  const char *a2, const char *a3, const char *a4)
{
	const char *argv[16];
	int n = 0;

	if (as) {
		argv[n++] = "/usr/bin/setpriv";
		argv[n++] = "--reuid=65534";
		argv[n++] = as;
		argv[n++] = "--clear-groups";
	}
	argv[n++] = proc_env_path("SCXCTL");
	argv[n++] = "--socket";
	argv[n++] = socket_path;
	argv[n++] = a1;
	argv[n++] = a2;
	argv[n++] = a3;
	argv[n++] = a4;
	argv[n] = NULL;
	CU_ASSERT_EQUAL_FATAL(proc_run(argv, stdin_text, 30, &res), 0);
	return res.status;
}

#define ctl(...) ctl_as(NULL, NULL, sock, __VA_ARGS__)

static const char *cfg_a = "[{\"name\": \"batch\", \"matches\": [[{\"CommPrefix\": \"make\"}]],"
			   " \"kind\": {\"Confined\": {\"util_range\": [0.5, 0.9], \"cpus_range\": [1, 1]}}},"
			   " {\"name\": \"rest\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]";
static const char *cfg_b = "[{\"name\": \"everything\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]";

static char *digest_now(void)
{
	static char d[16];
	char *p;

	CU_ASSERT_EQUAL(ctl("--json", "status", NULL, NULL), 0);
	p = strstr(res.out, "\"config_digest\": \"");
	if (!p)
		return (char *)"";
	p += 18;
	snprintf(d, sizeof(d), "%.*s", (int)(strchr(p, '"') - p < 12 ? strchr(p, '"') - p : 12), p);
	return d;
}

static int setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/scx-agent-test.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	chmod(dir, 0755);
	snprintf(sock, sizeof(sock), "%s/scxd.sock", dir);
	snprintf(rosock, sizeof(rosock), "%s/scxd-ro.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(run, sizeof(run), "%s/run", dir);
	snprintf(logpath, sizeof(logpath), "%s/scxd.log", dir);
	return 0;
}

static int teardown(void)
{
	char cmd[128];

	stop_agent(SIGTERM);
	if (strncmp(dir, "/tmp/scx-agent-test.", 20) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		return system(cmd) == 0 ? 0 : -1;
	}
	return 0;
}

static void test_apply_status_get_config(void)
{
	char a[16];

	start_agent(true);
	CU_ASSERT_EQUAL(ctl("status", NULL, NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "backend sim"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "config:     none"));
	CU_ASSERT_EQUAL(ctl_as(NULL, cfg_a, sock, "apply", "-", NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "<stdin>: applied"));
	CU_ASSERT_EQUAL(ctl("status", NULL, NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "batch"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "Confined"));
	snprintf(a, sizeof(a), "%s", digest_now());
	CU_ASSERT_EQUAL(strlen(a), 12);
	/* get-config gives JSON that validates and applies to the same digest. */
	CU_ASSERT_EQUAL(ctl("get-config", NULL, NULL, NULL), 0);
	{
		char out[PROC_OUT_MAX];

		memcpy(out, res.out, sizeof(out));
		CU_ASSERT_EQUAL(ctl_as(NULL, out, sock, "apply", "-", NULL, NULL), 0);
		CU_ASSERT_STRING_EQUAL(digest_now(), a);
	}
	/* A dry run changes nothing. */
	CU_ASSERT_EQUAL(ctl_as(NULL, cfg_b, sock, "apply", "--dry-run", "-", NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "nothing applied"));
	CU_ASSERT_STRING_EQUAL(digest_now(), a);
	/* An invalid config is refused with its location; the old one stays. */
	CU_ASSERT_EQUAL(ctl_as(NULL, "[{\"name\": \"x\", \"matches\": [[{\"Foo\": 1}]], \"kind\": {\"Open\": {}}}]",
			       sock, "apply", "-", NULL, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "<stdin>:1:"));
	CU_ASSERT_STRING_EQUAL(digest_now(), a);
	CU_ASSERT_EQUAL(ctl("version", NULL, NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "scxd " SCX_VERSION));
	CU_ASSERT_EQUAL(ctl("topology", NULL, NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "CPUs online:"));
	CU_ASSERT_EQUAL(ctl("metrics", NULL, NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "scxd_layer_cpus{layer=\"batch\"} 1"));
	CU_ASSERT_EQUAL(ctl("explain", "1", NULL, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "sim backend does not schedule tasks"));
	CU_ASSERT_EQUAL(ctl("stop", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(ctl("status", NULL, NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "scheduler:  detached"));
	CU_ASSERT_EQUAL(ctl("start", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(ctl("status", NULL, NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "scheduler:  attached"));
	stop_agent(SIGTERM);
}

static void test_roles(void)
{
	start_agent(false);
	/* A stranger cannot reach the main socket and is told which group is needed. */
	CU_ASSERT_EQUAL(ctl_as("--regid=100", NULL, sock, "status", NULL, NULL, NULL), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "group 'nogroup'"));
	/* ... but may read through the read-only socket, and not write there. */
	CU_ASSERT_EQUAL(ctl_as("--regid=100", NULL, rosock, "status", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(ctl_as("--regid=100", cfg_b, rosock, "apply", "-", NULL, NULL), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "permission denied") || strstr(res.err, "needs root"));
	CU_ASSERT_EQUAL(ctl_as("--regid=65534", NULL, rosock, "stop", NULL, NULL, NULL), 4);
	/* A member of the admin group may write. */
	CU_ASSERT_EQUAL(ctl_as("--regid=65534", cfg_b, sock, "apply", "-", NULL, NULL), 0);
	CU_ASSERT_EQUAL(ctl("--json", "status", NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "\"applied_by_uid\": 65534"));
	stop_agent(SIGTERM);
	/* Every write left an audit line, refusals included. */
	{
		char log[PROC_OUT_MAX];
		size_t len;
		FILE *f = fopen(logpath, "r");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		len = fread(log, 1, sizeof(log) - 1, f);
		log[len] = '\0';
		fclose(f);
		CU_ASSERT_PTR_NOT_NULL(strstr(log, "audit: uid=65534 gid=100"));
		CU_ASSERT_PTR_NOT_NULL(strstr(log, "method=apply result=denied (read-only socket)"));
		CU_ASSERT_PTR_NOT_NULL(strstr(log, "audit: uid=65534 gid=65534"));
		CU_ASSERT_PTR_NOT_NULL(strstr(log, "method=apply result=ok digest="));
	}
}

static void test_persistence(void)
{
	char a[16], path[192];
	FILE *f;

	start_agent(true);
	CU_ASSERT_EQUAL(ctl_as(NULL, cfg_a, sock, "apply", "-", NULL, NULL), 0);
	snprintf(a, sizeof(a), "%s", digest_now());
	stop_agent(SIGKILL);
	start_agent(true);
	CU_ASSERT_STRING_EQUAL(digest_now(), a);
	stop_agent(SIGKILL);
	start_agent(false);
	CU_ASSERT_STRING_EQUAL(digest_now(), "");
	stop_agent(SIGTERM);
	/* A corrupt state file is moved aside, never deleted, and the agent starts. */
	snprintf(path, sizeof(path), "%s/config.pb", state);
	f = fopen(path, "r+");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 60, SEEK_SET);
	fputc('X', f);
	fclose(f);
	start_agent(true);
	CU_ASSERT_STRING_EQUAL(digest_now(), "");
	snprintf(path, sizeof(path), "ls %s/config.pb.corrupt-* >/dev/null 2>&1", state);
	CU_ASSERT_EQUAL(system(path), 0);
	/* A state dir that refuses the write: a clear error, and the agent keeps serving. */
	snprintf(path, sizeof(path), "%s/config.pb.tmp", state);
	CU_ASSERT_EQUAL(mkdir(path, 0700), 0);
	CU_ASSERT_EQUAL(ctl_as(NULL, cfg_b, sock, "apply", "-", NULL, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "cannot persist the config"));
	CU_ASSERT_EQUAL(ctl("status", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(rmdir(path), 0);
	stop_agent(SIGTERM);
}

static void test_confirm(void)
{
	char a[16], b[16];

	start_agent(false);
	CU_ASSERT_EQUAL(ctl_as(NULL, cfg_a, sock, "apply", "-", NULL, NULL), 0);
	snprintf(a, sizeof(a), "%s", digest_now());
	/* Confirmed in time: stays. */
	CU_ASSERT_EQUAL(ctl_as(NULL, cfg_b, sock, "apply", "--confirm=30", "-", NULL), 0);
	snprintf(b, sizeof(b), "%s", digest_now());
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(ctl("confirm", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(ctl("confirm", NULL, NULL, NULL), 1);
	/* Not confirmed: back to the previous config after the deadline (bounded wait). */
	CU_ASSERT_EQUAL(ctl_as(NULL, cfg_a, sock, "apply", "--confirm=1", "-", NULL), 0);
	CU_ASSERT_STRING_EQUAL(digest_now(), a);
	/* While a confirm is pending, other applies wait their turn. */
	CU_ASSERT_EQUAL(ctl_as(NULL, cfg_b, sock, "apply", "-", NULL, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "waiting"));
	for (int i = 0; i < 50 && strcmp(digest_now(), b) != 0; i++)
		usleep(100000);
	CU_ASSERT_STRING_EQUAL(digest_now(), b);
	/* Across a restart: the record on disk rolls back even after kill -9. */
	CU_ASSERT_EQUAL(ctl_as(NULL, cfg_a, sock, "apply", "--confirm=1", "-", NULL), 0);
	CU_ASSERT_STRING_EQUAL(digest_now(), a);
	stop_agent(SIGKILL);
	sleep(2);
	start_agent(true);
	CU_ASSERT_STRING_EQUAL(digest_now(), b);
	stop_agent(SIGTERM);
}

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (strlen(sock) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static Scxd__V1__Response *raw_reply(int fd)
{
	void *buf = NULL;
	size_t len = 0;
	Scxd__V1__Response *r;
	struct timeval tv = { 10, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (frame_recv(fd, FRAME_MAX_SIZE, &buf, &len) < 0)
		return NULL;
	r = scxd__v1__response__unpack(NULL, len, buf);
	free(buf);
	return r;
}

static void test_hostile_clients(void)
{
	static uint8_t big[2u << 20];
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__StatusRequest st = SCXD__V1__STATUS_REQUEST__INIT;
	Scxd__V1__Response *r;
	uint8_t pkt[64];
	int fds[200], fd, sndbuf = 4096;
	size_t len;

	start_agent(false);
	/* Oversize packet: refused with INVALID_ARGUMENT, nothing allocated for it. */
	fd = raw_connect();
	CU_ASSERT_FATAL(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ 4 << 20 }, sizeof(int));
	if (send(fd, big, sizeof(big), 0) == (ssize_t)sizeof(big)) {
		r = raw_reply(fd);
		CU_ASSERT_PTR_NOT_NULL(r);
		if (r)
			CU_ASSERT_EQUAL(r->code, SCXD__V1__CODE__INVALID_ARGUMENT);
		scxd__v1__response__free_unpacked(r, NULL);
	}
	close(fd);
	/* Garbage and a truncated protobuf: INVALID_ARGUMENT. */
	fd = raw_connect();
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(send(fd, "\xff\xff\xff\xff garbage", 12, 0), 12);
	r = raw_reply(fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->code, SCXD__V1__CODE__INVALID_ARGUMENT);
	scxd__v1__response__free_unpacked(r, NULL);
	req.version = 1;
	req.body_case = SCXD__V1__REQUEST__BODY_STATUS;
	req.status = &st;
	len = scxd__v1__request__pack(&req, pkt);
	CU_ASSERT_EQUAL(send(fd, pkt, len - 1, 0), (ssize_t)len - 1);
	r = raw_reply(fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->code, SCXD__V1__CODE__INVALID_ARGUMENT);
	scxd__v1__response__free_unpacked(r, NULL);
	/* The wrong protocol version. */
	req.version = 7;
	len = scxd__v1__request__pack(&req, pkt);
	CU_ASSERT_EQUAL(send(fd, pkt, len, 0), (ssize_t)len);
	r = raw_reply(fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->code, SCXD__V1__CODE__FAILED_PRECONDITION);
	scxd__v1__response__free_unpacked(r, NULL);
	close(fd);

	/* 200 idle connections: the agent still answers a new client. */
	for (int i = 0; i < 200; i++)
		fds[i] = raw_connect();
	CU_ASSERT_EQUAL(ctl("status", NULL, NULL, NULL), 0);
	for (int i = 0; i < 200; i++)
		if (fds[i] >= 0)
			close(fds[i]);

	/* A client that sends and never reads is dropped, others are served. */
	fd = raw_connect();
	CU_ASSERT_FATAL(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
	req.version = 1;
	req.body_case = SCXD__V1__REQUEST__BODY_TOPOLOGY;
	{
		Scxd__V1__TopologyRequest tq = SCXD__V1__TOPOLOGY_REQUEST__INIT;

		req.topology = &tq;
		len = scxd__v1__request__pack(&req, pkt);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		for (int i = 0; i < 2000; i++)
			if (send(fd, pkt, len, 0) < 0 && errno != EAGAIN)
				break;
	}
	CU_ASSERT_EQUAL(ctl("status", NULL, NULL, NULL), 0);
	close(fd);
	CU_ASSERT_EQUAL(kill(agent_pid, 0), 0);
	stop_agent(SIGTERM);
}

static void irq_get(const struct fakefs *fs, unsigned int irq, char *buf, size_t size)
{
	char rel[64], path[512];

	snprintf(rel, sizeof(rel), "proc/irq/%u/smp_affinity_list", irq);
	if (fileio_read_small(fakefs_path(fs, path, sizeof(path), rel), buf, size) < 0)
		snprintf(buf, size, "?");
}

/*
 * Netdev IRQ balancing through the agent on a fake machine: 8 CPUs, node 0
 * = 0-3, node 1 = 4-7; eth0 (virtio, MSI-X 24-26) on node 1, eth1 (MSI-X
 * 30-31) on node 0, irq 5 belongs to no NIC. A Confined layer owns CPUs 0-1.
 */
static void test_irq_balancing(void)
{
	static const char *cfg = "{\"options\": {\"netdev_irq_balance\": true}, \"layers\": ["
				 "{\"name\": \"db\", \"matches\": [[{\"CommPrefix\": \"pg\"}]],"
				 " \"kind\": {\"Confined\": {\"util_range\": [0.5, 0.9], \"cpus_range\": [2, 2]}}},"
				 "{\"name\": \"rest\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]}";
	static const unsigned int irqs[] = { 24, 25, 26, 30, 31, 5 };
	char sys[512], proc[512], buf[64];
	struct fakefs fs;

	fakefs_init(&fs);
	fakefs_put(&fs, "0-7\n", "sys/devices/system/cpu/online");
	fakefs_put(&fs, "0-1\n", "sys/devices/system/node/online");
	fakefs_put(&fs, "0-3\n", "sys/devices/system/node/node0/cpulist");
	fakefs_put(&fs, "4-7\n", "sys/devices/system/node/node1/cpulist");
	fakefs_mkdir(&fs, "sys/devices/pci0000:00/0000:00:03.0/virtio0");
	for (unsigned int i = 24; i <= 26; i++)
		fakefs_mkdir(&fs, "sys/devices/pci0000:00/0000:00:03.0/msi_irqs/%u", i);
	fakefs_put(&fs, "1\n", "sys/devices/pci0000:00/0000:00:03.0/numa_node");
	fakefs_symlink(&fs, "../../../devices/pci0000:00/0000:00:03.0/virtio0", "sys/class/net/eth0/device");
	fakefs_mkdir(&fs, "sys/devices/pci0000:00/0000:00:04.0/msi_irqs/30");
	fakefs_mkdir(&fs, "sys/devices/pci0000:00/0000:00:04.0/msi_irqs/31");
	fakefs_put(&fs, "0\n", "sys/devices/pci0000:00/0000:00:04.0/numa_node");
	fakefs_symlink(&fs, "../../../devices/pci0000:00/0000:00:04.0", "sys/class/net/eth1/device");
	fakefs_mkdir(&fs, "sys/class/net/lo");
	for (size_t i = 0; i < sizeof(irqs) / sizeof(irqs[0]); i++)
		fakefs_put(&fs, "0-7\n", "proc/irq/%u/smp_affinity_list", irqs[i]);
	agent_sysfs = fakefs_path(&fs, sys, sizeof(sys), "sys");
	agent_procfs = fakefs_path(&fs, proc, sizeof(proc), "proc");

	start_agent(false);
	CU_ASSERT_EQUAL(ctl_as(NULL, cfg, sock, "apply", "-", NULL, NULL), 0);
	irq_get(&fs, 24, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "4-7");
	irq_get(&fs, 30, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2-3");
	irq_get(&fs, 5, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	CU_ASSERT_EQUAL(ctl("status", NULL, NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "netdev balancing on, 5 IRQs"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "eth0"));
	CU_ASSERT_EQUAL(ctl("topology", NULL, NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "eth0          1 24,25,26"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out, "eth1          0 30,31"));
	/* stop puts the originals back; start applies again. */
	CU_ASSERT_EQUAL(ctl("stop", NULL, NULL, NULL), 0);
	irq_get(&fs, 24, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	CU_ASSERT_EQUAL(ctl("start", NULL, NULL, NULL), 0);
	irq_get(&fs, 31, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2-3");
	/* kill -9: the next start restores the originals first, even with --no-restore. */
	stop_agent(SIGKILL);
	irq_get(&fs, 25, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "4-7");
	start_agent(false);
	irq_get(&fs, 25, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	irq_get(&fs, 30, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	/* A clean exit after applying restores too. */
	CU_ASSERT_EQUAL(ctl_as(NULL, cfg, sock, "apply", "-", NULL, NULL), 0);
	irq_get(&fs, 26, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "4-7");
	stop_agent(SIGTERM);
	irq_get(&fs, 26, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	agent_sysfs = agent_procfs = NULL;
	fakefs_remove(&fs);
}

TEST_SUITE(agent)
{
	static const struct test_case tests[] = {
		{ "apply, status, get-config, dry run, stop, start", test_apply_status_get_config },
		{ "roles: stranger, read-only socket, admin member, audit", test_roles },
		{ "persistence: kill -9, --no-restore, corrupt file, refused write", test_persistence },
		{ "apply --confirm: confirm, timeout, restart", test_confirm },
		{ "hostile clients", test_hostile_clients },
		{ "netdev IRQ balancing on a fake machine", test_irq_balancing },
		{ NULL, NULL },
	};
	CU_pSuite s;

	s = CU_add_suite("agent", setup, teardown);
	if (!s)
		return -1;
	for (const struct test_case *t = tests; t->name; t++)
		if (!CU_add_test(s, t->name, t->fn))
			return -1;
	return 0;
}
