# timeout: 300
# SPDX-License-Identifier: GPL-2.0-only
# GPU and NUMA layers on the real kernel (issue: GPU and NUMA layers).
# GPU: getppid(2) stands in for a GPU driver entry point (option
# gpu_probe_symbols); tests/vm/gpuser.c calls it from one thread. That
# thread joins the UsedGpuTid layer at once, its sibling and its leader the
# UsedGpuPid layer, never its parent; member_expire_ms 0 never expires, a
# window expires and the next call brings the thread back; an exited
# process leaves no entry behind. NUMA: tasks pinned to node 0 or node 1
# land in per-node layers and run there, an unpinned one in neither, and
# re-pinning a running task moves it; a task of a layer confined to the
# other node still runs; tasks stay on their node until their layer is
# overloaded there (cross-NUMA gating); a config naming node 2 is refused by
# scxctl and, checked only by the agent, by scxd.

setup() {
	require_sched_ext || return
	mkdir -p /run/scxd /var/lib/scxd-g
	cat > "$WORKDIR/g0.json" <<'JSON'
{"options": {"enable_gpu_support": true, "gpu_probe_symbols": ["__x64_sys_getppid", "scxd_no_such_driver_fn"]},
 "layers": [
  {"name": "gputid", "matches": [[{"UsedGpuTid": true}, {"CommPrefix": "gpuser"}]], "kind": {"Open": {}}},
  {"name": "gpupid", "matches": [[{"UsedGpuPid": true}]], "kind": {"Open": {}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}]}
JSON
	sed 's/"kind": {"Open": {}}}/"kind": {"Open": {"member_expire_ms": 1500}}}/' "$WORKDIR/g0.json" > "$WORKDIR/g1.json"
	cat > "$WORKDIR/n1.json" <<'JSON'
[
  {"name": "away", "matches": [[{"CommPrefix": "spin-x"}]],
   "kind": {"Confined": {"cpus_range": [1, 1], "util_range": [0.1, 0.9], "nodes": [0]}}},
  {"name": "node0", "matches": [[{"NumaNode": 0}, {"CommPrefix": "spin-"}]],
   "kind": {"Confined": {"cpus_range": [1, 2], "util_range": [0.1, 0.9], "nodes": [0]}}},
  {"name": "node1", "matches": [[{"NumaNode": 1}, {"CommPrefix": "spin-"}]],
   "kind": {"Confined": {"cpus_range": [1, 2], "util_range": [0.1, 0.9], "nodes": [1]}}},
  {"name": "byname", "matches": [[{"CommPrefix": "spin-"}]], "kind": {"Open": {}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}
]
JSON
	sed 's/"NumaNode": 1/"NumaNode": 2/' "$WORKDIR/n1.json" > "$WORKDIR/n2.json"
	rm -f /run/scxd/scxd.sock
	scxd --state-dir /var/lib/scxd-g --no-restore > "$WORKDIR/scxd.log" 2>&1 &
	agent=$!
	wait_for 100 test -S /run/scxd/scxd.sock || { fail "gpu: scxd starts"; cat "$WORKDIR/scxd.log"; return 1; }
}

in_layer() { scxctl explain "$1" 2>&1 | grep -q "\"$2\""; }
cpu_of() { awk '{print $39}' "/proc/$1/stat" 2>/dev/null; }
hog_workers() {
	local p
	for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = stress-ng-cpu ] && echo "${p#/proc/}"; done
}
# hogs_on_node1: some stress-ng worker is running on node 1 (CPU 2 or 3).
hogs_on_node1() {
	local w c
	for w in $(hog_workers); do c=$(cpu_of "$w"); [ -n "$c" ] && [ "$c" -ge 2 ] && return 0; done
	return 1
}

# gpuser_start SECS: start tests/vm/gpuser (a parent that forks the GPU
# process and keeps waking); sets parent, gp (the GPU process), caller and
# sibling (its threads).
gpuser_start() {
	gpuser gpuser "$1" > "$WORKDIR/gpuser.out" &
	parent=$!   # gpuser's first process only forks the GPU process and waits
	wait_for 50 grep -q caller "$WORKDIR/gpuser.out"
	caller=$(awk '/^caller/ {print $2}' "$WORKDIR/gpuser.out")
	sibling=$(awk '/^caller/ {print $4}' "$WORKDIR/gpuser.out")
	gp=$(awk '/^Tgid/ {print $2}' "/proc/$caller/status")
}

# gpu_tgid_has TGID: the BPF map of GPU processes has TGID.
gpu_tgid_has() { bpftool map dump name gpu_tgid 2>/dev/null | grep -qE "\"key\": $1[,}]| $1$"; }

run() {
	local caller sibling gp parent a b c x t0 t1 fb off samples w cpu round hog n1

	# --- GPU, memberships that never expire
	check "gpu: apply with a stand-in probe symbol" scxctl apply "$WORKDIR/g0.json"
	scxctl status > "$WORKDIR/status.out"
	check "gpu: status lists the probe as attached" grep -q '__x64_sys_getppid attached' "$WORKDIR/status.out"
	check "gpu: a symbol no driver has is listed as missing, not fatal" \
		grep -q 'scxd_no_such_driver_fn missing' "$WORKDIR/status.out"
	gpuser_start 30
	check "gpu: the calling thread joins the UsedGpuTid layer at once" wait_for 20 in_layer "$caller" gputid
	check "gpu: its sibling thread joins the UsedGpuPid layer" wait_for 20 in_layer "$sibling" gpupid
	check "gpu: so does its group leader" wait_for 20 in_layer "$gp" gpupid
	check "gpu: the parent that forked it does not" sh -c "sleep 1; scxctl explain $parent | grep -q '\"rest\"'"
	scxctl explain "$caller" > "$WORKDIR/explain.out"
	check "gpu: explain shows the last driver call" grep -q 'last driver call' "$WORKDIR/explain.out"
	check "gpu: member_expire_ms 0 never expires (still in after 3 s)" sh -c "sleep 3; scxctl explain $caller | grep -q '\"gputid\"'"
	check "gpu: the process is in the GPU map" gpu_tgid_has "$gp"
	kill "$gp"
	wait "$parent"
	check "gpu: an exited process leaves no entry in the map" sh -c "! bpftool map dump name gpu_tgid | grep -qE '\"key\": $gp[,}]'"

	# --- GPU, a membership window of 1.5 s
	check "gpu: apply with member_expire_ms 1500" scxctl apply "$WORKDIR/g1.json"
	gpuser_start 40
	check "gpu: windowed: the calling thread joins" wait_for 20 in_layer "$caller" gputid
	scxctl explain "$caller" > "$WORKDIR/explain.out"
	check "gpu: explain says when the membership expires" grep -q 'membership expires in' "$WORKDIR/explain.out"
	check "gpu: without calls it leaves after the window" wait_for 60 in_layer "$caller" rest
	check "gpu: its sibling leaves too" wait_for 30 in_layer "$sibling" rest
	kill -USR1 "$gp"
	check "gpu: the next driver call brings it back at once" wait_for 20 in_layer "$caller" gputid
	kill "$gp"
	wait "$parent"

	# --- NUMA
	check "numa: apply per-node layers" scxctl apply "$WORKDIR/n1.json"
	taskset 0x3 spinner spin-n0 2 20 60 & a=$!
	taskset 0xc spinner spin-n1 2 20 60 & b=$!
	spinner spin-any 2 20 60 & c=$!
	check "numa: a task pinned to node 0 is in node0" wait_for 50 in_layer "$a" node0
	check "numa: a task pinned to node 1 is in node1" wait_for 50 in_layer "$b" node1
	check "numa: an unpinned task is in neither" wait_for 50 in_layer "$c" byname
	off=0; samples=0
	for round in 1 2 3 4 5 6 7 8 9 10; do
		for w in "$a" "$b"; do
			cpu=$(cpu_of "$w")
			[ -n "$cpu" ] || continue
			samples=$((samples + 1))
			if [ "$w" = "$a" ]; then [ "$cpu" -le 1 ] || off=$((off + 1)); else [ "$cpu" -ge 2 ] || off=$((off + 1)); fi
		done
		sleep 0.1
	done
	check "numa: they run only on their node's CPUs ($off of $samples samples elsewhere)" [ "$samples" -gt 0 -a "$off" = 0 ]
	taskset -p 0xc "$a" > /dev/null
	check "numa: re-pinning a running task to node 1 moves it to node1" wait_for 20 in_layer "$a" node1
	taskset -p 0xf "$a" > /dev/null
	check "numa: unpinning it moves it out of the node layers" wait_for 20 in_layer "$a" byname
	# A task of a layer confined to node 0, pinned to node 1: it never stalls (fallback).
	taskset 0xc spinner spin-x 5 20 60 & x=$!
	check "numa: a task pinned away from its layer's node is in that layer" wait_for 50 in_layer "$x" away
	t0=$(awk '{print $14 + $15}' /proc/$x/stat)
	sleep 2
	t1=$(awk '{print $14 + $15}' /proc/$x/stat)
	check "numa: it still runs, on its own node (cpu time $t0 -> $t1 ticks, CPU $(cpu_of $x))" \
		[ "$t1" -gt "$t0" -a "$(cpu_of $x)" -ge 2 ]
	fb=$(scxctl --json status | tr '{' '\n' | grep -A1 '"name": "away"' | sed -n 's/.*"fallback": \([0-9]*\).*/\1/p')
	check "numa: through the fallback queue (fallback=$fb)" [ "${fb:-0}" -ge 1 ]
	kill "$a" "$b" "$c" "$x"
	wait "$a"; wait "$b"; wait "$c"; wait "$x"
	# Cross-NUMA gating: tasks stay on their node until the layer is overloaded there.
	cat > "$WORKDIR/x1.json" <<'JSON'
[
  {"name": "spread", "matches": [[{"CommPrefix": "stress-ng"}, {"CommPrefix": "spin-"}]], "kind": {"Open": {}}},
  {"name": "hogs", "matches": [[{"CommPrefix": "stress-ng"}]], "kind": {"Open": {}}},
  {"name": "light", "matches": [[{"CommPrefix": "spin-"}]], "kind": {"Open": {}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}
]
JSON
	check "xnuma: apply (default thresholds)" scxctl apply "$WORKDIR/x1.json"
	taskset 0x1 spinner spin-light 2 40 30 & x=$!
	sleep 0.5
	taskset -p 0xf "$x" > /dev/null
	off=0; samples=0
	for round in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		cpu=$(cpu_of "$x"); samples=$((samples + 1))
		[ "$cpu" -le 1 ] || off=$((off + 1))
		sleep 0.1
	done
	check "xnuma: a light task started on node 0 stays there once unpinned ($off of $samples samples on node 1)" [ "$off" = 0 ]
	kill "$x"; wait "$x"
	taskset 0x3 stress-ng --cpu 4 --timeout 90s --quiet & hog=$!
	wait_for 50 sh -c "[ \$(grep -lx stress-ng-cpu /proc/[0-9]*/comm 2>/dev/null | wc -l) -ge 4 ]"
	for w in $(hog_workers); do taskset -p 0xf "$w" > /dev/null; done
	check "xnuma: 4 hogs on node 0's 2 CPUs make node 0 a migration source" \
		wait_for 150 grep -q 'layer "hogs": node 0 becomes a cross-NUMA migration source' "$WORKDIR/scxd.log"
	check "xnuma: then hogs run on node 1 too" wait_for 100 hogs_on_node1
	kill "$hog"; wait "$hog"
	grep 'cross-NUMA' "$WORKDIR/scxd.log" | head -5

	scxctl apply "$WORKDIR/n2.json" > "$WORKDIR/n2.out" 2>&1
	check "numa: scxctl refuses NumaNode 2 on 2 nodes (exit 1)" [ $? = 1 ]
	check "numa: and says why" grep -q 'NumaNode 2 does not exist' "$WORKDIR/n2.out"
	scxctl apply --agent-topology "$WORKDIR/n2.json" > "$WORKDIR/n2a.out" 2>&1
	check "numa: scxd refuses it too when only it checks (exit 1)" [ $? = 1 ]
	check "numa: scxd names the layer's clause" grep -q 'agent: .*NumaNode 2' "$WORKDIR/n2a.out"
	check "numa: the running config did not change" sh -c "scxctl get-config | grep -q '\"spread\"'"
	check "gpu/numa: the kernel never ejected the scheduler" sh -c "! grep -q 'ejected by the kernel' $WORKDIR/scxd.log"
	grep -E 'error|warning' "$WORKDIR/scxd.log" | head -20
	return 0
}

cleanup() {
	[ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent"
	return 0
}
