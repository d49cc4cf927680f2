# SPDX-License-Identifier: GPL-2.0-only
# scxd (sim backend) on the guest's real NIC: the virtio NIC sits on node 1
# (CPUs 2-3); with netdev_irq_balance its IRQs move to node 1's CPUs, come
# back on stop, and come back after kill -9 at the next start.

setup() {
	mkdir -p /run/scxd /var/lib/scxd
	irqs=$(ls "$(nic_pci_dir)/msi_irqs")
	for i in $irqs; do cat /proc/irq/$i/smp_affinity_list > "$WORKDIR/orig.$i"; done
	cat > "$WORKDIR/irq.json" <<'JSON'
{"options": {"netdev_irq_balance": true},
 "layers": [
  {"name": "pinned", "matches": [[{"CommPrefix": "pinned"}]],
   "kind": {"Confined": {"util_range": [0.5, 0.9], "cpus_range": [1, 1]}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}]}
JSON
}

start_scxd() {
	# A socket left by a killed agent must not count as ready.
	rm -f /run/scxd/scxd.sock
	scxd --backend sim "$@" >> "$WORKDIR/scxd.log" 2>&1 &
	echo $! > "$WORKDIR/scxd.pid"
	wait_for 100 test -S /run/scxd/scxd.sock
}

# irqs_restored: how many of the NIC's IRQs have their original affinity.
irqs_restored() {
	local i same=0
	for i in $irqs; do
		[ "$(cat /proc/irq/$i/smp_affinity_list)" = "$(cat "$WORKDIR/orig.$i")" ] && same=$((same + 1))
	done
	echo "$same"
}

run() {
	local moved=0 total=0 refused pid
	start_scxd
	check "agent: scxd answers" scxctl version
	check "agent: apply with netdev_irq_balance" scxctl apply "$WORKDIR/irq.json"
	for i in $irqs; do
		total=$((total + 1))
		[ "$(cat /proc/irq/$i/smp_affinity_list)" = 2-3 ] && moved=$((moved + 1))
	done
	check "irq: NIC IRQs on node 1's CPUs ($moved of $total)" [ "$moved" -ge 1 ]
	scxctl status > "$WORKDIR/status.out"
	check "irq: status lists the NIC's IRQs" grep -q 'eth0' "$WORKDIR/status.out"
	refused=$(grep -c ' refused ' "$WORKDIR/status.out")
	check "irq: every IRQ moved or recorded as refused" [ $((moved + refused)) -eq "$total" ]
	scxctl stop > /dev/null
	check "irq: stop restores the originals" [ "$(irqs_restored)" -eq "$total" ]
	scxctl start > /dev/null
	kill -9 "$(cat "$WORKDIR/scxd.pid")"
	sleep 0.2
	start_scxd --no-restore
	check "irq: after kill -9 the next start restores the originals" [ "$(irqs_restored)" -eq "$total" ]
	pid=$(cat "$WORKDIR/scxd.pid")
	check "agent: capabilities dropped, no_new_privs" sh -c \
		"grep -q 'NoNewPrivs:[[:space:]]*1' /proc/$pid/status && grep -q 'CapEff:[[:space:]]*0000000000000000' /proc/$pid/status"
	[ "$moved" -ge 1 ] || cat "$WORKDIR/scxd.log" "$WORKDIR/status.out"
	return 0
}

# The agent restores the IRQs as it exits: wait for it (the runner kills
# the scenario's processes with SIGKILL afterwards).
cleanup() {
	local pid
	pid=$(cat "$WORKDIR/scxd.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null && wait "$pid"
	return 0
}
