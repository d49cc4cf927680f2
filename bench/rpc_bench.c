/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxd's control plane under load (sim backend, a temporary socket):
 * status round-trip latency with 1 client, with 64 concurrent clients
 * calling as fast as they can (closed loop), and with 64 clients calling
 * every 20 ms each (open loop, 3200 calls/s: what many dashboards and
 * scripts polling one agent look like); apply latency for 1, 8 and 16
 * layers (16 is the layer limit); the agent's RSS and its CPU use while
 * idle. A report and a plot (SVG, drawn from this run's numbers), not a
 * test.
 *
 *   rpc_bench SCXD REPORT SVG
 */
#include <errno.h>
#include <math.h>
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
#define OPEN_CALLS   100         /* per client in the open loop */
#define OPEN_PERIOD  20000.0     /* µs between one client's calls */

static char sock[128];
static struct ctl_globals globals = { .socket_path = sock, .command = "rpc_bench" };

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
	if (rpc_roundtrip(&globals, &req, &resp) != 0)
		return -1;
	scxd__v1__response__free_unpacked(resp, NULL);
	return now_us() - t0;
}

#define NB 11   /* the agent's request-duration buckets, +Inf last */
static const double bucket_us[NB] = { 10, 25, 50, 100, 250, 500, 1000, 2500, 10000, 100000, 1e18 };

/* The agent's cumulative request-duration histogram (scxd_rpc_duration_seconds), from metrics. */
static int agent_hist(uint64_t cum[NB])
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__MetricsRequest body = SCXD__V1__METRICS_REQUEST__INIT;
	Scxd__V1__Response *resp;
	const char *p;
	size_t i = 0;

	req.body_case = SCXD__V1__REQUEST__BODY_METRICS;
	req.metrics = &body;
	if (rpc_roundtrip(&globals, &req, &resp) != 0)
		return -1;
	if (resp->body_case != SCXD__V1__RESPONSE__BODY_METRICS || !resp->metrics) {
		scxd__v1__response__free_unpacked(resp, NULL);
		return -1;
	}
	for (p = resp->metrics->text; i < NB && (p = strstr(p, "scxd_rpc_duration_seconds_bucket{")); i++) {
		p = strchr(p, '}');
		cum[i] = p ? strtoull(p + 1, NULL, 10) : 0;
	}
	scxd__v1__response__free_unpacked(resp, NULL);
	return i == NB ? 0 : -1;
}

