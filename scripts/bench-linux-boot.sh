#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-linux-boot.sh - time to init of the Linux guest (build/linux-guest:
# Debian's kernel, the busybox initramfs) under vmm-mini and under QEMU+KVM,
# side by side in one session, alternating, RUNS boots each, and where each
# one's time goes. A benchmark, never a test.
#
# The headline is host wall clock from the VMM's start to the guest's marker
# line on the serial console ("virqlab-linux-guest: init reached"), stamped
# as the line arrives through a pipe, the same way for both VMMs. The steps
# (all milliseconds; the same for both VMMs unless named):
#   start_to_kclock0  VMM start -> kvm-clock's zero, derived: the host time of
#                     the kernel's clock 0 (marker stamp - its uptime) minus
#                     Linux's "kvm-clock: using sched offset of N" (KVM's
#                     clock at that point: ns since KVM_CREATE_VM, the zero
#                     KVM gives kvm-clock, unless the VMM set it)
#   kclock0_to_kernel the sched offset itself: VM created -> Linux's clock
#                     starts (image load, firmware, decompression, early
#                     setup_arch up to kvmclock_init)
#   kernel_to_run_init   the kernel's own clock at "Run /init as init process"
#   run_init_to_marker   the rest of the marker's uptime (/init's shell)
#   marker_to_end     the marker -> the VMM's exit (reboot=k: the reset)
# and for vmm-mini from its --boot-timeline (its own CLOCK_MONOTONIC), each
# from the VMM's start: exec (the process's start before main), VM created,
# image loaded, first vCPU entry, first console byte ("Linux version", the
# kernel's first printk, after decompression), the verdict (the reset) and
# exit; and kclock_skew, the guest's kvm-clock at its init minus the host's
# time since KVM_CREATE_VM (about 0 unless the guest's clock is wrong, as
# the sandbox sometimes makes it: tests/kvm/linux-boot.t).
#
# Where: natively on VMX/SVM; elsewhere (PVM, no KVM) it re-runs itself in
# the SVM sandbox (scripts/sandbox.sh), where every figure is from KVM on
# QEMU's emulated SVM, not hardware.
#
# Both VMMs get the same kernel, initramfs, RAM and command line. QEMU runs
# -M pc with qboot (the sandbox's own fast firmware) and -nodefaults; its CPU
# is -cpu host, or max,-arch-capabilities where KVM refuses that MSR (as
# run-guest-qemu.sh decides).

set -u
root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	cat <<'USAGE'
Usage: scripts/bench-linux-boot.sh [--runs N] [--out DIR]
       scripts/bench-linux-boot.sh --help | --version

Time the Linux guest (build/linux-guest) from VMM start to its /init under
vmm-mini and under QEMU+KVM, alternating, N boots each, in one session; in
the SVM sandbox unless KVM here is VMX or SVM. Writes a results folder (meta,
runs.tsv: one row a boot with its steps, summary.tsv: median, min and max of
each step per VMM, summary.txt, cells/VMM-RUN/ with each boot's console and
vmm-mini's --boot-timeline) and prints summary.txt.

Options:
  --runs N      boots per VMM (default 5)
  --out DIR     the results folder (default results/bench-linux-boot-DATE)
  -h, --help    this text
  --version     one line: bench-linux-boot.sh (virqlab) REVISION

Exit: 0 done (a boot's own failure is in its row: a VMM still running 15 s
after the marker is stopped, and its row keeps its steps to init only); 2 bad
usage; 3 no build.

Examples:
  make bench-linux-boot
  scripts/bench-linux-boot.sh --runs 3 --out /tmp/boot
USAGE
}
runs=5 out=
while [ $# -gt 0 ]; do
	case "$1" in
	--runs|--out)
		[ $# -ge 2 ] || { echo "bench-linux-boot: $1 needs a value" >&2; exit 2; }
		case "$1" in --runs) runs=$2 ;; *) out=$2 ;; esac
		shift 2 ;;
	--version) exec "$root/scripts/lib/version.sh" bench-linux-boot.sh ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "bench-linux-boot: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) echo "bench-linux-boot: unexpected argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case "$runs" in ''|*[!0-9]*|0) echo "bench-linux-boot: --runs '$runs': expected a count > 0" >&2; exit 2 ;; esac

cd "$root" || exit 3
BUILD=${BUILD:-$root/build}
make -s -C "$root" all linux-guest >/dev/null || { echo "bench-linux-boot: make failed" >&2; exit 3; }
out=${out:-results/bench-linux-boot-$(date +%Y%m%d-%H%M%S)}
flavour=$(sh "$root/scripts/kvm-flavour.sh")
case "$flavour" in
vmx|svm|*-emulated) ;;
*) exec "$root/scripts/sandbox.sh" --timeout 3600 -- "$0" --runs "$runs" --out "$out" ;;
esac
. "$root/scripts/lib/results.sh"

lg=$BUILD/linux-guest
append="console=ttyS0 earlyprintk=serial acpi=off pci=conf1 reboot=k panic=-1 i8042.nokbd i8042.noaux"
mem=256
mkdir -p "$out/cells" || exit 3
work=$(mktemp -d "$BUILD/bench-linux-boot.XXXXXX")
trap 'rm -rf "$work"' EXIT

