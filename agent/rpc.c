/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket: listeners, clients, one request per packet.
 *
 * Invariants: the packet size is known before anything is allocated for
 * it (frame_recv), every client socket is non-blocking and a client whose
 * reply does not fit in its socket buffer is dropped, so no peer can stall
 * the loop; the peer's identity comes from the kernel at accept time; every
 * write method is checked against the role table and logged as an audit
 * line whatever its result.
 */
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "agent/agent.h"
#include "agent/persist.h"
#include "agent/request.h"
#include "agent/rpc.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/frame.h"
#include "common/log.h"
#include "common/pbconv.h"
#include "scxd.pb-c.h"

static time_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * Per-event warnings caused by peers are rate-limited: RPC_LOG_BURST a
 * second, then one line saying how many were suppressed.
 */
#define RPC_LOG_BURST 10

static bool ratelimit_ok(struct agent *a)
{
	time_t now = mono_now();

	if (now != a->rl_sec) {
		if (a->rl_suppressed)
			log_warn("%u more client warnings suppressed", a->rl_suppressed);
		a->rl_sec = now;
		a->rl_count = 0;
		a->rl_suppressed = 0;
	}
	if (a->rl_count < RPC_LOG_BURST) {
		a->rl_count++;
		return true;
	}
	a->rl_suppressed++;
	return false;
}

static int add_listener(struct agent *a, int fd, bool ro, const char *path, bool owned)
{
	struct agent_listener *l;
	struct epoll_event ev = { .events = EPOLLIN };

	if (a->nr_listeners == 2)
		return -E2BIG;
	l = &a->listeners[a->nr_listeners];
	l->ep.type = EP_LISTENER;
	l->fd = fd;
	l->ro = ro;
	l->path = path;
	l->owned = owned;
	ev.data.ptr = l;
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return negative_errno();
	a->nr_listeners++;
	return 0;
}

int rpc_listen_fd(struct agent *a, int fd, bool ro)
{
	int flags, r;

	/* What systemd hands over must be what scxctl speaks to. */
	r = sd_is_socket_unix(fd, SOCK_SEQPACKET, 1, NULL, 0);
	if (r < 0)
		return r;
	if (r == 0)
		return -EINVAL;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return negative_errno();
	return add_listener(a, fd, ro, NULL, false);
}

int rpc_listen(struct agent *a, const char *path, bool ro, const char *group)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t mode = ro ? 0666 : 0660;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error_errno(-ENAMETOOLONG, "socket %s: path too long", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_error_errno(negative_errno(), "socket %s: socket()", path);
	/* A socket file left by a previous run (nothing else listens there: we checked nothing, but bind would fail). */
	if (unlink(path) < 0 && errno != ENOENT) {
		r = log_error_errno(negative_errno(), "socket %s: remove stale socket", path);
		goto err;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = log_error_errno(negative_errno(), "socket %s: bind", path);
		goto err;
	}
	if (chown(path, 0, a->admin_gid) < 0 && geteuid() == 0) {
		r = log_error_errno(negative_errno(), "socket %s: chown to group %s", path, group);
		goto err_unlink;
	}
	if (chmod(path, mode) < 0) {
		r = log_error_errno(negative_errno(), "socket %s: chmod %o", path, mode);
		goto err_unlink;
	}
	if (listen(fd, 64) < 0) {
		r = log_error_errno(negative_errno(), "socket %s: listen", path);
		goto err_unlink;
	}
	r = add_listener(a, fd, ro, path, true);
	if (r < 0)
		goto err_unlink;
	log_info("listening on %s (%s, mode %o, group %s)", path, ro ? "read-only" : "read-write", mode,
		 group);
	return 0;
err_unlink:
	(void)unlink(path);
err:
	safe_close(&fd);
	return r;
}

