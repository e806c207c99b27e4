#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The second-kernel lane: the end-to-end suite on Debian's own distro kernels,
# which have kprobes and fentry (the development kernel has neither), booted
# under qemu (TCG: there is no KVM here) from a busybox initramfs holding the
# kit's static multi-call binary (a link per tool: what responders carry), the
# static test helpers and the test scripts. Every attach
# variant of every tool runs there (tests/vm/guest/init), plus guest-only
# checks: auto's choice, --btf with /sys/kernel/btf hidden, the kernel log.
#
# Usage: sh tests/vm/run.sh [SERIES...]     (root; default: $TKVM_SERIES)
#   SERIES is a Debian kernel series: the newest linux-image-SERIES.*-cloud-
#   amd64-unsigned that apt offers is downloaded (apt-get download) and booted.
#   5.10 (Debian 11) comes from bullseye through a private sources list under
#   build/vm/apt/ (the machine's own sources are left alone).
#   arm64-SERIES: Debian's arm64 kernel of SERIES under qemu-system-aarch64,
#   with the cross-built arm64 kit, helpers and programs (tests/vm/README.md).
# Environment:
#   TKVM_SERIES="arm64-6.1 6.1 6.12 5.10"  the series run when none is
#                                  named (the default); the longest first (a pool)
#   TKVM_QUICK="arm64-6.1"         series that run a quick pass: each tool's
#                                  file on auto only (attach.sh still forces
#                                  every variant once); none by default: every
#                                  series runs whole, every file once per variant
#   TKVM_TESTS="opensnoop attach"  only these test files (names without .sh)
#   TKVM_TIMEOUT=SECONDS           per kernel, boot to power-off (default 2700;
#                                  with the second wave of tools, 6.1 takes some 20 minutes)
#   TKVM_FILE_TIMEOUT=SECONDS      per test file in the guest (default 400;
#                                  the longest, ttysnoop on 6.1, about 210 s;
#                                  arm64 guests twice the default: ttysnoop
#                                  took over 400 s there, on a loaded host)
#   TKVM_CPUS, TKVM_MEM            guest CPUs (default 2) and MiB (default 1536)
#   TKVM_JOBS=N                    guests at once (default: nproc; each takes
#                                  one host CPU)
#   TKVM_NO_UPDATE=1               skip apt-get update (use what apt knows)
#   TKVM_CMD='opensnoop -vv -d 1'  debugging: run this in the guest instead of
#                                  the tests (tools and helpers on PATH), show
#                                  its output, exit with its status
# Prints each test's "ok"/"not ok" line tagged with the kernel series, and
# ends with "N passed, N failed"; exit status 0 only if all passed. While the
# guests run, stderr shows progress: where each guest's serial log is, and a
# line per test file and kernel as each file ends. A guest
# that does not boot or never reports its result counts as a failure.
# Cached under build/vm/: downloaded .deb files, extracted kernels, the
# initramfs, and each kernel's serial console log (serial.log).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VM=$ROOT/build/vm
file_timeout_given=${TKVM_FILE_TIMEOUT:+1}
: "${TKVM_TIMEOUT:=2700}" "${TKVM_FILE_TIMEOUT:=400}" "${TKVM_CPUS:=2}" "${TKVM_MEM:=1536}" "${TKVM_TESTS:=}" "${TKVM_CMD:=}"
: "${TKVM_JOBS:=$(nproc)}"
# Loaded in the guest, with what they depend on.
MODULES="loop mq_deadline veth sch_netem"
# Programs some tests run that busybox lacks (PROGRAM:DEBIAN_PACKAGE),
# installed here if missing and copied in with their shared libraries. (Not
# for busybox's own applets: its shell runs those in preference to PATH.)
PROGS="dnsmasq:dnsmasq-base dig:bind9-dnsutils openssl:openssl curl:curl
gnutls-cli:gnutls-bin tstclnt:libnss3-tools certutil:libnss3-tools
bpftool:bpftool ip:iproute2 tc:iproute2 nstat:iproute2"
# Libraries that programs above load with dlopen (ldd does not list them):
# NSS's soft token and its helpers, with their .chk files.
DLOPEN_PKGS="libnss3"

total_pass=0
total_fail=0
lane_t0=$(date +%s)

say() {
	echo "# tkvm: $*"
}

# fail_early WHY: nothing could be tested; still one result line.
fail_early() {
	echo "not ok - tkvm: $1"
	echo
	echo "$total_pass passed, $((total_fail + 1)) failed"
	exit 1
}

# quote STRING: STRING as one sh word.
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# --- host requirements --------------------------------------------------------
apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	apt_updated=1
	[ "${TKVM_NO_UPDATE:-}" = 1 ] && return 0
	apt-get -o DPkg::Lock::Timeout=600 update -qq >"$VM/apt-update.log" 2>&1 ||
		say "apt-get update failed (see $VM/apt-update.log); using what apt knows"
}

