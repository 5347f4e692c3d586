/* text.c - the plain-text report: verdict first, then findings, steps, timeline. */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "util.h"

/* ANSI SGR codes, used only when r->color (a terminal, or --color) */
#define C_RESET		"\033[0m"
#define C_BOLD		"\033[1m"
#define C_RED		"\033[1;31m"
#define C_GREEN		"\033[1;32m"
#define C_YELLOW	"\033[1;33m"
#define C_BLUE		"\033[1;34m"
#define C_DIM		"\033[2m"

/* The last column text may use: 78 in a file, the terminal's less 2. */
static size_t
text_width(const struct report *r)
{
	return r->width >= 40 ? (size_t)r->width - 2 : 78;
}

static const char *
sgr(const struct report *r, const char *code)
{
	return r->color ? code : "";
}

static const char *
severity_color(enum severity s)
{
	return s == SEV_ERROR ? C_RED : s == SEV_WARNING ? C_YELLOW : C_BLUE;
}

/* text from column col on, wrapped to the width, lines after the first
 * starting at column indent */
static void
flow(const struct report *r, FILE *out, size_t col, size_t indent,
    const char *text)
{
	size_t width = text_width(r);
	const char *p = text;

	while (*p) {
		size_t w = strcspn(p, " ");

		if (col + w + 1 > width && col > indent) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (p != text) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

static void
wrapped(const struct report *r, FILE *out, const char *indent,
    const char *label, const char *text)
{
	size_t col = strlen(indent) + strlen(label);

	fprintf(out, "%s%s", indent, label);
	flow(r, out, col, col, text);
}

static size_t
approved_clients(const struct report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_clients; i++)
		if (r->clients[i].approval == CV_APPROVED)
			n++;
	return n;
}

/* A live run that acted as a user: its verdict is that user's. */
static int
as_user(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->n_findings; i++)
		if (r->findings[i].id == FID_IDENTITY_NOT_MACHINE)
			return 1;
	return 0;
}

void
report_verdict(const struct report *r, char *head, size_t hn, char *rest,
    size_t rn)
{
	const struct finding *root = r->n_findings ? &r->findings[0] : NULL;
	int live = strcmp(r->command, "probe") == 0 ||
	    strcmp(r->command, "register") == 0;
	const char *warn = root && finding_severity(root->id) == SEV_WARNING ?
	    " (with warnings)" : "";
	const char *who = r->client[0] ? r->client : "the client";

	if (r->basis == BASIS_NO_EXCHANGE && (!root ||
	    finding_severity(root->id) != SEV_ERROR)) {
		strlcpy0(head, "NO MP EXCHANGE", hn);
		snprintf(rest, rn, "the evidence holds no exchange with a "
		    "management point, so it cannot say whether a client "
		    "would be approved");
	} else if (r->basis == BASIS_INCOMPLETE && (!root ||
	    finding_severity(root->id) != SEV_ERROR)) {
		strlcpy0(head, "INCOMPLETE", hn);
		snprintf(rest, rn, "the evidence ends before the management "
		    "point answered the client%s", warn);
	} else if (!r->approved) {
		strlcpy0(head, live ? "NOT APPROVED" : "FAILURE FOUND", hn);
		snprintf(rest, rn, "%s: %s", root ? finding_key(root->id) :
		    "unknown", root ? finding_title(root->id) : "no evidence");
	} else if (strcmp(r->command, "register") == 0) {
		strlcpy0(head, "APPROVED", hn);
		snprintf(rest, rn, "%s registered with %s and the site approved "
		    "it%s", who, r->target, warn);
	} else if (strcmp(r->command, "mp-info") == 0) {
		strlcpy0(head, "NO FAILURE FOUND", hn);
		snprintf(rest, rn, "%s answered its anonymous queries and showed "
		    "nothing wrong%s", r->target, warn);
	} else if (live && as_user(r)) {
		strlcpy0(head, "APPROVED", hn);
		snprintf(rest, rn, "the user %s authenticates to %s with "
		    "Kerberos; a client registers as its machine account "
		    "(HOST$), which this run did not act as%s", who, r->target,
		    warn);
	} else if (live) {
		strlcpy0(head, "APPROVED", hn);
		snprintf(rest, rn, "%s authenticates to %s with Kerberos and "
		    "would be approved automatically%s", who, r->target, warn);
	} else if (approved_clients(r) > 0) {
		strlcpy0(head, "APPROVED", hn);
		snprintf(rest, rn, "%s authenticated to %s with Kerberos and "
		    "would be approved automatically%s", approved_clients(r) > 1 ?
		    "every client in the evidence" : who, r->mp_name[0] ?
		    r->mp_name : "the management point", warn);
	} else {
		strlcpy0(head, "NO FAILURE FOUND", hn);
		snprintf(rest, rn, "the evidence shows nothing that keeps a "
		    "client unapproved%s", warn);
	}
}

