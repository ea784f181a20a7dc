#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: scripts/costs-peer.sh refuses bad options with one line and
# exit 2 before it starts any VMM or sandbox (so this runs on any machine),
# and --help shows the exit codes and examples.

. "$(dirname "$0")/../lib/tap.sh"

PEER=$VIRQLAB_ROOT/scripts/costs-peer.sh
plan 9

# expect_usage NAME PATTERN ARGS...: costs-peer.sh ARGS is a usage error matching PATTERN.
expect_usage() {
	_n=$1 _p=$2
	shift 2
	usage_error "$_n" "^costs-peer: .*$_p" "$PEER" "$@"
}

expect_usage "--samples 0" "--samples '0'" --samples 0
expect_usage "--samples 10001" "--samples '10001'" --samples 10001
out=$("$PEER" --help)
is "--help: exit 0" 0 "$?"
like "--help: documents exit codes and examples" "Exit codes:" "$out"
like "--help: has examples" "scripts/costs-peer.sh --samples 200 --stats" "$out"
done_testing
