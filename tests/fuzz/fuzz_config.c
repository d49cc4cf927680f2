/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The config pipeline on arbitrary bytes: parse, validate, locate every
 * problem; whatever parses without errors must survive JSON -> model ->
 * JSON and model -> protobuf -> model unchanged.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_posmap pm = { 0 };
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL, *b = NULL, *p = NULL;
	struct json_problem *v;
	char *ja = NULL, *jb = NULL, *jp = NULL;
	uint8_t *packed = NULL;
	size_t plen, nparse;
	int r;

	r = json_parse_config((const char *)data, size, &c, &d, &pm);
	if (r == -ENOMEM)
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
	free(v);
	if (r == 0 && d.nr_errors == 0) {
		struct cfg_diags d2 = { 0 };

		ja = json_format_config(c);
		if (!ja || json_parse_config(ja, strlen(ja), &b, &d2, NULL) != 0 || d2.nr_errors)
			abort();
		jb = json_format_config(b);
		if (!jb || strcmp(ja, jb) != 0)
			abort();
		if (pbconv_pack(c, &packed, &plen) != 0 || pbconv_unpack(packed, plen, &p, &d2) != 0)
			abort();
		jp = json_format_config(p);
		if (!jp || strcmp(ja, jp) != 0)
			abort();
		cfg_diags_release(&d2);
	}
	free(ja);
	free(jb);
	free(jp);
	free(packed);
	cfg_free(c);
	cfg_free(b);
	cfg_free(p);
	cfg_diags_release(&d);
	json_posmap_release(&pm);
	return 0;
}
