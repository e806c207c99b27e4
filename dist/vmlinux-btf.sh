#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# vmlinux-btf.sh ARCH OUT.btf [CACHE_DIR]: a kernel BTF of ARCH (x86, arm64)
# for `make vmlinux`, written to OUT.btf.
# - ARCH is this machine's and it has /sys/kernel/btf/vmlinux: that one.
# - Otherwise Debian's newest 6.1 cloud kernel of ARCH (apt-get download; the
#   architecture must be known to dpkg: dpkg --add-architecture arm64, as
#   tests/install-deps.sh does). Its vmlinuz is a raw Image (gzip'd in some
#   releases) without ELF sections: dist/image-btf.sh finds its .BTF blob.
# The package is cached in CACHE_DIR (default build/vm/debs).
set -eu
arch=${1:?usage: vmlinux-btf.sh ARCH OUT.btf [CACHE_DIR]}
out=${2:?usage: vmlinux-btf.sh ARCH OUT.btf [CACHE_DIR]}
cache=${3:-build/vm/debs}
BPFTOOL=${BPFTOOL:-bpftool}
die() { echo "vmlinux-btf.sh: $*" >&2; exit 1; }

case "$(uname -m)" in x86_64) host=x86 ;; aarch64) host=arm64 ;; *) host=$(uname -m) ;; esac
if [ "$arch" = "$host" ] && [ -r /sys/kernel/btf/vmlinux ]; then
	cp /sys/kernel/btf/vmlinux "$out"
	echo "vmlinux-btf.sh: $arch: this kernel's /sys/kernel/btf/vmlinux ($(uname -r))"
	exit 0
fi

case "$arch" in x86) deb_arch=amd64 ;; arm64) deb_arch=arm64 ;; *) die "unknown ARCH '$arch' (x86, arm64)" ;; esac
pkg=$(apt-cache pkgnames linux-image-6.1. 2>/dev/null |
	grep -E "^linux-image-6\\.1\\.[0-9]+(-[0-9]+)?-cloud-$deb_arch-unsigned\$" | sort -V | tail -n 1)
[ -n "$pkg" ] ||
	die "apt knows no linux-image-6.1.*-cloud-$deb_arch-unsigned (dpkg --add-architecture $deb_arch; apt-get update)"
mkdir -p "$cache"
ver=$(apt-cache policy "$pkg:$deb_arch" | sed -n 's/^ *Candidate: //p' | sed 's/:/%3a/')
deb=$cache/${pkg}_${ver}_$deb_arch.deb
if [ ! -f "$deb" ]; then
	(cd "$cache" && apt-get download "$pkg:$deb_arch") >"$cache/download.log" 2>&1 ||
		die "apt-get download $pkg:$deb_arch failed (see $cache/download.log)"
fi
tmp=$(mktemp -d /tmp/tk-btf.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' ||
	die "no /boot/vmlinuz-* in $deb"
where=$(BPFTOOL=$BPFTOOL sh "$(dirname "$0")/image-btf.sh" "$tmp"/boot/vmlinuz-* "$out") ||
	die "no kernel BTF found in $(basename "$deb")'s Image"
echo "vmlinux-btf.sh: $arch: the BTF of $(basename "$deb") ($where)"
