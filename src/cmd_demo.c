/* cmd_demo.c - `ccmdiag demo`: bring up the built-in lab (or use the one
 * that is up), run the probe in every scenario and show each diagnosis. */
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

extern char **environ;

/* target: a lab.sh env variable name, or a literal host name */
static const struct scenario {
	const char *name, *target, *wrap, *story;
	const char *args;
} scenarios[] = {
	{ "healthy", "$MP_FQDN", "",
	  "everything right: referral child -> parent, HTTP ticket accepted", NULL },
	{ "spn-misbound", "$MP_FQDN", "",
	  "HTTP/<mp> registered on a user account (TechNet wiki 469)", NULL },
	{ "mp-key-stale", "$MP_FQDN", "",
	  "the MP's keytab holds older keys than the KDC", NULL },
	{ "spn-missing", "$MP_FQDN", "",
	  "no account holds HTTP/<mp> or HOST/<mp>", NULL },
	{ "no-trust-path", "$MP_FQDN", "",
	  "the client sits in a realm that does not trust the MP's", NULL },
	{ "trust-broken", "$MP_FQDN", "",
	  "the cross-realm key differs between child and parent", NULL },
	{ "client-skew", "$MP_FQDN", "faketime -f +20m",
	  "the client's clock is 20 minutes ahead", NULL },
	{ "mp-skew", "$MP_FQDN", "",
	  "the MP's clock is 15 minutes ahead", NULL },
	{ "dns-unresolvable", "nosuch.parent.lab", "",
	  "the client was given a name that does not exist", NULL },
	{ "cname-alias", "$MP_ALIAS", "",
	  "the client reaches the MP through a CNAME", NULL },
	{ "wrong-ptr", "$MP_FQDN", "",
	  "the MP's address has a PTR record naming another host", NULL },
	{ "no-kdc-srv", "$MP_FQDN", "",
	  "the client's domain lost its _kerberos SRV records", NULL },
	{ "kdc-down", "$MP_FQDN", "",
	  "the client's domain controller does not answer", NULL },
	{ "kdc-stopped", "$MP_FQDN", "",
	  "the KDC host is up but its Kerberos service is stopped", NULL },
	{ "mp-no-negotiate", "$MP_FQDN", "",
	  "the MP offers NTLM only", NULL },
	{ "mp-anonymous", "$MP_FQDN", "",
	  "anonymous access is enabled on ccm_system_windowsauth", NULL },
	{ "mp-not-mp", "$MP_FQDN", "",
	  "the server has no windowsauth application (not an MP)", NULL },
	{ "mp-gone", "$MP_FQDN", "",
	  "the MP's A record was deleted; the alias dangles", NULL },
	{ "mp-closed", "$MP_FQDN", "",
	  "nothing listens on the MP's HTTP port", NULL },
	{ "mp-hang", "$MP_FQDN", "",
	  "the MP accepts the connection and never answers (--timeout 3)",
	  "--timeout 3" },
	{ "mp-garbage", "$MP_FQDN", "",
	  "the MP's WWW-Authenticate: Negotiate value is garbage", NULL },
	{ "mp-bigheader", "$MP_FQDN", "",
	  "the MP sends a 1 MiB response header", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

enum { O_FORMAT = 'f', O_LIST = 'l' };

/*
 * Run argv and wait.  quiet: its stdout goes to /dev/null (and with
 * quiet > 1, its stderr).  verdict: its stdout passes through us and the
 * first "VERDICT: " line is kept there.
 */
/* s up to its end of line, without its colours (ESC [ ... m) */
static void
plain(char *out, size_t n, const char *s)
{
	size_t k = 0;

	for (; *s && *s != '\n' && k + 1 < n; s++) {
		if (*s == '\033' && s[1] == '[') {
			s += 2;
			while (*s && *s != 'm')
				s++;
			if (!*s)
				break;
			continue;
		}
		out[k++] = *s;
	}
	out[k] = '\0';
}

static int
run(char *const argv[], int quiet, char *verdict, size_t vn)
{
	posix_spawn_file_actions_t fa;
	char line[1024];
	FILE *out = NULL;
	pid_t pid;
	int st, r, pfd[2] = { -1, -1 };

	posix_spawn_file_actions_init(&fa);
	if (quiet)
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
		    "/dev/null", O_WRONLY, 0);
	if (quiet > 1)
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO,
		    "/dev/null", O_WRONLY, 0);
	else if (verdict && pipe(pfd) == 0) {
		posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
		posix_spawn_file_actions_addclose(&fa, pfd[0]);
		posix_spawn_file_actions_addclose(&fa, pfd[1]);
	}
	r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (r != 0) {
		fprintf(stderr, "ccmdiag: cannot run %s: %s\n", argv[0],
		    strerror(r));
		if (pfd[0] >= 0)
			close(pfd[0]);
		return -1;
	}
	if (pfd[0] >= 0 && (out = fdopen(pfd[0], "r")) != NULL) {
		verdict[0] = '\0';
		while (fgets(line, sizeof(line), out)) {
			fputs(line, stdout);
			if (!verdict[0] && strncmp(line, "VERDICT: ", 9) == 0)
				plain(verdict, vn, line + 9);
		}
		fclose(out);
	} else if (pfd[0] >= 0) {
		close(pfd[0]);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
find_lab(char *buf, size_t n)
{
	const char *env = getenv("CCMDIAG_LAB");
	char exe[PATH_MAX], *slash;
	ssize_t len;

	if (env) {
		strlcpy0(buf, env, n);
		return access(buf, X_OK);
	}
	snprintf(buf, n, "%s/lab/lab.sh", LABDIR);
	if (access(buf, X_OK) == 0)
		return 0;
	/* running from the build tree */
	if ((len = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0)
		return -1;
	exe[len] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	strlcpy0(buf, exe, n);
	strappendf(buf, n, "/tests/lab/lab.sh");
	return access(buf, X_OK);
}

static int
lab(const char *labsh, const char *verb, const char *arg)
{
	char *argv[] = { (char *)labsh, (char *)verb, (char *)arg, NULL };

	return run(argv, 1, NULL, 0);
}

static int
probe_in_lab(const char *labsh, const struct scenario *s, const char *format,
    int color, char *verdict, size_t vn)
{
	char script[2048], self[PATH_MAX];
	ssize_t len;
	char *argv[] = { "/bin/sh", "-c", script, NULL };

	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		return -1;
	self[len] = '\0';
	script[0] = '\0';
	strappendf(script, sizeof(script),
	    "eval \"$('%s' env)\" && exec '%s' run %s '%s' probe "
	    "--keytab \"$CLIENT_KEYTAB\" --principal \"$CLIENT_PRINCIPAL\" "
	    "--format %s%s %s \"%s\"", labsh, labsh, s->wrap, self, format,
	    color ? " --color=always" : "", s->args ? s->args : "", s->target);
	return run(argv, 0, verdict, vn);
}

/* The scenario of a lab that is up already (lab.sh env says it), in
 * buf; 0, or -1 when no lab is up. */
static int
lab_running(const char *labsh, char *buf, size_t n)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)labsh, "env", NULL }, line[1024];
	FILE *out;
	pid_t pid;
	int st, pfd[2], found = 0;

	buf[0] = '\0';
	if (pipe(pfd) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	posix_spawn_file_actions_addclose(&fa, pfd[1]);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
	    O_WRONLY, 0);
	st = posix_spawn(&pid, labsh, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (st != 0) {
		close(pfd[0]);
		return -1;
	}
	if ((out = fdopen(pfd[0], "r")) != NULL) {
		while (fgets(line, sizeof(line), out))
			if (strncmp(line, "SCENARIO=", 9) == 0) {
				strlcpy0(buf, line + 9, n);
				buf[strcspn(buf, "\n")] = '\0';
				found = 1;
			}
		fclose(out);
	} else {
		close(pfd[0]);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && found ? 0 : -1;
}

static const struct scenario *
scenario_find(const char *name)
{
	int i;

	for (i = 0; scenarios[i].name; i++)
		if (strcmp(scenarios[i].name, name) == 0)
			return &scenarios[i];
	return NULL;
}

static void
list_scenarios(FILE *out, int stories)
{
	int i;

	for (i = 0; scenarios[i].name; i++)
		if (stories)
			fprintf(out, "%-18s %s\n", scenarios[i].name,
			    scenarios[i].story);
		else
			fprintf(out, "%s%s", i ? " " : "", scenarios[i].name);
	if (!stories)
		fputc('\n', out);
}

static int
exec(struct cli *cli, int argc, char **argv)
{
	const char *format = "text";
	char labsh[PATH_MAX], verdicts[64][160], was[64];
	int c, i, j, rc = 0, ran = 0, want, text, ours, color;

	while ((c = cli_next(cli)) != -1) {
		switch (c) {
		case CLI_STOP:
			return cli->rc;
		case O_FORMAT:
			format = cli->optarg;
			if (strcmp(format, "text") != 0 &&
			    strcmp(format, "json") != 0)
				return cli_usage_error(cli, "demo writes text "
				    "or json, not '%s'", format);
			break;
		case O_LIST:
			list_scenarios(stdout, 1);
			return 0;
		}
	}
	/* every name checked before the lab is touched */
	for (j = cli->optind; j < argc; j++)
		if (scenario_find(argv[j]) == NULL) {
			fprintf(stderr, "ccmdiag: no scenario '%s'; the "
			    "scenarios are:\n", argv[j]);
			list_scenarios(stderr, 0);
			return 2;
		}
	if (geteuid() != 0) {
		fprintf(stderr, "ccmdiag: demo builds network namespaces and "
		    "needs root\n");
		return 3;
	}
	if (find_lab(labsh, sizeof(labsh)) != 0) {
		fprintf(stderr, "ccmdiag: the lab (lab.sh) is not installed; "
		    "set CCMDIAG_LAB\n");
		return 3;
	}
	text = strcmp(format, "text") == 0;
	color = text && (cli->color == 1 || (cli->color == -1 &&
	    isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") &&
	    getenv("NO_COLOR")[0])));
	memset(verdicts, 0, sizeof(verdicts));
	/* a lab that is up is someone's: use it, and leave it as it was */
	ours = lab_running(labsh, was, sizeof(was)) != 0;
	if (!ours) {
		fprintf(stderr, "ccmdiag: using the lab that is up (scenario "
		    "%s); it stays up\n", was);
	} else {
		fprintf(stderr, "ccmdiag: starting the lab ...\n");
		if (lab(labsh, "up", NULL) != 0) {
			fprintf(stderr, "ccmdiag: the lab did not start\n");
			return 3;
		}
	}
	for (i = 0; scenarios[i].name; i++) {
		const struct scenario *s = &scenarios[i];

		want = cli->optind >= argc;
		for (j = cli->optind; j < argc; j++)
			if (strcmp(argv[j], s->name) == 0)
				want = 1;
		if (!want)
			continue;
		if (lab(labsh, "scenario", s->name) != 0) {
			fprintf(stderr, "ccmdiag: lab scenario %s failed\n",
			    s->name);
			rc = 3;
			continue;
		}
		if (text)
			printf("\n======== scenario %s: %s ========\n", s->name,
			    s->story);
		fflush(stdout);
		c = probe_in_lab(labsh, s, format, color, text && i < 64 ?
		    verdicts[i] : NULL, sizeof(verdicts[0]));
		fflush(stdout);
		if (c < 0 || c >= 2)
			rc = 3;
		ran++;
	}
	if (ours)
		lab(labsh, "down", NULL);
	else if (was[0] && strcmp(was, "switching") != 0 &&
	    lab(labsh, "scenario", was) != 0)
		fprintf(stderr, "ccmdiag: could not switch the lab back to "
		    "scenario %s\n", was);
	if (text && ran > 1) {
		printf("\n======== summary ========\n");
		for (i = 0; scenarios[i].name && i < 64; i++) {
			char *colon;

			if (!verdicts[i][0])
				continue;
			/* "NOT APPROVED - spn-missing: title" -> up to ':' */
			if ((colon = strchr(verdicts[i], ':')) != NULL)
				*colon = '\0';
			if (strncmp(verdicts[i], "APPROVED", 8) == 0)
				strlcpy0(verdicts[i], strstr(verdicts[i],
				    "(with warnings)") ? "APPROVED, with warnings" :
				    "APPROVED", sizeof(verdicts[i]));
			printf("  %-18s %s\n", scenarios[i].name, verdicts[i]);
		}
	}
	return rc;
}

static const struct cli_option options[] = {
	{ "format", 0, O_FORMAT, CLI_ARG, "FORMAT", "text (default) or json, "
	  "one report per scenario" },
	{ "list", 0, O_LIST, CLI_NOARG, NULL, "list the scenarios and what "
	  "each breaks, and exit" },
	CLI_OPT_COLOR,
	CLI_OPT_COMMON,
	CLI_OPT_END,
};

const struct cmd_entry cmd_demo = {
	.name = "demo",
	.args = "[options] [SCENARIO...]",
	.summary = "run the built-in lab's scenarios and show each diagnosis",
	.about = "Bring up the built-in lab (network namespaces, MIT KDCs, "
	    "dnsmasq, Apache with mod_auth_gssapi as the MP; needs root), "
	    "run the probe in each SCENARIO (default: all, --list names them) "
	    "and show its diagnosis.  A lab that is up already is used and "
	    "left up, in the scenario it was in.",
	.options = options,
	.exec = exec,
};
