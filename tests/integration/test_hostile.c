/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Clients that break the rules: oversize packets, garbage, truncated
 * protobuf, another protocol version, unknown methods and out-of-range
 * numbers, 200 idle connections, a client that sends and never reads.
 * After each, the agent must still answer others, and must not have
 * grown without bound.
 */
#include <poll.h>
#include <sys/resource.h>

#include "tests/integration/harness.h"

/* The agent's resident set size in KiB, from /proc. */
static long agent_rss_kib(void)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)h.pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void test_oversize(void)
{
	static uint8_t big[FRAME_MAX_SIZE + 4096];
	int fd, sndbuf = 4 << 20;
	Scxd__V1__Response *r;
	ssize_t n;

	h_start(false);
	fd = h_connect(h.sock);
	CU_ASSERT_FATAL(fd >= 0);
	/* A packet this large needs a send buffer above the default limit: root may force it. */
	CU_ASSERT_EQUAL_FATAL(setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)), 0);
	memset(big, 0x0a, sizeof(big));
	n = send(fd, big, sizeof(big), 0);
	CU_ASSERT_EQUAL_FATAL(n, (ssize_t)sizeof(big));
	r = h_reply(fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->code, SCXD__V1__CODE__INVALID_ARGUMENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->message, "larger than"));
	scxd__v1__response__free_unpacked(r, NULL);
	/* The same connection still works for a proper request. */
	{
		Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
		Scxd__V1__StatusRequest st = SCXD__V1__STATUS_REQUEST__INIT;
		uint8_t pkt[64];
		size_t len;

		req.version = 1;
		req.body_case = SCXD__V1__REQUEST__BODY_STATUS;
		req.status = &st;
		len = scxd__v1__request__pack(&req, pkt);
		CU_ASSERT_EQUAL(send(fd, pkt, len, 0), (ssize_t)len);
		r = h_reply(fd);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->code, SCXD__V1__CODE__OK);
		CU_ASSERT_EQUAL(r->body_case, SCXD__V1__RESPONSE__BODY_STATUS);
		scxd__v1__response__free_unpacked(r, NULL);
	}
	close(fd);
	/* Nothing was allocated for it: the agent stays far below the packet's size. */
	CU_ASSERT(agent_rss_kib() > 0 && agent_rss_kib() < 16 * 1024);
	CU_ASSERT(h_log_has("packet over 1048576 bytes refused"));
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	h_stop(SIGTERM);
}

