/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The real scxd (sim backend) and the real scxctl, as root: every
 * command, the control loop fed through the sim's synthetic load,
 * persistence across kill -9 (also in the middle of an apply), a corrupt
 * state file, a read-only state dir, --confirm rollback (also across a
 * restart), and netdev IRQ balancing on a fake machine. Every wait is
 * bounded.
 */
#include "tests/fakefs.h"
#include "tests/integration/harness.h"

#include "common/fileio.h"

static const char *cfg_a = "[{\"name\": \"batch\", \"matches\": [[{\"CommPrefix\": \"make\"}]],"
			   " \"kind\": {\"Confined\": {\"util_range\": [0.5, 0.9], \"cpus_range\": [1, 1]}}},"
			   " {\"name\": \"rest\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]";
static const char *cfg_b = "[{\"name\": \"everything\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]";

static void test_commands(void)
{
	char a[16], out[PROC_OUT_MAX];

	h_start(true);
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "backend sim: simulated"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "config:     none"));
	CU_ASSERT_EQUAL(h_ctl_in(cfg_a, "apply", "-"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "<stdin>: applied"));
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "batch"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "Confined"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "by uid 0 (root)"));
	/* Every line of the text status fits 80 columns. */
	for (char *l = h.res.out, *e; *l; l = e + 1) {
		e = strchr(l, '\n');
		if (!e)
			break;
		CU_ASSERT((size_t)(e - l) <= 80);
	}
	snprintf(a, sizeof(a), "%s", h_digest());
	CU_ASSERT_EQUAL(strlen(a), 12);
	/* get-config gives JSON that applies to the same digest. */
	CU_ASSERT_EQUAL(h_ctl("get-config"), 0);
	memcpy(out, h.res.out, sizeof(out));
	CU_ASSERT_EQUAL(h_ctl_in(out, "apply", "-"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "applied live"));
	CU_ASSERT_STRING_EQUAL(h_digest(), a);
	/* A dry run changes nothing and names the digest it would have. */
	CU_ASSERT_EQUAL(h_ctl_in(cfg_b, "apply", "--dry-run", "-"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "nothing applied"));
	CU_ASSERT_STRING_EQUAL(h_digest(), a);
	/* An invalid config is refused with its location; the old one stays. */
	CU_ASSERT_EQUAL(h_ctl_in("[{\"name\": \"x\", \"matches\": [[{\"Foo\": 1}]], \"kind\": {\"Open\": {}}}]", "apply",
				 "-"),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "<stdin>:1:"));
	CU_ASSERT_STRING_EQUAL(h_digest(), a);
	/* ... also with --json: one document naming the problems. */
	CU_ASSERT_EQUAL(h_ctl_in("[{\"name\": \"x\", \"matches\": [[{\"Foo\": 1}]], \"kind\": {\"Open\": {}}}]", "--json",
				 "apply", "-"),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"ok\": false"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"problems\": ["));
	/* Valid for scxctl's machine but not for the agent's (8 CPUs): the agent's problem, located. */
	CU_ASSERT_EQUAL(h_ctl_in("[{\"name\": \"n\", \"matches\": [[{\"NumaNode\": 5}]], \"kind\": {\"Open\": {}}}]",
				 "apply", "-"),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "<stdin>:1:"));
	CU_ASSERT_STRING_EQUAL(h_digest(), a);
	CU_ASSERT_EQUAL(h_ctl("version"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "scxctl " SCX_VERSION));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "scxd " SCX_VERSION " (protocol 1)"));
	CU_ASSERT_EQUAL(h_ctl("--json", "version"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"agent\": \"" SCX_VERSION "\""));
	CU_ASSERT_EQUAL(h_ctl("topology"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "CPUs online: 0-7 (8), SMT"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "   1  2-3,6-7"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "SMT siblings: 0,4 1,5 2,6 3,7\n"));
	CU_ASSERT_EQUAL(h_ctl("--json", "topology"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"llcs\": [\"0-1,4-5\", \"2-3,6-7\"]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"cores\": [\"0,4\", \"1,5\", \"2,6\", \"3,7\"]"));
	CU_ASSERT_EQUAL(h_ctl("metrics"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "# TYPE scxd_layer_cpus gauge\n"));
	/* Confined cpus_range [1, 1]: one CPU is one whole core (2 SMT siblings). */
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "scxd_layer_cpus{layer=\"batch\",kind=\"Confined\"} 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "scxd_info{version=\"" SCX_VERSION "\",backend=\"sim\"} 1\n"));
	/* sim: no task counts made up. */
	CU_ASSERT_PTR_NULL(strstr(h.res.out, "scxd_layer_tasks"));
	CU_ASSERT_EQUAL(h_ctl("explain", "1"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "sim backend does not schedule tasks"));
	CU_ASSERT_EQUAL(h_ctl("explain", "0"), 2);
	CU_ASSERT_EQUAL(h_ctl("stop"), 0);
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "scheduler:  detached"));
	CU_ASSERT_EQUAL(h_ctl("--json", "start"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "{\"ok\": true, \"command\": \"start\""));
	CU_ASSERT_EQUAL(h_ctl("start"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "already attached"));
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "scheduler:  attached"));
	/* SIGHUP is not a reason to stop. */
	CU_ASSERT_EQUAL(kill(h.pid, SIGHUP), 0);
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_EQUAL(WEXITSTATUS(h_stop(SIGTERM)), 0);
	CU_ASSERT(h_log_has("SIGHUP: nothing to reload"));
	/* The socket is gone after a clean exit. */
	CU_ASSERT_EQUAL(access(h.sock, F_OK), -1);
	CU_ASSERT_EQUAL(h_ctl("status"), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "scxd is not running"));
	CU_ASSERT_EQUAL(h_ctl("--json", "status"), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"code\": \"UNREACHABLE\", \"exit_code\": 3"));
}

