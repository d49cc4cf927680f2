/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spinner NAME BUSY_MS PERIOD_MS SECONDS [NICE]: a task for the VM tier
 * that names itself NAME (prctl, so comm matchers see it), then for
 * SECONDS seconds runs BUSY_MS of every PERIOD_MS and sleeps the rest, so
 * that it wakes (and is matched again) often. With NICE, it changes its
 * own nice value to NICE after half a second (a weight change of a
 * running task). Bounded: it exits after SECONDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double busy, period, start, end, t;
	int reniced = argc < 6;
	volatile unsigned long spin = 0;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: spinner NAME BUSY_MS PERIOD_MS SECONDS [NICE]\n");
		return 2;
	}
	busy = atof(argv[2]) / 1000.0;
	period = atof(argv[3]) / 1000.0;
	start = now();
	end = start + atof(argv[4]);
	if (prctl(PR_SET_NAME, argv[1], 0, 0, 0) < 0) {
		perror("spinner: prctl");
		return 1;
	}
	while ((t = now()) < end) {
		struct timespec rest;
		double r;

		if (!reniced && t - start >= 0.5) {
			reniced = 1;
			if (setpriority(PRIO_PROCESS, 0, atoi(argv[5])) < 0) {
				perror("spinner: setpriority");
				return 1;
			}
		}
		while (now() - t < busy)
			spin++;
		r = period - busy;
		if (r > 0) {
			rest.tv_sec = (time_t)r;
			rest.tv_nsec = (long)((r - (double)rest.tv_sec) * 1e9);
			nanosleep(&rest, NULL);
		}
	}
	return 0;
}
