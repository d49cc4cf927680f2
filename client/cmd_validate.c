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
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#include "client/cmd.h"
#include "client/json.h"
#include "common/config.h"
#include "common/frame.h"
#include "common/parse.h"
#include "common/pbconv.h"
#include "common/topology.h"

#define CONFIG_MAX_SIZE (16u * 1024u * 1024u)

static void validate_usage(FILE *f)
{
	fprintf(f,
		"usage: scxctl [--json] validate [--nodes N] [--cpus N] [--strict] FILE...\n\n"
		"Parse and validate layer configurations without an agent: scx_layered's\n"
		"JSON array of layers, or {\"options\": {...}, \"layers\": [...]}. FILE - reads\n"
		"standard input. Every problem of every file is reported, not only the first.\n\n"
		"  --nodes N   check against a machine with N NUMA nodes\n"
		"  --cpus N    check against a machine with N CPUs\n"
		"              (what is not declared comes from this machine; with either,\n"
		"              LLC ids are not checked)\n"
		"  --strict    treat warnings as errors\n"
		"  -h, --help  this help\n\n"
		"Problems go to standard error, one per line, in file order:\n"
		"  FILE:LINE:COL: at JSON.PATH: message\n"
		"  FILE:LINE:COL: warning: at JSON.PATH: message\n"
		"LINE and COL count from 1; COL counts bytes. JSON.PATH is $[i]... for the\n"
		"array form and $.layers[i]... for the object form. A valid file prints one\n"
		"line per layer on standard output: FILE: layer I: NAME (KIND, N match clauses).\n"
		"With --json, standard output gets one JSON array of problems instead:\n"
		"  {\"file\", \"line\", \"column\", \"severity\", \"path\", \"message\"}\n"
		"(line, column and path are left out where there are none).\n\n"
		"Exit status: 0 valid (warnings allowed unless --strict), 1 invalid,\n"
		"2 usage error or unreadable file. See docs/configuration.md.\n");
}

/* Fault the pages of a fresh buffer in at once (one call, not one fault per page). */
static void populate(void *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(page - 1);

	if (end > start)
		(void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);    /* Linux 5.14; a hint */
}

/* Read a whole file (or stdin for "-") into a new buffer. */
int ctl_read_file(const char *name, char **ret_text, size_t *ret_len)
{
	bool is_stdin = strcmp(name, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(name, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap;
	char *text = NULL;
	struct stat st;
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		goto out;
	}
	/* A regular file fits one buffer of its size; a pipe's buffer grows. One byte more shows EOF. */
	cap = S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size <= CONFIG_MAX_SIZE ?
		      (size_t)st.st_size + 1 : 65536;
	text = malloc(cap + 1);
	if (!text) {
		r = -ENOMEM;
		goto out;
	}
	populate(text, cap);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *t;

			if (cap > CONFIG_MAX_SIZE) {
				r = -EFBIG;
				break;
			}
			cap = cap * 2 > CONFIG_MAX_SIZE + 1 ? CONFIG_MAX_SIZE + 1 : cap * 2;
			t = realloc(text, cap + 1);
			if (!t) {
				r = -ENOMEM;
				break;
			}
			text = t;
		}
		n = read(fd, text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
out:
	if (!is_stdin)
		close(fd);
	if (r < 0) {
		free(text);
		return r;
	}
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
		fprintf(stderr,
			"scxctl: warning: cannot read this machine's topology (%s); topology checks skipped\n",
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
		printf(", \"severity\": \"%s\", \"path\": ",
		       dg->severity == CFG_ERROR ? "error" : "warning");
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
		fprintf(stderr, "%s: %sat %s: %s\n", file,
			dg->severity == CFG_ERROR ? "" : "warning: ", dg->path, dg->msg);
}

int ctl_print_problems(const char *file, const struct cfg_diags *d, const struct json_posmap *pm,
		       bool json, bool *first)
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

/*
 * A valid config must also fit the one request `apply` sends it in: the
 * agent takes no packet over FRAME_MAX_SIZE. Only configs at the limits
 * with long cgroup strings come near it. The protobuf is never larger
 * than the JSON text (strings lose their quotes and escapes, matchers and
 * blocks their keys) except for the values every layer and the options
 * carry whether written or not, under 512 bytes a layer; so only a text
 * near the limit is worth sizing. Returns 0 or -ENOMEM.
 */
static int check_request_size(const struct cfg *c, size_t text_len, struct cfg_diags *d)
{
	size_t len;

	if (text_len + (c->nr_layers + 2) * 512 + 64 < FRAME_MAX_SIZE)
		return 0;
	len = pbconv_packed_size(c);
	if (!len)
		return -ENOMEM;
	/* The request's envelope adds a few bytes; keep a margin for it. */
	if (len + 64 > FRAME_MAX_SIZE &&
	    cfg_diag_add(d, CFG_ERROR, c->object_form ? "$.layers" : "$",
			 "the config is %zu bytes as sent to scxd, which takes at most %u per request: apply would fail",
			 len, FRAME_MAX_SIZE) < 0)
		return -ENOMEM;
	return 0;
}

/* Validate one file; returns an exit code. */
static int validate_file(const char *name, const struct cfg_topo *topo, unsigned int flags,
			 bool json, bool *first)
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
		if (json) {
			printf("%s\n  {\"file\": ", *first ? "" : ",");
			json_print_string(stdout, shown);
			printf(", \"severity\": \"error\", \"message\": ");
			json_print_string(stdout, strerror(-r));
			printf("}");
			*first = false;
		}
		return CTL_EXIT_USAGE;
	}
	/* Validation sees the file as written; normalization comes after it. */
	r = json_parse_config(text, len, &c, &d, &pm);
	if (r == 0) {
		size_t nparse = d.n;

		r = cfg_validate(c, topo, flags, &d);
		json_drop_shadowed(&d, nparse);
		if (r == 0 && d.nr_errors == 0)
			r = check_request_size(c, len, &d);
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
			printf("%s: layer %zu: %s (%s, %zu match clause%s)\n", shown, i,
			       c->layers[i].name, cfg_kind_name(c->layers[i].kind),
			       c->layers[i].nr_ors, c->layers[i].nr_ors == 1 ? "" : "s");
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
				      opt == 'n' ? &nodes : &cpus) < 0 ||
			    (opt == 'n' ? nodes : cpus) == 0) {
				fprintf(stderr,
					"scxctl validate: --%s: expected a number from 1 to %u, not '%s'\n",
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
