/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Read commands: status [--watch [SECS]], get-config, explain PID,
 * topology, metrics, version. Tables fit 80 columns; --json prints one
 * document per command on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/cmd.h"
#include "client/json.h"
#include "client/rpc_client.h"
#include "common/config.h"
#include "common/parse.h"
#include "common/pbconv.h"

static int call(const struct ctl_globals *g, Scxd__V1__Request *req, Scxd__V1__Response__BodyCase want,
		const char *what, Scxd__V1__Response **ret)
{
	int rc = rpc_call(g->socket_path, req, ret);

	if (rc)
		return rc;
	rc = rpc_exit_code(*ret, what);
	if (rc == 0 && (*ret)->body_case != want) {
		fprintf(stderr, "scxctl: %s: unexpected answer from scxd\n", what);
		rc = CTL_EXIT_FAILED;
	}
	if (rc) {
		scxd__v1__response__free_unpacked(*ret, NULL);
		*ret = NULL;
	}
	return rc;
}

static void print_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t <= 0 || !localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
}

static void status_print(const struct ctl_globals *g, const Scxd__V1__StatusReply *s)
{
	char at[64], until[64];

	print_time(s->applied_at, at, sizeof(at));
	print_time(s->confirm_deadline, until, sizeof(until));
	if (g->json) {
		printf("{\"backend\": \"%s\", \"state\": ", s->backend);
		json_print_string(stdout, s->state);
		printf(", \"kernel_state\": ");
		json_print_string(stdout, s->kernel_state);
		printf(", \"uptime_secs\": %llu, \"config_digest\": \"%s\", \"applied_at\": %lld, "
		       "\"applied_by_uid\": %u, \"capabilities\": ",
		       (unsigned long long)s->uptime_secs, s->config_digest, (long long)s->applied_at,
		       s->applied_by_uid);
		json_print_string(stdout, s->capabilities);
		printf(", \"pending_confirm\": %s, \"confirm_deadline\": %lld, \"irq_balancing\": %s, "
		       "\"irqbalance_running\": %s, \"irqs\": [",
		       s->pending_confirm ? "true" : "false", (long long)s->confirm_deadline,
		       s->irq_balancing ? "true" : "false", s->irqbalance_running ? "true" : "false");
		for (size_t i = 0; i < s->n_irqs; i++) {
			const Scxd__V1__IrqStatus *q = s->irqs[i];

			printf("%s{\"irq\": %u, \"dev\": \"%s\", \"node\": %d, \"current\": \"%s\", \"wanted\": \"%s\", "
			       "\"state\": \"%s\", \"error\": \"%s\", \"drift\": %u}",
			       i ? ", " : "", q->irq, q->dev, q->node, q->current, q->wanted, q->state, q->error, q->drift);
		}
		printf("], \"layers\": [");
		for (size_t i = 0; i < s->n_layers; i++) {
			printf("%s{\"name\": ", i ? ", " : "");
			json_print_string(stdout, s->layers[i]->name);
			printf(", \"kind\": \"%s\", \"cpus\": %u, \"tasks\": %u, \"util\": %.3f, \"match_blocks\": %u}",
			       s->layers[i]->kind, s->layers[i]->nr_cpus, s->layers[i]->nr_tasks, s->layers[i]->util,
			       s->layers[i]->nr_or_blocks);
		}
		printf("]}\n");
		return;
	}
	printf("scheduler:  %s (backend %s%s)\n", s->state, s->backend,
	       strcmp(s->backend, "sim") == 0 ? ": simulated, the kernel scheduler is not touched" : "");
	printf("sched_ext:  %s\n", s->kernel_state);
	printf("agent:      up %llu s, capabilities '%s'\n", (unsigned long long)s->uptime_secs, s->capabilities);
	if (s->config_digest[0])
		printf("config:     %.12s applied %s by uid %u\n", s->config_digest, at, s->applied_by_uid);
	else
		printf("config:     none (scxctl apply FILE)\n");
	if (s->pending_confirm)
		printf("confirm:    pending, rolls back at %s unless `scxctl confirm`\n", until);
	if (s->irq_balancing) {
		printf("irqs:       netdev balancing on, %zu IRQs%s\n", s->n_irqs,
		       s->irqbalance_running ? "; WARNING: irqbalance is running and fights these settings" : "");
		if (s->n_irqs)
			printf("\n%-5s %-10s %4s %-14s %-14s %-8s %5s %s\n", "IRQ", "DEVICE", "NODE", "CURRENT", "WANTED",
			       "STATE", "DRIFT", "ERROR");
		for (size_t i = 0; i < s->n_irqs; i++) {
			const Scxd__V1__IrqStatus *q = s->irqs[i];

			printf("%-5u %-10.10s %4d %-14.14s %-14.14s %-8s %5u %s\n", q->irq, q->dev, q->node, q->current,
			       q->wanted, q->state, q->drift, q->error);
		}
	}
	if (!s->n_layers)
		return;
	printf("\n%-3s %-28s %-9s %5s %6s %7s %7s\n", "#", "LAYER", "KIND", "CPUS", "TASKS", "UTIL", "BLOCKS");
	for (size_t i = 0; i < s->n_layers; i++)
		printf("%-3zu %-28.28s %-9s %5u %6u %7.2f %7u\n", i, s->layers[i]->name, s->layers[i]->kind,
		       s->layers[i]->nr_cpus, s->layers[i]->nr_tasks, s->layers[i]->util, s->layers[i]->nr_or_blocks);
}

