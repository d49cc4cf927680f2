# SPDX-License-Identifier: GPL-2.0-only
# scxd with the bpf backend on the real kernel: the layered scheduler
# attaches, a Confined layer's tasks run only on its CPU, explain names
# their layer, a re-apply leaves sched_ext enabled (enable_seq unchanged),
# the agent keeps only CAP_BPF and CAP_PERFMON, and kill -9 of scxd
# returns the kernel to its default scheduler.

setup() {
	require_sched_ext || return
	mkdir -p /run/scxd /var/lib/scxd-bpf
	cat > "$WORKDIR/bpf1.json" <<'JSON'
[
  {"name": "hogs", "matches": [[{"CommPrefix": "stress-ng"}]],
   "kind": {"Confined": {"util_range": [0.5, 0.9], "cpus_range": [1, 1]}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}
]
JSON
	sed 's/"hogs"/"hogs2"/; s/\[1, 1\]/[2, 2]/' "$WORKDIR/bpf1.json" > "$WORKDIR/bpf2.json"
	sed 's/^\[/{"options": {"netdev_irq_balance": true}, "layers": [/; s/^\]$/]}/' \
		"$WORKDIR/bpf1.json" > "$WORKDIR/bpf3.json"
	rm -f /run/scxd/scxd.sock
	scxd --state-dir /var/lib/scxd-bpf --no-restore > "$WORKDIR/scxd.log" 2>&1 &
	agent=$!
	wait_for 100 test -S /run/scxd/scxd.sock || { fail "bpf: scxd starts"; cat "$WORKDIR/scxd.log"; return 1; }
}

run() {
	local seq0 seq1 hog workers nw off=0 samples=0 round w cpu w1 pci first capeff nnp

	check "bpf: apply attaches the layered scheduler" scxctl apply "$WORKDIR/bpf1.json"
	check "bpf: sched_ext enabled" is_state enabled
	check "bpf: ops name scxd_layered" [ "$(scx_ops)" = scxd_layered ]
	seq0=$(cat /sys/kernel/sched_ext/enable_seq)

	stress-ng --cpu 3 --timeout 10s --quiet &
	hog=$!
	sleep 0.5
	workers=$(for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = stress-ng-cpu ] && basename $p; done)
	nw=$(echo $workers | wc -w)
	for round in 1 2 3 4 5 6 7 8 9 10; do
		for w in $workers; do
			cpu=$(awk '{print $39}' /proc/$w/stat 2>/dev/null)
			[ -n "$cpu" ] || continue
			samples=$((samples + 1))
			[ "$cpu" = 0 ] || off=$((off + 1))
		done
		sleep 0.1
	done
	check "bpf: $nw hog workers found" [ "$nw" -ge 1 ]
	check "bpf: the Confined layer's tasks ran only on CPU 0 ($off of $samples samples elsewhere)" \
		[ "$samples" -gt 0 -a "$off" = 0 ]
	w1=
	for w in $workers; do [ -d /proc/$w ] && { w1=$w; break; }; done
	scxctl explain "$w1" > "$WORKDIR/explain.out" 2>&1
	check "bpf: explain names the layer" grep -q '"hogs"' "$WORKDIR/explain.out"
	if ext_enabled "$w1"; then pass "bpf: hog worker is on sched_ext"; else
		fail "bpf: hog worker is on sched_ext"; cat "$WORKDIR/explain.out"
		grep -E 'ext|policy' /proc/$w1/sched; cat /proc/$w1/comm; fi

	check "bpf: re-apply" scxctl apply "$WORKDIR/bpf2.json"
	check "bpf: re-apply kept sched_ext enabled (enable_seq $seq0)" \
		[ "$(cat /sys/kernel/sched_ext/enable_seq)" = "$seq0" ]
	check "bpf: still our scheduler" [ "$(scx_ops)" = scxd_layered ]
	kill "$hog" 2>/dev/null
	wait "$hog"

	# IRQ balancing with the bpf backend: the NIC on node 1 gets node 1's CPUs.
	check "bpf: apply with netdev_irq_balance" scxctl apply "$WORKDIR/bpf3.json"
	pci=$(nic_pci_dir)
	first=$(ls "$pci/msi_irqs" | head -1)
	check "bpf: NIC irq $first on node 1's CPUs" [ "$(cat /proc/irq/$first/smp_affinity_list)" = 2-3 ]

	# sysrq-S ejects the scheduler; the agent logs the kernel's reason and attaches again.
	seq1=$(cat /sys/kernel/sched_ext/enable_seq)
	echo S > /proc/sysrq-trigger
	check "bpf: after sysrq-S the agent re-attaches" wait_for 100 sh -c \
		"[ \$(cat /sys/kernel/sched_ext/enable_seq) -gt $seq1 ] && [ \$(cat /sys/kernel/sched_ext/state) = enabled ]"
	check "bpf: the ejection reason is logged" grep -q 'ejected by the kernel' "$WORKDIR/scxd.log"
	check "bpf: status says attached again" sh -c "scxctl status | grep -q 'scheduler:  attached'"

	capeff=$(awk '/^CapEff/ {print $2}' /proc/$agent/status)
	nnp=$(awk '/^NoNewPrivs/ {print $2}' /proc/$agent/status)
	check "bpf: agent CapEff $capeff is CAP_BPF+CAP_PERFMON only" [ "$capeff" = 000000c000000000 ]
	check "bpf: agent NoNewPrivs 1" [ "$nnp" = 1 ]
	kill -9 "$agent"
	wait "$agent" 2>/dev/null
	check "bpf: kill -9 of scxd returns to the default scheduler" wait_for 50 is_state disabled
	grep -E 'error|warning' "$WORKDIR/scxd.log" | head -20
	return 0
}

cleanup() {
	[ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent"
	return 0
}
