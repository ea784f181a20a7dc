// SPDX-License-Identifier: GPL-2.0
/*
 * udpgen.c - virqlab's traffic generator: real UDP datagrams, each carrying
 * a sequence number, a send timestamp and a checksum (virqlab_payload.h),
 * sent with io_uring at a paced rate, and an honest account of what was
 * actually sent.
 *
 * Pacing uses absolute CLOCK_MONOTONIC deadlines (schedule time i is fixed
 * at start + i/rate, so a wake-up a little late does not lower the rate);
 * every packet already due is submitted in one io_uring_submit. Lateness
 * is made up for only up to SLIP_NS: a sender stalled for longer (a loaded
 * host, a preempted thread) would otherwise send the whole stall's worth
 * back to back, a burst at many times the rate that the receive side sees
 * as a different load. Past SLIP_NS the schedule slips, the run takes
 * longer and achieved_pps says so (slips, slipped_ns in --stats). So a
 * paced run (constant, poisson, --steps) never sends more than
 * rate x (W + SLIP_NS) + 1 datagrams in any window W: over 100 ms, at
 * most 1 % above its rate. Each completion is checked:
 * ECONNREFUSED (nobody listening yet on loopback) and ENOBUFS are counted as
 * send errors, and the run goes on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <liburing.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "uapi/virqlab_payload.h"
#include "virqlab_cli.h"
#include "vmm/err.h"

const char *prog_name = "udpgen";

#define QD		256
#define SLIP_NS		1000000ull	/* catch-up at most 1 ms of schedule */
#define EXIT_USAGE	2
#define EXIT_SYSTEM	3
#define EXIT_INTERRUPTED 130

static const char usage[] =
"Usage: udpgen --to ADDR:PORT (--count N | --duration S) [OPTIONS]\n"
"Send virqlab UDP datagrams (sequence number, send time, checksum) with io_uring.\n"
"\n"
"  --to ADDR:PORT      IPv4 destination (loopback or a namespace of yours)\n"
"  --rate PPS          average packets per second; 0 = as fast as possible (default 1000)\n"
"  --pattern P         constant | poisson | burst (default constant)\n"
"  --burst N           burst: N datagrams back to back per burst (default 32)\n"
"  --gap-us US         burst: pause between bursts when --rate is 0; with a\n"
"                      rate, bursts start every N/rate s (default 1000)\n"
"  --size BYTES        datagram size, 64..9000 (default 64)\n"
"  --count N           send N datagrams\n"
"  --duration S        send for S seconds (with --count: whichever ends first)\n"
"  --seed N            random seed for poisson (default 1)\n"
"  --flow ID           flow id in every payload (default: random)\n"
"  --flows F           F flows, 1..16, round-robin: flow k from its own socket\n"
"                      (source port), its own sequence 0, 1, ... and flow id\n"
"                      (virqlab_flow_id in virqlab_payload.h) (default 1)\n"
"  --sport PORT        flow k sends from source port PORT+k (default: the\n"
"                      kernel's ephemeral ports), so a receiver's hash of\n"
"                      the 4-tuple spreads the flows the same way every run\n"
"  --late SEQ:BY       send datagram SEQ BY places late (after SEQ+BY), as a\n"
"                      network may reorder; tests the receiver's late path\n"
"  --steps R:N,...     a rate schedule: N datagrams at R pps, then the next\n"
"                      step's N at its R (constant spacing; sets the count)\n"
"  --stats FILE        write a one-row TSV with a # header line\n"
"  --quiet             no summary on stdout\n"
"  --version           print \"udpgen (virqlab) REVISION\" and exit\n"
"  -h, --help          this help\n"
"\n"
"Exit: 0 sent, 2 usage error, 3 system error, 130 interrupted (summary still printed).\n"
"\n"
"Examples:\n"
"  udpgen --to 127.0.0.1:9000 --rate 10000 --count 200000\n"
"  udpgen --to 127.0.0.1:9000 --rate 50000 --pattern poisson --duration 10\n"
"  udpgen --to 127.0.0.1:9000 --steps 1000:2000,20000:40000,1000:2000\n"
"  udpgen --to 127.0.0.1:9000 --pattern burst --burst 64 --gap-us 500 --count 100000\n"
"  udpgen --to 127.0.0.1:9000 --rate 0 --size 1500 --count 1000000 --stats gen.tsv\n"
"  udpgen --to 127.0.0.1:9000 --rate 20000 --count 80000 --flows 4 --sport 41000\n";

