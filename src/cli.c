/* cli.c - what every command shares: its options parsed from one table,
 * --help and --version, and the checks of arguments and outputs. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "cli.h"
#include "crypto.h"
#include "http.h"
#include "ingest.h"
#include "resolver.h"
#include "util.h"

#define HELP_WIDTH	78	/* --help is read in files and tests too */
#define HELP_COLUMN	24

/* ---- --help ----------------------------------------------------------- */

/* text from column col on, wrapped at HELP_WIDTH, later lines at indent */
static void
wrap(FILE *out, const char *text, size_t col, size_t indent)
{
	const char *p = text;
	size_t w;
	int first = 1;

	while (*p) {
		w = strcspn(p, " ");
		if (!first && col + 1 + w > HELP_WIDTH) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += w;
		first = 0;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

static void
option_spec(const struct cli_option *o, char *buf, size_t n)
{
	buf[0] = '\0';
	if (o->letter)
		snprintf(buf, n, "-%c, ", o->letter);
	strappendf(buf, n, "--%s", o->name);
	if (o->arg == CLI_ARG)
		strappendf(buf, n, " %s", o->argname);
	else if (o->arg == CLI_OPTARG)
		strappendf(buf, n, "[=%s]", o->argname);
}

void
cli_help(const struct cmd_entry *cmd, FILE *out)
{
	const struct cli_option *o;
	char spec[64], help[512];

	fprintf(out, "usage: ccmdiag %s %s\n", cmd->name, cmd->args);
	wrap(out, cmd->about, 0, 0);
	fputs("\noptions:\n", out);
	for (o = cmd->options; o->name; o++) {
		if (o->help == NULL)
			continue;
		option_spec(o, spec, sizeof(spec));
		strlcpy0(help, o->help, sizeof(help));
		if (o->key == OPT_TIMEOUT && cmd->timeout > 0)
			strappendf(help, sizeof(help), " (default %g)",
			    cmd->timeout);
		if (strlen(spec) + 2 + 2 > HELP_COLUMN)
			fprintf(out, "  %s\n%*s", spec, HELP_COLUMN, "");
		else
			fprintf(out, "  %-*s", HELP_COLUMN - 2, spec);
		wrap(out, help, HELP_COLUMN, HELP_COLUMN);
	}
}

/* ---- --version -------------------------------------------------------- */

/* "libpcap version 1.10.3 (...)" -> "1.10.3 (...)" */
static const char *
bare(const char *v, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(v, name, n) == 0 && v[n] == ' ')
		v += n + 1;
	if (strncmp(v, "version ", 8) == 0)
		v += 8;
	return v;
}

void
cli_version(FILE *out)
{
	fprintf(out, "ccmdiag %s\n", VERSION);
	fprintf(out, "  krb5        %s (MIT, as built)\n", KRB5_MODVERSION);
	fprintf(out, "  libcurl     %s\n", bare(http_lib_version(),
	    "libcurl"));
	fprintf(out, "  OpenSSL     %s\n", bare(crypto_lib_version(),
	    "OpenSSL"));
	fprintf(out, "  libpcap     %s\n", bare(capture_lib_version(),
	    "libpcap"));
	fprintf(out, "  libarchive  %s\n", bare(ingest_archive_version(),
	    "libarchive"));
}

/* ---- parsing ---------------------------------------------------------- */

void
cli_init(struct cli *cli, const struct cmd_entry *cmd, int argc, char **argv,
    const char *cmdline)
{
	memset(cli, 0, sizeof(*cli));
	cli->cmd = cmd;
	cli->argc = argc;
	cli->argv = argv;
	cli->cmdline = cmdline;
	cli->timeout = cmd->timeout;
	cli->color = -1;
	cli->out_fd = -1;
	cli->optind = 1;
}

int
cli_usage_error(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fputs("ccmdiag: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli->rc = 2;
	return 2;
}

int
cli_usage(struct cli *cli)
{
	fprintf(stderr, "usage: ccmdiag %s %s\n(ccmdiag %s --help lists "
	    "the options)\n", cli->cmd->name, cli->cmd->args, cli->cmd->name);
	cli->rc = 2;
	return 2;
}

int
cli_parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v <= 0 || v > 3600) {
		fprintf(stderr, "ccmdiag: %s wants seconds between 0 and 3600, "
		    "not '%s'\n", opt, s);
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
		fprintf(stderr, "ccmdiag: bad port '%s' (1 to 65535)\n", s);
		return 2;
	}
	*out = (int)v;
	return 0;
}

