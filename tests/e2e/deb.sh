#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The Debian package: it builds (from a copy of the tree, dist/mkdeb.sh, into
# build/deb/; skipped when a .deb there is newer than every source file),
# lintian has nothing to say at error or warning level, it installs, its man
# pages are found by man, its completions complete, the tools run from
# /usr/sbin, it holds what `make install install-completions` installs, and
# `dpkg --purge` leaves nothing behind.
# Root (dpkg -i). Missing Debian packages it needs are installed with apt-get.
. "$(dirname "$0")/lib.sh"
D=$T_DIR
TOOLS=$(sed -n 's/^TOOLS := //p' "$ROOT/Makefile")
OUT=$ROOT/build/deb
need_root

# skip WHAT: under CI=true nothing is skipped silently, so it is a failure.
skip() {
	if [ "${CI:-}" = true ]; then
		not_ok "$1 (CI=true: not skipping)"
	else
		echo "# SKIP $T_NAME: $1"
	fi
}

# Purge what this file installed, even when it stops early.
INSTALLED=
trap 'purge_ours; t_cleanup' EXIT
purge_ours() {
	[ -n "$INSTALLED" ] && dpkg --purge tracekit >/dev/null 2>&1
	INSTALLED=
}

if dpkg-query -W -f='${Status}' tracekit 2>/dev/null | grep -q 'ok installed'; then
	skip "a tracekit package is already installed: not replacing it (dpkg --purge tracekit)"
	finish
	exit $?
fi

# --- tools this needs -------------------------------------------------------
need=
for p in dpkg-dev debhelper lintian man-db; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
	echo "# installing:$need"
	# shellcheck disable=SC2086
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need ||
	  { apt-get update -qq &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need; }
	} >"$D/apt.log" 2>&1 || not_ok "apt-get install$need" "$D/apt.log"
fi

# --- build ------------------------------------------------------------------
version=$(sed -n 's/^VERSION := //p' "$ROOT/Makefile")
deb=$OUT/tracekit_${version}_amd64.deb
changes=$OUT/tracekit_${version}_amd64.changes
check "debian/changelog's version is the Makefile's ($version)" \
	has "$ROOT/debian/changelog" "^tracekit \($version\) "
newer=
if [ -f "$deb" ] && [ -f "$changes" ]; then
	newer=$(cd "$ROOT" && find Makefile README.md bpf common tools man debian dist vmlinux \
		-type f -newer "$deb" 2>/dev/null | head -n 1)
	[ -z "$newer" ] && echo "# $deb is newer than the sources: not rebuilding"
fi
if ! [ -f "$deb" ] || ! [ -f "$changes" ] || [ -n "$newer" ]; then
	t0=$(date +%s)
	if sh "$ROOT/dist/mkdeb.sh" "$OUT" >"$D/mkdeb.log" 2>&1; then
		ok "dpkg-buildpackage -b builds $(basename "$deb") ($(($(date +%s) - t0)) s)"
	else
		not_ok "dpkg-buildpackage -b builds $(basename "$deb")" "$D/mkdeb.log"
		finish
		exit 1
	fi
fi
check "the .deb exists" [ -f "$deb" ]
check "nothing was written beside the repository" \
	not sh -c 'ls "$1"/../tracekit_* >/dev/null 2>&1' sh "$ROOT"

t0=$(date +%s)
lintian --fail-on error,warning "$deb" "$changes" >"$D/lintian" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! grep -q '^[EW]: ' "$D/lintian"; then
	ok "lintian: no errors or warnings on the .deb and .changes ($(($(date +%s) - t0)) s)"
else
	not_ok "lintian: no errors or warnings on the .deb and .changes (status $rc)" "$D/lintian"
fi

# --- the package's contents against make install ----------------------------
# The exporter unit is the package's own (dh_installsystemd), checked apart.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\./|/|; s|\.gz$||' |
	grep -v '^/usr/share/doc/' | LC_ALL=C sort >"$D/deb.all"
grep -v '/systemd/system/tracekit@\.service$' "$D/deb.all" >"$D/deb.files"
SHOW=$D/deb.all check "the .deb holds the exporter unit tracekit@.service" \
	has "$D/deb.all" '^(/usr)?/lib/systemd/system/tracekit@\.service$'
dpkg-deb -e "$deb" "$D/ctl"
check "tracekit@.service is off by default: nothing enables or starts it" \
	not grep -Eqs 'deb-systemd-helper (--quiet )?enable|deb-systemd-invoke (start|restart)' \
	"$D/ctl/postinst"
make -s -C "$ROOT" install install-completions DESTDIR="$D/mi" PREFIX=/usr \
	>"$D/mi.log" 2>&1 || not_ok "make install install-completions" "$D/mi.log"
( cd "$D/mi" && find . ! -type d ) | sed 's|^\.||' | LC_ALL=C sort >"$D/mi.files"
diff "$D/mi.files" "$D/deb.files" >"$D/files.diff"
SHOW=$D/files.diff check "the .deb holds what make install PREFIX=/usr installs ($(grep -c . "$D/deb.files") files, /usr/share/doc aside)" \
	[ ! -s "$D/files.diff" ]

# --- install ----------------------------------------------------------------
if dpkg -i "$deb" >"$D/dpkg.log" 2>&1; then
	INSTALLED=1
	ok "dpkg -i"
