/* SPDX-License-Identifier: GPL-2.0-only */
/* scxctl stop: detach the scheduler (the kernel's default takes over) and restore IRQ affinities. */
#include "client/cmd.h"
#include "client/rpc_client.h"

int cmd_stop(const struct ctl_globals *g, int argc, char **argv)
{
	return rpc_simple(g, argc, argv, SCXD__V1__REQUEST__BODY_STOP, "stop", "scheduler detached");
}
