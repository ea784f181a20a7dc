#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Description: runs the C unit tests (tests/host/unit.c, TAP from tests/lib/tap.h).
. "$(dirname "$0")/../lib/tap.sh"
[ -x "$BUILD/tests/unit" ] || { echo "1..0 # SKIP $BUILD/tests/unit not built (make)"; exit 0; }
exec "$BUILD/tests/unit"
