/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Request validation (agent/request.c): what the agent accepts from a
 * packet before anything happens, and the apply config's checks against
 * the agent's machine.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/request.h"
#include "common/pbconv.h"
#include "tests/runner.h"

static Scxd__V1__Code decode(Scxd__V1__Request *req, char *msg, size_t len)
{
	uint8_t buf[4096];
	Scxd__V1__Request *got = NULL;
	size_t n = scxd__v1__request__get_packed_size(req);
	Scxd__V1__Code code;

	CU_ASSERT_FATAL(n <= sizeof(buf));
	scxd__v1__request__pack(req, buf);
	code = request_decode(buf, n, &got, msg, len);
	if (code == SCXD__V1__CODE__OK) {
		CU_ASSERT_PTR_NOT_NULL(got);
		CU_ASSERT_EQUAL(got->body_case, req->body_case);
		scxd__v1__request__free_unpacked(got, NULL);
	} else {
		CU_ASSERT(msg[0] != '\0');
	}
	return code;
}

static void test_decode(void)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__StatusRequest st = SCXD__V1__STATUS_REQUEST__INIT;
	Scxd__V1__ExplainRequest ex = SCXD__V1__EXPLAIN_REQUEST__INIT;
	Scxd__V1__ApplyRequest ap = SCXD__V1__APPLY_REQUEST__INIT;
	Scxd__V1__Config cfg = SCXD__V1__CONFIG__INIT;
	Scxd__V1__Request *got = (Scxd__V1__Request *)&req;
	char msg[256];

	req.version = 1;
	req.body_case = SCXD__V1__REQUEST__BODY_STATUS;
	req.status = &st;
	CU_ASSERT_EQUAL(decode(&req, msg, sizeof(msg)), SCXD__V1__CODE__OK);
	req.version = 2;
	CU_ASSERT_EQUAL(decode(&req, msg, sizeof(msg)), SCXD__V1__CODE__FAILED_PRECONDITION);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "protocol version 2"));
	req.version = 1;
	req.body_case = SCXD__V1__REQUEST__BODY__NOT_SET;
	CU_ASSERT_EQUAL(decode(&req, msg, sizeof(msg)), SCXD__V1__CODE__INVALID_ARGUMENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "unknown method"));
	req.body_case = SCXD__V1__REQUEST__BODY_EXPLAIN;
	req.explain = &ex;
	ex.pid = 0;
	CU_ASSERT_EQUAL(decode(&req, msg, sizeof(msg)), SCXD__V1__CODE__INVALID_ARGUMENT);
	ex.pid = -1;
	CU_ASSERT_EQUAL(decode(&req, msg, sizeof(msg)), SCXD__V1__CODE__INVALID_ARGUMENT);
	ex.pid = 1;
	CU_ASSERT_EQUAL(decode(&req, msg, sizeof(msg)), SCXD__V1__CODE__OK);
	req.body_case = SCXD__V1__REQUEST__BODY_APPLY;
	req.apply = &ap;
	CU_ASSERT_EQUAL(decode(&req, msg, sizeof(msg)), SCXD__V1__CODE__INVALID_ARGUMENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "no config"));
	ap.config = &cfg;
	CU_ASSERT_EQUAL(decode(&req, msg, sizeof(msg)), SCXD__V1__CODE__OK);
	ap.confirm_secs = REQUEST_CONFIRM_MAX_SECS;
	CU_ASSERT_EQUAL(decode(&req, msg, sizeof(msg)), SCXD__V1__CODE__OK);
	ap.confirm_secs = REQUEST_CONFIRM_MAX_SECS + 1;
	CU_ASSERT_EQUAL(decode(&req, msg, sizeof(msg)), SCXD__V1__CODE__INVALID_ARGUMENT);
	ap.confirm_secs = 10;
	ap.dry_run = true;
	CU_ASSERT_EQUAL(decode(&req, msg, sizeof(msg)), SCXD__V1__CODE__INVALID_ARGUMENT);
	/* Not a Request at all, an empty packet, a truncated one. */
	CU_ASSERT_EQUAL(request_decode((const uint8_t *)"\xff\xff\xff", 3, &got, msg, sizeof(msg)),
			SCXD__V1__CODE__INVALID_ARGUMENT);
	CU_ASSERT_EQUAL(request_decode((const uint8_t *)"\x08\x01\x52", 3, &got, msg, sizeof(msg)),
			SCXD__V1__CODE__INVALID_ARGUMENT);
	CU_ASSERT_EQUAL(request_decode((const uint8_t *)"", 0, &got, msg, sizeof(msg)),
			SCXD__V1__CODE__FAILED_PRECONDITION);
	/* On failure *ret is not touched. */
	CU_ASSERT_PTR_EQUAL(got, &req);
}