#define UDPGEN_MAX_STEPS	16

enum pattern { PAT_CONSTANT, PAT_POISSON, PAT_BURST };
static const char *const pattern_names[] = { "constant", "poisson", "burst" };

struct cfg {
	struct sockaddr_in to;
	double rate, duration;
	enum pattern pattern;
	uint64_t count, burst, gap_ns, seed, late_seq, late_by;
	uint32_t size, flow, flows, sport;
	const char *stats;
	bool quiet;
	/* --steps: a rate schedule; step k starts at index first[k], at start_ns[k]. */
	unsigned int nsteps;
	struct step { double rate; uint64_t n, first, start_ns; } step[UDPGEN_MAX_STEPS];
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static bool num(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= min && v <= max))
		return false;
	*out = v;
	return true;
}

/*
 * --steps RATE:N[,RATE:N...]: N datagrams at RATE, then the next step's N at
 * its RATE, evenly spaced within each step (a load that steps up and down,
 * to drive a receiver that adapts to its arrival rate).
 */
static void parse_steps(const char *arg, struct cfg *c)
{
	const char *p = arg;
	uint64_t first = 0;
	double t_ns = 0;

	c->nsteps = 0;
	for (;;) {
		double rate;
		unsigned long long n;
		int end = 0;

		if (c->nsteps == UDPGEN_MAX_STEPS)
			die_usage("--steps '%s': at most %d steps", arg, UDPGEN_MAX_STEPS);
		if (sscanf(p, "%lf:%llu%n", &rate, &n, &end) != 2 || !(rate >= 1 && rate <= 1e8) ||
		    !n || n > 1e15 || (p[end] && p[end] != ','))
			die_usage("--steps '%s': expected RATE:N[,RATE:N...], RATE 1..1e8 pps, N >= 1",
			     arg);
		c->step[c->nsteps++] = (struct step){ rate, n, first, (uint64_t)t_ns };
		first += n;
		t_ns += n * 1e9 / rate;
		if (!p[end])
			break;
		p += end + 1;
	}
	c->count = first;
	c->rate = first * 1e9 / t_ns;	/* the average, for the summary and stats */
}

