/* SPDX-License-Identifier: GPL-2.0-only */
/* scxctl start: attach the scheduler with the persisted config. */
#include "client/cmd.h"
#include "client/rpc_client.h"

int cmd_start(const struct ctl_globals *g, int argc, char **argv)
{
	return rpc_simple(g, argc, argv, SCXD__V1__REQUEST__BODY_START, "start", "scheduler attached");
}
