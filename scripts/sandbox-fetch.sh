#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sandbox-fetch.sh - fetch (never install) the Debian kernel package the SVM
# sandbox boots: the linux-image-6.1.0-*-amd64 that linux-image-amd64 depends
# on, into ${VIRQLAB_CACHE:-/var/cache/virqlab}. Silent when already cached.
# Prints the path of the .deb with --print.

set -eu
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
[ "${1:-}" = --print ] && echo "$existing"
exit 0
