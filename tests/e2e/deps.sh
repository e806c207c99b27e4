#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/install-deps.sh (make deps, make test-deps) against stand-ins for
# dpkg-query (nothing installed), dpkg (no foreign architecture) and apt-get
# (records its arguments; its
# update fails twice, as while another apt holds the lists' lock): build
# dependencies only for `build`, the test ones too for `test`, the package
# lock waited for, update retried. Changes nothing on the machine.
. "$(dirname "$0")/lib.sh"
D=$T_DIR
mkdir "$D/bin"
cat >"$D/bin/dpkg-query" <<'EOT'
#!/bin/sh
exit 1
EOT
cat >"$D/bin/apt-get" <<EOT
#!/bin/sh
echo "\$*" >>"$D/apt.log"
case " \$* " in
*" update "*)
	n=\$(cat "$D/updates" 2>/dev/null || echo 0)
	echo \$((n + 1)) >"$D/updates"
	[ "\$n" -ge 2 ] ;;
esac
EOT
# dpkg: no foreign architecture yet; --add-architecture is recorded, in
# order with apt-get's calls.
cat >"$D/bin/dpkg" <<EOT
#!/bin/sh
case "\$1" in
--add-architecture) echo "dpkg \$*" >>"$D/apt.log" ;;
esac
exit 0
EOT
cat >"$D/bin/sleep" <<'EOT'
#!/bin/sh
exit 0
EOT
chmod +x "$D/bin/"*

# deps MODE: run the script on the stand-ins; sets its log's install line.
deps() {
	rm -f "$D/apt.log" "$D/updates"
	PATH="$D/bin:$PATH" sh "$ROOT/tests/install-deps.sh" "$1" >"$D/deps.out" 2>&1
	DEPS_RC=$?
	INSTALL=$(grep ' install ' "$D/apt.log" 2>/dev/null)
}

# wants WORDS...: the install line names each package.
wants() {
	for p in "$@"; do
		case " $INSTALL " in *" $p "*) ;; *) return 1 ;; esac
	done
}

# wants_none WORDS...: the install line names none of them.
wants_none() {
	for p in "$@"; do
		case " $INSTALL " in *" $p "*) return 1 ;; esac
	done
}

# both COMMAND1 -- COMMAND2: both succeed.
both() {
	_a=
	while [ "$1" != -- ]; do _a="$_a '$1'"; shift; done
	shift
	eval "$_a" && "$@"
}

SHOW="$D/deps.out $D/apt.log"
if [ "$(id -u)" != 0 ]; then
	deps build
	check "not root: says so, status 1" both [ $DEPS_RC -eq 1 ] -- has "$D/deps.out" 'need root'
	finish
	exit $?
fi
deps build
check "build: status 0" [ $DEPS_RC -eq 0 ]
check "build: installs the compilers and libraries" \
	wants clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev gcc make
check "build: installs no cross, test or qemu package, adds no architecture" both \
	wants_none gcc-aarch64-linux-gnu libbpf-dev:arm64 qemu-system-x86 qemu-user-static \
	strace tcpdump dnsmasq-base lintian busybox-static -- \
	not has "$D/apt.log" 'add-architecture'
check "build: waits for another apt's lock (DPkg::Lock::Timeout)" \
	has "$D/apt.log" '-o DPkg::Lock::Timeout=[0-9]+ install '
check "build: apt-get update tried again after failing (3 tries)" \
	[ "$(grep -c ' update' "$D/apt.log")" -eq 3 ]
deps cross
check "cross: status 0" [ $DEPS_RC -eq 0 ]
check "cross: the build packages, the arm64 cross compiler and libraries" both \
	wants clang bpftool libbpf-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
	libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64 -- \
	wants_none qemu-system-x86 strace
check "cross: adds the arm64 architecture before apt-get update" \
	[ "$(head -n 1 "$D/apt.log")" = "dpkg --add-architecture arm64" ]
deps test
check "test: status 0" [ $DEPS_RC -eq 0 ]
check "test: the build packages and the test ones" \
	wants clang bpftool libbpf-dev qemu-system-x86 busybox-static dnsmasq-base \
	strace tcpdump util-linux qemu-user-static gcc-aarch64-linux-gnu qemu-system-arm \
	libssl-dev:arm64
deps bogus
check "an unknown mode: usage, status 2" [ $DEPS_RC -eq 2 ]
# The make targets run the script that way.
make -s -n -C "$ROOT" deps deps-cross test-deps >"$D/make.out" 2>&1
SHOW="$D/make.out"
check "make deps, deps-cross and test-deps" \
	[ "$(grep -c 'install-deps.sh \(build\|cross\|test\)$' "$D/make.out")" -eq 3 ]
finish
