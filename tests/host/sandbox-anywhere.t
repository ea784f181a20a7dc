#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 6
# timeout: 900
# (it boots sandboxes, and waits behind any other sandbox on the machine)
# serial: it boots a sandbox
#
# Description: scripts/sandbox.sh runs from a checkout anywhere, /tmp
# included: the sandbox mounts fresh /tmp and /run inside, and a checkout
# under either must still be there, at the same path, writable, with its
# run directory (issue 14, item 7: "sandbox: no command in /tmp/..."). The
# checkout here is a copy of this one's scripts in a new directory under
# /tmp, booting this checkout's sandbox parts (one boot, a few seconds).

. "$(dirname "$0")/../lib/tap.sh"

command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86_64 not installed"
make -s -C "$VIRQLAB_ROOT" sandbox >/dev/null 2>&1 ||
	skip_all "cannot build the sandbox parts (make sandbox)"
plan 5

co=$(mktemp -d /tmp/virqlab-anywhere.XXXXXX)
trap 'rm -rf "$co"' EXIT
cp -R "$VIRQLAB_ROOT/scripts" "$co/scripts"
echo "from the host" > "$co/marker"

out=$(VIRQLAB_SANDBOX_DIR=$VIRQLAB_ROOT/build/sandbox "$co/scripts/sandbox.sh" --timeout 300 \
	sh -c 'pwd; cat marker; echo inside > written; exit 7' 2>&1)
rc=$?
is "a checkout under /tmp: the command runs, its exit status comes back" 7 "$rc"
like "... in the checkout's own path" "^$co\$" "$out"
like "... which holds the host's files" "^from the host\$" "$out"
is "... and a write inside is visible outside" inside "$(cat "$co/written" 2>/dev/null)"
is "... its run directory is gone afterwards" "" "$(ls -d "$co"/build/sandbox-run.* 2>/dev/null)"
[ "$rc" = 7 ] || diag "$out"
done_testing