# timed CELL CMD...: run CMD (which leaves its pid in CELL/pid), its output
# through a blocking read loop that stamps the first line, "Run /init" and
# the marker as they arrive (no polling: the sandbox has one CPU; date forks
# only on those lines), into CELL/console.txt and CELL/stamps (name, ms from
# start, one a line). A VMM still running 15 s after the marker is stopped
# (SIGTERM): its guest stalled before its reset (below), and its time to
# init still counts.
timed() {
	_cell=$1
	shift
	_start=$(date +%s%N)
	echo "start_ns $_start" > "$_cell/stamps"
	{ "$@" 2>&1; echo "rc $?" >> "$_cell/stamps"; } | {
		_first=1
		while IFS= read -r _l; do
			_tag=
			case "$_l" in
			virqlab-linux-guest:\ init\ reached*)
				_tag=marker
				( sleep 15; [ -e "$_cell/ended" ] || kill -TERM "$(cat "$_cell/pid")" ) \
					>/dev/null 2>&1 &
				;;
			*"] Run /init as init process"*) _tag=run_init ;;
			esac
			[ -z "$_first" ] || _tag="first_line${_tag:+ $_tag}"
			_first=
			for _t in $_tag; do
				echo "$_t $(( ($(date +%s%N) - _start) / 1000000 ))" >> "$_cell/stamps"
			done
			printf '%s\n' "$_l"
		done
	} > "$_cell/console.txt"
	touch "$_cell/ended"
	echo "end $(( ($(date +%s%N) - _start) / 1000000 ))" >> "$_cell/stamps"
}

# A boot that has not reached its marker after this long is cut too. In the
# sandbox a guest whose kvm-clock came up wrong (kclock_skew and
# start_to_kclock0 far from 0; README, Known issues) stalls before its reset
# under either VMM, for as long as the clock was off.
boot_timeout=60
qemu_cpu=${VIRQLAB_QEMU_CPU:-host}
qemu() {
	timeout "$boot_timeout" qemu-system-x86_64 -accel kvm -cpu "$qemu_cpu" -M pc -m "$mem" -smp 1 \
		-nodefaults -no-user-config -nographic -no-reboot -bios qboot.rom -serial stdio \
		-kernel "$lg/bzImage" -initrd "$lg/initramfs.cpio.gz" -append "$append" </dev/null &
	echo $! > "$1/pid"
	wait $!
}
vmm() {
	"$BUILD/vmm-mini" --kernel "$lg/bzImage" --initrd "$lg/initramfs.cpio.gz" --mem "$mem" \
		--append "$append" --timeout "$boot_timeout" --boot-timeline "$1/timeline.tsv" &
	echo $! > "$1/pid"
	wait $!
}

# The CPU model QEMU's KVM accepts, found once, before anything is timed.
if ! qemu "$work" > "$work/probe" 2>&1 && grep -q 'failed to set MSR 0x10a' "$work/probe"; then
	qemu_cpu=max,-arch-capabilities
fi

