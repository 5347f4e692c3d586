/*
 * cli.h - the command line: one `const struct cmd_entry` per command, the
 * options commands share (defined once, as CLI_OPT_* rows), and what a
 * command calls to check its arguments and write its report.
 *
 * Adding a command:
 *   1. src/cmd_<name>.c exporting only `const struct cmd_entry cmd_<name>`,
 *      with its options in a table that names the shared ones by CLI_OPT_*;
 *   2. a row in cmd_table[] (src/main.c);
 *   3. its options in docs/ccmdiag.1 and contrib/ccmdiag.bash
 *      (tests/docs-sync.sh fails until both list every option --help shows);
 *   4. its usage errors and help in tests/cli.sh.
 */
#ifndef CCMDIAG_CLI_H
#define CCMDIAG_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "report.h"

enum cli_arg { CLI_NOARG, CLI_ARG, CLI_OPTARG };

/* One option of a command.  help NULL: an alias, not listed by --help. */
struct cli_option {
	const char *name;		/* long name, without "--" */
	int letter;			/* short option, or 0 */
	int key;			/* what cli_next returns for it */
	enum cli_arg arg;
	const char *argname;		/* "FILE", for --help */
	const char *help;
};

/* Keys of the shared options; a command's own keys are below 256. */
enum cli_key {
	OPT_HELP = 256, OPT_VERSION, OPT_FORMAT, OPT_OUTPUT, OPT_VERBOSE,
	OPT_QUIET, OPT_COLOR, OPT_TIMEOUT, OPT_PORT, OPT_HTTPS, OPT_CACERT,
	OPT_KEYTAB, OPT_PRINCIPAL, OPT_EVIDENCE, OPT_FORCE,
};

#define CLI_OPT_END { NULL, 0, 0, CLI_NOARG, NULL, NULL }
#define CLI_OPT_KEYTAB \
	{ "keytab", 0, OPT_KEYTAB, CLI_ARG, "FILE", "act as the machine " \
	  "account whose keys FILE holds, as the client running as SYSTEM " \
	  "does; without it, the credential cache (KRB5CCNAME) is read, " \
	  "never written" }
#define CLI_OPT_PRINCIPAL \
	{ "principal", 0, OPT_PRINCIPAL, CLI_ARG, "NAME", "the principal " \
	  "in --keytab to act as (default: the keytab's first NAME$)" }
#define CLI_OPT_TIMEOUT \
	{ "timeout", 0, OPT_TIMEOUT, CLI_ARG, "SECONDS", "bound for the " \
	  "whole run" }
#define CLI_OPT_PORT \
	{ "port", 0, OPT_PORT, CLI_ARG, "N", "the MP's port (default 80, " \
	  "443 with --https); MP_FQDN:N says the same" }
#define CLI_OPT_HTTPS \
	{ "https", 0, OPT_HTTPS, CLI_NOARG, NULL, "talk HTTPS to the MP; " \
	  "https://MP_FQDN/ says the same" }
#define CLI_OPT_CACERT \
	{ "cacert", 0, OPT_CACERT, CLI_ARG, "FILE", "CA certificates (PEM) " \
	  "to verify the MP's TLS certificate with (with --https; " \
	  "--cafile is the same)" }, \
	{ "cafile", 0, OPT_CACERT, CLI_ARG, "FILE", NULL }
#define CLI_OPT_EVIDENCE \
	{ "evidence", 0, OPT_EVIDENCE, CLI_ARG, "DIR", "keep an evidence " \
	  "bundle in DIR (created 0700, files 0600): the report in every " \
	  "format, the captures, the cited log lines, a SHA-256 MANIFEST; " \
	  "DIR must be new or empty" }, \
	{ "force", 0, OPT_FORCE, CLI_NOARG, NULL, "let --evidence write " \
	  "into a directory that is not empty" }
#define CLI_OPT_COLOR \
	{ "color", 0, OPT_COLOR, CLI_OPTARG, "WHEN", "colour the text " \
	  "report: auto (on a terminal, unless NO_COLOR is set), always " \
	  "or never" }
/* What every report command shares. */
#define CLI_OPT_REPORT \
	{ "format", 0, OPT_FORMAT, CLI_ARG, "FORMAT", "report format: " \
	  "text, json, markdown or html (default text)" }, \
	{ "output", 'o', OPT_OUTPUT, CLI_ARG, "FILE", "write the report " \
	  "to FILE (checked before anything runs)" }, \
	{ "verbose", 'v', OPT_VERBOSE, CLI_NOARG, NULL, "more detail: the " \
	  "whole timeline" }, \
	{ "quiet", 'q', OPT_QUIET, CLI_NOARG, NULL, "print only the verdict " \
	  "line (the report still goes whole to -o FILE)" }, \
	CLI_OPT_COLOR