static void
build(struct cli *cli)
{
	const struct cli_option *o;
	size_t n = 0, s = 0;

	cli->shortopts[s++] = ':';	/* missing arguments: ':' */
	for (o = cli->cmd->options; o->name && n + 1 < CLI_MAX_OPTIONS; o++) {
		cli->longopts[n].name = o->name;
		cli->longopts[n].has_arg = o->arg == CLI_ARG ?
		    required_argument : o->arg == CLI_OPTARG ?
		    optional_argument : no_argument;
		cli->longopts[n].flag = NULL;
		cli->longopts[n].val = o->key;
		n++;
		if (o->letter && s + 3 < sizeof(cli->shortopts)) {
			cli->shortopts[s++] = (char)o->letter;
			if (o->arg == CLI_ARG)
				cli->shortopts[s++] = ':';
		}
	}
	memset(&cli->longopts[n], 0, sizeof(cli->longopts[n]));
	cli->shortopts[s] = '\0';
}

/* the key of a short option */
static int
letter_key(const struct cli *cli, int c)
{
	const struct cli_option *o;

	for (o = cli->cmd->options; o->name; o++)
		if (o->letter == c)
			return o->key;
	return -1;
}

/* A shared option's value into cli: 0, or CLI_STOP. */
static int
shared(struct cli *cli, int key, const char *arg)
{
	switch (key) {
	case OPT_HELP:
		cli_help(cli->cmd, stdout);
		cli->rc = 0;
		return CLI_STOP;
	case OPT_VERSION:
		cli_version(stdout);
		cli->rc = 0;
		return CLI_STOP;
	case OPT_FORMAT:
		if (report_writer_find(arg) == NULL) {
			cli_usage_error(cli, "unknown format '%s' (%s)", arg,
			    report_writer_names());
			return CLI_STOP;
		}
		cli->format = arg;
		return 0;
	case OPT_OUTPUT:
		if (!arg[0]) {
			cli_usage_error(cli, "-o wants a file name");
			return CLI_STOP;
		}
		cli->output = strcmp(arg, "-") == 0 ? NULL : arg;
		return 0;
	case OPT_VERBOSE:
		cli->verbose++;
		return 0;
	case OPT_QUIET:
		cli->quiet = 1;
		return 0;
	case OPT_COLOR:
		if (arg == NULL || strcmp(arg, "always") == 0)
			cli->color = 1;
		else if (strcmp(arg, "never") == 0)
			cli->color = 0;
		else if (strcmp(arg, "auto") == 0)
			cli->color = -1;
		else {
			cli_usage_error(cli, "--color is auto, always or never, "
			    "not '%s'", arg);
			return CLI_STOP;
		}
		return 0;
	case OPT_TIMEOUT:
		if (cli_parse_seconds("--timeout", arg, &cli->timeout) != 0) {
			cli->rc = 2;
			return CLI_STOP;
		}
		cli->timeout_set = 1;
		return 0;
	case OPT_PORT:
		if (cli_parse_port(arg, &cli->port) != 0) {
			cli->rc = 2;
			return CLI_STOP;
		}
		return 0;
	case OPT_HTTPS:
		cli->https = 1;
		return 0;
	case OPT_CACERT:
		cli->cacert = arg;
		return 0;
	case OPT_KEYTAB:
		cli->keytab = arg;
		return 0;
	case OPT_PRINCIPAL:
		cli->principal = arg;
		return 0;
	case OPT_EVIDENCE:
		cli->evidence = arg;
		return 0;
	case OPT_FORCE:
		cli->force = 1;
		return 0;
	}
	return 0;
}

