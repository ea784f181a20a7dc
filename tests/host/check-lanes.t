#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 23
# timeout: 900
# (it boots sandboxes, and waits behind any other sandbox on the machine)
# serial: it boots sandboxes
#
# Description: without /dev/kvm (here --sandbox) on two CPUs, scripts/check.sh
# runs the KVM files in two sandboxes at once: each file by its "#
# cost-sandbox: N" header, longest first, in the lane that ends sooner, the
# files that run here counted in lane 2's load (scripts/lib/check-sandbox.sh
# cs_split). The stand-ins below show the two sandboxes running at the same
# time (one waits for a file the other writes), which sandbox each file ran in
# (its boot id), that a file failing in either lane fails the run, and that a
# passing run still ends with prove's "Result: PASS". When this file runs
# inside make check's own lanes, its sandboxes are a third and fourth for a
# few seconds (VIRQLAB_SANDBOX_LOCK_HELD).

. "$(dirname "$0")/../lib/tap.sh"
cd "$VIRQLAB_ROOT" || exit 1
require_tool qemu-system-x86_64
[ "$(nproc)" -ge 2 ] || skip_all "one CPU: check.sh runs one sandbox at a time"

plan 14
# The sandboxes see the checkout, not this machine's /tmp.
tmp=$BUILD/tmp/check-lanes.$$
mkdir -p "$tmp/tests/kvm" "$tmp/tests/host" "$tmp/marks"
trap 'rm -rf "$tmp"' EXIT
export VIRQLAB_CHECK_DMESG=0

# fake DIR NAME COST [WAITFOR] [FAIL]: DIR/NAME.t, a stand-in that asks for
# KVM (a tests/kvm one) or not, records its boot id and, with WAITFOR, waits
# up to 60 s for that stand-in to have started.
fake() {
	_f=$tmp/tests/$1/$2.t
	{
		echo '#!/bin/sh'
		echo "# cost-sandbox: $3"
		echo ". $VIRQLAB_ROOT/tests/lib/tap.sh"
		[ "$1" = kvm ] && echo 'require_kvm "$@"'
		echo 'plan 2'
		echo "touch $tmp/marks/$2.started"
		echo "cat /proc/sys/kernel/random/boot_id > $tmp/marks/$2.boot"
		if [ -n "${4:-}" ]; then
			echo "i=0; while [ ! -f $tmp/marks/$4.started ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done"
			echo "[ -f $tmp/marks/$4.started ] && touch $tmp/marks/$2.saw-$4"
		fi
		echo "ok ran"
		[ -n "${5:-}" ] && echo "not_ok planted" || echo "ok ran"
	} > "$_f"
	chmod +x "$_f"
}

# --- the split alone ------------------------------------------------------------
. scripts/lib/check-sandbox.sh
fake kvm a100 100
fake kvm b90 90
fake kvm c20 20
fake kvm d20 20 "" fail
fake host h200 200
k=$tmp/tests/kvm
is "cs_split: longest first, each in the lane that ends sooner" \
	"1 a100 2 b90 2 c20 1 d20" \
	"$(cs_split "" "$k/d20.t" "$k/c20.t" "$k/b90.t" "$k/a100.t" | sed "s|$k/||; s|\.t||" | tr '\n' ' ' | sed 's/ $//')"
is "cs_split: lane 2 starts with the files that run here" "1 a100 1 b90" \
	"$(cs_split "$tmp/tests/host/h200.t" "$k/b90.t" "$k/a100.t" | sed "s|$k/||; s|\.t||" | tr '\n' ' ' | sed 's/ $//')"
is "cs_cost: no header counts 2 s" 2 "$(cs_cost tests/lib/tap.sh)"

# --- two sandboxes at once -------------------------------------------------------
# a100 waits for b90, which runs in the other lane; d20 fails.
fake kvm a100 100 b90
out=$(scripts/check.sh --sandbox "$k/a100.t" "$k/b90.t" "$k/c20.t" "$k/d20.t" 2>&1)
rc=$?
is "a file failing in a lane: exit 1" 1 "$rc"
check "a100 saw b90 start while it ran: two sandboxes at once" test -f "$tmp/marks/a100.saw-b90"
boot() { cat "$tmp/marks/$1.boot" 2>/dev/null || echo "none-$1"; }
is "a100 and d20 in one sandbox, b90 and c20 in the other" "same same differ" \
	"$([ "$(boot a100)" = "$(boot d20)" ] && echo same || echo differ) $([ "$(boot b90)" = "$(boot c20)" ] && echo same || echo differ) $([ "$(boot a100)" = "$(boot b90)" ] && echo same || echo differ)"
is "every stand-in ran once" 4 "$(ls "$tmp"/marks/*.started 2>/dev/null | wc -l)"
like "the failure is named at the end" "check: FAIL: a file failed in one of the two lanes" \
	"$(printf '%s\n' "$out" | tail -1)"
[ "$rc" = 1 ] || printf '%s\n' "$out" | sed 's/^/# /'

# --- the load here counts: both KVM files in lane 1 ---------------------------
rm -f "$tmp"/marks/*
fake kvm b90 90
fake kvm c20 20
fake host h200 200
out=$(scripts/check.sh --sandbox "$tmp/tests/host/h200.t" "$k/b90.t" "$k/c20.t" 2>&1)
rc=$?
is "a passing run: exit 0" 0 "$rc"
is "... its last line is prove's Result: PASS" "Result: PASS" "$(printf '%s\n' "$out" | tail -1)"
is "... the host file's 200 s kept both KVM files in lane 1: one sandbox" same \
	"$([ "$(boot b90)" = "$(boot c20)" ] && echo same || echo differ)"
like "... and the host file ran here, not in a sandbox" "^h200 here" \
	"$([ "$(boot h200)" = "$(cat /proc/sys/kernel/random/boot_id)" ] && echo "h200 here" || echo "h200 elsewhere")"
like "... the lanes are announced" "check: two sandboxes at once; lane 1: .*b90.t .*c20.t" "$out"
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'

# Without a header a file counts 2 s: a long one would unbalance the lanes.
missing=$(for f in tests/kvm/*.t; do
	grep -q '^require_kvm' "$f" && ! sed -n '1,30p' "$f" | grep -q '^# cost-sandbox: [0-9]' && echo "$f"
done)
is "every tests/kvm file run inside a sandbox has a '# cost-sandbox: N' header" "" "$missing"
