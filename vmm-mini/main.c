// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - vmm-mini's command line: validate everything that can be
 * validated before /dev/kvm is opened, build the VM, run the vCPUs, and map
 * the guest's verdict onto the exit-code contract.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/costs.h"
#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/linux_boot.h"
#include "vmm/timeline.h"
#include "vmm/rx_source.h"
#include "vmm/rx_stats.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"
#include "virqlab_cli.h"

const char *prog_name = "vmm-mini";

static const char usage_head[] =
"Usage: vmm-mini [OPTIONS]\n"
"Boot the virqlab guest kernel under KVM and run one of its self-tests.\n"
"\n"
"Options:\n"
"  --guest FILE      guest kernel ELF (default: guest.elf beside this binary)\n"
"  --test NAME       guest self-test to run (default: hello); 'costs' prints\n"
"                    the primitive-cost table\n"
"  --mode MODE       receive mode, one of the table below (default: inject);\n"
"                    the device's mode, and passed to the guest\n"
"  --args 'K=V ...'  extra guest arguments, e.g. 'count=1000 samples=500'\n"
"  --vcpus N         number of vCPUs, 1..64 (default: 1)\n"
"  --queues Q        receive queues, 1..16 and at most --vcpus (default: 1): flows\n"
"                    spread by the Toeplitz hash of their UDP 4-tuple, queue q's\n"
"                    interrupt on vCPU q; modes inject, coalesce, mask-direct\n"
"                    and mask-poll\n"
"  --mem MiB         guest RAM in MiB, even, 4..3072 (default: 64)\n"
"  --console FILE    write guest console output to FILE instead of stdout\n"
"  --timeout S       stop after S seconds (exit 124); 0 = none (default: 0)\n"
"\nLinux guest (Documentation/arch/x86/boot.rst, 64-bit entry; an MP table, a\n"
"16550A on COM1 as its console, the i8042 reset line ends the run):\n"
"  --kernel FILE     boot this bzImage instead of the virqlab guest\n"
"  --initrd FILE     its initramfs, placed at the top of RAM\n"
"  --append CMDLINE  its command line; default, for vmm-mini's devices:\n"
"                    '" LINUX_APPEND_1 "\n"
"                    " LINUX_APPEND_2 "'\n"
"                    and with --source (--mode virtio) " LINUX_APPEND_RX ":\n"
"                    its virtio_net receives into a UDP socket that the\n"
"                    initramfs's virqlab-rx reads, checks and reports\n"
"  --windows K       with --kernel --source --count N: one boot, then K receive\n"
"                    windows one after another, each of N packets (one udpgen\n"
"                    run each) accounted for as a run of its own: before each,\n"
"                    'virqnet: ready, window I of K,'; after it, 'virqnet:\n"
"                    window I of K done'; its files are FILE.I of --stats,\n"
"                    --latency-log and --sender-stats (virqlab.windows=K is\n"
"                    added to the guest's command line)\n"
"  --boot-timeline FILE  host timestamps of the boot's steps (VM created, image\n"
"                    loaded, first vCPU entry, each console line's first byte,\n"
"                    the verdict), one TSV row each (scripts/bench-linux-boot.sh)\n"
"\nReceive path (see README.md, \"The receive path: inject versus mask-direct\"):\n"
"  --source udp:ADDR:PORT  receive real UDP datagrams there into the guest's\n"
"                    virqnet device (io_uring, kernel timestamps); runs the\n"
"                    guest's rx test (sink: no guest consumer)\n"
"  --count N         stop once N packets are accounted for (= udpgen --count)\n"
"  --duration S      or stop after S seconds of receiving\n"
"  --idle S          with --count: give up on missing tail packets after S\n"
"                    seconds without arrivals (default: 2)\n"
"  --coalesce-us N   coalesce only: one interrupt for the arrivals of N us\n"
"                    (1..1000000) from the first, or at once when a quarter\n"
"                    of the ring waits (default: 100)\n"
"  --poll-us N       mask-poll and adaptive: the guest consumer polls the ring\n"
"                    N us (1..1000000), still masked, before it sleeps\n"
"                    (default: 1000; the guest's poll_us=N)\n"
"  --adaptive-up-pps N    adaptive: poll once the measured arrival rate is\n"
"                    N pps or more (default: 10000)\n"
"  --adaptive-down-pps N  adaptive: stop polling at N pps or less (below the\n"
"                    up rate: the hysteresis; default: half of it)\n"
"  --rx-cpu N        pin the receive thread (the device) to host CPU N\n"
"  --vcpu-cpu N      pin every vCPU thread to host CPU N (with --rx-cpu M,\n"
"                    M != N: device and guest on two real cores in parallel)\n"
"  --sender-stats FILE  udpgen --stats FILE of the generator feeding --source:\n"
"                    sent is what it sent, and never-arrived must equal the\n"
"                    socket's own drop count (else accounting MISMATCH)\n"
"  --accept-foreign  deliver datagrams without virqlab's payload header too\n"
"                    (a stock generator's: sockperf, iperf3 -u), counted and\n"
"                    timed apart (the foreign_* columns), never judged for\n"
"                    order or integrity; end such a run with --duration\n"
"  --rcvbuf BYTES    the socket's SO_RCVBUF, 256..1073741824 (default 8 MiB)\n"
"  --stats FILE      write the run's statistics: one # header line, one row;\n"
"                    with --test costs, the cost table as TSV (and every raw\n"
"                    sample to FILE.samples)\n"
"  --latency-log FILE  write every latency sample (ns, host kernel receive to\n"
"                    guest consumer), one per line in consumption order\n"
"  --list-tests      print the guest image's self-test names, one a line\n"
"  --version         print \"vmm-mini (virqlab) REVISION\" and exit\n"
"  -h, --help        show this help\n";

