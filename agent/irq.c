/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Netdev IRQ balancing.
 *
 * Policy: an IRQ of a network device runs best on the device's own NUMA
 * node, on CPUs that no Confined/Grouped layer owns (so that layer CPUs are
 * not disturbed by interrupts), never on isolated or nohz_full CPUs.
 *
 * Invariants:
 * - No write to an IRQ happens before its original affinity is on disk in
 *   the snapshot file (write, fsync, rename, fsync dir).
 * - A write happens only when the wanted set differs from the current one.
 * - An IRQ whose write was refused for a lasting reason (EIO: affinity
 *   managed by the kernel; EPERM, EACCES; the file is missing) is recorded
 *   and never written again; one IRQ's failure never stops the others.
 * - The snapshot file exists only while some IRQ may differ from its
 *   original: a clean restore removes it, so finding it at start means the
 *   previous agent did not stop cleanly.
 *
 * Affinities are read and written as CPU lists (smp_affinity_list); the
 * hex form says the same with less room for confusion about word order.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/irq.h"
#include "common/banned.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/parse.h"

#define IRQ_SNAPSHOT_NAME   "irq-affinity.snapshot"
#define IRQ_SNAPSHOT_HEADER "scxd-irq-snapshot 1"
/* An IRQ number as the kernel prints it; far above any real NR_IRQS. */
#define IRQ_MAX_NR	    (1u << 20)
/* Bound on what one device may claim, against a hostile sysfs tree. */
#define IRQ_MAX_PER_DEV	    4096

/* ------------------------------------------------------------------ files */

static int irq_path(char *buf, size_t size, const char *procfs_root, unsigned int irq)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "irq/%u/smp_affinity_list", irq);
	return fileio_path(buf, size, procfs_root, rel);
}