static void parse(int argc, char **argv, struct cfg *c)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' }, { "rate", required_argument, NULL, 'r' },
		{ "pattern", required_argument, NULL, 'p' }, { "burst", required_argument, NULL, 'b' },
		{ "gap-us", required_argument, NULL, 'g' }, { "size", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' }, { "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 'S' }, { "flow", required_argument, NULL, 'f' },
		{ "stats", required_argument, NULL, 'o' }, { "quiet", no_argument, NULL, 'q' },
		{ "late", required_argument, NULL, 'L' }, { "steps", required_argument, NULL, 'T' },
		{ "flows", required_argument, NULL, 'F' }, { "sport", required_argument, NULL, 'P' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	bool have_to = false, have_flow = false, have_rate = false, have_count = false;
	double v;
	int o;

	*c = (struct cfg){ .rate = 1000, .burst = 32, .gap_ns = 1000000, .seed = 1, .size = 64,
			    .flows = 1 };
	opterr = 0;
	while ((o = cli_getopt(argc, argv, "h", opts)) != -1) {
		switch (o) {
		case 't': {
			char host[64];
			const char *colon = strrchr(optarg, ':');

			if (!colon || colon == optarg || (size_t)(colon - optarg) >= sizeof(host) ||
			    !num(colon + 1, 1, 65535, &v))
				die_usage("--to '%s': expected ADDR:PORT, e.g. 127.0.0.1:9000", optarg);
			memcpy(host, optarg, colon - optarg);
			host[colon - optarg] = '\0';
			c->to.sin_family = AF_INET;
			c->to.sin_port = htons((uint16_t)v);
			if (inet_pton(AF_INET, host, &c->to.sin_addr) != 1)
				die_usage("--to '%s': '%s' is not an IPv4 address", optarg, host);
			have_to = true;
			break;
		}
		case 'r':
			if (!num(optarg, 0, 1e8, &c->rate))
				die_usage("--rate '%s': expected packets per second, 0..1e8", optarg);
			have_rate = true;
			break;
		case 'p':
			for (o = 0; o < 3 && strcmp(optarg, pattern_names[o]); o++)
				;
			if (o == 3)
				die_usage("--pattern '%s': expected constant, poisson or burst", optarg);
			c->pattern = o;
			break;
		case 'b':
			if (!num(optarg, 1, 1e6, &v))
				die_usage("--burst '%s': expected 1..1000000", optarg);
			c->burst = v;
			break;
		case 'g':
			if (!num(optarg, 0, 1e9, &v))
				die_usage("--gap-us '%s': expected microseconds", optarg);
			c->gap_ns = v * 1000;
			break;
		case 's':
			if (!num(optarg, VIRQLAB_PAYLOAD_MIN, VIRQLAB_PAYLOAD_MAX, &v) || v != (uint32_t)v)
				die_usage("--size '%s': expected %d..%d", optarg, VIRQLAB_PAYLOAD_MIN,
				     VIRQLAB_PAYLOAD_MAX);
			c->size = v;
			break;
		case 'c':
			if (!num(optarg, 1, 1e15, &v) || v != (uint64_t)v)
				die_usage("--count '%s': expected a positive whole number", optarg);
			c->count = v;
			have_count = true;
			break;
		case 'd':
			if (!num(optarg, 0.001, 86400, &c->duration))
				die_usage("--duration '%s': expected seconds, 0.001..86400", optarg);
			break;
		case 'S':
			if (!num(optarg, 0, 1e18, &v))
				die_usage("--seed '%s': expected a number", optarg);
			c->seed = v;
			break;
		case 'f':
			if (!num(optarg, 0, 4294967295.0, &v))
				die_usage("--flow '%s': expected 0..4294967295", optarg);
			c->flow = v;
			have_flow = true;
			break;
		case 'F':
			if (!num(optarg, 1, VIRQLAB_MAX_FLOWS, &v) || v != (uint32_t)v)
				die_usage("--flows '%s': expected 1..%u", optarg, VIRQLAB_MAX_FLOWS);
			c->flows = v;
			break;
		case 'P':
			if (!num(optarg, 1, 65535, &v) || v != (uint32_t)v)
				die_usage("--sport '%s': expected a port, 1..65535", optarg);
			c->sport = v;
			break;
		case 'o':
			c->stats = optarg;
			break;
		case 'L': {
			unsigned long long seq, by;
			int end = 0;

			if (sscanf(optarg, "%llu:%llu%n", &seq, &by, &end) != 2 || optarg[end] ||
			    !by || seq + by < seq)
				die_usage("--late '%s': expected SEQ:BY, BY >= 1", optarg);
			c->late_seq = seq;
			c->late_by = by;
			break;
		}
		case 'T':
			parse_steps(optarg, c);
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'V':
			cli_version("udpgen");
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			if (optopt)
				die_usage("option '%s' needs a value (see --help)", argv[optind - 1]);
			die_usage("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s' (see --help)", argv[optind]);
	if (!have_to)
		die_usage("--to ADDR:PORT is required (see --help)");
	if (c->nsteps && (have_rate || have_count || c->duration > 0 || c->pattern != PAT_CONSTANT))
		die_usage("--steps sets the rates and the count: it takes no --rate, --count, --duration or --pattern");
	if (!c->count && c->duration <= 0)
		die_usage("--count N or --duration S is required (see --help)");
	if (c->late_by && c->count && c->late_seq + c->late_by >= c->count)
		die_usage("--late %llu:%llu: SEQ+BY must be below --count %llu",
		     (unsigned long long)c->late_seq, (unsigned long long)c->late_by,
		     (unsigned long long)c->count);
	if (c->late_by && c->flows > 1)
		die_usage("--late with --flows %u: --late moves one datagram of one flow", c->flows);
	if (c->sport && c->sport + c->flows - 1 > 65535)
		die_usage("--sport %u with --flows %u: ports beyond 65535", c->sport, c->flows);
	if (!have_flow) {
		c->flow = (uint32_t)(real_ns() ^ ((uint64_t)getpid() << 16));
		if (!c->flow)
			c->flow = 1;
	}
}

/* xorshift64*: a reproducible uniform (0, 1] for exponential gaps. */
static double uniform(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return ((*s * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0) + 1e-18;
}

/* Nanoseconds from start at which packet i is due. */
static uint64_t next_due(const struct cfg *c, uint64_t i, uint64_t prev, uint64_t *rng)
{
	switch (c->pattern) {
	case PAT_POISSON:
		return c->rate > 0 ? prev + (uint64_t)(-log(uniform(rng)) * 1e9 / c->rate) : 0;
	case PAT_BURST:
		if (c->rate > 0)	/* bursts paced so the average is --rate */
			return (uint64_t)((double)(i / c->burst) * c->burst * 1e9 / c->rate);
		return (i / c->burst) * c->gap_ns;
	default:
		if (c->nsteps) {
			const struct step *s = &c->step[c->nsteps - 1];

			while (s > c->step && i < s->first)
				s--;
			return s->start_ns + (uint64_t)((double)(i - s->first) * 1e9 / s->rate);
		}
		return c->rate > 0 ? (uint64_t)((double)i * 1e9 / c->rate) : 0;
	}
}

/* The sequence number sent in place i: --late moves one BY places later. */
static uint64_t seq_at(const struct cfg *c, uint64_t i)
{
	if (!c->late_by || i < c->late_seq || i > c->late_seq + c->late_by)
		return i;
	return i == c->late_seq + c->late_by ? c->late_seq : i + 1;
}

struct slot {
	uint8_t buf[VIRQLAB_PAYLOAD_MAX];
	bool busy;
};

static void fill(uint8_t *p, const struct cfg *c, uint32_t flow, uint64_t seq)
{
	struct virqlab_payload h = {
		.magic = VIRQLAB_PAYLOAD_MAGIC, .flow = flow, .seq = seq, .len = c->size,
	};

	for (uint32_t i = sizeof(h); i < c->size; i++)
		p[i] = virqlab_fill_byte(seq, i);
	h.send_ns = real_ns();
	memcpy(p, &h, sizeof(h));
	h.csum = virqlab_csum(p, c->size);
	memcpy(p, &h, sizeof(h));
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t sent = 0, errors = 0, inflight = 0, due = 0, rng, start, end_limit, t_end;
	uint64_t shift = 0, slips = 0;	/* lateness forgiven past SLIP_NS */
	uint64_t first = 0;		/* just before the first send */
	bool paced;
	struct io_uring ring;
	struct slot *slots;
	struct cfg c;
	unsigned int free_top = 0, *free_list;
	double dur;
	int fd[VIRQLAB_MAX_FLOWS], err;

	parse(argc, argv, &c);
	rng = c.seed * 0x9e3779b97f4a7c15ull + 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* One socket per flow: its own source port, so the 4-tuples differ. */
	for (unsigned int k = 0; k < c.flows; k++) {
		fd[k] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd[k] < 0)
			die("socket: %s", strerror(errno));
		if (c.sport) {
			struct sockaddr_in from = { .sin_family = AF_INET,
						    .sin_port = htons(c.sport + k) };

			if (bind(fd[k], (struct sockaddr *)&from, sizeof(from)) < 0)
				die("bind source port %u: %s", c.sport + k, strerror(errno));
		}
		if (connect(fd[k], (struct sockaddr *)&c.to, sizeof(c.to)) < 0)
			die("connect: %s", strerror(errno));
	}
	err = io_uring_queue_init(QD, &ring, 0);
	if (err < 0)
		die("io_uring_queue_init: %s", strerror(-err));
	slots = calloc(QD, sizeof(*slots));
	free_list = calloc(QD, sizeof(*free_list));
	if (!slots || !free_list)
		die("out of memory");
	for (unsigned int i = 0; i < QD; i++)
		free_list[free_top++] = i;

	paced = c.pattern != PAT_BURST && (c.rate > 0 || c.nsteps);
	start = mono_ns();
	end_limit = c.duration > 0 ? (uint64_t)(c.duration * 1e9) : UINT64_MAX;
	while (!interrupted && (!c.count || sent < c.count)) {
		uint64_t now = mono_ns() - start;
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0, queued = 0;

		if (now >= end_limit)
			break;
		if (paced && now > due + SLIP_NS) {
			shift += now - SLIP_NS - due;
			due = now - SLIP_NS;
			slips++;
		}
		/* Queue every packet already due, as far as free slots allow. */
		while (free_top && (!c.count || sent + queued < c.count) && due <= now) {
			unsigned int s = free_list[--free_top], k = (sent + queued) % c.flows;
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			/* Round-robin: flow k's n-th datagram is the run's (n * flows + k)-th. */
			fill(slots[s].buf, &c, virqlab_flow_id(c.flow, k),
			     seq_at(&c, sent + queued) / c.flows);
			io_uring_prep_send(sqe, fd[k], slots[s].buf, c.size, 0);
			io_uring_sqe_set_data64(sqe, s);
			queued++;
			due = next_due(&c, sent + queued, due - shift, &rng) + shift;
		}
		if (queued) {
			if (!first)
				first = mono_ns();
			io_uring_submit(&ring);
			inflight += queued;
			sent += queued;
		}
		io_uring_for_each_cqe(&ring, head, cqe) {
			if (cqe->res < 0)
				errors++;
			free_list[free_top++] = (unsigned int)io_uring_cqe_get_data64(cqe);
			n++;
		}
		io_uring_cq_advance(&ring, n);
		inflight -= n;
		if (!free_top) {
			io_uring_wait_cqe(&ring, &cqe);
		} else if (due > now + 50000) {
			/* Far from the next deadline: sleep most of the way. */
			struct timespec ts = { 0, (long)(due - now - 30000) };

			if (ts.tv_nsec > 999999999)
				ts = (struct timespec){ (due - now - 30000) / 1000000000,
							(due - now - 30000) % 1000000000 };
			nanosleep(&ts, NULL);
		}
	}
	while (inflight) {
		struct io_uring_cqe *cqe;

		if (io_uring_wait_cqe(&ring, &cqe) < 0)
			break;
		if (cqe->res < 0)
			errors++;
		io_uring_cqe_seen(&ring, cqe);
		inflight--;
	}
	t_end = mono_ns();
	io_uring_queue_exit(&ring);
	for (unsigned int k = 0; k < c.flows; k++)
		close(fd[k]);

	/*
	 * From the first send, not from start: a sender preempted before it
	 * (a busy host, one CPU) offered nothing meanwhile, and counting that
	 * time made achieved_pps lower than the rate the datagrams came at.
	 */
	dur = first ? (t_end - first) / 1e9 : 0;
	if (!c.quiet)
		printf("udpgen: sent %llu packets (%llu bytes) in %.3f s: %.0f pps (target %s%.0f), "
		       "%llu send errors%s\n", (unsigned long long)sent,
		       (unsigned long long)sent * c.size, dur, dur > 0 ? sent / dur : 0,
		       c.rate > 0 ? "" : "max ", c.rate, (unsigned long long)errors,
		       interrupted ? " [interrupted]" : "");
	if (c.stats) {
		/* Renamed into place whole: a receiver waiting for it (vmm-mini
		 * --sender-stats) never reads half a row. */
		char tmp[4096];
		FILE *f;

		if (snprintf(tmp, sizeof(tmp), "%s.tmp", c.stats) >= (int)sizeof(tmp))
			die_usage("--stats %s: name too long", c.stats);
		f = fopen(tmp, "w");
		if (!f)
			die("--stats %s: %s", tmp, strerror(errno));
		fprintf(f, "#sent\tbytes\terrors\tduration_s\tachieved_pps\ttarget_pps\tpattern\tsize"
			"\tflow\tcomplete\tflows\tslips\tslipped_ns\n");
		fprintf(f, "%llu\t%llu\t%llu\t%.6f\t%.1f\t%.1f\t%s\t%u\t%u\t%d\t%u\t%llu\t%llu\n",
			(unsigned long long)sent, (unsigned long long)sent * c.size,
			(unsigned long long)errors, dur, dur > 0 ? sent / dur : 0, c.rate,
			pattern_names[c.pattern], c.size, c.flow, !interrupted, c.flows,
			(unsigned long long)slips, (unsigned long long)shift);
		if (fclose(f) || rename(tmp, c.stats))
			die("--stats %s: %s", c.stats, strerror(errno));
	}
	return interrupted ? EXIT_INTERRUPTED : 0;
}
