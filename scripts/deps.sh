#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - make sure every Debian package virqlab needs is installed.
# As root: installs what is missing (apt-get update once, then install).
# Not root: prints the exact command to run and exits 2.
# Then fetches the sandbox's kernel package (scripts/sandbox-fetch.sh).
#
# Usage: scripts/deps.sh --help.

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
libclang-rt-dev
libc6-dev
liburing-dev
linux-perf
llvm
make
perl
procps
qemu-system-x86
sockperf
sqlite3
systemtap-sdt-dev
xz-utils
"

usage() {
	cat <<'USAGE'
Usage: scripts/deps.sh [--check]
       scripts/deps.sh --help | --version

Make sure every Debian package virqlab needs is installed. As root: install
what is missing (apt-get update once, then install). Not root: print the
exact command to run. Then fetch the sandbox's kernel package
(scripts/sandbox-fetch.sh). make deps runs it.

Options:
  --check        report what is missing; never install or fetch
  -h, --help     this text
  --version      print "deps.sh (virqlab) REVISION" and exit

Exit codes: 0 everything installed; 2 usage error, or packages missing and
not root (or --check); else apt-get's or sandbox-fetch.sh's failure.

Examples:
  scripts/deps.sh                 # = make deps
  scripts/deps.sh --check
USAGE
}

check_only=0
case "${1:-}" in
--check) check_only=1 ;;
--version) exec "$(dirname "$0")/lib/version.sh" deps.sh ;;
-h|--help) usage; exit 0 ;;
"") ;;
-*) echo "deps.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
*) echo "deps.sh: unexpected argument '$1' (see --help)" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "deps.sh: unexpected argument '$2' (see --help)" >&2; exit 2; }

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
