# SPDX-License-Identifier: GPL-2.0
# linux-clock.sh - did a Linux guest's clock stand still? In some sandbox
# sessions a nested guest's kvm-clock starts near the sandbox's uptime and
# then stops advancing (README, Known issues): the guest's timers fire
# minutes late, its exits per packet fall (no ticks) and its end stalls, so
# no figure of such a run may be kept. Linux says so on its console itself:
# RCU's grace-period kthread notices its timer did not fire
# (kernel/rcu/tree.c, rcu_check_gp_kthread_expired_fqs_timer: "kthread
# timer wakeup didn't happen"), RCU's stall detector and the soft-lockup
# watchdog (kernel/watchdog.c: "BUG: soft lockup") see the time leap.
# Sourced by run-experiment.sh (a Linux cell with it fails) and
# tests/kvm/linux-rx.t (a run with it runs once more, in a fresh sandbox);
# tests/host/linux-workload.t drives it.

# linux_clock_fault LOG...: print the first console line of LOG that shows
# the guest's clock stood still and return 0; return 1 if none does.
linux_clock_fault() {
	grep -hE "timer wakeup didn.t happen|BUG: soft lockup|rcu_(preempt|sched) detected stalls|rcu: INFO: .* self-detected stall" \
		"$@" 2>/dev/null | head -1 | grep .
}
