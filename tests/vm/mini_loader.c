/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mini_loader: attach bpf/minimal.bpf.c and hold it until SIGTERM/SIGINT.
 * Prints "attached" once the struct_ops link exists, and on exit the number
 * of enqueues seen and the scheduler's exit kind. libbpf's messages go to
 * stderr (debug ones with -v).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "minimal.skel.h"

static int verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct minimal_bpf *skel;
	struct bpf_link *link;
	sigset_t set;
	int sig, err;

	if (argc > 1 && strcmp(argv[1], "-v") == 0)
		verbose = 1;
	libbpf_set_print(print_libbpf);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);

	skel = minimal_bpf__open_and_load();
	if (!skel) {
		perror("mini_loader: open and load");
		return 1;
	}
	link = bpf_map__attach_struct_ops(skel->maps.minimal_ops);
	if (!link) {
		perror("mini_loader: attach struct_ops");
		minimal_bpf__destroy(skel);
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	err = sigwait(&set, &sig);
	bpf_link__destroy(link);
	/* The kernel runs the exit callback as it disables the scheduler: wait for it, 2 s at most. */
	for (int i = 0; i < 200 && !skel->bss->exit_kind; i++)
		usleep(10000);
	printf("detached: %llu enqueues, exit kind %d\n",
	       (unsigned long long)skel->bss->nr_enqueued, skel->bss->exit_kind);
	minimal_bpf__destroy(skel);
	return err ? 1 : 0;
}
