#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mk-sandbox.sh DEB OUTDIR - build the SVM sandbox's boot parts from Debian's
# kernel package DEB (fetched by sandbox-fetch.sh, never installed): OUTDIR
# gets vmlinuz and initramfs.cpio.gz holding busybox-static, the init script
# and only the modules KVM and 9p need, in load order.

set -eu
usage() {
	cat <<'USAGE'
Usage: scripts/mk-sandbox.sh DEB OUTDIR
       scripts/mk-sandbox.sh --help | --version

Build the SVM sandbox's boot parts from Debian's kernel package DEB
(scripts/sandbox-fetch.sh fetches it; never installed): OUTDIR gets vmlinuz,
vmlinux and initramfs.cpio.gz (busybox-static, scripts/sandbox-init.sh as
/init, the KVM and 9p modules in load order). make runs it (scripts/sandbox.mk).

Options:
  -h, --help     this text
  --version      print "mk-sandbox.sh (virqlab) REVISION" and exit

Exit codes: 0 built; 2 usage error; 3 cannot build (busybox not static, a
module missing from DEB, no vmlinux in the bzImage).

Examples:
  scripts/mk-sandbox.sh "$(scripts/sandbox-fetch.sh --print)" build/sandbox
USAGE
}
die2() {
	echo "mk-sandbox: $*" >&2
	exit 2
}
case "${1:-}" in
--version) exec "$(dirname "$0")/lib/version.sh" mk-sandbox.sh ;;
-h|--help) usage; exit 0 ;;
-*) die2 "unknown option '$1' (see --help)" ;;
esac
[ $# -ge 2 ] || die2 "expected DEB and OUTDIR (see --help)"
[ $# -eq 2 ] || die2 "unexpected argument '$3' (see --help)"
deb=$1
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)

# Load order: each module after the ones it needs.
MODULES="
irqbypass
ccp
kvm
kvm-amd
virtio_ring
virtio
virtio_pci_modern_dev
virtio_pci_legacy_dev
virtio_pci
netfs
fscache
9pnet
9pnet_virtio
9p
"

[ -x /bin/busybox ] || { echo "mk-sandbox: /bin/busybox missing (busybox-static)" >&2; exit 3; }
file_ok=$(ldd /bin/busybox 2>&1 || true)
case "$file_ok" in
*"not a dynamic"*) ;;
*) echo "mk-sandbox: /bin/busybox is not static: install busybox-static" >&2; exit 3 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/deb"
kver=$(ls "$tmp/deb/lib/modules")
mkdir -p "$out" "$tmp/ir/bin" "$tmp/ir/lib/modules" "$tmp/ir/proc" "$tmp/ir/sys" "$tmp/ir/dev"
cp "$tmp/deb/boot/vmlinuz-$kver" "$out/vmlinuz.tmp"

# The bzImage decompresses itself at emulation speed (seconds under TCG).
# Debian builds with CONFIG_PVH, so QEMU can start the uncompressed ELF
# directly: take it out of the bzImage here, once, at native speed.
rm -f "$out/vmlinux"
for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$out/vmlinuz.tmp" | cut -d: -f1); do
	tail -c +$((off + 1)) "$out/vmlinuz.tmp" | xz -dc --single-stream > "$tmp/vmlinux" 2>/dev/null
	if [ "$(head -c 4 "$tmp/vmlinux" | od -An -c | tr -d ' ')" = "177ELF" ]; then
		mv "$tmp/vmlinux" "$out/vmlinux.tmp"
		break
	fi
done
[ -f "$out/vmlinux.tmp" ] || { echo "mk-sandbox: cannot extract vmlinux from the bzImage" >&2; exit 3; }
cp /bin/busybox "$tmp/ir/bin/busybox"
cp "$root/scripts/sandbox-init.sh" "$tmp/ir/init"
chmod 755 "$tmp/ir/init"
: > "$tmp/ir/modules.order"
for m in $MODULES; do
	f=$(find "$tmp/deb/lib/modules/$kver" -name "$m.ko" -o -name "$m.ko.xz" | head -1)
	[ -n "$f" ] || { echo "mk-sandbox: module $m not in $deb" >&2; exit 3; }
	case "$f" in
	*.xz) xz -dc "$f" > "$tmp/ir/lib/modules/$m.ko" ;;
	*) cp "$f" "$tmp/ir/lib/modules/$m.ko" ;;
	esac
	echo "$m" >> "$tmp/ir/modules.order"
done
echo "$kver" > "$tmp/ir/kernel-version"
(cd "$tmp/ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initramfs.cpio.gz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
mv "$out/vmlinux.tmp" "$out/vmlinux"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
