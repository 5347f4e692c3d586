/* main.c - the ccmdiag command line: subcommands, options, exit codes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "cli.h"
#include "engine.h"
#include "http.h"
#include "privs.h"
#include "probe.h"
#include "resolver.h"
#include "util.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "probe", cmd_probe, "probe [options] MP_FQDN" },
	{ "analyze", cmd_analyze, "analyze [options] FILE..." },
	{ "register", cmd_register, "register --create-record [options] "
	    "MP_FQDN" },
	{ "mp-info", cmd_mp_info, "mp-info [--https] [--port N] [--cacert "
	    "FILE] MP_FQDN" },
	{ "demo", cmd_demo, "demo [--format text|json] [SCENARIO...]" },
	{ "findings", cmd_findings, "findings [--markdown]" },
	{ NULL, NULL, NULL },
};

static void
usage(FILE *out)
{
	int i;

	fprintf(out, "usage: ccmdiag COMMAND [options]\n\ncommands:\n");
	for (i = 0; commands[i].name; i++)
		fprintf(out, "  ccmdiag %s\n", commands[i].usage);
	fprintf(out, "\nccmdiag COMMAND --help describes each command.\n"
	    "exit status: 0 approved, 1 an error finding, 2 usage, "
	    "3 ccmdiag could not run the check\n");
}

int
cli_write_report(struct report *r, const char *format, const char *path)
{
	const struct report_writer *w;
	FILE *out = stdout;
	int rc;

	if (format == NULL)
		format = "text";
	if ((w = report_writer_find(format)) == NULL) {
		fprintf(stderr, "ccmdiag: unknown format '%s' (%s)\n", format,
		    report_writer_names());
		return 2;
	}
	if (path && (out = fopen(path, "w")) == NULL) {
		fprintf(stderr, "ccmdiag: cannot write %s: %s\n", path,
		    strerror(errno));
		return 3;
	}
	rc = w->write(r, out);
	if (out != stdout && fclose(out) != 0)
		rc = -1;
	if (rc != 0) {
		fprintf(stderr, "ccmdiag: writing the report failed\n");
		return 3;
	}
	return 0;
}

int
cli_make_evidence_dir(const char *dir)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "ccmdiag: cannot create %s: %s\n", dir,
		    strerror(errno));
		return 3;
	}
	return 0;
}

int
cli_write_bundle(struct report *r, const char *dir,
    const struct bundle_input *inputs, size_t n_inputs)
{
	char err[512];

	if (bundle_write(r, dir, inputs, n_inputs, err, sizeof(err)) != 0) {
		fprintf(stderr, "ccmdiag: evidence bundle: %s\n", err);
		return 3;
	}
	return 0;
}

/* The probe's bundle: the reports, and the capture it kept there. */
static int
probe_bundle(struct report *r, const char *dir)
{
	struct bundle_input kept = { "capture.pcapng", BUNDLE_IN_DIR };
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/capture.pcapng", dir);
	return cli_write_bundle(r, dir, &kept, lstat(path, &st) == 0 &&
	    S_ISREG(st.st_mode) ? 1 : 0);
}

int
cli_parse_timeout(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || v <= 0 || v > 3600) {
		fprintf(stderr, "ccmdiag: --timeout wants seconds between 0 "
		    "and 3600, not '%s'\n", s);
		return 2;
	}
	*out = v;
	return 0;
}

int
cli_parse_port(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > 65535) {
		fprintf(stderr, "ccmdiag: bad port '%s'\n", s);
		return 2;
	}
	*out = (int)v;
	return 0;
}

static void
probe_usage(FILE *out)
{
	fprintf(out,
	    "usage: ccmdiag probe [options] MP_FQDN\n"
	    "Reproduce a Configuration Manager client's approval path against "
	    "a management\npoint and name why the client would or would not "
	    "be approved.\n\n"
	    "  --keytab FILE [--principal NAME]  act as the machine account "
	    "(like the client\n"
	    "                      running as SYSTEM; default NAME: the "
	    "keytab's first NAME$);\n"
	    "                      without --keytab: the credential cache "
	    "(KRB5CCNAME)\n"
	    "  --timeout SECONDS   bound for the whole run (default 10)\n"
	    "  --port N            MP port (default 80, 443 with --https)\n"
	    "  --https             talk HTTPS to the MP (--cafile FILE for "
	    "trust anchors)\n"
	    "  --format text|json|markdown|html  report format (default text)"
	    "\n"
	    "  -o FILE             write the report to FILE\n"
	    "  --capture[=IFACE]   record the exchange with libpcap (default "
	    "when root)\n"
	    "  --no-capture        do not\n"
	    "  --evidence DIR      keep an evidence bundle in DIR: the capture "
	    "(capture.pcapng),\n"
	    "                      the report in every format, a SHA-256 "
	    "MANIFEST\n"
	    "  -v                  more detail\n");
}

