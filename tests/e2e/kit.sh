#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The incident-response kit (make kit): the tarball is intact (SHA256SUMS
# beside it and inside it), unpacks into one directory, holds one static,
# stripped binary with a link per tool, the man pages in roff and plain text
# and KIT.md; and the tools run from the unpacked kit, through their links
# and as `tracekit TOOL`, down to a real event (root, for that part).
# TK_KIT=FILE.tar.gz tests that tarball (with SHA256SUMS beside it) instead
# of building one with `make kit`, e.g. in a guest without make.
# POSIX sh, busybox-level commands only.
. "$(dirname "$0")/lib.sh"
D=$T_DIR
# The Makefile's list; a guest with only tests/ and the kit has this one.
TOOLS=$(sed -n 's/^TOOLS := //p' "$ROOT/Makefile" 2>/dev/null)
: "${TOOLS:=opensnoop syscount biolatency tcpconnect ttysnoop sslsniff dnssnoop}"
# The kit's one binary carries every tool: 1 MiB for the runtime (libbpf,
# libelf, zlib, common/) and 128 KiB a tool (16 tools: 2.8 MB, the budget
# 3 MiB). Past this, something has grown a lot.
_ntools=$(echo $TOOLS | wc -w)
: "${TK_KIT_BUDGET:=$((1048576 + 131072 * _ntools))}"

# --- the tarball ------------------------------------------------------------
if [ -z "${TK_KIT:-}" ]; then
	if ! make -s -C "$ROOT" kit >"$D/make.log" 2>&1; then
		not_ok "make kit" "$D/make.log"
		finish
		exit 1
	fi
	ok "make kit"
	v=$(sed -n 's/^VERSION := //p' "$ROOT/Makefile")
	TK_KIT=$(ls "$ROOT"/build/kit/tracekit-"$v"-*.tar.gz 2>/dev/null | head -n 1)
fi
if ! [ -f "${TK_KIT:-}" ]; then
	not_ok "kit tarball '${TK_KIT:-}' exists"
	finish
	exit 1
fi
name=$(basename "$TK_KIT" .tar.gz)
version=$(echo "$name" | sed -n 's/^tracekit-\([0-9][0-9.]*\)-[a-z0-9_]*$/\1/p')
check "tarball named tracekit-VERSION-ARCH.tar.gz ($name)" [ -n "$version" ]

sums=$(dirname "$TK_KIT")/SHA256SUMS
if [ -f "$sums" ] && grep -q " \*\{0,1\}$name.tar.gz\$" "$sums"; then
	( cd "$(dirname "$TK_KIT")" && grep " \*\{0,1\}$name.tar.gz\$" SHA256SUMS |
		sha256sum -c - ) >"$D/sum.out" 2>&1
	SHOW=$D/sum.out check "SHA256SUMS beside the tarball: it is intact" has "$D/sum.out" ': OK$'
else
	not_ok "SHA256SUMS beside the tarball names $name.tar.gz"
fi

tar -tzf "$TK_KIT" >"$D/list" 2>&1
SHOW=$D/list check "every entry is under $name/" not grep -v "^$name/" "$D/list"
mkdir "$D/x"
tar -xzf "$TK_KIT" -C "$D/x" >"$D/tar.out" 2>&1
rc=$?
SHOW=$D/tar.out check "unpacks" [ $rc -eq 0 ]
K=$D/x/$name
( cd "$K" && sha256sum -c SHA256SUMS ) >"$D/sums.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && has "$D/sums.out" '^tracekit: OK$'; then
	ok "SHA256SUMS inside the kit: every file intact"
else
	not_ok "SHA256SUMS inside the kit: every file intact" "$D/sums.out"
fi

# --- what it holds ----------------------------------------------------------
# u32 FILE OFFSET: a little-endian 32-bit number from FILE (ELF64 fields
# used here are below 4 GiB, so the low half of a 64-bit one will do).
u32() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
u16() { od -An -t u2 -j "$2" -N 2 "$1" | tr -d ' '; }

# elf_types FILE WHAT: the p_type of each program header (WHAT=ph), or the
# sh_type of each section header (WHAT=sh), one per line.
elf_types() {
	if [ "$2" = ph ]; then
		off=$(u32 "$1" 32) size=$(u16 "$1" 54) n=$(u16 "$1" 56) at=0
	else
		off=$(u32 "$1" 40) size=$(u16 "$1" 58) n=$(u16 "$1" 60) at=4
	fi
	i=0
	while [ "$i" -lt "$n" ]; do
		u32 "$1" $((off + i * size + at))
		i=$((i + 1))
	done
}

B=$K/tracekit
check "tracekit is a 64-bit little-endian ELF executable" \
	[ "$(od -An -t x1 -N 6 "$B" | tr -d ' ')" = 7f454c460201 ]
