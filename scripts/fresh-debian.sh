#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fresh-debian.sh - the README's set-up, tried as a new user would on a bare
# Debian 12: a minimal tree made by `debootstrap --variant=minbase bookworm`
# plus make and git (what the README says a bare machine needs first), this
# checkout copied in, then, in a chroot as root, `make deps all` and the host
# tests. .ci/run calls it, so that a first `make demo` that only works the
# second time (issue 14, item 8) fails CI.
#
# The tree is kept under build/fresh-debian/ after a successful run, with
# every package deps.sh installed, and reused while its inputs are
# unchanged: the debootstrap command and mirror, and the files that decide
# what a first `make deps all` does (deps.sh, sandbox-fetch.sh, the
# Makefile and every *.mk), hashed into build/fresh-debian/key. A changed
# input means a new tree, so the first-time path is proven again exactly
# when it can have changed (cold: minutes); otherwise only the build and the
# tests run again in it (warm).

set -u

usage() {
	cat <<'USAGE'
Usage: scripts/fresh-debian.sh [--rebuild] [--tests 'FILE.t ...'] [--shell]
       scripts/fresh-debian.sh --help | --version

Make (or reuse) a minimal Debian 12 tree under build/fresh-debian/, copy
this checkout (tracked and untracked, not ignored, files) into it, and in
a chroot run `make deps all` and the host tests with scripts/check.sh.
Needs root (debootstrap, chroot, mounts) and debootstrap (scripts/deps.sh).
The mirror is the one this machine's apt uses (/etc/apt/sources.list*),
or VIRQLAB_DEBIAN_MIRROR.

Options:
  --rebuild      make a new tree even if the kept one's inputs are unchanged
  --tests LIST   host test files to run inside (default: every tests/host/*.t
                 except experiment-sandbox.t, see below)
  --shell        after the tests, an interactive shell in the chroot
  -h, --help     this text

The default leaves out tests/host/experiment-sandbox.t: it runs a whole
experiment through the sandbox (about a minute) and tests the runner, not the
set-up. The sandbox tests that do run share the host's sandbox lock, so
they never overlap a sandbox outside the chroot.

Exit: 0 set-up and tests passed; 1 `make deps all` or a test failed; 2 bad
usage; 3 the tree cannot be made (debootstrap, mirror, mounts); 4 skipped
(not root).

Examples:
  scripts/fresh-debian.sh
  scripts/fresh-debian.sh --tests tests/host/unit.t
  scripts/fresh-debian.sh --rebuild
USAGE
}

die() {
	_c=$1
	shift
	echo "fresh-debian: $*" >&2
	exit "$_c"
}

rebuild=0
shell=0
tests=
while [ $# -gt 0 ]; do
	case "$1" in
	--rebuild) rebuild=1; shift ;;
	--shell) shell=1; shift ;;
	--tests) [ $# -ge 2 ] || die 2 "'--tests' needs a value"; tests=$2; shift 2 ;;
	--version) exec "$(dirname "$0")/lib/version.sh" fresh-debian.sh ;;
	-h|--help) usage; exit 0 ;;
	*) die 2 "unexpected argument '$1' (see --help)" ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 3
[ "$(id -u)" = 0 ] || die 4 "skipped: needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die 3 "debootstrap not found (scripts/deps.sh installs it)"
if [ -z "$tests" ]; then
	tests=$(ls tests/host/*.t | grep -v '/experiment-sandbox\.t$' | tr '\n' ' ')
fi
for t in $tests; do
	case "$t" in
	tests/host/*.t) [ -f "$t" ] || die 2 "--tests: $t: no such file" ;;
	*) die 2 "--tests: $t: expected tests/host/*.t" ;;
	esac
done

# apt_mirror: the first Debian archive this machine's apt takes bookworm
# from, in either sources format (one-line .list, deb822 .sources).
apt_mirror() {
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { i = 2
			if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i + 1) == "bookworm") { print $i; exit } }'
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'function flush() { if (uris != "" && (" " suites " ") ~ / bookworm /) {
				split(uris, u, " "); print u[1]; found = 1; exit }
			uris = suites = "" }
			/^[ \t]*$/ { flush(); next }
			tolower($1) == "uris:" { $1 = ""; uris = $0 }
			tolower($1) == "suites:" { $1 = ""; suites = $0 }
			END { if (!found) flush() }' "$f"
	done
}
mirror=${VIRQLAB_DEBIAN_MIRROR:-$(apt_mirror | head -1)}
[ -n "$mirror" ] || die 3 "no bookworm archive in /etc/apt/sources.list*: set VIRQLAB_DEBIAN_MIRROR"

dir=$root/build/fresh-debian
tree=$dir/tree
src=/root/virqlab
boot="debootstrap --variant=minbase bookworm $tree $mirror"
key=$( {
	echo "$boot"
	cat scripts/deps.sh scripts/sandbox-fetch.sh Makefile $(git ls-files '*.mk')
} | sha256sum | cut -d' ' -f1)

mounted=
cleanup() {
	for m in $mounted; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	mounted=
}
trap 'cleanup' EXIT
trap 'cleanup; exit 130' INT TERM HUP

# mnt TARGET MOUNT-ARGS...: mount inside the tree, remembered for cleanup
# (innermost first).
mnt() {
	_t=$tree$1
	shift
	[ -e "$_t" ] || mkdir -p "$_t"
	mount "$@" "$_t" || die 3 "mount $* $_t failed"
	mounted="$_t $mounted"
}

# mount_all: what the tests need inside; cleanup takes it all down again.
mount_all() {
	mnt /proc -t proc proc
	mnt /sys --bind /sys
	mnt /dev --bind /dev
	mnt /dev/pts --bind /dev/pts
	# One sandbox at a time on this machine, inside the tree or not (sandbox.sh).
	lock=${TMPDIR:-/tmp}/virqlab-sandbox.lock
	touch "$lock" "$tree/tmp/virqlab-sandbox.lock"
	mnt /tmp/virqlab-sandbox.lock --bind "$lock"
}

# in_tree CMD: CMD in the chroot, as root in a login-like environment.
in_tree() {
	chroot "$tree" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh -c "$1"
}

# Never delete a tree that still has something mounted in it.
if grep -q " $tree/" /proc/mounts; then
	die 3 "$tree has mounts left (another run?):" \
		"$(awk -v t="$tree/" 'index($2, t) == 1 { printf " %s", $2 }' /proc/mounts)"
fi

state=warm
if [ "$rebuild" = 1 ] || [ "$(cat "$dir/key" 2>/dev/null)" != "$key" ]; then
	state=cold
	rm -rf --one-file-system "$dir"
	mkdir -p "$dir"
	echo "fresh-debian: cold: $boot (plus make, git)"
	t0=$(date +%s)
	debootstrap --variant=minbase bookworm "$tree" "$mirror" > "$dir/debootstrap.log" 2>&1 || {
		tail -20 "$dir/debootstrap.log" >&2
		die 3 "debootstrap failed (log: $dir/debootstrap.log)"
	}
	cp /etc/resolv.conf "$tree/etc/resolv.conf" 2>/dev/null
	mount_all
	in_tree 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends make git >/dev/null' ||
		die 3 "cannot install make and git in the tree"
	echo "fresh-debian: tree made in $(($(date +%s) - t0)) s"
else
	echo "fresh-debian: warm: reusing $tree (inputs unchanged, key $(echo "$key" | cut -c1-12))"
	mount_all
fi
cp /etc/resolv.conf "$tree/etc/resolv.conf" 2>/dev/null

# The checkout as a clone of it would be, plus what is not yet committed.
rm -rf --one-file-system "$tree$src"
mkdir -p "$tree$src"
git ls-files -z -c -o --exclude-standard |
	xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	tar -c --null -T - -f - | tar -x -C "$tree$src" -f - ||
	die 3 "cannot copy the checkout into the tree"

t0=$(date +%s)
echo "fresh-debian: make deps all (in the chroot, $src)"
in_tree "cd $src && make deps all" > "$dir/make.log" 2>&1
rc=$?
echo "fresh-debian: make deps all: exit $rc in $(($(date +%s) - t0)) s (log: $dir/make.log)"
if [ "$rc" != 0 ]; then
	tail -30 "$dir/make.log" >&2
	exit 1
fi
# Kept only once `make deps all` worked in it.
[ "$state" = cold ] && echo "$key" > "$dir/key"

t0=$(date +%s)
in_tree "cd $src && scripts/check.sh $tests"
rc=$?
echo "fresh-debian: host tests in the chroot: exit $rc in $(($(date +%s) - t0)) s ($state tree)"
[ "$shell" = 1 ] && chroot "$tree" /bin/sh -c "cd $src && exec bash -i"
[ "$rc" = 0 ] || exit 1
exit 0
