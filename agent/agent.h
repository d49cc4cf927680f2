/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_AGENT_H
#define SCX_AGENT_AGENT_H

/*
 * The one struct agent everything hangs off (STYLE.md 2.6), and the
 * operations the RPC methods call. One thread, one epoll loop.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "agent/auth.h"
#include "agent/backend.h"
#include "agent/irq.h"
#include "common/config.h"
#include "common/topology.h"

#define AGENT_CONFIG_FILE  "config.pb"
#define AGENT_PENDING_FILE "rollback.pb"   /* the config to go back to, while a confirm is pending */
#define AGENT_MAX_CLIENTS  64
#define AGENT_IDLE_SECS	   30
/* At the client limit, a client idle this long may be closed to make room for a new one. */
#define AGENT_EVICT_IDLE_MS 1000

enum agent_ep_type {
	EP_SIGNAL,
	EP_TIMER,
	EP_LISTENER,
	EP_CLIENT,
	EP_BACKEND,     /* the backend's event fd (ejections) */
};

/* What epoll hands back: the first member of every watched object. */
struct agent_ep {
	enum agent_ep_type type;
};

struct agent_listener {
	struct agent_ep ep;
	int fd;
	bool ro;
	const char *path;      /* unlinked at exit when we created it */
	bool owned;
};

struct agent_client {
	struct agent_ep ep;
	int fd;
	bool ro;
	struct auth_peer peer;
	time_t last_active;    /* CLOCK_MONOTONIC seconds */
	uint64_t last_ns;      /* the same in ns: which client is the longest idle */
	bool dead;             /* closed; freed after the current batch of events */
	struct agent_client *next;
};

/* Upper bounds (µs) of the request-duration histogram's buckets. */
#define AGENT_RPC_NR_BUCKETS 10
#define AGENT_RPC_BUCKETS_US { 10, 25, 50, 100, 250, 500, 1000, 2500, 10000, 100000 }

struct agent {
	/* from argv */
	const char *sysfs_root;
	const char *procfs_root;
	const char *state_dir;
	const char *runtime_dir;
	gid_t admin_gid;

	int epfd;
	int sigfd;
	int timerfd;
	unsigned int tick_ms;       /* the timer's period: the control loop's interval */
	time_t next_housekeeping;   /* CLOCK_MONOTONIC: confirm deadline, IRQs, idle clients */
	struct agent_ep sig_ep, timer_ep, backend_ep;
	struct agent_listener listeners[2];
	size_t nr_listeners;
	struct agent_client *clients;
	struct agent_client *dead;         /* closed clients, freed by rpc_free_dead() */
	bool accept_paused;                /* full of busy clients: new ones wait in the listen backlog */
	size_t nr_clients;
	/*
	 * How long requests took inside the agent (receive to reply sent),
	 * a Prometheus histogram: rpc_hist[i] counts requests up to
	 * AGENT_RPC_BUCKETS_US[i] µs, the last one the rest.
	 */
	uint64_t rpc_hist[AGENT_RPC_NR_BUCKETS + 1];
	double rpc_sum_us;
	/* Rate limit of per-client warnings (rpc.c). */
	time_t rl_sec;
	unsigned int rl_count, rl_suppressed;
	bool quit;

	struct topo *topo;
	const struct backend_ops *bops;
	struct backend *backend;

	/* The applied config (normalized), its packed form as persisted, who and when. */
	struct cfg *cfg;
	uint8_t *cfg_pb;
	size_t cfg_pb_len;
	char digest[65];
	time_t applied_at;
	uid_t applied_by;

	/* apply --confirm: what to go back to, until when, for which client. */
	bool pending;
	uint8_t *rollback_pb;       /* NULL: no config before */
	size_t rollback_len;
	time_t confirm_deadline;    /* CLOCK_REALTIME */

	/* Netdev IRQ balancing (option netdev_irq_balance). */
	bool irq_on;
	struct irq_balancer irq;
	unsigned int ticks;

	time_t started;             /* CLOCK_MONOTONIC */
	char caps[256];
};

/* Apply a packed, already bounded and validated config. Keeps it on success. */
int agent_apply_packed(struct agent *a, const uint8_t *pb, size_t len, uid_t by, bool *ret_live,
		       char *err, size_t errlen);
/* Detach the scheduler (start re-attaches the persisted config). */
int agent_stop(struct agent *a);
int agent_start(struct agent *a, char *err, size_t errlen);
/* Go back to the config before a pending --confirm apply. */
void agent_rollback(struct agent *a, const char *why);
/* Forget a pending rollback (confirm). */
int agent_confirm(struct agent *a);
/*
 * apply --confirm SECS: record the way back (the current config, or none)
 * and the deadline durably before the new config is applied.
 */
int agent_begin_confirm(struct agent *a, unsigned int secs);
/* At start: a rollback record left by the previous run is honoured. */
int agent_restore_pending(struct agent *a);
/*
 * Bring IRQ balancing in line with the running config: start it (the
 * option is on and the scheduler attached), stop it and restore the
 * originals, or re-apply it (ownership changed, drift). rescan also looks
 * for network devices that came or went.
 */
void agent_irq_sync(struct agent *a, bool rescan);
/* At exit: IRQs back to their original affinity. */
void agent_irq_stop(struct agent *a);

/* From the timer: roll back once the deadline has passed. */
void agent_check_confirm(struct agent *a);
/*
 * Set the timer to the running config's control-loop interval (options
 * interval, 0.1 s by default), or to 1 s while nothing is attached.
 */
void agent_timer_sync(struct agent *a);

/* Once a second: follow CPU hotplug (topology, backend, IRQ plan). */
void agent_check_hotplug(struct agent *a);

#endif
