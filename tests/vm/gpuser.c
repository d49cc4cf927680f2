/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gpuser NAME SECONDS: a stand-in GPU application for the VM tier. It
 * names itself NAME and starts two threads: "caller" makes one call to
 * getppid(2) (the probe symbol the tests configure in place of a GPU
 * driver entry point) and one more each time the process gets SIGUSR1;
 * "sibling" never calls it. Every thread wakes every 20 ms (so that it is
 * matched again promptly). It prints "caller TID sibling TID" and exits
 * after SECONDS. It first forks: the parent (named "gpparent", printed as
 * "parent PID") only waits for it, waking every 20 ms, and never calls
 * getppid itself: a GPU process's parent must not become a GPU user.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t call_again = 1;
static double end_at;
static pid_t tids[2];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_usr1(int sig)
{
	(void)sig;
	call_again = 1;
}

static void nap(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void *run(void *arg)
{
	int caller = arg != NULL;

	tids[!caller] = (pid_t)syscall(SYS_gettid);
	while (now() < end_at) {
		if (caller && call_again) {
			call_again = 0;
			(void)syscall(SYS_getppid);
		}
		nap();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[2];
	sigset_t set;
	pid_t child;

	if (argc != 3) {
		fprintf(stderr, "usage: gpuser NAME SECONDS\n");
		return 2;
	}
	if (prctl(PR_SET_NAME, argv[1], 0, 0, 0) < 0) {
		perror("gpuser: prctl");
		return 1;
	}
	end_at = now() + atof(argv[2]);
	child = fork();
	if (child < 0) {
		perror("gpuser: fork");
		return 1;
	}
	if (child > 0) {
		int st;

		(void)prctl(PR_SET_NAME, "gpparent", 0, 0, 0);
		printf("parent %d\n", (int)getpid());
		fflush(stdout);
		while (waitpid(child, &st, WNOHANG) == 0)
			nap();
		return 0;
	}
	/* Only the caller thread takes SIGUSR1. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	signal(SIGUSR1, on_usr1);
	if (pthread_create(&t[0], NULL, run, (void *)1) || (pthread_sigmask(SIG_BLOCK, &set, NULL),
							     pthread_create(&t[1], NULL, run, NULL))) {
		fprintf(stderr, "gpuser: pthread_create failed\n");
		return 1;
	}
	while (!tids[0] || !tids[1])
		nap();
	printf("caller %d sibling %d\n", (int)tids[0], (int)tids[1]);
	fflush(stdout);
	while (now() < end_at)
		nap();
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	return 0;
}