/* The bucket bound (µs) holding quantile q of the requests between two histograms. */
static double hist_quantile(const uint64_t before[NB], const uint64_t after[NB], double q)
{
	uint64_t total = after[NB - 1] - before[NB - 1];

	for (size_t i = 0; i < NB; i++)
		if ((double)(after[i] - before[i]) >= q * (double)total)
			return bucket_us[i];
	return bucket_us[NB - 1];
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
	if (rpc_roundtrip(&globals, &req, &resp) != 0)
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

/* 64 clients (processes) making `per` calls each; period_us 0: back to back, else one call per period. */
static int run_clients(double *lat, int per, double period_us)
{
	int pipes[CLIENTS][2], nf;
	pid_t clients[CLIENTS];

	for (int c = 0; c < CLIENTS; c++) {
		if (pipe(pipes[c]) < 0)
			return -1;
		clients[c] = fork();
		if (clients[c] == 0) {
			double next = now_us() + period_us * c / CLIENTS;   /* spread the starts */

			close(pipes[c][0]);
			for (int i = 0; i < per; i++) {
				double v, wait = next - now_us();

				if (period_us > 0 && wait > 0)
					usleep((useconds_t)wait);
				next += period_us;
				v = status_once();
				if (write(pipes[c][1], &v, sizeof(v)) != sizeof(v))
					_exit(1);
			}
			_exit(0);
		}
		close(pipes[c][1]);
	}
	for (int c = 0; c < CLIENTS; c++) {
		for (int i = 0; i < per; i++)
			if (read(pipes[c][0], &lat[c * per + i], sizeof(double)) != sizeof(double))
				lat[c * per + i] = -1;
		close(pipes[c][0]);
	}
	/* Only the clients: the agent is a child too and keeps running. */
	for (int c = 0; c < CLIENTS; c++)
		if (clients[c] > 0)
			waitpid(clients[c], NULL, 0);
	qsort(lat, (size_t)CLIENTS * (size_t)per, sizeof(lat[0]), cmp_double);
	/* Failed calls (-1) sort first: how many. */
	for (nf = 0; nf < CLIENTS * per && lat[nf] < 0; nf++)
		;
	return nf;
}

/* Quantile q of the n sorted values at v. */
static double pct(const double *v, size_t n, double q)
{
	return n ? v[(size_t)(q * (double)(n - 1))] : -1;
}

struct series {
	const char *name, *color;
	const double *v;   /* sorted */
	size_t n;
};

/* x position of a latency (log scale, 10 µs .. 100 ms over 60..560). */
static double svg_x(double us)
{
	double l = us < 10 ? 1 : us > 1e5 ? 5 : log10(us);

	return 60 + (l - 1) * 125;
}

/* The plot: latency CDFs (log x) on the left, apply time per layer count on the right. */
static void write_svg(FILE *f, const struct series *s, size_t ns, const double *apply_ms, const size_t *apply_n,
		      size_t na)
{
	double amax = 0.001;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"860\" height=\"360\" "
		   "font-family=\"sans-serif\" font-size=\"12\">\n");
	fprintf(f, "<text x=\"60\" y=\"20\" font-size=\"14\">status round trip: share of calls done within x</text>\n");
	fprintf(f, "<rect x=\"60\" y=\"40\" width=\"500\" height=\"250\" fill=\"none\" stroke=\"#444\"/>\n");
	for (int d = 1; d <= 5; d++) {
		static const char *const lbl[] = { "", "10 µs", "100 µs", "1 ms", "10 ms", "100 ms" };
		double x = 60 + (d - 1) * 125;

		fprintf(f, "<line x1=\"%.0f\" y1=\"40\" x2=\"%.0f\" y2=\"290\" stroke=\"#ddd\"/>"
			   "<text x=\"%.0f\" y=\"306\" text-anchor=\"middle\">%s</text>\n", x, x, x, lbl[d]);
	}
	for (int q = 0; q <= 4; q++)
		fprintf(f, "<text x=\"54\" y=\"%.0f\" text-anchor=\"end\">%.2f</text>\n", 290 - q * 62.5 + 4, q * 0.25);
	for (size_t k = 0; k < ns; k++) {
		size_t step = s[k].n / 400 + 1;

		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", s[k].color);
		for (size_t i = 0; i < s[k].n; i += step)
			fprintf(f, "%.1f,%.1f ", svg_x(s[k].v[i]), 290 - 250.0 * (double)(i + 1) / (double)s[k].n);
		fprintf(f, "%.1f,40\"/>\n", svg_x(s[k].v[s[k].n - 1]));
		fprintf(f, "<rect x=\"70\" y=\"%zu\" width=\"12\" height=\"4\" fill=\"%s\"/>"
			   "<text x=\"88\" y=\"%zu\">%s</text>\n", 54 + 16 * k, s[k].color, 60 + 16 * k, s[k].name);
	}
	fprintf(f, "<line x1=\"%.1f\" y1=\"40\" x2=\"%.1f\" y2=\"290\" stroke=\"#c00\" stroke-dasharray=\"4\"/>"
		   "<text x=\"%.1f\" y=\"52\" fill=\"#c00\"> target p99 1 ms</text>\n", svg_x(1000), svg_x(1000),
		svg_x(1000));
	for (size_t i = 0; i < na; i++)
		if (apply_ms[i] > amax)
			amax = apply_ms[i];
	fprintf(f, "<text x=\"620\" y=\"20\" font-size=\"14\">apply, end to end (ms)</text>\n");
	fprintf(f, "<line x1=\"620\" y1=\"290\" x2=\"840\" y2=\"290\" stroke=\"#444\"/>\n");
	for (size_t i = 0; i < na; i++) {
		double h = 230 * apply_ms[i] / amax, x = 630 + 70 * (double)i;

		fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"50\" height=\"%.1f\" fill=\"#36c\"/>"
			   "<text x=\"%.0f\" y=\"%.1f\">%.2f</text><text x=\"%.0f\" y=\"306\">%zu layers</text>\n",
			x, 290 - h, h, x, 286 - h, apply_ms[i], x, apply_n[i]);
	}
	fprintf(f, "</svg>\n");
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/scx-rpc-bench.XXXXXX", state[160], run[160];
	static double lat[CLIENTS * PER_CLIENT], open_lat[CLIENTS * OPEN_CALLS];
	double one[STATUS_CALLS], t, apply_ms[3];
	size_t apply_n[3], na = 0, failed_closed = 0, failed_open = 0, n_closed, n_open;
	int r;
	uint64_t h0[NB], h1[NB], h2[NB];
	long idle0, idle1;
	FILE *out, *svg;
	pid_t agent;

	if (argc != 4 || !mkdtemp(dir)) {
		fprintf(stderr, "usage: rpc_bench SCXD REPORT SVG\n");
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

	if (agent_hist(h0) < 0)
		return 1;
	r = run_clients(lat, PER_CLIENT, 0);
	if (r < 0 || agent_hist(h1) < 0)
		return 1;
	failed_closed = (size_t)r;
	r = run_clients(open_lat, OPEN_CALLS, OPEN_PERIOD);
	if (r < 0 || agent_hist(h2) < 0)
		return 1;
	failed_open = (size_t)r;
	n_closed = (size_t)CLIENTS * PER_CLIENT - failed_closed;
	n_open = (size_t)CLIENTS * OPEN_CALLS - failed_open;

	out = fopen(argv[2], "w");
	if (!out)
		return 1;
	fprintf(out, "# scxd control plane (sim backend)\n\nMeasured by `make bench` (bench/rpc_bench.c), one run, "
		     "this machine. Each status call is a full connect, request, reply, close.\n\n"
		     "| measure | value |\n|---|---|\n");
	fprintf(out, "| status p50 / p99, 1 client (%d calls) | %.0f / %.0f µs |\n", STATUS_CALLS,
		one[STATUS_CALLS / 2], one[STATUS_CALLS * 99 / 100]);
	fprintf(out, "| status p50 / p99, %d concurrent clients calling back to back (%d calls) | %.0f / %.0f µs |\n",
		CLIENTS, CLIENTS * PER_CLIENT, pct(lat + failed_closed, n_closed, 0.5), pct(lat + failed_closed, n_closed, 0.99));
	fprintf(out, "| status p50 / p99, %d concurrent clients each calling every %.0f ms (%d calls) | %.0f / %.0f µs |\n",
		CLIENTS, OPEN_PERIOD / 1000, CLIENTS * OPEN_CALLS, pct(open_lat + failed_open, n_open, 0.5),
		pct(open_lat + failed_open, n_open, 0.99));
	fprintf(out, "| inside the agent (receive to reply sent), back to back: p50 / p99 | <= %.0f / <= %.0f µs |\n",
		hist_quantile(h0, h1, 0.5), hist_quantile(h0, h1, 0.99));
	fprintf(out, "| inside the agent, every 20 ms: p50 / p99 | <= %.0f / <= %.0f µs |\n", hist_quantile(h1, h2, 0.5),
		hist_quantile(h1, h2, 0.99));
	fprintf(out, "| calls that failed (back to back / every 20 ms) | %zu / %zu |\n", failed_closed, failed_open);
	for (size_t n = 1; n <= 16; n *= n == 1 ? 8 : 2) {
		double best = 1e18;

		for (int k = 0; k < 5; k++) {
			t = apply_once(n);
			if (t >= 0 && t < best)
				best = t;
		}
		fprintf(out, "| apply of %zu layers (best of 5, validate + persist + backend) | %.2f ms |\n", n,
			best / 1000);
		apply_ms[na] = best / 1000;
		apply_n[na++] = n;
	}
	fprintf(out, "| agent RSS after the above | %ld KiB |\n", proc_field(agent, "status", "VmRSS:"));
	idle0 = cpu_ticks(agent);
	sleep(5);
	idle1 = cpu_ticks(agent);
	fprintf(out, "| agent CPU while idle (5 s) | %.2f %% of one CPU |\n",
		(double)(idle1 - idle0) * 100.0 / (double)sysconf(_SC_CLK_TCK) / 5.0);
	fprintf(out, "\nApply of 32 layers (the issue's figure) is not possible: the layer limit is 16, as in "
		     "scx_layered.\n");
	fprintf(out, "\nBack to back, the %d clients are %d processes competing with the agent for this machine's %ld "
		     "CPUs: each call waits behind the others' (p50 is about %d x the single-client time). The open "
		     "loop is the load the target is about: many pollers at a steady rate. The agent's own share "
		     "(its histogram scxd_rpc_duration_seconds, bucket bounds) shows how much of the round trip is "
		     "the agent and how much is clients waiting for a CPU. A failed call is a client the agent "
		     "closed to stay within its 64-client limit (a refused connection), counted, not timed.\n",
		CLIENTS, CLIENTS, sysconf(_SC_NPROCESSORS_ONLN), CLIENTS);
	fprintf(out, "\n![status latency and apply time](%s)\n", strrchr(argv[3], '/') ? strrchr(argv[3], '/') + 1 : argv[3]);
	fclose(out);
	svg = fopen(argv[3], "w");
	if (svg) {
		const struct series ser[] = {
			{ "1 client", "#2a7", one, STATUS_CALLS },
			{ "64 clients, every 20 ms", "#36c", open_lat + failed_open, n_open },
			{ "64 clients, back to back", "#c60", lat + failed_closed, n_closed },
		};

		write_svg(svg, ser, 3, apply_ms, apply_n, na);
		fclose(svg);
	}
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