void rpc_close_client(struct agent *a, struct agent_client *c)
{
	struct agent_client **pp;

	for (pp = &a->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	(void)epoll_ctl(a->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	safe_close(&c->fd);
	a->nr_clients--;
	c->dead = true;
	c->next = a->dead;
	a->dead = c;
}

void rpc_free_dead(struct agent *a)
{
	while (a->dead) {
		struct agent_client *c = a->dead;

		a->dead = c->next;
		free(c);
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * At the client limit, first close the clients that have hung up but
 * whose end of stream the loop has not read yet (a busy agent has a few):
 * they need no room, and evicting a live client instead would fail its
 * call.
 */
static void reap_hung_up(struct agent *a)
{
	struct pollfd pf[AGENT_MAX_CLIENTS];
	struct agent_client *cs[AGENT_MAX_CLIENTS], *c;
	size_t n = 0;

	for (c = a->clients; c && n < AGENT_MAX_CLIENTS; c = c->next, n++) {
		pf[n].fd = c->fd;
		pf[n].events = POLLRDHUP;
		pf[n].revents = 0;
		cs[n] = c;
	}
	if (poll(pf, n, 0) <= 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (pf[i].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			log_debug("client uid %u pid %d: hung up", (unsigned int)cs[i]->peer.uid, (int)cs[i]->peer.pid);
			rpc_close_client(a, cs[i]);
		}
}

/* Stop or resume watching the listeners (level-triggered: a full agent must not spin on them). */
static void listeners_watch(struct agent *a, bool on)
{
	for (size_t i = 0; i < a->nr_listeners; i++) {
		struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.ptr = &a->listeners[i] };

		if (epoll_ctl(a->epfd, EPOLL_CTL_MOD, a->listeners[i].fd, &ev) < 0)
			log_warn("listener %s: epoll: %s", a->listeners[i].path ? a->listeners[i].path : "(systemd)",
				 strerror(errno));
	}
	a->accept_paused = !on;
}

/*
 * Room for one more client? Clients that hung up go first; then the
 * longest idle one, if it has been idle AGENT_EVICT_IDLE_MS (so idle
 * peers cannot lock others out). Busy clients are never closed for a
 * newcomer: it waits in the listen backlog until one finishes.
 */
static bool make_room(struct agent *a)
{
	struct agent_client *old = a->clients;

	if (a->nr_clients < AGENT_MAX_CLIENTS)
		return true;
	reap_hung_up(a);
	if (a->nr_clients < AGENT_MAX_CLIENTS)
		return true;
	for (struct agent_client *o = a->clients; o; o = o->next)
		if (o->last_ns <= old->last_ns)
			old = o;
	if (!old || mono_ns() - old->last_ns < AGENT_EVICT_IDLE_MS * 1000000ULL)
		return false;
	log_warn("client uid %u pid %d: idle, closed to make room (%u clients connected)", (unsigned int)old->peer.uid,
		 (int)old->peer.pid, AGENT_MAX_CLIENTS);
	rpc_close_client(a, old);
	return true;
}

void rpc_accept(struct agent *a, struct agent_listener *l)
{
	/* A bounded batch per wake-up: a connect storm cannot keep the loop here. */
	for (int batch = 0; batch < AGENT_MAX_CLIENTS; batch++) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct agent_client *c;
		int fd, r;

		if (!make_room(a)) {
			if (!a->accept_paused)
				listeners_watch(a, false);
			return;
		}
		fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("accept: %s", strerror(errno));
			return;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			log_error("client refused: out of memory");
			safe_close(&fd);
			continue;
		}
		c->ep.type = EP_CLIENT;
		c->fd = fd;
		c->ro = l->ro;
		c->last_active = mono_now();
		c->last_ns = mono_ns();
		r = auth_peer_get(fd, &c->peer);
		if (r < 0) {
			log_warn("client refused: peer credentials: %s", strerror(-r));
			safe_close(&c->fd);
			free(c);
			continue;
		}
		ev.data.ptr = c;
		if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			log_warn("client uid %u: epoll: %s", (unsigned int)c->peer.uid, strerror(errno));
			safe_close(&c->fd);
			free(c);
			continue;
		}
		c->next = a->clients;
		a->clients = c;
		a->nr_clients++;
	}
}

void rpc_resume_accept(struct agent *a)
{
	if (!a->accept_paused)
		return;
	/* A client finished, or (housekeeping) an idle one may now be closed for a waiting one. */
	if (a->nr_clients < AGENT_MAX_CLIENTS || make_room(a))
		listeners_watch(a, true);
}

void rpc_reap_idle(struct agent *a)
{
	time_t now = mono_now();
	struct agent_client *c = a->clients, *next;

	/* A burst that ended: say how much of it was not logged. */
	if (a->rl_suppressed && now != a->rl_sec) {
		log_warn("%u more client warnings suppressed", a->rl_suppressed);
		a->rl_suppressed = 0;
	}

	for (; c; c = next) {
		next = c->next;
		if (now - c->last_active > AGENT_IDLE_SECS) {
			log_debug("client uid %u pid %d: idle for %d s, closed", (unsigned int)c->peer.uid,
				  (int)c->peer.pid, AGENT_IDLE_SECS);
			rpc_close_client(a, c);
		}
	}
}

/* ------------------------------------------------------------- methods */

/* Everything a reply may point at, freed after it is sent. */
struct reply {
	Scxd__V1__Response resp;
	char message[1024];
	union {
		Scxd__V1__StatusReply status;
		Scxd__V1__GetConfigReply get_config;
		Scxd__V1__ExplainReply explain;
		Scxd__V1__TopologyReply topology;
		Scxd__V1__MetricsReply metrics;
		Scxd__V1__VersionReply version;
		Scxd__V1__ApplyReply apply;
		Scxd__V1__Empty done;
	} u;
	void *owned[32];          /* freed after sending */
	size_t nr_owned;
	Scxd__V1__Config *unpacked; /* scxd__v1__config__free_unpacked() */
	struct cfg_diags diags;
	char texts[4][8192];
};

static void *own(struct reply *rp, void *p)
{
	if (p && rp->nr_owned < sizeof(rp->owned) / sizeof(rp->owned[0]))
		rp->owned[rp->nr_owned++] = p;
	return p;
}

static void fail(struct reply *rp, Scxd__V1__Code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct reply *rp, Scxd__V1__Code code, const char *fmt, ...)
{
	va_list ap;

	rp->resp.code = code;
	va_start(ap, fmt);
	vsnprintf(rp->message, sizeof(rp->message), fmt, ap);
	va_end(ap);
	rp->resp.message = rp->message;
}

static const char *kernel_state(struct agent *a, char *buf, size_t len)
{
	char path[512];

	if (fileio_path(path, sizeof(path), a->sysfs_root, "kernel/sched_ext/state") < 0 ||
	    fileio_read_small(path, buf, len) < 0)
		snprintf(buf, len, "absent");
	return buf;
}

static void status_irqs(struct agent *a, struct reply *rp, Scxd__V1__StatusReply *s)
{
	static const char *const states[] = { "pending", "applied", "refused", "no-cpus", "failed" };
	size_t n = a->irq.nr_irqs;
	Scxd__V1__IrqStatus *v, **vp;
	char *text;

	if (!n)
		return;
	v = own(rp, calloc(n, sizeof(*v)));
	vp = own(rp, calloc(n, sizeof(*vp)));
	text = own(rp, calloc(n, 3 * 128));
	if (!v || !vp || !text)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct irq_entry *e = &a->irq.irqs[i];
		char *cur = text + 3 * 128 * i, *want = cur + 128, *err = want + 128;

		scxd__v1__irq_status__init(&v[i]);
		v[i].irq = e->irq;
		v[i].dev = (char *)e->dev;
		v[i].node = e->node;
		if (cpumask_format_list(&e->current, cur, 128) < 0)
			snprintf(cur, 128, "(%u CPUs)", cpumask_weight(&e->current));
		if (cpumask_format_list(&e->wanted, want, 128) < 0)
			snprintf(want, 128, "(%u CPUs)", cpumask_weight(&e->wanted));
		snprintf(err, 128, "%s", e->err ? strerror(-e->err) : "");
		v[i].current = cur;
		v[i].wanted = want;
		v[i].error = err;
		v[i].state = (char *)((unsigned int)e->status < 5 ? states[e->status] : "?");
		v[i].drift = e->drift;
		vp[i] = &v[i];
	}
	s->irqs = vp;
	s->n_irqs = n;
}

