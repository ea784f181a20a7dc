# SPDX-License-Identifier: GPL-2.0
# results.sh - a results directory's meta file (results/README.md): one
# "key<TAB>value" line per fact, read and written only through these.

# meta_get DIR KEY: the value, or nothing.
meta_get() {
	awk -F'\t' -v k="$2" '$1 == k { sub(/^[^\t]*\t/, ""); print; exit }' "$1/meta" 2>/dev/null
}

# meta_set DIR KEY VALUE: set KEY (replacing it in place, or appending).
meta_set() {
	_v=$(printf '%s' "$3" | tr '\t\n' '  ')
	touch "$1/meta"
	awk -F'\t' -v k="$2" -v v="$_v" '$1 == k { if (!done) print k "\t" v; done = 1; next }
		{ print } END { if (!done) print k "\t" v }' "$1/meta" > "$1/meta.new" &&
		mv "$1/meta.new" "$1/meta"
}

cpu_model() {
	grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'
}

# pkg_version NAME PKGCONFIG: a library's version, from dpkg or pkg-config.
pkg_version() {
	dpkg-query -W -f '${Version}' "$1" 2>/dev/null ||
		pkg-config --modversion "$2" 2>/dev/null || echo unknown
}

# git_dirty_of TREE: yes when TREE's tracked files have uncommitted changes.
git_dirty_of() {
	# Size and whole-second mtime only: inside the sandbox the checkout is a
	# 9p mount whose device and inode numbers differ from the index's, and a
	# full check re-reads every tracked file over 9p (25 s, against 3).
	if [ -n "$(git -C "$1" -c core.checkStat=minimal -c core.trustctime=false \
		status --porcelain --untracked-files=no 2>/dev/null)" ]; then echo yes; else echo no; fi
}

# meta_machine TREE FLAVOUR: the provenance lines a benchmark's meta opens
# with after its command: TREE's revision, this machine, the KVM flavour.
meta_machine() {
	printf 'git_rev\t%s\n' "$(git -C "$1" rev-parse HEAD 2>/dev/null || echo unknown)"
	printf 'git_dirty\t%s\n' "$(git_dirty_of "$1")"
	printf 'host\t%s\n' "$(uname -n)"
	printf 'host_kernel\t%s\n' "$(uname -r)"
	printf 'cpu\t%s\n' "$(cpu_model)"
	printf 'cpus_online\t%s\n' "$(nproc 2>/dev/null)"
	printf 'kvm_flavour\t%s\n' "$2"
}

# meta_init DIR WORKLOAD-NAME WORKLOAD-FILE COMMAND [TREE]: the provenance of
# a new run; git_rev and git_dirty are TREE's, the checkout whose programs
# the cells run (default: this one).
meta_init() {
	_rev=$(git -C "${5:-.}" rev-parse HEAD 2>/dev/null || echo unknown)
	_dirty=$(git_dirty_of "${5:-.}")
	_f=/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor
	{
		printf 'format\tvirqlab-results 1\n'
		printf 'workload\t%s\n' "$2"
		printf 'workload_file\t%s\n' "$3"
		printf 'workload_sha256\t%s\n' "$(sha256sum < "$3" | cut -d' ' -f1)"
		printf 'command\t%s\n' "$4"
		printf 'git_rev\t%s\n' "$_rev"
		printf 'git_dirty\t%s\n' "$_dirty"
		printf 'host\t%s\n' "$(uname -n)"
		printf 'host_kernel\t%s\n' "$(uname -r)"
		printf 'host_cmdline\t%s\n' "$(cat /proc/cmdline 2>/dev/null)"
		printf 'cpu\t%s\n' "$(cpu_model)"
		printf 'cpus_online\t%s\n' "$(nproc 2>/dev/null)"
		printf 'cpu_governor\t%s\n' "$(cat $_f 2>/dev/null || echo unreadable)"
		printf 'smt\t%s\n' "$(cat /sys/devices/system/cpu/smt/control 2>/dev/null || echo unreadable)"
		printf 'libbpf\t%s\n' "$(pkg_version libbpf1 libbpf)"
		printf 'liburing\t%s\n' "$(pkg_version liburing2 liburing)"
		printf 'gnuplot\t%s\n' "$(gnuplot --version 2>/dev/null || echo none)"
		printf 'compiler\t%s\n' "$(${CC:-cc} --version 2>/dev/null | head -1)"
		printf 'start\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} > "$1/meta"
}
