# SPDX-License-Identifier: GPL-2.0-only
# Smoke test of the VM and of the BPF toolchain: the guest's tools run, the
# NUMA layout, the NIC on node 1 with its MSI-X IRQs, and the minimal
# scheduler (bpf/minimal.bpf.c, tests/vm/mini_loader.c) attaching,
# scheduling every task, and going away when its loader is killed or
# detaches. No SKIP here: without sched_ext the smoke test FAILs.

run() {
	check "guest: kernel config at /boot/config-$(uname -r)" \
		grep -q '^CONFIG_SCHED_CLASS_EXT=y' "/boot/config-$(uname -r)"
	check "guest: stress-ng runs" sh -c 'stress-ng --version > /dev/null'
	check "guest: util-linux setpriv runs" sh -c '/usr/bin/setpriv --version > /dev/null'
	check "guest: bpftool runs" sh -c 'bpftool version > /dev/null'
	check "guest: uid 1000 in /etc/passwd" grep -q '^[^:]*:x:1000:' /etc/passwd

	check "numa: node0 cpus 0-1" [ "$(cat /sys/devices/system/node/node0/cpulist)" = 0-1 ]
	check "numa: node1 cpus 2-3" [ "$(cat /sys/devices/system/node/node1/cpulist)" = 2-3 ]

	local pci irqs nirq missing i
	pci=$(nic_pci_dir)
	check "nic: eth0 on numa node 1" [ "$(cat "$pci/numa_node" 2>/dev/null)" = 1 ]
	irqs=$(ls "$pci/msi_irqs" 2>/dev/null)
	nirq=$(echo $irqs | wc -w)
	check "nic: msi-x irqs visible ($nirq)" [ "$nirq" -ge 2 ]
	missing=0
	for i in $irqs; do [ -f "/proc/irq/$i/smp_affinity_list" ] || missing=$((missing + 1)); done
	check "nic: every msi-x irq in /proc/irq" [ "$missing" = 0 ]
	check "nic: 4 rx queues" [ "$(ls -d /sys/class/net/eth0/queues/rx-* | wc -l)" = 4 ]

	check "sched_ext: present and disabled" is_state disabled

	mini_loader > "$WORKDIR/ml.out" 2>&1 &
	local ml=$! sl
	if wait_for 100 grep -q attached "$WORKDIR/ml.out"; then pass "minimal: attached"; else
		fail "minimal: attached"; cat "$WORKDIR/ml.out"; fi
	check "minimal: state enabled" is_state enabled
	check "minimal: ops name scxd_minimal" [ "$(scx_ops)" = scxd_minimal ]
	check "minimal: bpftool lists the struct_ops" sh -c 'bpftool struct_ops show | grep -q minimal_ops'
	sleep 5 &
	sl=$!
	check "minimal: a task has ext.enabled 1" ext_enabled "$sl"
	check "minimal: pid 1 has ext.enabled 1" ext_enabled 1
	check "minimal: stress-ng runs under it" stress-ng --cpu 4 --timeout 2s --quiet
	kill -9 "$ml"
	check "minimal: kill -9 of the loader returns to the default scheduler" wait_for 50 is_state disabled
	check "minimal: tasks leave sched_ext" wait_for 50 sh -c "! grep -qE 'ext\.enabled +: +1' /proc/$sl/sched"
	kill "$sl" 2>/dev/null

	# Clean detach through the loader's SIGTERM path.
	mini_loader > "$WORKDIR/ml2.out" 2>&1 &
	ml=$!
	wait_for 100 grep -q attached "$WORKDIR/ml2.out"
	stress-ng --cpu 2 --timeout 1s --quiet
	kill -TERM "$ml"
	wait "$ml"
	check "minimal: SIGTERM detaches cleanly (exit 0)" [ $? = 0 ]
	if grep -q 'detached: [1-9][0-9]* enqueues, exit kind 64' "$WORKDIR/ml2.out"; then
		pass "minimal: enqueues counted, exit kind SCX_EXIT_UNREG"
	else
		fail "minimal: enqueues counted, exit kind SCX_EXIT_UNREG"
		cat "$WORKDIR/ml2.out"
	fi
	check "minimal: state disabled after detach" wait_for 50 is_state disabled
}
