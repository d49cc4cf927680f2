/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/cmd.h"
#include "client/rpc_client.h"
#include "common/err.h"
#include "common/frame.h"

#define RPC_TIMEOUT_MS 30000

static int connect_agent(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "scxctl: %s: socket path too long\n", path);
		return -CTL_EXIT_USAGE;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "scxctl: socket: %s\n", strerror(errno));
		return -CTL_EXIT_FAILED;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	err = errno;
	close(fd);
	if (err == EACCES || err == EPERM) {
		struct stat st;
		struct group *g = stat(path, &st) == 0 ? getgrgid(st.st_gid) : NULL;

		fprintf(stderr, "scxctl: %s: permission denied: membership of group '%s' is needed (or root)\n", path,
			g ? g->gr_name : "scx");
		return -CTL_EXIT_DENIED;
	}
	if (err == ENOENT || err == ECONNREFUSED)
		fprintf(stderr, "scxctl: scxd is not running (%s: %s)\n", path,
			err == ENOENT ? "no such socket" : "nothing listens");
	else
		fprintf(stderr, "scxctl: %s: connect: %s\n", path, strerror(err));
	return -CTL_EXIT_UNREACHABLE;
}

int rpc_call(const char *socket_path, Scxd__V1__Request *req, Scxd__V1__Response **ret)
{
	struct pollfd p = { .events = POLLIN };
	uint8_t *out;
	void *buf = NULL;
	size_t len;
	int fd, r;

	req->version = SCXD__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_1;
	fd = connect_agent(socket_path);
	if (fd < 0)
		return -fd;
	len = scxd__v1__request__get_packed_size(req);
	out = malloc(len ? len : 1);
	if (!out) {
		close(fd);
		return CTL_EXIT_FAILED;
	}
	scxd__v1__request__pack(req, out);
	r = frame_send(fd, out, len);
	free(out);
	if (r < 0) {
		fprintf(stderr, "scxctl: send to scxd: %s\n", strerror(-r));
		close(fd);
		return r == -EMSGSIZE ? CTL_EXIT_FAILED : CTL_EXIT_UNREACHABLE;
	}
	p.fd = fd;
	r = poll(&p, 1, RPC_TIMEOUT_MS);
	if (r <= 0) {
		fprintf(stderr, "scxctl: scxd did not answer within %d s\n", RPC_TIMEOUT_MS / 1000);
		close(fd);
		return CTL_EXIT_UNREACHABLE;
	}
	r = frame_recv(fd, FRAME_MAX_SIZE, &buf, &len);
	close(fd);
	if (r < 0) {
		fprintf(stderr, "scxctl: no answer from scxd: %s\n", r == -ECONNRESET ? "connection closed" : strerror(-r));
		return CTL_EXIT_UNREACHABLE;
	}
	*ret = scxd__v1__response__unpack(NULL, len, buf);
	free(buf);
	if (!*ret) {
		fprintf(stderr, "scxctl: malformed answer from scxd\n");
		return CTL_EXIT_FAILED;
	}
	return 0;
}

int rpc_exit_code(const Scxd__V1__Response *resp, const char *what)
{
	if (resp->code == SCXD__V1__CODE__OK)
		return CTL_EXIT_OK;
	fprintf(stderr, "scxctl: %s: %s\n", what, resp->message && *resp->message ? resp->message : "failed");
	switch (resp->code) {
	case SCXD__V1__CODE__PERMISSION_DENIED:
		return CTL_EXIT_DENIED;
	case SCXD__V1__CODE__UNAVAILABLE:
		return CTL_EXIT_FAILED;
	default:
		return CTL_EXIT_FAILED;
	}
}
