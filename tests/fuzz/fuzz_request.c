/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the agent does with a packet before any effect: decode it as a
 * Request and, for apply, bound and validate the config. Whatever the
 * bytes, no crash and no leak; a config that decodes and validates must
 * pack again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/config.h"
#include "common/pbconv.h"
#include "scxd.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct cfg_topo topo = { .nr_cpus = 64, .nr_nodes = 2, .nr_llcs = 4 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Scxd__V1__Request *req = scxd__v1__request__unpack(NULL, size, data);
	struct cfg_diags d = { 0 };
	struct cfg *c = NULL;
	uint8_t *packed = NULL;
	size_t len;

	if (!req)
		return 0;
	if (req->body_case == SCXD__V1__REQUEST__BODY_APPLY && req->apply && req->apply->config) {
		int r = pbconv_from_pb(req->apply->config, &c, &d);

		if (r == -ENOMEM)
			abort();
		if (r == 0 && cfg_validate(c, &topo, CFG_VALIDATE_APPLY, &d) == 0) {
			if (pbconv_pack(c, &packed, &len) != 0)
				abort();
			cfg_normalize(c);
		}
	}
	free(packed);
	cfg_free(c);
	cfg_diags_release(&d);
	scxd__v1__request__free_unpacked(req, NULL);
	return 0;
}
