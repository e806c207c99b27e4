#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The incident-response kit (make kit): one tarball with the multi-call static
# binary, a link per tool, the man pages (roff and plain text), KIT.md and
# SHA256SUMS; a SHA256SUMS for the tarball itself is written beside it.
# Usage: dist/mkkit.sh OUT.tar.gz KIT_NAME BINARY MANDIR TOOL...
# Environment: CC (cc), STRIP (strip), MANDOC (mandoc), SOURCE_DATE_EPOCH,
# BTF_FILES (minimised BTFs for btf/, from make btf), LIBBPF_SOURCE (a file
# naming the source package libbpf.a was built from, when not the installed
# libbpf-dev's: Makefile, LIBBPF_SRC).
set -eu
[ $# -ge 5 ] || { echo "usage: $0 OUT.tar.gz KIT_NAME BINARY MANDIR TOOL..." >&2; exit 2; }
out=$1 name=$2 binary=$3 mandir=$4
shift 4
: "${CC:=cc}" "${STRIP:=strip}" "${MANDOC:=mandoc}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
version=$(sed -n 's/^VERSION := //p' "$root/Makefile")

command -v "$MANDOC" >/dev/null 2>&1 ||
	{ echo "mkkit: $MANDOC not found (apt-get install mandoc)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/tk-kit.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
kit=$tmp/$name
mkdir -p "$kit/man/man8" "$kit/txt"

"$STRIP" -o "$kit/tracekit" "$binary"
chmod 0755 "$kit/tracekit"
# Relative links: the kit works wherever it is unpacked.
for t in "$@"; do
	ln -s tracekit "$kit/$t"
done

# Minimised BTFs (make btf) for kernels without their own: btf/RELEASE.btf,
# found there by the tools (common/session.c).
for f in ${BTF_FILES:-}; do
	mkdir -p "$kit/btf"
	cp "$f" "$kit/btf/"
done

# Plain text for machines without man: mandoc's ASCII output with the
# overstrikes (X BS X for bold, _ BS X for underline) taken out.
bs=$(printf '\b')
for t in tracekit "$@"; do
	cp "$mandir/$t.8" "$kit/man/man8/$t.8"
	"$MANDOC" -T ascii "$mandir/$t.8" | sed "s/.$bs//g" >"$kit/txt/$t.txt"
done

# KIT.md: the template with the version, the binary's size and the tools.
size=$(wc -c <"$kit/tracekit" | tr -d ' ')
sizes=$tmp/sizes
{
	printf '| file | bytes |\n|---|---|\n'
	printf '| `tracekit` (all %d tools, static, stripped) | %s |\n' $# "$size"
	for t in "$@"; do
		printf '| `%s` | link to `tracekit` |\n' "$t"
	done
	for f in ${BTF_FILES:-}; do
		printf '| `btf/%s` (minimised BTF for kernel %s) | %s |\n' "$(basename "$f")" \
			"$(basename "$f" .btf)" "$(wc -c <"$f" | tr -d ' ')"
	done
} >"$sizes"
# The Debian packages the static libraries came from, for their source.
libs=$tmp/libs
{
	for a in libc.a libbpf.a libelf.a libz.a libgcc.a libgcc_eh.a; do
		[ $a = libbpf.a ] && [ -s "${LIBBPF_SOURCE:-}" ] && { sed 's/^/- /' "$LIBBPF_SOURCE"; continue; }
		f=$(readlink -f "$("$CC" -print-file-name="$a")")
		p=$(dpkg -S "$f" 2>/dev/null | sed -n '1s/:.*//p')
		if [ -n "$p" ]; then
			# (one version: a package installed for two architectures has two)
			printf -- '- `%s` %s\n' "$p" "$(dpkg-query -W -f='${Version}\n' "$p" | head -n 1)"
		else
			printf -- '- %s (not from a Debian package)\n' "$f"
		fi
	done
} | LC_ALL=C sort -u >"$libs"
awk -v version="$version" -v name="$name" -v sizes="$sizes" -v libs="$libs" '
	/@SIZES@/ { while ((getline l < sizes) > 0) print l; next }
	/@LIBS@/ { while ((getline l < libs) > 0) print l; next }
	{ gsub(/@VERSION@/, version); gsub(/@KIT_NAME@/, name); print }
' "$here/KIT.md.in" >"$kit/KIT.md"

# Modes do not depend on the builder's umask.
find "$kit" -type d -exec chmod 0755 {} +
find "$kit" -type f ! -name tracekit -exec chmod 0644 {} +

# SHA256SUMS of every regular file, checked from the kit's directory.
( cd "$kit" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort |
	xargs sha256sum >SHA256SUMS )

# Reproducible: fixed order, owner and times (the last commit's, if any).
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)
fi
mkdir -p "$(dirname "$out")"
tar -C "$tmp" --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@$SOURCE_DATE_EPOCH" -cf - "$name" | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
( cd "$(dirname "$out")" && sha256sum "$(basename "$out")" >SHA256SUMS )
echo "kit: $out ($(wc -c <"$out" | tr -d ' ') bytes; tracekit $size bytes)"
