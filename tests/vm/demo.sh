# SPDX-License-Identifier: GPL-2.0-only
# make demo: a sched_ext scheduler running on a real kernel, for humans.
# First the minimal scheduler with its test loader, then scxd with the
# layered scheduler: a latency layer (cyclictest, preempting) and a batch
# layer (stress-ng) that the control loop grows under load and shrinks
# after it, and the NIC's IRQs on its NUMA node.
. /tests/lib.sh

show_tasks() {
	local p
	for p in "$@"; do
		printf '    pid %-5s %-16s ext.enabled %s\n' "$p" "$(cat /proc/$p/comm)" \
			"$(awk '/^ext\.enabled/ {print $3}' /proc/$p/sched)"
	done
}

echo "=== the VM"
echo "kernel $(uname -r), CPUs $(cat /sys/devices/system/cpu/online)"
for n in /sys/devices/system/node/node[0-9]*; do
	echo "NUMA ${n##*/}: CPUs $(cat $n/cpulist)"
done
pci=$(nic_pci_dir)
echo "NIC eth0: PCI ${pci##*/} on node $(cat $pci/numa_node), $(ls $pci/msi_irqs | wc -l) MSI-X IRQs"

echo
echo "=== the minimal scheduler (bpf/minimal.bpf.c): one global FIFO"
echo "sched_ext state before: $(scx_state)"
mini_loader > /tmp/ml.out 2>&1 &
ml=$!
wait_for 100 grep -q attached /tmp/ml.out
echo "sched_ext state: $(scx_state), scheduler: $(scx_ops)"
sleep 3 &
sl=$!
echo "tasks:"
show_tasks 1 $$ $ml $sl
echo "stress-ng under it:"
stress-ng --cpu 4 --timeout 2s --metrics-brief 2>&1 | tail -2 | sed 's/^/    /'
kill -TERM $ml
wait $ml
sed 's/^/    loader: /' /tmp/ml.out
echo "sched_ext state after: $(scx_state)"
echo "tasks:"
show_tasks 1 $sl
kill $sl 2>/dev/null

echo
echo "=== scxd: the layered scheduler with a batch and a latency layer, NIC IRQs on node 1"
mkdir -p /run/scxd /var/lib/scxd
scxd > /tmp/scxd.log 2>&1 &
agent=$!
wait_for 100 test -S /run/scxd/scxd.sock
cat > /tmp/demo.json <<'JSON'
{"options": {"netdev_irq_balance": true},
 "layers": [
  {"name": "latency", "comment": "wake-up sensitive: preempts the others",
   "matches": [[{"CommPrefix": "cyclictest"}]],
   "kind": {"Open": {"preempt": true, "slice_us": 5000}}},
  {"name": "batch", "comment": "CPU hogs: 1 to 3 CPUs of their own, as their load needs",
   "matches": [[{"CommPrefix": "stress-ng"}]],
   "kind": {"Confined": {"util_range": [0.6, 0.9], "cpus_range": [1, 3]}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}]}
JSON
scxctl validate /tmp/demo.json
scxctl apply /tmp/demo.json
echo "sched_ext: $(scx_state), scheduler $(scx_ops)"
stress-ng --cpu 3 --timeout 12s --quiet &
hogs=$!
cyclictest --policy=other -t 1 -i 5000 -l 1600 -q > /dev/null 2>&1 &
cyc=$!
echo "batch under load for 5 s: the control loop gives it CPUs"
sleep 5
for p in /proc/[0-9]*; do
	[ "$(cat $p/comm 2>/dev/null)" = stress-ng-cpu ] &&
		echo "stress-ng-cpu pid ${p#/proc/} runs on CPU $(awk '{print $39}' $p/stat)"
done
scxctl status
echo
scxctl explain "$cyc"
echo
scxctl topology
kill "$cyc" 2>/dev/null
wait "$cyc"
wait "$hogs"
echo
echo "without load the batch layer shrinks back:"
sleep 3
scxctl status | sed -n '/LAYER/,$p'
kill $agent
wait $agent
echo "sched_ext after scxd exits: $(scx_state)"
