#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 6
#
# Description: scripts/lib/run-one.sh, the wrapper scripts/check.sh gives
# prove (--exec): a test file that prints TAP and passes goes through
# unchanged (exit 0, prove: PASS); one that outlives its "# timeout: N" is
# killed with its whole process group (a child it left behind included),
# reported by a trailing "not ok" naming the limit and exit 124 (prove:
# FAIL); one that ignores TERM is killed by KILL; a new BUG:/WARNING:/KVM
# warning in the kernel log while a file ran fails it although its cases
# passed, and other new kernel messages do not. The kernel log is a stand-in
# (VIRQLAB_DMESG): nothing is written to the real one.

. "$(dirname "$0")/../lib/tap.sh"

RUN1=$VIRQLAB_ROOT/scripts/lib/run-one.sh
plan 15
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The stand-in kernel log: a file a fake test can append to.
printf '[    1.000000] Linux version 6.1\n[    2.000000] kvm: loaded\n' > "$tmp/klog"
printf '#!/bin/sh\ncat "%s"\n' "$tmp/klog" > "$tmp/dmesg"
chmod +x "$tmp/dmesg"
export VIRQLAB_DMESG=$tmp/dmesg VIRQLAB_CHECK_DMESG=1

# fake NAME BODY: a test file $tmp/NAME.t whose body follows tap.sh's plan.
fake() {
	{
		echo '#!/bin/sh'
		printf '%s\n' "$2"
	} > "$tmp/$1.t"
	chmod +x "$tmp/$1.t"
}

fake pass 'echo "1..2"; echo "ok 1 - one"; echo "ok 2 - two"'
out=$("$RUN1" "$tmp/pass.t" 2>&1)
is "a passing file: exit 0" 0 "$?"
is "... its TAP unchanged" "1..2
ok 1 - one
ok 2 - two" "$out"
out=$(cd "$tmp" && prove --exec "$RUN1" pass.t 2>&1)
like "... prove through the wrapper: Result: PASS" "^Result: PASS$" "$out"

fake slow "# timeout: 1
echo 1..1
sleep 60 &
echo \$! > '$tmp/child'
sleep 60
echo 'ok 1 - never'"
t0=$(date +%s)
out=$("$RUN1" "$tmp/slow.t" 2>&1)
rc=$?
took=$(($(date +%s) - t0))
is "past its '# timeout: 1': exit 124" 124 "$rc"
check "... within seconds, not the 60 it asked for (took $took s)" [ "$took" -le 5 ]
like "... a trailing not ok naming the limit" \
	"^not ok - time limit: .*slow.t killed after 1 s \(exit 124\)$" "$out"
sleep 1
# Gone, or a zombie waiting for whoever inherited it to reap it.
is "... the child it left in the background is gone too" "" \
	"$(awk '$3 != "Z" { print "alive: " $0 }' "/proc/$(cat "$tmp/child")/stat" 2>/dev/null)"
out=$(cd "$tmp" && prove --exec "$RUN1" slow.t 2>&1)
like "... prove: Result: FAIL" "^Result: FAIL$" "$out"

fake stubborn "# timeout: 1
trap '' TERM
echo 1..1
sleep 60"
t0=$(date +%s)
VIRQLAB_TEST_KILL_AFTER=1 "$RUN1" "$tmp/stubborn.t" >/dev/null 2>&1
rc=$?
is "a file ignoring TERM: KILL after --kill-after, still exit 124" "124 yes" \
	"$rc $([ $(($(date +%s) - t0)) -le 6 ] && echo yes || echo "no: $(($(date +%s) - t0)) s")"

is "no '# timeout' header: VIRQLAB_TEST_TIMEOUT is the limit" 124 \
	"$(fake bare 'echo 1..1; sleep 60'
	VIRQLAB_TEST_TIMEOUT=1 "$RUN1" "$tmp/bare.t" >/dev/null 2>&1; echo $?)"

warn='[    3.000000] WARNING: CPU: 1 PID: 42 at arch/x86/kvm/x86.c:123 kvm_arch_vcpu_ioctl_run'
fake warns "echo 1..1; echo '$warn' >> '$tmp/klog'; echo 'ok 1 - fine'"
out=$("$RUN1" "$tmp/warns.t" 2>&1)
is "a kernel WARNING while it ran: exit 1 although its case passed" 1 "$?"
like "... a trailing not ok" \
	"^not ok - kernel log: new BUG/WARNING/KVM warning while .*warns.t ran$" "$out"
like "... showing the line" "^#   \[    3.000000\] WARNING: CPU: 1 PID: 42 at arch/x86/kvm/x86.c" "$out"

fake quiet "echo 1..1; echo '[    4.000000] kvm: vcpu 0 disabled perfctr wrmsr' >> '$tmp/klog'
	echo 'ok 1 - fine'"
"$RUN1" "$tmp/quiet.t" >/dev/null 2>&1
is "other new kernel messages: exit 0" 0 "$?"
fake old "echo 1..1; echo 'ok 1 - fine'"
"$RUN1" "$tmp/old.t" >/dev/null 2>&1
is "a WARNING from before the file ran does not count" 0 "$?"
done_testing