# A series from a Debian release the machine's sources do not list: apt with
# a sources list, lists and cache of its own under build/vm/apt/SUITE.
series_suite() {
	case "$1" in
	5.10) echo bullseye ;;
	esac
}
# apt_for SERIES: sets APT_OPTS (empty: the machine's own apt); the private
# lists are updated once per run (TKVM_NO_UPDATE=1 skips that too).
apt_private_done=
apt_for() {
	APT_OPTS=
	_suite=$(series_suite "$1")
	[ -n "$_suite" ] || return 0
	_a=$VM/apt/$_suite
	mkdir -p "$_a/lists/partial" "$_a/cache/archives/partial"
	echo "deb http://deb.debian.org/debian $_suite main" >"$_a/sources.list"
	APT_OPTS="-o Dir::Etc::SourceList=$_a/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$_a/lists -o Dir::Cache=$_a/cache"
	case " $apt_private_done " in *" $_suite "*) return 0 ;; esac
	apt_private_done="$apt_private_done $_suite"
	[ "${TKVM_NO_UPDATE:-}" = 1 ] && ls "$_a/lists/"*Packages* >/dev/null 2>&1 && return 0
	# shellcheck disable=SC2086
	apt-get $APT_OPTS update -qq >"$_a/update.log" 2>&1 ||
		say "[$1] apt-get update for $_suite failed (see $_a/update.log)"
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

# The default lane (make check, CI): every series whole, the longest first
# so that the two at a time end near each other (tests/vm/README.md).
# shellcheck disable=SC2086
[ $# -eq 0 ] && set -- ${TKVM_SERIES:-arm64-6.1 6.1 6.12 5.10}
# series_arch SERIES: sets KSERIES (Debian's kernel series), DARCH (Debian's
# architecture) and GARCH (the kernel's name for it): 6.1 is amd64's 6.1,
# arm64-6.1 arm64's.
series_arch() {
	case $1 in
	arm64-*) KSERIES=${1#arm64-} DARCH=arm64 GARCH=arm64 ;;
	*) KSERIES=$1 DARCH=amd64 GARCH=x86 ;;
	esac
}
GUEST_ARCHS=
for s in "$@"; do
	series_arch "$s"
	case " $GUEST_ARCHS " in *" $GARCH "*) ;; *) GUEST_ARCHS="$GUEST_ARCHS $GARCH" ;; esac
done

[ "$(id -u)" = 0 ] || fail_early "needs root (apt-get, and the cache under build/vm)"
mkdir -p "$VM/debs" "$VM/kernels" || fail_early "cannot create $VM"
missing=
# busybox-static, not busybox: the guest has no shared libraries.
installed busybox-static || missing="$missing busybox-static"
command -v qemu-system-x86_64 >/dev/null || missing="$missing qemu-system-x86"
case " $GUEST_ARCHS " in *" arm64 "*)
	# The cross compiler and the :arm64 libraries (dpkg's arm64 architecture
	# added first), as make deps-cross installs them.
	sh "$ROOT/tests/install-deps.sh" cross >"$VM/deps-cross.log" 2>&1 ||
		fail_early "cannot install the arm64 cross build's packages (see $VM/deps-cross.log)"
	command -v qemu-system-aarch64 >/dev/null || missing="$missing qemu-system-arm"
	# tk_tls for the arm64 guest, cross-built against OpenSSL.
	installed libssl-dev:arm64 || missing="$missing libssl-dev:arm64"
	;;
esac
for p in $PROGS; do
	command -v "${p%%:*}" >/dev/null || case " $missing " in
		*" ${p#*:} "*) ;;
		*) missing="$missing ${p#*:}" ;;
		esac
done
# make btf takes the ELF out of each kernel's vmlinuz: Debian's 6.1 and
# 6.12 are lz4 (a kernel may use any of these).
for p in lz4:lz4 zstd:zstd xz:xz-utils; do
	command -v "${p%%:*}" >/dev/null || missing="$missing ${p#*:}"
done
if [ -n "$missing" ]; then
	say "installing$missing"
	apt_update
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
		--no-install-recommends $missing >"$VM/apt-install.log" 2>&1 ||
		fail_early "cannot install$missing (see $VM/apt-install.log)"
fi
BUSYBOX=$(command -v busybox) || fail_early "no busybox"
# sslsniff's test programs are built here (the guest has no compiler).
if ! [ -f /usr/include/openssl/ssl.h ] || ! command -v cc >/dev/null; then
	say "installing gcc libssl-dev"
	apt_update
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
		--no-install-recommends gcc libc6-dev libssl-dev >"$VM/apt-install.log" 2>&1 ||
		fail_early "cannot install gcc libssl-dev (see $VM/apt-install.log)"
fi

# --- what goes into every guest -----------------------------------------------
say "building the static tools and test helpers (make static helpers)"
make -C "$ROOT" -j"$(nproc)" static helpers >"$VM/make.log" 2>&1 ||
	{ tail -n 30 "$VM/make.log" | sed 's/^/#   /'; fail_early "make static helpers failed"; }
# The incident-response kit, for kit.sh in the guest (TK_KIT: no make there).
kit=
if make -C "$ROOT" kit >"$VM/make-kit.log" 2>&1; then
	kit=$(ls -t "$ROOT"/build/kit/tracekit-*.tar.gz 2>/dev/null | head -n 1)
