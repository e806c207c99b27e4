#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# gen-syscalls.sh ARCH [INCLUDE_DIR]: the syscall-name table of ARCH (x86_64
# or arm64) from the kernel's uapi headers (default /usr/include, Debian's
# linux-libc-dev), as the lines of tools/syscount/syscalls.c's names[] for it:
#   	[56] = "openat",
# arm64 uses the asm-generic numbering, with what arm64's asm/unistd.h asks
# for. Syscalls newer than the headers are added to the table by hand.
set -eu
arch=${1:?usage: gen-syscalls.sh x86_64|arm64 [INCLUDE_DIR]}
inc=${2:-/usr/include}
CPP=${CPP:-cpp}
case "$arch" in
x86_64)
	hdr=$(ls "$inc"/x86_64-linux-gnu/asm/unistd_64.h "$inc"/asm/unistd_64.h 2>/dev/null |
		head -n 1)
	[ -n "$hdr" ] || { echo "gen-syscalls.sh: no asm/unistd_64.h under $inc" >&2; exit 1; }
	sed -n 's/^#define __NR_\([a-z0-9_]*\)[[:space:]]\{1,\}\([0-9]\{1,\}\)$/\2 \1/p' "$hdr"
	;;
arm64)
	hdr=$inc/asm-generic/unistd.h
	names=$(grep -o '__NR_[a-z0-9_]*' "$hdr" | sort -u |
		grep -v -e '^__NR_syscalls$' -e '^__NR_arch_specific_syscall$')
	# What arch/arm64/include/uapi/asm/unistd.h defines before including it.
	{
		for w in RENAMEAT NEW_STAT SET_GET_RLIMIT TIME32_SYSCALLS SYS_CLONE3 \
			MEMFD_SECRET; do
			echo "#define __ARCH_WANT_$w"
		done
		echo '#include <asm-generic/unistd.h>'
		for n in $names; do echo "TK_SC ${n#__NR_} $n"; done
	} | $CPP -P -I"$inc" - | awk '$1 == "TK_SC" && $3 ~ /^[0-9]+$/ { print $3, $2 }'
	;;
*)
	echo "gen-syscalls.sh: no table for '$arch' (x86_64, arm64)" >&2
	exit 2
	;;
esac | sort -n | awk '{ printf "\t[%d] = \"%s\",\n", $1, $2 }'
