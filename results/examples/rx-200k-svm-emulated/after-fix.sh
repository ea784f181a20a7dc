. tests/lib/tap.sh >/dev/null
. tests/lib/rx.sh
RX_TIMEOUT=900 rx_run mask-direct 2000 200000
echo "rc=$rx_rc"; echo "$rx_out" | grep -v "^vmm-mini: warning:   "
cp "$rx_stats" build/tmp/r200k-stats.tsv
