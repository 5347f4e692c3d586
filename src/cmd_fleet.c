/* cmd_fleet.c - `ccmdiag fleet FILE`: every client identity the file names
 * against every management point it names, many at once (src/fleet.c). */
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "fleet.h"
#include "ingest.h"
#include "privs.h"
#include "util.h"

#define MAX_FILE	(16 * 1024 * 1024)
#define DEFAULT_JOBS	8
#define OUT_BUFFER	(1024 * 1024)	/* more than a target's document */

enum { O_JOBS = 'j' };

struct sink {
	const struct fleet_writer *w;
	FILE *out;
};

static int
to_sink(void *arg, const struct fleet_run *run, size_t i)
{
	struct sink *s = arg;

	if (s->w->target == NULL)
		return 0;
	if (s->w->target(run, i, s->out) != 0)
		return -1;
	return fflush(s->out) == 0 ? 0 : -1;
}

struct bad_lines {
	const char *path;
	unsigned long n;
};

static void
bad_line(void *arg, unsigned long line, const char *why)
{
	struct bad_lines *b = arg;

	fprintf(stderr, "ccmdiag: %s:%lu: %s; line skipped\n", b->path, line,
	    why);
	b->n++;
}

/* The targets file whole ("-": standard input); 0, or 3 with why. */
static int
read_file(const char *path, uint8_t **buf, size_t *len, char *why,
    size_t wn)
{
	struct ingest_file f;
	uint8_t *p = NULL, *np;
	size_t cap = 0, n = 0;
	ssize_t got;
	char err[512];

	if (ingest_open(&f, path, err, sizeof(err)) != 0) {
		snprintf(why, wn, "%s: %s", path, err);
		return 3;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > MAX_FILE + 1 || (np = realloc(p, cap)) ==
			    NULL) {
				snprintf(why, wn, "%s: more than %d MiB of "
				    "targets", path, MAX_FILE >> 20);
				free(p);
				ingest_close(&f);
				return 3;
			}
			p = np;
		}
		if ((got = ingest_read(&f, p + n, cap - n)) < 0) {
			snprintf(why, wn, "cannot read %s: %s", path,
			    ingest_error(&f));
			free(p);
			ingest_close(&f);
			return 3;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	ingest_close(&f);
	*buf = p;
	*len = n;
	return 0;
}

/*
 * Where the report goes: -o FILE (opened before the run) or stdout, with a
 * buffer that holds a whole target's document, so each goes out in one
 * write (a file appended to by several runs, a shipper tailing it).
 */
