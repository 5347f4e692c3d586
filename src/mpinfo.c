/*
 * mpinfo.c - `ccmdiag mp-info MP_FQDN`: the management point's anonymous
 * getauth.dll answers (/SMS_MP/.sms_aut?MPLIST, MPCERT, MPKEYINFORMATION,
 * SITESIGNCERT), read with libxml2 and shown: the MP list with its HTTPS
 * state (SSLState), the site code, and each certificate's subject, issuer
 * and validity.  Read-only: nothing is registered or changed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ccmmsg.h"
#include "cli.h"
#include "crypto.h"
#include "http.h"
#include "mpxml.h"
#include "util.h"

static const char *const verbs[] = {
	"MPLIST", "MPCERT", "MPKEYINFORMATION", "SITESIGNCERT",
};

static void
show_cert(void *arg, const char *elem, const char *hex)
{
	struct crypto_cert cc;
	uint8_t *der = NULL;
	size_t len = 0, i;
	char nb[40], na[40], sha[48];
	double now = now_real();

	(void)arg;
	if (ccm_unhex(hex, 1 << 20, &der, &len) != 0 ||
	    crypto_cert_decode(der, len, &cc) != 0) {
		printf("    %s: %zu hex digits, not an X.509 certificate\n", elem,
		    strlen(hex));
		free(der);
		return;
	}
	format_time(cc.not_before, nb, sizeof(nb));
	format_time(cc.not_after, na, sizeof(na));
	for (i = 0; i < 20; i++)
		snprintf(sha + 2 * i, 3, "%02X", cc.sha1[i]);
	printf("    %s: certificate %s\n      issuer %s%s\n      valid %s to "
	    "%s%s\n      %s %d bits, thumbprint %s\n", elem, cc.subject,
	    cc.issuer, cc.self_signed ? " (self-signed)" : "", nb, na,
	    now > cc.not_after ? " EXPIRED" : now < cc.not_before ?
	    " NOT YET VALID" : "", cc.key_type, cc.key_bits, sha);
	crypto_cert_release(&cc);
	free(der);
}

/* One GET; 0 when the MP answered 200 with XML. */
static int
verb(const struct http_request *base, const char *v)
{
	struct http_request req = *base;
	struct http_reply rep;
	struct http_content body;
	char path[64], *xml, *sum;
	int r = -1;

	snprintf(path, sizeof(path), "/SMS_MP/.sms_aut?%s", v);
	req.path = path;
	req.method = "GET";
	printf("%s\n", v);
	if (http_send(&req, NULL, &rep, &body) != 0) {
		printf("  could not send the request\n");
		return -1;
	}
	if (!rep.transport_ok) {
		printf("  no answer: %s\n", rep.errtext);
		goto out;
	}
	printf("  HTTP %ld, %zu bytes%s%s\n", rep.status, body.len,
	    body.content_type[0] ? ", " : "", body.content_type);
	if (rep.status != 200 || body.len == 0)
		goto out;
	if ((xml = malloc(body.len + 1)) == NULL ||
	    (sum = malloc(8192)) == NULL) {
		free(xml);
		goto out;
	}
	memcpy(xml, body.data, body.len);
	xml[body.len] = '\0';
	if (mpxml_summary(xml, body.len, sum, 8192) != 0) {
		printf("  not well-formed XML\n");
	} else {
		char *line = sum, *nl;

		for (; line && *line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			printf("  %.*s\n", nl ? (int)(nl - line) : (int)strlen(line),
			    line);
		}
		(void)mpxml_hex_values(xml, body.len, 200, show_cert, NULL);
		r = 0;
	}
	free(sum);
	free(xml);
out:
	http_content_release(&body);
	http_reply_release(&rep);
	return r;
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ccmdiag mp-info [options] MP_FQDN\n"
	    "Ask the management point, anonymously, for its MP list, "
	    "certificates and\nsite key information (/SMS_MP/.sms_aut) and "
	    "show them.\n\n"
	    "  --https             use HTTPS (port 443)\n"
	    "  --cacert FILE       CA certificates for the MP's TLS "
	    "certificate\n"
	    "  --port N            MP port (default 80, 443 with --https)\n"
	    "  --timeout SECONDS   per request (default 10)\n");
}

int
cmd_mp_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "https", no_argument, NULL, 'H' },
		{ "cacert", required_argument, NULL, 'A' },
		{ "port", required_argument, NULL, 'P' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct http_request req;
	size_t i, ok = 0;
	int c;

	memset(&req, 0, sizeof(req));
	req.timeout = 10;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			req.https = 1;
			break;
		case 'A':
			req.cafile = optarg;
			break;
		case 'P':
			req.port = atoi(optarg);
			if (req.port <= 0 || req.port > 65535) {
				fprintf(stderr, "ccmdiag: bad port '%s'\n",
				    optarg);
				return 2;
			}
			break;
		case 't':
			if (cli_parse_timeout(optarg, &req.timeout))
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	req.host = argv[optind];
	if (!valid_hostname(req.host)) {
		fprintf(stderr, "ccmdiag: '%s' is not a host name\n", req.host);
		return 2;
	}
	printf("management point %s over %s\n", req.host, req.https ? "HTTPS" :
	    "HTTP");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (verb(&req, verbs[i]) == 0)
			ok++;
	return ok ? 0 : 1;
}