else
	echo "not ok - tkvm: make kit failed ($VM/make-kit.log)"
	tail -n 10 "$VM/make-kit.log" | sed 's/^/#   /'
	total_fail=$((total_fail + 1))
fi

# arm64 guests: the cross-built tools, helpers and kit, and Debian's arm64
# busybox-static (unpacked from its package: it cannot be installed beside
# the host's).
kit_arm64=
case " $GUEST_ARCHS " in *" arm64 "*)
	say "cross-building for arm64 (make ARCH=arm64 static helpers kit)"
	make -C "$ROOT" -j"$(nproc)" ARCH=arm64 static helpers kit >"$VM/make-arm64.log" 2>&1 ||
		{ tail -n 30 "$VM/make-arm64.log" | sed 's/^/#   /'; fail_early "make ARCH=arm64 failed"; }
	kit_arm64=$(ls -t "$ROOT"/build/arm64/kit/tracekit-*.tar.gz 2>/dev/null | head -n 1)
	BUSYBOX_ARM64=$VM/arm64/busybox/bin/busybox
	if ! [ -x "$BUSYBOX_ARM64" ]; then
		apt_update
		rm -rf "$VM/arm64" && mkdir -p "$VM/arm64/busybox" &&
			(cd "$VM/arm64" && apt-get download busybox-static:arm64) >"$VM/arm64/download.log" 2>&1 &&
			dpkg-deb -x "$VM"/arm64/busybox-static_*_arm64.deb "$VM/arm64/busybox" ||
			fail_early "cannot fetch busybox-static:arm64 (see $VM/arm64/download.log)"
	fi
	;;
esac

