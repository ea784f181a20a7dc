#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: scripts/sandbox.sh returns the command's own exit status,
# streams its output with any quoting intact, gives it /dev/kvm and a
# writable checkout at the same path, exits 124 on timeout without leaving
# QEMU behind, and exits 3 with one line when the sandbox cannot start.
# Each case boots the sandbox (a few seconds each).

. "$(dirname "$0")/../lib/tap.sh"

SB=$VIRQLAB_ROOT/scripts/sandbox.sh
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86_64 not installed"
plan 10

"$SB" false
is "sandbox.sh false exits 1" 1 $?
"$SB" sh -c 'exit 7'
is "sandbox.sh sh -c 'exit 7' exits 7" 7 $?

out=$("$SB" printf '%s\n' "a b" "'q'" '$x' 2>/dev/null)
is "arguments and output survive quoting" "a b
'q'
\$x" "$out"

mark=$VIRQLAB_ROOT/build/sandbox-write-test.$$
out=$("$SB" sh -c "test -c /dev/kvm && echo kvm; pwd; echo inside > '$mark'" 2>&1)
like "/dev/kvm exists inside" "^kvm$" "$out"
like "the working directory is the checkout" "^$VIRQLAB_ROOT\$" "$out"
is "a write inside the checkout is visible outside" inside "$(cat "$mark" 2>/dev/null)"
rm -f "$mark"

err=$(VIRQLAB_SANDBOX_DIR=/nonexistent "$SB" true 2>&1)
is "missing kernel: exit 3" 3 $?
like "missing kernel: one line naming it" "^sandbox: /nonexistent/vmlinux missing" "$err"

# This checkout's sandboxes only: another checkout's may come and go meanwhile.
ours() { pgrep -c -f "virqlab.run=$VIRQLAB_ROOT/build/sandbox-run" || true; }
before=$(ours)
"$SB" --timeout 15 sleep 600 >/dev/null 2>&1
is "--timeout: exit 124" 124 $?
is "--timeout leaves no QEMU behind" "$before" "$(ours)"
done_testing
