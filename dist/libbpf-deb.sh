#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Fetch Debian's libbpf source package into DIR (once: cached there) and
# print the directory of its unpacked tree. The static tools and the kit
# link a libbpf built from it (Makefile: LIBBPF_SRC=debian); the dynamic
# tools and the .deb keep the distribution's.
#   dist/libbpf-deb.sh DIR SUITE VERSION
# apt fetches it through a private sources list (deb-src SUITE) with its own
# lists and cache under DIR, the machine's sources untouched, and checks it
# against the archive's signed index; dpkg-source checks the .dsc's hashes.
# VERSION (e.g. 1.7.0-1) is the one the Makefile was measured with: when the
# suite has moved on, its current version is taken, with a note on stderr.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 DIR SUITE VERSION" >&2; exit 2; }
DIR=$1 SUITE=$2 VERSION=$3
UP=${VERSION%-*}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
# One fetch at a time: make kit builds the host's and arm64's libbpf at once.
exec 9>"$DIR/.lock"
flock 9
tree() { find "$DIR" -maxdepth 1 -type d -name 'libbpf-[0-9]*' | sort -V | tail -n 1; }
# Cached: the pinned version's tree, else the one taken in its place.
for t in "$DIR/libbpf-$UP" "$(tree)"; do
	[ -f "$t/src/Makefile" ] && { echo "$t"; exit 0; }
done
A="-o Dir::Etc::SourceList=$DIR/sources.list -o Dir::Etc::SourceParts=/dev/null
-o Dir::State::Lists=$DIR/lists -o Dir::Cache=$DIR/cache -o APT::Sandbox::User=root"
mkdir -p "$DIR/lists/partial" "$DIR/cache/archives/partial"
echo "deb-src http://deb.debian.org/debian $SUITE main" > "$DIR/sources.list"
# shellcheck disable=SC2086
apt-get $A -qq update >&2 || { echo "libbpf-deb: apt-get update of $SUITE's sources failed" >&2; exit 1; }
cd "$DIR"
# shellcheck disable=SC2086
if ! apt-get $A -qq source "libbpf=$VERSION" >&2; then
	echo "libbpf-deb: $SUITE has no libbpf $VERSION; taking its current one" >&2
	# shellcheck disable=SC2086
	apt-get $A -qq source libbpf >&2 ||
		{ echo "libbpf-deb: apt-get source libbpf ($SUITE) failed" >&2; exit 1; }
fi
t=$(tree)
[ -n "$t" ] && [ -f "$t/src/Makefile" ] || { echo "libbpf-deb: no libbpf tree in $DIR" >&2; exit 1; }
echo "$t"