/* Read status --json until the layer has want CPUs (at most 10 s); returns what it had last. */
static unsigned int wait_layer_cpus(const char *layer, unsigned int want)
{
	char key[128];
	unsigned int cpus = 0;

	snprintf(key, sizeof(key), "{\"name\": \"%s\", \"kind\": ", layer);
	for (int i = 0; i < 100; i++) {
		char *p;

		CU_ASSERT_EQUAL_FATAL(h_ctl("--json", "status"), 0);
		p = strstr(h.res.out, key);
		p = p ? strstr(p, "\"cpus\": ") : NULL;
		cpus = p ? (unsigned int)strtoul(p + 8, NULL, 10) : 0;
		if (cpus == want)
			break;
		usleep(100000);
	}
	return cpus;
}

/* The control loop at work: the sim's synthetic load makes a layer grow, then shrink. */
static void test_control_loop(void)
{
	static const char *cfg = "[{\"name\": \"batch\", \"matches\": [[{\"CommPrefix\": \"make\"}]],"
				 " \"kind\": {\"Confined\": {\"util_range\": [0.5, 0.8]}}},"
				 " {\"name\": \"web\", \"matches\": [[{\"CommPrefix\": \"nginx\"}]],"
				 " \"kind\": {\"Grouped\": {\"util_range\": [0.5, 0.8], \"cpus_range\": [2, 4]}}},"
				 " {\"name\": \"rest\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]";

	h_load("batch 0\nweb 0\n");
	h_start(false);
	CU_ASSERT_EQUAL(h_ctl_in(cfg, "apply", "-"), 0);
	/* No load: the minimum, a whole core each. */
	CU_ASSERT_EQUAL(wait_layer_cpus("batch", 2), 2);
	CU_ASSERT_EQUAL(wait_layer_cpus("web", 2), 2);
	/* batch busy: it takes the rest of the machine but web's minimum. */
	h_load("batch 20\nweb 0\n");
	CU_ASSERT_EQUAL(wait_layer_cpus("batch", 6), 6);
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "control:    every 100 ms"));
	/* Idle again: back to one core, step by step. */
	h_load("batch 0\nweb 0\n");
	CU_ASSERT_EQUAL(wait_layer_cpus("batch", 2), 2);
	/* A live update keeps what a same-named layer holds. */
	CU_ASSERT_EQUAL(h_ctl_in(cfg, "apply", "-"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "applied live"));
	h_stop(SIGTERM);
	unlink(h.loadpath);
}

