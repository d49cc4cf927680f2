# SPDX-License-Identifier: GPL-2.0-only
# scxd (sim backend) on the guest's real NIC: the virtio NIC sits on node 1
# (CPUs 2-3); with netdev_irq_balance its IRQs move to node 1's CPUs, come
# back on stop, and come back after kill -9 at the next start.

mkdir -p /run/scxd /var/lib/scxd
pci=$(dirname "$(readlink -f /sys/class/net/eth0/device)")
irqs=$(ls "$pci/msi_irqs")
for i in $irqs; do cat /proc/irq/$i/smp_affinity_list > /tmp/orig.$i; done

start_scxd() {
	# A socket left by a killed agent must not count as ready.
	rm -f /run/scxd/scxd.sock
	scxd --backend sim "$@" >> /tmp/scxd.log 2>&1 &
	echo $! > /tmp/scxd.pid
	wait_for 100 test -S /run/scxd/scxd.sock
}

cat > /tmp/irq.json <<'JSON'
{"options": {"netdev_irq_balance": true},
 "layers": [
  {"name": "pinned", "matches": [[{"CommPrefix": "pinned"}]],
   "kind": {"Confined": {"util_range": [0.5, 0.9], "cpus_range": [1, 1]}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}]}
JSON

start_scxd
check "agent: scxd answers" scxctl version
check "agent: apply with netdev_irq_balance" scxctl apply /tmp/irq.json
moved=0; total=0
for i in $irqs; do
	total=$((total + 1))
	[ "$(cat /proc/irq/$i/smp_affinity_list)" = 2-3 ] && moved=$((moved + 1))
done
check "irq: NIC IRQs on node 1's CPUs ($moved of $total)" [ "$moved" -ge 1 ]
scxctl status > /tmp/status.out
check "irq: status lists the NIC's IRQs" grep -q 'eth0' /tmp/status.out
refused=$(grep -c ' refused ' /tmp/status.out)
check "irq: every IRQ moved or recorded as refused" [ $((moved + refused)) -eq "$total" ]
scxctl stop >/dev/null
same=0
for i in $irqs; do [ "$(cat /proc/irq/$i/smp_affinity_list)" = "$(cat /tmp/orig.$i)" ] && same=$((same + 1)); done
check "irq: stop restores the originals" [ "$same" -eq "$total" ]
scxctl start >/dev/null
kill -9 "$(cat /tmp/scxd.pid)"
sleep 0.2
start_scxd --no-restore
same=0
for i in $irqs; do [ "$(cat /proc/irq/$i/smp_affinity_list)" = "$(cat /tmp/orig.$i)" ] && same=$((same + 1)); done
check "irq: after kill -9 the next start restores the originals" [ "$same" -eq "$total" ]
check "agent: capabilities dropped, no_new_privs" sh -c "grep -q 'NoNewPrivs:[[:space:]]*1' /proc/$(cat /tmp/scxd.pid)/status && grep -q 'CapEff:[[:space:]]*0000000000000000' /proc/$(cat /tmp/scxd.pid)/status"
kill "$(cat /tmp/scxd.pid)"
[ "$moved" -ge 1 ] || cat /tmp/scxd.log /tmp/status.out