/* A config as the client builds it, through the real pbconv. */
static Scxd__V1__Config *pb_of(struct cfg *c)
{
	Scxd__V1__Config *pb = NULL;

	CU_ASSERT_EQUAL_FATAL(pbconv_to_pb(c, &pb), 0);
	return pb;
}

static struct cfg *one_layer(enum cfg_kind kind, int64_t numa)
{
	struct cfg *c = calloc(1, sizeof(*c));
	struct cfg_layer *l;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	cfg_options_init(&c->opts);
	c->layers = calloc(1, sizeof(*c->layers));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->layers);
	c->nr_layers = 1;
	l = &c->layers[0];
	cfg_layer_init(l);
	l->name = strdup("all");
	l->name_len = 3;
	l->kind = kind;
	l->ors = calloc(1, sizeof(*l->ors));
	CU_ASSERT_PTR_NOT_NULL_FATAL(l->ors);
	l->nr_ors = 1;
	if (numa >= 0) {
		l->ors[0].m = calloc(1, sizeof(*l->ors[0].m));
		CU_ASSERT_PTR_NOT_NULL_FATAL(l->ors[0].m);
		l->ors[0].n = 1;
		l->ors[0].m[0].kind = CFG_M_NUMA_NODE;
		l->ors[0].m[0].i = numa;
	}
	return c;
}

static void test_config(void)
{
	const struct cfg_topo topo = { .nr_cpus = 8, .nr_nodes = 2, .nr_llcs = 2 };
	struct cfg_diags d = { 0 };
	struct cfg *c = one_layer(CFG_KIND_OPEN, -1), *got = NULL;
	Scxd__V1__Config *pb = pb_of(c);

	CU_ASSERT_EQUAL(request_config(pb, &topo, &got, &d), 0);
	CU_ASSERT_PTR_NOT_NULL(got);
	CU_ASSERT_EQUAL(d.nr_errors, 0);
	cfg_free(got);
	got = NULL;
	cfg_diags_release(&d);
	pbconv_pb_free(pb);
	cfg_free(c);
	/* Valid anywhere but on this machine: node 5 of 2. */
	c = one_layer(CFG_KIND_OPEN, 5);
	pb = pb_of(c);
	CU_ASSERT_EQUAL(request_config(pb, &topo, &got, &d), -EINVAL);
	CU_ASSERT_PTR_NULL(got);
	CU_ASSERT(d.nr_errors >= 1);
	CU_ASSERT(d.n >= 1 && strncmp(d.v[0].path, "$", 1) == 0);
	cfg_diags_release(&d);
	pbconv_pb_free(pb);
	cfg_free(c);
	/* Counts past the limits are refused before anything is built. */
	{
		Scxd__V1__Config big = SCXD__V1__CONFIG__INIT;
		Scxd__V1__Layer *layers[64], l = SCXD__V1__LAYER__INIT;

		for (size_t i = 0; i < 64; i++)
			layers[i] = &l;
		big.layers = layers;
		big.n_layers = 64;
		CU_ASSERT_EQUAL(request_config(&big, &topo, &got, &d), -EINVAL);
		CU_ASSERT_PTR_NULL(got);
		CU_ASSERT(d.nr_errors >= 1);
		cfg_diags_release(&d);
	}
}

TEST_SUITE(request)
{
	static const struct test_case tests[] = {
		{ "decode: version, method, body, numbers", test_decode },
		{ "apply config: bounded, validated for this machine", test_config },
		{ NULL, NULL },
	};

	return test_add_suite("request", tests);
}
