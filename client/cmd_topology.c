/* SPDX-License-Identifier: GPL-2.0-only */
/* scxctl topology: CPUs, LLCs, NUMA nodes, NICs and their IRQs, as scxd sees them. */
#include <stdio.h>
#include <string.h>

#include "client/cmd.h"
#include "client/jsonw.h"
#include "client/rpc_client.h"
#include "client/table.h"

static void print_json(const Scxd__V1__TopologyReply *t)
{
	struct jw w;

	jw_begin(&w, stdout);
	jw_obj(&w, NULL);
	jw_uint(&w, "cpus", t->nr_cpus);
	jw_str(&w, "online", t->online);
	jw_bool(&w, "smt", t->smt);
	jw_str(&w, "isolated", t->isolated);
	jw_str(&w, "nohz_full", t->nohz_full);
	jw_arr(&w, "nodes");
	for (size_t i = 0; i < t->n_nodes; i++) {
		jw_obj(&w, NULL);
		jw_uint(&w, "id", t->nodes[i]->id);
		jw_str(&w, "cpus", t->nodes[i]->cpus);
		jw_uint(&w, "mem_bytes", t->nodes[i]->mem_bytes);
		jw_arr(&w, "distances");
		for (size_t k = 0; k < t->nodes[i]->n_distances; k++)
			jw_uint(&w, NULL, t->nodes[i]->distances[k]);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr(&w, "llcs");
	for (size_t i = 0; i < t->n_llcs; i++)
		jw_str(&w, NULL, t->llcs[i]);
	jw_arr_end(&w);
	jw_arr(&w, "cores");
	for (size_t i = 0; i < t->n_cores; i++)
		jw_str(&w, NULL, t->cores[i]);
	jw_arr_end(&w);
	jw_arr(&w, "nics");
	for (size_t i = 0; i < t->n_nics; i++) {
		jw_obj(&w, NULL);
		jw_str(&w, "name", t->nics[i]->name);
		jw_int(&w, "node", t->nics[i]->node);
		jw_bool(&w, "legacy", t->nics[i]->legacy);
		jw_arr(&w, "irqs");
		for (size_t k = 0; k < t->nics[i]->n_irqs; k++)
			jw_uint(&w, NULL, t->nics[i]->irqs[k]);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

static void print_text(const Scxd__V1__TopologyReply *t)
{
	static const struct tbl_col node_cols[] = {
		{ "NODE", true, 0 }, { "CPUS", false, 12 }, { "MEMORY", true, 0 }, { "DISTANCES", false, 9 },
	};
	static const struct tbl_col llc_cols[] = { { "LLC", true, 0 }, { "CPUS", false, 12 } };
	static const struct tbl_col nic_cols[] = {
		{ "NIC", false, 8 }, { "NODE", true, 0 }, { "IRQS", false, 10 },
	};
	struct tbl *tb;

	printf("CPUs online: %s (%u)%s\n", t->online, t->nr_cpus, t->smt ? ", SMT" : "");
	if (t->isolated[0] || t->nohz_full[0])
		printf("isolated: %s  nohz_full: %s\n", t->isolated[0] ? t->isolated : "-",
		       t->nohz_full[0] ? t->nohz_full : "-");
	tb = tbl_new(node_cols, 4);
	for (size_t i = 0; tb && i < t->n_nodes; i++) {
		char dist[256] = "";
		size_t n = 0;

		for (size_t k = 0; k < t->nodes[i]->n_distances && n < sizeof(dist); k++)
			n += (size_t)snprintf(dist + n, sizeof(dist) - n, "%s%u", k ? " " : "", t->nodes[i]->distances[k]);
		tbl_addf(tb, "%u", t->nodes[i]->id);
		tbl_add(tb, t->nodes[i]->cpus);
		if (t->nodes[i]->mem_bytes)
			tbl_addf(tb, "%.1f GiB", (double)t->nodes[i]->mem_bytes / (1024.0 * 1024 * 1024));
		else
			tbl_add(tb, "-");
		tbl_add(tb, dist);
	}
	if (tb) {
		printf("\n");
		tbl_print(tb, stdout, 80);
	}
	tbl_free(tb);
	tb = tbl_new(llc_cols, 2);
	for (size_t i = 0; tb && i < t->n_llcs; i++) {
		tbl_addf(tb, "%zu", i);
		tbl_add(tb, t->llcs[i]);
	}
	if (tb) {
		printf("\n");
		tbl_print(tb, stdout, 80);
	}
	tbl_free(tb);
	if (t->smt && t->n_cores) {
		size_t col = 14;

		printf("\nSMT siblings:");
		for (size_t i = 0; i < t->n_cores; i++) {
			size_t w = strlen(t->cores[i]) + 1;

			if (col + w > 79) {
				printf("\n             ");
				col = 13;
			}
			printf(" %s", t->cores[i]);
			col += w;
		}
		printf("\n");
	}
	if (!t->n_nics)
		return;
	tb = tbl_new(nic_cols, 3);
	for (size_t i = 0; tb && i < t->n_nics; i++) {
		char irqs[512] = "";
		size_t n = 0;

		for (size_t k = 0; k < t->nics[i]->n_irqs && n < sizeof(irqs); k++)
			n += (size_t)snprintf(irqs + n, sizeof(irqs) - n, "%s%u", k ? "," : "", t->nics[i]->irqs[k]);
		if (t->nics[i]->legacy && n < sizeof(irqs))
			snprintf(irqs + n, sizeof(irqs) - n, " (legacy)");
		tbl_add(tb, t->nics[i]->name);
		if (t->nics[i]->node < 0)
			tbl_add(tb, "-");
		else
			tbl_addf(tb, "%d", t->nics[i]->node);
		tbl_add(tb, irqs);
	}
	if (tb) {
		printf("\n");
		tbl_print(tb, stdout, 80);
	}
	tbl_free(tb);
}

int cmd_topology(const struct ctl_globals *g, int argc, char **argv)
{
	Scxd__V1__Request req = SCXD__V1__REQUEST__INIT;
	Scxd__V1__TopologyRequest body = SCXD__V1__TOPOLOGY_REQUEST__INIT;
	Scxd__V1__Response *resp;
	int rc;

	(void)argv;
	if (argc > 1)
		return ctl_report(g, CTL_EXIT_USAGE, "USAGE", "topology", "takes no arguments");
	req.body_case = SCXD__V1__REQUEST__BODY_TOPOLOGY;
	req.topology = &body;
	rc = rpc_call(g, &req, SCXD__V1__RESPONSE__BODY_TOPOLOGY, "topology", &resp);
	if (rc)
		return rc;
	if (g->json)
		print_json(resp->topology);
	else
		print_text(resp->topology);
	scxd__v1__response__free_unpacked(resp, NULL);
	return CTL_EXIT_OK;
}
