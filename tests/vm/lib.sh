# SPDX-License-Identifier: GPL-2.0-only
# Helpers for guest-side scenarios: one `PASS|FAIL|SKIP name [detail]` line
# per check, as in selftests/sched_ext. Sourced by tests/vm/run.sh.

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

scx_state() { cat /sys/kernel/sched_ext/state 2>/dev/null; }
scx_ops() { cat /sys/kernel/sched_ext/root/ops 2>/dev/null; }
is_state() { [ "$(scx_state)" = "$1" ]; }

# ext_enabled PID: the task is scheduled by sched_ext.
ext_enabled() { grep -qE 'ext\.enabled +: +1' "/proc/$1/sched" 2>/dev/null; }