int
cmd_probe(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "keytab", required_argument, NULL, 'k' },
		{ "principal", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'P' },
		{ "https", no_argument, NULL, 'H' },
		{ "cafile", required_argument, NULL, 'C' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "capture", optional_argument, NULL, 'c' },
		{ "no-capture", no_argument, NULL, 'N' },
		{ "evidence", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	struct probe_opts o;
	struct report r;
	const char *format = NULL, *output = NULL;
	char target[256];
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.timeout = 10;
	o.capture = geteuid() == 0 ? 1 : -1;	/* -1: off unless asked */
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o.keytab = optarg;
			break;
		case 'p':
			o.principal = optarg;
			break;
		case 't':
			if (cli_parse_timeout(optarg, &o.timeout))
				return 2;
			break;
		case 'P':
			if (cli_parse_port(optarg, &o.port))
				return 2;
			break;
		case 'H':
			o.https = 1;
			break;
		case 'C':
			o.cafile = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'v':
			o.verbose++;
			break;
		case 'c':
			o.capture = 2;
			if (optarg && !valid_hostname(optarg)) {
				fprintf(stderr, "ccmdiag: bad interface name "
				    "'%s'\n", optarg);
				return 2;
			}
			o.capture_iface = optarg;
			break;
		case 'N':
			o.capture = 0;
			break;
		case 'E':
			o.evidence_dir = optarg;
			break;
		case 'h':
			probe_usage(stdout);
			return 0;
		default:
			probe_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		probe_usage(stderr);
		return 2;
	}
	/* "mp.contoso.com." is the same name, as a resolver takes it */
	strlcpy0(target, argv[optind], sizeof(target));
	if (strlen(target) > 1 && target[strlen(target) - 1] == '.')
		target[strlen(target) - 1] = '\0';
	o.target = target;
	if (!valid_hostname(o.target) && !resolver_is_address(o.target)) {
		fprintf(stderr, "ccmdiag: '%s' is not a host name\n",
		    argv[optind]);
		return 2;
	}
	if (o.principal && o.keytab == NULL) {
		fprintf(stderr, "ccmdiag: --principal names a key in --keytab "
		    "FILE; without a keytab the credential cache decides\n");
		return 2;
	}
	if (o.keytab && access(o.keytab, R_OK) != 0) {
		fprintf(stderr, "ccmdiag: cannot read --keytab %s: %s\n",
		    o.keytab, strerror(errno));
		return 3;
	}
	if (o.cafile && access(o.cafile, R_OK) != 0) {
		fprintf(stderr, "ccmdiag: cannot read --cafile %s: %s\n",
		    o.cafile, strerror(errno));
		return 3;
	}
	if (o.evidence_dir && cli_make_evidence_dir(o.evidence_dir) != 0)
		return 3;
	if (o.capture == 2 && geteuid() != 0) {
		fprintf(stderr, "ccmdiag: --capture needs root (or CAP_NET_RAW)"
		    "\n");
		return 3;
	}
	if (o.capture == -1 && o.evidence_dir) {
		fprintf(stderr, "ccmdiag: --evidence keeps a capture, which "
		    "needs root\n");
		return 3;
	}
	o.capture = o.capture > 0;
	if (format && report_writer_find(format) == NULL) {
		fprintf(stderr, "ccmdiag: unknown format '%s' (%s)\n", format,
		    report_writer_names());
		return 2;
	}
	report_init(&r, "probe", o.target);
	r.verbose = o.verbose;
	privs_catch_signals();
	if ((rc = probe_run_all(&o, &r)) == 0) {
		engine_run(&r);
		rc = cli_write_report(&r, format, output);
		if (rc == 0 && o.evidence_dir)
			rc = probe_bundle(&r, o.evidence_dir);
		if (rc == 0)
			rc = engine_exit_code(&r);
	}
	report_release(&r);
	return rc;
}

int
main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ccmdiag %s\n", VERSION);
		return 0;
	}
	if (http_global_init() != 0) {
		fprintf(stderr, "ccmdiag: libcurl failed to initialise\n");
		return 3;
	}
	for (i = 0; commands[i].name; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "ccmdiag: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
