#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# A minimised BTF for a kernel without BTF of its own (make btf): only the
# types and fields the kit's BPF objects relocate against (bpftool gen
# min_core_btf), from a full BTF of that kernel. The tools find it as
# btf/RELEASE.btf beside the binary, or /usr/lib/tracekit/btf/RELEASE.btf.
# Usage: dist/mkbtf.sh SRC RELEASE OUTDIR OBJ.bpf.o...
#   SRC      /sys/kernel/btf/vmlinux (the running kernel's), a raw BTF file,
#            a vmlinux ELF file with a .BTF section, a vmlinux with DWARF
#            only (pahole --btf_encode_detached, package dwarves), or a
#            compressed kernel image (vmlinuz/bzImage: the ELF inside is
#            taken out as the kernel's scripts/extract-vmlinux does), or
#            arm64's Image (its .BTF blob, dist/image-btf.sh)
#   RELEASE  the kernel's `uname -r`; empty: the running kernel's for
#            /sys/kernel/btf/vmlinux, else from a name vmlinux-RELEASE or
#            vmlinuz-RELEASE
# Writes OUTDIR/RELEASE.btf and prints its size.
# Environment: BPFTOOL (bpftool), PAHOLE (pahole).
set -eu
[ $# -ge 4 ] || { echo "usage: $0 SRC RELEASE OUTDIR OBJ.bpf.o..." >&2; exit 2; }
src=$1 release=$2 outdir=$3 given=$1
shift 3
: "${BPFTOOL:=bpftool}" "${PAHOLE:=pahole}"
die() { echo "mkbtf: $*" >&2; exit 2; }

[ -r "$src" ] || die "cannot read BTF_SRC '$src'"
if [ -z "$release" ]; then
	case "$src" in
	/sys/kernel/btf/vmlinux) release=$(uname -r) ;;
	*/vmlinu[xz]-* | vmlinu[xz]-*) release=${src##*/vmlinu?-} release=${release%.btf} ;;
	*) die "cannot tell the kernel release of '$src': give BTF_RELEASE=\$(uname -r of that kernel)" ;;
	esac
fi
case "$release" in
'' | */* | .*) die "invalid kernel release '$release'" ;;
esac

tmp=$(mktemp -d /tmp/tk-btf.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# magic FILE OFFSET N: N bytes of FILE at OFFSET, in hex.
magic() { od -An -t x1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# arm64's Image (its vmlinuz; "ARM\x64" at 56, after an EFI stub's "MZ"),
# raw or gzip'd: no ELF inside, only the .BTF blob (dist/image-btf.sh).
img=$src
if gzip -t "$src" 2>/dev/null; then
	gzip -dc "$src" >"$tmp/Image"
	img=$tmp/Image
fi
if [ "$(magic "$img" 56 4)" = 41524d64 ]; then
	BPFTOOL=$BPFTOOL sh "$(dirname "$0")/image-btf.sh" "$img" "$tmp/full.btf" >/dev/null ||
		die "no kernel BTF found in the arm64 Image '$given'"
	src=$tmp/full.btf
fi

# A compressed kernel image: the first stream that decompresses to an ELF
# file is the kernel (a magic number can also occur by chance, earlier).
if [ "$(magic "$src" 0 2)" = 4d5a ] || [ "$(magic "$src" 514 4)" = 48647253 ]; then
	found=
	for m in "1f8b08 gzip -dc" "fd377a585a00 xz -dc" "425a68 bzip2 -dc" \
		"5d000000 xz -F lzma -dc" "894c5a lzop -dc" "02214c18 lz4 -dc" \
		"28b52ffd zstd -dcq"; do
		hex=${m%% *} cmd=${m#* }
		command -v "${cmd%% *}" >/dev/null 2>&1 || continue
		pat=$(echo "$hex" | sed 's/\(..\)/\\x\1/g')
		for off in $(LC_ALL=C grep -obUaP "$pat" "$src" | cut -d: -f1 | head -n 20); do
			tail -c +$((off + 1)) "$src" | $cmd >"$tmp/vmlinux" 2>/dev/null || :
			if [ "$(magic "$tmp/vmlinux" 0 4)" = 7f454c46 ]; then
				found=1
				break 2
			fi
		done
	done
	[ -n "$found" ] || die "no ELF kernel found in the compressed image '$src'"
	src=$tmp/vmlinux
fi

case "$(magic "$src" 0 2)" in
9feb | eb9f) ;;	# raw BTF
7f45)
	if ! "$BPFTOOL" btf dump file "$src" >/dev/null 2>&1; then
		# No .BTF section: encode one from the DWARF.
		command -v "$PAHOLE" >/dev/null 2>&1 ||
			die "'$src' has no .BTF section; pahole (package dwarves) encodes one from DWARF"
		"$PAHOLE" --btf_encode_detached="$tmp/full.btf" "$src" >"$tmp/pahole.log" 2>&1 ||
			{ cat "$tmp/pahole.log" >&2; die "pahole cannot encode BTF from '$src'"; }
		src=$tmp/full.btf
	fi
	;;
*) die "'$src' is neither BTF, an ELF file nor a compressed kernel image" ;;
esac

mkdir -p "$outdir"
"$BPFTOOL" gen min_core_btf "$src" "$tmp/min.btf" "$@" ||
	die "bpftool gen min_core_btf failed"
# bpftool leaves out, without a word, what it cannot find: every tool reads
# the task_struct, so a BTF without one is no kernel's.
"$BPFTOOL" btf dump file "$tmp/min.btf" 2>/dev/null | grep -q "STRUCT 'task_struct'" ||
	die "the BTF of '$given' has no task_struct: not a kernel's BTF?"
mv "$tmp/min.btf" "$outdir/$release.btf"
echo "btf: $outdir/$release.btf ($(wc -c <"$outdir/$release.btf" | tr -d ' ') bytes, $# BPF objects)"
