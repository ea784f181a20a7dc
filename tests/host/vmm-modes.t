#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: every receive mode is one entry of vmm-mini's mode table
# (vmm-mini/virqnet_modes.c) and a real `vmm-mini --mode NAME`, under the
# name the workloads, the runner and the README spell: sink, inject,
# coalesce, mask-direct, mask-poll, adaptive. An unknown mode is a usage error (exit 2)
# whose one line lists the table's names; each mode's own knob
# (--coalesce-us, --poll-us, --adaptive-up-pps, --adaptive-down-pps) is
# refused with any other mode. No KVM needed:
# all of this is decided before /dev/kvm is opened.

. "$(dirname "$0")/../lib/tap.sh"

VMM=$BUILD/vmm-mini
MODES="sink inject coalesce mask-direct mask-poll adaptive virtio"
plan 34

# The table, as vmm-mini's --help prints it (one "  NAME  summary" a line).
table=$("$VMM" --help | awk '/^Modes/ { on = 1; next } on && /^$/ { exit } on { print $1 }' |
	paste -sd' ')
is "--help lists the mode table" "$MODES" "$table"

for m in $MODES; do
	"$VMM" --mode "$m" --list-tests > /dev/null 2>&1
	is "--mode $m is accepted" 0 "$?"
done

usage_error "an unknown --mode" \
	"^vmm-mini: --mode 'no-such-mode': expected one of sink, inject, coalesce, mask-direct, mask-poll, adaptive, virtio\$" \
	"$VMM" --mode no-such-mode
usage_error "an abbreviated --mode name" "^vmm-mini: --mode 'mask': expected one of " \
	"$VMM" --mode mask

src="--source udp:127.0.0.1:9 --count 1 --guest /nonexistent"
# A mode's own knob with its mode passes the command line (and stops at the guest image).
# shellcheck disable=SC2086
err=$("$VMM" $src --mode coalesce --coalesce-us 50 2>&1 >/dev/null)
like "--mode coalesce --coalesce-us 50 passes the command line" "/nonexistent: No such file" "$err"
# shellcheck disable=SC2086
err=$("$VMM" $src --mode mask-poll --poll-us 50 2>&1 >/dev/null)
like "--mode mask-poll --poll-us 50 passes the command line" "/nonexistent: No such file" "$err"
# shellcheck disable=SC2086
usage_error "--poll-us with mask-direct" "--poll-us sets the poll window: it needs --mode mask-poll or adaptive" \
	"$VMM" $src --mode mask-direct --poll-us 50
# shellcheck disable=SC2086
usage_error "--args poll_us= with mask-poll" "with --mode mask-poll the window is --poll-us N" \
	"$VMM" $src --mode mask-poll --args "budget=8 poll_us=50"
# shellcheck disable=SC2086
usage_error "--adaptive-up-pps with mask-poll" "--adaptive-up-pps and --adaptive-down-pps need --mode adaptive" \
	"$VMM" $src --mode mask-poll --adaptive-up-pps 5000
# shellcheck disable=SC2086
usage_error "adaptive: down not below up" "--adaptive-down-pps 6000: must be below --adaptive-up-pps 5000" \
	"$VMM" $src --mode adaptive --adaptive-up-pps 5000 --adaptive-down-pps 6000
# shellcheck disable=SC2086
usage_error "--poll-us 0" "--poll-us '0': expected microseconds from 1 to 1000000" \
	"$VMM" $src --mode mask-poll --poll-us 0

# Every mode a shipped workload or the workload README names is in the table
# (a workload mode runs the vmm-mini --mode scripts/lib/workload.sh maps it to:
# linux-virtio is the Linux guest on --mode virtio).
. "$VIRQLAB_ROOT/scripts/lib/workload.sh"
wl_modes=$(sed -n 's/^modes *= *//p' "$VIRQLAB_ROOT"/workloads/*.conf | tr ' ,' '\n\n' |
	grep . | sort -u | paste -sd' ')
bad=
for m in $wl_modes; do
	workload_mode "$m" || { bad="$bad $m"; continue; }
	case " $MODES " in *" $wm_vmm_mode "*) ;; *) bad="$bad $m" ;; esac
done
is "every mode in workloads/*.conf is a vmm-mini --mode" "" "$bad"
like "workloads/README.md's modes key lists the table" \
	'`inject`, `coalesce`, `mask-direct`, `mask-poll`, `adaptive`, `sink`' \
	"$(grep '^| `modes`' "$VIRQLAB_ROOT/workloads/README.md")"
# The runner passes the cell's mode to vmm-mini as it is, not translated.
is "run-experiment.sh translates no mode name" "" \
	"$(grep -nE '_vmode=(inject|mask-direct)' "$VIRQLAB_ROOT/scripts/run-experiment.sh")"

done_testing
