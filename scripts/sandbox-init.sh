#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# sandbox-init.sh - /init of the SVM sandbox's initramfs. Loads KVM and 9p,
# mounts the host's root read-only and the checkout writable at the same
# path (anywhere, /tmp included), runs the command that scripts/sandbox.sh
# left in its run directory inside a chroot of the host, records the exit
# status there, powers off. Run by the kernel as /init, never by a user:
# virqlab-cli: internal (the initramfs /init; tests/host/cli-convention.t)
# Any failure of the sandbox itself is written to run/reason (sandbox.sh
# reports it and exits 3).

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
stty -F /dev/console -onlcr 2>/dev/null

for opt in $(cat /proc/cmdline); do
	case "$opt" in
	virqlab.checkout=*) checkout=${opt#virqlab.checkout=} ;;
	virqlab.run=*) run=${opt#virqlab.run=} ;;
	virqlab.kvm_amd=*) kvm_amd_params=$(echo "${opt#virqlab.kvm_amd=}" | tr , " ") ;;
	esac
done

fail() {
	echo "sandbox: $*" > /dev/console
	[ -n "${run:-}" ] && [ -d "/host$run" ] && echo "$*" > "/host$run/reason"
	poweroff -f
	sleep 10
}

for m in $(cat /modules.order); do
	params=
	[ "$m" = kvm-amd ] && params=${kvm_amd_params:-}
	# shellcheck disable=SC2086
	insmod "/lib/modules/$m.ko" $params 2>/dev/null || fail "module $m failed to load"
done

mkdir -p /host
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro,cache=loose hostroot /host ||
	fail "9p: cannot mount the host root (virtio-9p missing?)"
mount -t devtmpfs dev /host/dev
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t tmpfs tmp /host/tmp
mount -t tmpfs run /host/run 2>/dev/null
mount -t tracefs nodev /host/sys/kernel/tracing 2>/dev/null
mount -t debugfs nodev /host/sys/kernel/debug 2>/dev/null
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts devpts /host/dev/pts 2>/dev/null
mount -t tmpfs shm /host/dev/shm 2>/dev/null
# The checkout last, over the sandbox's own /tmp and /run: a checkout under
# either (issue 14, item 7) is hidden by them otherwise. There its mount point
# is made in the fresh tmpfs; elsewhere it exists on the read-only host root.
[ -d "/host$checkout" ] || mkdir -p "/host$checkout" ||
	fail "cannot make the checkout's mount point $checkout"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none checkout "/host$checkout" ||
	fail "9p: cannot mount the checkout $checkout"
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

[ -c /dev/kvm ] || fail "/dev/kvm did not appear after loading kvm-amd (no SVM in the emulated CPU?)"
[ -f "/host$run/cmd" ] || fail "no command in $run"

# The heartbeat: sandbox.sh takes a sandbox whose heartbeat stops for its
# own freeze (the emulated machine stops running; see sandbox.sh), and then
# writes to the second serial port: held open here, so that its receive
# interrupt is enabled.
cat /dev/ttyS1 > /dev/null 2>&1 &
( n=0; while :; do n=$((n + 1)); echo "$n" 2>/dev/null > "/host$run/heartbeat"; sleep 2; done ) &
hb=$!

chroot /host /bin/sh "$run/cmd" < /dev/null > /dev/console 2>&1
rc=$?
kill "$hb" 2>/dev/null
echo "$rc" > "/host$run/rc"
sync
poweroff -f
