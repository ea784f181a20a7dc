#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: vmm-mini rejects bad flags, values and guest images with one
# line naming the problem and exit 2, before it ever opens /dev/kvm (so this
# runs on any machine), and --help documents the exit codes with examples.

. "$(dirname "$0")/../lib/tap.sh"

VMM=$BUILD/vmm-mini
plan 94

# expect_usage NAME PATTERN ARGS...: vmm-mini ARGS is a usage error matching PATTERN.
expect_usage() {
	_n=$1 _p=$2
	shift 2
	usage_error "$_n" "^vmm-mini: .*$_p" "$VMM" "$@"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect_usage "missing guest" "/nonexistent: No such file" --guest /nonexistent
expect_usage "--vcpus 0" "--vcpus '0'" --vcpus 0
expect_usage "--mem abc" "--mem 'abc'" --mem abc
expect_usage "--mem odd" "--mem '5'" --mem 5
expect_usage "unknown flag" "unknown option '--frobnicate'" --frobnicate
expect_usage "flag without value" "'--timeout' needs a value" --timeout
printf 'not an elf at all' > "$tmp/text"
expect_usage "not ELF" "not an ELF" --guest "$tmp/text"
head -c 2000 "$BUILD/guest.elf" > "$tmp/trunc"
expect_usage "truncated ELF" "truncated" --guest "$tmp/trunc"
# An i386 image: same header shape, wrong machine.
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000' > "$tmp/i386"
head -c 44 /dev/zero >> "$tmp/i386"
expect_usage "wrong machine" "wrong machine 3" --guest "$tmp/i386"
# Real ELF executables, linked where guest RAM is not.
printf '.globl _start\n_start: hlt\n' > "$tmp/hlt.S"
cc -nostdlib -static -no-pie -Wl,-Ttext=0x40000000 -o "$tmp/high" "$tmp/hlt.S"
expect_usage "segment above RAM" "outside guest RAM" --mem 64 --guest "$tmp/high"
cc -nostdlib -static -no-pie -Wl,-Ttext=0x2000 -o "$tmp/low" "$tmp/hlt.S"
expect_usage "segment over the boot pages" "outside guest RAM" --guest "$tmp/low"
expect_usage "--coalesce-us 0" "--coalesce-us '0': expected microseconds" \
	--source udp:127.0.0.1:9 --count 1 --coalesce-us 0
expect_usage "--coalesce-us with mask-direct" "--coalesce-us .*needs --mode coalesce" \
	--source udp:127.0.0.1:9 --count 1 --mode mask-direct --coalesce-us 100
expect_usage "--coalesce-us without --source" "--coalesce-us and --poll-us need --source" \
	--mode coalesce --coalesce-us 100
expect_usage "--rx-cpu beyond the host's CPUs" "--rx-cpu '1023': not a CPU this process may run on" \
	--source udp:127.0.0.1:9 --count 1 --rx-cpu 1023
expect_usage "--vcpu-cpu not a number" "--vcpu-cpu 'x': not a CPU" --vcpu-cpu x
expect_usage "--rcvbuf without --source" "--sender-stats, --rcvbuf and --accept-foreign need --source" \
	--rcvbuf 4096
expect_usage "--accept-foreign without --source" "--accept-foreign need --source" --accept-foreign
expect_usage "--accept-foreign with sink" "--accept-foreign: --mode sink has no guest consumer" \
	--source udp:127.0.0.1:9 --duration 1 --mode sink --accept-foreign
expect_usage "--args foreign=1 by hand" "--args foreign=...: foreign datagrams are delivered with --accept-foreign" \
	--source udp:127.0.0.1:9 --duration 1 --args foreign=1
expect_usage "--rcvbuf too small" "--rcvbuf '10': expected bytes from 256" \
	--source udp:127.0.0.1:9 --count 1 --rcvbuf 10
expect_usage "--rx-cpu without --source" "--rx-cpu pins the receive thread: it needs --source" \
	--rx-cpu 0

# --windows (one Linux boot, several receive windows): refused wherever a
# window could not be one run of N packets, before any image is read.
expect_usage "--windows without --kernel" "--windows 3: for a Linux guest \\(--kernel\\)" \
	--windows 3 --source udp:127.0.0.1:9 --count 10
expect_usage "--windows without --source" "--windows 3: receive windows need --source" \
	--kernel /nonexistent --windows 3
expect_usage "--windows with --duration" "--windows 3: each window ends on its count: it needs --count N, not --duration" \
	--kernel /nonexistent --mode virtio --source udp:127.0.0.1:9 --count 10 --duration 5 --windows 3
expect_usage "--windows 0" "--windows '0': expected a number of windows from 1 to 1000" \
	--kernel /nonexistent --mode virtio --source udp:127.0.0.1:9 --count 10 --windows 0

expect_usage "unknown --test name, at parse time" \
	"--test 'no-such-test': no such test in .*\\(it has: .*hello" --test no-such-test
expect_usage "an abbreviated option is refused" \
	"unknown option '--tim' \\(abbreviations are refused; did you mean '--timeout'" --tim 3
expect_usage "... also with =VALUE" "unknown option '--tim'" --tim=3
tests=$("$VMM" --list-tests)
is "--list-tests exits 0" 0 $?
like "--list-tests names hello, one a line" "^hello$" "$tests"
like "--list-tests names timer" "^timer$" "$tests"

help=$("$VMM" --help)
is "--help exits 0" 0 $?
like "--help lists exit codes and examples" "124 +--timeout expired" "$help"
like "--help: --accept-foreign, with an example driven by sockperf" \
	"--accept-foreign .*sockperf throughput -i 127.0.0.1 -p 9000" "$(printf '%s\n' "$help" | tr '\n' ' ')"
like "--help: --windows, its ready line and per-window files" \
	"--windows K .*window I of K,.* FILE\.I of --stats, --latency-log and --sender-stats" \
	"$(printf '%s\n' "$help" | tr -s '\n ' '  ')"
done_testing
