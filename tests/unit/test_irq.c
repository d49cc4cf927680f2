/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IRQ balancing on fake sysfs/procfs trees built in a temporary directory:
 * NICs on two nodes (one virtio behind its PCI parent), a NIC with no node
 * and a legacy line, virtual devices, a non-NIC IRQ that must stay
 * untouched, an IRQ that refuses writes, a device that disappears, and
 * crash recovery from the snapshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/irq.h"
#include "common/fileio.h"
#include "tests/fakefs.h"
#include "tests/runner.h"

static struct fakefs fs;
static char sysfs[512], procfs[512], run[512];

static void get(char *buf, size_t size, unsigned int irq)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/irq/%u/smp_affinity_list", procfs, irq);
	if (fileio_read_small(path, buf, size) < 0)
		snprintf(buf, size, "?");
}

static void add_irq(unsigned int irq, const char *aff)
{
	fakefs_put(&fs, aff, "proc/irq/%u/smp_affinity_list", irq);
}

/* class/net/IF/device -> the device below devices/pci0000:00, relative like sysfs. */
static void link_device(const char *ifname, const char *dev)
{
	char target[256];

	snprintf(target, sizeof(target), "../../../devices/pci0000:00/%s", dev);
	fakefs_symlink(&fs, target, "sys/class/net/%s/device", ifname);
}

/*
 * eth0: virtio NIC, MSI-X 24-26 on the PCI parent, node 1
 * eth1: PCI NIC, MSI-X 30-31, node 0
 * eth2: PCI NIC without node (-1), legacy irq 11
 * lo, br0: no device
 * irq 5: not a NIC, must never be written
 */
static void build_tree(void)
{
	fakefs_init(&fs);
	fakefs_path(&fs, sysfs, sizeof(sysfs), "sys");
	fakefs_path(&fs, procfs, sizeof(procfs), "proc");
	fakefs_path(&fs, run, sizeof(run), "run");
	fakefs_mkdir(&fs, "run");
	fakefs_mkdir(&fs, "sys/class/net/lo");
	fakefs_mkdir(&fs, "sys/class/net/br0");

	fakefs_mkdir(&fs, "sys/devices/pci0000:00/0000:00:03.0/virtio0/net/eth0");
	for (int i = 24; i <= 26; i++)
		fakefs_mkdir(&fs, "sys/devices/pci0000:00/0000:00:03.0/msi_irqs/%d", i);
	fakefs_put(&fs, "1\n", "sys/devices/pci0000:00/0000:00:03.0/numa_node");
	link_device("eth0", "0000:00:03.0/virtio0");

	fakefs_mkdir(&fs, "sys/devices/pci0000:00/0000:00:04.0/msi_irqs/30");
	fakefs_mkdir(&fs, "sys/devices/pci0000:00/0000:00:04.0/msi_irqs/31");
	fakefs_put(&fs, "0\n", "sys/devices/pci0000:00/0000:00:04.0/numa_node");
	link_device("eth1", "0000:00:04.0");

	fakefs_put(&fs, "-1\n", "sys/devices/pci0000:00/0000:00:05.0/numa_node");
	fakefs_put(&fs, "11\n", "sys/devices/pci0000:00/0000:00:05.0/irq");
	link_device("eth2", "0000:00:05.0");

	add_irq(24, "0-7\n");
	add_irq(25, "0-7\n");
	add_irq(26, "0-7\n");
	add_irq(30, "0-7\n");
	add_irq(31, "0-7\n");
	add_irq(11, "0-7\n");
	add_irq(5, "0-7\n");
}

static void remove_tree(void)
{
	fakefs_remove(&fs);
}

/* 2 nodes of 4 CPUs: node 0 = 0-3, node 1 = 4-7; CPU 3 is isolated. */
static struct cpumask node_cpus[2];

static void make_topo(struct irq_topo *t)
{
	memset(t, 0, sizeof(*t));
	CU_ASSERT_FATAL(cpumask_parse_list("0-3", &node_cpus[0]) == 0);
	CU_ASSERT_FATAL(cpumask_parse_list("4-7", &node_cpus[1]) == 0);
	t->nr_nodes = 2;
	t->node_cpus = node_cpus;
	CU_ASSERT_FATAL(cpumask_parse_list("0-7", &t->online) == 0);
	CU_ASSERT_FATAL(cpumask_parse_list("3", &t->unusable) == 0);
}

static const struct irq_entry *find(const struct irq_balancer *b, unsigned int irq)
{
	for (size_t i = 0; i < b->nr_irqs; i++)
		if (b->irqs[i].irq == irq)
			return &b->irqs[i];
	return NULL;
}

