# SPDX-License-Identifier: GPL-2.0
# experiment.sh - the scratch space of a test that runs the experiment runner
# (scripts/run-experiment.sh, make ab); sourced after tap.sh.

# exp_scratch NAME: t, a fresh $BUILD/tmp/NAME-t.PID, with a history database
# of its own (VIRQLAB_HISTORY: never the user's, nor another test's), and in
# it smoke200.conf: workloads/smoke.conf at 200 pps only, 6 cells a run
# instead of 12. The 400 pps half runs the same code at another rate, and
# cost 2 min in the sandbox (experiment.t) and 25 s natively (ab.t's two
# runs) before 2026-12-01.
exp_scratch() {
	t=$BUILD/tmp/$1-t.$$
	rm -rf "$t"
	mkdir -p "$t"
	export VIRQLAB_HISTORY="$t/history.sqlite"
	sed 's/^rates = .*/rates = 200/; s/^cdf_rates = .*/cdf_rates = 200/' \
		"$VIRQLAB_ROOT/workloads/smoke.conf" > "$t/smoke200.conf"
}
