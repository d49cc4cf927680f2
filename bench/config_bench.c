/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How long `scxctl validate` takes on configs at the limits: every layer
 * but the catch-all has 32 OR blocks of 26 conditions, and the config has
 * 2 to 16 layers, in three shapes:
 *   comm       15-byte CommPrefix conditions (16 CgroupRegex in all);
 *   cgroup     one 4095-byte CgroupPrefix per block, the rest as above;
 *   near-16MiB seven 4095-byte cgroup strings per block: about the largest
 *              file scxctl reads (16 MiB).
 * Two measurements per config, medians of several runs:
 *   - in process: json_parse_config() and cfg_validate() timed apart, with
 *     the allocator keeping its memory between runs (the CPU cost);
 *   - cold: a fresh `scxctl validate` process on the file, wall clock,
 *     page faults and dynamic loading included (what a user waits for),
 *     with the same for a one-layer file for comparison.
 * A report, not a test: nothing here fails on time.
 *
 *   config_bench REPORT.md [SCXCTL]
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/json.h"
#include "common/config.h"
#include "common/frame.h"
#include "common/pbconv.h"

#define RUNS 15

extern char **environ;

enum shape {
	SHAPE_COMM,
	SHAPE_CGROUP,
	SHAPE_HUGE,
};

static const char *const shape_names[] = { "comm", "cgroup", "near-16MiB" };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		fprintf(stderr, "config_bench: buffer too small\n");
		exit(1);
	}
	b->len += (size_t)n;
}

/* layers - 1 layers at the limits, then the catch-all. */
static char *make_config(int layers, enum shape shape, size_t *ret_len)
{
	struct buf b = { .cap = 20u << 20 };
	char *longstr = malloc(SCX_MAX_PATH);
	int regexes = 0;

	b.s = malloc(b.cap);
	if (!b.s || !longstr)
		exit(1);
	memset(longstr, 'c', SCX_MAX_PATH - 1);
	longstr[SCX_MAX_PATH - 1] = '\0';
	put(&b, "[");
	for (int l = 0; l < layers - 1; l++) {
		put(&b, "%s\n {\"name\": \"layer-%d\", \"matches\": [", l ? "," : "", l);
		for (int o = 0; o < SCX_MAX_LAYER_MATCH_ORS; o++) {
			put(&b, "%s\n  [", o ? "," : "");
			for (int a = 0; a < SCX_MAX_MATCH_ANDS; a++) {
				const char *sep = a ? ", " : "";
				bool long_one = (shape == SHAPE_CGROUP && a == 1) || (shape == SHAPE_HUGE && a >= 1 && a <= 7);

				if (a == 0 && o == 0 && regexes < SCX_MAX_CGROUP_REGEXES)
					put(&b, "%s{\"CgroupRegex\": \"^/sys/fs/cgroup/l%d/[a-z]+-[0-9]{1,4}$\"}", sep,
					    regexes++);
				else if (long_one)
					put(&b, "%s{\"CgroupPrefix\": \"%s\"}", sep, longstr);
				else
					put(&b, "%s{\"CommPrefix\": \"worker-%08d\"}", sep, a);
			}
			put(&b, "]");
		}
		put(&b, "],\n  \"kind\": {\"Confined\": {\"util_range\": [0.5, 0.9], \"nodes\": [0, 1]}}}");
	}
	put(&b, "%s\n {\"name\": \"rest\", \"matches\": [[]], \"kind\": {\"Grouped\": {\"util_range\": [0.5, 0.9]}}}\n]\n",
	    layers > 1 ? "," : "");
	free(longstr);
	*ret_len = b.len;
	return b.s;
}

/* Does the config fit the one request apply sends? */
static bool fits(const char *text, size_t len)
{
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;
	size_t plen = SIZE_MAX;

	if (json_parse_config(text, len, &c, &d, NULL) == 0)
		plen = pbconv_packed_size(c);
	cfg_free(c);
	cfg_diags_release(&d);
	return plen + 64 <= FRAME_MAX_SIZE;
}

/* Median in-process parse and validate times (ms) of text. */
static int time_in_process(const char *text, size_t len, double *ret_parse, double *ret_validate)
{
	static const struct cfg_topo topo = { .nr_cpus = 64, .nr_nodes = 2, .nr_llcs = 4 };
	double tp[RUNS], tv[RUNS];

	for (int k = 0; k < RUNS; k++) {
		struct json_posmap pm = { 0 };
		struct cfg_diags d = { 0 };
		struct cfg *c = NULL;
		double t0 = now(), t1, t2;

		if (json_parse_config(text, len, &c, &d, &pm) != 0 || d.nr_errors) {
			fprintf(stderr, "config_bench: config does not parse\n");
			return -1;
		}
		t1 = now();
		if (cfg_validate(c, &topo, 0, &d) != 0) {
			fprintf(stderr, "config_bench: config invalid: %s: %s\n", d.v[0].path, d.v[0].msg);
			return -1;
		}
		t2 = now();
		tp[k] = (t1 - t0) * 1e3;
		tv[k] = (t2 - t1) * 1e3;
		cfg_free(c);
		cfg_diags_release(&d);
		json_posmap_release(&pm);
	}
	*ret_parse = median(tp, RUNS);
	*ret_validate = median(tv, RUNS);
	return 0;
}

