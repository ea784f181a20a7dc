#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sandbox.sh - run a command where KVM is real, on any machine: boots Debian's
# stock kernel under QEMU's TCG with an emulated AMD CPU that has SVM, loads
# kvm-amd there, and runs CMD in this checkout (same path, same working
# directory) with /dev/kvm. The checkout is writable inside; the rest of the
# host is shared read-only. CMD's output streams here; its exit status is
# ours.
#
# Exit: CMD's status; 124 on timeout; 125 when the sandbox froze (below);
# 130 on SIGINT/SIGTERM; 3 with one line "sandbox: reason" when the sandbox
# itself cannot start; 2 on bad usage.
#
# Freezes: now and then the emulated machine stops running altogether (seen
# during inject runs at 2,000 pps; README, Known issues). The sandbox's /init
# touches a heartbeat every 2 s. After VIRQLAB_SANDBOX_NUDGE seconds (default
# 10) without one, the CPU state is saved and an interrupt is sent in through
# a second serial port (it revives the freeze). When it stops for VIRQLAB_SANDBOX_STALL
# seconds (default 60) while CMD runs, the emulated CPU's state is read from
# QEMU's monitor into build/sandbox-froze-*.txt (or VIRQLAB_SANDBOX_FROZE_DIR),
# QEMU is stopped, and the exit is 125, so that a caller can tell it from
# CMD's own failure (run-experiment.sh runs the lost cell again).

set -u

usage() {
	cat <<'USAGE'
Usage: scripts/sandbox.sh [--cpus N] [--mem MiB] [--timeout S] [--] CMD [ARGS...]
       scripts/sandbox.sh --help | --version

Boot the SVM sandbox (QEMU TCG, -cpu max, Debian's kernel with kvm-amd) and run
CMD in this checkout inside it, with /dev/kvm. Figures measured inside come from
an emulated CPU, not hardware.

Options:
  --cpus N      vCPUs of the sandbox (default 1: with 2, the emulated SVM
                loses interrupt injections into nested guests)
  --mem MiB     its memory (default 2048)
  --timeout S   kill it after S seconds and exit 124 (default 1800)

Exit: CMD's status; 124 on --timeout; 125 when the sandbox froze (no
heartbeat for VIRQLAB_SANDBOX_STALL s, default 60; its CPU state is saved in
build/sandbox-froze-*.txt); 3 when the sandbox cannot start.

Environment: VIRQLAB_* variables, BUILD, V and TERM are passed to CMD;
VIRQLAB_SANDBOX_DIR overrides where vmlinuz and initramfs.cpio.gz are read.
One sandbox at a time on the machine (a lock, waited for);
VIRQLAB_SANDBOX_LOCK_HELD=1: the caller holds that lock and answers for how
many sandboxes run at once (scripts/check.sh's two lanes without /dev/kvm).

Examples:
  scripts/sandbox.sh build/vmm-mini --test costs
  scripts/sandbox.sh --timeout 600 prove tests/kvm/guest-selftests.t
  scripts/sandbox.sh sh -c 'perf stat -e kvm:kvm_exit build/vmm-mini --test hello'
USAGE
}

die3() {
	echo "sandbox: $*" >&2
	exit 3
}

die2() {
	echo "sandbox: $*" >&2
	exit 2
}

cpus=1
mem=2048
timeout=1800
while [ $# -gt 0 ]; do
	case "$1" in
	--cpus) [ $# -ge 2 ] || die2 "--cpus needs a value"; cpus=$2; shift 2 ;;
	--mem) [ $# -ge 2 ] || die2 "--mem needs a value"; mem=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || die2 "--timeout needs a value"; timeout=$2; shift 2 ;;
	--version) exec "$(dirname "$0")/lib/version.sh" sandbox.sh ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die2 "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || die2 "no command given (see --help)"
case "$cpus" in ''|*[!0-9]*) die2 "--cpus '$cpus': expected a number" ;; esac
case "$mem" in ''|*[!0-9]*) die2 "--mem '$mem': expected MiB" ;; esac
case "$timeout" in ''|*[!0-9]*) die2 "--timeout '$timeout': expected whole seconds" ;; esac
stall=${VIRQLAB_SANDBOX_STALL:-60}
nudge=${VIRQLAB_SANDBOX_NUDGE:-10}
case "$stall" in ''|*[!0-9]*|0) die2 "VIRQLAB_SANDBOX_STALL '$stall': expected whole seconds > 0" ;; esac
case "$nudge" in ''|*[!0-9]*) die2 "VIRQLAB_SANDBOX_NUDGE '$nudge': expected whole seconds (0: never)" ;; esac
# VIRQLAB_SANDBOX_KARGS: more sandbox kernel parameters (e.g. idle=poll).
kargs=${VIRQLAB_SANDBOX_KARGS:-}
case "$kargs" in *[!A-Za-z0-9=_.,\ -]*) die2 "VIRQLAB_SANDBOX_KARGS '$kargs': only letters, digits, =_.,- and spaces" ;; esac