# x86_programs: into $R, the host's programs that tests run (PROGS), the
# libraries they load, and tk_tls built here against OpenSSL.
x86_programs() {
	# tk_tls against OpenSSL, shared and static (sslsniff.sh's TK_TLS_BUILT).
	mkdir -p "$R/tk/build/tls"
	TLS=$ROOT/tests/helpers/tk_tls.c
	cc -O2 -DTK_WITH_OPENSSL "$TLS" -lssl -lcrypto -o "$R/tk/build/tls/tk_tls" \
		>"$VM/tls.log" 2>&1 &&
		cc -O2 -static -DTK_WITH_OPENSSL "$TLS" -l:libssl.a -l:libcrypto.a -lpthread -ldl \
			-o "$R/tk/build/tls/tk_tls_static" >>"$VM/tls.log" 2>&1 &&
		strip -o "$R/tk/build/tls/tk_tls_stripped" "$R/tk/build/tls/tk_tls_static" ||
		fail_early "cannot build tk_tls for the guest (see $VM/tls.log)"
	# add_libs FILE: the shared libraries FILE loads, at the same paths.
	add_libs() {
		for _l in $(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
			[ -e "$R$_l" ] && continue
			mkdir -p "$R$(dirname "$_l")" && cp -L "$_l" "$R$_l" || return 1
		done
	}
	# add_prog NAME: the host's program NAME (in place of a busybox applet of that
	# name) and the shared libraries it loads.
	add_prog() {
		_p=$(command -v "$1") || return 0
		case "$_p" in /*) ;; *) return 0 ;; esac
		rm -f "$R/bin/$1"
		cp -L "$_p" "$R/bin/$1" && add_libs "$_p"
	}
	for p in $PROGS; do
		add_prog "${p%%:*}" || fail_early "cannot copy ${p%%:*} into the initramfs"
	done
	for f in $(dpkg -L $DLOPEN_PKGS | grep -E '\.(so|chk)$') "$R/tk/build/tls/tk_tls"; do
		[ -f "$f" ] || continue
		case "$f" in "$R"/*) ;; *)
			mkdir -p "$R$(dirname "$f")" && cp -L "$f" "$R$f" ||
				fail_early "cannot copy $f into the initramfs" ;;
		esac
		case "$f" in *.so) add_libs "$f" || fail_early "cannot copy what $f loads" ;; esac
	done
	# OpenSSL's configuration (OPENSSLDIR is /usr/lib/ssl).
	if [ -f /etc/ssl/openssl.cnf ]; then
		cp /etc/ssl/openssl.cnf "$R/etc/ssl/"
		mkdir -p "$R/lib/ssl"
		ln -s ../../etc/ssl/openssl.cnf "$R/lib/ssl/openssl.cnf"
	fi
}

# arm64_programs: into $R, the arm64 builds of the programs that tests run
# (PROGS' packages and every library package they depend on, fetched with
# apt-get download and unpacked into $VM/arm64/sysroot once), their library
# directories whole (dlopen'd modules included), and tk_tls cross-built
# against libssl-dev:arm64 when that is installed. A file whose programs are
# missing is listed in /etc/tkvm-notrun with why.
arm64_programs() {
	_sr=$VM/arm64/sysroot
	_pk=$(for p in $PROGS; do echo "${p#*:}:arm64"; done | sort -u)
	# The library packages: those of the dependencies that are Multi-Arch:
	# same (libX, X-libs such as bind9-libs, and zlib1g: by their names
	# alone, libz.so.1 was missed, and dig, curl and bpftool could not start).
	# shellcheck disable=SC2086
	_all=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances $_pk 2>/dev/null |
		grep -E '^[a-z0-9][a-z0-9.+-]*:arm64$' | sort -u)
	# shellcheck disable=SC2086
	_all=$(apt-cache show --no-all-versions $_all 2>/dev/null |
		awk '/^Package:/ { p = $2 } /^Multi-Arch: same/ { print p ":arm64" }' | sort -u)
	# Unpacked again when the list changed.
	if ! [ -f "$_sr/.done" ] || [ "$(cat "$_sr/.done")" != "$(echo $_pk $_all)" ]; then
		rm -rf "$_sr" "$VM/arm64/debs" && mkdir -p "$_sr" "$VM/arm64/debs"
		# shellcheck disable=SC2086
		if (cd "$VM/arm64/debs" && apt-get download $_pk $_all) >"$VM/arm64/debs.log" 2>&1; then
			for _d in "$VM"/arm64/debs/*.deb; do
				dpkg-deb -x "$_d" "$_sr" || break
			done && echo $_pk $_all >"$_sr/.done"
		fi
		[ -f "$_sr/.done" ] || say "[arm64] cannot fetch the programs' packages (see $VM/arm64/debs.log)"
	fi
	for p in $PROGS; do
		_n=${p%%:*}
		for _d in usr/bin usr/sbin bin sbin; do
			[ -f "$_sr/$_d/$_n" ] || continue
			rm -f "$R/bin/$_n"
			cp "$_sr/$_d/$_n" "$R/bin/$_n"
			break
		done
	done
	[ -e "$_sr/lib/ld-linux-aarch64.so.1" ] && cp -L "$_sr/lib/ld-linux-aarch64.so.1" "$R/lib/"
	for _d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu; do
		[ -d "$_sr/$_d" ] || continue
		mkdir -p "$R/lib/aarch64-linux-gnu"
		cp -a "$_sr/$_d/." "$R/lib/aarch64-linux-gnu/"
	done
	if [ -f "$_sr/etc/ssl/openssl.cnf" ]; then
		cp "$_sr/etc/ssl/openssl.cnf" "$R/etc/ssl/"
		mkdir -p "$R/lib/ssl"
		ln -s ../../etc/ssl/openssl.cnf "$R/lib/ssl/openssl.cnf"
	fi
	# tk_tls: shared, static and stripped, as on x86.
	mkdir -p "$R/tk/build/tls"
	_cc=aarch64-linux-gnu-gcc
	TLS=$ROOT/tests/helpers/tk_tls.c
	$_cc -O2 -DTK_WITH_OPENSSL "$TLS" -lssl -lcrypto -o "$R/tk/build/tls/tk_tls" \
		>"$VM/tls-arm64.log" 2>&1 &&
		$_cc -O2 -static -DTK_WITH_OPENSSL "$TLS" -l:libssl.a -l:libcrypto.a -lpthread -ldl \
			-o "$R/tk/build/tls/tk_tls_static" >>"$VM/tls-arm64.log" 2>&1 &&
		aarch64-linux-gnu-strip -o "$R/tk/build/tls/tk_tls_stripped" \
			"$R/tk/build/tls/tk_tls_static" >>"$VM/tls-arm64.log" 2>&1 ||
		rm -rf "$R/tk/build/tls"
	# What a file needs that this guest lacks.
	_lack() { for _n in "$@"; do [ -f "$R/bin/$_n" ] || printf ' %s' "$_n"; done; }
	_m=$(_lack dnsmasq dig)
	[ -n "$_m" ] && echo "dnssnoop needs$_m, not in the arm64 guest" >>"$R/etc/tkvm-notrun"
	_m=$(_lack openssl curl gnutls-cli tstclnt certutil)
	[ -f "$R/tk/build/tls/tk_tls_static" ] || _m="$_m tk_tls (libssl-dev:arm64)"
	[ -n "$_m" ] && echo "sslsniff needs$_m, not in the arm64 guest" >>"$R/etc/tkvm-notrun"
	_m=$(_lack openssl)
	[ -n "$_m" ] && echo "bursts needs$_m, not in the arm64 guest" >>"$R/etc/tkvm-notrun"
	return 0
}

# common_root ARCH: $VM/common-ARCH.cpio, the initramfs every guest of ARCH
# starts from: busybox as every command, the tools, the helpers, the tests.
# Each kernel's modules are appended as a second archive (the kernel unpacks
# concatenated archives in order).
common_root() {
	case $1 in
	x86) _bb=$BUSYBOX _kit=$kit _static=$ROOT/bin/static _helpers=$ROOT/build/tests ;;
	arm64) _bb=$BUSYBOX_ARM64 _kit=$kit_arm64 _static=$ROOT/bin/arm64/static \
		_helpers=$ROOT/build/arm64/tests ;;
	esac
	R=$VM/root-$1
	rm -rf "$R"
	mkdir -p "$R/bin" "$R/dev" "$R/proc" "$R/sys" "$R/tmp" "$R/root" "$R/etc" \
		"$R/tk/bin" "$R/tk/build/tests" "$R/tk/tests/e2e" "$R/tk/tests/vm/guest"
	ln -s bin "$R/sbin"
	mkdir -p "$R/usr" && ln -s ../bin "$R/usr/bin" && ln -s ../bin "$R/usr/sbin"
	cp "$_bb" "$R/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -s busybox "$R/bin/$a"
	done
	cp "$ROOT/tests/vm/guest/init" "$R/init"
	chmod 0755 "$R/init"
	# The tools under test: the kit's one binary, through a link per tool, as a
	# responder runs it from the USB stick (the individual static binaries if the
	# kit did not build).
	kit_bin=
	if [ -n "$_kit" ]; then
		mkdir -p "$R/tk/kitbin"
		tar -xzf "$_kit" -O "$(basename "$_kit" .tar.gz)/tracekit" >"$R/tk/kitbin/tracekit" &&
			chmod 0755 "$R/tk/kitbin/tracekit" && kit_bin=1
	fi
	for f in "$_static"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		if [ -n "$kit_bin" ]; then
			ln -s ../kitbin/tracekit "$R/tk/bin/$(basename "$f")"
		else
			cp "$f" "$R/tk/bin/"
		fi
	done
	[ -n "$kit_bin" ] && say "the guest runs the kit's tracekit, a link per tool" ||
		say "the guest runs bin/static/* (no kit)"
	# Where the tools look for btf/RELEASE.btf: beside the binary they run.
	kit_dir=tk/bin
	[ -n "$kit_bin" ] && kit_dir=tk/kitbin
	for f in "$_helpers"/*; do
		case "$f" in *.d | *.o) continue ;; esac
		[ -f "$f" ] && [ -x "$f" ] && cp "$f" "$R/tk/build/tests/"
	done
	cp "$ROOT/tests/run.sh" "$R/tk/tests/"
	cp "$ROOT/Makefile" "$R/tk/"	# kit.sh reads its TOOLS
	if [ -n "$_kit" ]; then
		mkdir -p "$R/tk/kit"
		cp "$_kit" "$(dirname "$_kit")/SHA256SUMS" "$R/tk/kit/"
	fi
	cp "$ROOT"/tests/e2e/*.sh "$R/tk/tests/e2e/"
	cp "$ROOT"/tests/vm/guest/*.sh "$R/tk/tests/vm/guest/"
	mkdir -p "$R/lib" "$R/etc/ssl"
	ln -s ../lib "$R/usr/lib"
	: >"$R/etc/tkvm-notrun"
	case $1 in
	x86) x86_programs ;;
	arm64) arm64_programs ;;
	esac
	# Nothing in the guest reaches a real server: name none.
	echo 'nameserver 127.0.0.1' >"$R/etc/resolv.conf"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$R/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
	echo tkvm >"$R/etc/hostname"
	: >"$R/etc/tkvm-modules"
	{
		printf 'TKVM_TESTS=%s\n' "$(quote "$TKVM_TESTS")"
		printf 'TKVM_CMD=%s\n' "$(quote "$TKVM_CMD")"
		_ft=$TKVM_FILE_TIMEOUT
		[ "$1" = arm64 ] && [ -z "$file_timeout_given" ] && _ft=$((_ft * 2))
		printf 'TKVM_FILE_TIMEOUT=%s\n' "$(quote "$_ft")"
		[ -n "$_kit" ] && printf 'TK_KIT=/tk/kit/%s\n' "$(basename "$_kit")"
	} >"$R/etc/tkvm.conf"
	(cd "$R" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null) >"$VM/common-$1.cpio" ||
		fail_early "cannot pack the $1 initramfs"
	rm -rf "$R"
}
rm -f "$VM"/kernels/*.initramfs.cpio
for a in $GUEST_ARCHS; do
	common_root "$a"
done

# --- one kernel ---------------------------------------------------------------

# kernel_pkg SERIES: the newest cloud kernel package of SERIES that apt offers.
# shellcheck disable=SC2086
kernel_pkg() {
	series_arch "$1"
	_re=$(echo "$KSERIES" | sed 's/\./\\./g')
	apt-cache $APT_OPTS pkgnames "linux-image-$KSERIES." 2>/dev/null |
		grep -E "^linux-image-$_re\\.[0-9]+(-[0-9]+)?(\\+deb[0-9]+)?-cloud-$DARCH-unsigned\$" |
		sort -V -r |
		while read -r _p; do
			if apt-cache $APT_OPTS policy "$_p:$DARCH" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
				echo "$_p"
				break
			fi
		done
}

# series_debs SERIES: the kernel packages of SERIES in the cache, oldest first.
series_debs() {
	series_arch "$1"
	_re=$(echo "$KSERIES" | sed 's/\./\\./g')
	for _f in "$VM"/debs/linux-image-"$KSERIES".*.deb; do
		[ -f "$_f" ] && basename "$_f"
	done | grep -E "^linux-image-$_re\\.[0-9].*-cloud-$DARCH-unsigned_.*\\.deb\$" | sort -V
}

# fetch SERIES: sets DEB to the kernel package file (downloaded if new).
fetch() {
	DEB=
	apt_for "$1"
	[ -n "$APT_OPTS" ] || apt_update
	_pkg=$(kernel_pkg "$1")
	if [ -n "$_pkg" ]; then
		series_arch "$1"
		# shellcheck disable=SC2086
		_ver=$(apt-cache $APT_OPTS policy "$_pkg:$DARCH" | sed -n 's/^ *Candidate: //p' | sed 's/:/%3a/')
		DEB=$VM/debs/${_pkg}_${_ver}_$DARCH.deb
		if [ ! -f "$DEB" ]; then
			say "[$1] downloading $_pkg $_ver"
			# shellcheck disable=SC2086
			(cd "$VM/debs" && apt-get $APT_OPTS download "$_pkg:$DARCH") >"$VM/debs/download.log" 2>&1
			if [ ! -f "$DEB" ]; then
				say "[$1] apt-get download $_pkg failed (see $VM/debs/download.log)"
				DEB=
			fi
		fi
	fi
	if [ -z "$DEB" ]; then
		# Offline: the newest package of the series already here.
		DEB=$(series_debs "$1" | tail -n 1)
		[ -n "$DEB" ] && DEB=$VM/debs/$DEB && say "[$1] using the cached $(basename "$DEB")"
	fi
	[ -n "$DEB" ]
}

# prune SERIES: the other (older) packages of SERIES and their unpacked trees.
prune() {
	for _d in $(series_debs "$1"); do
		[ "$VM/debs/$_d" = "$DEB" ] && continue
		say "[$1] removing the older $_d"
		rm -rf "${VM:?}/debs/$_d" "$VM/kernels/${_d%.deb}"
	done
}

# unpack: sets K (extracted tree) and KVER from $DEB.
unpack() {
	K=$VM/kernels/$(basename "$DEB" .deb)
	if [ ! -f "$K/.done" ]; then
		rm -rf "$K"
		mkdir -p "$K/x"
		dpkg-deb -x "$DEB" "$K/x" || return 1
		: >"$K/.done"
	fi
	KVER=$(ls "$K/x/boot" | sed -n 's/^vmlinuz-//p' | head -n 1)
	[ -n "$KVER" ]
}

# add_module NAME: copy module NAME and what it depends on into $MR,
# uncompressed (busybox modprobe reads plain .ko files only). Built-in ones
# need nothing.
add_module() {
	_m=$(echo "$1" | tr - _)
	case " $mods_seen " in *" $_m "*) return 0 ;; esac
	mods_seen="$mods_seen $_m"
	_dir=$K/x/lib/modules/$KVER
	_f=$(find "$_dir/kernel" \( -name "$_m.ko*" -o -name "$(echo "$_m" | tr _ -).ko*" \) | head -n 1)
	if [ -z "$_f" ]; then
		grep -qE "/($_m|$(echo "$_m" | tr _ -))\\.ko\$" "$_dir/modules.builtin" && return 0
		say "[$SERIES] no module $_m in $KVER"
		return 1
	fi
	_rel=${_f#"$_dir"/}
	_dst=$MR/lib/modules/$KVER/${_rel%.xz}
	_dst=${_dst%.zst}
	mkdir -p "$(dirname "$_dst")"
	case "$_f" in
	*.xz) "$BUSYBOX" xzcat "$_f" >"$_dst" ;;
	*.zst) zstd -qdc "$_f" >"$_dst" ;;
	*) cp "$_f" "$_dst" ;;
	esac || return 1
	mods_copied="$mods_copied $_m"
	# (The list is read before the recursion reuses the variables.)
	for _d in $(tr '\0' '\n' <"$_dst" | sed -n 's/^depends=//p' | tr , ' '); do
		add_module "$_d" || return 1
	done
}

# initramfs: the common archive with this kernel's modules appended; sets INITRD.
initramfs() {
	MR=$VM/kernels/$KVER.modules
	rm -rf "$MR"
	mkdir -p "$MR/lib/modules/$KVER" "$MR/etc"
	: >"$MR/etc/tkvm-modules"
	mods_seen=
	mods_copied=
	for m in $MODULES; do
		add_module "$m" || return 1
		case " $mods_copied " in *" $m "*) echo "$m" >>"$MR/etc/tkvm-modules" ;; esac
	done
	cp "$K/x/lib/modules/$KVER/modules.builtin" "$K/x/lib/modules/$KVER/modules.order" \
		"$MR/lib/modules/$KVER/" 2>/dev/null
	"$BUSYBOX" depmod -b "$MR" "$KVER" || return 1
	# A quick pass (TKVM_QUICK): the guest's init runs each tool on auto only.
	case " ${TKVM_QUICK:-} " in *" $SERIES "*) : >"$MR/etc/tkvm-quick" ;; esac
	# The kernel's config, for checks that ask what it was built with.
	mkdir -p "$MR/boot"
	cp "$K/x/boot/config-$KVER" "$MR/boot/" || return 1
	# The kit's minimised BTF for this kernel (btf.sh hides the kernel's own).
	if [ -s "$VM/kernels/$KVER.btf/$KVER.btf" ]; then
		mkdir -p "$MR/$kit_dir/btf"
		cp "$VM/kernels/$KVER.btf/$KVER.btf" "$MR/$kit_dir/btf/"
	fi
	INITRD=$VM/kernels/$KVER.initramfs.cpio
	{
		series_arch "$SERIES"
		cat "$VM/common-$GARCH.cpio"
		(cd "$MR" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null)
	} >"$INITRD"
}

# boot KVER KERNEL INITRD SERIES: run one guest to power-off (or the timeout), its
# console to $VM/kernels/KVER.serial.log; then KVER.rc (qemu's status) and
# KVER.secs (how long it ran).
boot() {
	_b=$VM/kernels/$1
	rm -f "$_b.serial.log" "$_b.rc" "$_b.secs"
	_t0=$(date +%s)
	# One host thread for all guest CPUs (thread=single): with a thread per
	# CPU, one CPU could run kernel text that another was patching (static
	# keys flip as tools attach): "Oops: int3" in syscall_trace_enter on
	# 6.12, soft lockups on 6.1.
	# arm64: the virt board, its PL011 console; pointer authentication with
	# qemu's own cheap algorithm (pauth-impdef), not the architected QARMA
	# that costs TCG dearly.
	series_arch "$4"
	case $GARCH in
	arm64) _qemu=qemu-system-aarch64 _machine="-M virt" _cpu=max,pauth-impdef=on _console=ttyAMA0 ;;
	*) _qemu=qemu-system-x86_64 _machine= _cpu=max _console=ttyS0 ;;
	esac
	# shellcheck disable=SC2086
	timeout -k 10 "$TKVM_TIMEOUT" "$_qemu" $_machine \
		-accel tcg,thread=single -cpu "$_cpu" -smp "$TKVM_CPUS" -m "$TKVM_MEM" \
		-nodefaults -no-user-config -display none -no-reboot \
		-serial "file:$_b.serial.log" \
		-kernel "$2" -initrd "$3" \
		-append "console=$_console panic=-1 softlockup_panic=1 loglevel=4 rdinit=/init" \
		</dev/null >"$_b.qemu.log" 2>&1
	echo $? >"$_b.rc"
	echo $(($(date +%s) - _t0)) >"$_b.secs"
}

# progress SERIES KVER: on stderr, a line for each test file the guest has
# finished since the last call (from its serial log: run.sh's total, then
# init's "# TKVM: FILE took Ns").
progress() {
	_b=$VM/kernels/$2
	[ -f "$_b.serial.log" ] || return 0
	tr -d '\r' <"$_b.serial.log" | awk -v s="[$1]" '
		/^[0-9]+ passed, [0-9]+ failed$/ { tot = $0 }
		/^not ok - .*: timed out after/ { tot = "timed out" }
		/^# TKVM: .* took [0-9]+s$/ {
			print "# tkvm: " s " " $3 ": " tot " (" $NF ")"
			tot = "no total"
		}' >"$_b.progress"
	_seen=$(cat "$_b.seen" 2>/dev/null || echo 0)
	tail -n +$((_seen + 1)) "$_b.progress" >&2
	grep -c . "$_b.progress" >"$_b.seen"
}

# watch_guests "SERIES:KVER:... ..." [once]: progress until each guest has
# ended (once: just what is new).
watch_guests() {
	while :; do
		_left=
		for _r in $1; do
			_s=${_r%%:*}
			_kv=${_r#*:}
			_kv=${_kv%%:*}
			progress "$_s" "$_kv"
			[ -f "$VM/kernels/$_kv.rc" ] || _left=1
		done
		[ -z "$_left" ] || [ -n "${2:-}" ] && return 0
		sleep 5
	done
}

# report SERIES KVER: the guest's lines, tagged; adds to the totals.
report() {
	_b=$VM/kernels/$2
	LOG=$_b.serial.log
	_rc=$(cat "$_b.rc" 2>/dev/null)
	touch "$LOG"
	tr -d '\r' <"$LOG" >"$LOG.txt"
	if [ -n "$TKVM_CMD" ]; then
		sed -n '/^TKVM-BEGIN /,$p' "$LOG.txt"
		[ "$(sed -n 's/^TKVM-END //p' "$LOG.txt")" = 0 ] || total_fail=$((total_fail + 1))
		return
	fi
	if ! grep -q '^TKVM-BEGIN ' "$LOG.txt"; then
		echo "not ok - [$1] the guest did not start the tests (qemu status ${_rc:-?}; $LOG)"
		tail -n 30 "$LOG.txt" | sed 's/^/#   /'
		tail -n 5 "$_b.qemu.log" | sed 's/^/#   qemu: /'
		total_fail=$((total_fail + 1))
		return
	fi
	sed -n '/^TKVM-BEGIN /,$p' "$LOG.txt" | awk -v s="[$1]" '
		/^ok - / { sub(/^ok - /, "ok - " s " "); print; next }
		/^not ok - / { sub(/^not ok - /, "not ok - " s " "); print; next }
		/^#/ { print }'
	_end=$(sed -n 's/^TKVM-END //p' "$LOG.txt")
	_tot=$(sed -n '/^TKVM-BEGIN /,/^TKVM-END /p' "$LOG.txt" |
		grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	if [ -n "$_end" ] && [ -n "$_tot" ]; then
		_p=${_tot%% passed*}
		_f=${_tot#*passed, }
		_f=${_f%% failed}
	else
		_p=$(sed -n '/^TKVM-BEGIN /,$p' "$LOG.txt" | grep -c '^ok - ')
		_f=$(sed -n '/^TKVM-BEGIN /,$p' "$LOG.txt" | grep -c '^not ok - ')
		echo "not ok - [$1] no result line from the guest (qemu status ${_rc:-?}: timeout after ${TKVM_TIMEOUT}s, or a crash; $LOG)"
		tail -n 40 "$LOG.txt" | sed 's/^/#   /'
		_f=$((_f + 1))
	fi
	say "[$1] $2: $_p passed, $_f failed, $(cat "$_b.secs" 2>/dev/null)s; serial log $LOG"
	total_pass=$((total_pass + _p))
	total_fail=$((total_fail + _f))
}

# Everything ready first; then the guests, TKVM_JOBS at a time (each is one
# host thread); then their reports, in order.
ready=
for SERIES in "$@"; do
	if ! fetch "$SERIES"; then
		echo "not ok - [$SERIES] no Debian cloud kernel package for $SERIES"
		total_fail=$((total_fail + 1))
		continue
	fi
	prune "$SERIES"
	if ! unpack; then
		echo "not ok - [$SERIES] cannot unpack $DEB"
		total_fail=$((total_fail + 1))
		continue
	fi
	# A minimised BTF for the tools, from the BTF in the kernel image
	# (Debian's x86 vmlinuz holds an ELF vmlinux that keeps its .BTF
	# section; arm64's is a raw Image with the .BTF blob in it).
	rm -rf "$VM/kernels/$KVER.btf"
	series_arch "$SERIES"
	if make -s -C "$ROOT" ARCH="$GARCH" btf BTF_SRC="$K/x/boot/vmlinuz-$KVER" BTF_RELEASE="$KVER" \
		BTF_OUT="$VM/kernels/$KVER.btf" >"$VM/kernels/$KVER.btf.log" 2>&1; then
		say "[$SERIES] $(tail -n 1 "$VM/kernels/$KVER.btf.log")"
	else
		echo "not ok - [$SERIES] make btf from vmlinuz-$KVER failed ($VM/kernels/$KVER.btf.log)"
		sed 's/^/#   /' "$VM/kernels/$KVER.btf.log"
		total_fail=$((total_fail + 1))
	fi
	if ! initramfs; then
		echo "not ok - [$SERIES] cannot build the initramfs for $KVER"
		total_fail=$((total_fail + 1))
		continue
	fi
	ready="$ready $SERIES:$KVER:$K/x/boot/vmlinuz-$KVER:$INITRD"
done
# A pool: a new guest starts as soon as one ends (the first in the list
# should be the longest).
running=
for r in $ready; do
	while [ "$(echo $running | wc -w)" -ge "$TKVM_JOBS" ]; do
		watch_guests "$running" once
		_still=
		for _r in $running; do
			_kv=${_r#*:}
			[ -f "$VM/kernels/${_kv%%:*}.rc" ] || _still="$_still $_r"
		done
		running=$_still
		[ "$(echo $running | wc -w)" -ge "$TKVM_JOBS" ] && sleep 5
	done
	IFS=: read -r s kv kern ird <<EOF
$r
EOF
	rm -f "$VM/kernels/$kv.rc" "$VM/kernels/$kv.seen" "$VM/kernels/$kv.serial.log"
	say "[$s] booting $kv (TCG, $TKVM_CPUS CPUs, at most ${TKVM_TIMEOUT}s); serial log $VM/kernels/$kv.serial.log" >&2
	boot "$kv" "$kern" "$ird" "$s" &
	running="$running $r"
done
watch_guests "$ready"
wait
for r in $ready; do
	IFS=: read -r s kv kern ird <<EOF
$r
EOF
	report "$s" "$kv"
	sh "$ROOT/tests/vm/variants.sh" collect "$s" "$VM/kernels/$kv.serial.log.txt" &&
		checked="${checked:-} $s"
done
# README's table of what auto picks on each kernel is what the guests said.
if [ -z "$TKVM_CMD" ]; then
	# shellcheck disable=SC2086
	sh "$ROOT/tests/vm/variants.sh" check ${checked:-} >"$VM/variants.check"
	cat "$VM/variants.check"
	total_pass=$((total_pass + $(grep -c '^ok - ' "$VM/variants.check")))
	total_fail=$((total_fail + $(grep -c '^not ok - ' "$VM/variants.check")))
fi

say "the lane took $(($(date +%s) - lane_t0))s"
echo
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
