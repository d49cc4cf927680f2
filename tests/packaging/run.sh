#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Packaging tier: the .deb and .rpm built by `make deb rpm` hold what they
# should, lintian finds no error (warnings must be justified in
# packaging/lintian-justified), the rpm's requirements are the shared
# libraries we link (libbpf is static), the installed scxd and scxctl work
# from their installed paths, and install + purge on this machine leaves
# nothing behind but the system group scx (Debian keeps system groups).
# Prints PASS/FAIL lines; exits 1 on any FAIL.
set -u
cd "$(dirname "$0")/../.."
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { local n=$1; shift; if "$@" >/dev/null 2>&1; then pass "$n"; else fail "$n"; fi; }

DEB=$(ls build/scxd_*_amd64.deb 2>/dev/null | head -1)
RPM=$(ls build/scxd-*.x86_64.rpm 2>/dev/null | head -1)
[ -n "$DEB" ] && [ -n "$RPM" ] || { echo "FAIL packages missing (make deb rpm)"; exit 1; }

want=(usr/sbin/scxd usr/bin/scxctl lib/systemd/system/scxd.service lib/systemd/system/scxd.socket
      usr/lib/sysusers.d/scxd.conf usr/lib/tmpfiles.d/scxd.conf usr/share/man/man8/scxd.8.gz
      usr/share/man/man8/scxctl.8.gz usr/share/bash-completion/completions/scxctl
      usr/share/doc/scxd/examples/latency-numa.json usr/share/doc/scxd/security.md)
contents=$(dpkg -c "$DEB" | awk '{print $6}')
for f in "${want[@]}"; do
	# dh_compress gzips documents above 4 KiB.
	check "deb contains $f" grep -qxE "\./$f(\.gz)?" <<< "$contents"
done
rcontents=$(rpm -qlp "$RPM" 2>/dev/null)
for f in usr/sbin/scxd usr/bin/scxctl usr/lib/systemd/system/scxd.socket usr/lib/sysusers.d/scxd.conf; do
	check "rpm contains /$f" grep -qx "/$f" <<< "$rcontents"
done
req=$(rpm -qp --requires "$RPM" 2>/dev/null)
needs_shared_libs() { grep -q libyajl <<< "$req" && grep -q libprotobuf-c <<< "$req"; }
no_shared_libbpf() { ! grep -q libbpf <<< "$req"; }
check "rpm requires libyajl and libprotobuf-c" needs_shared_libs
check "rpm does not require a shared libbpf" no_shared_libbpf

lint=$(lintian --allow-root "$DEB" 2>&1)
no_lintian_errors() { ! grep -q '^E:' <<< "$lint"; }
check "lintian: no errors" no_lintian_errors
unjustified=$(grep '^W:' <<< "$lint" | awk '{print $3}' | sort -u | while read -r tag; do
	grep -qx "$tag" packaging/lintian-justified 2>/dev/null || echo "$tag"; done)
check "lintian: every warning justified (${unjustified:-none})" test -z "$unjustified"

check "man pages parse (lexgrog)" lexgrog docs/scxd.8 docs/scxctl.8
check "systemd-analyze verify" sh -c "d=\$(mktemp -d) && cp packaging/systemd/* \$d/ && sed -i 's|/usr/sbin/scxd|$PWD/build/scxd|' \$d/scxd.service && cd \$d && ! systemd-analyze verify --man=no ./scxd.socket ./scxd.service 2>&1 | grep -q . ; r=\$?; rm -rf \$d; exit \$r"
exposure=$(cd packaging/systemd && systemd-analyze security --offline=true ./scxd.service 2>/dev/null | sed -n 's/.*Overall exposure level for scxd.service: \([0-9.]*\).*/\1/p')
check "systemd-analyze security exposure ${exposure:-?} <= 2.0" awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'

# The installed programs from their installed paths, through the installed socket path layout.
root=$(mktemp -d /tmp/scx-pkg.XXXXXX)
dpkg-deb -x "$DEB" "$root"
mkdir -p "$root/run/scxd" "$root/var/lib/scxd"
"$root/usr/sbin/scxd" --backend sim --socket "$root/run/scxd/scxd.sock" --admin-group nogroup \
	--state-dir "$root/var/lib/scxd" --runtime-dir "$root/run/scxd" > "$root/scxd.log" 2>&1 &
agent=$!
for _ in $(seq 100); do [ -S "$root/run/scxd/scxd.sock" ] && break; sleep 0.1; done
check "installed scxctl status answers through the installed scxd" "$root/usr/bin/scxctl" --socket "$root/run/scxd/scxd.sock" status
check "installed scxctl validates the installed example" "$root/usr/bin/scxctl" validate --nodes 2 "$root/usr/share/doc/scxd/examples/latency-numa.json"
kill "$agent" 2>/dev/null; wait "$agent" 2>/dev/null
rm -rf "$root"

# Install on this machine, then purge: files, group and units, then nothing left.
if [ "$(id -u)" = 0 ] && ! dpkg -s scxd >/dev/null 2>&1; then
	trap 'dpkg -P scxd >/dev/null 2>&1' EXIT
	if dpkg -i "$DEB" >/tmp/scx-pkg-install.log 2>&1; then
		pass "dpkg -i"
		check "installed: group scx exists" getent group scx
		check "installed: units present" test -f /lib/systemd/system/scxd.socket -a -f /lib/systemd/system/scxd.service
		check "installed: state dir created" test -d /var/lib/scxd
		check "installed: scxd --version" /usr/sbin/scxd --version
		# The installed agent on its default socket, /run/scxd/scxd.sock (group scx), in a
		# scratch state dir so that nothing of this machine's is touched.
		if [ ! -e /run/scxd/scxd.sock ]; then
			sd=$(mktemp -d /tmp/scx-pkg-state.XXXXXX)
			/usr/sbin/scxd --backend sim --state-dir "$sd" > "$sd.log" 2>&1 &
			agent=$!
			for _ in $(seq 100); do [ -S /run/scxd/scxd.sock ] && break; sleep 0.1; done
			check "installed: scxctl status through /run/scxd/scxd.sock" /usr/bin/scxctl status
			sock_group=$(stat -c %G /run/scxd/scxd.sock 2>/dev/null)
			check "installed: the socket belongs to group scx (${sock_group:-?}), mode 660" \
				test "$sock_group" = scx -a "$(stat -c %a /run/scxd/scxd.sock)" = 660
			kill "$agent" 2>/dev/null; wait "$agent" 2>/dev/null
			rm -rf "$sd" "$sd.log"
			rmdir /run/scxd 2>/dev/null
		else
			echo "SKIP installed agent on /run/scxd/scxd.sock: a socket is already there (not touching it)"
		fi
		dpkg -P scxd >/dev/null 2>&1
		left=$(ls -d /usr/sbin/scxd /usr/bin/scxctl /lib/systemd/system/scxd.* /usr/lib/sysusers.d/scxd.conf \
			/usr/lib/tmpfiles.d/scxd.conf /var/lib/scxd /usr/share/doc/scxd 2>/dev/null)
		check "purge leaves nothing behind (${left:-nothing})" test -z "$left"
	else
		fail "dpkg -i"; cat /tmp/scx-pkg-install.log
	fi
	trap - EXIT
else
	echo "SKIP install on this machine: not root, or scxd is already installed here (not touching it)"
fi
echo "=== packaging tier: $fails failed"
[ "$fails" = 0 ]
