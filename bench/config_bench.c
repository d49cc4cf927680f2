/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How long `scxctl validate` spends on configs from 1 to 16 layers, each
 * layer at the limits (32 OR blocks of 26 conditions, 15-byte comm
 * strings, 4095-byte cgroup strings, 16 regexes in all). Parse and
 * validate are timed separately; the report gives the time per layer so
 * that linearity shows. A report, not a test: nothing here can fail.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/json.h"
#include "common/config.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *make_config(int layers, bool long_strings, size_t *ret_len)
{
	size_t cap = 64u << 20, len = 0;
	char *s = malloc(cap), *longstr = malloc(4096);
	int regexes = 0;

	memset(longstr, 'c', 4095);
	longstr[4095] = '\0';
	len += (size_t)snprintf(s + len, cap - len, "[");
	for (int l = 0; l < layers; l++) {
		bool last = l == layers - 1;

		len += (size_t)snprintf(s + len, cap - len, "%s{\"name\": \"layer-%d\", \"matches\": [", l ? "," : "", l);
		for (int o = 0; !last && o < 32; o++) {
			len += (size_t)snprintf(s + len, cap - len, "%s[", o ? "," : "");
			for (int a = 0; a < 26; a++) {
				const char *sep = a ? "," : "";

				if (a == 0 && o == 0 && regexes < 16) {
					len += (size_t)snprintf(s + len, cap - len, "%s{\"CgroupRegex\": \"^/sys/fs/cgroup/l%d/[a-z]+-[0-9]{1,4}$\"}", sep, regexes++);
				} else if (a == 1 && long_strings) {
					len += (size_t)snprintf(s + len, cap - len, "%s{\"CgroupPrefix\": \"%s\"}", sep, longstr);
				} else {
					len += (size_t)snprintf(s + len, cap - len, "%s{\"CommPrefix\": \"worker-%08d\"}", sep, a);
				}
			}
			len += (size_t)snprintf(s + len, cap - len, "]");
		}
		if (last)
			len += (size_t)snprintf(s + len, cap - len, "[]");
		len += (size_t)snprintf(s + len, cap - len,
					"], \"kind\": {\"%s\": {\"util_range\": [0.5, 0.9], \"nodes\": [0, 1]}}}",
					last ? "Grouped" : "Confined");
	}
	len += (size_t)snprintf(s + len, cap - len, "]\n");
	free(longstr);
	*ret_len = len;
	return s;
}

int main(int argc, char **argv)
{
	static const struct cfg_topo topo = { .nr_cpus = 64, .nr_nodes = 2, .nr_llcs = 4 };
	static const int sizes[] = { 1, 2, 4, 8, 16 };
	const char *out = argc > 1 ? argv[1] : "bench/results/config.md";
	FILE *f = fopen(out, "w");

	if (!f) {
		perror(out);
		return 1;
	}
	fprintf(f, "# Config validation time\n\nMeasured by `make bench` (bench/config_bench.c). Each layer at the "
		   "limits: 32 OR blocks x 26 conditions (15-byte comm prefixes), 16 regexes in all; the "
		   "second half adds a 4095-byte cgroup prefix to every block. Median of 21 runs.\n\n| layers | size | parse ms | validate ms | total ms | "
		   "total per layer ms |\n|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < 2 * sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizeof(sizes) / sizeof(sizes[0]);
		bool long_strings = i >= n;
		double tp[21], tv[21];
		size_t len;
		char *text = make_config(sizes[i % n], long_strings, &len);

		for (int k = 0; k < (getenv("BENCH_ONCE") ? 1 : 21); k++) {
			struct cfg_diags d = { 0 };
			struct json_posmap pm = { 0 };
			struct cfg *c = NULL;
			double t0 = now(), t1, t2;

			if (json_parse_config(text, len, &c, &d, &pm) != 0)
				return 1;
			t1 = now();
			if (cfg_validate(c, &topo, 0, &d) != 0) {
				fprintf(stderr, "bench config invalid: %s: %s\n", d.v[0].path, d.v[0].msg);
				return 1;
			}
			t2 = now();
			tp[k] = (t1 - t0) * 1e3;
			tv[k] = (t2 - t1) * 1e3;
			cfg_free(c);
			cfg_diags_release(&d);
			json_posmap_release(&pm);
		}
		for (int a = 0; a < 21; a++)
			for (int b = a + 1; b < 21; b++) {
				if (tp[b] < tp[a]) { double t = tp[a]; tp[a] = tp[b]; tp[b] = t; }
				if (tv[b] < tv[a]) { double t = tv[a]; tv[a] = tv[b]; tv[b] = t; }
			}
		fprintf(f, "| %d%s | %zu KiB | %.2f | %.2f | %.2f | %.3f |\n", sizes[i % n],
			long_strings ? " + 4095-byte cgroup strings" : "", len / 1024, tp[10], tv[10],
			tp[10] + tv[10], (tp[10] + tv[10]) / sizes[i % n]);
		free(text);
	}
	fclose(f);
	printf("wrote %s\n", out);
	return 0;
}