static void test_persistence(void)
{
	char a[16], path[192];
	FILE *f;

	h_start(true);
	CU_ASSERT_EQUAL(h_ctl_in(cfg_a, "apply", "-"), 0);
	snprintf(a, sizeof(a), "%s", h_digest());
	h_stop(SIGKILL);
	h_start(true);
	CU_ASSERT_STRING_EQUAL(h_digest(), a);
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "scheduler:  attached"));
	h_stop(SIGKILL);
	h_start(false);
	CU_ASSERT_STRING_EQUAL(h_digest(), "");
	h_stop(SIGTERM);
	CU_ASSERT(h_log_has("--no-restore: the persisted config is not applied"));
	/* A corrupt state file is moved aside, never deleted, and the agent starts without it. */
	snprintf(path, sizeof(path), "%s/config.pb", h.state);
	f = fopen(path, "r+");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 60, SEEK_SET);
	fputc('X', f);
	fclose(f);
	h_start(true);
	CU_ASSERT_STRING_EQUAL(h_digest(), "");
	snprintf(path, sizeof(path), "ls %s/config.pb.corrupt-* >/dev/null 2>&1", h.state);
	CU_ASSERT_EQUAL(system(path), 0);
	CU_ASSERT(h_log_has("corrupt, moved aside to"));
	h_stop(SIGTERM);
}

/*
 * kill -9 in the middle of applies: whenever the agent dies, the next
 * start has the old config or the new one, never a corrupt one. Two
 * 16-layer configs alternate; the kill comes after a growing delay so
 * that it lands before, during and after the write (bounded: 24 rounds).
 */
static void test_kill_during_apply(void)
{
	char big[2][8192], digest[2][16], now[16], cmd[256];
	const char *argv[8];

	for (int v = 0; v < 2; v++) {
		size_t n = (size_t)snprintf(big[v], sizeof(big[v]), "[");

		for (int i = 0; i < 15; i++)
			n += (size_t)snprintf(big[v] + n, sizeof(big[v]) - n,
					      "{\"name\": \"l%d-%d\", \"matches\": [[{\"CommPrefix\": \"p%d\"}], [{\"UIDEquals\": %d}]],"
					      " \"kind\": {\"Grouped\": {\"util_range\": [0.%d, 0.9], \"cpus_range\": [0, 2]}}},",
					      v, i, i, 1000 + i, 2 + v);
		snprintf(big[v] + n, sizeof(big[v]) - n, "{\"name\": \"rest\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]");
	}
	h_start(true);
	snprintf(digest[0], sizeof(digest[0]), "%s", h_digest_of(big[0]));
	snprintf(digest[1], sizeof(digest[1]), "%s", h_digest_of(big[1]));
	CU_ASSERT_STRING_NOT_EQUAL(digest[0], digest[1]);
	CU_ASSERT_EQUAL(h_ctl_in(big[0], "apply", "-"), 0);
	argv[0] = proc_env_path("SCXCTL");
	argv[1] = "--socket";
	argv[2] = h.sock;
	argv[3] = "apply";
	argv[4] = "-";
	argv[5] = NULL;
	for (int round = 0; round < 24; round++) {
		int in[2], st, next;
		pid_t ctl;

		/* Apply the config that is not running. */
		next = strcmp(h_digest(), digest[0]) == 0 ? 1 : 0;
		CU_ASSERT_FATAL(pipe2(in, O_CLOEXEC) == 0);
		ctl = fork();
		CU_ASSERT_FATAL(ctl >= 0);
		if (ctl == 0) {
			int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

			dup2(in[0], 0);
			dup2(null, 1);
			dup2(null, 2);
			execv(argv[0], (char *const *)argv);
			_exit(127);
		}
		close(in[0]);
		(void)!write(in[1], big[next], strlen(big[next]));
		close(in[1]);
		usleep((useconds_t)(round * 250));
		h_stop(SIGKILL);
		waitpid(ctl, &st, 0);
		h_start(true);
		snprintf(now, sizeof(now), "%s", h_digest());
		CU_ASSERT(strcmp(now, digest[0]) == 0 || strcmp(now, digest[1]) == 0);
	}
	snprintf(cmd, sizeof(cmd), "ls %s/*.corrupt-* >/dev/null 2>&1", h.state);
	CU_ASSERT_NOT_EQUAL(system(cmd), 0);
	h_stop(SIGTERM);
}

