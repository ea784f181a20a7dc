# SPDX-License-Identifier: GPL-2.0
# The SVM sandbox's boot parts, built from Debian's kernel package (fetched
# by scripts/sandbox-fetch.sh, never installed) and busybox-static. Rebuilt
# only when an input changes. Included by the top-level Makefile.

SANDBOX_DIR := $(BUILD)/sandbox
SANDBOX_DEB = $(shell scripts/sandbox-fetch.sh --print)
SANDBOX_INPUTS := \
	scripts/mk-sandbox.sh \
	scripts/sandbox-init.sh

$(SANDBOX_DIR)/initramfs.cpio.gz: $(SANDBOX_INPUTS) $$(SANDBOX_DEB)
	$(quiet) GEN $@
	$(Q)scripts/mk-sandbox.sh $(SANDBOX_DEB) $(SANDBOX_DIR)

$(SANDBOX_DIR)/vmlinux: $(SANDBOX_DIR)/initramfs.cpio.gz

sandbox: $(SANDBOX_DIR)/vmlinux $(SANDBOX_DIR)/initramfs.cpio.gz

check-sandbox: deps all sandbox
	$(Q)scripts/check.sh --sandbox

.PHONY: sandbox check-sandbox