{
	printf 'format\tvirqlab-results 1\n'
	printf 'command\tscripts/bench-linux-boot.sh --runs %s\n' "$runs"
	meta_machine . "$flavour"
	printf 'guest_kernel\t%s\n' "$(cat "$lg/kernel-version")"
	printf 'initramfs_bytes\t%s\n' "$(stat -c %s "$lg/initramfs.cpio.gz")"
	printf 'bzimage_bytes\t%s\n' "$(stat -c %s "$lg/bzImage")"
	printf 'mem_mib\t%s\n' "$mem"
	printf 'append\t%s\n' "$append"
	printf 'vmm_mini\tbuild/vmm-mini --kernel bzImage --initrd initramfs.cpio.gz --mem %s --append APPEND --timeout %s --boot-timeline FILE\n' "$mem" "$boot_timeout"
	printf 'qemu\t%s: timeout %s qemu-system-x86_64 -accel kvm -cpu %s -M pc -m %s -smp 1 -nodefaults -no-user-config -nographic -no-reboot -bios qboot.rom -serial stdio -kernel -initrd -append APPEND\n' \
		"$(qemu-system-x86_64 --version | head -1)" "$boot_timeout" "$qemu_cpu" "$mem"
	printf 'measure\tms_to_init: host wall clock from the VMM exec to the marker line through a pipe; steps: see scripts/bench-linux-boot.sh\n'
	printf 'load_average_start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'start\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/meta"

# row CELL VMM RUN: one runs.tsv row from a boot's stamps, console and timeline.
cols='vmm	run	exit	ms_to_init	ms_to_end	start_to_kclock0	kclock0_to_kernel	kernel_to_run_init	run_init_to_marker	marker_to_end	exec	vm_created	image_loaded	vcpu_entry	first_console	verdict	vmm_exit	kclock_skew'
row() {
	awk -v vmm="$2" -v run="$3" -v stamps="$1/stamps" -v tl="$1/timeline.tsv" '
	function ms(x) { return x == "" ? "-" : sprintf("%.1f", x) }
	BEGIN {
		while ((getline l < stamps) > 0) { split(l, f, " "); s[f[1]] = f[2] }
		while ((getline l < tl) > 0) {
			split(l, f, "\t")
			if (f[2] == "start") { sub("realtime_ns=", "", f[3]); t0 = f[3] }
			else if (f[2] == "console") {
				if (!("first_console" in t)) t["first_console"] = f[1]
				if (f[3] ~ /kvm-clock: using sched offset of/) kc = f[1]
			}
			else if (!(f[2] in t)) t[f[2]] = f[1]
		}
	}
	/kvm-clock: using sched offset of/ { for (i = 1; i <= NF; i++) if ($i == "of") off = $(i + 1) / 1e6 }
	/\] Run \/init as init process/ { ri = substr($0, 2, index($0, "]") - 2) * 1000 }
	/^virqlab-linux-guest: init reached/ { up = $NF; sub("s$", "", up); up *= 1000 }
	END {
		init = s["marker"]
		k0 = (init != "" && up != "") ? init - up : ""
		st = (k0 != "" && off != "") ? k0 - off : ""
		ex = t0 != "" ? (t0 - s["start_ns"]) / 1e6 : ""
		# A boot cut after its marker keeps its steps to init, not its end.
		if (s["rc"] != 0) { s["end"] = ""; t["verdict"] = t["end"] = "" }
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", vmm, run, s["rc"], ms(init), ms(s["end"]),
			ms(st), ms(off), ms(ri), (up != "" && ri != "") ? ms(up - ri) : "-",
			(init != "" && s["end"] != "") ? ms(s["end"] - init) : "-"
		if (vmm != "vmm-mini") { printf "\t-\t-\t-\t-\t-\t-\t-\t-\n"; exit }
		printf "\t%s", ms(ex)
		n = split("vm-created image-loaded vcpu-entry first_console verdict end", e, " ")
		for (i = 1; i <= n; i++) printf "\t%s", (t[e[i]] != "" && ex != "") ? ms(t[e[i]] + ex) : "-"
		# kvm-clock at its init minus the host time since vm-created: ~0
		# unless the guest clock is wrong (then its timers are too).
		printf "\t%s\n", (kc != "" && off != "") ? ms(off - (kc - t["vm-created"])) : "-"
	}' "$1/console.txt"
}

printf '#%s\n' "$cols" > "$out/runs.tsv"
i=1
while [ "$i" -le "$runs" ]; do
	for v in vmm-mini qemu; do
		cell=$out/cells/$v-$i
		mkdir -p "$cell"
		case $v in
		vmm-mini) timed "$cell" vmm "$cell" ;;
		qemu) timed "$cell" qemu "$cell" ;;
		esac
		row "$cell" "$v" "$i" | tee -a "$out/runs.tsv" >&2
	done
	i=$((i + 1))
done
printf 'load_average_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/meta"
printf 'end\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$out/meta"

# summary.tsv: per VMM and column, the median, min and max over the boots
# that have it (a boot cut after its marker has its steps to init only).
awk -F'\t' '
	NR == 1 { for (c = 4; c <= NF; c++) name[c] = $c; nc = NF; next }
	{ for (c = 4; c <= nc; c++) if ($c != "-") { n[$1, c]++; v[$1, c, n[$1, c]] = $c }; vm[$1] = 1 }
	function sort(k, c, m,   i, j, x) {
		for (i = 1; i <= m; i++) a[i] = v[k, c, i]
		for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
	}
	END {
		print "#vmm\tstep\tboots\tmedian_ms\tmin_ms\tmax_ms"
		split("vmm-mini qemu", order, " ")
		for (o = 1; o <= 2; o++) {
			k = order[o]
			if (!(k in vm)) continue
			for (c = 4; c <= nc; c++) {
				m = n[k, c]
				if (!m) continue
				sort(k, c, m)
				med = m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
				printf "%s\t%s\t%d\t%.1f\t%.1f\t%.1f\n", k, name[c], m, med, a[1], a[m]
			}
		}
	}' "$out/runs.tsv" > "$out/summary.tsv"

med() { awk -F'\t' -v v="$1" -v s="$2" '$1 == v && $2 == s { print $4 }' "$out/summary.tsv"; }
{
	echo "bench-linux-boot: $runs boots each, alternating; $flavour, $(cpu_model), host kernel $(uname -r); git $(git rev-parse --short HEAD)"
	echo "guest $(cat "$lg/kernel-version"), --mem $mem MiB, append: $append"
	echo
	column -t -s "$(printf '\t')" "$out/summary.tsv" 2>/dev/null || cat "$out/summary.tsv"
	echo
	awk -v a="$(med vmm-mini ms_to_init)" -v b="$(med qemu ms_to_init)" 'BEGIN {
		if (a != "" && b != "" && b > 0)
			printf "median ms to init: vmm-mini %s, qemu %s: ratio vmm-mini/qemu %.3f\n", a, b, a / b
		else print "median ms to init: missing (a VMM never reached init; see runs.tsv)" }'
} | tee "$out/summary.txt"
echo "bench-linux-boot: results in $out" >&2