void
report_text_verdict(const struct report *r, FILE *out)
{
	char head[32], rest[600];
	const char *c;

	report_verdict(r, head, sizeof(head), rest, sizeof(rest));
	c = strcmp(head, "NOT APPROVED") == 0 || strcmp(head,
	    "FAILURE FOUND") == 0 ? C_RED : strcmp(head, "APPROVED") == 0 &&
	    !strstr(rest, "(with warnings)") ? C_GREEN : C_YELLOW;
	fprintf(out, "VERDICT: %s%s%s - ", sgr(r, c), head, sgr(r, C_RESET));
	/* one line in a file, for grep and for demo's summary */
	if (r->width == 0)
		fprintf(out, "%s\n", rest);
	else
		flow(r, out, 12 + strlen(head), 9, rest);
}

/*
 * One row of a table: head and rest on one line when they fit the width,
 * else rest wrapped below head (a file gets the same 80 columns as the
 * text around it).
 */
static void
table_row(const struct report *r, FILE *out, const char *head,
    const char *rest)
{
	if (strlen(head) + strlen(rest) <= text_width(r)) {
		fprintf(out, "%s%s\n", head, rest);
		return;
	}
	if (strlen(head) <= text_width(r)) {
		fprintf(out, "%s\n", head);
		wrapped(r, out, "      ", "", rest + strspn(rest, " "));
		return;
	}
	/* a terminal too narrow for the columns: the row's words, wrapped */
	fputs("  ", out);
	flow(r, out, 2, 6, head + 2);
	wrapped(r, out, "      ", "", rest + strspn(rest, " "));
}

/* One record (a step, an event): whole on one line in a file, for grep;
 * on a terminal wrapped under its text. */
static void
record(const struct report *r, FILE *out, const char *head, const char *text)
{
	size_t col = strlen(head);

	if (r->width == 0) {
		fprintf(out, "%s%s\n", head, text);
		return;
	}
	/* under its text, unless the head takes half the width */
	fputs(head, out);
	flow(r, out, col, col > text_width(r) / 2 ? 4 : col, text);
}

