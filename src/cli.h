/* cli.h - subcommands and what they share. */
#ifndef CCMDIAG_CLI_H
#define CCMDIAG_CLI_H

#include "report.h"

int cmd_probe(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_findings(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_mp_info(int argc, char **argv);

/* Render r in format to path (NULL: stdout); 0, 2 or 3. */
int cli_write_report(struct report *r, const char *format, const char *path);
int cli_parse_timeout(const char *s, double *out);
/* A TCP port 1-65535 in *out, or 2 with a one-line message. */
int cli_parse_port(const char *s, int *out);
/* --evidence DIR: create it (0700) and fill it; 0 or 3 with a message. */
struct bundle_input;
int cli_make_evidence_dir(const char *dir);
int cli_write_bundle(struct report *r, const char *dir,
    const struct bundle_input *inputs, size_t n_inputs);

#endif
