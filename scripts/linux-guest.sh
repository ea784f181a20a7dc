#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# linux-guest.sh DEB OUTDIR - build the Linux guest that vmm-mini --kernel
# boots, from the same Debian kernel package the SVM sandbox boots (DEB,
# fetched by sandbox-fetch.sh, never installed): OUTDIR gets bzImage (the
# package's vmlinuz, unchanged) and initramfs.cpio.gz holding busybox-static
# (/bin/busybox, installed by scripts/deps.sh, as the sandbox's initramfs
# has it) and scripts/linux-guest-init.sh as /init. Nothing here is
# committed; `make build/linux-guest/initramfs.cpio.gz` runs this.

set -eu

usage() {
	cat <<'USAGE'
Usage: scripts/linux-guest.sh DEB OUTDIR
       scripts/linux-guest.sh --help | --version

Build the Linux guest vmm-mini --kernel boots: OUTDIR/bzImage from the kernel
package DEB (unpacked, never installed) and OUTDIR/initramfs.cpio.gz with
busybox-static and scripts/linux-guest-init.sh as /init.

Options:
  -h, --help    this text
  --version     one line: linux-guest.sh (virqlab) REVISION

Exit: 0 built; 2 bad usage; 3 DEB or /bin/busybox (static) missing.

Examples:
  make linux-guest
  scripts/linux-guest.sh "$(scripts/sandbox-fetch.sh --print)" build/linux-guest
USAGE
}

while [ $# -gt 0 ]; do
	case "$1" in
	--version) exec "$(dirname "$0")/lib/version.sh" linux-guest.sh ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) echo "linux-guest: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || { echo "linux-guest: expected DEB OUTDIR (see --help)" >&2; exit 2; }
[ $# -eq 2 ] || { echo "linux-guest: unexpected argument '$3' (see --help)" >&2; exit 2; }
deb=$1
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)

[ -f "$deb" ] || { echo "linux-guest: $deb: no such package (scripts/sandbox-fetch.sh)" >&2; exit 3; }
case "$(ldd /bin/busybox 2>&1 || true)" in
*"not a dynamic"*) ;;
*) echo "linux-guest: /bin/busybox is missing or not static: install busybox-static" >&2; exit 3 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out" "$tmp/deb" "$tmp/ir/bin" "$tmp/ir/proc" "$tmp/ir/sys" "$tmp/ir/dev"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/deb" --wildcards './boot/vmlinuz-*'
kver=$(ls "$tmp/deb/boot" | sed -n 's/^vmlinuz-//p' | head -1)
[ -n "$kver" ] || { echo "linux-guest: no boot/vmlinuz-* in $deb" >&2; exit 3; }
cp "$tmp/deb/boot/vmlinuz-$kver" "$out/bzImage.tmp"
cp /bin/busybox "$tmp/ir/bin/busybox"
cp "$root/scripts/linux-guest-init.sh" "$tmp/ir/init"
chmod 755 "$tmp/ir/init"
(cd "$tmp/ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initramfs.cpio.gz.tmp"
echo "$kver" > "$out/kernel-version"
mv "$out/bzImage.tmp" "$out/bzImage"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