static int irq_read_affinity(const char *procfs_root, unsigned int irq, struct cpumask *ret)
{
	char path[PATH_MAX], buf[CPUMASK_LIST_MAX];
	struct cpumask m;
	int r;

	r = irq_path(path, sizeof(path), procfs_root, irq);
	if (r < 0)
		return r;
	r = fileio_read_small(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	r = cpumask_parse_list(buf, &m);
	if (r < 0)
		return r;
	*ret = m;
	return 0;
}

static int irq_write_affinity(const char *procfs_root, unsigned int irq, const struct cpumask *m)
{
	char path[PATH_MAX], buf[CPUMASK_LIST_MAX + 1];
	size_t len;
	ssize_t n;
	int fd, r;

	r = irq_path(path, sizeof(path), procfs_root, irq);
	if (r < 0)
		return r;
	r = cpumask_format_list(m, buf, sizeof(buf) - 1);
	if (r < 0)
		return r;
	len = strlen(buf);
	buf[len++] = '\n';
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	r = n < 0 ? negative_errno() : (size_t)n != len ? -EIO : 0;
	/* procfs reports some refusals only at close. */
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = negative_errno();
	return r;
}

/* Refusals that will not pass by themselves: record, never retry. */
static bool irq_refusal_is_lasting(int r)
{
	return r == -EIO || r == -EPERM || r == -EACCES || r == -ENOENT || r == -EROFS;
}

static int irq_save_snapshot(const struct irq_balancer *b)
{
	size_t size = 64 + b->nr_irqs * (CPUMASK_LIST_MAX + 16), len;
	char *text;
	int r;

	text = malloc(size);
	if (!text)
		return -ENOMEM;
	len = (size_t)snprintf(text, size, "%s\n", IRQ_SNAPSHOT_HEADER);
	for (size_t i = 0; i < b->nr_irqs; i++) {
		const struct irq_entry *e = &b->irqs[i];

		if (!e->have_original)
			continue;
		len += (size_t)snprintf(text + len, size - len, "%u ", e->irq);
		r = cpumask_format_list(&e->original, text + len, size - len);
		if (r < 0)
			goto out;
		len += strlen(text + len);
		len += (size_t)snprintf(text + len, size - len, "\n");
	}
	r = fileio_write_atomic(b->snapshot_path, text, strlen(text), 0600);
out:
	free(text);
	return r;
}

/* ------------------------------------------------------------- discovery */

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int join(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s/%s", a, b);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The device that carries the IRQs and the NUMA node: for virtio NICs the PCI parent. */
static int irq_find_bus_device(const char *devlink, char *ret, size_t size)
{
	char real[PATH_MAX], probe[PATH_MAX + 16], parent[PATH_MAX];

	if (!realpath(devlink, real))
		return negative_errno();
	if (join(probe, sizeof(probe), real, "msi_irqs") == 0 && path_exists(probe))
		goto found;
	snprintf(parent, sizeof(parent), "%s", real);
	dirname(parent);
	if (strncmp(strrchr(real, '/') ? strrchr(real, '/') + 1 : real, "virtio", 6) == 0 &&
	    join(probe, sizeof(probe), parent, "msi_irqs") == 0 && path_exists(probe)) {
		snprintf(real, sizeof(real), "%s", parent);
		goto found;
	}
found:
	if (strlen(real) >= size)
		return -ENAMETOOLONG;
	snprintf(ret, size, "%s", real);
	return 0;
}

static int irq_read_node(const char *busdev)
{
	char path[PATH_MAX + 16], buf[32];
	int node;

	if (join(path, sizeof(path), busdev, "numa_node") < 0)
		return -1;
	if (fileio_read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	if (parse_int(buf, -1, CPUMASK_MAX_CPUS, &node) < 0) {
		log_debug("%s: unreadable numa_node '%s', taking no node", path, buf);
		return -1;
	}
	return node;
}

static int irq_entries_add(struct irq_entry **irqs, size_t *nr, size_t *cap, unsigned int irq,
			   const char *dev, int node)
{
	struct irq_entry *e;

	/* A shared legacy line belongs to the first device that claims it. */
	for (size_t i = 0; i < *nr; i++)
		if ((*irqs)[i].irq == irq)
			return 0;
	if (*nr == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct irq_entry *n = realloc(*irqs, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		*irqs = n;
		*cap = ncap;
	}
	e = &(*irqs)[(*nr)++];
	memset(e, 0, sizeof(*e));
	e->irq = irq;
	snprintf(e->dev, sizeof(e->dev), "%s", dev);
	e->node = node;
	return 1;
}

static int irq_collect_msi(const char *busdev, const char *dev, int node, struct irq_entry **irqs,
			   size_t *nr, size_t *cap, unsigned int *ret_count)
{
	char path[PATH_MAX + 16];
	unsigned int count = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (join(path, sizeof(path), busdev, "msi_irqs") < 0)
		return -ENAMETOOLONG;
	d = opendir(path);
	if (!d)
		return negative_errno();
	while ((de = readdir(d))) {
		unsigned int irq;

		if (de->d_name[0] == '.')
			continue;
		if (parse_u32(de->d_name, IRQ_MAX_NR, &irq) < 0) {
			log_debug("%s: ignoring entry '%s'", path, de->d_name);
			continue;
		}
		if (count >= IRQ_MAX_PER_DEV) {
			r = -E2BIG;
			break;
		}
		r = irq_entries_add(irqs, nr, cap, irq, dev, node);
		if (r < 0)
			break;
		count += (unsigned int)r;
		r = 0;
	}
	closedir(d);
	*ret_count = count;
	return r;
}

static int cmp_irq(const void *a, const void *b)
{
	const struct irq_entry *x = a, *y = b;

	return x->irq < y->irq ? -1 : x->irq > y->irq;
}

int irq_discover(const char *sysfs_root, struct irq_nic **ret_nics, size_t *ret_nr_nics,
		 struct irq_entry **ret_irqs, size_t *ret_nr_irqs)
{
	struct irq_entry *irqs = NULL;
	struct irq_nic *nics = NULL;
	size_t nr_irqs = 0, cap_irqs = 0, nr_nics = 0;
	char netdir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r;

	r = fileio_path(netdir, sizeof(netdir), sysfs_root, "class/net");
	if (r < 0)
		return r;
	d = opendir(netdir);
	if (!d)
		return negative_errno();
	while ((de = readdir(d))) {
		char devlink[PATH_MAX + 32], busdev[PATH_MAX], irqfile[PATH_MAX + 16], buf[32];
		unsigned int count = 0, irq;
		struct irq_nic *nn;
		bool legacy = false;
		int node;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= IF_NAMESIZE)
			continue;
		if (snprintf(devlink, sizeof(devlink), "%s/%s/device", netdir, de->d_name) >=
		    (int)sizeof(devlink))
			continue;
		/* No bus device: lo, bridges, veth, tunnels. */
		if (!path_exists(devlink))
			continue;
		r = irq_find_bus_device(devlink, busdev, sizeof(busdev));
		if (r < 0) {
			log_debug("%s: cannot resolve device: %s", de->d_name, strerror(-r));
			continue;
		}
		node = irq_read_node(busdev);
		r = irq_collect_msi(busdev, de->d_name, node, &irqs, &nr_irqs, &cap_irqs, &count);
		if (r == -ENOMEM || r == -E2BIG)
			goto err;
		if (r < 0 && join(irqfile, sizeof(irqfile), busdev, "irq") == 0 &&
		    fileio_read_small(irqfile, buf, sizeof(buf)) > 0 &&
		    parse_u32(buf, IRQ_MAX_NR, &irq) == 0 && irq > 0) {
			r = irq_entries_add(&irqs, &nr_irqs, &cap_irqs, irq, de->d_name, node);
			if (r < 0)
				goto err;
			count = (unsigned int)r;
			legacy = true;
		}
		if (count == 0)
			continue;
		nn = realloc(nics, (nr_nics + 1) * sizeof(*nics));
		if (!nn) {
			r = -ENOMEM;
			goto err;
		}
		nics = nn;
		memset(&nics[nr_nics], 0, sizeof(nics[nr_nics]));
		snprintf(nics[nr_nics].name, sizeof(nics[nr_nics].name), "%s", de->d_name);
		nics[nr_nics].node = node;
		nics[nr_nics].nr_irqs = count;
		nics[nr_nics].legacy = legacy;
		nr_nics++;
	}
	closedir(d);
	if (nr_irqs > 1)
		qsort(irqs, nr_irqs, sizeof(*irqs), cmp_irq);
	*ret_nics = nics;
	*ret_nr_nics = nr_nics;
	*ret_irqs = irqs;
	*ret_nr_irqs = nr_irqs;
	return 0;
err:
	closedir(d);
	free(nics);
	free(irqs);
	return r;
}

/* ------------------------------------------------------------------ plan */

void irq_plan(const struct irq_topo *topo, const struct cpumask *owned, struct irq_entry *irqs,
	      size_t nr_irqs)
{
	for (size_t i = 0; i < nr_irqs; i++) {
		struct irq_entry *e = &irqs[i];
		struct cpumask node, want;

		if (e->status == IRQ_REFUSED)
			continue;
		if (e->node >= 0 && (size_t)e->node < topo->nr_nodes)
			cpumask_and(&node, &topo->node_cpus[e->node], &topo->online);
		else
			node = topo->online;
		if (cpumask_is_empty(&node)) {
			e->status = IRQ_NO_CPUS;
			continue;
		}
		/* Free CPUs of the node; else the node's usable CPUs; else the node. */
		cpumask_andnot(&want, &node, owned);
		cpumask_andnot(&want, &want, &topo->unusable);
		if (cpumask_is_empty(&want))
			cpumask_andnot(&want, &node, &topo->unusable);
		if (cpumask_is_empty(&want))
			want = node;
		e->wanted = want;
		if (e->status == IRQ_NO_CPUS)
			e->status = IRQ_PENDING;
	}
}

/* ------------------------------------------------------------- balancer */

int irq_balancer_init(struct irq_balancer *b, const char *sysfs_root, const char *procfs_root,
		      const char *runtime_dir)
{
	int r;

	memset(b, 0, sizeof(*b));
	if (snprintf(b->sysfs_root, sizeof(b->sysfs_root), "%s", sysfs_root) >=
		    (int)sizeof(b->sysfs_root) ||
	    snprintf(b->procfs_root, sizeof(b->procfs_root), "%s", procfs_root) >=
		    (int)sizeof(b->procfs_root) ||
	    snprintf(b->snapshot_path, sizeof(b->snapshot_path), "%s/%s", runtime_dir,
		     IRQ_SNAPSHOT_NAME) >= (int)sizeof(b->snapshot_path))
		return -ENAMETOOLONG;
	r = irq_discover(b->sysfs_root, &b->nics, &b->nr_nics, &b->irqs, &b->nr_irqs);
	if (r < 0)
		return r;
	b->irqbalance_running = irq_irqbalance_running(procfs_root);
	return 0;
}

void irq_balancer_free(struct irq_balancer *b)
{
	if (!b)
		return;
	free(b->nics);
	free(b->irqs);
	b->nics = NULL;
	b->irqs = NULL;
	b->nr_nics = b->nr_irqs = 0;
}

static const struct irq_nic *find_nic(const struct irq_nic *nics, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(nics[i].name, name) == 0)
			return &nics[i];
	return NULL;
}

int irq_balancer_rescan(struct irq_balancer *b)
{
	struct irq_entry *irqs;
	struct irq_nic *nics;
	size_t nr_irqs, nr_nics;
	int changes = 0, r;

	r = irq_discover(b->sysfs_root, &nics, &nr_nics, &irqs, &nr_irqs);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nr_nics; i++)
		if (!find_nic(b->nics, b->nr_nics, nics[i].name)) {
			log_info("netdev %s: appeared (node %d, %u irqs)", nics[i].name, nics[i].node,
				 nics[i].nr_irqs);
			changes++;
		}
	for (size_t i = 0; i < b->nr_nics; i++)
		if (!find_nic(nics, nr_nics, b->nics[i].name)) {
			log_info("netdev %s: went away", b->nics[i].name);
			changes++;
		}
	/* Keep what we know of IRQs that are still there (both lists are sorted). */
	for (size_t i = 0, j = 0; i < nr_irqs && j < b->nr_irqs;) {
		if (irqs[i].irq < b->irqs[j].irq) {
			i++;
		} else if (irqs[i].irq > b->irqs[j].irq) {
			j++;
		} else {
			char dev[IF_NAMESIZE];
			int node = irqs[i].node;

			memcpy(dev, irqs[i].dev, sizeof(dev));
			irqs[i] = b->irqs[j];
			memcpy(irqs[i].dev, dev, sizeof(dev));
			irqs[i].node = node;
			i++;
			j++;
		}
	}
	free(b->nics);
	free(b->irqs);
	b->nics = nics;
	b->nr_nics = nr_nics;
	b->irqs = irqs;
	b->nr_irqs = nr_irqs;
	b->irqbalance_running = irq_irqbalance_running(b->procfs_root);
	return changes;
}

static void irq_log_failure(const struct irq_entry *e, const char *what, int r)
{
	char cpus[128];

	if (cpumask_format_list(&e->wanted, cpus, sizeof(cpus)) < 0)
		snprintf(cpus, sizeof(cpus), "(%u cpus)", cpumask_weight(&e->wanted));
	log_warn("irq %u (%s): %s smp_affinity_list (wanted %s): %s%s", e->irq, e->dev, what, cpus,
		 strerror(-r), irq_refusal_is_lasting(r) ? " (not retried)" : "");
}

int irq_balancer_apply(struct irq_balancer *b, const struct irq_topo *topo,
		       const struct cpumask *owned)
{
	bool need_save = false;
	int written = 0, r;

	irq_plan(topo, owned, b->irqs, b->nr_irqs);

	/* Pass 1: current state, originals of IRQs about to be written first. */
	for (size_t i = 0; i < b->nr_irqs; i++) {
		struct irq_entry *e = &b->irqs[i];

		if (e->status == IRQ_REFUSED || e->status == IRQ_NO_CPUS)
			continue;
		r = irq_read_affinity(b->procfs_root, e->irq, &e->current);
		if (r < 0) {
			e->err = r;
			e->status = irq_refusal_is_lasting(r) ? IRQ_REFUSED : IRQ_FAILED;
			irq_log_failure(e, "read", r);
			continue;
		}
		if (e->have_written && !cpumask_equal(&e->current, &e->written)) {
			e->drift++;
			log_warn("irq %u (%s): affinity changed behind our back (drift %u)", e->irq,
				 e->dev, e->drift);
			e->have_written = false;
		}
		if (!cpumask_equal(&e->current, &e->wanted) && !e->have_original) {
			e->original = e->current;
			e->have_original = true;
			need_save = true;
		}
	}
	if (need_save) {
		r = irq_save_snapshot(b);
		if (r < 0) {
			for (size_t i = 0; i < b->nr_irqs; i++)
				if (!b->irqs[i].have_written && b->irqs[i].status == IRQ_PENDING)
					b->irqs[i].have_original = false;
			return log_error_errno(r, "%s: cannot save IRQ affinities, not balancing",
					       b->snapshot_path);
		}
	}

	/* Pass 2: write what differs. */
	for (size_t i = 0; i < b->nr_irqs; i++) {
		struct irq_entry *e = &b->irqs[i];

		if (e->status == IRQ_REFUSED || e->status == IRQ_NO_CPUS)
			continue;
		if (e->err && e->status == IRQ_FAILED && !e->have_original)
			continue;
		if (cpumask_equal(&e->current, &e->wanted)) {
			e->status = IRQ_APPLIED;
			e->err = 0;
			continue;
		}
		r = irq_write_affinity(b->procfs_root, e->irq, &e->wanted);
		if (r < 0) {
			e->err = r;
			e->status = irq_refusal_is_lasting(r) ? IRQ_REFUSED : IRQ_FAILED;
			irq_log_failure(e, "write", r);
			continue;
		}
		e->current = e->wanted;
		e->written = e->wanted;
		e->have_written = true;
		e->status = IRQ_APPLIED;
		e->err = 0;
		written++;
	}
	return written;
}

int irq_balancer_restore(struct irq_balancer *b)
{
	int failed = 0, r;

	for (size_t i = 0; i < b->nr_irqs; i++) {
		struct irq_entry *e = &b->irqs[i];
		struct cpumask cur;

		if (!e->have_original)
			continue;
		r = irq_read_affinity(b->procfs_root, e->irq, &cur);
		if (r == -ENOENT)
			continue; /* the IRQ is gone: nothing to restore */
		if (r == 0 && cpumask_equal(&cur, &e->original))
			continue;
		r = irq_write_affinity(b->procfs_root, e->irq, &e->original);
		if (r < 0) {
			log_warn("irq %u (%s): restore original affinity: %s", e->irq, e->dev,
				 strerror(-r));
			failed++;
			continue;
		}
		e->have_written = false;
	}
	if (failed == 0) {
		if (unlink(b->snapshot_path) < 0 && errno != ENOENT)
			log_warn("%s: remove: %s", b->snapshot_path, strerror(errno));
		for (size_t i = 0; i < b->nr_irqs; i++)
			b->irqs[i].have_original = false;
	}
	return failed;
}

/* ------------------------------------------------------------- recovery */

static void irq_move_aside(const char *path)
{
	char aside[PATH_MAX + 32];

	snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path, (long long)time(NULL));
	if (rename(path, aside) < 0)
		log_warn("%s: move aside: %s", path, strerror(errno));
	else
		log_warn("%s: moved aside to %s", path, aside);
}

