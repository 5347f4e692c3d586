/* cmd_analyze.c - `ccmdiag analyze FILE...`: recognise each input, read it
 * into events, and diagnose them together like a live run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cli.h"
#include "error.h"
#include "ingest.h"
#include "util.h"

enum { O_MP = 'M' };

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

static int
exec(struct cli *cli, int argc, char **argv)
{
	struct kept kept = { NULL, NULL, 0, 0 };
	const char *mps[8];
	int n_mps = 0;
	char errbuf[512];
	struct report r;
	size_t k;
	int c, i, rc = 0, n_read = 0;

	while ((c = cli_next(cli)) != -1) {
		switch (c) {
		case CLI_STOP:
			return cli->rc;
		case O_MP:
			if (n_mps == 8 || !cli->optarg[0] ||
			    strlen(cli->optarg) >= sizeof(((struct report *)0)->
			    mp_given[0]))
				return cli_usage_error(cli, "--mp takes a host "
				    "name, at most 8 times");
			mps[n_mps++] = cli->optarg;
			break;
		}
	}
	if (cli->optind >= argc)
		return cli_usage(cli);
	if ((rc = cli_check_outputs(cli, argv + cli->optind,
	    argc - cli->optind)) != 0)
		return rc;
	report_init(&r, "analyze", NULL);
	name_target(&r, argc - cli->optind, argv + cli->optind);
	r.verbose = cli->verbose;
	for (i = 0; i < n_mps; i++) {
		char *dot;

		strlcpy0(r.mp_given[i], mps[i], sizeof(r.mp_given[i]));
		dot = r.mp_given[i] + strlen(r.mp_given[i]) - 1;
		if (dot > r.mp_given[i] && *dot == '.')
			*dot = '\0';	/* a trailing dot: the same name */
	}
	r.n_mp_given = n_mps;
	for (i = cli->optind; i < argc; i++)
		n_read += ingest_path(&r, argv[i], cli->evidence ? keep_input :
		    NULL, &kept);
	/* what a reader keeps for the whole set (IIS logs of several days) */
	if (n_read > 0 && ingest_finish(&r, errbuf, sizeof(errbuf)) != 0)
		fprintf(stderr, "ccmdiag: %s\n", errbuf);
	/* with nothing read, each input has said why on stderr */
	rc = n_read == 0 ? 3 : cli_judge(cli, &r, kept.in, kept.n);
	for (k = 0; k < kept.n; k++)
		free(kept.paths[k]);
	free(kept.paths);
	free(kept.in);
	report_release(&r);
	return rc;
}

static const struct cli_option options[] = {
	{ "mp", 0, O_MP, CLI_ARG, "NAME", "the management point's name, for "
	  "evidence where the client never reached it (up to 8 times)" },
	CLI_OPT_EVIDENCE,
	CLI_OPT_REPORT,
	CLI_OPT_COMMON,
	CLI_OPT_END,
};

const struct cmd_entry cmd_analyze = {
	.name = "analyze",
	.args = "[options] FILE...",
	.summary = "diagnose from captures, IIS logs, CM logs and SQL traces",
	.about = "Diagnose from what was recorded: packet captures (pcap, "
	    "pcapng), IIS logs, Configuration Manager logs, SQL traces; "
	    "gzip'd, in a zip, or in a directory.  \"-\" reads standard "
	    "input.  Every input is listed in the report, read, cut or "
	    "unreadable.",
	.options = options,
	.exec = exec,
};
