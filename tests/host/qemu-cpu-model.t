#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: scripts/run-guest-qemu.sh --accel kvm picks the QEMU CPU model
# by what the host's KVM accepts: -cpu host where QEMU can set every MSR of
# it, -cpu max,-arch-capabilities (run once more) where QEMU aborts on
# "failed to set MSR 0x10a" (IA32_ARCH_CAPABILITIES, nested PVM), and names
# the model used on stderr; any other QEMU failure is not retried, and
# VIRQLAB_QEMU_CPU forces a model. QEMU is a stand-in on PATH here that
# behaves as each kind of host does, so no /dev/kvm is needed.

. "$(dirname "$0")/../lib/tap.sh"

plan 10
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
# The stand-in: logs its -cpu; on a "refusing" host aborts as QEMU 7.2 does
# for -cpu host; otherwise passes as the guest would (isa-debug-exit 33).
cat > "$tmp/bin/qemu-system-x86_64" <<'FAKE'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -cpu ] && cpu=$2; shift; done
echo "$cpu" >> "$FAKE_LOG"
case "$FAKE_HOST:$cpu" in
refuses:host)
	echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
	echo "qemu-system-x86_64: ../target/i386/kvm/kvm.c: kvm_buf_set_msrs: Assertion failed." >&2
	kill -ABRT $$ ;;
broken:*) echo "qemu-system-x86_64: something else" >&2; exit 1 ;;
esac
echo "hello from the stand-in"
exit 33
FAKE
chmod +x "$tmp/bin/qemu-system-x86_64"
export FAKE_LOG=$tmp/log

# guest HOST-KIND: run-guest-qemu.sh --accel kvm hello against the stand-in.
guest() {
	: > "$FAKE_LOG"
	err=$(FAKE_HOST=$1 PATH="$tmp/bin:$PATH" "$VIRQLAB_ROOT/scripts/run-guest-qemu.sh" \
		--accel kvm --guest /dev/null hello 2>&1 >/dev/null)
	rc=$?
	tried=$(tr '\n' ' ' < "$FAKE_LOG")
}

guest accepts
is "a host that takes -cpu host: exit 0" 0 "$rc"
is "... one run, -cpu host" "host " "$tried"
like "... stderr names the model" "^run-guest-qemu: QEMU -accel kvm -cpu host$" "$err"

guest refuses
is "a host refusing the arch-capabilities MSR: exit 0" 0 "$rc"
is "... -cpu host, then -cpu max,-arch-capabilities" "host max,-arch-capabilities " "$tried"
like "... stderr says why and names the model used" \
	"refused the arch-capabilities MSR.*QEMU -accel kvm -cpu max,-arch-capabilities$" "$err"

guest broken
is "another QEMU failure: exit 3, not retried" "3 host " "$rc $tried"
like "... QEMU's own message is shown" "something else" "$err"

VIRQLAB_QEMU_CPU=qemu64 guest refuses
is "VIRQLAB_QEMU_CPU forces the model" "0 qemu64 " "$rc $tried"
like "... and stderr names it" "QEMU -accel kvm -cpu qemu64$" "$err"
done_testing