int cmd_status(const struct ctl_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "watch", optional_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int watch = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			watch = 2;
			if (optarg && (parse_u32(optarg, 3600, &watch) < 0 || watch == 0)) {
				fprintf(stderr, "scxctl status: --watch: seconds from 1 to 3600, not '%s'\n", optarg);
				return CTL_EXIT_USAGE;
			}
			break;
		case 'h':
			printf("usage: scxctl status [--watch[=SECS]]\n");
			return CTL_EXIT_OK;
		default:
			fprintf(stderr, "usage: scxctl status [--watch[=SECS]]\n");
			return CTL_EXIT_USAGE;
		}
	}
	for (;;) {
		Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
		Scxd__V1__StatusRequest body = SCXD__V1__STATUS_REQUEST__INIT;
		Scxd__V1__Response *resp;

		req.body_case = SCXD__V1__REQUEST__BODY_STATUS;
		req.status = &body;
		rc = call(g, &req, SCXD__V1__RESPONSE__BODY_STATUS, "status", &resp);
		if (rc)
			return rc;
		if (watch && !g->json)
			printf("\033[H\033[2J");
		status_print(g, resp->status);
		scxd__v1__response__free_unpacked(resp, NULL);
		if (!watch)
			return CTL_EXIT_OK;
		fflush(stdout);
		sleep(watch);
	}
}

int cmd_get_config(const struct ctl_globals *g, int argc, char **argv)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__GetConfigRequest body = SCXD__V1__GET_CONFIG_REQUEST__INIT;
	struct cfg_diags d = { 0 };
	Scxd__V1__Response *resp;
	struct cfg *c = NULL;
	char *text;
	int rc;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: scxctl get-config\n");
		return CTL_EXIT_USAGE;
	}
	req.body_case = SCXD__V1__REQUEST__BODY_GET_CONFIG;
	req.get_config = &body;
	rc = call(g, &req, SCXD__V1__RESPONSE__BODY_GET_CONFIG, "get-config", &resp);
	if (rc)
		return rc;
	if (!resp->get_config->config || pbconv_from_pb(resp->get_config->config, &c, &d) < 0) {
		fprintf(stderr, "scxctl: get-config: the agent sent a config this client cannot read\n");
		rc = CTL_EXIT_FAILED;
	} else {
		text = json_format_config(c);
		if (text)
			fputs(text, stdout);
		free(text);
	}
	cfg_free(c);
	cfg_diags_release(&d);
	scxd__v1__response__free_unpacked(resp, NULL);
	return rc;
}

