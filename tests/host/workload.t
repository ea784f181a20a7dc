#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# workload.t - workload files (workloads/README.md): every shipped workload
# parses and plans; sweeps expand as documented; @emulated variants apply
# only on an emulated CPU, @pvm ones only on nested PVM; every kind of bad
# input is reported as file:line: what is wrong, with exit 2, before anything
# runs (no results directory is created).
. "$(dirname "$0")/../lib/tap.sh"
. "$VIRQLAB_ROOT/scripts/lib/workload.sh"
cd "$VIRQLAB_ROOT" || exit 1

plan 55
t=$BUILD/tmp/workload-t.$$
rm -rf "$t"
mkdir -p "$t"

for w in smoke default low-load-latency saturation bursty virtio-baseline; do
	out=$(scripts/run-experiment.sh "$w" --dry-run 2>&1) && rc=0 || rc=$?
	like "workloads/$w.conf plans (exit $rc)" "^run-experiment: $w: [0-9]+ cells" "$out"
done
check "workloads/README.md documents every key the parser knows" sh -c '
	for k in $(awk -F"\"" "/known = /{ print \$2; exit }" scripts/lib/workload.awk); do
		grep -q "^| \`$k\`" workloads/README.md || { echo "# undocumented key: $k"; exit 1; }
	done'

cat > "$t/sweep.conf" <<'CONF'
# a comment, then keys with spaces, tabs and a trailing comment
modes = inject,mask-direct sink
rates	=	100..800 x2 1000..3000 +1000   # geometric, then linear
packets = 10
packets@emulated = 5
packets@pvm = 7
CONF
workload_load "$t/sweep.conf" vmx
is "sweeps: FROM..TO xF and FROM..TO +S expand" "100 200 400 800 1000 2000 3000" "$wl_rates"
is "modes: commas or spaces" "inject mask-direct sink" "$wl_modes"
is "defaults: repeats 3, pattern constant, size 64, probes off, hobble off" "3 constant 64 off off" \
	"$wl_repeats $wl_pattern $wl_size $wl_probes $wl_hobble"
is "name defaults to the file name" sweep "$wl_name"
is "poll_us defaults to 1000" 1000 "$wl_poll_us"
is "plain key on a real CPU" 10 "$wl_packets"
workload_load "$t/sweep.conf" svm-emulated
is "KEY@emulated wins on an emulated CPU" 5 "$wl_packets"
workload_load "$t/sweep.conf" pvm
is "KEY@pvm wins on nested PVM" 7 "$wl_packets"
printf 'modes@pvm = sink\nrates@pvm = 100\npackets@pvm = 10\n' > "$t/pvm-only.conf"
workload_load "$t/pvm-only.conf" pvm
is "required keys given only as @pvm variants: accepted on pvm" "sink 100 10" \
	"$wl_modes $wl_rates $wl_packets"

# mask-poll: a mode of its own (vmm-mini --mode mask-poll --poll-us N).
printf 'modes = mask-poll, mask-direct\nrates = 100\npackets = 10\npoll_us = 250\n' > "$t/poll.conf"
workload_load "$t/poll.conf" vmx
is "mode mask-poll accepted" "mask-poll mask-direct" "$wl_modes"
is "poll_us = 250 read" 250 "$wl_poll_us"
is "coalesce_us defaults to 100" 100 "$wl_coalesce_us"

# coalesce: a mode of its own (vmm-mini --mode coalesce --coalesce-us N).
printf 'modes = coalesce inject\nrates = 100\npackets = 10\ncoalesce_us = 2500\n' > "$t/coal.conf"
workload_load "$t/coal.conf" vmx
is "mode coalesce accepted, coalesce_us = 2500 read" "coalesce inject 2500" "$wl_modes $wl_coalesce_us"

# virtio: the virtio-net mode, its NAPI budget 64 unless the file says.
printf 'modes = virtio mask-direct\nrates = 100\npackets = 10\n' > "$t/virtio.conf"
workload_load "$t/virtio.conf" vmx
is "mode virtio accepted, budget defaults to 64" "virtio mask-direct 64" "$wl_modes $wl_budget"
printf 'budget = 8\n' >> "$t/virtio.conf"
workload_load "$t/virtio.conf" vmx
is "budget = 8 read" 8 "$wl_budget"

# bad LINE-CONTENT EXPECTED-MESSAGE: a valid file with one bad line (line 4)
# fails with exit 2 and file:4: message, and creates no results directory.
bad() {
	printf 'modes = inject\nrates = 100\npackets = 10\n%s\n' "$1" > "$t/bad.conf"
	err=$(scripts/run-experiment.sh "$t/bad.conf" --out "$t/run" 2>&1) && rc=0 || rc=$?
	like "$2 (exit $rc)" "^$t/bad.conf:4: $3" "$err"
	[ "$rc" = 2 ] || { not_ok "... exit 2 (got $rc)"; return; }
	[ ! -e "$t/run" ] && ok "... and nothing ran (no $t/run)" || not_ok "... $t/run was created"
}
bad "burts = 32" "unknown key" "unknown key 'burts' \\(known: name "
bad "size = 12" "value out of range" "size: '12' is not valid \\(expected datagram bytes, 64..9000\\)"
bad "rates = 100" "key given twice" "'rates' already set on line 2"
bad "modes@native = sink" "unknown variant" "'modes@native': the variants are @emulated \\(an emulated CPU, e.g. the SVM sandbox\\) and @pvm \\(nested PVM\\)"
bad "cdf_rates = 1..2 x1" "a sweep that does not rise" "cdf_rates: sweep '1..2 x1' must rise"
bad "just words" "a line without =" "expected 'key = value', got 'just words'"
for v in 0 x 2000000; do
	bad "poll_us = $v" "poll_us = $v rejected" "poll_us: '$v' is not valid \\(expected microseconds mask-poll polls before it sleeps, 1..1000000\\)\$"
	is "... in one line" 1 "$(printf '%s\n' "$err" | wc -l)"
done
for v in 0 1025; do
	bad "budget = $v" "budget = $v rejected" "budget: '$v' is not valid \(expected buffers the virtio driver takes per poll pass, 1..1024\)\$"
done
for v in 0 1.5; do
	bad "coalesce_us = $v" "coalesce_us = $v rejected" "coalesce_us: '$v' is not valid \(expected microseconds of one coalesce interrupt window, 1..1000000\)\$"
done

err=$(scripts/run-experiment.sh "$t/missing.conf" 2>&1) && rc=0 || rc=$?
like "missing workload file: exit 2 naming it (exit $rc)" "^$t/missing.conf: no such workload file" "$err"
printf 'rates = 100\n' > "$t/short.conf"
err=$(scripts/run-experiment.sh "$t/short.conf" 2>&1) && rc=0 || rc=$?
like "missing required key modes: named (exit $rc)" "short.conf:1: no 'modes' key" "$err"
like "missing packets or duration: named" "short.conf:1: neither 'packets' nor 'duration' is set" "$err"
err=$(scripts/run-experiment.sh smoke --frobnicate 2>&1) && rc=0 || rc=$?
is "unknown option: exit 2" 2 "$rc"

rm -rf "$t"
done_testing
