// SPDX-License-Identifier: GPL-2.0
/*
 * virqstat - count KVM interrupts and exits for one VMM process from the host
 * kernel's tracepoints, time packet delivery through vmm-mini's USDT probes,
 * and write what it saw as a table and a tab-separated file.
 *
 * Attaches to a running process (-p PID) or starts one (-- CMD ARGS...): the
 * command is forked, held until every probe is attached, then exec'd, so
 * nothing it does escapes the counts. Ctrl-C stops cleanly; with -- CMD the
 * command gets the signal too, and virqstat waits for it to finish and write
 * its own results before writing its own.
 *
 * Exit: with -- CMD, CMD's status (128+N if killed by signal N); otherwise 0,
 * or 130 when interrupted. 2 bad usage or a command that cannot run; 3 a
 * failure of virqstat itself; 4 no BPF here (privileges, kernel support).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "virqstat.skel.h"
#include "virqstat_out.h"
#include "virqlab_cli.h"

const char *prog_name = "virqstat";

#define EXIT_USAGE	2
#define EXIT_INTERNAL	3
#define EXIT_NO_BPF	4
#define EXIT_SIGINT	130

/* Long options without a short form. */
enum { OPT_NO_TP = 256, OPT_NO_USDT, OPT_BPF_STATS, OPT_VERSION, OPT_STATS };

static const char usage_text[] =
"USAGE: virqstat [-i SECS] [--stats FILE] [-q] [-v] [--no-tracepoints] [--no-usdt]\n"
"                (-p PID | -- CMD [ARGS...])\n"
"\n"
"Count KVM's interrupt and exit tracepoints (kvm_msi_set_irq, kvm_apic_accept_irq,\n"
"kvm_inj_virq, kvm_exit by reason, kvm_userspace_exit by reason, ...) for one\n"
"process, and time packet delivery through vmm-mini's USDT probes.\n"
"\n"
"  -p, --pid PID        trace a running process until it exits or Ctrl-C\n"
"  -i, --interval SECS  print a row of counts every SECS seconds (stderr)\n"
"      --stats FILE     write totals and histograms, tab-separated, '#' header\n"
"  -q, --quiet          no table at the end\n"
"  -v, --verbose        libbpf's messages\n"
"      --no-tracepoints leave the KVM tracepoints alone (reported off)\n"
"      --no-usdt        leave vmm-mini's USDT probes alone; with both, nothing is\n"
"                       attached: what the wrapper alone costs\n"
"      --bpf-stats      enable the kernel's BPF run-time statistics while tracing\n"
"                       and report each program's runs and nanoseconds\n"
"      --version        print \"virqstat (virqlab) REVISION\" and exit\n"
"  -h, --help           this text\n"
"\n"
"Each tracepoint is reported live (fired), idle (attached, never fired for\n"
"the process), absent (not in this kernel) or off (--no-tracepoints). Needs\n"
"root (or CAP_BPF and CAP_PERFMON); without BPF it says why in one line and\n"
"exits 4.\n"
"\n"
"EXAMPLES:\n"
"  virqstat -- build/vmm-mini --source udp:127.0.0.1:9000 --mode mask-direct --count 20000\n"
"  virqstat -i 1 --stats probes.tsv -p $(pidof vmm-mini)\n"
"  perf stat -e 'kvm:*' -- virqstat --stats probes.tsv -- build/vmm-mini --test msi\n"
"\n"
"Exit: CMD's status with -- CMD; else 0, 130 if interrupted; 2 bad usage;\n"
"3 internal failure; 4 no BPF here.\n";

