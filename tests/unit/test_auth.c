/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who may call what: the role table of DESIGN.md section 5 and the
 * decision for every kind of peer and socket. Peer credentials over a
 * real socketpair come from the kernel.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "agent/auth.h"
#include "agent/request.h"
#include "scxd.pb-c.h"
#include "tests/runner.h"

static void test_role_table(void)
{
	static const struct {
		int body;
		const char *name;
		enum auth_role role;
	} table[] = {
		{ SCXD__V1__REQUEST__BODY_STATUS, "status", AUTH_READ },
		{ SCXD__V1__REQUEST__BODY_GET_CONFIG, "get-config", AUTH_READ },
		{ SCXD__V1__REQUEST__BODY_EXPLAIN, "explain", AUTH_READ },
		{ SCXD__V1__REQUEST__BODY_TOPOLOGY, "topology", AUTH_READ },
		{ SCXD__V1__REQUEST__BODY_METRICS, "metrics", AUTH_READ },
		{ SCXD__V1__REQUEST__BODY_AGENT_VERSION, "version", AUTH_READ },
		{ SCXD__V1__REQUEST__BODY_APPLY, "apply", AUTH_WRITE },
		{ SCXD__V1__REQUEST__BODY_CONFIRM, "confirm", AUTH_WRITE },
		{ SCXD__V1__REQUEST__BODY_START, "start", AUTH_WRITE },
		{ SCXD__V1__REQUEST__BODY_STOP, "stop", AUTH_WRITE },
	};
	size_t nr_bodies = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct request_method *m = request_method(table[i].body);

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_STRING_EQUAL(m->name, table[i].name);
		CU_ASSERT_EQUAL(m->role, table[i].role);
	}
	CU_ASSERT_PTR_NULL(request_method(SCXD__V1__REQUEST__BODY__NOT_SET));
	CU_ASSERT_PTR_NULL(request_method(999));
	/* Every body the protocol defines has a method: a new one cannot slip in without a role. */
	for (unsigned int f = 0; f < scxd__v1__request__descriptor.n_fields; f++)
		if (scxd__v1__request__descriptor.fields[f].quantifier_offset != 0) {
			CU_ASSERT_PTR_NOT_NULL(request_method((int)scxd__v1__request__descriptor.fields[f].id));
			nr_bodies++;
		}
	CU_ASSERT_EQUAL(nr_bodies, sizeof(table) / sizeof(table[0]));
}

static void test_decisions(void)
{
	struct auth_peer root = { .uid = 0, .gid = 0 };
	struct auth_peer member = { .uid = 1000, .gid = 1000, .groups = { 27, 990 }, .nr_groups = 2 };
	struct auth_peer primary = { .uid = 1001, .gid = 990 };
	struct auth_peer stranger = { .uid = 1002, .gid = 1002, .groups = { 27 }, .nr_groups = 1 };
	struct auth_peer overflow = { .uid = 1003, .gid = 1003, .nr_groups = -1 };
	const gid_t admin = 990;

	CU_ASSERT(auth_allowed(&root, admin, false, AUTH_WRITE));
	CU_ASSERT(auth_allowed(&member, admin, false, AUTH_WRITE));
	CU_ASSERT(auth_allowed(&primary, admin, false, AUTH_WRITE));
	CU_ASSERT_FALSE(auth_allowed(&stranger, admin, false, AUTH_WRITE));
	CU_ASSERT_FALSE(auth_allowed(&overflow, admin, false, AUTH_WRITE));
	CU_ASSERT(auth_allowed(&stranger, admin, false, AUTH_READ));
	/* The read-only socket refuses writes to everyone, root included. */
	CU_ASSERT_FALSE(auth_allowed(&root, admin, true, AUTH_WRITE));
	CU_ASSERT_FALSE(auth_allowed(&member, admin, true, AUTH_WRITE));
	CU_ASSERT(auth_allowed(&stranger, admin, true, AUTH_READ));
}

static void test_peer_from_kernel(void)
{
	struct auth_peer p;
	int sv[2];

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	CU_ASSERT_EQUAL(auth_peer_get(sv[0], &p), 0);
	CU_ASSERT_EQUAL(p.uid, geteuid());
	CU_ASSERT_EQUAL(p.gid, getegid());
	CU_ASSERT_EQUAL(p.pid, getpid());
	CU_ASSERT(p.nr_groups >= 0);
	close(sv[0]);
	close(sv[1]);
	/* Not a socket: an error, never a made-up peer. */
	CU_ASSERT(auth_peer_get(0 + 1000, &p) < 0);
}

TEST_SUITE(auth)
{
	static const struct test_case tests[] = {
		{ "role table", test_role_table },
		{ "decisions", test_decisions },
		{ "peer credentials from the kernel", test_peer_from_kernel },
		{ NULL, NULL },
	};

	return test_add_suite("auth", tests);
}
