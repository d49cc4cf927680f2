/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The config pipeline on arbitrary bytes: parse, validate, locate every
 * problem. Whatever parses without errors must survive JSON -> model ->
 * JSON and model -> protobuf -> model unchanged, and its templates must
 * expand into a model the validator can judge. The same bytes are also
 * fed to the protobuf decoder, as a hostile client would send them, and
 * what it accepts goes through the validator and the printer. Any
 * violation aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/json.h"
#include "common/config.h"
#include "common/pbconv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct cfg_topo topo = { .nr_cpus = 8, .nr_nodes = 2, .nr_llcs = 2 };

static const struct cfg_cgroup cgroups[] = {
	{ "system.slice/docker-0123abcd.scope", "0-3" },
	{ "system.slice/sshd.service", NULL },
	{ "system.slice", "0-7" },
	{ "user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn.scope", "4-7" },
};

/* cmd_validate.c sizes the protobuf only for texts near the request limit, on this bound. */
static void check_size_bound(const struct cfg *c, size_t text_len)
{
	if (pbconv_packed_size(c) > text_len + (c->nr_layers + 2) * 512)
		abort();
}

static void roundtrip(const struct cfg *c)
{
	struct cfg_diags d = { 0 };
	struct cfg *b = NULL, *p = NULL, *x = NULL;
	char *ja, *jb, *jp;
	uint8_t *packed;
	size_t plen;
	int r;

	ja = json_format_config(c);
	if (!ja || json_parse_config(ja, strlen(ja), &b, &d, NULL) != 0 || d.nr_errors)
		abort();
	jb = json_format_config(b);
	if (!jb || strcmp(ja, jb) != 0)
		abort();
	if (pbconv_pack(c, &packed, &plen) != 0 || pbconv_unpack(packed, plen, &p, &d) != 0)
		abort();
	jp = json_format_config(p);
	if (!jp || strcmp(ja, jp) != 0)
		abort();
	/* Expansion of a valid config succeeds unless it makes too many layers. */
	r = cfg_expand_templates(c, cgroups, sizeof(cgroups) / sizeof(cgroups[0]), &x, &d);
	if (r == 0) {
		if (cfg_validate(x, &topo, CFG_VALIDATE_APPLY, &d) < 0)
			abort();
		cfg_free(x);
	} else if (r != -EINVAL) {
		abort();
	}
	free(ja);
	free(jb);
	free(jp);
	free(packed);
	cfg_free(b);
	cfg_free(p);
	cfg_diags_release(&d);
}

/* The same bytes as a protobuf request: bounded decode, then the validator and the printer. */
static void hostile_protobuf(const uint8_t *data, size_t size)
{
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;
	int r;

	r = pbconv_unpack(data, size, &c, &d);
	if (r == -ENOMEM)
		abort();
	if (r == 0) {
		if (cfg_validate(c, &topo, CFG_VALIDATE_APPLY, &d) < 0)
			abort();
		if (d.nr_errors == 0) {
			char *j = json_format_config(c);

			if (!j)
				abort();
			free(j);
		}
		cfg_free(c);
	}
	cfg_diags_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_posmap pm = { 0 };
	struct cfg_diags d = { 0 };
	struct json_problem *v;
	struct cfg *c = NULL;
	size_t nparse;
	int r;

	r = json_parse_config((const char *)data, size, &c, &d, &pm);
	if (r == -ENOMEM || (r != 0 && r != -EINVAL))
		abort();
	if (r == 0) {
		nparse = d.n;
		if (cfg_validate(c, &topo, 0, &d) < 0)
			abort();
		json_drop_shadowed(&d, nparse);
	}
	v = json_locate_problems(&d, &pm);
	if (!v)
		abort();
	/* Every problem of a document that parsed has a position in it. */
	for (size_t i = 0; i < d.n; i++)
		if (!v[i].have || v[i].line == 0 || v[i].col == 0)
			abort();
	free(v);
	if (r == 0 && d.nr_errors == 0) {
		check_size_bound(c, size);
		roundtrip(c);
	}
	cfg_free(c);
	cfg_diags_release(&d);
	json_posmap_release(&pm);
	hostile_protobuf(data, size);
	return 0;
}
