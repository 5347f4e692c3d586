/*
 * nagios.h - the monitoring plugin conventions (Nagios, Icinga, Naemon):
 * one status line, performance data after '|', long output on the lines
 * that follow, and the exit codes 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
#ifndef CCMDIAG_NAGIOS_H
#define CCMDIAG_NAGIOS_H

#include <stddef.h>

#include "report.h"

/* In the order the plugin exit codes give them. */
enum nagios_state {
	NAGIOS_OK, NAGIOS_WARNING, NAGIOS_CRITICAL, NAGIOS_UNKNOWN,
};

/* Clock offsets beyond these warn and are critical in the performance
 * data (seconds; Kerberos tolerates 300). */
#define NAGIOS_OFFSET_WARN	120
#define NAGIOS_OFFSET_CRIT	300

/*
 * A judged report's state: CRITICAL with an error finding, WARNING with
 * a warning and no error, OK otherwise; UNKNOWN when there was nothing to
 * judge (engine_exit_code 3).
 */
enum nagios_state nagios_state(const struct report *r);
const char *nagios_state_name(enum nagios_state st);
/* "ok", "warning", "critical", "unknown": the state in JSON */
const char *nagios_state_key(enum nagios_state st);
/* The worse of a and b: OK < WARNING < UNKNOWN < CRITICAL (a failure
 * found outranks a check that could not run). */
enum nagios_state nagios_worse(enum nagios_state a, enum nagios_state b);
/* The plugin's exit code for ccmdiag's own (2 usage, 3 could not run:
 * both UNKNOWN); a report's state decides the others. */
int nagios_exit_code(enum nagios_state st);
/* r's performance data: each step's time, the KDC and MP clock offsets. */
void nagios_perfdata(const struct report *r, char *buf, size_t n);
/* Text made safe for a status line: '|' (the performance data's mark)
 * becomes '/', line breaks become spaces. */
void nagios_clean(char *s);
/* "CCMDIAG UNKNOWN - WHY" for a check that could not run. */
void nagios_unknown(FILE *out, const char *why);

#endif
