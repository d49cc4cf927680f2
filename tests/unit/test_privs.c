/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The capability drop (agent/privs.c), in a child process because it
 * cannot be undone: afterwards only the kept capabilities remain (in the
 * bounding set too, when we could drop it), and no_new_privs is set.
 */
#include <stdbool.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/capability.h>

#include "agent/privs.h"
#include "tests/runner.h"

/* Exit codes of the child: 0 all as expected, else the first check that failed. */
static int child_drop(const int *keep, size_t n)
{
	cap_flag_value_t v;
	char desc[256];
	cap_t caps;

	if (privs_drop(keep, n) < 0)
		return 10;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 11;
	caps = cap_get_proc();
	if (!caps)
		return 12;
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		bool want = false;

		for (size_t i = 0; i < n; i++)
			want |= keep[i] == c;
		if (cap_get_flag(caps, c, CAP_EFFECTIVE, &v) < 0 || (v == CAP_SET) != want)
			return 13;
		if (cap_get_flag(caps, c, CAP_PERMITTED, &v) < 0 || (v == CAP_SET) != want)
			return 14;
		if (cap_get_flag(caps, c, CAP_INHERITABLE, &v) < 0 || v == CAP_SET)
			return 15;
		/* Root could drop the bounding set: only the kept ones are left in it. */
		if (geteuid() == 0 && !want && CAP_IS_SUPPORTED(c) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 0)
			return 16;
	}
	cap_free(caps);
	privs_describe(desc, sizeof(desc));
	if (n == 0 && desc[0] != '=')
		return 17;
	return 0;
}

static int run_child(const int *keep, size_t n)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(child_drop(keep, n));
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_FATAL(waitpid(pid, &st, 0) == pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

static void test_drop_all(void)
{
	CU_ASSERT_EQUAL(run_child(NULL, 0), 0);
}

static void test_keep_bpf(void)
{
	static const int keep[] = { CAP_BPF, CAP_PERFMON };

	/* Only root has them to keep; others cannot gain them (an error, not a pretence). */
	int expect = geteuid() == 0 ? 0 : 10;

	CU_ASSERT_EQUAL(run_child(keep, 2), expect);
}

TEST_SUITE(privs)
{
	static const struct test_case tests[] = {
		{ "drop every capability, no_new_privs", test_drop_all },
		{ "keep CAP_BPF and CAP_PERFMON only", test_keep_bpf },
		{ NULL, NULL },
	};

	return test_add_suite("privs", tests);
}
