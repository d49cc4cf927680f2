# SPDX-License-Identifier: GPL-2.0-only
# Guest-side runner of the VM tier: runs every tests/vm/t_*.sh scenario in
# order (or those named as arguments: t_00_smoke, t_00_smoke.sh or a path),
# each as lib.sh describes. Exits non-zero when any check FAILs, when a
# scenario fails or times out, or when no check passed at all.
. /tests/lib.sh

results=/tmp/vm-results
: > "$results"

if [ $# -gt 0 ]; then
	scenarios=
	for a in "$@"; do
		a=${a##*/}
		scenarios="$scenarios /tests/${a%.sh}.sh"
	done
else
	scenarios=$(ls /tests/t_*.sh)
fi

echo "vm: kernel $(uname -r), CPUs $(cat /sys/devices/system/cpu/online), sched_ext $(scx_state || echo absent)"
for t in $scenarios; do
	name=$(basename "$t" .sh)
	echo "=== $name"
	if [ ! -f "$t" ]; then
		echo "FAIL $name: no such scenario" | tee -a "$results"
		continue
	fi
	tmo=$(sed -n '1,5s/^# timeout: *\([0-9][0-9]*\).*/\1/p' "$t" | head -1)
	tmo=${tmo:-120}
	rm -rf "/tmp/$name" && mkdir -p "/tmp/$name"
	# setsid: the scenario's processes form one group, killed afterwards.
	# Its output goes to a file (a process it leaves behind would keep a
	# pipe open), shown when it ends.
	(
		timeout -s KILL "$tmo" setsid sh -c '
			echo $$ > "/tmp/$1.pgid"
			. /tests/lib.sh
			SCENARIO=$1 WORKDIR=/tmp/$1
			. "$2"
			scenario_main' sh "$name" "$t" > "/tmp/$name.out" 2>&1
		echo $? > "/tmp/$name.rc"
	) > /dev/null 2>&1
	rc=$(cat "/tmp/$name.rc")
	pg=$(cat "/tmp/$name.pgid" 2>/dev/null)
	[ -n "$pg" ] && kill -9 -"$pg" 2>/dev/null
	cat "/tmp/$name.out"
	cat "/tmp/$name.out" >> "$results"
	if [ "$rc" = 137 ]; then
		echo "FAIL $name: timed out after ${tmo}s" | tee -a "$results"
		# Its cleanup did not run; whatever it defines is tried now.
		sh -c '. /tests/lib.sh; SCENARIO=$1 WORKDIR=/tmp/$1; . "$2"; is_function cleanup && cleanup' \
			sh "$name" "$t" > /dev/null 2>&1
	elif [ "$rc" != 0 ]; then
		echo "FAIL $name: exited $rc" | tee -a "$results"
	fi
	# Every scenario leaves the kernel on its default scheduler.
	if [ -e /sys/kernel/sched_ext/state ] && ! wait_for 50 is_state disabled; then
		echo "FAIL $name: left sched_ext $(scx_state) ($(scx_ops)); forcing it off" | tee -a "$results"
		echo S > /proc/sysrq-trigger
		wait_for 50 is_state disabled
	fi
done

p=$(grep -c '^PASS' "$results")
f=$(grep -c '^FAIL' "$results")
s=$(grep -c '^SKIP' "$results")
echo "=== vm tier: $p passed, $f failed, $s skipped"
if [ "$f" -gt 0 ] || [ "$p" -eq 0 ]; then
	echo "=== dmesg (last 40 lines)"
	dmesg | tail -40
	exit 1
fi
exit 0
