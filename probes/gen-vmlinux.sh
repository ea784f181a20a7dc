#!/bin/sh
# Regenerate probes/vmlinux.h from the running kernel's BTF (CO-RE: one header serves every kernel).
exec bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$(dirname "$0")/vmlinux.h"
