/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_TESTS_PROC_H
#define SCX_TESTS_PROC_H

/*
 * Run a program to completion for a test: stdout and stderr captured
 * (each up to PROC_OUT_MAX bytes), a time limit after which the child is
 * killed (by its PID) and the run counts as failed.
 */
#include <stddef.h>

#define PROC_OUT_MAX 65536

struct proc_result {
	int status;      /* exit status, or 128 + signal, or -1 if it could not run */
	char out[PROC_OUT_MAX];
	char err[PROC_OUT_MAX];
};

/* argv[0] is the program path; stdin_text may be NULL. */
int proc_run(const char *const argv[], const char *stdin_text, unsigned int timeout_secs,
	     struct proc_result *res);

/* The path of a program the Makefile passes in the environment (SCXD, SCXCTL). */
const char *proc_env_path(const char *var);

#endif
