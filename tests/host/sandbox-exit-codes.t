#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 55
# timeout: 900
# (it boots sandboxes, and waits behind any other sandbox on the machine)
# serial: it boots sandboxes and counts this checkout's QEMUs
#
# Description: scripts/sandbox.sh returns the command's own exit status,
# streams its output with any quoting intact, gives it /dev/kvm and a
# writable checkout at the same path, exits 124 on timeout without leaving
# QEMU behind, and exits 3 with one line when the sandbox cannot start.
# Its freeze watchdog: a heartbeat that stops gets an interrupt and a saved CPU
# state, and one that stays stopped ends the sandbox with exit 125. The
# heartbeat is stopped here by SIGSTOP to /init's heartbeat loop, so these
# cases show the watchdog, not that the interrupt revives a real freeze (README).
# Each boot of the sandbox takes a few seconds: the first five cases share one.

. "$(dirname "$0")/../lib/tap.sh"

SB=$VIRQLAB_ROOT/scripts/sandbox.sh
require_tool qemu-system-x86_64
plan 18

# One boot for the first five cases: the exit status, arguments that need
# quoting, /dev/kvm, the working directory and a write to the checkout.
mark=$VIRQLAB_ROOT/build/sandbox-write-test.$$
out=$("$SB" sh -c 'printf "%s\n" "$@"; test -c /dev/kvm && echo kvm; pwd; echo inside > "$0"; exit 7' \
	"$mark" "a b" "'q'" '$x' 2>/dev/null)
is "sandbox.sh sh -c '... exit 7' exits 7" 7 $?
is "arguments and output survive quoting" "a b
'q'
\$x" "$(printf '%s\n' "$out" | head -3)"
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
"$SB" --timeout 10 sleep 600 >/dev/null 2>&1
is "--timeout: exit 124" 124 $?
is "--timeout leaves no QEMU behind" "$before" "$(ours)"
# The heartbeat loop is the only fork of /init (PID 1); -x: not this sh -c,
# whose own command line names /init too.
hb_stop='for p in $(pgrep -x -f "/bin/busybox sh /init"); do [ "$p" = 1 ] || kill -STOP "$p"; done'
hb_cont='for p in $(pgrep -x -f "/bin/busybox sh /init"); do [ "$p" = 1 ] || kill -CONT "$p"; done'

err=$(VIRQLAB_SANDBOX_NUDGE=4 VIRQLAB_SANDBOX_STALL=60 "$SB" --timeout 120 \
	sh -c "$hb_stop; sleep 12; $hb_cont; sleep 3; echo alive" 2>&1)
rc=$?
is "a heartbeat stopped for a while: the command still ends normally" "0" "$rc"
like "... after one line saying an interrupt was sent in" "^sandbox: stalled \(no heartbeat for 4 s\); a serial-port interrupt was sent; CPU state in " "$err"
state=$(printf '%s\n' "$err" | sed -n 's/^sandbox: stalled.*CPU state in //p' | head -1)
like "... and the CPU state saved: registers and the local APIC" "RIP=.*## info lapic.*IRR" "$(tr '\n' ' ' < "$state" 2>/dev/null)"
rm -f "$state"

before=$(ours)
err=$(VIRQLAB_SANDBOX_NUDGE=4 VIRQLAB_SANDBOX_STALL=12 "$SB" --timeout 120 \
	sh -c "$hb_stop; sleep 100; echo not reached" 2>&1)
rc=$?
is "a heartbeat that stays stopped: exit 125" 125 "$rc"
like "... one line saying the sandbox froze and where its state is" "^sandbox: froze: no heartbeat for 12 s; stopped; its CPU state is in " "$err"
is "... and the command did not go on" "" "$(printf '%s\n' "$err" | grep 'not reached')"
state=$(printf '%s\n' "$err" | sed -n 's/^sandbox: froze.*state is in //p')
like "... the state file has the registers" "RIP=" "$(cat "$state" 2>/dev/null)"
rm -f "$state" $(printf '%s\n' "$err" | sed -n 's/^sandbox: stalled.*CPU state in //p')
is "... and no QEMU is left behind" "$before" "$(ours)"

err=$(VIRQLAB_SANDBOX_STALL=soon "$SB" true 2>&1)
is "VIRQLAB_SANDBOX_STALL not a number: exit 2, one line" "2 sandbox: VIRQLAB_SANDBOX_STALL 'soon': expected whole seconds > 0" "$? $err"
done_testing