static void do_status(struct agent *a, struct reply *rp)
{
	Scxd__V1__StatusReply *s = &rp->u.status;
	enum backend_state st;
	char reason[256];
	struct cpumask m;

	scxd__v1__status_reply__init(s);
	s->backend = (char *)a->bops->name;
	st = a->bops->state(a->backend, reason, sizeof(reason));
	if (st == BACKEND_FAILED)
		snprintf(rp->texts[0], sizeof(rp->texts[0]), "failed: %s", reason);
	else
		snprintf(rp->texts[0], sizeof(rp->texts[0]), "%s", st == BACKEND_ATTACHED ? "attached" : "detached");
	s->state = rp->texts[0];
	s->kernel_state = (char *)kernel_state(a, rp->texts[1], sizeof(rp->texts[1]));
	s->uptime_secs = (uint64_t)(mono_now() - a->started);
	s->config_digest = a->cfg ? a->digest : (char *)"";
	s->applied_at = a->cfg ? a->applied_at : 0;
	s->applied_by_uid = a->cfg ? (uint32_t)a->applied_by : 0;
	s->capabilities = a->caps;
	s->no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
	s->agent_version = (char *)SCX_VERSION;
	s->control_interval_ms = a->tick_ms;
	s->pending_confirm = a->pending;
	s->confirm_deadline = a->pending ? a->confirm_deadline : 0;
	if (a->cfg && a->cfg->nr_layers) {
		Scxd__V1__LayerStatus *ls = own(rp, calloc(a->cfg->nr_layers, sizeof(*ls)));
		Scxd__V1__LayerStatus **lp = own(rp, calloc(a->cfg->nr_layers, sizeof(*lp)));

		if (!ls || !lp)
			return;
		for (size_t i = 0; i < a->cfg->nr_layers; i++) {
			struct backend_layer_stats bs = { 0 };

			scxd__v1__layer_status__init(&ls[i]);
			ls[i].name = a->cfg->layers[i].name;
			ls[i].kind = (char *)cfg_kind_name(a->cfg->layers[i].kind);
			ls[i].nr_or_blocks = (uint32_t)a->cfg->layers[i].nr_ors;
			ls[i].cpus = (char *)"";
			if (a->bops->layer_stats(a->backend, i, &bs) == 0) {
				ls[i].nr_cpus = bs.nr_cpus;
				ls[i].nr_tasks = bs.nr_tasks;
				ls[i].util = bs.util;
				ls[i].load = bs.load;
				ls[i].target_cpus = bs.target;
				ls[i].has_counters = bs.has_counters;
				ls[i].joined = bs.joined;
				ls[i].enqueued = bs.enqueued;
				ls[i].direct = bs.direct;
				ls[i].preempted = bs.preempted;
				ls[i].fallback = bs.fallback;
				ls[i].yielded = bs.yielded;
			}
			if (a->bops->layer_cpus(a->backend, i, &m) == 0 && !cpumask_is_empty(&m))
				ls[i].cpus = own(rp, cpumask_format_list_alloc(&m));
			if (!ls[i].cpus)
				ls[i].cpus = (char *)"?";
			lp[i] = &ls[i];
		}
		s->layers = lp;
		s->n_layers = a->cfg->nr_layers;
	}
	if (a->bops->gpu_probes) {
		char (*lines)[128] = own(rp, calloc(CFG_MAX_GPU_SYMBOLS, 128));
		uint64_t calls = 0;
		size_t n = lines ? a->bops->gpu_probes(a->backend, lines, CFG_MAX_GPU_SYMBOLS, &calls) : 0;
		char **v = n ? own(rp, calloc(n, sizeof(*v))) : NULL;

		for (size_t i = 0; v && i < n && i < CFG_MAX_GPU_SYMBOLS; i++)
			v[i] = lines[i];
		s->gpu_probes = v;
		s->n_gpu_probes = v ? (n < CFG_MAX_GPU_SYMBOLS ? n : CFG_MAX_GPU_SYMBOLS) : 0;
		s->gpu_calls = calls;
	}
	s->irq_balancing = a->irq_on;
	if (a->irq_on) {
		s->irqbalance_running = a->irq.irqbalance_running;
		status_irqs(a, rp, s);
	}
	rp->resp.body_case = SCXD__V1__RESPONSE__BODY_STATUS;
	rp->resp.status = s;
}

static void do_get_config(struct agent *a, struct reply *rp)
{
	if (!a->cfg) {
		fail(rp, SCXD__V1__CODE__FAILED_PRECONDITION, "no config is applied");
		return;
	}
	/* The config as it was applied (not normalized): applying it again changes nothing. */
	rp->unpacked = scxd__v1__config__unpack(NULL, a->cfg_pb_len, a->cfg_pb);
	if (!rp->unpacked) {
		fail(rp, SCXD__V1__CODE__INTERNAL, "out of memory");
		return;
	}
	scxd__v1__get_config_reply__init(&rp->u.get_config);
	rp->u.get_config.config = rp->unpacked;
	rp->resp.body_case = SCXD__V1__RESPONSE__BODY_GET_CONFIG;
	rp->resp.get_config = &rp->u.get_config;
}

