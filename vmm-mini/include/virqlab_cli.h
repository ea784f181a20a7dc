/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virqlab_cli.h - the command-line convention every virqlab C program shares
 * (vmm-mini, udpgen, udprecv, virqstat): `--version` prints one line,
 * "NAME (virqlab) REVISION", and a long option must be written in full.
 *
 * getopt_long accepts any unambiguous prefix (`--rat 100` is `--rate 100`),
 * so a typo of today becomes a different option once one is added tomorrow,
 * and a script's flag is silently read as another. cli_getopt() calls
 * getopt_long and refuses a long option whose name, as written, is not the
 * table's: one stderr line naming it, exit 2, through the one error helper
 * (vmm/err.h: every program sets prog_name first and links err.o).
 *
 * VIRQLAB_VERSION is the build's `git describe --always --dirty`, passed by
 * the Makefile ("unknown" outside a git checkout); a program built without
 * it does not compile, rather than print a wrong revision.
 */
#ifndef VIRQLAB_CLI_H
#define VIRQLAB_CLI_H

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/err.h"

#ifndef VIRQLAB_VERSION
#error "VIRQLAB_VERSION undefined: build with make (the Makefile passes the git revision)"
#endif

#define CLI_EXIT_USAGE	2

static inline __attribute__((__noreturn__)) void cli_version(const char *prog)
{
	printf("%s (virqlab) %s\n", prog, VIRQLAB_VERSION);
	exit(0);
}

/*
 * getopt_long, except that a long option must be spelt in full. After it
 * returns option `opts[idx]`, the word that named it is argv[optind - 1], or
 * argv[optind - 2] when the value was the next word ("--rate 100"; with
 * "--rate=100" optarg points inside the word). GNU getopt has already moved
 * any skipped operands before them, so these indices hold.
 */
static inline int cli_getopt(int argc, char **argv, const char *shortopts,
			     const struct option *opts)
{
	int idx = -1;
	int c = getopt_long(argc, argv, shortopts, opts, &idx);
	const char *word, *name;
	size_t len;

	if (c == -1 || c == '?' || idx < 0)
		return c;
	word = optarg && optind >= 2 && optarg == argv[optind - 1] ? argv[optind - 2] :
								 argv[optind - 1];
	name = word + 2;
	len = strcspn(name, "=");
	if (strncmp(word, "--", 2) || len != strlen(opts[idx].name) ||
	    strncmp(name, opts[idx].name, len))
		die_code(CLI_EXIT_USAGE, "unknown option '%.*s' (abbreviations are refused; did "
			 "you mean '--%s'? see --help)", (int)(len + 2), word, opts[idx].name);
	return c;
}

#endif /* VIRQLAB_CLI_H */