/* A state dir the agent cannot write (it runs without CAP_DAC_OVERRIDE): a clear error, nothing changes. */
static void test_read_only_state_dir(void)
{
	char a[16];

	h_start(true);
	CU_ASSERT_EQUAL(h_ctl_in(cfg_a, "apply", "-"), 0);
	snprintf(a, sizeof(a), "%s", h_digest());
	CU_ASSERT_EQUAL(chmod(h.state, 0500), 0);
	CU_ASSERT_EQUAL(h_ctl_in(cfg_b, "apply", "-"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "cannot persist the config"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "Permission denied"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "nothing changed"));
	CU_ASSERT_STRING_EQUAL(h_digest(), a);
	CU_ASSERT_EQUAL(h_ctl_in(cfg_b, "apply", "--confirm", "30", "-"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "cannot record the rollback"));
	CU_ASSERT_STRING_EQUAL(h_digest(), a);
	/* Reads and the rest keep working. */
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_EQUAL(h_ctl("stop"), 0);
	CU_ASSERT_EQUAL(h_ctl("start"), 0);
	CU_ASSERT(h_log_has("method=apply result=failed"));
	CU_ASSERT_EQUAL(chmod(h.state, 0700), 0);
	CU_ASSERT_EQUAL(h_ctl_in(cfg_b, "apply", "-"), 0);
	CU_ASSERT_STRING_NOT_EQUAL(h_digest(), a);
	h_stop(SIGTERM);
}