static void test_malformed(void)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__StatusRequest st = SCXD__V1__STATUS_REQUEST__INIT;
	Scxd__V1__ExplainRequest ex = SCXD__V1__EXPLAIN_REQUEST__INIT;
	Scxd__V1__ApplyRequest ap = SCXD__V1__APPLY_REQUEST__INIT;
	Scxd__V1__Config cfg = SCXD__V1__CONFIG__INIT;
	/* Field 99 of Request, a length-delimited empty message: a body this agent does not know. */
	static const uint8_t unknown[] = { 0x08, 0x01, 0x9a, 0x06, 0x00 };
	uint8_t pkt[256];
	size_t len;

	h_start(false);
	/* Garbage. */
	CU_ASSERT_EQUAL(h_raw_code("\xff\xff\xff\xff garbage", 12), SCXD__V1__CODE__INVALID_ARGUMENT);
	/* A truncated protobuf. */
	req.version = 1;
	req.body_case = SCXD__V1__REQUEST__BODY_STATUS;
	req.status = &st;
	len = scxd__v1__request__pack(&req, pkt);
	CU_ASSERT_EQUAL(h_raw_code(pkt, len - 1), SCXD__V1__CODE__INVALID_ARGUMENT);
	CU_ASSERT_EQUAL(h_raw_code(pkt, len), SCXD__V1__CODE__OK);
	/* Another protocol version. */
	req.version = 7;
	CU_ASSERT_EQUAL(h_request_code(&req), SCXD__V1__CODE__FAILED_PRECONDITION);
	req.version = 0;
	CU_ASSERT_EQUAL(h_request_code(&req), SCXD__V1__CODE__FAILED_PRECONDITION);
	/* No body at all, or one this agent does not know. */
	req.version = 1;
	req.body_case = SCXD__V1__REQUEST__BODY__NOT_SET;
	CU_ASSERT_EQUAL(h_request_code(&req), SCXD__V1__CODE__INVALID_ARGUMENT);
	CU_ASSERT_EQUAL(h_raw_code(unknown, sizeof(unknown)), SCXD__V1__CODE__INVALID_ARGUMENT);
	/* Numbers out of range. */
	req.body_case = SCXD__V1__REQUEST__BODY_EXPLAIN;
	req.explain = &ex;
	ex.pid = -5;
	CU_ASSERT_EQUAL(h_request_code(&req), SCXD__V1__CODE__INVALID_ARGUMENT);
	req.body_case = SCXD__V1__REQUEST__BODY_APPLY;
	req.apply = &ap;
	CU_ASSERT_EQUAL(h_request_code(&req), SCXD__V1__CODE__INVALID_ARGUMENT);  /* no config */
	ap.config = &cfg;
	ap.confirm_secs = 100000;
	CU_ASSERT_EQUAL(h_request_code(&req), SCXD__V1__CODE__INVALID_ARGUMENT);
	ap.confirm_secs = 0;
	/* An empty config: refused by the validator (a config needs layers), nothing applied. */
	CU_ASSERT_EQUAL(h_request_code(&req), SCXD__V1__CODE__INVALID_ARGUMENT);
	CU_ASSERT_STRING_EQUAL(h_digest(), "");
	CU_ASSERT(h_log_has("refused: protocol version 7 is not supported"));
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	h_stop(SIGTERM);
}

static void test_idle_connections(void)
{
	int fds[200], open_fds = 0;
	char *p;

	h_start(false);
	for (int i = 0; i < 200; i++) {
		fds[i] = h_connect(h.sock);
		open_fds += fds[i] >= 0;
	}
	CU_ASSERT_EQUAL(open_fds, 200);
	/* A new client is served; the agent holds a bounded number of clients. */
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	CU_ASSERT_EQUAL(h_ctl("metrics"), 0);
	p = strstr(h.res.out, "\nscxd_clients ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(strtoul(p + 14, NULL, 10) <= 64);
	CU_ASSERT(h_log_has("closed to make room"));
	for (int i = 0; i < 200; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	h_stop(SIGTERM);
}

static void test_never_reads(void)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__TopologyRequest tq = SCXD__V1__TOPOLOGY_REQUEST__INIT;
	int fd, rcvbuf = 4096, eof = 0;
	uint8_t pkt[64], sink[65536];
	size_t len;

	h_start(false);
	fd = h_connect(h.sock);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
	req.version = 1;
	req.body_case = SCXD__V1__REQUEST__BODY_TOPOLOGY;
	req.topology = &tq;
	len = scxd__v1__request__pack(&req, pkt);
	CU_ASSERT_EQUAL(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	/* Requests, no reads: the replies fill our receive buffer, and the agent must drop us. */
	/*
	 * Unread replies are charged to the agent's send buffer; keep asking
	 * (bounded in count) until the agent gives up on us and the socket
	 * reports the peer gone.
	 */
	for (int i = 0; i < 20000; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		if (send(fd, pkt, len, MSG_NOSIGNAL) >= 0)
			continue;
		if (errno != EAGAIN)
			break;
		(void)poll(&pfd, 1, 10);
	}
	/* Meanwhile others are served. */
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	/* Reading now shows the replies that fitted, then the end: the agent closed us (bounded). */
	for (int i = 0; i < 100000 && !eof; i++) {
		ssize_t n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno == ECONNRESET))
			eof = 1;
		else if (n < 0 && errno == EAGAIN)
			usleep(1000);
	}
	CU_ASSERT_EQUAL(eof, 1);
	close(fd);
	CU_ASSERT(h_log_has("reply not sent"));
	CU_ASSERT_EQUAL(kill(h.pid, 0), 0);
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	h_stop(SIGTERM);
}

