#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Build the Debian package (make deb) from a copy of the source tree, so that
# dpkg-buildpackage writes nothing beside or inside the repository; the .deb,
# .changes and .buildinfo land in OUTDIR, with the build's log as build.log.
# Usage: dist/mkdeb.sh OUTDIR
# The copy holds the files git knows or would add (tracked or untracked, not
# ignored), as they are in the working tree; without git, the tree less
# build/, bin/ and .git.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
version=$(sed -n 's/^VERSION := //p' "$root/Makefile")
command -v dpkg-buildpackage >/dev/null 2>&1 ||
	{ echo "mkdeb: dpkg-buildpackage not found (apt-get install dpkg-dev debhelper)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/tk-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/tracekit-$version
mkdir "$src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Deleted but not yet committed files are listed too: leave them out.
	git -C "$root" ls-files -z --cached --others --exclude-standard |
		( cd "$root" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\n" "$f"; done' sh ) |
		tar -C "$root" -cf - -T - | tar -C "$src" -xf -
else
	tar -C "$root" --exclude=./build --exclude=./bin --exclude=./.git -cf - . |
		tar -C "$src" -xf -
fi

start=$(date +%s)
if ! ( cd "$src" && dpkg-buildpackage -b -us -uc ) >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	echo "mkdeb: dpkg-buildpackage failed; the log is $out/build.log" >&2
	exit 1
fi
rm -f "$out"/tracekit_*.deb "$out"/tracekit-dbgsym_*.deb "$out"/tracekit_*.changes \
	"$out"/tracekit_*.buildinfo
cp "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$out/"
echo "mkdeb: $(cd "$out" && ls tracekit_*.deb) in $out ($(($(date +%s) - start)) s)"
