/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxctl validate [--nodes N] [--cpus N] [--strict] FILE...
 *
 * Parses and validates each file with the same validator the agent runs,
 * against this machine's topology or a declared one, and prints every
 * problem: `FILE:LINE:COL: at PATH: message` (errors) and
 * `FILE:LINE:COL: warning: at PATH: message`. Needs no agent.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd.h"
#include "client/json.h"
#include "common/config.h"
#include "common/parse.h"
#include "common/topology.h"

#define CONFIG_MAX_SIZE (16u * 1024u * 1024u)

static void validate_usage(FILE *f)
{
	fprintf(f, "usage: scxctl [--json] validate [--nodes N] [--cpus N] [--strict] FILE...\n\n"
		   "Parse and validate layer configurations (scx_layered's JSON array, or\n"
		   "{\"options\": {...}, \"layers\": [...]}) without an agent. FILE - reads stdin.\n\n"
		   "  --nodes N   check against a machine with N NUMA nodes\n"
		   "  --cpus N    check against a machine with N CPUs\n"
		   "              (default: this machine's topology)\n"
		   "  --strict    treat warnings as errors\n\n"
		   "Problems are printed one per line on stderr:\n"
		   "  FILE:LINE:COL: at $.json.path: message\n"
		   "  FILE:LINE:COL: warning: at $.json.path: message\n"
		   "With --json, one JSON array of problems on stdout. Exit status: 0 valid,\n"
		   "1 invalid, 2 usage or file error.\n");
}

