/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_AGENT_IRQ_H
#define SCX_AGENT_IRQ_H

/*
 * Network-device IRQ balancing: each NIC's IRQs on CPUs of the NIC's own
 * NUMA node that no layer owns (option netdev_irq_balance).
 *
 * Plan, then apply: irq_plan() is a pure function from the topology and the
 * layers' CPU ownership to a wanted CPU set per IRQ; irq_apply() writes only
 * what differs from the current affinity. Before the first write to an IRQ
 * its original affinity is recorded durably in the runtime dir, so that a
 * clean stop, and the next start after a crash, put it back.
 */
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/cpumask.h"

/* Where one IRQ stands. */
enum irq_status {
	IRQ_PENDING = 0,   /* not planned or not written yet */
	IRQ_APPLIED,       /* current affinity is the wanted one */
	IRQ_REFUSED,       /* the kernel refused a write; not retried */
	IRQ_NO_CPUS,       /* the device's node has no online CPU: left alone */
	IRQ_FAILED,        /* a write failed for a reason that may pass; retried */
};

struct irq_entry {
	unsigned int irq;
	char dev[IF_NAMESIZE];       /* network device the IRQ belongs to */
	int node;                    /* the device's NUMA node, -1 if none */
	enum irq_status status;
	int err;                     /* -errno of the last failed write, 0 */
	bool have_original;          /* original affinity recorded */
	bool have_written;           /* we wrote `written` */
	unsigned int drift;          /* times found changed behind our back */
	struct cpumask original;
	struct cpumask current;
	struct cpumask wanted;
	struct cpumask written;
};

struct irq_nic {
	char name[IF_NAMESIZE];
	int node;
	unsigned int nr_irqs;
	bool legacy;                 /* a legacy INTx line, not MSI */
};

/* What irq_plan() needs to know about the machine. */
struct irq_topo {
	size_t nr_nodes;
	const struct cpumask *node_cpus;  /* online CPUs of each node, [nr_nodes] */
	struct cpumask online;
	struct cpumask unusable;          /* isolated and nohz_full CPUs */
};

struct irq_balancer {
	char sysfs_root[256];
	char procfs_root[256];
	char snapshot_path[512];
	struct irq_nic *nics;
	size_t nr_nics;
	struct irq_entry *irqs;
	size_t nr_irqs;
	bool irqbalance_running;
};

/*
 * Find network devices with a bus device under sysfs_root/class/net and
 * their IRQs: MSI/MSI-X from device/msi_irqs (for virtio NICs, from the
 * PCI parent of the virtio bus device), else the legacy device/irq. Virtual
 * devices are skipped. Results are new arrays owned by the caller (free()).
 * Returns 0 or -errno (-ENOENT: no class/net at all).
 */
int irq_discover(const char *sysfs_root, struct irq_nic **ret_nics, size_t *ret_nr_nics,
		 struct irq_entry **ret_irqs, size_t *ret_nr_irqs);

/*
 * Compute each IRQ's wanted CPUs: the online CPUs of its device's node
 * (all nodes for node -1) that no layer owns, minus unusable CPUs; if that
 * is empty, the node's online CPUs minus unusable ones, then the node's
 * online CPUs; if the node has no online CPU, IRQ_NO_CPUS. Refused IRQs
 * keep their status. Pure: touches only the entries.
 */
void irq_plan(const struct irq_topo *topo, const struct cpumask *owned, struct irq_entry *irqs,
	      size_t nr_irqs);

/*
 * Set up a balancer (no I/O besides discovery). Roots are prefixes for
 * /sys and /proc; the snapshot lives in runtime_dir. Returns 0 or -errno.
 */
int irq_balancer_init(struct irq_balancer *b, const char *sysfs_root, const char *procfs_root,
		      const char *runtime_dir);

/* Release the balancer's memory; does not restore anything. NULL-safe. */
void irq_balancer_free(struct irq_balancer *b);

/*
 * Re-discover devices; IRQs still present keep their records. Logs devices
 * that came or went. Returns the number of changes or -errno.
 */
int irq_balancer_rescan(struct irq_balancer *b);

/*
 * Plan and write: for each IRQ read the current affinity, record the
 * original before the first write (durably), and write the wanted CPUs
 * where they differ. One IRQ's failure never stops the others. Returns the
 * number of IRQs written, or -errno if the snapshot cannot be saved (then
 * nothing is written).
 */
int irq_balancer_apply(struct irq_balancer *b, const struct irq_topo *topo,
		       const struct cpumask *owned);

/*
 * Put every recorded original back (writing only where it differs) and
 * drop the snapshot when all are restored. Returns the number of IRQs that
 * could not be restored (0 when all went well).
 */
int irq_balancer_restore(struct irq_balancer *b);

/*
 * Crash recovery, before anything else at start: if runtime_dir holds a
 * snapshot from an agent that did not stop cleanly, restore it into
 * procfs_root and remove it. Returns the number of IRQs restored, or
 * -errno for an unreadable or corrupt snapshot (then it is moved aside).
 */
int irq_recover(const char *runtime_dir, const char *procfs_root);

/* Is a process named irqbalance running (procfs_root/N/comm)? */
bool irq_irqbalance_running(const char *procfs_root);

#endif