else
	INSTALLED=1
	DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq >>"$D/dpkg.log" 2>&1
	if dpkg-query -W -f='${Status}' tracekit 2>/dev/null | grep -q 'ok installed'; then
		ok "dpkg -i (with apt-get install -f for its dependencies)"
	else
		not_ok "dpkg -i" "$D/dpkg.log"
		finish
		exit 1
	fi
fi
dpkg-query -W -f='${Depends}\n' tracekit >"$D/depends"
SHOW=$D/depends check "Depends: names the libraries (libbpf1, libelf1)" \
	has "$D/depends" 'libbpf1.*libelf1|libelf1.*libbpf1'

man -w opensnoop >"$D/manw" 2>&1
SHOW=$D/manw check "man -w opensnoop: /usr/share/man/man8/opensnoop.8.gz" \
	has "$D/manw" '^/usr/share/man/man8/opensnoop\.8\.gz$'

# help_words TOOL: the options --help lists, sorted (as manpages.sh reads them).
help_words() {
	"$1" --help | sed '/^Examples/,$d' | sed -n 's/^ \{1,10\}\(-.*\)$/\1/p' |
		sed 's/  .*//; s/[],=|()"[]/ /g' | tr -s ' ' '\n' |
		grep -E '^(-[A-Za-z0-9?]|--[A-Za-z0-9][A-Za-z0-9_-]*)$' | LC_ALL=C sort -u
}
# completion_words FILE: the options a completion offers, sorted.
completion_words() {
	sed -n 's/.*compgen -W "\(-[^"]*\)".*/\1/p' "$1" | tr ' ' '\n' | sed 's/=$//' |
		grep . | LC_ALL=C sort -u
}

# same_nonempty A B: files A and B are the same, and not empty.
same_nonempty() { [ -s "$1" ] && cmp -s "$1" "$2"; }

for t in $TOOLS; do
	check "$t: /usr/sbin/$t" [ -x "/usr/sbin/$t" ]
	"/usr/sbin/$t" --version >"$D/v" 2>&1
	SHOW=$D/v check "$t --version: $t (tracekit) $version" \
		has "$D/v" "^$t \(tracekit\) $version\$"
	check "$t: man page found by man -w" \
		sh -c 'test "$(man -w "$1" 2>/dev/null)" = "/usr/share/man/man8/$1.8.gz"' sh "$t"
	c=/usr/share/bash-completion/completions/$t
	check "$t: bash completion $c" [ -s "$c" ]
	help_words "/usr/sbin/$t" >"$D/h.$t"
	completion_words "$c" >"$D/c.$t"
	diff "$D/h.$t" "$D/c.$t" >"$D/hc.diff"
	SHOW=$D/hc.diff check "$t: the completion offers exactly the options of --help" \
		same_nonempty "$D/h.$t" "$D/c.$t"
done

if command -v bash >/dev/null 2>&1; then
	# What bash would offer after "opensnoop --att<Tab>" and "--attach=<Tab>".
	bash -c '
		. /usr/share/bash-completion/completions/opensnoop || exit 1
		complete -p opensnoop >/dev/null || exit 1
		comp() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMPREPLY=(); _tracekit_opensnoop; echo "${COMPREPLY[*]}"; }
		comp opensnoop --att
		comp opensnoop --attach =
	' >"$D/comp" 2>&1
	printf -- '--attach=\nauto tracepoint tracepoint-enter\n' >"$D/comp.want"
	SHOW=$D/comp check "bash completes opensnoop --att and --attach=" cmp -s "$D/comp" "$D/comp.want"
fi

brief() {
	"$@" >"$D/b.out" 2>"$D/b.err" </dev/null
	rc=$?
	if [ $rc -eq 0 ]; then ok "$*: runs and ends"; else not_ok "$* (status $rc)" "$D/b.err"; fi
}
brief /usr/sbin/opensnoop -d 0.3
SHOW=$D/b.out check "opensnoop: header" has "$D/b.out" '^PID +COMM +FD +ERR +PATH$'
brief /usr/sbin/syscount -d 0.3
brief /usr/sbin/tcpconnect -d 0.3
check "the runs kept their minimised BTF in /var/cache/tracekit/btf" \
	sh -c 'ls /var/cache/tracekit/btf/opensnoop_bpf.*.btf >/dev/null 2>&1'

# --- purge ------------------------------------------------------------------
dpkg --purge tracekit >"$D/purge.log" 2>&1
rc=$?
INSTALLED=
SHOW=$D/purge.log check "dpkg --purge tracekit" [ $rc -eq 0 ]
check "dpkg -L tracekit: no longer known" not sh -c 'dpkg -L tracekit >/dev/null 2>&1'
left=
for t in $TOOLS; do
	for f in /usr/sbin/$t /usr/share/man/man8/$t.8.gz \
		/usr/share/bash-completion/completions/$t; do
		[ -e "$f" ] && left="$left $f"
	done
done
[ -e /usr/share/doc/tracekit ] && left="$left /usr/share/doc/tracekit"
[ -e /var/cache/tracekit ] && left="$left /var/cache/tracekit"
check "nothing left after purge${left:+ (left:$left)}" [ -z "$left" ]
check "man -w opensnoop: gone" not sh -c 'man -w opensnoop >/dev/null 2>&1'
finish
