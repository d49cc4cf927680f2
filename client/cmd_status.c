/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scxctl status [--watch [SECS]]: the scheduler's state, the backend, the
 * kernel's sched_ext state, the agent (uptime, capabilities), the config
 * (digest, when and by whom), a pending confirm, IRQ balancing, and a
 * table of layers. Tables fit 80 columns. With --watch the status is
 * shown again every SECS seconds (2 by default): redrawn on a terminal,
 * one JSON document per line with --json.
 */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/cmd.h"
#include "client/jsonw.h"
#include "client/rpc_client.h"
#include "client/table.h"
#include "common/err.h"
#include "common/parse.h"

#define STATUS_WIDTH 80

static void print_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t <= 0 || !localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
}

static void print_uptime(uint64_t s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%llu s", (unsigned long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%llu min", (unsigned long long)(s / 60));
	else if (s < 172800)
		snprintf(buf, len, "%llu h %llu min", (unsigned long long)(s / 3600), (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%llu days", (unsigned long long)(s / 86400));
}

static void status_json(const Scxd__V1__StatusReply *s)
{
	struct jw w;

	jw_begin(&w, stdout);
	jw_obj(&w, NULL);
	jw_str(&w, "backend", s->backend);
	jw_str(&w, "state", s->state);
	jw_str(&w, "kernel_state", s->kernel_state);
	jw_str(&w, "agent_version", s->agent_version);
	jw_uint(&w, "uptime_secs", s->uptime_secs);
	jw_str(&w, "capabilities", s->capabilities);
	jw_bool(&w, "no_new_privs", s->no_new_privs);
	jw_uint(&w, "control_interval_ms", s->control_interval_ms);
	jw_str(&w, "config_digest", s->config_digest);
	jw_int(&w, "applied_at", s->applied_at);
	jw_uint(&w, "applied_by_uid", s->applied_by_uid);
	jw_bool(&w, "pending_confirm", s->pending_confirm);
	jw_int(&w, "confirm_deadline", s->confirm_deadline);
	jw_arr(&w, "gpu_probes");
	for (size_t i = 0; i < s->n_gpu_probes; i++)
		jw_str(&w, NULL, s->gpu_probes[i]);
	jw_arr_end(&w);
	jw_uint(&w, "gpu_calls", s->gpu_calls);
	jw_bool(&w, "irq_balancing", s->irq_balancing);
	jw_bool(&w, "irqbalance_running", s->irqbalance_running);
	jw_arr(&w, "irqs");
	for (size_t i = 0; i < s->n_irqs; i++) {
		const Scxd__V1__IrqStatus *q = s->irqs[i];

		jw_obj(&w, NULL);
		jw_uint(&w, "irq", q->irq);
		jw_str(&w, "dev", q->dev);
		jw_int(&w, "node", q->node);
		jw_str(&w, "current", q->current);
		jw_str(&w, "wanted", q->wanted);
		jw_str(&w, "state", q->state);
		jw_str(&w, "error", q->error);
		jw_uint(&w, "drift", q->drift);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr(&w, "layers");
	for (size_t i = 0; i < s->n_layers; i++) {
		const Scxd__V1__LayerStatus *l = s->layers[i];

		jw_obj(&w, NULL);
		jw_str(&w, "name", l->name);
		jw_str(&w, "kind", l->kind);
		jw_uint(&w, "cpus", l->nr_cpus);
		jw_str(&w, "cpu_list", l->cpus);
		jw_uint(&w, "target_cpus", l->target_cpus);
		/* The sim backend schedules no task: it cannot count any. */
		if (strcmp(s->backend, "sim") == 0)
			jw_null(&w, "tasks");
		else
			jw_uint(&w, "tasks", l->nr_tasks);
		jw_double(&w, "util", l->util);
		jw_double(&w, "load", l->load);
		jw_uint(&w, "match_blocks", l->nr_or_blocks);
		if (l->has_counters) {
			jw_obj(&w, "events");
			jw_uint(&w, "joined", l->joined);
			jw_uint(&w, "enqueued", l->enqueued);
			jw_uint(&w, "direct", l->direct);
			jw_uint(&w, "preempted", l->preempted);
			jw_uint(&w, "fallback", l->fallback);
			jw_uint(&w, "yielded", l->yielded);
			jw_obj_end(&w);
		} else {
			jw_null(&w, "events");
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

/* The scheduler's per-layer event counters (since it attached), when the backend has them. */
static void status_counters(const Scxd__V1__StatusReply *s)
{
	static const struct tbl_col cols[] = {
		{ "#", true, 0 },      { "LAYER", false, 8 }, { "JOINED", true, 0 },   { "QUEUED", true, 0 },
		{ "DIRECT", true, 0 }, { "PREEMPT", true, 0 }, { "FALLBACK", true, 0 }, { "YIELD", true, 0 },
	};
	struct tbl *t;
	bool any = false;

	for (size_t i = 0; i < s->n_layers; i++)
		any |= s->layers[i]->has_counters;
	if (!any || !(t = tbl_new(cols, ARRAY_SIZE(cols))))
		return;
	for (size_t i = 0; i < s->n_layers; i++) {
		const Scxd__V1__LayerStatus *l = s->layers[i];

		if (!l->has_counters)
			continue;
		tbl_addf(t, "%zu", i);
		tbl_add(t, l->name);
		tbl_addf(t, "%llu", (unsigned long long)l->joined);
		tbl_addf(t, "%llu", (unsigned long long)l->enqueued);
		tbl_addf(t, "%llu", (unsigned long long)l->direct);
		tbl_addf(t, "%llu", (unsigned long long)l->preempted);
		tbl_addf(t, "%llu", (unsigned long long)l->fallback);
		tbl_addf(t, "%llu", (unsigned long long)l->yielded);
	}
	printf("\nevents since attach:\n");
	tbl_print(t, stdout, STATUS_WIDTH);
	tbl_free(t);
}

static void status_layers(const Scxd__V1__StatusReply *s)
{
	static const struct tbl_col cols[] = {
		{ "#", true, 0 },     { "LAYER", false, 8 }, { "KIND", false, 0 },  { "CPUS", true, 0 },
		{ "TGT", true, 0 },   { "UTIL", true, 0 },   { "LOAD", true, 0 },   { "TASKS", true, 0 },
		{ "CPU LIST", false, 8 },
	};
	bool sim = strcmp(s->backend, "sim") == 0;
	struct tbl *t = tbl_new(cols, ARRAY_SIZE(cols));

	if (!t)
		return;
	for (size_t i = 0; i < s->n_layers; i++) {
		const Scxd__V1__LayerStatus *l = s->layers[i];
		bool open = strcmp(l->kind, "Open") == 0;

		tbl_addf(t, "%zu", i);
		tbl_add(t, l->name);
		tbl_add(t, l->kind);
		tbl_addf(t, "%u", l->nr_cpus);
		if (open)
			tbl_add(t, "-");
		else
			tbl_addf(t, "%u", l->target_cpus);
		tbl_addf(t, "%.2f", l->util);
		if (l->load > 0)
			tbl_addf(t, "%.2f", l->load);
		else
			tbl_add(t, "-");
		if (sim)
			tbl_add(t, "-");
		else
			tbl_addf(t, "%u", l->nr_tasks);
		tbl_add(t, open ? "(open CPUs)" : l->cpus[0] ? l->cpus : "-");
	}
	printf("\n");
	tbl_print(t, stdout, STATUS_WIDTH);
	if (sim)
		printf("(sim: UTIL and LOAD are the synthetic load fed to the control loop)\n");
	tbl_free(t);
	status_counters(s);
}

static void status_irqs(const Scxd__V1__StatusReply *s)
{
	static const struct tbl_col cols[] = {
		{ "IRQ", true, 0 },   { "DEVICE", false, 6 }, { "NODE", true, 0 },  { "CURRENT", false, 7 },
		{ "WANTED", false, 7 }, { "STATE", false, 0 }, { "DRIFT", true, 0 }, { "ERROR", false, 5 },
	};
	struct tbl *t;

	printf("irqs:       netdev balancing on, %zu IRQs%s\n", s->n_irqs,
	       s->irqbalance_running ? "; WARNING: irqbalance is running and fights these settings" : "");
	if (!s->n_irqs)
		return;
	t = tbl_new(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; t && i < s->n_irqs; i++) {
		const Scxd__V1__IrqStatus *q = s->irqs[i];

		tbl_addf(t, "%u", q->irq);
		tbl_add(t, q->dev);
		if (q->node < 0)
			tbl_add(t, "-");
		else
			tbl_addf(t, "%d", q->node);
		tbl_add(t, q->current);
		tbl_add(t, q->wanted);
		tbl_add(t, q->state);
		tbl_addf(t, "%u", q->drift);
		tbl_add(t, q->error[0] ? q->error : "-");
	}
	if (t) {
		printf("\n");
		tbl_print(t, stdout, STATUS_WIDTH);
	}
	tbl_free(t);
}

static void status_text(const Scxd__V1__StatusReply *s)
{
	char at[64], until[64], up[64], who[64];
	struct passwd *pw;

	print_time(s->applied_at, at, sizeof(at));
	print_time(s->confirm_deadline, until, sizeof(until));
	print_uptime(s->uptime_secs, up, sizeof(up));
	printf("scheduler:  %s (backend %s%s)\n", s->state, s->backend,
	       strcmp(s->backend, "sim") == 0 ? ": simulated, sched_ext untouched" : "");
	printf("sched_ext:  %s\n", s->kernel_state);
	printf("agent:      scxd %s, up %s, capabilities '%s'%s\n", s->agent_version[0] ? s->agent_version : "?", up,
	       s->capabilities, s->no_new_privs ? ", no_new_privs" : "");
	if (s->config_digest[0]) {
		pw = getpwuid(s->applied_by_uid);
		snprintf(who, sizeof(who), "%s%s%s", pw ? " (" : "", pw ? pw->pw_name : "", pw ? ")" : "");
		printf("config:     %.12s applied %s by uid %u%s\n", s->config_digest, at, s->applied_by_uid, who);
	} else {
		printf("config:     none (scxctl apply FILE)\n");
	}
	if (s->control_interval_ms && strncmp(s->state, "attached", 8) == 0)
		printf("control:    every %u ms\n", s->control_interval_ms);
	if (s->pending_confirm)
		printf("confirm:    pending, rolls back at %s unless `scxctl confirm`\n", until);
	if (s->n_gpu_probes) {
		printf("gpu:        %llu driver calls seen; probes:", (unsigned long long)s->gpu_calls);
		for (size_t i = 0; i < s->n_gpu_probes; i++)
			printf("%s %s", i ? "," : "", s->gpu_probes[i]);
		printf("\n");
	}
	if (s->irq_balancing)
		status_irqs(s);
	if (s->n_layers)
		status_layers(s);
}

static int status_usage(const struct ctl_globals *g, FILE *f, int rc)
{
	if (rc)
		return ctl_report(g, rc, "USAGE", "status", "usage: scxctl status [--watch [SECS]]");
	fprintf(f, "usage: scxctl status [--watch [SECS]]\n\n"
		   "The scheduler, the config, IRQ balancing and the layers.\n"
		   "  --watch [SECS]   show it again every SECS seconds (default 2, 1 to 3600)\n");
	return rc;
}

int cmd_status(const struct ctl_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "watch", optional_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool tty = isatty(STDOUT_FILENO);
	unsigned int watch = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "hw::", opts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			watch = 2;
			/* --watch=SECS, or --watch SECS as DESIGN.md writes it. */
			if (!optarg && optind < argc && argv[optind][0] >= '0' && argv[optind][0] <= '9')
				optarg = argv[optind++];
			if (optarg && (parse_u32(optarg, 3600, &watch) < 0 || watch == 0))
				return ctl_report(g, CTL_EXIT_USAGE, "USAGE", "status",
						  "--watch: seconds from 1 to 3600, not '%s'", optarg);
			break;
		case 'h':
			return status_usage(g, stdout, CTL_EXIT_OK);
		default:
			return status_usage(g, stderr, CTL_EXIT_USAGE);
		}
	}
	if (optind < argc)
		return status_usage(g, stderr, CTL_EXIT_USAGE);
	for (;;) {
		Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
		Scxd__V1__StatusRequest body = SCXD__V1__STATUS_REQUEST__INIT;
		Scxd__V1__Response *resp;

		req.body_case = SCXD__V1__REQUEST__BODY_STATUS;
		req.status = &body;
		rc = rpc_call(g, &req, SCXD__V1__RESPONSE__BODY_STATUS, "status", &resp);
		if (rc)
			return rc;
		if (watch && tty && !g->json)
			printf("\033[H\033[2J");
		if (g->json)
			status_json(resp->status);
		else
			status_text(resp->status);
		scxd__v1__response__free_unpacked(resp, NULL);
		if (!watch)
			return CTL_EXIT_OK;
		fflush(stdout);
		sleep(watch);
	}
}
