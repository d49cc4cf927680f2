# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the guest side of the VM tier, sourced by run.sh and by every
# scenario (busybox sh).
#
# A scenario is a file tests/vm/t_<NN>_<name>.sh defining, as in
# selftests/sched_ext:
#   setup()    optional: prepare; `return $SKIP` (after `skip "why"`) when
#              the scenario cannot run here, any other non-zero is a FAIL
#   run()      the checks: one `PASS|FAIL|SKIP name [detail]` line each
#              (use check/pass/fail/skip); a non-zero return is a FAIL too
#   cleanup()  optional: undo setup and run; runs even when they failed
# A first-line comment `# timeout: SECS` overrides the default of 120 s.
# Each scenario runs in its own shell and process group (the runner kills
# whatever it leaves behind) with $WORKDIR, a fresh directory of its own.
# After it, sched_ext must be disabled again, or the scenario FAILs.

SKIP=77

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
skip() { echo "SKIP $*"; }

# check NAME CMD...: PASS if CMD succeeds, FAIL otherwise.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# wait_for TRIES CMD...: retry CMD every 0.1 s, at most TRIES times.
wait_for() {
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

is_function() { type "$1" 2>/dev/null | grep -q 'is a function'; }

scx_state() { cat /sys/kernel/sched_ext/state 2>/dev/null; }
scx_ops() { cat /sys/kernel/sched_ext/root/ops 2>/dev/null; }
is_state() { [ "$(scx_state)" = "$1" ]; }

# ext_enabled PID: the task is scheduled by sched_ext.
ext_enabled() { grep -qE 'ext\.enabled +: +1' "/proc/$1/sched" 2>/dev/null; }

# require_sched_ext: for setup(); SKIP without sched_ext (selftests' rule).
require_sched_ext() {
	[ -e /sys/kernel/sched_ext/state ] && return 0
	skip "$SCENARIO: no sched_ext in this kernel"
	return $SKIP
}

# nic_pci_dir: the PCI device of eth0 (its numa_node, msi_irqs): the
# netdev's `device` is the virtio bus device, the PCI function its parent.
nic_pci_dir() { dirname "$(readlink -f /sys/class/net/eth0/device)"; }

# scenario_main: setup, run, cleanup, as described above.
scenario_main() {
	local rc=0
	if is_function setup; then
		setup
		rc=$?
		if [ "$rc" = "$SKIP" ]; then
			is_function cleanup && cleanup
			return 0
		elif [ "$rc" != 0 ]; then
			fail "$SCENARIO: setup exited $rc"
			is_function cleanup && cleanup
			return 1
		fi
	fi
	run
	rc=$?
	[ "$rc" = 0 ] || fail "$SCENARIO: run exited $rc"
	is_function cleanup && cleanup
	return "$rc"
}