int cmd_explain(const struct ctl_globals *g, int argc, char **argv)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__ExplainRequest body = SCXD__V1__EXPLAIN_REQUEST__INIT;
	Scxd__V1__Response *resp;
	int pid, rc;

	if (argc != 2 || parse_int(argv[1], 1, INT32_MAX, &pid) < 0) {
		fprintf(stderr, "usage: scxctl explain PID\n");
		return CTL_EXIT_USAGE;
	}
	body.pid = pid;
	req.body_case = SCXD__V1__REQUEST__BODY_EXPLAIN;
	req.explain = &body;
	rc = call(g, &req, SCXD__V1__RESPONSE__BODY_EXPLAIN, "explain", &resp);
	if (rc)
		return rc;
	if (g->json) {
		printf("{\"pid\": %d, \"layer\": ", resp->explain->pid);
		json_print_string(stdout, resp->explain->layer);
		printf(", \"layer_index\": %u, \"why\": ", resp->explain->layer_index);
		json_print_string(stdout, resp->explain->why);
		printf("}\n");
	} else {
		printf("pid %d is in layer %u \"%s\": %s\n", resp->explain->pid, resp->explain->layer_index,
		       resp->explain->layer, resp->explain->why);
	}
	scxd__v1__response__free_unpacked(resp, NULL);
	return CTL_EXIT_OK;
}

static void print_bytes(uint64_t b, char *buf, size_t len)
{
	if (b == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f GiB", (double)b / (1024.0 * 1024 * 1024));
}

int cmd_topology(const struct ctl_globals *g, int argc, char **argv)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__TopologyRequest body = SCXD__V1__TOPOLOGY_REQUEST__INIT;
	Scxd__V1__Response *resp;
	Scxd__V1__TopologyReply *t;
	int rc;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: scxctl topology\n");
		return CTL_EXIT_USAGE;
	}
	req.body_case = SCXD__V1__REQUEST__BODY_TOPOLOGY;
	req.topology = &body;
	rc = call(g, &req, SCXD__V1__RESPONSE__BODY_TOPOLOGY, "topology", &resp);
	if (rc)
		return rc;
	t = resp->topology;
	if (g->json) {
		printf("{\"cpus\": %u, \"online\": \"%s\", \"smt\": %s, \"isolated\": \"%s\", \"nohz_full\": \"%s\", "
		       "\"nodes\": [",
		       t->nr_cpus, t->online, t->smt ? "true" : "false", t->isolated, t->nohz_full);
		for (size_t i = 0; i < t->n_nodes; i++) {
			printf("%s{\"id\": %u, \"cpus\": \"%s\", \"mem_bytes\": %llu, \"distances\": [", i ? ", " : "",
			       t->nodes[i]->id, t->nodes[i]->cpus, (unsigned long long)t->nodes[i]->mem_bytes);
			for (size_t k = 0; k < t->nodes[i]->n_distances; k++)
				printf("%s%u", k ? ", " : "", t->nodes[i]->distances[k]);
			printf("]}");
		}
		printf("], \"llcs\": [");
		for (size_t i = 0; i < t->n_llcs; i++)
			printf("%s\"%s\"", i ? ", " : "", t->llcs[i]);
		printf("], \"nics\": [");
		for (size_t i = 0; i < t->n_nics; i++) {
			printf("%s{\"name\": \"%s\", \"node\": %d, \"legacy\": %s, \"irqs\": [", i ? ", " : "",
			       t->nics[i]->name, t->nics[i]->node, t->nics[i]->legacy ? "true" : "false");
			for (size_t k = 0; k < t->nics[i]->n_irqs; k++)
				printf("%s%u", k ? ", " : "", t->nics[i]->irqs[k]);
			printf("]}");
		}
		printf("]}\n");
	} else {
		printf("CPUs online: %s (%u)%s\n", t->online, t->nr_cpus, t->smt ? ", SMT" : "");
		if (t->isolated[0] || t->nohz_full[0])
			printf("isolated: %s  nohz_full: %s\n", t->isolated[0] ? t->isolated : "-",
			       t->nohz_full[0] ? t->nohz_full : "-");
		printf("\n%-5s %-30s %-10s %s\n", "NODE", "CPUS", "MEMORY", "DISTANCES");
		for (size_t i = 0; i < t->n_nodes; i++) {
			char mem[32];

			print_bytes(t->nodes[i]->mem_bytes, mem, sizeof(mem));
			printf("%-5u %-30.30s %-10s", t->nodes[i]->id, t->nodes[i]->cpus, mem);
			for (size_t k = 0; k < t->nodes[i]->n_distances; k++)
				printf(" %u", t->nodes[i]->distances[k]);
			printf("\n");
		}
		printf("\n%-5s %s\n", "LLC", "CPUS");
		for (size_t i = 0; i < t->n_llcs; i++)
			printf("%-5zu %s\n", i, t->llcs[i]);
		if (t->n_nics)
			printf("\n%-10s %4s %s\n", "NIC", "NODE", "IRQS");
		for (size_t i = 0; i < t->n_nics; i++) {
			printf("%-10s %4d ", t->nics[i]->name, t->nics[i]->node);
			for (size_t k = 0; k < t->nics[i]->n_irqs; k++)
				printf("%s%u", k ? "," : "", t->nics[i]->irqs[k]);
			printf("%s\n", t->nics[i]->legacy ? " (legacy)" : "");
		}
	}
	scxd__v1__response__free_unpacked(resp, NULL);
	return CTL_EXIT_OK;
}