static const char usage_tail[] =
"\n"
"Exit codes:\n"
"  0    guest finished OK\n"
"  1    guest reported failure (assert, exception, bad request)\n"
"  2    usage or configuration error (bad flag, value or guest image)\n"
"  3    host/KVM error: no /dev/kvm, an ioctl failed (named with errno), or an\n"
"       unexpected exit (triple fault, internal error, unclaimed port/MMIO),\n"
"       reported with a register dump and the guest RIP\n"
"  4    the guest skipped the test (reason printed)\n"
"  124  --timeout expired\n"
"  130  interrupted (SIGINT/SIGTERM)\n"
"\n"
"Examples:\n"
"  vmm-mini --test hello\n"
"  vmm-mini --test timer --timeout 30\n"
"  vmm-mini --test smp --vcpus 2\n"
"  vmm-mini --test irq-storm --args count=10000 --console storm.log\n"
"  vmm-mini --test costs --args samples=1000 --stats costs.tsv\n"
"  vmm-mini --kernel bzImage --initrd initramfs.cpio.gz --mem 256 --timeout 600\n"
"  vmm-mini --kernel bzImage --initrd initramfs.cpio.gz --mem 256 --mode virtio \\\n"
"           --source udp:127.0.0.1:9000 --count 2000 --windows 2 --stats w.tsv \\\n"
"           --sender-stats gen.tsv --timeout 300 &   # then, at 'window 1 of 2,':\n"
"  udpgen --to 127.0.0.1:9000 --rate 1000 --count 2000 --stats gen.tsv.1\n"
"  udpgen --to 127.0.0.1:9000 --rate 4000 --count 2000 --stats gen.tsv.2  # at 'window 2'\n"
"  vmm-mini --source udp:127.0.0.1:9000 --mode mask-direct --count 200000 \\\n"
"           --stats run.tsv --timeout 120 &\n"
"  udpgen --to 127.0.0.1:9000 --rate 50000 --count 200000\n"
"  vmm-mini --source udp:127.0.0.1:9000 --mode coalesce --coalesce-us 200 \\\n"
"           --count 200000 --stats coalesced.tsv --timeout 120 &\n"
"  vmm-mini --source udp:127.0.0.1:9000 --mode mask-direct --accept-foreign \\\n"
"           --duration 10 --stats foreign.tsv --timeout 120 &\n"
"  sockperf throughput -i 127.0.0.1 -p 9000 --msg-size 64 --mps 1000 -t 5\n"
"  vmm-mini --source udp:127.0.0.1:9000 --mode mask-direct --vcpus 2 --queues 2 \\\n"
"           --count 200000 --stats two-queues.tsv --timeout 120 &\n"
"  udpgen --to 127.0.0.1:9000 --rate 50000 --count 200000 --flows 16 --sport 40000\n";