/* A matcher as the operator wrote it, in JSON: {"CommPrefix": "make"}. */
static void format_match(const struct cfg_match *m, char *buf, size_t len)
{
	const char *name = cfg_match_name(m->kind);
	size_t n;

	switch (cfg_match_arg(m->kind)) {
	case CFG_ARG_STRING:
		n = (size_t)snprintf(buf, len, "{\"%s\": \"", name);
		/* Printable ASCII as it is; the rest escaped (the validator made it UTF-8, but keep it simple). */
		for (size_t i = 0; i < m->len && n + 8 < len; i++) {
			unsigned char ch = (unsigned char)m->str[i];

			if (ch == '"' || ch == '\\')
				n += (size_t)snprintf(buf + n, len - n, "\\%c", ch);
			else if (ch < 0x20 || ch >= 0x7f)
				n += (size_t)snprintf(buf + n, len - n, "\\u%04x", ch);
			else
				buf[n++] = (char)ch;
		}
		if (n < len)
			snprintf(buf + n, len - n, "\"}");
		break;
	case CFG_ARG_BOOL:
		snprintf(buf, len, "{\"%s\": %s}", name, m->flag ? "true" : "false");
		break;
	case CFG_ARG_F64:
		snprintf(buf, len, "{\"%s\": %g}", name, m->f);
		break;
	case CFG_ARG_U64_PAIR:
	case CFG_ARG_U64_U32_PAIR:
		snprintf(buf, len, "{\"%s\": [%" PRIu64 ", %" PRIu64 "]}", name, m->a, m->b);
		break;
	default:
		snprintf(buf, len, "{\"%s\": %" PRId64 "}", name, m->i);
		break;
	}
}

static void do_explain(struct agent *a, const Scxd__V1__ExplainRequest *req, struct reply *rp)
{
	Scxd__V1__ExplainReply *er = &rp->u.explain;
	size_t layer = 0, or_idx = 0;
	bool have_or = false;
	int r;

	rp->texts[0][0] = '\0';
	if (a->bops->match) {
		r = a->bops->match(a->backend, req->pid, &layer, &or_idx);
		have_or = r == 0;
		if (r == 0) {
			size_t ignored;

			/* The backend's details (run time, GPU membership) go to why. */
			rp->texts[1][0] = '\0';
			if (a->bops->explain(a->backend, req->pid, &ignored, rp->texts[1], sizeof(rp->texts[1])) < 0)
				rp->texts[1][0] = '\0';
		}
		if (r == -EOPNOTSUPP)
			snprintf(rp->texts[0], sizeof(rp->texts[0]), "the %s backend cannot tell", a->bops->name);
	} else {
		r = a->bops->explain(a->backend, req->pid, &layer, rp->texts[0], sizeof(rp->texts[0]));
	}
	if (r == -EOPNOTSUPP) {
		fail(rp, SCXD__V1__CODE__UNAVAILABLE, "explain: %s", rp->texts[0]);
		return;
	}
	if (r == -ENODATA) {
		fail(rp, SCXD__V1__CODE__FAILED_PRECONDITION, "explain: the scheduler is not attached");
		return;
	}
	if (r < 0) {
		fail(rp, r == -ESRCH ? SCXD__V1__CODE__INVALID_ARGUMENT : SCXD__V1__CODE__FAILED_PRECONDITION,
		     "explain %d: %s", req->pid, r == -ESRCH ? "no such task" : strerror(-r));
		return;
	}
	scxd__v1__explain_reply__init(er);
	er->pid = req->pid;
	er->layer_index = (uint32_t)layer;
	er->layer = a->cfg && layer < a->cfg->nr_layers ? a->cfg->layers[layer].name : (char *)"?";
	er->why = rp->texts[0];
	if (have_or && a->cfg && layer < a->cfg->nr_layers && or_idx < a->cfg->layers[layer].nr_ors) {
		const struct cfg_and *and = &a->cfg->layers[layer].ors[or_idx];
		size_t n = and->n, at = 0;
		char **terms = own(rp, calloc(n ? n : 1, sizeof(*terms)));
		char *text = own(rp, calloc(n ? n : 1, 512));

		if (terms && text) {
			for (size_t k = 0; k < n; k++) {
				format_match(&and->m[k], text + 512 * k, 512);
				terms[k] = text + 512 * k;
				at += (size_t)snprintf(rp->texts[0] + at, at < sizeof(rp->texts[0]) ? sizeof(rp->texts[0]) - at : 0,
						       "%s%s", k ? " AND " : "", terms[k]);
			}
			er->and_terms = terms;
			er->n_and_terms = n;
		}
		if (!n)
			snprintf(rp->texts[0], sizeof(rp->texts[0]), "matched OR block %zu (empty: matches every task)",
				 or_idx + 1);
		er->or_block = (uint32_t)(or_idx + 1);
		/* The backend's details, when it has some, say more than the terms (which and_terms has). */
		if (rp->texts[1][0])
			er->why = rp->texts[1];
	}
	rp->resp.body_case = SCXD__V1__RESPONSE__BODY_EXPLAIN;
	rp->resp.explain = er;
}