static FILE *
output(struct cli *cli)
{
	FILE *f;
	struct stat st;
	int fd;

	if (!cli->output || cli->out_fd < 0) {
		setvbuf(stdout, NULL, _IOFBF, OUT_BUFFER);
		return stdout;
	}
	if (fstat(cli->out_fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    ftruncate(cli->out_fd, 0) != 0)
		return NULL;
	if ((fd = dup(cli->out_fd)) < 0 || (f = fdopen(fd, "w")) == NULL)
		return NULL;
	setvbuf(f, NULL, _IOFBF, OUT_BUFFER);
	cli->out_written = 1;
	if (cli->out_created)
		privs_tmp_forget(cli->output);
	return f;
}

static int
is_nagios(const struct cli *cli)
{
	return cli->format && strcmp(cli->format, "nagios") == 0;
}

/* A run that could not be made: said, and for a monitoring plugin on
 * standard output too; the exit status. */
static int
not_run(const struct cli *cli, int rc, const char *why)
{
	if (why[0])
		fprintf(stderr, "ccmdiag: %s\n", why);
	if (!is_nagios(cli))
		return rc;
	nagios_unknown(stdout, why[0] ? why : "usage error (ccmdiag fleet "
	    "--help)");
	return nagios_exit_code(NAGIOS_UNKNOWN);
}

static int
run(struct cli *cli, const char *path, int jobs)
{
	struct fleet_defaults def;
	struct fleet_opts fo;
	struct fleet_run fr;
	struct fleet_target *t = NULL;
	struct bad_lines bad = { path, 0 };
	struct sink sink;
	char why[1200] = "", sum[200];
	char *inputs[3];
	uint8_t *buf = NULL;
	size_t len = 0, n = 0;
	int rc, failed = 0;

	if ((rc = read_file(path, &buf, &len, why, sizeof(why))) != 0)
		return not_run(cli, rc, why);
	memset(&def, 0, sizeof(def));
	def.principal = cli->principal;
	def.keytab = cli->keytab;
	def.port = cli->port;
	def.https = cli->https;
	rc = fleet_parse(buf, len, &def, bad_line, &bad, &t, &n);
	free(buf);
	if (rc != 0) {
		snprintf(why, sizeof(why), "%s: %s", path, rc == ERR_TOO_LARGE ?
		    "more than 100000 targets" : err_str(rc));
		return not_run(cli, 3, why);
	}
	if (n == 0) {
		free(t);
		snprintf(why, sizeof(why), "%s names no target%s", path,
		    bad.n ? " that can be checked" : " (a line is MP_FQDN "
		    "[PRINCIPAL [KEYTAB]])");
		return not_run(cli, 2, why);
	}
	inputs[0] = (char *)path;
	inputs[1] = (char *)cli->keytab;
	inputs[2] = (char *)cli->cacert;
	if ((rc = cli_check_outputs(cli, inputs, 3)) != 0) {
		free(t);
		return not_run(cli, rc, "");
	}
	sink.w = fleet_writer_find(cli->format ? cli->format : "text");
	if ((sink.out = output(cli)) == NULL) {
		free(t);
		snprintf(why, sizeof(why), "cannot write the report to %s: %s",
		    cli->output, strerror(errno));
		return not_run(cli, 3, why);
	}
	memset(&fo, 0, sizeof(fo));
	fo.jobs = jobs;
	fo.timeout = cli->timeout;
	fo.cafile = cli->cacert;
	fo.verbose = cli->verbose;
	fo.sink = to_sink;
	fo.sink_arg = &sink;
	privs_catch_signals();
	/* no capture: nothing a privilege is needed for */
	if (geteuid() == 0)
		(void)privs_drop();
	if (sink.w->begin && sink.w->begin(NULL, sink.out) != 0)
		failed = 1;
	if ((rc = fleet_run(&fr, &fo, t, n, why, sizeof(why))) != 0) {
		fleet_run_release(&fr);
		if (sink.out != stdout)
			fclose(sink.out);
		return not_run(cli, rc, why);
	}
	if (cli->quiet && sink.out == stdout) {
		fleet_summary(&fr, sum, sizeof(sum));
		printf("FLEET: %s\n", sum);
	} else if (sink.w->end && sink.w->end(&fr, sink.out) != 0) {
		failed = 1;
	}
	if (cli->quiet && sink.out != stdout) {
		fleet_summary(&fr, sum, sizeof(sum));
		printf("FLEET: %s\n", sum);
	}
	if ((sink.out != stdout ? fclose(sink.out) : fflush(stdout)) != 0)
		failed = 1;
	if (failed || fr.sink_failed) {
		fprintf(stderr, "ccmdiag: cannot write the report to %s\n",
		    cli->output ? cli->output : "standard output");
		rc = 3;
	} else if (is_nagios(cli)) {
		rc = nagios_exit_code(fleet_state(&fr));
	} else {
		rc = fleet_exit_code(&fr);
	}
	fleet_run_release(&fr);
	return rc;
}

static int
exec(struct cli *cli, int argc, char **argv)
{
	char *end;
	long jobs = DEFAULT_JOBS;
	int c;

	while ((c = cli_next(cli)) != -1) {
		switch (c) {
		case CLI_STOP:
			return cli->rc == 2 ? not_run(cli, 2, "") : cli->rc;
		case O_JOBS:
			errno = 0;
			jobs = strtol(cli->optarg, &end, 10);
			if (errno || end == cli->optarg || *end || jobs < 1 ||
			    jobs > FLEET_MAX_JOBS) {
				cli_usage_error(cli, "-j wants a number of "
				    "targets at once, 1 to %d, not '%s'",
				    FLEET_MAX_JOBS, cli->optarg);
				return not_run(cli, 2, "");
			}
			break;
		}
	}
	if (cli->optind != argc - 1) {
		cli_usage(cli);
		return not_run(cli, 2, "");
	}
	if (cli->principal && cli->keytab == NULL) {
		cli_usage_error(cli, "--principal names a key in --keytab FILE; "
		    "without a keytab the credential cache decides");
		return not_run(cli, 2, "");
	}
	if (cli->cacert && !cli->https) {
		cli_usage_error(cli, "--cacert verifies HTTPS MPs: add --https "
		    "(or name them https://NAME/ in the file)");
		return not_run(cli, 2, "");
	}
	return run(cli, argv[cli->optind], (int)jobs);
}

static const struct cli_option options[] = {
	{ "jobs", 'j', O_JOBS, CLI_ARG, "N", "check N targets at once "
	  "(default 8, at most 64)" },
	CLI_OPT_KEYTAB,
	CLI_OPT_PRINCIPAL,
	{ "timeout", 0, OPT_TIMEOUT, CLI_ARG, "SECONDS", "bound for each "
	  "target's check" },
	CLI_OPT_PORT,
	CLI_OPT_HTTPS,
	CLI_OPT_CACERT,
	CLI_OPT_REPORT,
	CLI_OPT_COMMON,
	CLI_OPT_END,
};

const struct cmd_entry cmd_fleet = {
	.name = "fleet",
	.args = "[options] FILE",
	.summary = "every client domain against every MP, at once",
	.about = "Run the whole probe (dns, anon-post, clock, ticket, "
	    "spnego-post, ldap) for every line of FILE (- for standard "
	    "input): MP_FQDN [PRINCIPAL [KEYTAB]], '#' starting a comment.  "
	    "A line without PRINCIPAL acts as --principal/--keytab, without "
	    "them as the credential cache.  Targets run N at once, each "
	    "within --timeout; each identity gets its TGT once for the run, "
	    "and each DNS question ccmdiag asks is asked once (the KDCs of "
	    "the realms the lines name are found first, for the library "
	    "too).  "
	    "The report is a matrix of "
	    "client identities by MPs and the findings grouped by root cause; "
	    "jsonl gives one ccmdiag/1 document a target, nagios one status "
	    "line for the run.  The exit status is the worst of the targets'.",
	.options = options,
	.timeout = 10,
	.formats = FLEET_FORMATS,
	.exec = exec,
};