enum {
	OPT_GUEST = 0x100, OPT_TEST, OPT_MODE, OPT_ARGS, OPT_VCPUS, OPT_MEM, OPT_CONSOLE,
	OPT_TIMEOUT, OPT_SOURCE, OPT_COUNT, OPT_DURATION, OPT_IDLE, OPT_STATS,
	OPT_LATENCY_LOG, OPT_COALESCE_US, OPT_RX_CPU, OPT_VCPU_CPU, OPT_SENDER_STATS, OPT_RCVBUF,
	OPT_VERSION, OPT_LIST_TESTS, OPT_POLL_US, OPT_ADAPTIVE_UP, OPT_ADAPTIVE_DOWN,
	OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_ACCEPT_FOREIGN, OPT_QUEUES, OPT_BOOT_TIMELINE,
	OPT_WINDOWS,
};

static const struct option long_opts[] = {
	{ "guest", required_argument, NULL, OPT_GUEST },
	{ "test", required_argument, NULL, OPT_TEST },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "args", required_argument, NULL, OPT_ARGS },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "idle", required_argument, NULL, OPT_IDLE },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "latency-log", required_argument, NULL, OPT_LATENCY_LOG },
	{ "coalesce-us", required_argument, NULL, OPT_COALESCE_US },
	{ "poll-us", required_argument, NULL, OPT_POLL_US },
	{ "adaptive-up-pps", required_argument, NULL, OPT_ADAPTIVE_UP },
	{ "adaptive-down-pps", required_argument, NULL, OPT_ADAPTIVE_DOWN },
	{ "rx-cpu", required_argument, NULL, OPT_RX_CPU },
	{ "vcpu-cpu", required_argument, NULL, OPT_VCPU_CPU },
	{ "sender-stats", required_argument, NULL, OPT_SENDER_STATS },
	{ "rcvbuf", required_argument, NULL, OPT_RCVBUF },
	{ "accept-foreign", no_argument, NULL, OPT_ACCEPT_FOREIGN },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "list-tests", no_argument, NULL, OPT_LIST_TESTS },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "boot-timeline", required_argument, NULL, OPT_BOOT_TIMELINE },
	{ "windows", required_argument, NULL, OPT_WINDOWS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *default_guest(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 16);
	char *slash;

	if (n <= 0)
		return "build/guest.elf";
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash + 1, "guest.elf");
	return path;
}

static bool list_tests;

static void usage(void)
{
	fputs(usage_head, stdout);
	fputs("\nModes (--mode; the same names in workloads, stats and README):\n", stdout);
	for (unsigned int i = 0; i < virqnet_nr_modes; i++)
		printf("  %-12s  %s\n", virqnet_modes[i].name, virqnet_modes[i].summary);
	fputs(usage_tail, stdout);
}

/* Whether the guest argument string already sets KEY (key=value words). */
static bool has_guest_arg(const char *args, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = args; (p = strstr(p, key)); p += n)
		if ((p == args || p[-1] == ' ') && p[n] == '=')
			return true;
	return false;
}

/*
 * A mode's own knobs: defaults, and the guest arguments they become:
 * mask-poll's and adaptive's window as poll_us=, adaptive's thresholds as
 * adaptive=1 adaptive_up_pps= adaptive_down_pps= (the rule they feed:
 * guest-kernel-patch/drivers/virqnet_adaptive.c).
 */
