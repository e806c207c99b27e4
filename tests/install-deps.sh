#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Install every build and test dependency from Debian 12's packages (root).
set -e
PKGS="make gcc libc6-dev clang llvm libclang-rt-14-dev bpftool libbpf-dev
libelf-dev zlib1g-dev libzstd-dev pkg-config mandoc busybox-static
dnsmasq-base dnsutils openssl libssl-dev gnutls-bin libnss3-tools curl binutils
debhelper lintian man-db qemu-system-x86"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
