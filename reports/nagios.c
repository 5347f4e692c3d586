/* nagios.c - the report as a monitoring plugin's output (nagios.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "nagios.h"
#include "util.h"

static const char *const names[] = { "OK", "WARNING", "CRITICAL",
    "UNKNOWN" };
static const char *const keys[] = { "ok", "warning", "critical", "unknown" };

const char *
nagios_state_name(enum nagios_state st)
{
	return st <= NAGIOS_UNKNOWN ? names[st] : names[NAGIOS_UNKNOWN];
}

const char *
nagios_state_key(enum nagios_state st)
{
	return st <= NAGIOS_UNKNOWN ? keys[st] : keys[NAGIOS_UNKNOWN];
}

static int
rank(enum nagios_state st)
{
	switch (st) {
	case NAGIOS_OK:
		return 0;
	case NAGIOS_WARNING:
		return 1;
	case NAGIOS_UNKNOWN:
		return 2;
	default:
		return 3;
	}
}

enum nagios_state
nagios_worse(enum nagios_state a, enum nagios_state b)
{
	return rank(b) > rank(a) ? b : a;
}

int
nagios_exit_code(enum nagios_state st)
{
	return (int)st;
}

enum nagios_state
nagios_state(const struct report *r)
{
	size_t i;

	switch (engine_exit_code(r)) {
	case 0:
		break;
	case 1:
		return NAGIOS_CRITICAL;
	default:
		return NAGIOS_UNKNOWN;
	}
	for (i = 0; i < r->n_findings; i++)
		if (finding_severity(r->findings[i].id) == SEV_WARNING)
			return NAGIOS_WARNING;
	return NAGIOS_OK;
}

void
nagios_clean(char *s)
{
	for (; *s; s++)
		if (*s == '|')
			*s = '/';
		else if (*s == '\n' || *s == '\r')
			*s = ' ';
}

void
nagios_unknown(FILE *out, const char *why)
{
	char line[1024];

	strlcpy0(line, why, sizeof(line));
	nagios_clean(line);
	fprintf(out, "CCMDIAG UNKNOWN - %s\n", line);
}

/* The measured clock offsets: the client realm's KDC (the clock step's
 * AS exchange) and the MP (the most precise of its readings). */
static void
offsets(const struct report *r, const struct event **kdc,
    const struct event **mp)
{
	size_t i;

	*kdc = *mp = NULL;
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type != EV_CLOCK || isnan(ev->offset))
			continue;
		if (ev->to == ROLE_MP) {
			if (*mp == NULL || ev->uncertainty < (*mp)->uncertainty)
				*mp = ev;
		} else if (*kdc == NULL) {
			*kdc = ev;
		}
	}
}

/*
 * Performance data as the plugin guidelines write it: 'label'=value[UOM]
 * ;warn;crit;min.  An offset is given as its magnitude, so that plain
 * thresholds hold for a clock behind as for one ahead (the sign is in the
 * long output).
 */
void
nagios_perfdata(const struct report *r, char *buf, size_t n)
{
	const struct event *kdc, *mp;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < r->n_steps; i++)
		strappendf(buf, n, "%s'%s'=%.3fs;;;0", buf[0] ? " " : "",
		    r->steps[i].name, r->steps[i].elapsed);
	offsets(r, &kdc, &mp);
	if (kdc)
		strappendf(buf, n, " 'kdc_offset'=%.1fs;%d;%d;0",
		    fabs(kdc->offset), NAGIOS_OFFSET_WARN, NAGIOS_OFFSET_CRIT);
	if (mp)
		strappendf(buf, n, " 'mp_offset'=%.1fs;%d;%d;0",
		    fabs(mp->offset), NAGIOS_OFFSET_WARN, NAGIOS_OFFSET_CRIT);
}

static void
clock_line(FILE *out, const char *what, const struct event *ev)
{
	if (ev)
		fprintf(out, "%s clock offset %+.1f s (+/- %.1f s)\n", what,
		    ev->offset, ev->uncertainty);
}

static int
write_nagios(const struct report *r, FILE *out)
{
	enum nagios_state st = nagios_state(r);
	const struct event *kdc, *mp;
	char head[32], rest[600], perf[1024], line[1000];
	size_t i;

	/* OK: the verdict's words; else the finding that decides it */
	report_verdict(r, head, sizeof(head), rest, sizeof(rest));
	for (i = 0; i < r->n_findings && st != NAGIOS_OK; i++)
		if (finding_severity(r->findings[i].id) != SEV_INFO)
			break;
	if (st == NAGIOS_OK || i == r->n_findings)
		snprintf(line, sizeof(line), "%s", rest);
	else
		snprintf(line, sizeof(line), "%s: %s (%s%s%s)",
		    finding_key(r->findings[i].id),
		    finding_title(r->findings[i].id), r->target,
		    r->client[0] ? ", as " : "", r->client);
	nagios_clean(line);
	nagios_perfdata(r, perf, sizeof(perf));
	fprintf(out, "CCMDIAG %s - %s | %s\n", nagios_state_name(st), line,
	    perf);
	/* long output: what the status line has no room for */
	for (i = 0; i < r->n_findings; i++) {
		snprintf(line, sizeof(line), "%s %s: %s",
		    severity_name(finding_severity(r->findings[i].id)),
		    finding_key(r->findings[i].id),
		    finding_title(r->findings[i].id));
		nagios_clean(line);
		fprintf(out, "%s\n", line);
	}
	offsets(r, &kdc, &mp);
	clock_line(out, "KDC", kdc);
	clock_line(out, "MP", mp);
	if (r->client[0]) {
		snprintf(line, sizeof(line), "acting as %s", r->client);
		nagios_clean(line);
		fprintf(out, "%s\n", line);
	}
	return ferror(out) ? -1 : 0;
}

const struct report_writer report_nagios = {
	.name = "nagios",
	.write = write_nagios,
};