/* Median wall time (ms) of `scxctl validate --nodes 2 --cpus 64 FILE`, which must run to the end. */
static int time_cold(const char *scxctl, const char *text, size_t len, double *ret_ms)
{
	char path[] = "/tmp/config_bench.XXXXXX";
	char *argv[] = { (char *)scxctl, (char *)"validate", (char *)"--nodes", (char *)"2", (char *)"--cpus",
			 (char *)"64", path, NULL };
	posix_spawn_file_actions_t fa;
	double t[RUNS];
	int fd = mkstemp(path), r = 0;
	FILE *f;

	if (fd < 0 || !(f = fdopen(fd, "w")))
		return -errno;
	if (fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		unlink(path);
		return -EIO;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	for (int k = 0; k < RUNS && r == 0; k++) {
		double t0 = now();
		pid_t pid;
		int status;

		if (posix_spawn(&pid, scxctl, &fa, NULL, argv, environ) != 0 || waitpid(pid, &status, 0) < 0) {
			r = -ECHILD;
			break;
		}
		t[k] = (now() - t0) * 1e3;
		/* 1: too large to apply (a config at the limits with long strings), still all checked */
		if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
			fprintf(stderr, "config_bench: %s validate failed on the bench config\n", scxctl);
			r = -EINVAL;
		}
	}
	posix_spawn_file_actions_destroy(&fa);
	unlink(path);
	if (r == 0)
		*ret_ms = median(t, RUNS);
	return r;
}

int main(int argc, char **argv)
{
	static const int sizes[] = { 2, 4, 8, 16 };
	const char *out = argc > 1 ? argv[1] : "bench/results/config.md";
	const char *scxctl = argc > 2 ? argv[2] : NULL;
	double base_ms = 0;
	FILE *f;

	/* Keep freed memory: the in-process numbers are the CPU cost, not page faults. */
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	f = fopen(out, "w");
	if (!f) {
		perror(out);
		return 1;
	}
	if (scxctl) {
		size_t len;
		char *text = make_config(1, SHAPE_COMM, &len);

		if (time_cold(scxctl, text, len, &base_ms) < 0)
			return 1;
		free(text);
	}
	fprintf(f, "# Config validation time\n\n"
		   "Measured by `make bench` (bench/config_bench.c) on %ld CPUs. Every layer but the catch-all at the "
		   "limits: %d OR blocks x %d conditions; `comm`: 15-byte CommPrefix conditions and %d "
		   "CgroupRegex in all; `cgroup`: one 4095-byte CgroupPrefix per block besides; `near-16MiB`: seven "
		   "per block, about the largest file scxctl reads. Medians of %d runs.\n\n"
		   "*In process*: json_parse_config() and cfg_validate(), the allocator keeping its memory between "
		   "runs (the CPU cost). *Cold*: a fresh `scxctl validate --nodes 2 --cpus 64 FILE`, wall clock%s.\n\n"
		   "| shape | layers | size | parse ms | validate ms | in process ms | per full layer ms | cold ms |\n"
		   "|---|---|---|---|---|---|---|---|\n",
		sysconf(_SC_NPROCESSORS_ONLN), SCX_MAX_LAYER_MATCH_ORS, SCX_MAX_MATCH_ANDS, SCX_MAX_CGROUP_REGEXES, RUNS,
		scxctl ? "" : " (not measured: no scxctl given)");
	for (int s = SHAPE_COMM; s <= SHAPE_HUGE; s++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			double tp, tv, cold = 0;
			size_t len;
			char *text;

			if (s == SHAPE_HUGE && sizes[i] != 16)
				continue;
			text = make_config(sizes[i], (enum shape)s, &len);
			if (time_in_process(text, len, &tp, &tv) < 0 ||
			    (scxctl && time_cold(scxctl, text, len, &cold) < 0))
				return 1;
			fprintf(f, "| %s | %d | %zu KiB%s | %.2f | %.2f | %.2f | %.3f |", shape_names[s], sizes[i],
				len / 1024, fits(text, len) ? "" : " (*)", tp, tv, tp + tv, (tp + tv) / (sizes[i] - 1));
			if (scxctl)
				fprintf(f, " %.1f |\n", cold);
			else
				fprintf(f, " - |\n");
			free(text);
		}
	fprintf(f, "\n(*) Too large for one request to scxctl's agent (%u bytes as protobuf): `validate` "
		   "checks everything and then says so, `apply` would be refused.\n", FRAME_MAX_SIZE);
	if (scxctl)
		fprintf(f, "\nFor comparison, a cold `scxctl validate` of a one-layer file takes %.1f ms "
			   "(process start, dynamic loading, reading the topology).\n", base_ms);
	fclose(f);
	printf("wrote %s\n", out);
	return 0;
}