/* What every command has. */
#define CLI_OPT_COMMON \
	{ "help", 'h', OPT_HELP, CLI_NOARG, NULL, "show this help and exit" }, \
	{ "version", 'V', OPT_VERSION, CLI_NOARG, NULL, "show the version " \
	  "of ccmdiag and of its libraries and exit" }

struct cli;

#define CLI_MAX_OPTIONS	48

struct cmd_entry {
	const char *name;
	const char *args;		/* "[options] MP_FQDN" */
	const char *summary;		/* one line, for `ccmdiag help` */
	const char *about;		/* a paragraph, for --help */
	const struct cli_option *options;
	double timeout;			/* --timeout's default, 0: none */
	int (*exec)(struct cli *cli, int argc, char **argv);
};

extern const struct cmd_entry *const cmd_table[];
extern const struct cmd_entry cmd_probe, cmd_analyze, cmd_register,
    cmd_mp_info, cmd_demo, cmd_findings, cmd_help;

/* The parsed command line: the shared options' values and the parser. */
struct cli {
	const struct cmd_entry *cmd;
	const char *format, *output, *cacert, *keytab, *principal, *evidence;
	int verbose, quiet, color, https, port, force, timeout_set;
	double timeout;
	int argc;
	char **argv;
	const char *cmdline;		/* the whole command line, quoted */
	/* the parser */
	const char *optarg;
	int optind;
	int rc;				/* cli_next returned CLI_STOP */
	int built;
	struct option longopts[CLI_MAX_OPTIONS];
	char shortopts[32];
	/* -o FILE, opened before the run */
	int out_fd, out_created, out_written;
};

#define CLI_STOP	(-2)

/* Set cli up for cmd over argv (argv[0] the command's name). */
void cli_init(struct cli *cli, const struct cmd_entry *cmd, int argc,
    char **argv, const char *cmdline);
/*
 * The next option: a command's own key (its argument in cli->optarg), -1
 * when the options end (cli->optind the first operand), or CLI_STOP when
 * the command must return cli->rc (--help, --version, a usage error, with
 * what they print printed).  Shared options are stored in cli.
 */
int cli_next(struct cli *cli);
/* The usage line and a pointer to --help on stderr; returns 2. */
int cli_usage(struct cli *cli);
/* A usage error: "ccmdiag: MSG"; returns 2. */
int cli_usage_error(struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The command's help on out. */
void cli_help(const struct cmd_entry *cmd, FILE *out);
/* Every command, one line each (src/cmd_help.c). */
void help_overview(FILE *out);
/* "ccmdiag 0.1.0" and the libraries' versions. */
void cli_version(FILE *out);

/* Parse helpers: 0, or 2 with a one-line message. */
int cli_parse_seconds(const char *opt, const char *s, double *out);
int cli_parse_port(const char *s, int *out);
/*
 * The MP as given: "mp01", "mp01.", "mp01:8080", "http://mp01/",
 * "https://mp01:8443/", an address.  The host goes to host; a port or an
 * https:// sets cli's --port/--https when they were not given (a conflict
 * is a usage error).  0, or 2 with the option to use said.
 */
int cli_target(struct cli *cli, const char *arg, int allow_address,
    char *host, size_t n);
/* After the command: close -o FILE, removing it when ccmdiag made it and
 * wrote no report. */
void cli_release(struct cli *cli);

/*
 * Before anything runs: the report can go to -o FILE, which is none of
 * inputs (nor inside an input directory); --evidence DIR is none of them
 * and holds none, is new or empty (or --force), and is made 0700.
 * Returns 0, 2 or 3 with a message.
 */
int cli_check_outputs(struct cli *cli, char *const inputs[], int n_inputs);
/* The report: the whole of it to -o FILE (or stdout), and with -q only the
 * verdict line on stdout.  0, or 3 with the path and the reason said. */
int cli_write_report(struct cli *cli, struct report *r);
struct bundle_input;
/* --evidence DIR filled; 0 or 3 with a message. */
int cli_write_bundle(struct cli *cli, struct report *r,
    const struct bundle_input *inputs, size_t n_inputs);
/* The end of a run: the engine's verdict on r, the report written, the
 * bundle (with --evidence) made of kept; the exit status. */
int cli_judge(struct cli *cli, struct report *r,
    const struct bundle_input *kept, size_t n_kept);

/* The live commands' work, outside the command files. */
struct register_opts {
	const char *target, *netbios, *fqdn, *keytab, *principal;
	const char *certfile, *keyfile, *mpcerts, *cacert, *crl, *p12;
	int anonymous, https, port;
	double timeout, wait;
};
/* Register o->target in r; 0 or 1 with r ready for the engine, 3 when
 * ccmdiag could not run (said on stderr). */
int register_run(const struct register_opts *o, struct report *r);

struct mpinfo_opts {
	const char *host, *cacert;
	int https, port;
	double timeout;
};
/* Ask o->host's .sms_aut; 0 with r ready for the engine, 3 when a
 * request could not be sent (said on stderr). */
int mpinfo_run(const struct mpinfo_opts *o, struct report *r);

#endif
