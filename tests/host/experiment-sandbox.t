#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 68
# timeout: 900
# (it boots sandboxes, and waits behind any other sandbox on the machine)
# serial: it boots sandboxes (scripts/check.sh runs such files one at a time)
#
# Description: the experiment runner's sandbox path (no usable /dev/kvm: the
# cells run inside scripts/sandbox.sh) survives a sandbox that freezes. The
# freeze is made from outside: the first sandbox's heartbeat file is made
# immutable (chattr +i), so its heartbeat stops while the cells go on. The
# sandbox is stopped (exit 125), the cell it was running is discarded, a new
# sandbox runs it and the rest, and meta counts the freeze, names the cell
# and the results keep the saved CPU state. A second run's heartbeat stops
# for 10 s only: the watchdog's interrupt "revives" it, and the cell that was
# running is set aside in discarded/ and run again.

. "$(dirname "$0")/../lib/tap.sh"
. "$VIRQLAB_ROOT/scripts/lib/results.sh"
cd "$VIRQLAB_ROOT" || exit 1

require_tool qemu-system-x86_64
t=$BUILD/tmp/experiment-sandbox-t.$$
rm -rf "$t"
mkdir -p "$t"
export VIRQLAB_HISTORY="$t/history.sqlite"
touch "$t/probe"
chattr +i "$t/probe" 2>/dev/null || skip_all "chattr +i does not work on $t's filesystem"
chattr -i "$t/probe"
plan 18

cat > "$t/freeze.conf" <<'EOF'
description = one mode, one rate, four repeats: long enough to freeze in
modes = mask-direct
rates = 200
packets = 400
repeats = 4
idle = 1
timeout = 60
EOF

# freeze_first RUN [SECONDS]: stop the heartbeat of the first sandbox whose
# command names RUN (for good, or for SECONDS). A stall of SECONDS starts
# only once the first cell has started, so that its saved state (written
# NUDGE seconds on) falls during a cell, not during the sandbox's boot.
freeze_first() {
	i=0
	while [ $i -lt 120 ]; do
		for d in "$VIRQLAB_ROOT"/build/sandbox-run.*; do
			grep -qs -- "$1" "$d/cmd" && [ -s "$d/heartbeat" ] || continue
			[ -z "${2:-}" ] || ls -d "$1"/cells/*/ > /dev/null 2>&1 || continue
			chattr +i "$d/heartbeat" && echo "$d" > "$t/frozen-run"
			[ -n "${2:-}" ] || return
			sleep "$2"
			chattr -i "$d/heartbeat"
			return
		done
		sleep 1
		i=$((i + 1))
	done
}
freeze_first "$t/f" &
fpid=$!

VIRQLAB_HIDE_KVM=1 VIRQLAB_SANDBOX_NUDGE=0 VIRQLAB_SANDBOX_STALL=6 \
	scripts/run-experiment.sh "$t/freeze.conf" --no-plot --out "$t/f" > "$t/f.out" 2> "$t/f.err"
rc=$?
wait "$fpid"
frozen=$(cat "$t/frozen-run" 2>/dev/null)
if [ -n "$frozen" ]; then
	chattr -i "$frozen/heartbeat"
	rm -rf "$frozen"
fi

check "the first sandbox's heartbeat was stopped" test -n "$frozen"
is "the run still completes: exit 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/# /' "$t/f.err" >&2
is "meta: status complete, 4 cells ok" "complete 4" "$(meta_get "$t/f" status) $(meta_get "$t/f" cells_ok)"
is "meta: one sandbox freeze counted" 1 "$(meta_get "$t/f" sandbox_freezes)"
cell=$(meta_get "$t/f" sandbox_froze_in)
like "meta: the cell it froze in is named" '^mask-direct-200-[1-4]$' "$cell"
like "the runner said so and went on" "the sandbox froze in cell $cell \(freeze 1 of at most 5\): that cell is discarded and runs again" "$(cat "$t/f.err")"
state=$(ls "$t"/f/sandbox-froze-*.txt 2>/dev/null | head -1)
like "the frozen sandbox's CPU state is kept with the results" "RIP=" "$(cat "$state" 2>/dev/null)"
like "... saved with the emulated CPU stopped first (so the guest cannot see it)" "VM status: paused" "$(cat "$state" 2>/dev/null)"
bad=$(for s in "$t"/f/cells/*/stats.tsv; do
	awk -F'\t' 'NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
		$(c["accounting"]) != "ok" || $(c["delivered"]) != 400 { print FILENAME }' "$s"
done)
is "every cell, the rerun one too: 400 delivered, accounting ok" "" "$bad"

# --- a stall the watchdog "revives" ---------------------------------------
rm -f "$t/frozen-run"
freeze_first "$t/s" 10 &
fpid=$!
VIRQLAB_HIDE_KVM=1 VIRQLAB_SANDBOX_NUDGE=4 VIRQLAB_SANDBOX_STALL=60 \
	scripts/run-experiment.sh "$t/freeze.conf" --no-plot --out "$t/s" > "$t/s.out" 2> "$t/s.err"
rc=$?
wait "$fpid"
is "a stalled sandbox: the run completes, exit 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/# /' "$t/s.err" >&2
is "meta: 4 cells ok, no freeze counted" "4 " "$(meta_get "$t/s" cells_ok) $(meta_get "$t/s" sandbox_freezes)"
d=$(ls -d "$t"/s/discarded/mask-direct-200-*.stalled.1 2>/dev/null)
like "the cell that ran during the stall is set aside in discarded/" "mask-direct-200-[1-4]\.stalled\.1$" "$d"
like "... with the reason" "^failed: the sandbox stalled during this cell and it was revived \(CPU state: .*sandbox-froze-" "$(cat "$d/status" 2>/dev/null)"
c=${d##*/}
c=${c%.stalled.1}
is "... and ran again: ok" ok "$(cat "$t/s/cells/$c/status" 2>/dev/null)"

# In the sandbox only the checkout is writable: an --out outside it (this
# machine's /tmp: the sandbox has its own) is refused before anything runs.
out=$(mktemp -u /tmp/experiment-sandbox-t.XXXXXX)
usage_error "--out outside the checkout, cells in the sandbox" \
	"^run-experiment: --out $out: the cells run in the SVM sandbox, which writes only inside this checkout" \
	env VIRQLAB_HIDE_KVM=1 scripts/run-experiment.sh "$t/freeze.conf" --no-plot --out "$out"
is "... and it made nothing there" no "$([ -e "$out" ] && echo yes || echo no)"

rm -rf "$t"
done_testing