static void mode_knobs(struct vm_config *cfg)
{
	static char args[sizeof(((struct virqlab_boot_info *)0)->args)];
	char extra[128] = "";

	if (cfg->rx_mode->coalesce && !cfg->coalesce_us)
		cfg->coalesce_us = 100;
	if (!cfg->rx_mode->poll)
		return;
	if (has_guest_arg(cfg->args, "poll_us"))
		die_usage("--args poll_us=...: with --mode %s the window is --poll-us N",
			  cfg->rx_mode->name);
	if (!cfg->poll_us)
		cfg->poll_us = 1000;
	if (cfg->rx_mode->adaptive) {
		if (has_guest_arg(cfg->args, "adaptive") || has_guest_arg(cfg->args, "adaptive_up_pps") ||
		    has_guest_arg(cfg->args, "adaptive_down_pps"))
			die_usage("--args adaptive...=: with --mode adaptive the thresholds are "
				  "--adaptive-up-pps and --adaptive-down-pps");
		if (!cfg->adaptive_up_pps)
			cfg->adaptive_up_pps = cfg->adaptive_down_pps ? 2 * cfg->adaptive_down_pps : 10000;
		if (!cfg->adaptive_down_pps)
			cfg->adaptive_down_pps = cfg->adaptive_up_pps / 2;
		if (cfg->adaptive_down_pps >= cfg->adaptive_up_pps)
			die_usage("--adaptive-down-pps %llu: must be below --adaptive-up-pps %llu "
				  "(the hysteresis)", (unsigned long long)cfg->adaptive_down_pps,
				  (unsigned long long)cfg->adaptive_up_pps);
		snprintf(extra, sizeof(extra), " adaptive=1 adaptive_up_pps=%llu adaptive_down_pps=%llu",
			 (unsigned long long)cfg->adaptive_up_pps,
			 (unsigned long long)cfg->adaptive_down_pps);
	}
	if ((size_t)snprintf(args, sizeof(args), "poll_us=%llu%s%s%s",
			     (unsigned long long)cfg->poll_us, extra, *cfg->args ? " " : "",
			     cfg->args) >= sizeof(args))
		die_usage("--args '%s': too long", cfg->args);
	cfg->args = args;
}

/*
 * --accept-foreign: the guest's consumer must know that a datagram without
 * virqlab's header is foreign, not corrupt (guest-kernel-patch/tests/rx.c):
 * foreign=1 tells it. Only the device decides what is delivered.
 */
static void foreign_knob(struct vm_config *cfg)
{
	static char args[sizeof(((struct virqlab_boot_info *)0)->args)];

	if (has_guest_arg(cfg->args, "foreign"))
		die_usage("--args foreign=...: foreign datagrams are delivered with --accept-foreign");
	if (!cfg->accept_foreign)
		return;
	if (!cfg->rx_mode->has_driver)
		die_usage("--accept-foreign: --mode %s has no guest consumer to deliver to",
			  cfg->rx_mode->name);
	if ((size_t)snprintf(args, sizeof(args), "foreign=1%s%s", *cfg->args ? " " : "",
			     cfg->args) >= sizeof(args))
		die_usage("--args '%s': too long", cfg->args);
	cfg->args = args;
}

