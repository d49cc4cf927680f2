/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the agent does with a packet before any effect, exactly as it does
 * it: request_decode() (unpack, version, method, body, numbers) and, for
 * apply, request_config() (bounded conversion, then the validator against
 * a machine). Whatever the bytes: no crash, no leak, no undefined
 * behaviour; an accepted request names a known method; an accepted config
 * packs again, normalizes, and decodes to a config that validates again.
 *
 * agent/request.c is compiled into this target directly (fuzz.mk builds
 * targets from common/ and client/ only; request.c needs nothing else).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "agent/request.c"
#include "common/config.h"
#include "common/pbconv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct cfg_topo topo = { .nr_cpus = 64, .nr_nodes = 2, .nr_llcs = 4 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Scxd__V1__Request *req = NULL;
	struct cfg_diags d = { 0 }, d2 = { 0 };
	struct cfg *c = NULL, *again = NULL;
	uint8_t *packed = NULL;
	char msg[1024];
	size_t len;
	int r;

	if (request_decode(data, size, &req, msg, sizeof(msg)) != SCXD__V1__CODE__OK)
		return 0;
	if (!request_method(req->body_case))
		abort();
	if (req->body_case == SCXD__V1__REQUEST__BODY_APPLY) {
		r = request_config(req->apply->config, &topo, &c, &d);
		if (r == -ENOMEM)
			abort();
		if (r == 0) {
			if (pbconv_pack(c, &packed, &len) != 0)
				abort();
			cfg_normalize(c);
			/* What the agent persists is what it restores. */
			if (pbconv_unpack(packed, len, &again, &d2) != 0 ||
			    cfg_validate(again, &topo, CFG_VALIDATE_APPLY, &d2) != 0)
				abort();
		}
	}
	free(packed);
	cfg_free(again);
	cfg_free(c);
	cfg_diags_release(&d);
	cfg_diags_release(&d2);
	scxd__v1__request__free_unpacked(req, NULL);
	return 0;
}
