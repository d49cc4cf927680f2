# SPDX-License-Identifier: GPL-2.0-only
# make demo: the scheduler running on a real kernel.
echo "kernel: $(uname -r); CPUs: $(nproc); NUMA nodes: $(ls -d /sys/devices/system/node/node* | wc -l)"
echo "sched_ext state before: $(cat /sys/kernel/sched_ext/state)"
mini_loader > /tmp/ml.out 2>&1 &
ml=$!
i=0; while ! grep -q attached /tmp/ml.out && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
echo "sched_ext state: $(cat /sys/kernel/sched_ext/state), scheduler: $(cat /sys/kernel/sched_ext/root/ops)"
stress-ng --cpu 4 --timeout 2s --metrics-brief 2>&1 | tail -3
for p in 1 $ml $$; do
	printf 'pid %-5s %-12s %s\n' "$p" "$(cat /proc/$p/comm)" "$(grep -E 'ext\.enabled' /proc/$p/sched | tr -s ' ')"
done
kill -TERM $ml; wait $ml
cat /tmp/ml.out
echo "sched_ext state after: $(cat /sys/kernel/sched_ext/state)"

echo
echo "=== scxd: the layered scheduler, a Confined layer for stress-ng, NIC IRQs on node 1"
mkdir -p /run/scxd /var/lib/scxd
scxd > /tmp/scxd.log 2>&1 &
agent=$!
i=0; while [ ! -S /run/scxd/scxd.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
cat > /tmp/demo.json <<'JSON'
{"options": {"netdev_irq_balance": true},
 "layers": [
  {"name": "batch", "matches": [[{"CommPrefix": "stress-ng"}]],
   "kind": {"Confined": {"util_range": [0.8, 0.9], "cpus_range": [1, 1]}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}]}
JSON
scxctl validate /tmp/demo.json
scxctl apply /tmp/demo.json
echo "sched_ext: $(cat /sys/kernel/sched_ext/state), scheduler $(cat /sys/kernel/sched_ext/root/ops)"
stress-ng --cpu 3 --timeout 5s --quiet &
hogs=$!
sleep 1
for p in /proc/[0-9]*; do
	[ "$(cat $p/comm 2>/dev/null)" = stress-ng-cpu ] &&
		echo "stress-ng-cpu pid $(basename $p) runs on CPU $(awk '{print $39}' $p/stat)"
done
scxctl status
scxctl topology
wait $hogs
kill $agent; wait $agent
echo "sched_ext after scxd exits: $(cat /sys/kernel/sched_ext/state)"
