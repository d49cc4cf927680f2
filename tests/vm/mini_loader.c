/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mini_loader [-v]: attach bpf/minimal.bpf.c and hold it until SIGTERM or
 * SIGINT, then detach. A guest helper of the VM tier, linked static.
 *
 * Prints "attached" once the struct_ops link exists and, at the end, the
 * number of enqueues seen and the scheduler's exit kind (64, SCX_EXIT_UNREG,
 * after our own detach). libbpf's messages go to stderr, debug ones with -v.
 * Exit status: 0 after a detach on a signal; 1 when loading or attaching
 * fails; 2 when the kernel ejected the scheduler on its own (the exit kind
 * is printed).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "minimal.skel.h"

static bool verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int exit_kind(const struct minimal_bpf *skel)
{
	return __atomic_load_n(&skel->bss->exit_kind, __ATOMIC_RELAXED);
}

/*
 * Wait for SIGTERM/SIGINT (blocked in @set), watching for the kernel
 * ejecting the scheduler meanwhile. Returns true on a signal.
 */
static bool wait_signal(const sigset_t *set, const struct minimal_bpf *skel)
{
	const struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };

	while (!exit_kind(skel)) {
		if (sigtimedwait(set, NULL, &tick) > 0)
			return true;
		if (errno != EAGAIN && errno != EINTR)
			return false;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct minimal_bpf *skel;
	struct bpf_link *link;
	sigset_t set;
	int ret = 1;
	bool signalled;

	if (argc > 1 && strcmp(argv[1], "-v") == 0)
		verbose = true;
	libbpf_set_print(print_libbpf);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);

	skel = minimal_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "mini_loader: open and load: %s\n", strerror(errno));
		return 1;
	}
	link = bpf_map__attach_struct_ops(skel->maps.minimal_ops);
	if (!link) {
		fprintf(stderr, "mini_loader: attach struct_ops: %s\n", strerror(errno));
		goto out_destroy;
	}
	printf("attached\n");
	fflush(stdout);

	signalled = wait_signal(&set, skel);
	bpf_link__destroy(link);
	/* The kernel runs the exit callback as it disables the scheduler: wait for it, 2 s at most. */
	for (int i = 0; i < 200 && !exit_kind(skel); i++)
		usleep(10000);
	printf("%s: %llu enqueues, exit kind %d\n", signalled ? "detached" : "ejected",
	       (unsigned long long)skel->bss->nr_enqueued, exit_kind(skel));
	ret = signalled ? 0 : 2;
out_destroy:
	minimal_bpf__destroy(skel);
	return ret;
}
