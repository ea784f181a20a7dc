# SPDX-License-Identifier: GPL-2.0
# irqs-agree.sh - a Linux guest's receive interrupts counted twice: by the
# guest (guest_irqs: /proc/interrupts of virtio0-input.*, reported by
# guest-kernel-patch/linux/virqlab-rx.c) and by the device (irqs_raised:
# the MSI-X messages vmm-mini signalled), plus KVM's own count where it
# counts every one. Sourced by run-experiment.sh, whose cell verdict fails a
# Linux cell whose counts disagree; tests/host/linux-workload.t drives it.

# irqs_disagree STATS: print why STATS's (a --stats file) counts disagree and
# return 0; return 1 when they agree.
#
# The guest may count fewer than the device raised, never more: an MSI that
# arrives while its vector is still pending in the IRR merges with it (SDM
# Vol. 3A 11.8.4, "Interrupt Acceptance for Fixed Interrupts"), and a
# merge needs two messages within one interrupt's latency. 90 % is the
# bound tests/kvm/linux-rx.t holds at low rates. KVM's irq_injections
# (kvm_irq_injections, Documentation/virt/kvm/api.rst "KVM_GET_STATS_FD")
# counts every interrupt injected through the event-injection field,
# timer included, so it bounds the guest's count from above; only where no
# interrupt bypasses it: on the sandbox's emulated SVM (no AVIC). With
# APICv or AVIC posted interrupts skip it and it says nothing.
irqs_disagree() {
	awk -F'\t' '
	NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
	NR == 2 {
		gi = $c["guest_irqs"]; dev = $c["irqs_raised"]; kvm = $c["kvm_irq_injections"]
		fl = ("flavour" in c) ? $c["flavour"] : ""
		if (!("guest_irqs" in c) || gi !~ /^[0-9]+$/ || dev !~ /^[0-9]+$/) {
			print "interrupts: no guest_irqs or irqs_raised in the stats row"; found = 1; exit
		}
		if (gi + 0 > dev + 0) {
			printf "interrupts disagree: the guest counted %d (/proc/interrupts), more than the %d the device raised\n", gi, dev
			found = 1; exit
		}
		if (gi * 10 < dev * 9) {
			printf "interrupts disagree: the guest counted %d (/proc/interrupts), under 90%% of the %d the device raised\n", gi, dev
			found = 1; exit
		}
		if (fl ~ /-emulated$/ && kvm ~ /^[0-9]+$/ && kvm + 0 < gi + 0) {
			printf "interrupts disagree: KVM injected %d, fewer than the %d the guest counted\n", kvm, gi
			found = 1; exit
		}
	}
	END { if (NR < 2) { print "interrupts: no stats row"; found = 1 } exit !found }' "$1"
}