static int
write_text(const struct report *r, FILE *out)
{
	char line[1400], when[40], head[640];
	size_t i, name_w = 12;
	int j;

	if (r->scenario[0])
		fprintf(out, "== lab scenario: %s ==\n", r->scenario);
	report_text_verdict(r, out);
	if (r->n_inputs) {
		fprintf(out, "input%s:\n", r->n_inputs > 1 ? "s" : "");
		for (i = 0; i < r->n_inputs; i++) {
			report_input_line(&r->inputs[i], line, sizeof(line));
			record(r, out, "  ", line);
		}
	}
	if (strcmp(r->command, "probe") != 0) {
		if (r->n_inputs == 0)
			fprintf(out, "input: %s\n", r->target);
		fprintf(out, "management point: %s", r->mp_name[0] ?
		    r->mp_name : "not seen");
	} else {
		fprintf(out, "management point: %s", r->target);
		if (r->mp_name[0] && strcmp(r->mp_name, r->target) != 0)
			fprintf(out, " (canonical name %s)", r->mp_name);
	}
	if (r->mp_realm[0])
		fprintf(out, ", realm %s", r->mp_realm);
	fputc('\n', out);
	if (r->client[0])
		fprintf(out, "client: %s\n", r->client);

	if (r->n_findings)
		fprintf(out, "\nFindings, most likely root cause first:\n");
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];

		enum severity sev = finding_severity(f->id);

		fprintf(out, "\n  %s[%s]%s %s%s%s: ", sgr(r,
		    severity_color(sev)), severity_name(sev), sgr(r, C_RESET),
		    sgr(r, C_BOLD), finding_key(f->id), sgr(r, C_RESET));
		if (r->width == 0)
			fprintf(out, "%s\n", finding_title(f->id));
		else
			flow(r, out, 7 + strlen(severity_name(sev)) +
			    strlen(finding_key(f->id)), 6, finding_title(f->id));
		for (j = 0; j < f->n_evidence; j++) {
			const struct event *ev = &r->events[f->evidence[j]];
			char label[160];

			event_describe(ev, line, sizeof(line));
			/* evidence of many clients: say whose */
			if (r->n_clients > 1 && ev->client[0])
				snprintf(label, sizeof(label), "- %s (%s): ",
				    ev->source, ev->client);
			else
				snprintf(label, sizeof(label), "- %s: ",
				    ev->source);
			wrapped(r, out, "      ", label, line);
		}
		wrapped(r, out, "      ", "remedy: ", finding_remedy(f->id));
	}
	if (r->n_clients)
		fprintf(out, "\nClients on ccm_system_windowsauth:\n");
	for (i = 0; i < r->n_clients; i++) {
		const struct client_verdict *cv = &r->clients[i];

		if (cv->n_attempts > 0) {
			/* from a capture: attempts, not log lines */
			snprintf(head, sizeof(head), "  %-15s %-24s %-10s %s%s%d "
			    "attempt%s,", cv->client, cv->user[0] ? cv->user :
			    "-", cv->verdict, cv->root_cause, cv->root_cause[0] ?
			    "  " : "", cv->n_attempts, cv->n_attempts == 1 ? "" :
			    "s");
			snprintf(line, sizeof(line), "last %s", cv->source);
			table_row(r, out, head, line);
			if (cv->n_attempts > 1)
				wrapped(r, out, "      ", "history: ",
				    cv->history ? cv->history : "");
			continue;
		}
		snprintf(head, sizeof(head), "  %-15s %-24s %-19s %3d req",
		    cv->client, cv->user[0] ? cv->user : "-", cv->verdict,
		    cv->n_requests);
		snprintf(line, sizeof(line), "  %s  (%s, %s .. %s)",
		    cv->last_status, cv->source, cv->first, cv->last);
		table_row(r, out, head, line);
	}
	if (r->n_steps)
		fprintf(out, "\nSteps:\n");
	for (i = 0; i < r->n_steps; i++)
		if (strlen(r->steps[i].name) > name_w)
			name_w = strlen(r->steps[i].name);
	for (i = 0; i < r->n_steps; i++) {
		const struct step *s = &r->steps[i];

		snprintf(head, sizeof(head), "  %-*s %-8s %6.0f ms  ",
		    (int)name_w, s->name, step_status_name(s->status),
		    s->elapsed * 1000);
		snprintf(line, sizeof(line), "%s%s%s%s", s->summary,
		    s->frames[0] ? " [" : "", s->frames, s->frames[0] ? "]" :
		    "");
		record(r, out, head, line);
	}
	if (r->n_events && !r->verbose)
		fprintf(out, "\n(%zu events in the timeline: -v shows them)\n",
		    r->n_events);
	else if (r->n_events)
		fprintf(out, "\nTimeline:\n");
	for (i = 0; r->verbose && i < r->n_events; i++) {
		const struct event *ev = &r->events[i];
		char text[1400];

		event_describe(ev, text, sizeof(text));
		format_time(ev->t, when, sizeof(when));
		snprintf(head, sizeof(head), "  %-13s %-16s ", ev->t > 0 ?
		    when + 11 : "-", ev->source);
		record(r, out, head, text);
	}
	return ferror(out) ? -1 : 0;
}

const struct report_writer report_text = {
	.name = "text",
	.write = write_text,
};
