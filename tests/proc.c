/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/proc.h"

const char *proc_env_path(const char *var)
{
	const char *p = getenv(var);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int proc_run(const char *const argv[], const char *stdin_text, unsigned int timeout_secs,
	     struct proc_result *res)
{
	int in[2], out[2], err[2];
	size_t nout = 0, nerr = 0;
	double deadline;
	pid_t pid;
	int st;

	memset(res, 0, sizeof(*res));
	res->status = -1;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (stdin_text)
		(void)!write(in[1], stdin_text, strlen(stdin_text));
	close(in[1]);
	deadline = now() + timeout_secs;
	for (;;) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
		int left = (int)((deadline - now()) * 1000);

		if (left <= 0 || (p[0].fd < 0 && p[1].fd < 0))
			break;
		if (poll(p, 2, left) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			char *buf = i ? res->err : res->out;
			size_t *n = i ? &nerr : &nout;
			int *fd = i ? &err[0] : &out[0];
			ssize_t r;

			if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(*fd, buf + *n, PROC_OUT_MAX - 1 - *n);
			if (r <= 0) {
				close(*fd);
				*fd = -1;
				if (i)
					err[0] = -1;
				else
					out[0] = -1;
				continue;
			}
			*n += (size_t)r;
		}
		if (out[0] < 0 && err[0] < 0)
			break;
	}
	if (out[0] >= 0)
		close(out[0]);
	if (err[0] >= 0)
		close(err[0]);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fprintf(stderr, "%s: killed after %u s\n", argv[0], timeout_secs);
			res->status = -1;
			return -ETIMEDOUT;
		}
		usleep(10000);
	}
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}
