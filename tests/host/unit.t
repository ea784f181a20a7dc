#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Description: runs the C unit tests (tests/host/unit.c, TAP from tests/lib/tap.h).
. "$(dirname "$0")/../lib/tap.sh"
require_file "$BUILD/tests/unit" "make builds it"
exec "$BUILD/tests/unit"