static volatile sig_atomic_t interrupted;
static bool verbose;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Without -v, failures reach the user as our own one-line errors. */
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* tracefs, mounted if nobody has (the brief's machines sometimes lack it). */
static const char *tracefs(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	struct stat st;

	for (int i = 0; i < 2; i++) {
		char p[64];

		snprintf(p, sizeof(p), "%s/events", dirs[i]);
		if (!stat(p, &st))
			return dirs[i];
	}
	if (!mount("nodev", dirs[0], "tracefs", 0, NULL))
		return dirs[0];
	if (errno == EPERM || errno == EACCES)
		die_code(EXIT_NO_BPF, "no access to tracefs at %s: %s (needs root, or CAP_BPF and "
		     "CAP_PERFMON)", dirs[0], strerror(errno));
	return NULL;
}

/* Offset and size of FIELD in a tracepoint's format file; false if absent. */
static bool format_field(const char *fmt_path, const char *field, int *off, unsigned int *size)
{
	FILE *f = fopen(fmt_path, "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *decl = strstr(line, "field:"), *semi, *name;
		int o;
		unsigned int s;

		if (!decl || !(semi = strchr(decl, ';')))
			continue;
		*semi = '\0';
		name = strrchr(decl, ' ');
		name = name ? name + 1 : decl + 6;
		if (strchr(name, '['))
			continue;
		if (strcmp(name, field) || sscanf(semi + 1, " offset:%d; size:%u;", &o, &s) != 2)
			continue;
		*off = o;
		*size = s;
		found = true;
	}
	fclose(f);
	return found;
}

static void set_keys(struct virqstat_bpf *skel, const char *tfs)
{
	for (int tp = 0; tp < NR_TPS; tp++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/events/kvm/%s/format", tfs, tp_names[tp]);
		for (int k = 0; k < NR_KEY_FIELDS; k++) {
			int off;
			unsigned int size;

			if (!key_fields[tp][k] || !format_field(path, key_fields[tp][k], &off, &size))
				continue;
			if (size > 8 || off < 0 || off + size > TP_RECORD_MAX)
				continue;
			skel->rodata->key_off[tp][k] = off;
			skel->rodata->key_size[tp][k] = size;
		}
	}
}

static void attach_tracepoints(struct virqstat_bpf *skel, const char *tfs, struct run_info *ri)
{
	for (int tp = 0; tp < NR_TPS; tp++) {
		LIBBPF_OPTS(bpf_tracepoint_opts, opts, .bpf_cookie = tp);
		struct bpf_program *prog = tp == TP_KVM_ENTRY ? skel->progs.on_kvm_entry :
								skel->progs.on_kvm_tp;
		char path[PATH_MAX];
		struct stat st;

		snprintf(path, sizeof(path), "%s/events/kvm/%s", tfs, tp_names[tp]);
		if (stat(path, &st)) {
			ri->tp[tp] = TP_ABSENT;
			continue;
		}
		if (bpf_program__attach_tracepoint_opts(prog, "kvm", tp_names[tp], &opts)) {
			ri->tp[tp] = TP_ATTACHED;
		} else {
			ri->tp[tp] = TP_FAILED;
			if (errno == EPERM || errno == EACCES)
				die_code(EXIT_NO_BPF, "cannot attach to kvm:%s: %s (needs root or "
				     "CAP_PERFMON)", tp_names[tp], strerror(errno));
			pr_err("kvm:%s exists but did not attach: %s",
				tp_names[tp], strerror(errno));
		}
	}
}

/*
 * USDT on the executable itself, for any process (pid -1): the BPF side
 * filters by process, and a command not yet exec'd has no mapping of it.
 */
static void attach_usdt(struct virqstat_bpf *skel, const char *binary, struct run_info *ri)
{
	const struct {
		const char *name;
		struct bpf_program *prog;
	} probes[] = {
		{ "run_start", skel->progs.on_run_start },
		{ "run_stop", skel->progs.on_run_stop },
		{ "rx_batch", skel->progs.on_rx_batch },
		{ "irq_raise", skel->progs.on_irq_raise },
		{ "lat_batch", skel->progs.on_lat_batch },
	};

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (!bpf_program__attach_usdt(probes[i].prog, -1, binary, "virqlab", probes[i].name,
					      NULL)) {
			snprintf(ri->usdt_why, sizeof(ri->usdt_why),
				 "no virqlab:%s probe in %s (%s)", probes[i].name, binary,
				 strerror(errno));
			return;
		}
	}
	ri->usdt = true;
}

/* CMD's path as execvp would find it. */
static const char *resolve_command(const char *cmd, char *out)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(cmd, '/'))
		return realpath(cmd, out);
	for (const char *p = path ? path : "/usr/bin:/bin"; *p; ) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, cmd);
		if (!access(buf, X_OK))
			return realpath(buf, out);
		p += n + (p[n] == ':');
	}
	return NULL;
}

struct child {
	pid_t pid;
	int go_fd;		/* write a byte: exec now */
	int err_fd;		/* exec's errno arrives here, or EOF on success */
};

