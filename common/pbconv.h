/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_PBCONV_H
#define SCX_COMMON_PBCONV_H

/*
 * Configuration model <-> protobuf (proto/config.proto). Only this module,
 * the agent's rpc and the client's rpc see protobuf-c types; the rest of
 * the code works on struct cfg.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "config.pb-c.h"

/*
 * Build the protobuf image of c. Returns 0 and a new message in *ret
 * (pbconv_pb_free()), or -ENOMEM.
 */
int pbconv_to_pb(const struct cfg *c, Scxd__V1__Config **ret);
void pbconv_pb_free(Scxd__V1__Config *pb);

/*
 * Build a model from a decoded message that nobody vouches for: counts and
 * string sizes are bounded before anything is copied (layers, OR blocks,
 * AND terms, node and LLC lists, symbols), each violation added to d with
 * its JSON path. Semantics are left to cfg_validate(). Returns 0 and
 * *ret_cfg (cfg_free()), -EINVAL (problems in d) or -ENOMEM.
 */
int pbconv_from_pb(const Scxd__V1__Config *pb, struct cfg **ret_cfg, struct cfg_diags *d);

/* How many bytes c packs to (protobuf-c sizes it without packing); 0 for ENOMEM. */
size_t pbconv_packed_size(const struct cfg *c);

/* Packed bytes <-> model, for persistence and tests. Same contracts. */
int pbconv_pack(const struct cfg *c, uint8_t **ret_buf, size_t *ret_len);
int pbconv_unpack(const uint8_t *buf, size_t len, struct cfg **ret_cfg, struct cfg_diags *d);

#endif
