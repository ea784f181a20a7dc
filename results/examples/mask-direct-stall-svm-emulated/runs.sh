prove -v tests/kvm/rx-exactly-once.t > build/tmp/prove-rxeo.out 2>&1; echo "prove rc $?"; tail -3 build/tmp/prove-rxeo.out
. tests/lib/tap.sh >/dev/null
. tests/lib/rx.sh
for i in $(seq 1 30); do
	RX_TIMEOUT=600 rx_run mask-direct 2000 40000
	echo "run $i rc=$rx_rc delivered $(col delivered) dropped $(col dropped) raised $(col irqs_raised) guest_irqs $(col guest_irqs) supp $(col irqs_suppressed)"
	if [ "$(col dropped)" != 0 ]; then echo "$rx_out" | grep -v "^ok\|^#" | tail -40; fi
done
