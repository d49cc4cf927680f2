# timeout: 180
# SPDX-License-Identifier: GPL-2.0-only
# The layered scheduler's membership and control loop on the real kernel:
# real tasks land in layers by cgroup, uid, nice, kthread and comm
# (checked with explain and the per-layer task counts); moving a task to
# another cgroup, renicing it and re-applying a config move it, with sched_ext never
# left; a Confined layer under load grows to more CPUs, its tasks stay on
# them, and it shrinks back when the load is gone.

setup() {
	require_sched_ext || return
	mkdir -p /run/scxd /var/lib/scxd-m /sys/fs/cgroup/scxtest
	cat > "$WORKDIR/m1.json" <<'JSON'
[
  {"name": "cg", "matches": [[{"CgroupPrefix": "scxtest/"}]],
   "kind": {"Confined": {"cpus_range": [1, 1], "util_range": [0.1, 0.9]}}},
  {"name": "nobody", "matches": [[{"UIDEquals": 1000}]],
   "kind": {"Grouped": {"cpus_range": [0, 1], "util_range": [0.2, 0.8]}}},
  {"name": "niced", "matches": [[{"NiceAbove": 5}]], "kind": {"Open": {}}},
  {"name": "kthreads", "matches": [[{"IsKthread": true}]], "kind": {"Open": {}}},
  {"name": "byname", "matches": [[{"CommPrefix": "spin-"}]], "kind": {"Open": {}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}
]
JSON
	sed 's/"spin-"/"spin-z"/' "$WORKDIR/m1.json" > "$WORKDIR/m2.json"
	cat > "$WORKDIR/m3.json" <<'JSON'
[
  {"name": "grow", "matches": [[{"CommPrefix": "stress-ng"}]],
   "kind": {"Confined": {"cpus_range": [1, 3], "util_range": [0.3, 0.6]}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}
]
JSON
	rm -f /run/scxd/scxd.sock
	scxd --state-dir /var/lib/scxd-m --no-restore > "$WORKDIR/scxd.log" 2>&1 &
	agent=$!
	wait_for 100 test -S /run/scxd/scxd.sock || { fail "matchers: scxd starts"; cat "$WORKDIR/scxd.log"; return 1; }
}

# in_layer PID NAME: explain puts PID in layer NAME.
in_layer() { scxctl explain "$1" 2>&1 | grep -q "\"$2\""; }

# layer_field NAME FIELD: a number from `scxctl --json status` for layer NAME.
layer_field() {
	scxctl --json status | tr '{' '\n' | grep "\"name\": \"$1\"" |
		sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p"
}

# a_kworker_in LAYER: some unbound kworker is explained as in LAYER.
a_kworker_in() {
	local p
	for p in /proc/[0-9]*; do
		case "$(cat $p/comm 2>/dev/null)" in kworker/u*) in_layer "${p#/proc/}" "$1" && return 0 ;; esac
	done
	return 1
}

# cpu_in_list CPU LIST: CPU is in the CPU list LIST ("0-2,5").
cpu_in_list() {
	local part
	for part in $(echo "$2" | tr ',' ' '); do
		[ "$1" -ge "${part%-*}" ] && [ "$1" -le "${part#*-}" ] && return 0
	done
	return 1
}

cpu_of() { awk '{print $39}' "/proc/$1/stat" 2>/dev/null; }

run() {
	local seq0 a b c d joined tasks cpus list off=0 samples=0 round w cpu workers hog

	check "matchers: apply" scxctl apply "$WORKDIR/m1.json"
	seq0=$(cat /sys/kernel/sched_ext/enable_seq)
	spinner spin-a 2 20 60 & a=$!
	echo "$a" > /sys/fs/cgroup/scxtest/cgroup.procs
	/usr/bin/setpriv --reuid 1000 --regid 1000 --clear-groups spinner spin-b 2 20 60 & b=$!
	spinner spin-c 2 20 60 10 & c=$!
	spinner spin-d 2 20 60 & d=$!

	check "matchers: CgroupPrefix scxtest/ puts spin-a in cg" wait_for 50 in_layer "$a" cg
	check "matchers: UIDEquals 1000 puts spin-b in nobody" wait_for 50 in_layer "$b" nobody
	check "matchers: NiceAbove 5 puts spin-c in niced once it renices itself" wait_for 50 in_layer "$c" niced
	check "matchers: CommPrefix spin- puts spin-d in byname" wait_for 50 in_layer "$d" byname
	check "matchers: IsKthread puts an unbound kworker in kthreads" wait_for 50 a_kworker_in kthreads
	scxctl explain "$a" > "$WORKDIR/explain.out" 2>&1
	check "matchers: explain shows the matching term" grep -q 'CgroupPrefix' "$WORKDIR/explain.out"
	tasks=$(layer_field cg tasks)
	check "matchers: status counts cg's task (tasks=$tasks)" [ "${tasks:-0}" -ge 1 ]
	tasks=$(layer_field kthreads tasks)
	check "matchers: status counts kthreads (tasks=$tasks)" [ "${tasks:-0}" -ge 1 ]
	scxctl status > "$WORKDIR/status.out"
	check "matchers: status shows the scheduler's events" grep -q 'events since attach' "$WORKDIR/status.out"
	joined=$(scxctl --json status | tr '{' '\n' | grep -A1 '"name": "byname"' | sed -n 's/.*"joined": \([0-9]*\).*/\1/p')
	check "matchers: byname counts joined tasks (joined=$joined)" [ "${joined:-0}" -ge 1 ]
	list=$(layer_field cg cpus)
	check "matchers: cg owns one CPU (cpus=$list)" [ "$list" = 1 ]

	# A cgroup move re-matches the task at once.
	echo "$a" > /sys/fs/cgroup/cgroup.procs
	check "matchers: leaving the cgroup moves spin-a to byname" wait_for 50 in_layer "$a" byname
	echo "$a" > /sys/fs/cgroup/scxtest/cgroup.procs
	check "matchers: coming back moves it to cg again" wait_for 50 in_layer "$a" cg

	# A live re-apply changes membership without leaving sched_ext.
	check "matchers: re-apply with CommPrefix spin-z" scxctl apply "$WORKDIR/m2.json"
	check "matchers: spin-d moves to rest" wait_for 50 in_layer "$d" rest
	check "matchers: spin-a stays in cg" in_layer "$a" cg
	check "matchers: sched_ext never left (enable_seq $seq0)" \
		[ "$(cat /sys/kernel/sched_ext/enable_seq)" = "$seq0" ]
	kill "$a" "$b" "$c" "$d" 2>/dev/null
	wait "$a"; wait "$b"; wait "$c"; wait "$d"

	# The control loop: a loaded Confined layer grows, and shrinks back.
	check "loop: apply a Confined layer with cpus_range [1, 3]" scxctl apply "$WORKDIR/m3.json"
	check "loop: idle, it owns one CPU" wait_for 50 sh -c "[ \"\$(scxctl --json status | tr '{' '\n' | grep '\"name\": \"grow\"' | sed -n 's/.*\"cpus\": \([0-9]*\).*/\1/p')\" = 1 ]"
	stress-ng --cpu 3 --timeout 20s --quiet & hog=$!
	check "loop: under load it grows past one CPU" wait_for 100 sh -c "[ \"\$(scxctl --json status | tr '{' '\n' | grep '\"name\": \"grow\"' | sed -n 's/.*\"cpus\": \([0-9]*\).*/\1/p')\" -ge 2 ]"
	cpus=$(layer_field grow cpus)
	list=$(scxctl --json status | tr '{' '\n' | grep '"name": "grow"' | sed -n 's/.*"cpu_list": "\([^"]*\)".*/\1/p')
	workers=$(for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = stress-ng-cpu ] && echo "${p#/proc/}"; done)
	for round in 1 2 3 4 5 6 7 8 9 10; do
		for w in $workers; do
			cpu=$(cpu_of "$w")
			[ -n "$cpu" ] || continue
			samples=$((samples + 1))
			cpu_in_list "$cpu" "$list" || off=$((off + 1))
		done
		sleep 0.1
	done
	echo "grow: cpus=$cpus list=$list util=$(layer_field grow util) load=$(layer_field grow load)"
	# The allocation may change while sampling: allow a tenth of the samples elsewhere.
	check "loop: workers ran on the layer's CPUs $list ($off of $samples elsewhere)" \
		[ "$samples" -gt 0 -a "$off" -le $((samples / 10)) ]
	kill "$hog" 2>/dev/null
	wait "$hog"
	check "loop: without load it shrinks back to one CPU" wait_for 150 sh -c "[ \"\$(scxctl --json status | tr '{' '\n' | grep '\"name\": \"grow\"' | sed -n 's/.*\"cpus\": \([0-9]*\).*/\1/p')\" = 1 ]"
	check "loop: still our scheduler" [ "$(scx_ops)" = scxd_layered ]

	# preempt_first: a light task of a preempt layer next to hogs on every CPU takes CPUs by preemption.
	cat > "$WORKDIR/pf.json" <<'JSON'
[
  {"name": "lat", "matches": [[{"CommPrefix": "spin-lat"}]], "kind": {"Open": {"preempt": true, "preempt_first": true}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}
]
JSON
	check "preempt_first: apply" scxctl apply "$WORKDIR/pf.json"
	stress-ng --cpu 4 --timeout 8s --quiet & hog=$!
	spinner spin-lat 1 10 4 & a=$!
	wait "$a"
	joined=$(scxctl --json status | tr '{' '\n' | grep -A1 '"name": "lat"' | sed -n 's/.*"preempted": \([0-9]*\).*/\1/p')
	check "preempt_first: the latency task preempted hogs (preempted=$joined)" [ "${joined:-0}" -ge 10 ]
	kill "$hog" 2>/dev/null
	wait "$hog"
	check "preempt_first: back to the loop config" scxctl apply "$WORKDIR/m3.json"

	# CPU hotplug: the scheduler stays, and the agent re-plans without the CPU.
	seq0=$(cat /sys/kernel/sched_ext/enable_seq)
	echo 0 > /sys/devices/system/cpu/cpu3/online
	check "hotplug: CPU 3 offline, the agent follows" wait_for 50 sh -c "scxctl topology | grep -q 'CPUs online: 0-2 (3)'"
	list=$(scxctl --json status | tr '{' '\n' | grep '"name": "grow"' | sed -n 's/.*"cpu_list": "\([^"]*\)".*/\1/p')
	if [ -n "$list" ] && ! cpu_in_list 3 "$list"; then pass "hotplug: the layer does not own CPU 3 ($list)"
	else fail "hotplug: the layer does not own CPU 3 ($list)"; fi
	echo 1 > /sys/devices/system/cpu/cpu3/online
	check "hotplug: CPU 3 back online" wait_for 50 sh -c "scxctl topology | grep -q 'CPUs online: 0-3 (4)'"
	check "hotplug: sched_ext stayed enabled throughout (enable_seq $seq0)" \
		[ "$(cat /sys/kernel/sched_ext/enable_seq)" = "$seq0" -a "$(scx_ops)" = scxd_layered ]
	check "matchers: the kernel never ejected the scheduler" sh -c "! grep -q 'ejected by the kernel' $WORKDIR/scxd.log"
	grep -E 'error|warning' "$WORKDIR/scxd.log" | head -20
	return 0
}

cleanup() {
	[ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent"
	rmdir /sys/fs/cgroup/scxtest 2>/dev/null
	return 0
}
