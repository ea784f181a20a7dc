#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# virqlab-cli: internal (the Linux guest's initramfs /init; never run it on a host)
#
# linux-guest-init.sh - /init of the Linux guest's initramfs
# (scripts/linux-guest.sh): reach user space, say so on the console in one
# marker line that tests and benchmarks wait for, and end the machine.
# The kernel's uptime in the marker is guest time since its clock started
# (after decompression); hosts time the whole boot themselves.
#
# It ends with `reboot -f`, not `poweroff -f`: vmm-mini gives Linux no ACPI
# (acpi=off), and without ACPI Linux cannot power off (kernel/reboot.c turns
# POWER_OFF into HALT, a hlt loop with interrupts off that no VMM sees);
# reboot=k resets through the i8042, which ends vmm-mini with exit 0, and
# QEMU -no-reboot exits on it the same way.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
read -r up _ < /proc/uptime
echo "virqlab-linux-guest: init reached: kernel $(uname -r) uptime ${up}s"
# The marker went out through the tty layer, interrupt-driven (printk polls).
grep ttyS /proc/interrupts
# virqlab.rx=1 on the command line (vmm-mini --kernel --source): bring up
# virtio_net with a fixed address and run the receiver until the link goes
# down (the end of vmm-mini's run; with virqlab.windows=K, of its K-th
# window). The frames vmm-mini writes are
# 52:54:00:76:71:02 / 10.0.2.2 -> 52:54:00:76:71:01 / 10.0.2.15, UDP port 9
# (vmm-mini/virtio_net.c); the MAC is the device's (VIRTIO_NET_F_MAC).
case " $(cat /proc/cmdline) " in
*" virqlab.rx=1 "*)
	while read -r m; do
		insmod "/lib/modules/$m.ko" || echo "virqlab-linux-guest: insmod $m failed"
	done < /lib/modules/order
	ip link set lo up
	ip addr add 10.0.2.15/24 dev eth0
	ip link set eth0 up
	ip link show eth0
	ip addr show eth0
	# virqlab.windows=K (vmm-mini --windows K): K receive windows in this boot.
	windows=1
	for w in $(cat /proc/cmdline); do
		case "$w" in virqlab.windows=*) windows=${w#virqlab.windows=} ;; esac
	done
	/bin/virqlab-rx 9 "$windows" || echo "virqlab-linux-guest: virqlab-rx failed"
	grep -E 'virtio|CPU' /proc/interrupts
	;;
esac
reboot -f