/* Wait (at most 5 s) for the digest to become d. */
static bool wait_digest(const char *d)
{
	for (int i = 0; i < 50; i++) {
		if (strcmp(h_digest(), d) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

static void test_confirm(void)
{
	char a[16], b[16];

	h_start(false);
	CU_ASSERT_EQUAL(h_ctl_in(cfg_a, "apply", "-"), 0);
	snprintf(a, sizeof(a), "%s", h_digest());
	/* Confirmed in time: stays. */
	CU_ASSERT_EQUAL(h_ctl_in(cfg_b, "apply", "--confirm=30", "-"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "rolls back in 30 s unless confirmed"));
	snprintf(b, sizeof(b), "%s", h_digest());
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "confirm:    pending"));
	CU_ASSERT_EQUAL(h_ctl("confirm"), 0);
	CU_ASSERT_EQUAL(h_ctl("confirm"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "nothing is waiting for confirmation"));
	/* Not confirmed: back to the previous config after the deadline. */
	CU_ASSERT_EQUAL(h_ctl_in(cfg_a, "apply", "--confirm", "1", "-"), 0);
	CU_ASSERT_STRING_EQUAL(h_digest(), a);
	/* While a confirm is pending, other applies wait their turn. */
	CU_ASSERT_EQUAL(h_ctl_in(cfg_b, "apply", "-"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.err, "waiting"));
	CU_ASSERT(wait_digest(b));
	CU_ASSERT(h_log_has("rolled back to config"));
	/* Across a restart whose window has ended: the record on disk rolls back even after kill -9. */
	CU_ASSERT_EQUAL(h_ctl_in(cfg_a, "apply", "--confirm=1", "-"), 0);
	CU_ASSERT_STRING_EQUAL(h_digest(), a);
	h_stop(SIGKILL);
	sleep(2);
	h_start(true);
	CU_ASSERT_STRING_EQUAL(h_digest(), b);
	CU_ASSERT(h_log_has("the confirm window ended while the agent was down"));
	/* Across a restart inside the window: still pending, and confirm still works... */
	CU_ASSERT_EQUAL(h_ctl_in(cfg_a, "apply", "--confirm=60", "-"), 0);
	h_stop(SIGKILL);
	h_start(true);
	CU_ASSERT_STRING_EQUAL(h_digest(), a);
	CU_ASSERT_EQUAL(h_ctl("--json", "status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"pending_confirm\": true"));
	CU_ASSERT_EQUAL(h_ctl("confirm"), 0);
	h_stop(SIGTERM);
	h_start(true);
	CU_ASSERT_STRING_EQUAL(h_digest(), a);
	CU_ASSERT_EQUAL(h_ctl("--json", "status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"pending_confirm\": false"));
	/* ... and a short window after the restart still rolls back (to no config at all here). */
	h_stop(SIGTERM);
	{
		char cmd[192];

		snprintf(cmd, sizeof(cmd), "rm -f %s/config.pb", h.state);
		CU_ASSERT_EQUAL(system(cmd), 0);
	}
	h_start(true);
	CU_ASSERT_STRING_EQUAL(h_digest(), "");
	CU_ASSERT_EQUAL(h_ctl_in(cfg_b, "apply", "--confirm=2", "-"), 0);
	CU_ASSERT_STRING_EQUAL(h_digest(), b);
	h_stop(SIGKILL);
	h_start(true);
	CU_ASSERT(wait_digest(""));
	CU_ASSERT(h_log_has("rolled back to no config"));
	h_stop(SIGTERM);
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
	h.sysfs = fakefs_path(&fs, sys, sizeof(sys), "sys");
	h.procfs = fakefs_path(&fs, proc, sizeof(proc), "proc");

	h_start(false);
	CU_ASSERT_EQUAL(h_ctl_in(cfg, "apply", "-"), 0);
	irq_get(&fs, 24, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "4-7");
	irq_get(&fs, 30, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2-3");
	irq_get(&fs, 5, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "netdev balancing on, 5 IRQs"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "eth0"));
	CU_ASSERT_EQUAL(h_ctl("metrics"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "scxd_irqs{state=\"applied\"} 5\n"));
	CU_ASSERT_EQUAL(h_ctl("topology"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "eth0     1  24,25,26"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "eth1     0  30,31"));
	/* stop puts the originals back; start applies again. */
	CU_ASSERT_EQUAL(h_ctl("stop"), 0);
	irq_get(&fs, 24, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	CU_ASSERT_EQUAL(h_ctl("start"), 0);
	irq_get(&fs, 31, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2-3");
	/* kill -9: the next start restores the originals first, even with --no-restore. */
	h_stop(SIGKILL);
	irq_get(&fs, 25, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "4-7");
	h_start(false);
	irq_get(&fs, 25, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	irq_get(&fs, 30, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	/* A clean exit after applying restores too. */
	CU_ASSERT_EQUAL(h_ctl_in(cfg, "apply", "-"), 0);
	irq_get(&fs, 26, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "4-7");
	h_stop(SIGTERM);
	irq_get(&fs, 26, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	h.sysfs = h.procfs = NULL;
	fakefs_remove(&fs);
}


/*
 * Templates are expanded by the agent against its cgroup tree at apply
 * (and at start): one layer per picked cgroup, named after it, limited to
 * its cpuset; get-config still returns the config as applied.
 */
static void test_templates(void)
{
	static const char *cfg = "["
				 "{\"name\": \"ct-\", \"template\": {\"CgroupRegex\": \"docker-[0-9a-f]+\\\\.scope$\"},"
				 " \"matches\": [[]],"
				 " \"kind\": {\"Confined\": {\"util_range\": [0.5, 0.9], \"cpus_range\": [1, 4]}}},"
				 "{\"name\": \"rest\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]";
	char sys[512];
	struct fakefs fs;

	fakefs_init(&fs);
	fakefs_put(&fs, "0-7\n", "sys/devices/system/cpu/online");
	fakefs_mkdir(&fs, "sys/fs/cgroup/system.slice/docker-abc1.scope");
	fakefs_put(&fs, "2-3\n", "sys/fs/cgroup/system.slice/docker-abc1.scope/cpuset.cpus.effective");
	fakefs_mkdir(&fs, "sys/fs/cgroup/system.slice/docker-ff.scope");
	fakefs_mkdir(&fs, "sys/fs/cgroup/user.slice");
	h.sysfs = fakefs_path(&fs, sys, sizeof(sys), "sys");

	h_start(false);
	CU_ASSERT_EQUAL(h_ctl_in(cfg, "apply", "-"), 0);
	CU_ASSERT_EQUAL(h_ctl("--json", "status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"name\": \"ct-system.slice/docker-abc1.scope/\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"name\": \"ct-system.slice/docker-ff.scope/\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"name\": \"rest\""));
	/* The layer made for docker-abc1 only gets CPUs of its cpuset. */
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "docker-abc1.scope/\", \"kind\": \"Confined\", \"cpus\": 1, \"cpu_list\": \"2\""));
	CU_ASSERT(h_log_has("templates: 2 specs expanded to 3 layers over 4 cgroups"));
	CU_ASSERT_EQUAL(h_ctl("get-config"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"template\""));
	CU_ASSERT_PTR_NULL(strstr(h.res.out, "docker-abc1"));
	/* A new container appears: start (after stop) expands again. */
	fakefs_mkdir(&fs, "sys/fs/cgroup/system.slice/docker-0123.scope");
	CU_ASSERT_EQUAL(h_ctl("stop"), 0);
	CU_ASSERT_EQUAL(h_ctl("start"), 0);
	CU_ASSERT_EQUAL(h_ctl("--json", "status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "docker-0123.scope/\""));
	h_stop(SIGTERM);
	h.sysfs = NULL;
	fakefs_remove(&fs);
}

/* CPU hotplug: the agent follows the online CPUs within a second or two, and nothing uses a CPU that left. */
static void test_hotplug(void)
{
	static const char *cfg = "["
				 "{\"name\": \"big\", \"matches\": [[{\"CommPrefix\": \"x\"}]],"
				 " \"kind\": {\"Confined\": {\"util_range\": [0.5, 0.9], \"cpus_range\": [8, 8]}}},"
				 "{\"name\": \"rest\", \"matches\": [[]], \"kind\": {\"Open\": {}}}]";
	char sys[512];
	struct fakefs fs;
	bool seen = false;

	fakefs_init(&fs);
	fakefs_put(&fs, "0-7\n", "sys/devices/system/cpu/online");
	fakefs_put(&fs, "0-1\n", "sys/devices/system/node/online");
	fakefs_put(&fs, "0-3\n", "sys/devices/system/node/node0/cpulist");
	fakefs_put(&fs, "4-7\n", "sys/devices/system/node/node1/cpulist");
	h.sysfs = fakefs_path(&fs, sys, sizeof(sys), "sys");

	h_start(false);
	CU_ASSERT_EQUAL(h_ctl_in(cfg, "apply", "-"), 0);
	CU_ASSERT_EQUAL(h_ctl("--json", "status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"name\": \"big\", \"kind\": \"Confined\", \"cpus\": 8, \"cpu_list\": \"0-7\""));
	/* CPUs 6 and 7 go offline. */
	fakefs_put(&fs, "4-5\n", "sys/devices/system/node/node1/cpulist");
	fakefs_put(&fs, "0-5\n", "sys/devices/system/cpu/online");
	for (int i = 0; i < 50 && !seen; i++) {
		usleep(100 * 1000);
		seen = h_log_has("CPU hotplug: online CPUs 0-7 -> 0-5");
	}
	CU_ASSERT(seen);
	CU_ASSERT_EQUAL(h_ctl("--json", "status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"name\": \"big\", \"kind\": \"Confined\", \"cpus\": 6, \"cpu_list\": \"0-5\""));
	CU_ASSERT_EQUAL(h_ctl("topology"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "CPUs online: 0-5 (6)"));
	/* And back. */
	fakefs_put(&fs, "4-7\n", "sys/devices/system/node/node1/cpulist");
	fakefs_put(&fs, "0-7\n", "sys/devices/system/cpu/online");
	seen = false;
	for (int i = 0; i < 50 && !seen; i++) {
		usleep(100 * 1000);
		seen = h_log_has("CPU hotplug: online CPUs 0-5 -> 0-7");
	}
	CU_ASSERT(seen);
	CU_ASSERT_EQUAL(h_ctl("--json", "status"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "\"cpus\": 8, \"cpu_list\": \"0-7\""));
	/* A topology that cannot be read is logged and the old one kept. */
	fakefs_put(&fs, "garbage\n", "sys/devices/system/cpu/online");
	usleep(1500 * 1000);
	CU_ASSERT_EQUAL(h_ctl("topology"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.res.out, "CPUs online: 0-7 (8)"));
	CU_ASSERT(h_log_has("cannot be read or parsed; keeping the topology"));
	h_stop(SIGTERM);
	h.sysfs = NULL;
	fakefs_remove(&fs);
}

/* Each test gets a fresh directory. */
static void run_fresh(void (*fn)(void))
{
	CU_ASSERT_FATAL(h_setup() == 0);
	fn();
	CU_ASSERT(h_teardown() == 0);
}

#define FRESH(name)                          \
	static void fresh_##name(void)       \
	{                                    \
		run_fresh(name);             \
	}

FRESH(test_commands)
FRESH(test_control_loop)
FRESH(test_persistence)
FRESH(test_kill_during_apply)
FRESH(test_read_only_state_dir)
FRESH(test_confirm)
FRESH(test_irq_balancing)
FRESH(test_templates)
FRESH(test_hotplug)

TEST_SUITE(agent)
{
	static const struct test_case tests[] = {
		{ "every command as root, text and --json", fresh_test_commands },
		{ "control loop: synthetic load grows and shrinks a layer", fresh_test_control_loop },
		{ "persistence: kill -9, --no-restore, corrupt file", fresh_test_persistence },
		{ "kill -9 during apply: old or new config, never corrupt", fresh_test_kill_during_apply },
		{ "read-only state dir: clear error, keeps serving", fresh_test_read_only_state_dir },
		{ "apply --confirm: confirm, timeout, across restarts", fresh_test_confirm },
		{ "netdev IRQ balancing on a fake machine", fresh_test_irq_balancing },
		{ "templates expand against the agent's cgroup tree", fresh_test_templates },
		{ "CPU hotplug: the agent follows the online CPUs", fresh_test_hotplug },
		{ NULL, NULL },
	};

	return test_add_suite("agent", tests);
}