/* NICs and their IRQs: the balancer's view when it runs, else a fresh look. */
static void topology_nics(struct agent *a, struct reply *rp, Scxd__V1__TopologyReply *t)
{
	struct irq_entry *irqs = NULL;
	struct irq_nic *nics = NULL;
	size_t nr_nics = 0, nr_irqs = 0;
	Scxd__V1__NicInfo *v, **vp;
	uint32_t *ids;

	if (a->irq_on) {
		nics = a->irq.nics;
		nr_nics = a->irq.nr_nics;
		irqs = a->irq.irqs;
		nr_irqs = a->irq.nr_irqs;
	} else if (irq_discover(a->sysfs_root, &nics, &nr_nics, &irqs, &nr_irqs) == 0) {
		own(rp, nics);
		own(rp, irqs);
	}
	if (!nr_nics)
		return;
	v = own(rp, calloc(nr_nics, sizeof(*v)));
	vp = own(rp, calloc(nr_nics, sizeof(*vp)));
	ids = own(rp, calloc(nr_irqs ? nr_irqs : 1, sizeof(*ids)));
	if (!v || !vp || !ids)
		return;
	for (size_t i = 0, k = 0; i < nr_nics; i++) {
		scxd__v1__nic_info__init(&v[i]);
		v[i].name = nics[i].name;
		v[i].node = nics[i].node;
		v[i].legacy = nics[i].legacy;
		v[i].irqs = ids + k;
		for (size_t j = 0; j < nr_irqs; j++)
			if (strcmp(irqs[j].dev, nics[i].name) == 0)
				ids[k++] = irqs[j].irq;
		v[i].n_irqs = (size_t)(ids + k - v[i].irqs);
		vp[i] = &v[i];
	}
	t->nics = vp;
	t->n_nics = nr_nics;
}

/* Each core's CPUs (SMT siblings); nothing when memory runs out (the rest of the reply stands). */
static void topology_cores(struct reply *rp, const struct topo *tp, Scxd__V1__TopologyReply *t)
{
	char **cores = own(rp, calloc(tp->nr_cores ? tp->nr_cores : 1, sizeof(*cores)));
	char *text = own(rp, calloc(tp->nr_cores ? tp->nr_cores : 1, 64));

	if (!cores || !text)
		return;
	for (unsigned int i = 0; i < tp->nr_cores; i++) {
		cores[i] = text + 64 * i;
		if (cpumask_format_list(&tp->cores[i].cpus, cores[i], 64) < 0)
			snprintf(cores[i], 64, "(%u CPUs)", cpumask_weight(&tp->cores[i].cpus));
	}
	t->cores = cores;
	t->n_cores = tp->nr_cores;
}

static void do_topology(struct agent *a, struct reply *rp)
{
	Scxd__V1__TopologyReply *t = &rp->u.topology;
	const struct topo *tp = a->topo;
	Scxd__V1__NodeInfo *nodes, **np;
	char **llcs;
	char *text;

	scxd__v1__topology_reply__init(t);
	t->nr_cpus = tp->nr_cpus;
	t->nr_nodes = tp->nr_nodes;
	t->nr_llcs = tp->nr_llcs;
	t->smt = tp->smt;
	cpumask_format_list(&tp->online, rp->texts[0], sizeof(rp->texts[0]));
	t->online = rp->texts[0];
	cpumask_format_list(&tp->isolated, rp->texts[1], sizeof(rp->texts[1]));
	t->isolated = rp->texts[1];
	cpumask_format_list(&tp->nohz_full, rp->texts[2], sizeof(rp->texts[2]));
	t->nohz_full = rp->texts[2];
	nodes = own(rp, calloc(tp->nr_nodes, sizeof(*nodes)));
	np = own(rp, calloc(tp->nr_nodes, sizeof(*np)));
	llcs = own(rp, calloc(tp->nr_llcs ? tp->nr_llcs : 1, sizeof(*llcs)));
	/* CPU lists of nodes and LLCs share one buffer of 128 bytes each (more is cut). */
	text = own(rp, calloc((size_t)(tp->nr_nodes + tp->nr_llcs) + 1, 128));
	if (!nodes || !np || !llcs || !text) {
		fail(rp, SCXD__V1__CODE__INTERNAL, "out of memory");
		return;
	}
	for (unsigned int i = 0; i < tp->nr_nodes; i++) {
		scxd__v1__node_info__init(&nodes[i]);
		nodes[i].id = tp->nodes[i].id;
		if (cpumask_format_list(&tp->nodes[i].cpus, text + 128 * i, 128) < 0)
			snprintf(text + 128 * i, 128, "(%u CPUs)", cpumask_weight(&tp->nodes[i].cpus));
		nodes[i].cpus = text + 128 * i;
		nodes[i].mem_bytes = tp->nodes[i].mem_bytes;
		nodes[i].distances = tp->nodes[i].distance;
		nodes[i].n_distances = tp->nr_nodes;
		np[i] = &nodes[i];
	}
	for (unsigned int i = 0; i < tp->nr_llcs; i++) {
		char *s = text + 128 * (tp->nr_nodes + i);

		if (cpumask_format_list(&tp->llcs[i].cpus, s, 128) < 0)
			snprintf(s, 128, "(%u CPUs)", cpumask_weight(&tp->llcs[i].cpus));
		llcs[i] = s;
	}
	t->nodes = np;
	t->n_nodes = tp->nr_nodes;
	t->llcs = llcs;
	t->n_llcs = tp->nr_llcs;
	topology_cores(rp, tp, t);
	topology_nics(a, rp, t);
	rp->resp.body_case = SCXD__V1__RESPONSE__BODY_TOPOLOGY;
	rp->resp.topology = t;
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void put_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One per-layer family: name{layer="...",kind="..."} value for each layer. */
static void layer_family(FILE *f, struct agent *a, const char *name, const char *help,
			 const struct backend_layer_stats *bs, size_t field)
{
	family(f, name, "gauge", help);
	for (size_t i = 0; i < a->cfg->nr_layers; i++) {
		double v;

		switch (field) {
		case 0:
			v = bs[i].nr_cpus;
			break;
		case 1:
			v = bs[i].target;
			break;
		case 2:
			v = bs[i].util;
			break;
		case 3:
			v = bs[i].load;
			break;
		default:
			v = bs[i].nr_tasks;
			break;
		}
		fprintf(f, "%s{layer=\"", name);
		put_label(f, a->cfg->layers[i].name);
		fprintf(f, "\",kind=\"%s\"} %.6g\n", cfg_kind_name(a->cfg->layers[i].kind), v);
	}
}

/* scxd_layer_events_total{layer,kind,event}: the BPF counters, for backends that have them. */
static void layer_events(FILE *f, struct agent *a, const struct backend_layer_stats *bs)
{
	static const char *const names[] = { "joined", "enqueued", "direct", "preempted", "fallback", "yielded" };
	bool any = false;

	for (size_t i = 0; i < a->cfg->nr_layers; i++)
		any |= bs[i].has_counters;
	if (!any)
		return;
	family(f, "scxd_layer_events_total", "counter", "Scheduling events of a layer since the scheduler attached.");
	for (size_t i = 0; i < a->cfg->nr_layers; i++) {
		const uint64_t v[] = { bs[i].joined, bs[i].enqueued, bs[i].direct, bs[i].preempted, bs[i].fallback,
				       bs[i].yielded };

		if (!bs[i].has_counters)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
			fprintf(f, "scxd_layer_events_total{layer=\"");
			put_label(f, a->cfg->layers[i].name);
			fprintf(f, "\",kind=\"%s\",event=\"%s\"} %llu\n", cfg_kind_name(a->cfg->layers[i].kind), names[k],
				(unsigned long long)v[k]);
		}
	}
}

