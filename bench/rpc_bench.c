/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxd's control plane under load (sim backend, a temporary socket):
 * status round-trip latency with 1 and 64 concurrent clients, apply
 * latency for 1, 8 and 16 layers (16 is the layer limit), the agent's RSS
 * and its CPU use while idle. A report, not a test.
 *
 *   rpc_bench SCXD REPORT
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/rpc_client.h"
#include "common/config.h"
#include "common/pbconv.h"

#define STATUS_CALLS 2000
#define CLIENTS	     64
#define PER_CLIENT   200

static char sock[128];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double status_once(void)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__StatusRequest body = SCXD__V1__STATUS_REQUEST__INIT;
	Scxd__V1__Response *resp;
	double t0 = now_us();

	req.body_case = SCXD__V1__REQUEST__BODY_STATUS;
	req.status = &body;
	if (rpc_call(sock, &req, &resp) != 0)
		return -1;
	scxd__v1__response__free_unpacked(resp, NULL);
	return now_us() - t0;
}

/* n layers at realistic size: a few clauses each, the last a catch-all. */
static struct cfg *make_cfg(size_t n)
{
	struct cfg *c = calloc(1, sizeof(*c));

	cfg_options_init(&c->opts);
	c->layers = calloc(n, sizeof(*c->layers));
	c->nr_layers = n;
	for (size_t i = 0; i < n; i++) {
		struct cfg_layer *l = &c->layers[i];

		cfg_layer_init(l);
		if (asprintf(&l->name, "layer-%zu", i) < 0)
			abort();
		l->name_len = strlen(l->name);
		l->kind = i + 1 == n ? CFG_KIND_OPEN : CFG_KIND_GROUPED;
		l->has_util_range = true;
		l->util_range[0] = 0.5;
		l->util_range[1] = 0.9;
		l->nr_ors = 1;
		l->ors = calloc(1, sizeof(*l->ors));
		if (i + 1 < n) {
			l->ors[0].n = 2;
			l->ors[0].m = calloc(2, sizeof(*l->ors[0].m));
			l->ors[0].m[0].kind = CFG_M_COMM_PREFIX;
			if (asprintf(&l->ors[0].m[0].str, "w%zu", i) < 0)
				abort();
			l->ors[0].m[0].len = strlen(l->ors[0].m[0].str);
			l->ors[0].m[1].kind = CFG_M_NICE_ABOVE;
			l->ors[0].m[1].i = -1;
		}
	}
	return c;
}

static double apply_once(size_t layers)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__ApplyRequest body = SCXD__V1__APPLY_REQUEST__INIT;
	Scxd__V1__Response *resp;
	Scxd__V1__Config *pb;
	struct cfg *c = make_cfg(layers);
	double t0, t;

	if (pbconv_to_pb(c, &pb) < 0)
		abort();
	body.config = pb;
	req.body_case = SCXD__V1__REQUEST__BODY_APPLY;
	req.apply = &body;
	t0 = now_us();
	if (rpc_call(sock, &req, &resp) != 0)
		return -1;
	t = now_us() - t0;
	if (resp->code != SCXD__V1__CODE__OK)
		t = -1;
	scxd__v1__response__free_unpacked(resp, NULL);
	pbconv_pb_free(pb);
	cfg_free(c);
	return t;
}

static long proc_field(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

static long cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/scx-rpc-bench.XXXXXX", state[160], run[160];
	static double lat[CLIENTS * PER_CLIENT];
	double one[STATUS_CALLS], t;
	int pipes[CLIENTS][2];
	pid_t clients[CLIENTS];
	long idle0, idle1;
	FILE *out;
	pid_t agent;

	if (argc != 3 || !mkdtemp(dir)) {
		fprintf(stderr, "usage: rpc_bench SCXD REPORT\n");
		return 2;
	}
	snprintf(sock, sizeof(sock), "%s/scxd.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(run, sizeof(run), "%s/run", dir);
	agent = fork();
	if (agent == 0) {
		execl(argv[1], argv[1], "--backend", "sim", "--socket", sock, "--admin-group", "root", "--state-dir",
		      state, "--runtime-dir", run, "--log-level", "warn", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && access(sock, F_OK) != 0; i++)
		usleep(50000);

	for (int i = 0; i < STATUS_CALLS; i++)
		one[i] = status_once();
	qsort(one, STATUS_CALLS, sizeof(one[0]), cmp_double);

	for (int c = 0; c < CLIENTS; c++) {
		if (pipe(pipes[c]) < 0)
			return 1;
		clients[c] = fork();
		if (clients[c] == 0) {
			close(pipes[c][0]);
			for (int i = 0; i < PER_CLIENT; i++) {
				double v = status_once();

				if (write(pipes[c][1], &v, sizeof(v)) != sizeof(v))
					_exit(1);
			}
			_exit(0);
		}
		close(pipes[c][1]);
	}
	for (int c = 0; c < CLIENTS; c++)
		for (int i = 0; i < PER_CLIENT; i++)
			if (read(pipes[c][0], &lat[c * PER_CLIENT + i], sizeof(double)) != sizeof(double))
				lat[c * PER_CLIENT + i] = -1;
	/* Only the clients: the agent is a child too and keeps running. */
	for (int c = 0; c < CLIENTS; c++)
		if (clients[c] > 0)
			waitpid(clients[c], NULL, 0);
	qsort(lat, CLIENTS * PER_CLIENT, sizeof(lat[0]), cmp_double);

	out = fopen(argv[2], "w");
	if (!out)
		return 1;
	fprintf(out, "# scxd control plane (sim backend)\n\nMeasured by `make bench` (bench/rpc_bench.c), one run, "
		     "this machine. Each status call is a full connect, request, reply, close.\n\n"
		     "| measure | value |\n|---|---|\n");
	fprintf(out, "| status p50 / p99, 1 client (%d calls) | %.0f / %.0f µs |\n", STATUS_CALLS,
		one[STATUS_CALLS / 2], one[STATUS_CALLS * 99 / 100]);
	fprintf(out, "| status p50 / p99, %d concurrent clients (%d calls) | %.0f / %.0f µs |\n", CLIENTS,
		CLIENTS * PER_CLIENT, lat[CLIENTS * PER_CLIENT / 2], lat[CLIENTS * PER_CLIENT * 99 / 100]);
	for (size_t n = 1; n <= 16; n *= n == 1 ? 8 : 2) {
		double best = 1e18;

		for (int k = 0; k < 5; k++) {
			t = apply_once(n);
			if (t >= 0 && t < best)
				best = t;
		}
		fprintf(out, "| apply of %zu layers (best of 5, validate + persist + backend) | %.2f ms |\n", n,
			best / 1000);
	}
	fprintf(out, "| agent RSS after the above | %ld KiB |\n", proc_field(agent, "status", "VmRSS:"));
	idle0 = cpu_ticks(agent);
	sleep(5);
	idle1 = cpu_ticks(agent);
	fprintf(out, "| agent CPU while idle (5 s) | %.2f %% of one CPU |\n",
		(double)(idle1 - idle0) * 100.0 / (double)sysconf(_SC_CLK_TCK) / 5.0);
	fprintf(out, "\nApply of 32 layers (the issue's figure) is not possible: the layer limit is 16, as in "
		     "scx_layered.\n");
	fclose(out);
	kill(agent, SIGTERM);
	waitpid(agent, NULL, 0);
	{
		char cmd[200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "rpc_bench: could not remove %s\n", dir);
	}
	printf("wrote %s\n", argv[2]);
	return 0;
}