int cmd_metrics(const struct ctl_globals *g, int argc, char **argv)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__MetricsRequest body = SCXD__V1__METRICS_REQUEST__INIT;
	Scxd__V1__Response *resp;
	int rc;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: scxctl metrics\n");
		return CTL_EXIT_USAGE;
	}
	req.body_case = SCXD__V1__REQUEST__BODY_METRICS;
	req.metrics = &body;
	rc = call(g, &req, SCXD__V1__RESPONSE__BODY_METRICS, "metrics", &resp);
	if (rc)
		return rc;
	if (g->json) {
		printf("{\"text\": ");
		json_print_string(stdout, resp->metrics->text);
		printf("}\n");
	} else {
		fputs(resp->metrics->text, stdout);
	}
	scxd__v1__response__free_unpacked(resp, NULL);
	return CTL_EXIT_OK;
}

int cmd_agent_version(const struct ctl_globals *g, int argc, char **argv)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__VersionRequest body = SCXD__V1__VERSION_REQUEST__INIT;
	Scxd__V1__Response *resp;
	int rc;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: scxctl version\n");
		return CTL_EXIT_USAGE;
	}
	if (!g->json)
		printf("scxctl %s\n", SCX_VERSION);
	req.body_case = SCXD__V1__REQUEST__BODY_AGENT_VERSION;
	req.agent_version = &body;
	rc = call(g, &req, SCXD__V1__RESPONSE__BODY_AGENT_VERSION, "version", &resp);
	if (rc) {
		if (g->json)
			printf("{\"client\": \"%s\", \"agent\": null}\n", SCX_VERSION);
		return rc;
	}
	if (g->json)
		printf("{\"client\": \"%s\", \"agent\": \"%s\", \"protocol\": %u}\n", SCX_VERSION,
		       resp->agent_version->version, resp->agent_version->protocol);
	else
		printf("scxd %s (protocol %u)\n", resp->agent_version->version, resp->agent_version->protocol);
	scxd__v1__response__free_unpacked(resp, NULL);
	return CTL_EXIT_OK;
}