/* The Prometheus text exposition format (version 0.0.4) of what status shows. */
static void do_metrics(struct agent *a, struct reply *rp)
{
	static const char *const irq_states[] = { "pending", "applied", "refused", "no-cpus", "failed" };
	enum backend_state st = a->bops->state(a->backend, NULL, 0);
	struct backend_layer_stats *bs = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f) {
		fail(rp, SCXD__V1__CODE__INTERNAL, "metrics: out of memory");
		return;
	}
	family(f, "scxd_info", "gauge", "The agent's version and backend.");
	fprintf(f, "scxd_info{version=\"%s\",backend=\"%s\"} 1\n", SCX_VERSION, a->bops->name);
	family(f, "scxd_up", "gauge", "The agent answers.");
	fprintf(f, "scxd_up 1\n");
	family(f, "scxd_attached", "gauge", "The scheduler is attached (1), or not (0).");
	fprintf(f, "scxd_attached{backend=\"%s\"} %d\n", a->bops->name, st == BACKEND_ATTACHED);
	family(f, "scxd_failed", "gauge", "The kernel ejected the scheduler and the agent gave up re-attaching.");
	fprintf(f, "scxd_failed %d\n", st == BACKEND_FAILED);
	family(f, "scxd_uptime_seconds", "counter", "Seconds since the agent started.");
	fprintf(f, "scxd_uptime_seconds %lld\n", (long long)(mono_now() - a->started));
	family(f, "scxd_config_applied_timestamp_seconds", "gauge", "When the running config was applied (0: none).");
	fprintf(f, "scxd_config_applied_timestamp_seconds %lld\n", a->cfg ? (long long)a->applied_at : 0LL);
	family(f, "scxd_confirm_pending", "gauge", "A config applied with --confirm waits for scxctl confirm.");
	fprintf(f, "scxd_confirm_pending %d\n", a->pending);
	family(f, "scxd_clients", "gauge", "Connected control clients.");
	fprintf(f, "scxd_clients %zu\n", a->nr_clients);
	if (a->cfg && a->cfg->nr_layers) {
		bs = calloc(a->cfg->nr_layers, sizeof(*bs));
		for (size_t i = 0; bs && i < a->cfg->nr_layers; i++)
			(void)a->bops->layer_stats(a->backend, i, &bs[i]);
	}
	if (bs) {
		layer_family(f, a, "scxd_layer_cpus", "CPUs a layer owns.", bs, 0);
		layer_family(f, a, "scxd_layer_target_cpus", "The control loop's CPU target of a layer.", bs, 1);
		layer_family(f, a, "scxd_layer_util_cpus", "A layer's decayed utilization, in CPUs.", bs, 2);
		layer_family(f, a, "scxd_layer_load_cpus", "A layer's decayed demand incl. queueing, in CPUs.", bs, 3);
		/* The sim backend schedules no task: no count rather than a made-up 0. */
		if (strcmp(a->bops->name, "sim") != 0)
			layer_family(f, a, "scxd_layer_tasks", "Tasks in a layer.", bs, 4);
		layer_events(f, a, bs);
		free(bs);
	}
	{
		static const double bounds[] = AGENT_RPC_BUCKETS_US;
		uint64_t cum = 0;

		family(f, "scxd_rpc_duration_seconds", "histogram",
		       "Time requests took inside the agent, from receiving them to sending the reply.");
		for (size_t i = 0; i < AGENT_RPC_NR_BUCKETS; i++) {
			cum += a->rpc_hist[i];
			fprintf(f, "scxd_rpc_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds[i] / 1e6,
				(unsigned long long)cum);
		}
		cum += a->rpc_hist[AGENT_RPC_NR_BUCKETS];
		fprintf(f, "scxd_rpc_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
		fprintf(f, "scxd_rpc_duration_seconds_sum %.6f\nscxd_rpc_duration_seconds_count %llu\n",
			a->rpc_sum_us / 1e6, (unsigned long long)cum);
	}
	if (a->irq_on) {
		family(f, "scxd_irqs", "gauge", "Network-device IRQs balanced, by state.");
		for (size_t s = 0; s < ARRAY_SIZE(irq_states); s++) {
			size_t n = 0;

			for (size_t i = 0; i < a->irq.nr_irqs; i++)
				n += (size_t)a->irq.irqs[i].status == s;
			fprintf(f, "scxd_irqs{state=\"%s\"} %zu\n", irq_states[s], n);
		}
	}
	if (fclose(f) != 0 || !buf) {
		free(buf);
		fail(rp, SCXD__V1__CODE__INTERNAL, "metrics: out of memory");
		return;
	}
	scxd__v1__metrics_reply__init(&rp->u.metrics);
	rp->u.metrics.text = own(rp, buf);
	rp->resp.body_case = SCXD__V1__RESPONSE__BODY_METRICS;
	rp->resp.metrics = &rp->u.metrics;
}