root=$(cd "$(dirname "$0")/.." && pwd)
case "$root" in *[!A-Za-z0-9/._+-]*) die3 "checkout path '$root' has characters the kernel command line cannot carry" ;; esac
sbdir=${VIRQLAB_SANDBOX_DIR:-$root/build/sandbox}

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	die3 "qemu-system-x86_64 not found (scripts/deps.sh installs qemu-system-x86)"
if [ -z "${VIRQLAB_SANDBOX_DIR:-}" ] && ! make -s -C "$root" sandbox >/dev/null 2>&1; then
	die3 "cannot build the sandbox parts: run 'make sandbox' to see why"
fi
[ -f "$sbdir/vmlinux" ] || die3 "$sbdir/vmlinux missing: run make sandbox"
[ -f "$sbdir/initramfs.cpio.gz" ] || die3 "$sbdir/initramfs.cpio.gz missing: run make sandbox"

here=$(pwd)
case "$here/" in
"$root"/*) cwd=$here ;;
*) cwd=$root ;;
esac

mkdir -p "$root/build"
# One sandbox at a time on this machine, whichever checkout it runs: two
# would share two host cores and skew every figure measured in either.
# Wait for the other to finish. QEMU inherits the lock and holds it to its end.
# VIRQLAB_SANDBOX_LOCK_HELD=1: a caller (scripts/check.sh) took the lock for
# the sandboxes it starts, at most two (one a host CPU), whose figures are
# tests' with their tolerances, not results.
if [ "${VIRQLAB_SANDBOX_LOCK_HELD:-0}" != 1 ]; then
	lock=${TMPDIR:-/tmp}/virqlab-sandbox.lock
	exec 9>"$lock"
	if ! flock -n 9; then
		echo "sandbox: another sandbox is running on this machine; waiting for it" >&2
		flock 9 || die3 "cannot take $lock"
	fi
fi
run=$(mktemp -d "$root/build/sandbox-run.XXXXXX") || die3 "cannot create a run directory"

# quote ARG: one single-quoted shell word.
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

{
	echo "cd $(quote "$cwd") || exit 3"
	echo "export VIRQLAB_IN_SANDBOX=1 HOME=/root"
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	env | while IFS='=' read -r name value; do
		case "$name" in
		VIRQLAB_IN_SANDBOX) ;;
		VIRQLAB_*|BUILD|V|TERM) echo "export $name=$(quote "$value")" ;;
		esac
	done
	printf 'exec'
	for a in "$@"; do
		printf ' %s' "$(quote "$a")"
	done
	echo
} > "$run/cmd"

# VIRQLAB_SANDBOX_DEBUG=1 shows the sandbox kernel's messages (lockups, oopses).
klog="quiet loglevel=0"
# kvm-amd module parameters, comma-separated (e.g. vgif=0,pause_filter_count=0).
kvm_amd=${VIRQLAB_KVM_AMD:-}
[ "${VIRQLAB_SANDBOX_DEBUG:-0}" = 1 ] && klog="loglevel=5"
mkfifo "$run/mon.in" "$run/mon.out" "$run/nudge.in" "$run/nudge.out" ||
	die3 "cannot create the monitor and nudge pipes in $run"

# monitor CMD: one human-monitor command to QEMU, its answer on stdout (what
# arrives within 1 s: QEMU answers from its main loop, frozen vCPU or not).
monitor() {
	printf '%s\n' "$1" > "$run/mon.in"
	timeout 1 cat "$run/mon.out" | tr -d '\r' | sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e '/^iin/d' -e 's/^(qemu) *//'
}

# save_state WHY: what the monitor can tell about the emulated CPU, into a
# new file whose name is printed.
save_state() {
	_state=${VIRQLAB_SANDBOX_FROZE_DIR:-$root/build}/sandbox-froze-$(date +%Y%m%d-%H%M%S)-$$.txt
	{
		echo "# $1; command: $(sed -n '$p' "$run/cmd")"
		for q in 'info status' 'info registers' 'info lapic' 'info pic' 'info irq'; do
			echo "## $q"
			monitor "$q"
		done
	} > "$_state" 2>&1
	echo "$_state"
}