elf_types "$B" ph >"$D/ph"
elf_types "$B" sh >"$D/sh"
# nonempty_without FILE LINE: FILE has lines, none of them LINE.
nonempty_without() { [ -s "$1" ] && ! grep -qx "$2" "$1"; }
SHOW=$D/ph check "tracekit is static: no PT_INTERP (3) program header" nonempty_without "$D/ph" 3
SHOW=$D/sh check "tracekit is stripped: no SHT_SYMTAB (2) section" nonempty_without "$D/sh" 2
if command -v file >/dev/null 2>&1; then
	file -L "$B" >"$D/file"
	SHOW=$D/file check "file(1): statically linked, stripped" \
		has "$D/file" 'statically linked.*, stripped'
fi
size=$(wc -c <"$B" | tr -d ' ')
check "tracekit is $size bytes, within the budget of $TK_KIT_BUDGET" \
	[ "$size" -le "$TK_KIT_BUDGET" ]
SHOW=$K/KIT.md check "KIT.md records the size of tracekit" \
	has "$K/KIT.md" "^\| \`tracekit\` .*\| $size \|\$"

# plain_text FILE: a rendered page, with no backspace left in it.
plain_text() { has "$1" '^NAME$' && ! grep -q "$(printf '\b')" "$1"; }

for t in $TOOLS; do
	l=$(readlink "$K/$t")
	if [ "$l" = tracekit ]; then ok "$t: a link to tracekit"; else
		not_ok "$t: a link to tracekit (got: '$l')"; fi
	check "$t: man page" [ -s "$K/man/man8/$t.8" ]
	check "$t: plain-text manual without overstrikes" plain_text "$K/txt/$t.txt"
	check "$t: a recipe in KIT.md" has "$K/KIT.md" "^\| \`$t\` \| \`$t "
done
check "tracekit: its own man page" [ -s "$K/man/man8/tracekit.8" ]
check "tracekit: plain-text manual without overstrikes" plain_text "$K/txt/tracekit.txt"

# --- it runs (no root needed yet) -------------------------------------------
for t in $TOOLS; do
	"$K/$t" --version >"$D/v1" 2>&1
	"$B" "$t" --version >"$D/v2" 2>&1
	SHOW=$D/v1 check "$t --version from the kit: $t (tracekit) $version" \
		has "$D/v1" "^$t \(tracekit\) $version\$"
	check "tracekit $t --version: the same" cmp -s "$D/v1" "$D/v2"
done
# usage_error DESCRIPTION FIRST-LINE COMMAND...: status 2, nothing on stdout,
# FIRST-LINE then "Try 'PROG --help'." on stderr (PROG: FIRST-LINE's).
usage_error() {
	d=$1 want=$2
	shift 2
	"$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf "%s\nTry '%s --help'.\n" "$want" "${want%%:*}" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && ! [ -s "$D/out" ]; then
		ok "$d"
	else
		not_ok "$d (status $rc)" "$D/err"
	fi
}
usage_error "tracekit opensnoop -p 12abc: the tool's own message" \
	"opensnoop: invalid PID '12abc'" "$B" opensnoop -p 12abc
all=$(echo "$TOOLS" | sed 's/ /, /g')
usage_error "tracekit alone: names the tools" \
	"tracekit: missing TOOL (choose from: $all)" "$B"
usage_error "tracekit nosuchtool: names the tools" \
	"tracekit: unknown tool 'nosuchtool' (choose from: $all)" "$B" nosuchtool
usage_error "tracekit -Z: invalid option" "tracekit: invalid option '-Z'" "$B" -Z
"$B" -l >"$D/out"
check "tracekit -l lists the tools" [ "$(tr '\n' ' ' <"$D/out")" = "$TOOLS " ]

# --- it traces (root) -------------------------------------------------------
need_root_rest() {
	[ "$(id -u)" = 0 ] && return 0
	if [ "${CI:-}" = true ]; then
		not_ok "needs root to load BPF (CI=true: not skipping)"
	else
		echo "# SKIP $T_NAME: running the tools needs root"
	fi
	finish
	exit $?
}
need_root_rest

