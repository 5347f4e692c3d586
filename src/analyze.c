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
	struct bundle_input *inputs = NULL;
	const char *mps[8];
	int n_mps = 0;
	char errbuf[512];
	struct report r;
	int c, i, rc = 0, verbose = 0;

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
			    "logs, SQL traces.  --evidence DIR keeps the report "
			    "in\nevery format, the captures, the cited log lines "
			    "and a SHA-256 MANIFEST.  --mp NAME names\na management "
			    "point, for evidence where the client never reached "
			    "it.\n");
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
	if (evidence && ((inputs = calloc((size_t)(argc - optind),
	    sizeof(*inputs))) == NULL || cli_make_evidence_dir(evidence))) {
		if (inputs == NULL)
			fprintf(stderr, "ccmdiag: out of memory\n");
		free(inputs);
		return 3;
	}
	report_init(&r, "analyze", argv[optind]);
	r.verbose = verbose;
	for (i = 0; i < n_mps; i++) {
		char *dot;

		strlcpy0(r.mp_given[i], mps[i], sizeof(r.mp_given[i]));
		dot = r.mp_given[i] + strlen(r.mp_given[i]) - 1;
		if (dot > r.mp_given[i] && *dot == '.')
			*dot = '\0';	/* a trailing dot: the same name */
	}
	r.n_mp_given = n_mps;
	for (i = optind; i < argc && rc == 0; i++) {
		const struct ingest_reader *rd = ingest_sniff(argv[i], errbuf,
		    sizeof(errbuf));

		if (rd == NULL || rd->read(argv[i], &r, errbuf,
		    sizeof(errbuf)) != 0) {
			fprintf(stderr, "ccmdiag: %s\n", errbuf);
			rc = 3;
		} else if (inputs) {
			inputs[i - optind].path = argv[i];
			inputs[i - optind].kind = rd == &ingest_pcap ?
			    BUNDLE_CAPTURE : BUNDLE_LOG;
		}
	}
	if (rc == 0 && ingest_finish(&r, errbuf, sizeof(errbuf)) != 0) {
		fprintf(stderr, "ccmdiag: %s\n", errbuf);
		rc = 3;
	}
	if (rc == 0) {
		engine_run(&r);
		rc = cli_write_report(&r, format, output);
		if (rc == 0 && evidence)
			rc = cli_write_bundle(&r, evidence, inputs,
			    (size_t)(argc - optind));
		if (rc == 0)
			rc = engine_exit_code(&r);
	}
	free(inputs);
	report_release(&r);
	return rc;
}
