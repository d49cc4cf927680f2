# SPDX-License-Identifier: GPL-2.0-only
# The packaged units under a real systemd (PID 1 in the VM: tools/vm-run
# --systemd --deb build/scxd_*.deb, run by `make check-vm-systemd`): the
# files the .deb ships, not the build tree's. sysusers and tmpfiles as the
# package's maintainer scripts would run them; the socket started;
# socket activation by a member of scx starts scxd.service (Type=notify);
# that member applies a config and the BPF scheduler attaches inside the
# sandbox, NIC IRQs move to their node, GPU driver probes attach; a
# non-member is refused; kill -9 brings Restart=on-failure and
# the persisted config back; systemd-analyze verify and security.
. /tests/lib.sh

nfail=0
fail() { echo "FAIL $*"; nfail=$((nfail + 1)); }

SCXCTL=/usr/bin/scxctl   # the packaged one (/usr/local/bin has the build's)
CFG=$WORKDIR/vm.json

as_member() { /usr/bin/setpriv --reuid 1000 --regid 1000 --groups "$SCX_GID" -- "$@"; }
as_stranger() { /usr/bin/setpriv --reuid 65534 --regid 65534 --clear-groups -- "$@"; }
prop() { systemctl show -p "$1" --value "$2"; }

WORKDIR=/tmp/systemd-units
mkdir -p "$WORKDIR"
CFG=$WORKDIR/vm.json
cat > "$CFG" <<'JSON'
{"options": {"netdev_irq_balance": true},
 "layers": [
  {"name": "hogs", "matches": [[{"CommPrefix": "stress-ng"}]],
   "kind": {"Confined": {"util_range": [0.5, 0.9], "cpus_range": [1, 2]}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}]}
JSON
chmod 0644 "$CFG"
chmod 0755 "$WORKDIR"

check "systemd: PID 1 is systemd" [ "$(cat /proc/1/comm)" = systemd ]
check "systemd: the package ships scxd.socket and scxd.service" \
	test -f /lib/systemd/system/scxd.socket -a -f /lib/systemd/system/scxd.service
check "systemd: systemd-sysusers creates group scx" systemd-sysusers
SCX_GID=$(awk -F: '$1 == "scx" {print $3}' /etc/group)
check "systemd: group scx exists (gid $SCX_GID)" [ -n "$SCX_GID" ]
check "systemd: systemd-tmpfiles creates the state dir" systemd-tmpfiles --create
check "systemd: /var/lib/scxd is 0700 root" [ "$(stat -c '%a %U' /var/lib/scxd)" = "700 root" ]
systemctl daemon-reload
systemd-analyze verify --man=no /lib/systemd/system/scxd.socket /lib/systemd/system/scxd.service \
	> "$WORKDIR/verify.out" 2>&1
check "systemd: systemd-analyze verify is clean" sh -c "! grep -v '^$' $WORKDIR/verify.out | grep -q ."
cat "$WORKDIR/verify.out"

check "systemd: systemctl enable --now scxd.socket" systemctl enable --now scxd.socket
check "systemd: the socket is 0660 root:scx" \
	[ "$(stat -c '%a %U %G' /run/scxd/scxd.sock)" = "660 root scx" ]
check "systemd: scxd.service is not running before the first client" \
	sh -c "[ \"\$(systemctl is-active scxd.service)\" != active ]"
as_member "$SCXCTL" status > "$WORKDIR/status.out" 2>&1
check "systemd: a member of scx gets status (socket activation)" [ $? = 0 ]
check "systemd: scxd.service is active (Type=notify readiness)" \
	[ "$(systemctl is-active scxd.service)" = active ]
as_member "$SCXCTL" apply "$CFG" > "$WORKDIR/apply.out" 2>&1
check "systemd: the member applies a config" [ $? = 0 ]
cat "$WORKDIR/apply.out"
check "systemd: the BPF scheduler attached inside the sandbox" wait_for 50 is_state enabled
check "systemd: ops scxd_layered" [ "$(scx_ops)" = scxd_layered ]
pci=$(nic_pci_dir)
all_on_node1() {
	local i
	for i in $(ls "$pci/msi_irqs"); do
		[ "$(cat /proc/irq/$i/smp_affinity_list)" = 2-3 ] || return 1
	done
}
check "systemd: IRQ balancing writes /proc/irq in the sandbox (every NIC IRQ on node 1's CPUs)" wait_for 50 all_on_node1
for i in $(ls "$pci/msi_irqs"); do echo "irq $i: $(cat /proc/irq/$i/smp_affinity_list)"; done | tr '\n' ' '; echo
cat > "$WORKDIR/gpu.json" <<'JSON'
{"options": {"netdev_irq_balance": true, "enable_gpu_support": true, "gpu_probe_symbols": ["__x64_sys_getppid"]},
 "layers": [
  {"name": "gpu", "matches": [[{"UsedGpuPid": true}]], "kind": {"Open": {}}},
  {"name": "hogs", "matches": [[{"CommPrefix": "stress-ng"}]],
   "kind": {"Confined": {"util_range": [0.5, 0.9], "cpus_range": [1, 2]}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}]}
JSON
chmod 0644 "$WORKDIR/gpu.json"
as_member "$SCXCTL" apply "$WORKDIR/gpu.json" > "$WORKDIR/gpu.out" 2>&1
as_member "$SCXCTL" status > "$WORKDIR/gpu-status.out" 2>&1
check "systemd: GPU probes attach in the sandbox (kallsyms readable, kprobe.multi allowed)" \
	grep -q '__x64_sys_getppid attached' "$WORKDIR/gpu-status.out"
grep gpu: "$WORKDIR/gpu-status.out"
rc=0; as_stranger "$SCXCTL" apply "$CFG" > "$WORKDIR/stranger.out" 2>&1 || rc=$?
check "systemd: a non-member's apply is refused (exit $rc), naming the group scx" \
	sh -c "[ $rc = 3 ] || [ $rc = 4 ]"
grep -q scx "$WORKDIR/stranger.out" || { fail "systemd: the refusal names group scx"; cat "$WORKDIR/stranger.out"; }
pid=$(prop MainPID scxd.service)
capeff=$(awk '/^CapEff/ {print $2}' /proc/$pid/status)
check "systemd: scxd keeps only CAP_BPF+CAP_PERFMON under systemd ($capeff)" [ "$capeff" = 000000c000000000 ]
check "systemd: NoNewPrivs 1" [ "$(awk '/^NoNewPrivs/ {print $2}' /proc/$pid/status)" = 1 ]
kill -9 "$pid"
check "systemd: after kill -9, Restart=on-failure starts it again" \
	wait_for 100 sh -c "[ \"\$(systemctl show -p NRestarts --value scxd.service)\" = 1 ] && [ \"\$(systemctl is-active scxd.service)\" = active ]"
check "systemd: the restarted agent re-attaches the persisted config" wait_for 100 is_state enabled
as_member "$SCXCTL" status > "$WORKDIR/status2.out" 2>&1
check "systemd: status after the restart shows the layers" grep -q hogs "$WORKDIR/status2.out"
systemd-analyze security scxd.service > "$WORKDIR/security.out" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for scxd.service: \([0-9.]*\).*/\1/p' "$WORKDIR/security.out")
echo "systemd-analyze security: exposure $exposure"
check "systemd: exposure $exposure is at most 2.0" awk -v e="$exposure" 'BEGIN {exit !(e != "" && e + 0 <= 2.0)}'
check "systemd: stop the service and the socket" systemctl stop scxd.service scxd.socket
check "systemd: sched_ext is off after the stop" wait_for 50 is_state disabled
check "systemd: the socket file is gone (RemoveOnStop)" test ! -e /run/scxd/scxd.sock
exit "$nfail"