# brief NAME COMMAND...: runs for half a second and ends by itself, status 0.
brief() {
	d=$1
	shift
	"$@" >"$D/b.out" 2>"$D/b.err" </dev/null
	rc=$?
	if [ $rc -eq 0 ]; then ok "$d"; else not_ok "$d (status $rc)" "$D/b.err"; fi
}
brief "opensnoop -d 0.5" "$K/opensnoop" -d 0.5
SHOW=$D/b.out check "opensnoop: header" has "$D/b.out" '^PID +COMM +FD +ERR +PATH$'
brief "syscount -d 0.5" "$K/syscount" -d 0.5
SHOW=$D/b.out check "syscount: a summary" has "$D/b.out" '^SYSCALL +COUNT$'
brief "biolatency 0.5 1" "$K/biolatency" 0.5 1
brief "tcpconnect -d 0.5" "$K/tcpconnect" -d 0.5
brief "ttysnoop -a -C -d 0.5" "$K/ttysnoop" -a -C -d 0.5
brief "sslsniff -d 0.5" "$K/sslsniff" -d 0.5
brief "dnssnoop -d 0.5" "$K/dnssnoop" -d 0.5
brief "tracekit syscount -d 0.5 (no links needed)" "$B" syscount -d 0.5

# A real event: a failed open of a path nobody else uses.
P=$D/kit-probe-$$
tool_start "$D/os" "$K/opensnoop" -x -j &&
	{
		cat "$P" 2>/dev/null
		wait_for "$D/os" "\"path\":\"$P\"" 10
	}
stop_tool INT
SHOW=$D/os check "opensnoop from the kit sees the failed open of $P (ENOENT)" \
	has "$D/os" "\"fd\":-1,\"err\":2,.*\"path\":\"$P\""
check "opensnoop from the kit ends with status 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]

# The kit's libbpf (Makefile: LIBBPF_SRC) maps the kernel's BTF, as 1.7.0 and
# later do, where the installed 1.1.2 reads all 5.5 MB of it and parses a
# copy: most of a tool's startup time and peak RSS. A kernel that refuses
# the map (sysfs BTF is mmap-able since 6.16) has it read instead. The truth
# is the tool's own system calls on /sys/kernel/btf/vmlinux (strace). Run
# with TRACEKIT_BTF_CACHE=0, as on a kernel's first run: with the cache
# (common/btfmin.h) a tool does not open the kernel's BTF at all, which the
# last check proves.
# vmlinux_use OUT VAR=VALUE: opensnoop from the kit under strace; "maps
# refused bytes_read opens" of /sys/kernel/btf/vmlinux into OUT.
vmlinux_use() {
	env "$2" strace -f -e trace=openat,close,mmap,read,pread64 -o "$D/st" \
		"$K/opensnoop" -d 0.2 >/dev/null 2>"$D/st.err" </dev/null
	# "maps refused bytes_read" on the file's descriptors, closed ones forgotten.
	awk '{ sub(/^[0-9]+ +/, "") }
		/^openat\(.*"\/sys\/kernel\/btf\/vmlinux"/ && $NF ~ /^[0-9]+$/ { fd[$NF] = 1; opens++; next }
		/^close\(/ { n = $0; sub(/^close\(/, "", n); sub(/\).*/, "", n); delete fd[n]; next }
		/^mmap\(/ { split($0, a, ", "); if (a[5] in fd) { if ($0 ~ /= -1 /) refused++; else maps++ } next }
		/^p?read(64)?\(/ { n = $0; sub(/^[a-z0-9]+\(/, "", n); sub(/,.*/, "", n)
			if ((n in fd) && $NF ~ /^[0-9]+$/) bytes += $NF }
		END { print maps + 0, refused + 0, bytes + 0, opens + 0 }' "$D/st" >"$1"
}
if command -v strace >/dev/null 2>&1; then
	vmlinux_use "$D/st.sum" TRACEKIT_BTF_CACHE=0
	read -r maps refused bytes opens <"$D/st.sum"
	SHOW=$D/st check "opensnoop from the kit maps /sys/kernel/btf/vmlinux (mapped $maps, refused $refused, $bytes bytes read)" \
		[ $((maps + refused)) -gt 0 ]
	if [ "$maps" -gt 0 ]; then
		SHOW=$D/st check "and, mapped, reads none of it ($bytes bytes read)" [ "$bytes" -eq 0 ]
	else
		SHOW=$D/st check "and, refused (this kernel: $(uname -r)), reads it ($bytes bytes)" [ "$bytes" -gt 0 ]
	fi
	# With the cache: made by the first run, the second opens no kernel BTF.
	vmlinux_use "$D/st.first" TRACEKIT_BTF_CACHE="$D/btfcache"
	vmlinux_use "$D/st.sum" TRACEKIT_BTF_CACHE="$D/btfcache"
	read -r maps refused bytes opens <"$D/st.sum"
	SHOW="$D/st $D/st.err" check "with its minimised BTF cached, opensnoop from the kit opens no kernel BTF ($opens opens)" \
		[ "$opens" -eq 0 ]
elif in_guest; then
	echo "# kit: no strace in the guest: the BTF map check is the host's"
else
	skip_or_fail "strace is not installed"
fi
finish
