/* cmd_probe.c - `ccmdiag probe MP_FQDN`: the client's approval path,
 * replayed live against a management point (probes/). */
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "cli.h"
#include "privs.h"
#include "probe.h"
#include "util.h"

enum { O_CAPTURE = 'c', O_NO_CAPTURE = 'N' };

/* Frame numbers mean something only in a capture the reader can open. */
static void
forget_frames(struct report *r)
{
	size_t i;

	for (i = 0; i < r->n_steps; i++)
		r->steps[i].frames[0] = '\0';
}

static int
exec(struct cli *cli, int argc, char **argv)
{
	struct bundle_input kept = { "capture.pcapng", BUNDLE_IN_DIR };
	struct probe_opts o;
	struct report r;
	struct stat st;
	size_t n_kept = 1;
	char target[256], path[4096];
	char *inputs[2];
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.capture = geteuid() == 0 ? 1 : -1;	/* -1: off unless asked */
	while ((c = cli_next(cli)) != -1) {
		switch (c) {
		case CLI_STOP:
			return cli->rc;
		case O_CAPTURE:
			o.capture = 2;
			if (cli->optarg && !valid_hostname(cli->optarg))
				return cli_usage_error(cli, "bad interface name "
				    "'%s'", cli->optarg);
			o.capture_iface = cli->optarg;
			break;
		case O_NO_CAPTURE:
			o.capture = 0;
			break;
		}
	}
	if (cli->optind != argc - 1)
		return cli_usage(cli);
	if (cli_target(cli, argv[cli->optind], 1, target, sizeof(target)))
		return 2;
	o.target = target;
	o.timeout = cli->timeout;
	o.port = cli->port;
	o.https = cli->https;
	o.cafile = cli->cacert;
	o.keytab = cli->keytab;
	o.principal = cli->principal;
	o.evidence_dir = cli->evidence;
	o.verbose = cli->verbose;
	if (o.principal && o.keytab == NULL)
		return cli_usage_error(cli, "--principal names a key in --keytab "
		    "FILE; without a keytab the credential cache decides");
	if (o.cafile && !o.https)
		return cli_usage_error(cli, "--cacert verifies an HTTPS MP: add "
		    "--https (or give https://%s/)", target);
	if (o.keytab && access(o.keytab, R_OK) != 0) {
		fprintf(stderr, "ccmdiag: cannot read --keytab %s: %s\n",
		    o.keytab, strerror(errno));
		return 3;
	}
	if (o.cafile && access(o.cafile, R_OK) != 0) {
		fprintf(stderr, "ccmdiag: cannot read --cacert %s: %s\n",
		    o.cafile, strerror(errno));
		return 3;
	}
	if (o.capture == 2 && geteuid() != 0) {
		fprintf(stderr, "ccmdiag: --capture needs root (or CAP_NET_RAW)"
		    "\n");
		return 3;
	}
	if (o.capture == -1 && o.evidence_dir) {
		fprintf(stderr, "ccmdiag: --evidence keeps a capture, which "
		    "needs root (or CAP_NET_RAW); add --no-capture to keep the "
		    "reports alone\n");
		return 3;
	}
	o.capture = o.capture > 0;
	inputs[0] = (char *)o.keytab;
	inputs[1] = (char *)o.cafile;
	if ((rc = cli_check_outputs(cli, inputs, 2)) != 0)
		return rc;
	if (o.evidence_dir && cli->force) {
		/* a capture of an earlier run is not this run's */
		snprintf(path, sizeof(path), "%s/capture.pcapng", o.evidence_dir);
		(void)unlink(path);
	}
	report_init(&r, "probe", o.target);
	r.verbose = o.verbose;
	r.live_time = 1;
	privs_catch_signals();
	if ((rc = probe_run_all(&o, &r)) == 0) {
		snprintf(path, sizeof(path), "%s/capture.pcapng",
		    o.evidence_dir ? o.evidence_dir : ".");
		/* the capture it kept, if it could */
		if (!o.evidence_dir || lstat(path, &st) != 0 ||
		    !S_ISREG(st.st_mode)) {
			forget_frames(&r);
			n_kept = 0;
		}
		rc = cli_judge(cli, &r, &kept, n_kept);
	}
	report_release(&r);
	return rc;
}

static const struct cli_option options[] = {
	CLI_OPT_KEYTAB,
	CLI_OPT_PRINCIPAL,
	CLI_OPT_TIMEOUT,
	CLI_OPT_PORT,
	CLI_OPT_HTTPS,
	CLI_OPT_CACERT,
	{ "capture", 0, O_CAPTURE, CLI_OPTARG, "IFACE", "record the exchange "
	  "with libpcap, on IFACE or every interface (the default as root)" },
	{ "no-capture", 0, O_NO_CAPTURE, CLI_NOARG, NULL, "do not record it" },
	CLI_OPT_EVIDENCE,
	CLI_OPT_REPORT,
	CLI_OPT_COMMON,
	CLI_OPT_END,
};

const struct cmd_entry cmd_probe = {
	.name = "probe",
	.args = "[options] MP_FQDN",
	.summary = "replay a client's approval path against an MP, live",
	.about = "Reproduce a Configuration Manager client's approval path "
	    "against a management point (anonymous CCM_POST, 401 Negotiate, "
	    "a Kerberos ticket for HTTP/MP_FQDN, the SPNEGO re-post) and name "
	    "why the client would or would not be approved.  MP_FQDN may be "
	    "given as NAME, NAME:PORT or http(s)://NAME[:PORT]/.",
	.options = options,
	.timeout = 10,
	.exec = exec,
};
