prove tests/kvm/guest-selftests.t tests/kvm/rx-exactly-once.t > build/tmp/prove-verify.out 2>&1; echo "prove rc $?"; tail -3 build/tmp/prove-verify.out
. tests/lib/tap.sh >/dev/null
. tests/lib/rx.sh
for i in $(seq 1 20); do
	RX_TIMEOUT=600 rx_run mask-direct 2000 40000
	echo "run $i rc=$rx_rc delivered $(col delivered) dropped $(col dropped) raised $(col irqs_raised) guest_irqs $(col guest_irqs) supp $(col irqs_suppressed) shadow $(col guest_shadow_irqs)"
	if [ "$(col dropped)" != 0 ] || [ "$(col guest_shadow_irqs)" != 0 ]; then echo "$rx_out" | grep -v "^ok\|^#" | grep -v "^vmm-mini: warning:   " | tail -12; fi
done