static void spawn(struct child *c, char **argv)
{
	int go[2], err[2];

	if (pipe(go) || pipe2(err, O_CLOEXEC))
		die_code(EXIT_INTERNAL, "pipe: %s", strerror(errno));
	c->pid = fork();
	if (c->pid < 0)
		die_code(EXIT_INTERNAL, "fork: %s", strerror(errno));
	if (c->pid == 0) {
		char byte;
		int e;

		close(go[1]);
		close(err[0]);
		/* EOF instead of a byte: virqstat gave up; don't run untraced. */
		if (read(go[0], &byte, 1) != 1)
			_exit(EXIT_INTERNAL);
		close(go[0]);
		/*
		 * virqstat forwards Ctrl-C to the command; a SIGINT ignored since a
		 * background start (sh's `&`) would make that a no-op.
		 */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(argv[0], argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) != sizeof(e))
			_exit(EXIT_USAGE);
		_exit(EXIT_USAGE);
	}
	close(go[0]);
	close(err[1]);
	c->go_fd = go[1];
	c->err_fd = err[0];
}

static void release(struct child *c, const char *cmd)
{
	int e;

	if (write(c->go_fd, "x", 1) != 1)
		die_code(EXIT_INTERNAL, "cannot start %s: %s", cmd, strerror(errno));
	close(c->go_fd);
	if (read(c->err_fd, &e, sizeof(e)) == sizeof(e)) {
		waitpid(c->pid, NULL, 0);
		die_usage("cannot run '%s': %s", cmd, strerror(e));
	}
	close(c->err_fd);
}

/*
 * What the programs cost in the kernel, as it measured them (BPF_ENABLE_STATS):
 * the cost of tracing we can see from inside, short of the traps that reach
 * a program (a uprobe's int3 and single-step are outside run_time_ns).
 */
static void prog_costs(struct virqstat_bpf *skel, struct run_info *ri)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		struct prog_cost *pc;

		if (ri->nprogs == MAX_PROGS)
			break;
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		pc = &ri->prog[ri->nprogs++];
		snprintf(pc->name, sizeof(pc->name), "%s", bpf_program__name(prog));
		pc->runs = info.run_cnt;
		pc->run_ns = info.run_time_ns;
	}
}