/* Problems of a refused apply go back to the client with their paths. */
static void attach_problems(struct reply *rp, Scxd__V1__ApplyReply *ar)
{
	Scxd__V1__Problem *pv, **pp;

	if (!rp->diags.n)
		return;
	pv = own(rp, calloc(rp->diags.n, sizeof(*pv)));
	pp = own(rp, calloc(rp->diags.n, sizeof(*pp)));
	if (!pv || !pp)
		return;
	for (size_t i = 0; i < rp->diags.n; i++) {
		scxd__v1__problem__init(&pv[i]);
		pv[i].warning = rp->diags.v[i].severity == CFG_WARNING;
		pv[i].path = rp->diags.v[i].path;
		pv[i].message = rp->diags.v[i].msg;
		pp[i] = &pv[i];
	}
	ar->problems = pp;
	ar->n_problems = rp->diags.n;
}

static void do_apply(struct agent *a, struct agent_client *c, const Scxd__V1__ApplyRequest *req,
		     struct reply *rp, const char **ret_digest)
{
	struct cfg_topo topo = { a->topo->nr_cpus, a->topo->nr_nodes, a->topo->nr_llcs };
	Scxd__V1__ApplyReply *ar = &rp->u.apply;
	struct cfg *c_new = NULL;
	uint8_t *packed = NULL;
	size_t len;
	bool live = false;
	int r;

	scxd__v1__apply_reply__init(ar);
	rp->resp.body_case = SCXD__V1__RESPONSE__BODY_APPLY;
	rp->resp.apply = ar;
	/* request_decode() checked the body, the config's presence and the window. */
	r = request_config(req->config, &topo, &c_new, &rp->diags);
	if (r != 0) {
		attach_problems(rp, ar);
		fail(rp, r == -ENOMEM ? SCXD__V1__CODE__INTERNAL : SCXD__V1__CODE__INVALID_ARGUMENT,
		     "apply: the config is invalid for this machine (%zu problems)", rp->diags.nr_errors);
		goto out;
	}
	attach_problems(rp, ar);
	r = pbconv_pack(c_new, &packed, &len);
	if (r < 0) {
		fail(rp, SCXD__V1__CODE__INTERNAL, "apply: out of memory");
		goto out;
	}
	persist_digest(packed, len, rp->texts[0]);
	ar->digest = rp->texts[0];
	*ret_digest = rp->texts[0];
	if (req->dry_run) {
		ar->dry_run = true;
		snprintf(rp->message, sizeof(rp->message), "valid for this machine (dry run, nothing applied)");
		rp->resp.message = rp->message;
		goto out;
	}
	if (a->pending) {
		fail(rp, SCXD__V1__CODE__FAILED_PRECONDITION,
		     "apply: a config applied with --confirm is waiting: run `scxctl confirm` or let it roll back first");
		goto out;
	}
	if (req->confirm_secs) {
		/* What to go back to is on disk before anything changes. */
		r = agent_begin_confirm(a, req->confirm_secs);
		if (r < 0) {
			fail(rp, SCXD__V1__CODE__FAILED_PRECONDITION, "apply: cannot record the rollback in %s: %s",
			     a->state_dir, strerror(-r));
			goto out;
		}
	}
	r = agent_apply_packed(a, packed, len, c->peer.uid, &live, rp->texts[1], sizeof(rp->texts[1]));
	if (r < 0) {
		if (req->confirm_secs)
			(void)persist_remove(a->state_dir, AGENT_PENDING_FILE);
		fail(rp, SCXD__V1__CODE__FAILED_PRECONDITION, "apply: %s", rp->texts[1]);
		goto out;
	}
	ar->live = live;
	if (req->confirm_secs) {
		a->pending = true;
		snprintf(rp->message, sizeof(rp->message), "applied; rolls back in %u s unless confirmed",
			 req->confirm_secs);
		rp->resp.message = rp->message;
	}
out:
	free(packed);
	cfg_free(c_new);
}