static void test_discover(void)
{
	struct irq_balancer b;

	build_tree();
	CU_ASSERT_EQUAL_FATAL(irq_balancer_init(&b, sysfs, procfs, run), 0);
	CU_ASSERT_EQUAL(b.nr_nics, 3);
	CU_ASSERT_EQUAL(b.nr_irqs, 6);
	CU_ASSERT_PTR_NULL(find(&b, 5));
	CU_ASSERT_EQUAL(find(&b, 24)->node, 1);
	CU_ASSERT_STRING_EQUAL(find(&b, 24)->dev, "eth0");
	CU_ASSERT_EQUAL(find(&b, 30)->node, 0);
	CU_ASSERT_EQUAL(find(&b, 11)->node, -1);
	CU_ASSERT_STRING_EQUAL(find(&b, 11)->dev, "eth2");
	irq_balancer_free(&b);
	remove_tree();
}

static void test_plan(void)
{
	struct irq_entry e[3] = {
		{ .irq = 1, .node = 0 },
		{ .irq = 2, .node = 1 },
		{ .irq = 3, .node = -1 },
	};
	struct cpumask owned;
	struct irq_topo t;
	char buf[64];

	make_topo(&t);
	/* Layers own 0-1 and all of node 1. */
	CU_ASSERT_FATAL(cpumask_parse_list("0-1,4-7", &owned) == 0);
	irq_plan(&t, &owned, e, 3);
	cpumask_format_list(&e[0].wanted, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2");       /* free on node 0, minus isolated 3 */
	cpumask_format_list(&e[1].wanted, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "4-7");     /* nothing free on node 1: the node */
	cpumask_format_list(&e[2].wanted, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2");       /* no node: free CPUs anywhere */

	/* A node with no online CPU: left alone. */
	cpumask_zero(&t.online);
	cpumask_set(&t.online, 0);
	irq_plan(&t, &owned, e, 3);
	CU_ASSERT_EQUAL(e[1].status, IRQ_NO_CPUS);
}

static void test_apply_restore(void)
{
	struct irq_balancer b;
	struct cpumask owned;
	struct irq_topo t;
	char buf[64], snap[PATH_MAX + 64];
	struct stat st;

	build_tree();
	make_topo(&t);
	CU_ASSERT_FATAL(cpumask_parse_list("4-5", &owned) == 0);
	CU_ASSERT_EQUAL_FATAL(irq_balancer_init(&b, sysfs, procfs, run), 0);
	CU_ASSERT_EQUAL(irq_balancer_apply(&b, &t, &owned), 6);
	get(buf, sizeof(buf), 24);
	CU_ASSERT_STRING_EQUAL(buf, "6-7");
	get(buf, sizeof(buf), 30);
	CU_ASSERT_STRING_EQUAL(buf, "0-2");
	get(buf, sizeof(buf), 11);
	CU_ASSERT_STRING_EQUAL(buf, "0-2,6-7");
	get(buf, sizeof(buf), 5);
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	snprintf(snap, sizeof(snap), "%s/irq-affinity.snapshot", run);
	CU_ASSERT(stat(snap, &st) == 0);

	/* Nothing changed: nothing written. */
	CU_ASSERT_EQUAL(irq_balancer_apply(&b, &t, &owned), 0);

	/* Someone else rewrote irq 25: drift is seen and corrected. */
	add_irq(25, "0\n");
	CU_ASSERT_EQUAL(irq_balancer_apply(&b, &t, &owned), 1);
	CU_ASSERT_EQUAL(find(&b, 25)->drift, 1);

	CU_ASSERT_EQUAL(irq_balancer_restore(&b), 0);
	get(buf, sizeof(buf), 24);
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	get(buf, sizeof(buf), 11);
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	CU_ASSERT(stat(snap, &st) < 0 && errno == ENOENT);
	irq_balancer_free(&b);
	remove_tree();
}

static void test_refused_not_retried(void)
{
	struct irq_balancer b;
	struct cpumask owned;
	struct irq_topo t;
	char buf[64];

	build_tree();
	make_topo(&t);
	cpumask_zero(&owned);
	CU_ASSERT_EQUAL_FATAL(irq_balancer_init(&b, sysfs, procfs, run), 0);
	/*
	 * Root ignores file modes, so the refusal used here is a missing
	 * file (an MSI IRQ without a /proc entry).
	 */
	fakefs_unlink(&fs, "proc/irq/31/smp_affinity_list");
	CU_ASSERT_EQUAL(irq_balancer_apply(&b, &t, &owned), 5);
	CU_ASSERT_EQUAL(find(&b, 31)->status, IRQ_REFUSED);
	CU_ASSERT_EQUAL(find(&b, 31)->err, -ENOENT);
	/* The others went through. */
	get(buf, sizeof(buf), 30);
	CU_ASSERT_STRING_EQUAL(buf, "0-2");
	/* The file comes back: still not retried. */
	add_irq(31, "0-7\n");
	CU_ASSERT_EQUAL(irq_balancer_apply(&b, &t, &owned), 0);
	get(buf, sizeof(buf), 31);
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	CU_ASSERT_EQUAL(irq_balancer_restore(&b), 0);
	irq_balancer_free(&b);
	remove_tree();
}

static void test_device_disappears(void)
{
	struct irq_balancer b;
	struct cpumask owned;
	struct irq_topo t;
	char buf[64];

	build_tree();
	make_topo(&t);
	cpumask_zero(&owned);
	CU_ASSERT_EQUAL_FATAL(irq_balancer_init(&b, sysfs, procfs, run), 0);
	CU_ASSERT_EQUAL(irq_balancer_apply(&b, &t, &owned), 6);
	fakefs_unlink(&fs, "sys/class/net/eth1/device");
	CU_ASSERT_EQUAL(irq_balancer_rescan(&b), 1);
	CU_ASSERT_EQUAL(b.nr_nics, 2);
	CU_ASSERT_PTR_NULL(find(&b, 30));
	/* IRQs still present kept their originals: restore puts them back. */
	CU_ASSERT(find(&b, 24)->have_original);
	CU_ASSERT_EQUAL(irq_balancer_restore(&b), 0);
	get(buf, sizeof(buf), 24);
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	irq_balancer_free(&b);
	remove_tree();
}

static void test_crash_recovery(void)
{
	struct irq_balancer b;
	struct cpumask owned;
	struct irq_topo t;
	char buf[64], snap[PATH_MAX + 64], cmd[PATH_MAX + 128];
	struct stat st;

	build_tree();
	make_topo(&t);
	cpumask_zero(&owned);
	CU_ASSERT_EQUAL_FATAL(irq_balancer_init(&b, sysfs, procfs, run), 0);
	CU_ASSERT_EQUAL(irq_balancer_apply(&b, &t, &owned), 6);
	/* The agent "dies": no restore; the next start recovers from the snapshot. */
	irq_balancer_free(&b);
	get(buf, sizeof(buf), 24);
	CU_ASSERT_STRING_EQUAL(buf, "4-7");
	CU_ASSERT_EQUAL(irq_recover(run, procfs), 6);
	get(buf, sizeof(buf), 24);
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	get(buf, sizeof(buf), 30);
	CU_ASSERT_STRING_EQUAL(buf, "0-7");
	snprintf(snap, sizeof(snap), "%s/irq-affinity.snapshot", run);
	CU_ASSERT(stat(snap, &st) < 0);
	/* No snapshot: nothing to do. */
	CU_ASSERT_EQUAL(irq_recover(run, procfs), 0);
	/* A corrupt snapshot is refused and moved aside, not deleted. */
	fakefs_put(&fs, "scxd-irq-snapshot 1\n24 banana\n", "run/irq-affinity.snapshot");
	CU_ASSERT_EQUAL(irq_recover(run, procfs), -EINVAL);
	CU_ASSERT(stat(snap, &st) < 0);
	snprintf(cmd, sizeof(cmd), "ls %s/irq-affinity.snapshot.corrupt-* >/dev/null", run);
	CU_ASSERT(system(cmd) == 0);
	remove_tree();
}

static void test_irqbalance_detect(void)
{
	build_tree();
	CU_ASSERT_FALSE(irq_irqbalance_running(procfs));
	fakefs_put(&fs, "irqbalance\n", "proc/4242/comm");
	CU_ASSERT_TRUE(irq_irqbalance_running(procfs));
	remove_tree();
}

TEST_SUITE(irq)
{
	static const struct test_case tests[] = {
		{ "discover NICs and IRQs", test_discover },
		{ "plan", test_plan },
		{ "apply, drift, restore", test_apply_restore },
		{ "refused IRQ recorded, not retried", test_refused_not_retried },
		{ "device disappears", test_device_disappears },
		{ "crash recovery from snapshot", test_crash_recovery },
		{ "irqbalance detection", test_irqbalance_detect },
		{ NULL, NULL },
	};

	return test_add_suite("irq", tests);
}
