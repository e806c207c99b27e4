#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Install tracekit's dependencies from Debian 12's packages (root).
# Usage: tests/install-deps.sh [build|cross|test]
#   build  what make, make static, multi, kit and install need (make deps)
#   cross  build's, and the arm64 cross build's (make deps-cross)
#   test   build's, and what the test suite drives: workloads, peers, the
#          package checks, the qemu lane, the fuzzers (make test-deps)
# Another apt or dpkg holding the lock (unattended upgrades, a second
# install) is waited for, up to 10 minutes, instead of failing at once.
set -e
BUILD_PKGS="make gcc libc6-dev binutils clang llvm bpftool libbpf-dev libelf-dev
zlib1g-dev libzstd-dev pkg-config mandoc dpkg-dev"
# (dpkg-dev: dpkg-source, which apt-get source runs: make static builds libbpf
# from Debian's source package, dist/libbpf-deb.sh.)
# The arm64 cross build (make ARCH=arm64; make kit makes both kits): Debian's
# cross compiler and the arm64 libraries (multiarch: dpkg --add-architecture).
CROSS_PKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross libbpf-dev:arm64
libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64"
TEST_PKGS="busybox-static dnsmasq-base dnsutils openssl libssl-dev gnutls-bin
libnss3-tools curl debhelper lintian man-db qemu-system-x86 libclang-rt-14-dev
strace tcpdump util-linux lz4 zstd xz-utils qemu-user-static qemu-system-arm chromium
libssl-dev:arm64 prometheus prometheus-node-exporter python3 python3-jsonschema"
case "${1:-build}" in
build) PKGS="$BUILD_PKGS" ;;
cross) PKGS="$BUILD_PKGS $CROSS_PKGS" ;;
test) PKGS="$BUILD_PKGS $CROSS_PKGS $TEST_PKGS" ;;
*) echo "usage: $0 [build|cross|test]" >&2; exit 2 ;;
esac
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all present (${1:-build})"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to install:$missing (run as root, or with sudo)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
case "$missing" in
*:arm64*)
	dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64 ;;
esac
LOCK="-o DPkg::Lock::Timeout=600"
# apt-get update fails too while another one holds the lists' lock, or a
# mirror hiccups: a few tries.
i=1
until apt-get $LOCK update -qq; do
	[ $i -ge 5 ] && { echo "install-deps: apt-get update failed $i times" >&2; exit 1; }
	echo "install-deps: apt-get update failed; again in $((i * 10))s" >&2
	sleep $((i * 10))
	i=$((i + 1))
done
# shellcheck disable=SC2086
apt-get $LOCK install -y -qq --no-install-recommends $missing