static void dispatch(struct agent *a, struct agent_client *c, const Scxd__V1__Request *req, struct reply *rp)
{
	const struct request_method *m = request_method(req->body_case);
	const char *digest = "-";
	int r;

	if (!auth_allowed(&c->peer, a->admin_gid, c->ro, m->role)) {
		log_warn("audit: uid=%u gid=%u pid=%d method=%s result=denied%s", (unsigned int)c->peer.uid,
			 (unsigned int)c->peer.gid, (int)c->peer.pid, m->name, c->ro ? " (read-only socket)" : "");
		fail(rp, SCXD__V1__CODE__PERMISSION_DENIED, "%s needs root or membership of the admin group%s", m->name,
		     c->ro ? ", and the read-write socket" : "");
		return;
	}
	switch (req->body_case) {
	case SCXD__V1__REQUEST__BODY_STATUS:
		do_status(a, rp);
		break;
	case SCXD__V1__REQUEST__BODY_GET_CONFIG:
		do_get_config(a, rp);
		break;
	case SCXD__V1__REQUEST__BODY_EXPLAIN:
		do_explain(a, req->explain, rp);
		break;
	case SCXD__V1__REQUEST__BODY_TOPOLOGY:
		do_topology(a, rp);
		break;
	case SCXD__V1__REQUEST__BODY_METRICS:
		do_metrics(a, rp);
		break;
	case SCXD__V1__REQUEST__BODY_AGENT_VERSION:
		scxd__v1__version_reply__init(&rp->u.version);
		rp->u.version.version = (char *)SCX_VERSION;
		rp->u.version.protocol = SCXD__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_1;
		rp->resp.body_case = SCXD__V1__RESPONSE__BODY_AGENT_VERSION;
		rp->resp.agent_version = &rp->u.version;
		break;
	case SCXD__V1__REQUEST__BODY_APPLY:
		do_apply(a, c, req->apply, rp, &digest);
		break;
	case SCXD__V1__REQUEST__BODY_CONFIRM:
		r = agent_confirm(a);
		if (r < 0)
			fail(rp, SCXD__V1__CODE__FAILED_PRECONDITION, "confirm: nothing is waiting for confirmation");
		digest = a->cfg ? a->digest : "-";
		break;
	case SCXD__V1__REQUEST__BODY_START:
		r = agent_start(a, rp->texts[0], sizeof(rp->texts[0]));
		if (r < 0)
			fail(rp, SCXD__V1__CODE__FAILED_PRECONDITION, "start: %s", rp->texts[0]);
		digest = a->cfg ? a->digest : "-";
		break;
	case SCXD__V1__REQUEST__BODY_STOP:
		r = agent_stop(a);
		if (r < 0)
			fail(rp, SCXD__V1__CODE__FAILED_PRECONDITION, "stop: %s", strerror(-r));
		break;
	default:
		break;
	}
	/* A reply is never an empty packet (which reads as end of stream). */
	if (rp->resp.body_case == SCXD__V1__RESPONSE__BODY__NOT_SET) {
		scxd__v1__empty__init(&rp->u.done);
		rp->resp.body_case = SCXD__V1__RESPONSE__BODY_DONE;
		rp->resp.done = &rp->u.done;
	}
	if (m->role == AUTH_WRITE)
		log_info("audit: uid=%u gid=%u pid=%d method=%s result=%s digest=%s%s%s", (unsigned int)c->peer.uid,
			 (unsigned int)c->peer.gid, (int)c->peer.pid, m->name,
			 rp->resp.code == SCXD__V1__CODE__OK ? "ok" : "failed", digest,
			 rp->resp.code == SCXD__V1__CODE__OK ? "" : ": ",
			 rp->resp.code == SCXD__V1__CODE__OK ? "" : rp->message);
}

static double mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void account_duration(struct agent *a, double us)
{
	static const double bounds[] = AGENT_RPC_BUCKETS_US;
	size_t i = 0;

	while (i < AGENT_RPC_NR_BUCKETS && us > bounds[i])
		i++;
	a->rpc_hist[i]++;
	a->rpc_sum_us += us;
}

void rpc_handle(struct agent *a, struct agent_client *c)
{
	Scxd__V1__Request *req;
	double t0;
	struct reply *rp;
	uint8_t *out = NULL;
	void *buf = NULL;
	size_t len;
	int r;

	r = frame_recv(c->fd, FRAME_MAX_SIZE, &buf, &len);
	if (r == -EAGAIN)
		return;
	t0 = mono_us();
	c->last_active = mono_now();
	c->last_ns = mono_ns();
	if (r == -ECONNRESET) {
		log_debug("client uid %u pid %d: closed", (unsigned int)c->peer.uid, (int)c->peer.pid);
		rpc_close_client(a, c);
		return;
	}
	rp = calloc(1, sizeof(*rp));
	if (!rp) {
		free(buf);
		rpc_close_client(a, c);
		return;
	}
	scxd__v1__response__init(&rp->resp);
	rp->resp.message = (char *)"";
	if (r == -EMSGSIZE) {
		if (ratelimit_ok(a))
			log_warn("client uid %u pid %d: packet over %u bytes refused", (unsigned int)c->peer.uid,
				 (int)c->peer.pid, FRAME_MAX_SIZE);
		fail(rp, SCXD__V1__CODE__INVALID_ARGUMENT, "request larger than %u bytes", FRAME_MAX_SIZE);
	} else if (r < 0) {
		if (ratelimit_ok(a))
			log_warn("client uid %u pid %d: receive: %s, closed", (unsigned int)c->peer.uid, (int)c->peer.pid,
				 strerror(-r));
		free(rp);
		rpc_close_client(a, c);
		return;
	} else {
		Scxd__V1__Code code = request_decode(buf, len, &req, rp->message, sizeof(rp->message));

		if (code != SCXD__V1__CODE__OK) {
			if (ratelimit_ok(a))
				log_warn("client uid %u pid %d: refused: %s", (unsigned int)c->peer.uid, (int)c->peer.pid,
					 rp->message);
			rp->resp.code = code;
			rp->resp.message = rp->message;
		} else {
			dispatch(a, c, req, rp);
			scxd__v1__request__free_unpacked(req, NULL);
		}
	}
	free(buf);
	if (!rp->resp.message[0] && rp->resp.code == SCXD__V1__CODE__OK &&
	    rp->resp.body_case == SCXD__V1__RESPONSE__BODY__NOT_SET)
		rp->resp.message = (char *)"ok";
	len = scxd__v1__response__get_packed_size(&rp->resp);
	out = malloc(len ? len : 1);
	if (out) {
		scxd__v1__response__pack(&rp->resp, out);
		r = frame_send(c->fd, out, len);
	} else {
		r = -ENOMEM;
	}
	free(out);
	for (size_t i = 0; i < rp->nr_owned; i++)
		free(rp->owned[i]);
	if (rp->unpacked)
		scxd__v1__config__free_unpacked(rp->unpacked, NULL);
	cfg_diags_release(&rp->diags);
	free(rp);
	account_duration(a, mono_us() - t0);
	if (r < 0) {
		/* Never wait for a client: one that does not read is dropped. */
		if (ratelimit_ok(a))
			log_warn("client uid %u pid %d: reply not sent (%s), closed", (unsigned int)c->peer.uid,
				 (int)c->peer.pid, strerror(-r));
		rpc_close_client(a, c);
	}
}
