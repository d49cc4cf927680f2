#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Every example config scx_layered ships must validate unchanged for a
# 2-node machine (issue 4). The examples are read from a clone of
# sched-ext/scx at test time, never copied into this tree:
#
#   tests/data/config/check-upstream.sh GIT_DIR [SCXCTL] [REV]
#
# GIT_DIR is the clone's .git (or a bare mirror), SCXCTL defaults to
# build/scxctl, REV to HEAD. Each file is validated for 2 nodes and 64
# CPUs; warnings are shown, errors fail the run. Exit status: 0 all
# valid, 1 some invalid, 2 usage.
set -eu

git_dir=${1:?usage: check-upstream.sh GIT_DIR [SCXCTL] [REV]}
scxctl=${2:-build/scxctl}
rev=${3:-HEAD}
dir=scheds/rust/scx_layered/examples

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

commit=$(git --git-dir="$git_dir" rev-parse "$rev") || exit 2
files=$(git --git-dir="$git_dir" ls-tree --name-only "$rev" "$dir/" | grep '\.json$') || {
	echo "check-upstream: no $dir/*.json at $rev" >&2
	exit 2
}
echo "scx_layered examples at $commit"
total=0
bad=0
for f in $files; do
	name=${f##*/}
	git --git-dir="$git_dir" show "$rev:$f" > "$tmp/$name"
	total=$((total + 1))
	if out=$("$scxctl" validate --nodes 2 --cpus 64 "$tmp/$name" 2>&1); then
		warnings=$(printf '%s\n' "$out" | grep -c ': warning: ' || true)
		echo "ok      $name ($warnings warnings)"
	else
		bad=$((bad + 1))
		echo "INVALID $name"
	fi
	printf '%s\n' "$out" | grep ': warning: \|: at ' | sed "s|$tmp/|  |" || true
done
echo "$((total - bad)) of $total valid"
[ "$bad" -eq 0 ]
