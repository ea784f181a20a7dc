. tests/lib/tap.sh >/dev/null
. tests/lib/rx.sh
out=$1; mkdir -p $out
for cell in "inject 500" "inject 800" "inject 0" "mask-direct 2000" "mask-direct 10000" "mask-direct 0"; do
  set -- $cell
  echo "cell $1 $2 start $(date +%T)" >&2
  RX_TIMEOUT=1200 RX_IDLE=5 rx_run $1 $2 200000
  cp "$rx_stats" $out/$1-$2.tsv; printf '%s\n' "$rx_out" > $out/$1-$2.log
  echo "$1 $2 rc=$rx_rc sent=$(col sent) delivered=$(col delivered) dropped=$(col dropped) ring_full=$(col drop_ring_full) gap=$(col drop_seq_gap) ooo=$(col guest_out_of_order) dup=$(col guest_duplicate) corrupt=$(col guest_corrupt) accounting=$(col accounting) pps=$(col delivered_pps) irqs/pkt=$(col irqs_per_pkt) exits/pkt=$(col exits_per_pkt) p50=$(col lat_p50_ns) p99=$(col lat_p99_ns)"
done
