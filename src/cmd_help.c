/* cmd_help.c - `ccmdiag help [COMMAND]`: the commands, or one command's
 * options, on standard output. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void
help_overview(FILE *out)
{
	int i;

	fprintf(out, "usage: ccmdiag COMMAND [options] [ARGUMENTS]\n"
	    "Tell why a Configuration Manager client stays unapproved, with "
	    "evidence.\n\ncommands:\n");
	for (i = 0; cmd_table[i]; i++)
		fprintf(out, "  %-10s %s\n", cmd_table[i]->name,
		    cmd_table[i]->summary);
	fprintf(out, "\n'ccmdiag help COMMAND' or 'ccmdiag COMMAND --help' "
	    "lists a command's options;\n'ccmdiag --version' shows the "
	    "versions of ccmdiag and its libraries.\nexit status: 0 approved, "
	    "1 an error finding, 2 usage, 3 ccmdiag could not run the check\n");
}

static int
exec(struct cli *cli, int argc, char **argv)
{
	int c, i;

	while ((c = cli_next(cli)) != -1)
		if (c == CLI_STOP)
			return cli->rc;
	if (cli->optind == argc) {
		help_overview(stdout);
		return 0;
	}
	if (cli->optind < argc - 1)
		return cli_usage_error(cli, "help takes one command");
	for (i = 0; cmd_table[i]; i++)
		if (strcmp(argv[cli->optind], cmd_table[i]->name) == 0) {
			cli_help(cmd_table[i], stdout);
			return 0;
		}
	return cli_usage_error(cli, "no command '%s' (ccmdiag help lists them)",
	    argv[cli->optind]);
}

static const struct cli_option options[] = {
	CLI_OPT_COMMON,
	CLI_OPT_END,
};

const struct cmd_entry cmd_help = {
	.name = "help",
	.args = "[COMMAND]",
	.summary = "list the commands, or one command's options",
	.about = "Without COMMAND, list the commands; with it, show the "
	    "command's options, as 'ccmdiag COMMAND --help' does.",
	.options = options,
	.exec = exec,
};
