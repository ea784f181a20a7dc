. tests/lib/tap.sh >/dev/null
. tests/lib/rx.sh
RX_TIMEOUT=1200 rx_run inject 600 200000
echo "rc=$rx_rc"; echo "$rx_out" | grep -v "^vmm-mini: warning:   "
cp "$rx_stats" build/tmp/inj600-stats.tsv