/* A flood of malformed packets: logged at a bounded rate, and the agent answers between them. */
static void test_flood(void)
{
	int fd;

	h_start(false);
	fd = h_connect(h.sock);
	CU_ASSERT_FATAL(fd >= 0);
	for (int i = 0; i < 500; i++) {
		Scxd__V1__Response *r;

		CU_ASSERT_EQUAL_FATAL(send(fd, "\xff\xff", 2, 0), 2);
		r = h_reply(fd);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->code, SCXD__V1__CODE__INVALID_ARGUMENT);
		scxd__v1__response__free_unpacked(r, NULL);
	}
	close(fd);
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	/* The count of what was not logged comes within a second or two. */
	for (int i = 0; i < 50 && !h_log_has("more client warnings suppressed"); i++)
		usleep(100000);
	CU_ASSERT(h_log_has("more client warnings suppressed"));
	h_stop(SIGTERM);
}

static void run_fresh(void (*fn)(void))
{
	CU_ASSERT_FATAL(h_setup() == 0);
	fn();
	CU_ASSERT(h_teardown() == 0);
}

/*
 * More concurrent clients than the agent's limit, each connecting,
 * asking and closing in a loop: clients that already hung up make room
 * before anyone is evicted, so every call is answered, and closing
 * clients inside one batch of events never touches freed memory (run it
 * under `make asan`).
 */
static void test_busy_at_limit(void)
{
	enum { PROCS = 80, CALLS = 25 };
	pid_t kids[PROCS];
	int failed = 0;

	h_start(false);
	for (int k = 0; k < PROCS; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
			Scxd__V1__StatusRequest st = SCXD__V1__STATUS_REQUEST__INIT;
			uint8_t buf[64];
			size_t len;
			int bad = 0;

			req.version = 1;
			req.body_case = SCXD__V1__REQUEST__BODY_STATUS;
			req.status = &st;
			len = scxd__v1__request__pack(&req, buf);
			for (int i = 0; i < CALLS; i++)
				bad += h_raw_code(buf, len) != SCXD__V1__CODE__OK;
			_exit(bad ? 1 : 0);
		}
	}
	for (int k = 0; k < PROCS; k++) {
		int st = 0;

		if (kids[k] < 0 || waitpid(kids[k], &st, 0) != kids[k] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	}
	CU_ASSERT_EQUAL(failed, 0);
	CU_ASSERT_EQUAL(kill(h.pid, 0), 0);
	CU_ASSERT_EQUAL(h_ctl("status"), 0);
	h_stop(SIGTERM);
}

#define FRESH(name)                    \
	static void fresh_##name(void) \
	{                              \
		run_fresh(name);       \
	}

FRESH(test_oversize)
FRESH(test_malformed)
FRESH(test_idle_connections)
FRESH(test_never_reads)
FRESH(test_flood)
FRESH(test_busy_at_limit)

TEST_SUITE(hostile)
{
	static const struct test_case tests[] = {
		{ "oversize packet: refused before allocation", fresh_test_oversize },
		{ "garbage, truncated, wrong version, unknown method, bad numbers", fresh_test_malformed },
		{ "200 idle connections", fresh_test_idle_connections },
		{ "a client that never reads is dropped", fresh_test_never_reads },
		{ "a flood of garbage: rate-limited log, answers continue", fresh_test_flood },
		{ "80 busy clients at a limit of 64: every call answered", fresh_test_busy_at_limit },
		{ NULL, NULL },
	};

	return test_add_suite("hostile", tests);
}
