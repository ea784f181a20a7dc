#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# version.sh NAME - what every virqlab script's --version prints: one line,
# "NAME (virqlab) REVISION", REVISION being this checkout's
# `git describe --always --dirty` read now (a script has no build), or
# "unknown" in a tree that is not its own git checkout (a copy such as
# fresh-debian's, which may sit inside another checkout) or without git.
# The C programs print the same revision, compiled in (virqlab_cli.h).

root=$(cd "$(dirname "$0")/../.." && pwd -P)
rev=unknown
if [ "$(git -C "$root" rev-parse --show-toplevel 2>/dev/null)" = "$root" ]; then
	rev=$(git -C "$root" describe --always --dirty 2>/dev/null) || rev=unknown
fi
echo "${1:?usage: version.sh NAME} (virqlab) $rev"
