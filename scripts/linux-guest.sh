#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# linux-guest.sh [--rx FILE] DEB OUTDIR - build the Linux guest that vmm-mini --kernel
# boots, from the same Debian kernel package the SVM sandbox boots (DEB,
# fetched by sandbox-fetch.sh, never installed): OUTDIR gets bzImage (the
# package's vmlinuz, unchanged) and initramfs.cpio.gz holding busybox-static
# (/bin/busybox, installed by scripts/deps.sh, as the sandbox's initramfs
# has it) and scripts/linux-guest-init.sh as /init, the virtio-net modules
# of the same package (virtio_net and what it needs, under /lib/modules:
# Debian builds them as modules) and, with --rx, the receiver program
# (guest-kernel-patch/linux/virqlab-rx.c, static) as /bin/virqlab-rx. Nothing here is
# committed; `make linux-guest` runs this.

set -eu

usage() {
	cat <<'USAGE'
Usage: scripts/linux-guest.sh [--rx FILE] DEB OUTDIR
       scripts/linux-guest.sh --help | --version

Build the Linux guest vmm-mini --kernel boots: OUTDIR/bzImage from the kernel
package DEB (unpacked, never installed) and OUTDIR/initramfs.cpio.gz with
busybox-static, scripts/linux-guest-init.sh as /init and the package's
virtio-net modules.

Options:
  --rx FILE     put FILE (a static program) in as /bin/virqlab-rx, the
                receiver /init runs when the command line says virqlab.rx=1
  -h, --help    this text
  --version     one line: linux-guest.sh (virqlab) REVISION

Exit: 0 built; 2 bad usage; 3 DEB, /bin/busybox (static) or the --rx program missing.

Examples:
  make linux-guest
  scripts/linux-guest.sh "$(scripts/sandbox-fetch.sh --print)" build/linux-guest
  scripts/linux-guest.sh --rx build/linux-guest/virqlab-rx "$(scripts/sandbox-fetch.sh --print)" build/linux-guest
USAGE
}

rx=
while [ $# -gt 0 ]; do
	case "$1" in
	--rx) [ $# -ge 2 ] || { echo "linux-guest: option '--rx' needs a value (see --help)" >&2; exit 2; }
		rx=$2; shift 2 ;;
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
[ -z "$rx" ] || [ -x "$rx" ] || { echo "linux-guest: --rx $rx: no such program" >&2; exit 3; }
case "$(ldd /bin/busybox 2>&1 || true)" in
*"not a dynamic"*) ;;
*) echo "linux-guest: /bin/busybox is missing or not static: install busybox-static" >&2; exit 3 ;;
esac

# virtio_net and what it needs, in the order insmod must load them
# (modinfo -F depends of each: virtio needs virtio_ring, virtio_pci both
# libraries and virtio, virtio_net net_failover; /init reads lib/modules/order).
modules="drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev
	drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci net/core/failover
	drivers/net/net_failover drivers/net/virtio_net"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out" "$tmp/deb" "$tmp/ir/bin" "$tmp/ir/proc" "$tmp/ir/sys" "$tmp/ir/dev"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/deb" --wildcards './boot/vmlinuz-*' \
	$(printf "./lib/modules/*/kernel/%s.ko " $modules)
kver=$(ls "$tmp/deb/boot" | sed -n 's/^vmlinuz-//p' | head -1)
[ -n "$kver" ] || { echo "linux-guest: no boot/vmlinuz-* in $deb" >&2; exit 3; }
cp "$tmp/deb/boot/vmlinuz-$kver" "$out/bzImage.tmp"
cp /bin/busybox "$tmp/ir/bin/busybox"
mkdir -p "$tmp/ir/lib/modules"
for m in $modules; do
	cp "$tmp/deb/lib/modules/$kver/kernel/$m.ko" "$tmp/ir/lib/modules/"
done
for m in $modules; do echo "${m##*/}"; done > "$tmp/ir/lib/modules/order"
[ -z "$rx" ] || cp "$rx" "$tmp/ir/bin/virqlab-rx"
cp "$root/scripts/linux-guest-init.sh" "$tmp/ir/init"
chmod 755 "$tmp/ir/init"
(cd "$tmp/ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initramfs.cpio.gz.tmp"
echo "$kver" > "$out/kernel-version"
# The package and its version, for a results folder's meta (guest_kernel_package).
printf '%s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" > "$out/kernel-package"
mv "$out/bzImage.tmp" "$out/bzImage"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
