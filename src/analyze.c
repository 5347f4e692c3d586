/* analyze.c - `ccmdiag analyze FILE...`: recognise each input, read it into
 * events, and diagnose them together like a live run. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cli.h"
#include "engine.h"
#include "error.h"
#include "ingest.h"
#include "util.h"

/* The inputs the evidence bundle copies or quotes: files it can read
 * again by their path. */
struct kept {
	struct bundle_input *in;
	char **paths;
	size_t n, cap;
};

static void
keep_input(void *arg, const struct ingest_file *f,
    const struct ingest_reader *rd, const struct input *res)
{
	struct kept *k = arg;
	struct bundle_input *ni;
	char **np;
	size_t cap;

	(void)res;
	if (!f->reopen)
		return;
	if (k->n == k->cap) {
		cap = k->cap ? 2 * k->cap : 8;
		if ((ni = realloc(k->in, cap * sizeof(*ni))) == NULL)
			return;
		k->in = ni;
		if ((np = realloc(k->paths, cap * sizeof(*np))) == NULL)
			return;
		k->paths = np;
		k->cap = cap;
	}
	if ((k->paths[k->n] = strdup(f->path)) == NULL)
		return;
	k->in[k->n].path = k->paths[k->n];
	k->in[k->n].kind = rd == &ingest_pcap ? BUNDLE_CAPTURE : BUNDLE_LOG;
	k->n++;
}

/* "a.pcap, b.log and 3 more": the inputs as given, for the header. */
static void
name_target(struct report *r, int argc, char **argv)
{
	int i;

	r->target[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (strlen(r->target) + strlen(argv[i]) + 2 >=
		    sizeof(r->target) - 16) {
			strappendf(r->target, sizeof(r->target), " and %d more",
			    argc - i);
			break;
		}
		strappendf(r->target, sizeof(r->target), "%s%s", i ? ", " : "",
		    argv[i]);
	}
}

int
cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "evidence", required_argument, NULL, 'E' },
		{ "mp", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL, *output = NULL, *evidence = NULL;
	struct kept kept = { NULL, NULL, 0, 0 };
	const char *mps[8];
	int n_mps = 0;
	char errbuf[512];
	struct report r;
	size_t k;
	int c, i, rc = 0, verbose = 0, n_read = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'E':
			evidence = optarg;
			break;
		case 'M':
			if (n_mps == 8 || !optarg[0] ||
			    strlen(optarg) >= sizeof(((struct report *)0)->
			    mp_given[0])) {
				fprintf(stderr, "ccmdiag: --mp takes a host name, "
				    "at most 8 times\n");
				return 2;
			}
			mps[n_mps++] = optarg;
			break;
		case 'h':
			printf("usage: ccmdiag analyze [--format text|json|"
			    "markdown|html] [-o FILE] [-v]\n"
			    "                       [--evidence DIR] [--mp NAME]... "
			    "FILE...\n"
			    "Diagnose from what was recorded: packet captures "
			    "(pcap, pcapng), IIS logs,\nConfiguration Manager "
			    "logs, SQL traces; gzip'd, in a zip, or in a "
			    "directory.\n\"-\" reads standard input.  "
			    "--evidence DIR keeps the report in every\nformat, "
			    "the captures, the cited log lines and a SHA-256 "
			    "MANIFEST.  --mp NAME names a\nmanagement point, for "
			    "evidence where the client never reached it.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: ccmdiag analyze [options] FILE...\n");
		return 2;
	}
	if (format && report_writer_find(format) == NULL) {
		fprintf(stderr, "ccmdiag: unknown format '%s' (%s)\n", format,
		    report_writer_names());
		return 2;
	}
	if (evidence && cli_make_evidence_dir(evidence))
		return 3;
	report_init(&r, "analyze", NULL);
	name_target(&r, argc - optind, argv + optind);
	r.verbose = verbose;
	for (i = 0; i < n_mps; i++) {
		char *dot;

		strlcpy0(r.mp_given[i], mps[i], sizeof(r.mp_given[i]));
		dot = r.mp_given[i] + strlen(r.mp_given[i]) - 1;
		if (dot > r.mp_given[i] && *dot == '.')
			*dot = '\0';	/* a trailing dot: the same name */
	}
	r.n_mp_given = n_mps;
	for (i = optind; i < argc; i++)
		n_read += ingest_path(&r, argv[i], evidence ? keep_input : NULL,
		    &kept);
	/* what a reader keeps for the whole set (IIS logs of several days) */
	if (n_read > 0 && ingest_finish(&r, errbuf, sizeof(errbuf)) != 0)
		fprintf(stderr, "ccmdiag: %s\n", errbuf);
	if (n_read == 0) {
		rc = 3;		/* each input has said why on stderr */
	} else {
		engine_run(&r);
		rc = cli_write_report(&r, format, output);
		if (rc == 0 && evidence)
			rc = cli_write_bundle(&r, evidence, kept.in, kept.n);
		if (rc == 0)
			rc = engine_exit_code(&r);
	}
	for (k = 0; k < kept.n; k++)
		free(kept.paths[k]);
	free(kept.paths);
	free(kept.in);
	report_release(&r);
	return rc;
}