int irq_recover(const char *runtime_dir, const char *procfs_root)
{
	char path[PATH_MAX], line[CPUMASK_LIST_MAX + 32];
	int restored = 0, failed = 0, lineno = 0, r;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", runtime_dir, IRQ_SNAPSHOT_NAME) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : negative_errno();
	log_warn("%s: found IRQ affinities of an agent that did not stop cleanly, restoring",
		 path);
	while (fgets(line, sizeof(line), f)) {
		struct cpumask orig, cur;
		unsigned int irq;
		char *sp, *nl;

		lineno++;
		nl = strchr(line, '\n');
		if (!nl)
			goto corrupt;
		*nl = '\0';
		if (lineno == 1) {
			if (strcmp(line, IRQ_SNAPSHOT_HEADER) != 0)
				goto corrupt;
			continue;
		}
		sp = strchr(line, ' ');
		if (!sp)
			goto corrupt;
		*sp = '\0';
		if (parse_u32(line, IRQ_MAX_NR, &irq) < 0 || cpumask_parse_list(sp + 1, &orig) < 0 ||
		    cpumask_is_empty(&orig))
			goto corrupt;
		if (irq_read_affinity(procfs_root, irq, &cur) == 0 && cpumask_equal(&cur, &orig))
			continue;
		r = irq_write_affinity(procfs_root, irq, &orig);
		if (r < 0) {
			log_warn("irq %u: restore original affinity %s: %s", irq, sp + 1, strerror(-r));
			failed++;
			continue;
		}
		restored++;
	}
	if (ferror(f) || lineno == 0)
		goto corrupt;
	fclose(f);
	if (failed == 0 && unlink(path) < 0)
		log_warn("%s: remove: %s", path, strerror(errno));
	log_info("%s: restored %d IRQ affinities, %d failed", path, restored, failed);
	return restored;
corrupt:
	fclose(f);
	log_error("%s:%d: corrupt IRQ snapshot", path, lineno);
	irq_move_aside(path);
	return -EINVAL;
}

bool irq_irqbalance_running(const char *procfs_root)
{
	char root[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	if (fileio_path(root, sizeof(root), procfs_root, "") < 0)
		return false;
	d = opendir(root[0] ? root : "/");
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char path[PATH_MAX + 300], comm[64];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", root, de->d_name);
		if (fileio_read_small(path, comm, sizeof(comm)) > 0 && strcmp(comm, "irqbalance") == 0)
			found = true;
	}
	closedir(d);
	return found;
}
