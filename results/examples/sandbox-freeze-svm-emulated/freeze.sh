. tests/lib/tap.sh >/dev/null
. tests/lib/rx.sh
for i in $(seq 1 ${N:-12}); do
	echo "start $i $(date +%T)"
	RX_TIMEOUT=60 rx_run inject 2000 4000
	echo "run $i rc=$rx_rc delivered $(col delivered) dropped $(col dropped) shadow $(col guest_shadow_irqs) $(date +%T)"
done
