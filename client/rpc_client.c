/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The client end of the control socket. The peer is trusted no more than
 * the agent trusts us: the response is size-checked before it is read and
 * its body case checked before it is used.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/jsonw.h"
#include "client/rpc_client.h"
#include "common/err.h"
#include "common/frame.h"

#define RPC_TIMEOUT_MS 30000

int ctl_report(const struct ctl_globals *g, int rc, const char *code, const char *what, const char *fmt, ...)
{
	char msg[1024];
	struct jw w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The agent's messages already name their method ("apply: ..."). */
	if (what && strncmp(msg, what, strlen(what)) == 0 && (msg[strlen(what)] == ':' || msg[strlen(what)] == ' '))
		what = NULL;
	fprintf(stderr, "scxctl: %s%s%s\n", what ? what : "", what ? ": " : "", msg);
	if (g->json) {
		jw_begin(&w, stdout);
		jw_obj(&w, NULL);
		jw_bool(&w, "ok", false);
		jw_obj(&w, "error");
		jw_str(&w, "code", code);
		jw_int(&w, "exit_code", rc);
		jw_str(&w, "command", g->command);
		jw_str(&w, "message", msg);
		jw_obj_end(&w);
		jw_obj_end(&w);
		jw_end(&w);
	}
	return rc;
}

/* Connect; on failure report whether the agent is down or the user lacks the group, and return -exit code. */
static int connect_agent(const struct ctl_globals *g)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = g->socket_path;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ctl_report(g, CTL_EXIT_USAGE, "USAGE", path, "socket path too long");
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -ctl_report(g, CTL_EXIT_FAILED, "INTERNAL", "socket", "%s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	err = errno;
	close(fd);
	if (err == EACCES || err == EPERM) {
		struct stat st;
		struct group *gr = NULL;
		char group[64] = "scx";

		/* The socket's own group is the one to join (the agent may run with --admin-group). */
		if (stat(path, &st) == 0) {
			gr = getgrgid(st.st_gid);
			if (gr)
				snprintf(group, sizeof(group), "%s", gr->gr_name);
			else
				snprintf(group, sizeof(group), "%u", (unsigned int)st.st_gid);
		}
		return -ctl_report(g, CTL_EXIT_DENIED, "PERMISSION_DENIED", path,
				   "permission denied: membership of group '%s' is needed (or root)", group);
	}
	if (err == ENOENT || err == ECONNREFUSED)
		return -ctl_report(g, CTL_EXIT_UNREACHABLE, "UNREACHABLE", NULL, "scxd is not running (%s: %s)", path,
				   err == ENOENT ? "no such socket" : "nothing listens");
	return -ctl_report(g, CTL_EXIT_UNREACHABLE, "UNREACHABLE", path, "connect: %s", strerror(err));
}

int rpc_roundtrip(const struct ctl_globals *g, Scxd__V1__Request *req, Scxd__V1__Response **ret)
{
	struct pollfd p = { .events = POLLIN };
	uint8_t *out;
	void *buf = NULL;
	size_t len;
	int fd, r;

	req->version = SCXD__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_1;
	len = scxd__v1__request__get_packed_size(req);
	if (len > FRAME_MAX_SIZE)
		return ctl_report(g, CTL_EXIT_FAILED, "INVALID_ARGUMENT", NULL,
				  "the request is %zu bytes, more than the agent accepts (%u)", len, FRAME_MAX_SIZE);
	fd = connect_agent(g);
	if (fd < 0)
		return -fd;
	out = malloc(len ? len : 1);
	if (!out) {
		close(fd);
		return ctl_report(g, CTL_EXIT_FAILED, "INTERNAL", NULL, "out of memory");
	}
	scxd__v1__request__pack(req, out);
	r = frame_send(fd, out, len);
	free(out);
	if (r < 0) {
		close(fd);
		return ctl_report(g, CTL_EXIT_UNREACHABLE, "UNREACHABLE", "send to scxd", "%s", strerror(-r));
	}
	p.fd = fd;
	do
		r = poll(&p, 1, RPC_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		close(fd);
		return ctl_report(g, CTL_EXIT_UNREACHABLE, "UNREACHABLE", NULL, "scxd did not answer within %d s",
				  RPC_TIMEOUT_MS / 1000);
	}
	r = frame_recv(fd, FRAME_MAX_SIZE, &buf, &len);
	close(fd);
	if (r < 0)
		return ctl_report(g, CTL_EXIT_UNREACHABLE, "UNREACHABLE", NULL, "no answer from scxd: %s",
				  r == -ECONNRESET ? "connection closed" : strerror(-r));
	*ret = scxd__v1__response__unpack(NULL, len, buf);
	free(buf);
	if (!*ret)
		return ctl_report(g, CTL_EXIT_FAILED, "INTERNAL", NULL, "malformed answer from scxd");
	return 0;
}

