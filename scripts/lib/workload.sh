# SPDX-License-Identifier: GPL-2.0
# workload.sh - read a workload file (workloads/README.md documents every
# key) into wl_* shell variables; sourced by run-experiment.sh. The parse is
# one awk pass that checks every line and prints either shell assignments of
# validated values or "file:line: what is wrong" lines; nothing is eval'd
# unless the whole file is clean.

# workload_path NAME-OR-FILE: the file a workload argument names.
workload_path() {
	case "$1" in
	*/* | *.conf) printf '%s\n' "$1" ;;
	*) printf '%s\n' "workloads/$1.conf" ;;
	esac
}

# The workload's modes: its name, the guest that runs it, and the vmm-mini
# --mode it runs with. A Linux guest mode boots build/linux-guest with
# --kernel (scripts/linux-guest.mk); guest = linux turns each mode into the
# Linux one of the same --mode (only virtio has one: virtio_net).
workload_modes='
inject        virqlab inject
coalesce      virqlab coalesce
mask-direct   virqlab mask-direct
mask-poll     virqlab mask-poll
adaptive      virqlab adaptive
sink          virqlab sink
virtio        virqlab virtio
linux-virtio  linux   virtio
'

# workload_mode MODE: sets wm_guest and wm_vmm_mode from the table; false
# for a mode it does not have.
workload_mode() {
	set -- $(printf '%s\n' "$workload_modes" | awk -v m="$1" '$1 == m { print $2, $3 }')
	wm_guest=${1:-} wm_vmm_mode=${2:-}
	[ -n "$wm_guest" ]
}

# workload_load FILE FLAVOUR (vmx, pvm, svm-emulated, ...: picks the @variant): sets wl_name wl_description wl_modes
# wl_rates wl_pattern wl_burst wl_size wl_packets wl_duration wl_vcpus
# wl_repeats wl_warmup wl_probes wl_hobble wl_poll_us wl_coalesce_us
# wl_adaptive_up_pps wl_adaptive_down_pps wl_timeout wl_idle wl_budget
# wl_cdf_rates wl_guest, and wl_guests (the guests its modes run: virqlab,
# linux, or both).
# On bad input prints every problem as file:line: ... on stderr, returns 2.
workload_load() {
	if [ ! -e "$1" ]; then
		echo "$1: no such workload file (shipped: $(cd "$VIRQLAB_ROOT/workloads" &&
			ls *.conf 2>/dev/null | sed 's/\.conf$//' | tr '\n' ' ')"\
			| sed 's/ *$/)/' >&2
		return 2
	fi
	if [ ! -r "$1" ] || [ -d "$1" ]; then
		echo "$1: cannot read the workload file" >&2
		return 2
	fi
	_wl_out=$(awk -v file="$1" -v flavour="$2" -v modetab="$workload_modes" -f "$VIRQLAB_ROOT/scripts/lib/workload.awk" "$1") ||
		{ printf '%s\n' "$_wl_out" >&2; return 2; }
	eval "$_wl_out"
}
