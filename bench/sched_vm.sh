# SPDX-License-Identifier: GPL-2.0-only
# The scheduler benchmark, run in the VM by `make bench-sched` (one boot,
# rounds alternating between the kernel's default scheduler and ours, so
# that both see the same emulated machine). It prints raw measurements as
# tagged lines; bench/sched_report turns them into ratios, a table and a
# plot on the host (busybox awk reads zero-padded numbers as octal).
#
#   LAT MODE ROUND US COUNT     cyclictest histogram bucket (SCHED_OTHER)
#   BATCH MODE ROUND SHARE      CPU share the batch hogs got meanwhile (of all CPUs)
#   SWITCH MODE ROUND OPS_S     stress-ng --switch bogo ops/s (real time)
#   PROG MODE NAME NS CNT       run time of each struct_ops program (bpf_stats)
#
# MODE is "default", "layered", "reserved" (the latency layer owns a CPU)
# or "fifo" (bpf/minimal.bpf.c, the bare global FIFO baseline for the BPF
# run time).
. /tests/lib.sh

ROUNDS=${1:-3}
NCPU=$(grep -c ^processor /proc/cpuinfo)
mkdir -p /run/scxd /var/lib/scxd-bench
cat > /tmp/lat.json <<'JSON'
[
  {"name": "latency", "matches": [[{"CommPrefix": "cyclictest"}]], "kind": {"Open": {"preempt": true}}},
  {"name": "batch", "matches": [[{"CommPrefix": "stress-ng"}]], "kind": {"Open": {}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}
]
JSON
# The same with the latency layer owning one CPU of its own (protected):
# the batch layer may use the other CPUs only, a capacity trade the
# report shows next to the latency.
cat > /tmp/res.json <<'JSON'
[
  {"name": "latency", "matches": [[{"CommPrefix": "cyclictest"}]],
   "kind": {"Confined": {"cpus_range": [1, 1], "util_range": [0.05, 0.95], "protected": true, "preempt": true}}},
  {"name": "batch", "matches": [[{"CommPrefix": "stress-ng"}]], "kind": {"Open": {}}},
  {"name": "rest", "matches": [[]], "kind": {"Open": {}}}
]
JSON
cat > /tmp/open.json <<'JSON'
[{"name": "all", "matches": [[]], "kind": {"Open": {}}}]
JSON

# ticks PID...: utime + stime of the tasks, in clock ticks.
ticks() {
	local p
	for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done | awk '{t += $14 + $15} END {print t + 0}'
}

hog_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = stress-ng-cpu ] && echo "${p#/proc/}"
	done
}

# latency MODE ROUND: cyclictest (SCHED_OTHER) while NCPU hogs saturate every CPU.
latency() {
	local hogs pids t0 t1 s0 s1
	stress-ng --cpu "$NCPU" --timeout 60s --quiet &
	hogs=$!
	sleep 1
	wait_for 50 sh -c "[ \$(grep -lx stress-ng-cpu /proc/[0-9]*/comm 2>/dev/null | wc -l) -ge $NCPU ]"
	pids=$(hog_pids)
	t0=$(ticks $pids)
	s0=$(cut -d' ' -f1 /proc/uptime)
	cyclictest --policy=other -t 1 -i 2000 -l 800 -q -h 200000 --histfile=/tmp/hist > /dev/null 2>&1
	t1=$(ticks $pids)
	s1=$(cut -d' ' -f1 /proc/uptime)
	kill "$hogs" 2>/dev/null
	wait "$hogs"
	# The workers outlive their parent briefly: the next round must not count them.
	wait_for 100 sh -c '! grep -qx stress-ng-cpu /proc/[0-9]*/comm 2>/dev/null'
	grep -v '^#' /tmp/hist | awk -v m="$1" -v r="$2" '$2 !~ /^0+$/ {print "LAT", m, r, $1, $2}'
	echo "BATCH $1 $2 $(awk -v t="$((t1 - t0))" -v a="$s0" -v b="$s1" -v n="$NCPU" \
		'BEGIN {printf "%.3f", t / 100 / ((b - a) * n)}')"
}

# switches MODE ROUND: context-switch throughput, nothing else running.
switches() {
	stress-ng --switch 2 --timeout 5s --metrics-brief 2>&1 |
		awk -v m="$1" -v r="$2" '/metrc:.* switch +[0-9]/ {for (i = 1; i <= NF; i++) if ($i == "switch") print "SWITCH", m, r, $(i + 5)}'
}

# progs MODE: run time per struct_ops program over a mixed load.
progs() {
	echo 1 > /proc/sys/kernel/bpf_stats_enabled
	stress-ng --switch 2 --cpu 2 --timeout 5s --quiet
	bpftool prog show | awk -v m="$1" '
		/^[0-9]+: struct_ops/ {name = ""; for (i = 1; i <= NF; i++) if ($i == "name") name = $(i + 1);
			ns = ""; cnt = ""; for (i = 1; i <= NF; i++) { if ($i == "run_time_ns") ns = $(i + 1); if ($i == "run_cnt") cnt = $(i + 1) }
			if (name != "" && cnt != "") print "PROG", m, name, ns, cnt }'
	echo 0 > /proc/sys/kernel/bpf_stats_enabled
}

start_scxd() {
	rm -f /run/scxd/scxd.sock
	scxd --state-dir /var/lib/scxd-bench --no-restore > /tmp/scxd.log 2>&1 &
	agent=$!
	wait_for 100 test -S /run/scxd/scxd.sock
}

stop_scxd() {
	kill "$agent"
	wait "$agent"
	wait_for 50 is_state disabled
}

echo "INFO kernel $(uname -r) cpus $NCPU rounds $ROUNDS"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	latency default "$r"
	start_scxd
	scxctl apply /tmp/lat.json > /dev/null || echo "ERROR apply lat.json"
	latency layered "$r"
	scxctl apply /tmp/res.json > /dev/null || echo "ERROR apply res.json"
	latency reserved "$r"
	scxctl apply /tmp/open.json > /dev/null || echo "ERROR apply open.json"
	switches layered "$r"
	stop_scxd
	switches default "$r"
	r=$((r + 1))
done

start_scxd
scxctl apply /tmp/open.json > /dev/null || echo "ERROR apply open.json"
progs layered
stop_scxd
mini_loader > /tmp/ml.out 2>&1 &
ml=$!
wait_for 100 grep -q attached /tmp/ml.out
progs fifo
r=1
while [ "$r" -le "$ROUNDS" ]; do
	switches fifo "$r"
	r=$((r + 1))
done
kill -TERM "$ml"
wait "$ml"
grep -E 'error|warning' /tmp/scxd.log | sed 's/^/INFO scxd: /'
# An ejection invalidates the rounds it happened in: the report lists them.
dmesg | grep 'BPF scheduler "scxd_layered" disabled' | grep -v 'unregistered from user space' | sed 's/^/ERROR /'
echo "DONE"
