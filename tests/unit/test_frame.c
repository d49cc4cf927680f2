/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/frame.h"
#include "tests/runner.h"

static int pair[2] = { -1, -1 };

static void open_pair(void)
{
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == 0);
}

static void close_pair(void)
{
	for (int i = 0; i < 2; i++) {
		if (pair[i] >= 0)
			close(pair[i]);
		pair[i] = -1;
	}
}

static void test_roundtrip(void)
{
	const char msg[] = "hello packet";
	void *buf = NULL;
	size_t len = 0;

	open_pair();
	CU_ASSERT_EQUAL(frame_send(pair[0], msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL_FATAL(frame_recv(pair[1], 64, &buf, &len), 0);
	CU_ASSERT_EQUAL(len, sizeof(msg));
	CU_ASSERT(memcmp(buf, msg, sizeof(msg)) == 0);
	free(buf);
	close_pair();
}

/* An oversized packet is dropped whole and the next one still arrives intact. */
static void test_oversize_dropped(void)
{
	char big[4096], small[] = "next";
	void *buf = NULL;
	size_t len = 0;

	memset(big, 'x', sizeof(big));
	open_pair();
	CU_ASSERT_EQUAL(frame_send(pair[0], big, sizeof(big)), 0);
	CU_ASSERT_EQUAL(frame_send(pair[0], small, sizeof(small)), 0);
	CU_ASSERT_EQUAL(frame_recv(pair[1], 1024, &buf, &len), -EMSGSIZE);
	CU_ASSERT_PTR_NULL(buf);
	CU_ASSERT_EQUAL_FATAL(frame_recv(pair[1], 1024, &buf, &len), 0);
	CU_ASSERT_EQUAL(len, sizeof(small));
	CU_ASSERT_STRING_EQUAL((char *)buf, "next");
	free(buf);
	close_pair();
}

static void test_eof_and_empty(void)
{
	void *buf = NULL;
	size_t len = 0;

	open_pair();
	/* An empty packet is not a message. */
	CU_ASSERT_EQUAL(send(pair[0], "", 0, 0), 0);
	CU_ASSERT_EQUAL(frame_recv(pair[1], 64, &buf, &len), -ECONNRESET);
	close(pair[0]);
	pair[0] = -1;
	CU_ASSERT_EQUAL(frame_recv(pair[1], 64, &buf, &len), -ECONNRESET);
	CU_ASSERT_PTR_NULL(buf);
	close_pair();
}

static void test_nonblocking_empty_queue(void)
{
	void *buf = NULL;
	size_t len = 0;
	int r;

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) == 0);
	r = frame_recv(pair[1], 64, &buf, &len);
	CU_ASSERT_EQUAL(r, -EAGAIN);
	close_pair();
}

static void test_send_limit(void)
{
	open_pair();
	/* Refused before any syscall: the buffer is never read. */
	CU_ASSERT_EQUAL(frame_send(pair[0], "", FRAME_MAX_SIZE + 1), -EMSGSIZE);
	close_pair();
}

TEST_SUITE(frame)
{
	static const struct test_case tests[] = {
		{ "roundtrip", test_roundtrip },
		{ "oversize packet dropped, next intact", test_oversize_dropped },
		{ "eof and empty packet", test_eof_and_empty },
		{ "nonblocking empty queue", test_nonblocking_empty_queue },
		{ "send limit", test_send_limit },
		{ NULL, NULL },
	};

	return test_add_suite("frame", tests);
}
