#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sandbox-fetch.sh - fetch (never install) the Debian kernel package the SVM
# sandbox boots: the linux-image-6.1.0-*-amd64 that linux-image-amd64 depends
# on, into ${VIRQLAB_CACHE:-/var/cache/virqlab}. Silent when already cached.
# Prints the path of the .deb with --print.

set -eu
usage() {
	cat <<'USAGE'
Usage: scripts/sandbox-fetch.sh [--print]
       scripts/sandbox-fetch.sh --help | --version

Fetch (never install) the Debian kernel package the SVM sandbox boots, the
linux-image-6.1.0-*-amd64 that linux-image-amd64 depends on, into
${VIRQLAB_CACHE:-/var/cache/virqlab}; silent when already cached.

Options:
  --print        then print the .deb's path
  -h, --help     this text
  --version      print "sandbox-fetch.sh (virqlab) REVISION" and exit

Exit codes: 0 cached; 2 usage error; 3 cannot fetch (apt-cache cannot
resolve the package, or apt-get download failed).

Examples:
  scripts/sandbox-fetch.sh --print
USAGE
}
print=0
case "${1:-}" in
"") ;;
--print) print=1 ;;
--version) exec "$(dirname "$0")/lib/version.sh" sandbox-fetch.sh ;;
-h|--help) usage; exit 0 ;;
-*) echo "sandbox-fetch: unknown option '$1' (see --help)" >&2; exit 2 ;;
*) echo "sandbox-fetch: unexpected argument '$1' (see --help)" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "sandbox-fetch: unexpected argument '$2' (see --help)" >&2; exit 2; }
cache=${VIRQLAB_CACHE:-/var/cache/virqlab}

existing=$(ls "$cache"/linux-image-6.1.0-*-amd64_*.deb 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$existing" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		echo "sandbox-fetch: cannot resolve linux-image-amd64 (run apt-get update?)" >&2
		exit 3
	fi
	mkdir -p "$cache"
	# apt's _apt user may not write here; download as the caller.
	(cd "$cache" && apt-get download -o APT::Sandbox::User=root "$pkg" >/dev/null 2>&1) || {
		echo "sandbox-fetch: apt-get download $pkg failed" >&2
		exit 3
	}
	existing=$(ls "$cache"/linux-image-6.1.0-*-amd64_*.deb | sort -V | tail -1)
fi
[ "$print" = 0 ] || echo "$existing"
exit 0