# watch_heartbeat: in the background while QEMU runs. A heartbeat that has
# started and then stands still for $nudge seconds: save the CPU state and
# send a byte to the sandbox's second serial port, whose receive interrupt
# goes through the IO-APIC to the local APIC and makes QEMU look at the APIC
# again (what revives the freeze in README, Known issues; an NMI does not).
# A heartbeat still for $stall seconds: stop QEMU.
watch_heartbeat() {
	trap - INT TERM HUP
	last= since=$(date +%s) nudged=0
	while sleep 2; do
		beat=$(cat "$run/heartbeat" 2>/dev/null)
		now=$(date +%s)
		if [ "$beat" != "$last" ] || [ -f "$run/rc" ]; then
			last=$beat since=$now nudged=0
			continue
		fi
		[ -n "$beat" ] || continue
		if [ "$nudge" -gt 0 ] && [ "$nudged" = 0 ] && [ $((now - since)) -ge "$nudge" ]; then
			nudged=1
			echo "$(save_state "heartbeat $beat still for $((now - since)) s: serial interrupt sent")" >> "$run/nudged"
			printf '\n' > "$run/nudge.in"
		fi
		[ $((now - since)) -ge "$stall" ] || continue
		# Stop the emulated CPU before its state is saved: the state file
		# lands in the results, which the guest can read, and a guest
		# whose CPU still runs (only its heartbeat stuck) would take the
		# file for a revived stall and fail the cell it is finishing.
		monitor stop > /dev/null
		save_state "sandbox froze: heartbeat $beat still for $((now - since)) s: stopped" > "$run/froze"
		kill -TERM "$qemu_pid" 2>/dev/null
		return
	done
}

qemu_pid= watch_pid=
cleanup() {
	[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	[ -n "$qemu_pid" ] && kill -TERM "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
	rm -rf "$run"
}
trap 'cleanup; exit 130' INT TERM HUP

# The checkout share is writable; everything else comes read-only.
# TCG runs single-threaded: with multi-threaded TCG (MTTCG), KVM on the
# emulated SVM wedged the sandbox kernel about once in 20 VM lifecycles
# (seen with 2 vCPUs, never with thread=single or 1 vCPU).
timeout -k 5 "$timeout" qemu-system-x86_64 \
	-accel tcg,thread=${VIRQLAB_SANDBOX_TCG_THREAD:-single} -cpu max -smp "$cpus" -m "$mem" \
	-nodefaults -no-user-config -nographic -no-reboot \
	-chardev stdio,id=con,signal=off -serial chardev:con -bios qboot.rom \
	-chardev pipe,id=mon,path="$run/mon" -mon chardev=mon,mode=readline \
	-chardev pipe,id=nudge,path="$run/nudge" -serial chardev:nudge \
	-kernel "$sbdir/vmlinux" -initrd "$sbdir/initramfs.cpio.gz" \
	-append "console=ttyS0 $klog panic=-1 mitigations=off tsc=reliable no_timer_check $kargs i8042.noaux i8042.nokbd i8042.nopnp 8250.nr_uarts=2 rdinit=/init virqlab.checkout=$root virqlab.run=$run virqlab.kvm_amd=$kvm_amd" \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=checkout,path="$root",security_model=none,multidevs=remap \
	-device virtio-9p-pci,fsdev=checkout,mount_tag=checkout \
	< /dev/null &
qemu_pid=$!
watch_heartbeat &
watch_pid=$!
wait "$qemu_pid"
qrc=$?
qemu_pid=
kill "$watch_pid" 2>/dev/null
wait "$watch_pid" 2>/dev/null
watch_pid=

if [ -f "$run/nudged" ]; then
	while read -r state; do
		echo "sandbox: stalled (no heartbeat for ${nudge} s); a serial-port interrupt was sent; CPU state in $state" >&2
	done < "$run/nudged"
fi
if [ -f "$run/froze" ]; then
	state=$(cat "$run/froze")
	rm -rf "$run"
	echo "sandbox: froze: no heartbeat for ${stall} s; stopped; its CPU state is in $state" >&2
	exit 125
fi

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "sandbox: --timeout $timeout s expired; stopped" >&2
	rm -rf "$run"
	exit 124
fi
if [ -f "$run/reason" ]; then
	reason=$(cat "$run/reason")
	rm -rf "$run"
	die3 "$reason"
fi
if [ ! -f "$run/rc" ]; then
	rm -rf "$run"
	die3 "the sandbox stopped without running the command (QEMU exit $qrc)"
fi
rc=$(cat "$run/rc")
rm -rf "$run"
exit "$rc"
