/* cmd_mp_info.c - `ccmdiag mp-info MP_FQDN`: the management point's
 * anonymous .sms_aut answers (src/mpinfo.c), judged by the engine. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

static int
exec(struct cli *cli, int argc, char **argv)
{
	struct mpinfo_opts o;
	struct report r;
	char host[256];
	char *inputs[1];
	int c, rc;

	while ((c = cli_next(cli)) != -1)
		if (c == CLI_STOP)
			return cli->rc;
	if (cli->optind != argc - 1)
		return cli_usage(cli);
	if (cli_target(cli, argv[cli->optind], 0, host, sizeof(host)))
		return 2;
	memset(&o, 0, sizeof(o));
	o.host = host;
	o.https = cli->https;
	o.port = cli->port;
	o.cacert = cli->cacert;
	o.timeout = cli->timeout;
	if (o.cacert && !o.https)
		return cli_usage_error(cli, "--cacert verifies an HTTPS MP: add "
		    "--https (or give https://%s/)", host);
	if (o.cacert && access(o.cacert, R_OK) != 0) {
		fprintf(stderr, "ccmdiag: cannot read --cacert %s: %s\n",
		    o.cacert, strerror(errno));
		return 3;
	}
	inputs[0] = (char *)o.cacert;
	if ((rc = cli_check_outputs(cli, inputs, 1)) != 0)
		return rc;
	report_init(&r, "mp-info", host);
	r.verbose = cli->verbose;
	r.live_time = 1;
	if ((rc = mpinfo_run(&o, &r)) == 0)
		rc = cli_judge(cli, &r, NULL, 0);
	report_release(&r);
	return rc;
}

static const struct cli_option options[] = {
	CLI_OPT_HTTPS,
	CLI_OPT_CACERT,
	CLI_OPT_PORT,
	CLI_OPT_TIMEOUT,
	CLI_OPT_REPORT,
	CLI_OPT_COMMON,
	CLI_OPT_END,
};

const struct cmd_entry cmd_mp_info = {
	.name = "mp-info",
	.args = "[options] MP_FQDN",
	.summary = "the MP's anonymous answers: MP list, certificates, site",
	.about = "Ask the management point, anonymously and read-only, for "
	    "its MP list, certificates and site key information "
	    "(/SMS_MP/.sms_aut?MPLIST, MPCERT, MPKEYINFORMATION, "
	    "SITESIGNCERT) and report what they show: the site code, each "
	    "MP's HTTPS state (SSLState) and each certificate's validity.",
	.options = options,
	.timeout = 10,
	.exec = exec,
};
