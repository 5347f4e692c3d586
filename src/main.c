/* main.c - the ccmdiag command line: finds the command and runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http.h"
#include "util.h"

const struct cmd_entry *const cmd_table[] = {
	&cmd_probe,
	&cmd_analyze,
	&cmd_register,
	&cmd_mp_info,
	&cmd_demo,
	&cmd_findings,
	&cmd_help,
	NULL,
};

/* The command line as a shell would take it back, for the HTML footer. */
static void
quote_args(int argc, char **argv, char *buf, size_t n)
{
	const char *p;
	int i;

	strlcpy0(buf, "ccmdiag", n);
	for (i = 1; i < argc; i++) {
		if (argv[i][0] && strspn(argv[i], "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") ==
		    strlen(argv[i])) {
			strappendf(buf, n, " %s", argv[i]);
			continue;
		}
		strappendf(buf, n, " '");
		for (p = argv[i]; *p; p++)
			strappendf(buf, n, *p == '\'' ? "'\\''" : "%c", *p);
		strappendf(buf, n, "'");
	}
}

int
main(int argc, char **argv)
{
	static char cmdline[2048];
	const struct cmd_entry *cmd = NULL;
	struct cli cli;
	int i, rc;

	if (argc < 2) {
		help_overview(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help_overview(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		cli_version(stdout);
		return 0;
	}
	for (i = 0; cmd_table[i]; i++)
		if (strcmp(argv[1], cmd_table[i]->name) == 0)
			cmd = cmd_table[i];
	if (cmd == NULL) {
		fprintf(stderr, "ccmdiag: unknown command '%s' (ccmdiag help "
		    "lists them)\n", argv[1]);
		return 2;
	}
	if (http_global_init() != 0) {
		fprintf(stderr, "ccmdiag: libcurl failed to initialise\n");
		return 3;
	}
	quote_args(argc, argv, cmdline, sizeof(cmdline));
	cli_init(&cli, cmd, argc - 1, argv + 1, cmdline);
	rc = cmd->exec(&cli, argc - 1, argv + 1);
	cli_release(&cli);
	return rc;
}