static void parse_args(int argc, char **argv, struct vm_config *cfg, const char **tsv,
		       const char **latlog, struct rx_source *src)
{
	uint64_t v;
	int c;

	*cfg = (struct vm_config){
		.test = "hello", .mode = "inject", .args = "", .nr_vcpus = 1, .nr_queues = 1,
		.mem_bytes = 64ull << 20, .idle_s = 2, .rx_cpu = -1, .vcpu_cpu = -1,
	};
	opterr = 0;
	while ((c = cli_getopt(argc, argv, "h", long_opts)) != -1) {
		switch (c) {
		case OPT_GUEST:
			cfg->guest_path = optarg;
			break;
		case OPT_TEST:
			cfg->test = optarg;
			cfg->test_given = true;
			break;
		case OPT_MODE:
			cfg->mode = optarg;
			break;
		case OPT_ARGS:
			cfg->args = optarg;
			break;
		case OPT_VCPUS:
			if (!parse_u64(optarg, 1, VIRQLAB_MAX_VCPUS, &v))
				die_usage("--vcpus '%s': expected a number from 1 to %d", optarg,
					  VIRQLAB_MAX_VCPUS);
			cfg->nr_vcpus = v;
			break;
		case OPT_QUEUES:
			if (!parse_u64(optarg, 1, VIRQNET_MAX_QUEUES, &v))
				die_usage("--queues '%s': expected a number from 1 to %d", optarg,
					  VIRQNET_MAX_QUEUES);
			cfg->nr_queues = v;
			break;
		case OPT_MEM:
			if (!parse_u64(optarg, 4, VIRQLAB_RAM_MAX >> 20, &v) || (v & 1))
				die_usage("--mem '%s': expected an even number of MiB from 4 to %llu",
					  optarg, VIRQLAB_RAM_MAX >> 20);
			cfg->mem_bytes = v << 20;
			break;
		case OPT_CONSOLE:
			cfg->console_path = optarg;
			break;
		case OPT_TIMEOUT:
			if (!parse_double(optarg, 0, 86400 * 7, &cfg->timeout_s))
				die_usage("--timeout '%s': expected seconds from 0 to 604800", optarg);
			break;
		case OPT_SOURCE:
			if (!rx_source_parse(src, optarg))
				die_usage("--source '%s': expected udp:ADDR:PORT, e.g. udp:127.0.0.1:9000",
					  optarg);
			cfg->source = optarg;
			break;
		case OPT_COUNT:
			if (!parse_u64(optarg, 1, 1ull << 40, &cfg->count))
				die_usage("--count '%s': expected a positive number", optarg);
			break;
		case OPT_DURATION:
			if (!parse_double(optarg, 0.001, 86400, &cfg->duration_s))
				die_usage("--duration '%s': expected seconds from 0.001 to 86400", optarg);
			break;
		case OPT_IDLE:
			if (!parse_double(optarg, 0.01, 3600, &cfg->idle_s))
				die_usage("--idle '%s': expected seconds from 0.01 to 3600", optarg);
			break;
		case OPT_STATS:
			cfg->stats_path = optarg;
			break;
		case OPT_LATENCY_LOG:
			*latlog = optarg;
			break;
		case OPT_COALESCE_US:
			if (!parse_u64(optarg, 1, 1000000, &cfg->coalesce_us))
				die_usage("--coalesce-us '%s': expected microseconds from 1 to 1000000",
					  optarg);
			break;
		case OPT_ADAPTIVE_UP:
			if (!parse_u64(optarg, 2, 100000000, &cfg->adaptive_up_pps))
				die_usage("--adaptive-up-pps '%s': expected packets per second, 2..1e8",
					  optarg);
			break;
		case OPT_ADAPTIVE_DOWN:
			if (!parse_u64(optarg, 1, 100000000, &cfg->adaptive_down_pps))
				die_usage("--adaptive-down-pps '%s': expected packets per second, 1..1e8",
					  optarg);
			break;
		case OPT_POLL_US:
			if (!parse_u64(optarg, 1, 1000000, &cfg->poll_us))
				die_usage("--poll-us '%s': expected microseconds from 1 to 1000000",
					  optarg);
			break;
		case OPT_SENDER_STATS:
			src->sender_stats = optarg;
			break;
		case OPT_ACCEPT_FOREIGN:
			cfg->accept_foreign = true;
			break;
		case OPT_RCVBUF:
			if (!parse_u64(optarg, 256, 1u << 30, &v))
				die_usage("--rcvbuf '%s': expected bytes from 256 to 1073741824",
					  optarg);
			src->rcvbuf = v;
			break;
		case OPT_RX_CPU:
		case OPT_VCPU_CPU:
			if (!parse_u64(optarg, 0, 1023, &v) || !thread_cpu_ok(v))
				die_usage("--%s '%s': not a CPU this process may run on",
					  c == OPT_RX_CPU ? "rx-cpu" : "vcpu-cpu", optarg);
			*(c == OPT_RX_CPU ? &cfg->rx_cpu : &cfg->vcpu_cpu) = v;
			break;
		case OPT_KERNEL:
			cfg->kernel_path = optarg;
			break;
		case OPT_INITRD:
			cfg->initrd_path = optarg;
			break;
		case OPT_APPEND:
			cfg->append = optarg;
			break;
		case OPT_BOOT_TIMELINE:
			cfg->timeline_path = optarg;
			break;
		case OPT_WINDOWS:
			if (!parse_u64(optarg, 1, 1000, &v))
				die_usage("--windows '%s': expected a number of windows from 1 to 1000",
					  optarg);
			src->windows = v;
			break;
		case OPT_LIST_TESTS:
			list_tests = true;
			break;
		case OPT_VERSION:
			cli_version("vmm-mini");
		case 'h':
			usage();
			exit(0);
		default:
			if (optopt && optopt < 0x100)
				die_usage("unknown option '-%c' (see --help)", optopt);
			else if (optopt)
				die_usage("option '%s' needs a value (see --help)", argv[optind - 1]);
			die_usage("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s' (see --help)", argv[optind]);
	if (!cfg->kernel_path && (cfg->initrd_path || cfg->append || cfg->timeline_path))
		die_usage("--initrd, --append and --boot-timeline need --kernel");
	if (cfg->kernel_path && (cfg->guest_path || cfg->test_given || *cfg->args || list_tests))
		die_usage("--kernel boots Linux: --guest, --test, --args and --list-tests are for the "
			  "virqlab guest");
	/* Linux receives with its stock virtio_net: the one device model it has a driver for. */
	if (cfg->kernel_path && cfg->source && strcmp(cfg->mode, "virtio"))
		die_usage("--kernel --source: --mode %s: a Linux guest receives with --mode virtio "
			  "(its virtio_net driver)", cfg->mode);
	/* APs would wait for Linux's INIT-SIPI-SIPI; no test has booted one yet. */
	if (cfg->kernel_path && cfg->nr_vcpus != 1)
		die_usage("--kernel: --vcpus %u: a Linux guest boots on one vCPU for now",
			  cfg->nr_vcpus);
	/* One boot, K runs: what pays for a boot is a Linux guest, and a window ends on its count. */
	if (src->windows && !cfg->kernel_path)
		die_usage("--windows %u: for a Linux guest (--kernel); the virqlab guest boots in "
			  "well under a second, one run each", src->windows);
	if (src->windows && !cfg->source)
		die_usage("--windows %u: receive windows need --source", src->windows);
	if (src->windows && (!cfg->count || cfg->duration_s > 0))
		die_usage("--windows %u: each window ends on its count: it needs --count N, not "
			  "--duration", src->windows);
	if (cfg->kernel_path && !cfg->append)
		cfg->append = cfg->source ? LINUX_DEFAULT_APPEND " " LINUX_APPEND_RX :
					      LINUX_DEFAULT_APPEND;
	/* The guest's receiver learns K from its command line (linux-guest-init.sh). */
	if (src->windows) {
		static char append[4096];

		if ((size_t)snprintf(append, sizeof(append), "%s virqlab.windows=%u", cfg->append,
				     src->windows) >= sizeof(append))
			die_usage("--append: too long with virqlab.windows=%u", src->windows);
		cfg->append = append;
	}
	if (!cfg->guest_path)
		cfg->guest_path = default_guest();
	cfg->rx_mode = virqnet_mode_find(cfg->mode);
	if (!cfg->rx_mode)
		die_usage("--mode '%s': expected one of %s", cfg->mode, virqnet_mode_names());
	if (cfg->coalesce_us && !cfg->rx_mode->coalesce)
		die_usage("--coalesce-us sets coalesce's window: it needs --mode coalesce");
	if (cfg->poll_us && !cfg->rx_mode->poll)
		die_usage("--poll-us sets the poll window: it needs --mode mask-poll or adaptive");
	if ((cfg->adaptive_up_pps || cfg->adaptive_down_pps) && !cfg->rx_mode->adaptive)
		die_usage("--adaptive-up-pps and --adaptive-down-pps need --mode adaptive");
	/* Queue q's interrupt goes to vCPU q, whose consumer drains it (virqnet_modes.c, top). */
	if (cfg->nr_queues > cfg->nr_vcpus)
		die_usage("--queues %u: more queues than --vcpus %u (each queue has a vCPU of its own)",
			  cfg->nr_queues, cfg->nr_vcpus);
	if (cfg->nr_queues > 1 && cfg->accept_foreign)
		die_usage("--accept-foreign takes one receive queue (have --queues %u)",
			  cfg->nr_queues);
	if (cfg->nr_queues > 1 && !cfg->rx_mode->multiqueue)
		die_usage("--queues %u: --mode %s has one receive queue (several: inject, "
			  "coalesce, mask-direct, mask-poll)", cfg->nr_queues, cfg->rx_mode->name);
	if (!cfg->source) {
		if (cfg->count || cfg->duration_s > 0 || *latlog || cfg->coalesce_us || cfg->poll_us)
			die_usage("--count, --duration, --latency-log, --coalesce-us and --poll-us need "
				  "--source");
		if (cfg->stats_path && strcmp(cfg->test, "costs"))
			die_usage("--stats needs --source, or --test costs");
		*tsv = cfg->stats_path;
		if (src->sender_stats || src->rcvbuf || cfg->accept_foreign)
			die_usage("--sender-stats, --rcvbuf and --accept-foreign need --source");
		if (cfg->rx_cpu >= 0)
			die_usage("--rx-cpu pins the receive thread: it needs --source");
		return;
	}
	if (!cfg->count && cfg->duration_s <= 0)
		die_usage("--source needs --count N or --duration S");
	mode_knobs(cfg);
	foreign_knob(cfg);
	if (!cfg->test_given)
		cfg->test = cfg->rx_mode->has_driver ? "rx" : "idle";
	src->count = cfg->count;
	src->stats = cfg->stats_path;
	src->latency_log = *latlog;
	src->duration_s = cfg->duration_s;
	src->idle_s = cfg->idle_s;
}

/*
 * The main thread only waits: for a verdict, the deadline, or a signal.
 * SIGINT/SIGTERM are blocked in every thread and collected here with
 * sigtimedwait, so no handler ever runs in the middle of a device model.
 */
static int wait_for_verdict(struct vm *vm, sigset_t *sigs)
{
	uint64_t deadline = vm->cfg.timeout_s > 0 ?
		now_ns() + (uint64_t)(vm->cfg.timeout_s * 1e9) : UINT64_MAX;
	struct timespec tick = { 0, 50 * 1000 * 1000 };

	for (;;) {
		int sig;

		pthread_mutex_lock(&vm->lock);
		if (vm->done) {
			pthread_mutex_unlock(&vm->lock);
			return vm->exit_code;
		}
		pthread_mutex_unlock(&vm->lock);
		if (now_ns() >= deadline) {
			pr_info("--timeout %g s expired; stopping the guest", vm->cfg.timeout_s);
			vm_finish(vm, VMM_EXIT_TIMEOUT);
			continue;
		}
		sig = sigtimedwait(sigs, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM) {
			pr_info("interrupted by %s; stopping the guest", strsignal(sig));
			vm_finish(vm, VMM_EXIT_INTERRUPTED);
		}
	}
}

/*
 * A vCPU that does not leave KVM_RUN after its kick is a KVM problem, not a
 * reason to hang: wait a bounded time, say which one, and let exit() reap it.
 */
static bool join_vcpus(struct vm *vm)
{
	bool ok = true;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5;
		if (pthread_timedjoin_np(vm->vcpus[i].thread, NULL, &until)) {
			pr_warn("vCPU %u did not stop within 5 s of its kick", i);
			vm->vcpus[i].started = false;
			ok = false;
		}
	}
	return ok;
}

int main(int argc, char **argv)
{
	static struct rx_source src;
	static struct vm vm;
	const char *tsv = NULL, *latlog = NULL;
	sigset_t sigs;
	bool joined;
	int code;

	timeline_start();
	parse_args(argc, argv, &vm.cfg, &tsv, &latlog, &src);
	if (list_tests) {
		guest_list_tests(&vm);
		return 0;
	}
	if (vm.cfg.kernel_path)
		linux_check(&vm);
	if (vm.cfg.timeline_path)
		timeline_open(vm.cfg.timeline_path);
	if (vm.cfg.kernel_path)
		timeline_mark("image-checked", NULL);
	else
		guest_check(&vm);
	kvm_flavour_detect(&vm.flavour);
	if (vm.cfg.kernel_path && !strcmp(vm.flavour.name, "pvm"))
		pr_warn("nested PVM emulates guest ring 0 (~1.6 M instructions/s): a Linux boot "
			"takes many minutes here; scripts/sandbox.sh boots it in about 15 s");

	vm.console = stdout;
	if (vm.cfg.console_path) {
		vm.console = fopen(vm.cfg.console_path, "w");
		if (!vm.console)
			die_usage("--console %s: %s", vm.cfg.console_path, strerror(errno));
	}
	pthread_mutex_init(&vm.lock, NULL);
	pthread_mutex_init(&vm.console_lock, NULL);
	pthread_cond_init(&vm.done_cond, NULL);

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	sigdelset(&sigs, SIGUSR1);

	vm_create(&vm);
	timeline_mark("vm-created", "KVM_CREATE_VM and RAM: kvm-clock counts from here");
	vm.nr_vcpus = vm.cfg.nr_vcpus;
	for (unsigned int i = 0; i < vm.nr_vcpus; i++)
		vcpu_create(&vm, i);
	timeline_mark("vcpus-created", NULL);
	irq__init(&vm);
	console__init(&vm);
	ucall__init(&vm);
	cost_dev__init(&vm);
	if (vm.cfg.kernel_path) {
		serial__init(&vm);
		i8042__init(&vm);
		rtc__init(&vm);
		linux_load(&vm);
		for (unsigned int i = 0; i < vm.nr_vcpus; i++)
			linux_vcpu_init(&vm.vcpus[i]);
		timeline_mark("image-loaded", "devices, kernel, initrd, zero page, tables, vCPU state");
	} else {
		guest_load(&vm);
	}
	if (vm.cfg.source) {
		virqnet_init(&vm, vm.cfg.rx_mode);
		if (vm.cfg.kernel_path)
			linux_rx__init(&vm);
		rx_stats_init(&vm);
		rx_source_open(&src);
	}

	for (unsigned int i = 0; i < vm.nr_vcpus; i++)
		vcpu_start(&vm.vcpus[i]);
	if (vm.cfg.source)
		rx_source_start(&src, &vm);
	code = wait_for_verdict(&vm, &sigs);
	joined = join_vcpus(&vm);
	if (!joined && code != VMM_EXIT_TIMEOUT && code != VMM_EXIT_INTERRUPTED)
		code = VMM_EXIT_HOST;
	costs__stop(&vm);
	console__flush(&vm);
	serial__flush(&vm);
	if (vm.cfg.kernel_path)
		linux_report(&vm);
	if (vm.cfg.source) {
		rx_source_join(&src);
		/* --windows: the last window, or the one the run ended in; the others are written. */
		if (!rx_stats_report(&vm, &src, code == VMM_EXIT_OK) && code == VMM_EXIT_OK)
			code = VMM_EXIT_GUEST_FAIL;
		if (src.windows_failed && code == VMM_EXIT_OK)
			code = VMM_EXIT_GUEST_FAIL;
		if (src.windows && src.window < src.windows) {
			pr_warn("virqnet: the run ended in window %u of %u: no files for the windows "
				"after it", src.window, src.windows);
			if (code == VMM_EXIT_OK)
				code = VMM_EXIT_GUEST_FAIL;
		}
	}

	if (code == VMM_EXIT_OK && !strcmp(vm.cfg.test, "costs") && costs__report(&vm, tsv))
		code = VMM_EXIT_GUEST_FAIL;
	if (vm.console != stdout)
		fclose(vm.console);
	timeline_close();
	if (joined)
		vm_destroy(&vm);	/* else a vCPU thread may still touch it */
	return code;
}
