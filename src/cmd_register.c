/* cmd_register.c - `ccmdiag register --create-record MP_FQDN`: a real
 * registration (src/register.c), which creates a client record on the
 * site and so is refused without --create-record. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

enum {
	O_CREATE = 'c', O_ANONYMOUS = 'a', O_NETBIOS = 'n', O_FQDN = 'q',
	O_CERT = 'C', O_KEY = 'K', O_MP_CERTS = 'M', O_PKCS12 = 'X',
	O_CRL = 'R', O_CONFIRM_WAIT = 'w',
};

static int
readable(const char *opt, const char *path)
{
	if (path == NULL || access(path, R_OK) == 0)
		return 0;
	fprintf(stderr, "ccmdiag: cannot read %s %s: %s\n", opt, path,
	    strerror(errno));
	return 3;
}

static int
exec(struct cli *cli, int argc, char **argv)
{
	struct register_opts o;
	struct report r;
	char target[256];
	char *inputs[8];
	int c, rc, create = 0;

	memset(&o, 0, sizeof(o));
	o.wait = 30;
	while ((c = cli_next(cli)) != -1) {
		switch (c) {
		case CLI_STOP:
			return cli->rc;
		case O_CREATE:
			create = 1;
			break;
		case O_ANONYMOUS:
			o.anonymous = 1;
			break;
		case O_NETBIOS:
			o.netbios = cli->optarg;
			break;
		case O_FQDN:
			o.fqdn = cli->optarg;
			break;
		case O_CERT:
			o.certfile = cli->optarg;
			break;
		case O_KEY:
			o.keyfile = cli->optarg;
			break;
		case O_MP_CERTS:
			o.mpcerts = cli->optarg;
			break;
		case O_PKCS12:
			o.p12 = cli->optarg;
			break;
		case O_CRL:
			o.crl = cli->optarg;
			break;
		case O_CONFIRM_WAIT:
			if (cli_parse_seconds("--confirm-wait", cli->optarg,
			    &o.wait))
				return 2;
			break;
		}
	}
	if (cli->optind != argc - 1)
		return cli_usage(cli);
	if (!create) {
		fprintf(stderr, "ccmdiag: register sends a real registration: "
		    "the site creates (or updates) a client record for %s, "
		    "which an administrator may have to delete afterwards; "
		    "add --create-record to do that, or use 'ccmdiag probe' "
		    "which changes nothing\n", argv[cli->optind]);
		return 2;
	}
	if (cli_target(cli, argv[cli->optind], 0, target, sizeof(target)))
		return 2;
	o.target = target;
	o.keytab = cli->keytab;
	o.principal = cli->principal;
	o.https = cli->https;
	o.port = cli->port;
	o.cacert = cli->cacert;
	o.timeout = cli->timeout;
	if ((o.keytab == NULL) != (o.principal == NULL) ||
	    (o.certfile == NULL) != (o.keyfile == NULL))
		return cli_usage_error(cli, "--keytab goes with --principal, "
		    "--cert with --key");
	if (o.p12 && o.certfile)
		return cli_usage_error(cli, "--pkcs12 replaces --cert and --key");
	if ((o.p12 || o.crl || o.cacert) && !o.https)
		return cli_usage_error(cli, "--pkcs12, --cacert and --crl go "
		    "with --https");
	if (o.https && o.keytab)
		return cli_usage_error(cli, "--https authenticates with the "
		    "client certificate, not --keytab");
	if ((rc = readable("--keytab", o.keytab)) ||
	    (rc = readable("--cacert", o.cacert)) ||
	    (rc = readable("--crl", o.crl)) ||
	    (rc = readable("--pkcs12", o.p12)) ||
	    (rc = readable("--cert", o.certfile)) ||
	    (rc = readable("--key", o.keyfile)))
		return rc;
	inputs[0] = (char *)o.keytab;
	inputs[1] = (char *)o.cacert;
	inputs[2] = (char *)o.crl;
	inputs[3] = (char *)o.p12;
	inputs[4] = (char *)o.certfile;
	inputs[5] = (char *)o.keyfile;
	inputs[6] = (char *)o.mpcerts;
	if ((rc = cli_check_outputs(cli, inputs, 7)) != 0)
		return rc;
	report_init(&r, "register", target);
	r.verbose = cli->verbose;
	r.live_time = 1;
	if ((rc = register_run(&o, &r)) <= 1)
		rc = cli_judge(cli, &r, NULL, 0);
	report_release(&r);
	return rc;
}

static const struct cli_option options[] = {
	{ "create-record", 0, O_CREATE, CLI_NOARG, NULL, "yes, register: "
	  "the site creates or updates a client record" },
	{ "anonymous", 0, O_ANONYMOUS, CLI_NOARG, NULL, "use "
	  "/ccm_system/request without Windows authentication" },
	CLI_OPT_HTTPS,
	{ "pkcs12", 0, O_PKCS12, CLI_ARG, "FILE", "certificate and key in "
	  "PKCS#12, as TLS client certificate and PKI registration "
	  "certificate (password: $CCMDIAG_PKCS12_PASSWORD)" },
	CLI_OPT_CACERT,
	{ "crl", 0, O_CRL, CLI_ARG, "FILE", "check the MP's TLS certificate "
	  "against these CRLs (PEM)" },
	CLI_OPT_KEYTAB,
	CLI_OPT_PRINCIPAL,
	{ "netbios", 0, O_NETBIOS, CLI_ARG, "NAME", "the client's NetBIOS "
	  "name (default: this host's)" },
	{ "fqdn", 0, O_FQDN, CLI_ARG, "NAME", "the client's FQDN (default: "
	  "this host's)" },
	{ "cert", 0, O_CERT, CLI_ARG, "PEM", "use this certificate, with "
	  "--key (default: a new self-signed one)" },
	{ "key", 0, O_KEY, CLI_ARG, "PEM", "the key of --cert" },
	{ "mp-certs", 0, O_MP_CERTS, CLI_ARG, "DIR|FILE", "trusted MP "
	  "signing certificates (PEM or DER) to verify the MP's reply "
	  "signature with, as the client's mpsigningcerts store" },
	{ "confirm-wait", 0, O_CONFIRM_WAIT, CLI_ARG, "SECONDS", "first wait "
	  "before confirming a Pending registration (default 30; doubles, "
	  "up to 300)" },
	CLI_OPT_TIMEOUT,
	CLI_OPT_PORT,
	CLI_OPT_REPORT,
	CLI_OPT_COMMON,
	CLI_OPT_END,
};

const struct cmd_entry cmd_register = {
	.name = "register",
	.args = "--create-record [options] MP_FQDN",
	.summary = "register a client for real (creates a record on the site)",
	.about = "Send a signed ClientRegistrationRequest as the agent does "
	    "(over ccm_system_windowsauth with Kerberos, ccm_system with "
	    "--anonymous, or HTTPS with a client certificate), confirm while "
	    "the MP answers Pending, and say whether the site approved the "
	    "client.  It creates a client record on the site, so it refuses "
	    "to run without --create-record.",
	.options = options,
	.timeout = 360,
	.exec = exec,
};
