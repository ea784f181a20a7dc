#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - make sure every Debian package virqlab needs is installed.
# As root: installs what is missing (apt-get update once, then install).
# Not root: prints the exact command to run and exits 2.
# Then fetches the sandbox's kernel package (scripts/sandbox-fetch.sh).
#
# Usage: scripts/deps.sh [--check]   (--check: report only, never install)
#        scripts/deps.sh --help | --version

set -eu

PACKAGES="
bpftool
busybox-static
clang
cpio
debootstrap
gcc
gnuplot-nox
jq
kmod
libbpf-dev
libc6-dev
liburing-dev
linux-perf
llvm
make
perl
procps
qemu-system-x86
systemtap-sdt-dev
xz-utils
"

check_only=0
case "${1:-}" in
--check) check_only=1 ;;
--version) exec "$(dirname "$0")/lib/version.sh" deps.sh ;;
-h|--help)
	sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'
	exit 0 ;;
"") ;;
*) echo "deps.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -n "$missing" ]; then
	if [ "$check_only" = 1 ]; then
		echo "deps.sh: missing packages:$missing" >&2
		exit 2
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: missing packages; run as root:" >&2
		echo "  apt-get update && apt-get install -y$missing" >&2
		exit 2
	fi
	echo "deps.sh: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The sandbox's kernel is a package too, fetched (never installed) on demand.
if [ -x "$(dirname "$0")/sandbox-fetch.sh" ] && [ "$check_only" = 0 ]; then
	"$(dirname "$0")/sandbox-fetch.sh"
fi
