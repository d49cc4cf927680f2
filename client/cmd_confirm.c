/* SPDX-License-Identifier: GPL-2.0-only */
/* scxctl confirm: keep the config applied with apply --confirm. */
#include "client/cmd.h"
#include "client/rpc_client.h"

int cmd_confirm(const struct ctl_globals *g, int argc, char **argv)
{
	return rpc_simple(g, argc, argv, SCXD__V1__REQUEST__BODY_CONFIRM, "confirm",
			  "confirmed: the applied config stays");
}