static bool alive(pid_t pid, bool is_child, int *status)
{
	if (is_child)
		return waitpid(pid, status, WNOHANG) == 0;
	return kill(pid, 0) == 0 || errno != ESRCH;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "stats", required_argument, NULL, OPT_STATS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "no-tracepoints", no_argument, NULL, OPT_NO_TP },
		{ "no-usdt", no_argument, NULL, OPT_NO_USDT },
		{ "bpf-stats", no_argument, NULL, OPT_BPF_STATS },
		{ "version", no_argument, NULL, OPT_VERSION },
		{}
	};
	static struct run_info ri;
	struct virqstat_bpf *skel;
	struct child child = { .pid = 0 };
	struct totals prev = { { 0 } }, now;
	const char *out = NULL, *tfs;
	char binary[PATH_MAX], *end;
	double interval = 0;
	uint64_t next_row = 0;
	bool quiet = false, have_cmd, header = true;
	bool want_tp = true, want_usdt = true, bpf_stats = false;
	int stats_fd = -1;
	int opt, status = 0, code = 0, err;
	pid_t pid = 0;

	/* Usage errors are one line, ours: getopt's own would make it two. */
	opterr = 0;
	while ((opt = cli_getopt(argc, argv, "+p:i:qvh", longopts)) != -1) {
		switch (opt) {
		case 'p':
			pid = strtol(optarg, &end, 10);
			if (*end || pid <= 0)
				die_usage("-p '%s': expected a process id", optarg);
			break;
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || !(interval > 0))
				die_usage("-i '%s': expected seconds > 0", optarg);
			break;
		case OPT_STATS: out = optarg; break;
		case 'q': quiet = true; break;
		case 'v': verbose = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case OPT_NO_TP: want_tp = false; break;
		case OPT_NO_USDT: want_usdt = false; break;
		case OPT_BPF_STATS: bpf_stats = true; break;
		case OPT_VERSION: cli_version("virqstat");
		default: die_usage("bad option or missing value: '%s' (see --help)",
			      argv[optind - 1]);
		}
	}
	have_cmd = optind < argc;
	if (have_cmd && pid)
		die_usage("unexpected argument '%s': -p PID traces a process, -- CMD starts one"
			  " (see --help)", argv[optind]);
	if (have_cmd == (pid != 0))
		die_usage("give either -p PID or -- CMD [ARGS...] (see --help)");
	if (pid && kill(pid, 0) && errno == ESRCH)
		die_usage("-p %d: no such process", pid);
	if (have_cmd && !resolve_command(argv[optind], binary))
		die_usage("cannot run '%s': command not found", argv[optind]);
	if (pid) {
		char exe[64];
		ssize_t n;

		snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
		n = readlink(exe, binary, sizeof(binary) - 1);
		if (n < 0)
			die_usage("-p %d: cannot read %s: %s", pid, exe, strerror(errno));
		binary[n] = '\0';
	}
	if (out) {
		FILE *f = fopen(out, "a");	/* fail now, not after the run */

		if (!f)
			die_usage("--stats %s: %s", out, strerror(errno));
		fclose(f);
	}

	libbpf_set_print(libbpf_print);
	tfs = tracefs();
	if (!tfs)
		die_code(EXIT_NO_BPF, "no tracefs at /sys/kernel/tracing and cannot mount it (needs root)");
	if (have_cmd)
		spawn(&child, &argv[optind]);
	ri.pid = have_cmd ? child.pid : pid;
	ri.comm = binary;
	for (int i = have_cmd ? optind : 0; have_cmd && i < argc; i++) {
		size_t l = strlen(ri.cmdline);

		snprintf(ri.cmdline + l, sizeof(ri.cmdline) - l, "%s%s", l ? " " : "", argv[i]);
	}

	skel = virqstat_bpf__open();
	if (!skel)
		die_code(EXIT_NO_BPF, "cannot open the BPF object: %s", strerror(errno));
	skel->rodata->target_tgid = ri.pid;
	set_keys(skel, tfs);
	err = virqstat_bpf__load(skel);
	if (err) {
		if (have_cmd)
			kill(child.pid, SIGKILL);
		if (geteuid() == 0 && (err == -EACCES || err == -EINVAL))
			die_code(EXIT_NO_BPF, "this kernel's verifier rejected the BPF programs: %s "
			     "(-v shows its log)", strerror(-err));
		die_code(EXIT_NO_BPF, "cannot load BPF programs: %s%s", strerror(-err),
		     err == -EPERM || err == -EACCES ?
		     " (needs root, or CAP_BPF and CAP_PERFMON)" : "");
	}
	if (bpf_stats) {
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0)
			die_code(EXIT_NO_BPF, "--bpf-stats: cannot enable BPF run-time statistics: %s",
			     strerror(-stats_fd));
	}
	if (want_tp)
		attach_tracepoints(skel, tfs, &ri);
	else
		for (int tp = 0; tp < NR_TPS; tp++)
			ri.tp[tp] = TP_OFF;
	if (want_usdt)
		attach_usdt(skel, binary, &ri);
	else
		snprintf(ri.usdt_why, sizeof(ri.usdt_why), "off (--no-usdt)");
	if (!ri.usdt && verbose)
		pr_err("%s", ri.usdt_why);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ri.start_ns = mono_ns();
	if (have_cmd)
		release(&child, argv[optind]);
	if (interval > 0)
		next_row = ri.start_ns + interval * 1e9;

	for (;;) {
		struct timespec tick = { 0, 20 * 1000000 };

		if (!alive(ri.pid, have_cmd, &status))
			break;
		if (interrupted && !ri.interrupted) {
			ri.interrupted = true;
			if (!have_cmd)
				break;
			/* Let the command end its run and write its own results. */
			kill(child.pid, SIGINT);
		}
		nanosleep(&tick, NULL);
		if (interval > 0 && mono_ns() >= next_row) {
			totals_read(skel, &now);
			interval_print(stderr, &now, &prev, interval, header);
			header = false;
			prev = now;
			next_row += interval * 1e9;
		}
	}
	ri.end_ns = mono_ns();
	if (bpf_stats)
		prog_costs(skel, &ri);
	if (have_cmd) {
		if (WIFEXITED(status))
			code = WEXITSTATUS(status);
		else if (WIFSIGNALED(status))
			code = 128 + WTERMSIG(status);
	} else if (ri.interrupted) {
		code = EXIT_SIGINT;
	}

	if (!quiet)
		table_print(stdout, skel, &ri);
	if (out && tsv_write(out, skel, &ri)) {
		pr_err("--stats %s: %s", out, strerror(errno));
		if (!code)
			code = EXIT_INTERNAL;
	}
	if (stats_fd >= 0)
		close(stats_fd);
	virqstat_bpf__destroy(skel);
	return code;
}