static const char *code_name(Scxd__V1__Code code)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&scxd__v1__code__descriptor, (int)code);

	return v ? v->name : "UNKNOWN";
}

int rpc_check(const struct ctl_globals *g, const Scxd__V1__Response *resp, Scxd__V1__Response__BodyCase want,
	      const char *what)
{
	const char *msg = resp->message && *resp->message ? resp->message : "failed";

	if (resp->code == SCXD__V1__CODE__PERMISSION_DENIED)
		return ctl_report(g, CTL_EXIT_DENIED, code_name(resp->code), what, "%s", msg);
	if (resp->code != SCXD__V1__CODE__OK)
		return ctl_report(g, CTL_EXIT_FAILED, code_name(resp->code), what, "%s", msg);
	if (want != SCXD__V1__RESPONSE__BODY__NOT_SET && resp->body_case != want)
		return ctl_report(g, CTL_EXIT_FAILED, "INTERNAL", what, "unexpected answer from scxd");
	return CTL_EXIT_OK;
}

int rpc_call(const struct ctl_globals *g, Scxd__V1__Request *req, Scxd__V1__Response__BodyCase want,
	     const char *what, Scxd__V1__Response **ret)
{
	Scxd__V1__Response *resp;
	int rc = rpc_roundtrip(g, req, &resp);

	if (rc)
		return rc;
	rc = rpc_check(g, resp, want, what);
	if (rc) {
		scxd__v1__response__free_unpacked(resp, NULL);
		return rc;
	}
	*ret = resp;
	return 0;
}

int rpc_simple(const struct ctl_globals *g, int argc, char **argv, Scxd__V1__Request__BodyCase body,
	       const char *what, const char *done)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__ConfirmRequest confirm = SCXD__V1__CONFIRM_REQUEST__INIT;
	Scxd__V1__StartRequest start = SCXD__V1__START_REQUEST__INIT;
	Scxd__V1__StopRequest stop = SCXD__V1__STOP_REQUEST__INIT;
	Scxd__V1__Response *resp;
	struct jw w;
	int rc;

	(void)argv;
	if (argc > 1)
		return ctl_report(g, CTL_EXIT_USAGE, "USAGE", what, "takes no arguments (usage: scxctl %s)", what);
	req.body_case = body;
	if (body == SCXD__V1__REQUEST__BODY_CONFIRM)
		req.confirm = &confirm;
	else if (body == SCXD__V1__REQUEST__BODY_START)
		req.start = &start;
	else
		req.stop = &stop;
	rc = rpc_call(g, &req, SCXD__V1__RESPONSE__BODY__NOT_SET, what, &resp);
	if (rc)
		return rc;
	if (g->json) {
		jw_begin(&w, stdout);
		jw_obj(&w, NULL);
		jw_bool(&w, "ok", true);
		jw_str(&w, "command", g->command);
		jw_str(&w, "message", done);
		jw_obj_end(&w);
		jw_end(&w);
	} else {
		printf("%s\n", done);
	}
	scxd__v1__response__free_unpacked(resp, NULL);
	return CTL_EXIT_OK;
}
