# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Shared by the guest-only checks (tests/vm/guest/*.sh): tests/e2e/lib.sh,
# and what a check needs to know to run any tool with no arguments.
: "${ROOT:=$(cd "$(dirname "$0")/../../.." && pwd)}"
. "$ROOT/tests/e2e/lib.sh"

# variants TOOL: the attach variants TOOL offers (its usage error lists
# them), space-separated; nothing for a tool without --attach.
variants() {
	"$1" --attach=tkvm-list 2>&1 >/dev/null |
		sed -n 's/.*(choose from: auto, \(.*\))$/\1/p' | sed 's/,//g'
}

# tool_args TOOL: what TOOL needs on its command line to trace at all.
tool_args() {
	case "$(basename "$1")" in
	ttysnoop) echo -a ;;	# a DEVICE, or every terminal
	esac
}

# kernel_config OPTION: OPTION's value in the running kernel's config (the
# lane puts Debian's /boot/config-RELEASE in the guest), empty when unset;
# status 2 when there is no config to read.
kernel_config() {
	_kc=/boot/config-$(uname -r)
	[ -r "$_kc" ] || return 2
	sed -n "s/^$1=//p" "$_kc"
}
