#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kvm-flavour.sh - print the KVM flavour this machine offers, one word:
# vmx, svm, pvm or none, with "-emulated" appended when the CPU itself is
# emulated (the SVM sandbox runs on QEMU's TCG). vmm-mini detects the same
# thing itself; this is for scripts and result metadata.

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
