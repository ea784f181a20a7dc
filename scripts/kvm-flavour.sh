#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kvm-flavour.sh - print the KVM flavour this machine offers, one word:
# vmx, svm, pvm or none, with "-emulated" appended when the CPU itself is
# emulated (the SVM sandbox runs on QEMU's TCG). vmm-mini detects the same
# thing itself; this is for scripts and result metadata.

usage() {
	cat <<'USAGE'
Usage: scripts/kvm-flavour.sh
       scripts/kvm-flavour.sh --help | --version

Print this machine's KVM flavour, one word: vmx, svm, pvm or none, with
"-emulated" appended when the CPU itself is emulated (the SVM sandbox).

Options:
  -h, --help     this text
  --version      print "kvm-flavour.sh (virqlab) REVISION" and exit

Exit codes: 0 printed (none included); 2 usage error.

Examples:
  scripts/kvm-flavour.sh
  meta_set "$dir" kvm_flavour "$(scripts/kvm-flavour.sh)"
USAGE
}
case "${1:-}" in
"") ;;
--version) exec "$(dirname "$0")/lib/version.sh" kvm-flavour.sh ;;
-h|--help) usage; exit 0 ;;
-*) echo "kvm-flavour: unknown option '$1' (see --help)" >&2; exit 2 ;;
*) echo "kvm-flavour: unexpected argument '$1' (see --help)" >&2; exit 2 ;;
esac

if [ ! -c /dev/kvm ]; then
	f=none
elif [ -d /sys/module/kvm_pvm ]; then
	f=pvm
elif [ -d /sys/module/kvm_intel ]; then
	f=vmx
elif [ -d /sys/module/kvm_amd ]; then
	f=svm
else
	f=none
fi
if [ "$f" != none ] && { [ -n "${VIRQLAB_IN_SANDBOX:-}" ] ||
	grep -q '^model name.*QEMU' /proc/cpuinfo 2>/dev/null; }; then
	f=$f-emulated
fi
echo "$f"
