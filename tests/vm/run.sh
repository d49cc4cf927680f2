# SPDX-License-Identifier: GPL-2.0-only
# Guest-side runner of the VM tier: runs every tests/vm/t_*.sh scenario (or
# those named as arguments) and fails when any check fails, when a scenario
# exits non-zero, or when no check passed at all.
. /tests/lib.sh

out=/tmp/vm-results
: > "$out"
scenarios=${*:-$(ls /tests/t_*.sh)}
for t in $scenarios; do
	echo "=== $(basename "$t")"
	sh -c ". /tests/lib.sh; . $t" > /tmp/scenario.out 2>&1
	rc=$?
	cat /tmp/scenario.out
	cat /tmp/scenario.out >> "$out"
	[ "$rc" = 0 ] || echo "FAIL $(basename "$t") exited $rc" | tee -a "$out"
done
p=$(grep -c '^PASS' "$out")
f=$(grep -c '^FAIL' "$out")
s=$(grep -c '^SKIP' "$out")
echo "=== vm tier: $p passed, $f failed, $s skipped"
if [ "$f" -gt 0 ] || [ "$p" -eq 0 ]; then
	dmesg | tail -40
	exit 1
fi
exit 0