int
cli_next(struct cli *cli)
{
	int c, key, longindex;

	if (!cli->built) {
		build(cli);
		cli->built = 1;
		optind = 1;
	}
	opterr = 0;
	for (;;) {
		longindex = -1;
		c = getopt_long(cli->argc, cli->argv, cli->shortopts,
		    cli->longopts, &longindex);
		cli->optind = optind;
		cli->optarg = optarg;
		if (c == -1)
			return -1;
		if (c == '?' || c == ':') {
			/* what was typed: "--nosuch", "--format" at the end,
			 * or a short option's letter */
			const char *arg = cli->argv[optind - 1];

			if (c == ':')
				fprintf(stderr, "ccmdiag %s: '%s' wants an "
				    "argument\n", cli->cmd->name, arg);
			else if (optopt > 0 && optopt < 256 && arg[1] != '-')
				fprintf(stderr, "ccmdiag %s: unknown option "
				    "'-%c'\n", cli->cmd->name, optopt);
			else
				fprintf(stderr, "ccmdiag %s: unknown option "
				    "'%s'\n", cli->cmd->name, arg);
			cli_usage(cli);
			return CLI_STOP;
		}
		key = longindex >= 0 ? c : letter_key(cli, c);
		if (key < 256)
			return key;
		if (shared(cli, key, optarg) == CLI_STOP)
			return CLI_STOP;
	}
}

/* ---- the MP as given -------------------------------------------------- */

int
cli_target(struct cli *cli, const char *arg, int allow_address, char *host,
    size_t n)
{
	char buf[512], *h, *p, *port = NULL, *path = NULL;
	int https = -1, pn;
	size_t len;

	if (strlen(arg) >= sizeof(buf) - 1)
		return cli_usage_error(cli, "'%.60s...' is not a host name",
		    arg);
	strlcpy0(buf, arg, sizeof(buf));
	h = buf;
	if (strncasecmp(h, "http://", 7) == 0) {
		https = 0;
		h += 7;
	} else if (strncasecmp(h, "https://", 8) == 0) {
		https = 1;
		h += 8;
	} else if ((p = strstr(h, "://")) != NULL) {
		*p = '\0';
		return cli_usage_error(cli, "'%s': ccmdiag speaks http:// and "
		    "https://, not %s://", arg, h);
	}
	if (https >= 0 && (path = strchr(h, '/')) != NULL)
		*path++ = '\0';
	if (h[0] == '[' && (p = strchr(h, ']')) != NULL) {
		*p = '\0';
		if (p[1] == ':')
			port = p + 2;
		else if (p[1])
			return cli_usage_error(cli, "'%s' is not a host name",
			    arg);
		h++;
	} else if ((p = strchr(h, ':')) != NULL && strchr(p + 1, ':') ==
	    NULL) {
		*p = '\0';
		port = p + 1;	/* one colon: NAME:PORT; more: IPv6 */
	}
	if (path && path[0])
		return cli_usage_error(cli, "'%s': give the MP's name, not a "
		    "path on it: %s%s", arg, https == 1 ? "--https " : "", h);
	if (port) {
		char *end;
		long v;

		errno = 0;
		v = strtol(port, &end, 10);
		if (errno || end == port || *end || v <= 0 || v > 65535)
			return cli_usage_error(cli, "'%s': '%s' after ':' is not "
			    "a port; give the name alone and --port N", arg,
			    port);
		pn = (int)v;
		if (cli->port && cli->port != pn)
			return cli_usage_error(cli, "'%s' says port %d but "
			    "--port says %d", arg, pn, cli->port);
		cli->port = pn;
	}
	if (https == 0 && cli->https)
		return cli_usage_error(cli, "'%s' says http:// but --https was "
		    "given", arg);
	if (https == 1)
		cli->https = 1;
	/* "mp.contoso.com." is the same name, as a resolver takes it */
	len = strlen(h);
	if (len > 1 && h[len - 1] == '.')
		h[len - 1] = '\0';
	if (!valid_hostname(h) && !(allow_address && resolver_is_address(h))) {
		if (strchr(h, '/'))
			return cli_usage_error(cli, "'%s' is not a host name; "
			    "for a URL write http://NAME/ or https://NAME/",
			    arg);
		return cli_usage_error(cli, "'%s' is not a host name", arg);
	}
	strlcpy0(host, h, n);
	return 0;
}
