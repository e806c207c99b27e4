#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# image-btf.sh IMAGE OUT.btf: the kernel's own BTF, taken out of a raw
# kernel Image (arm64's vmlinuz; gzip'd in some releases), which has no ELF
# sections: the .BTF blob is found by its header: magic 0xeb9f, version 1,
# hdr_len 24, then type_off, type_len, str_off, str_len; the blob is hdr_len
# + the end of the later of the two sections. Each candidate is checked by
# bpftool (it must have a task_struct) before it is taken.
# Used by dist/vmlinux-btf.sh (make vmlinux) and dist/mkbtf.sh (make btf).
# Environment: BPFTOOL (bpftool).
set -eu
img=${1:?usage: image-btf.sh IMAGE OUT.btf}
out=${2:?usage: image-btf.sh IMAGE OUT.btf}
BPFTOOL=${BPFTOOL:-bpftool}
die() { echo "image-btf.sh: $*" >&2; exit 1; }

[ -r "$img" ] || die "cannot read '$img'"
tmp=$(mktemp -d /tmp/tk-img.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if gzip -t "$img" 2>/dev/null; then
	gzip -dc "$img" >"$tmp/Image"
	img=$tmp/Image
fi
for off in $(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$img" | cut -d: -f1); do
	# shellcheck disable=SC2046
	set -- $(od -An -tu4 -j $((off + 8)) -N 16 "$img")
	t_end=$(($1 + $2)) s_end=$(($3 + $4))
	len=$((24 + (t_end > s_end ? t_end : s_end)))
	tail -c +$((off + 1)) "$img" | head -c "$len" >"$tmp/btf"
	if "$BPFTOOL" btf dump file "$tmp/btf" format raw 2>/dev/null |
		grep -q "STRUCT 'task_struct'"; then
		mv "$tmp/btf" "$out"
		echo "$len bytes at $off"
		exit 0
	fi
done
die "no kernel BTF found in '$1'"
