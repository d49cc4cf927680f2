/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUnit runner shared by the unit and integration tiers. The suites of a
 * tier are listed in a generated header (one SUITE(name) per
 * tests/<tier>/test_<name>.c); each file defines int suite_<name>(void),
 * which adds its suite and returns 0, or -1 if CUnit failed.
 *
 *   runner [-v] [-s SUITE]   run every suite, or one; exit 1 on any failure;
 *                            -v shows the log of the code under test
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "common/log.h"
#include "tests/runner.h"

#define SUITE(name) int suite_##name(void);
#include SUITES_H
#undef SUITE

static const struct {
	const char *name;
	int (*add)(void);
} suites[] = {
#define SUITE(name) { #name, suite_##name },
#include SUITES_H
#undef SUITE
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	const char *only = NULL;
	unsigned int failures;
	int opt, n = 0;

	/* Code under test logs its warnings; -v shows them. */
	log_init(TIER, LOG_LEVEL_ERROR);
	while ((opt = getopt(argc, argv, "s:v")) != -1) {
		switch (opt) {
		case 's':
			only = optarg;
			break;
		case 'v':
			log_set_level(LOG_LEVEL_DEBUG);
			break;
		default:
			fprintf(stderr, "usage: %s [-v] [-s SUITE]\n", argv[0]);
			return 2;
		}
	}
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "%s: cannot initialise CUnit: %s\n", TIER, CU_get_error_msg());
		return 2;
	}
	for (size_t i = 0; suites[i].name; i++) {
		if (only && strcmp(only, suites[i].name) != 0)
			continue;
		if (suites[i].add() < 0) {
			fprintf(stderr, "%s: suite %s: %s\n", TIER, suites[i].name, CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "%s: no suite %s\n", TIER, only ? only : "at all");
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	printf("\n%s tier: %u suites, %u tests run, %u failed\n", TIER, CU_get_number_of_suites_run(),
	       CU_get_number_of_tests_run(), CU_get_number_of_tests_failed());
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
