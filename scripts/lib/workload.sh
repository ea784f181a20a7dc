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

# workload_load FILE FLAVOUR (vmx, pvm, svm-emulated, ...: picks the @variant): sets wl_name wl_description wl_modes
# wl_rates wl_pattern wl_burst wl_size wl_packets wl_duration wl_vcpus
# wl_repeats wl_warmup wl_probes wl_hobble wl_poll_us wl_coalesce_us
# wl_adaptive_up_pps wl_adaptive_down_pps wl_timeout wl_idle wl_budget
# wl_cdf_rates.
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
	_wl_out=$(awk -v file="$1" -v flavour="$2" -f "$VIRQLAB_ROOT/scripts/lib/workload.awk" "$1") ||
		{ printf '%s\n' "$_wl_out" >&2; return 2; }
	eval "$_wl_out"
}
