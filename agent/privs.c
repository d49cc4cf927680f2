/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/prctl.h>

#include <sys/capability.h>

#include "agent/privs.h"
#include "common/err.h"

static bool kept(const int *keep, size_t n, int cap)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == cap)
			return true;
	return false;
}

int privs_drop(const int *keep, size_t n)
{
	cap_value_t values[64];
	int nv = 0, r = 0;
	cap_t caps;

	/* The bounding set first: dropping it needs CAP_SETPCAP, which goes next. */
	if (CAP_IS_SUPPORTED(CAP_SETPCAP)) {
		cap_flag_value_t v = CAP_CLEAR;

		caps = cap_get_proc();
		if (caps && cap_get_flag(caps, CAP_SETPCAP, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET)
			for (int c = 0; c <= CAP_LAST_CAP; c++)
				if (!kept(keep, n, c) && CAP_IS_SUPPORTED(c) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
					r = negative_errno();
					break;
				}
		cap_free(caps);
		if (r < 0)
			return r;
	}
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	caps = cap_init();
	if (!caps)
		return -ENOMEM;
	for (size_t i = 0; i < n && nv < 64; i++)
		values[nv++] = keep[i];
	if (nv && (cap_set_flag(caps, CAP_PERMITTED, nv, values, CAP_SET) < 0 ||
		   cap_set_flag(caps, CAP_EFFECTIVE, nv, values, CAP_SET) < 0))
		r = negative_errno();
	if (r == 0 && cap_set_proc(caps) < 0)
		r = negative_errno();
	cap_free(caps);
	if (r < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return negative_errno();
	return 0;
}

void privs_describe(char *buf, size_t len)
{
	cap_t caps = cap_get_proc();
	char *text = caps ? cap_to_text(caps, NULL) : NULL;

	snprintf(buf, len, "%s", text ? text : "?");
	cap_free(text);
	cap_free(caps);
}