/* Read a whole file (or stdin for "-") into a new buffer. */
int ctl_read_file(const char *name, char **ret_text, size_t *ret_len)
{
	FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "re");
	size_t len = 0, cap = 0;
	char *text = NULL;
	int r = 0;

	if (!f)
		return -errno;
	for (;;) {
		size_t n;

		if (len == cap) {
			char *t;

			if (cap >= CONFIG_MAX_SIZE) {
				r = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			t = realloc(text, cap + 1);
			if (!t) {
				r = -ENOMEM;
				break;
			}
			text = t;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				r = -EIO;
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (r < 0) {
		free(text);
		return r;
	}
	if (!text && !(text = malloc(1)))
		return -ENOMEM;
	text[len] = '\0';
	*ret_text = text;
	*ret_len = len;
	return 0;
}

/* This machine's topology for the validator; false when it cannot be read. */
bool ctl_local_topology(struct cfg_topo *ret)
{
	struct topo *t;
	char err[256];
	int r;

	r = topo_load("/sys", &t, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "scxctl: warning: cannot read this machine's topology (%s); topology checks skipped\n",
			err);
		return false;
	}
	ret->nr_cpus = t->nr_cpus;
	ret->nr_nodes = t->nr_nodes;
	ret->nr_llcs = t->nr_llcs;
	topo_free(t);
	return true;
}

static void print_problem(const char *file, const struct json_problem *p, bool json, bool *first)
{
	const struct cfg_diag *dg = p->dg;
	unsigned int line = p->line, col = p->col;
	bool have = p->have;

	if (json) {
		printf("%s\n  {\"file\": ", *first ? "" : ",");
		json_print_string(stdout, file);
		if (have)
			printf(", \"line\": %u, \"column\": %u", line, col);
		printf(", \"severity\": \"%s\", \"path\": ", dg->severity == CFG_ERROR ? "error" : "warning");
		json_print_string(stdout, dg->path);
		printf(", \"message\": ");
		json_print_string(stdout, dg->msg);
		printf("}");
		*first = false;
		return;
	}
	if (have)
		fprintf(stderr, "%s:%u:%u: %sat %s: %s\n", file, line, col,
			dg->severity == CFG_ERROR ? "" : "warning: ", dg->path, dg->msg);
	else
		fprintf(stderr, "%s: %sat %s: %s\n", file, dg->severity == CFG_ERROR ? "" : "warning: ",
			dg->path, dg->msg);
}

int ctl_print_problems(const char *file, const struct cfg_diags *d, const struct json_posmap *pm, bool json,
		       bool *first)
{
	struct json_problem *v;

	if (!d->n)
		return 0;
	v = json_locate_problems(d, pm);
	if (!v) {
		fprintf(stderr, "scxctl: %s: out of memory\n", file);
		return -ENOMEM;
	}
	for (size_t i = 0; i < d->n; i++)
		print_problem(file, &v[i], json, first);
	free(v);
	return 0;
}

/* Validate one file; returns an exit code. */
static int validate_file(const char *name, const struct cfg_topo *topo, unsigned int flags, bool json,
			 bool *first)
{
	const char *shown = strcmp(name, "-") == 0 ? "<stdin>" : name;
	struct json_posmap pm = { 0 };
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;
	size_t len;
	char *text;
	int r, rc;

	r = ctl_read_file(name, &text, &len);
	if (r < 0) {
		fprintf(stderr, "scxctl: %s: %s\n", shown, strerror(-r));
		return CTL_EXIT_USAGE;
	}
	/* Validation sees the file as written; normalization comes after it. */
	r = json_parse_config(text, len, &c, &d, &pm);
	if (r == 0) {
		size_t nparse = d.n;

		r = cfg_validate(c, topo, flags, &d);
		json_drop_shadowed(&d, nparse);
	}
	if (r == -ENOMEM) {
		fprintf(stderr, "scxctl: %s: out of memory\n", shown);
		rc = CTL_EXIT_FAILED;
		goto out;
	}
	/* Parser warnings are errors under --strict too. */
	if (flags & CFG_VALIDATE_STRICT)
		for (size_t i = 0; i < d.n; i++)
			if (d.v[i].severity == CFG_WARNING) {
				d.v[i].severity = CFG_ERROR;
				d.nr_errors++;
			}
	if (ctl_print_problems(shown, &d, &pm, json, first) < 0) {
		rc = CTL_EXIT_FAILED;
		goto out;
	}
	rc = d.nr_errors ? CTL_EXIT_FAILED : CTL_EXIT_OK;
	if (rc == CTL_EXIT_OK && !json)
		for (size_t i = 0; i < c->nr_layers; i++)
			printf("%s: layer %zu: %s (%s, %zu match clause%s)\n", shown, i, c->layers[i].name,
			       cfg_kind_name(c->layers[i].kind), c->layers[i].nr_ors,
			       c->layers[i].nr_ors == 1 ? "" : "s");
out:
	cfg_free(c);
	cfg_diags_release(&d);
	json_posmap_release(&pm);
	free(text);
	return rc;
}

int cmd_validate(const struct ctl_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "strict", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cfg_topo topo = { 0 };
	bool have_topo, first = true;
	unsigned int flags = 0, nodes = 0, cpus = 0;
	int opt, rc = CTL_EXIT_OK;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
		case 'c':
			if (parse_u32(optarg, opt == 'n' ? SCX_MAX_NUMA_NODES : CPUMASK_MAX_CPUS,
				      opt == 'n' ? &nodes : &cpus) < 0 || (opt == 'n' ? nodes : cpus) == 0) {
				fprintf(stderr, "scxctl validate: --%s: expected a number from 1 to %u, not '%s'\n",
					opt == 'n' ? "nodes" : "cpus",
					opt == 'n' ? SCX_MAX_NUMA_NODES : CPUMASK_MAX_CPUS, optarg);
				return CTL_EXIT_USAGE;
			}
			break;
		case 's':
			flags |= CFG_VALIDATE_STRICT;
			break;
		case 'h':
			validate_usage(stdout);
			return CTL_EXIT_OK;
		default:
			validate_usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		validate_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	have_topo = ctl_local_topology(&topo);
	if (nodes || cpus) {
		/* A declared machine: what is not declared comes from this one. */
		if (!have_topo)
			topo = (struct cfg_topo){ .nr_cpus = 0, .nr_nodes = 1, .nr_llcs = 0 };
		if (nodes)
			topo.nr_nodes = nodes;
		if (cpus)
			topo.nr_cpus = cpus;
		topo.nr_llcs = 0; /* unknown: LLC ids are not checked */
		have_topo = true;
	}
	if (g->json)
		printf("[");
	for (int i = optind; i < argc; i++) {
		int r = validate_file(argv[i], have_topo ? &topo : NULL, flags, g->json, &first);

		if (r > rc)
			rc = r;
	}
	if (g->json)
		printf("%s]\n", first ? "" : "\n");
	return rc;
}
