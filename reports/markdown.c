/* markdown.c - the Markdown report for escalation tickets: verdict, findings
 * with evidence and remedy, steps, clients and the whole timeline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

/*
 * The one place untrusted text enters the Markdown: every mark that could
 * open emphasis, code, a link, inline HTML, an entity or a table cell is
 * backslash-escaped (CommonMark allows that for any ASCII punctuation), and
 * line breaks become spaces, so a value stays inside its list item or cell.
 * Values never start a line, so block markers (-, +, 1.) need no escape.
 */
static void
md_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fputc(' ', out);
		else if (strchr("\\`*_[]<>|#!~&$", c))
			fprintf(out, "\\%c", c);
		else
			fputc(c, out);
	}
}

static void
cell(FILE *out, const char *s)
{
	fputs("| ", out);
	md_escape(out, s[0] ? s : "-");
	fputc(' ', out);
}

static void
findings(const struct report *r, FILE *out)
{
	char line[1024];
	size_t i;
	int j;

	if (r->n_findings == 0)
		return;
	fprintf(out, "\n## Findings, most likely root cause first\n");
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];

		fprintf(out, "\n### %zu. ", i + 1);
		md_escape(out, finding_key(f->id));
		fputs(" (", out);
		md_escape(out, severity_name(finding_severity(f->id)));
		fputs(")\n\n**", out);
		md_escape(out, finding_title(f->id));
		fputs("**\n\n", out);
		if (f->n_evidence)
			fputs("Evidence:\n\n", out);
		for (j = 0; j < f->n_evidence; j++) {
			const struct event *ev = &r->events[f->evidence[j]];

			event_describe(ev, line, sizeof(line));
			fputs("- **", out);
			md_escape(out, ev->source);
			if (r->n_clients > 1 && ev->client[0]) {
				fputs(" (", out);
				md_escape(out, ev->client);
				fputc(')', out);
			}
			fputs("**: ", out);
			md_escape(out, line);
			fputc('\n', out);
		}
		fputs("\n**Remedy:** ", out);
		md_escape(out, finding_remedy(f->id));
		fputc('\n', out);
	}
}

static void
steps(const struct report *r, FILE *out)
{
	char ms[32];
	size_t i;

	if (r->n_steps == 0)
		return;
	fprintf(out, "\n## Steps\n\n| Step | Status | Time | Summary | "
	    "Frames |\n|---|---|--:|---|---|\n");
	for (i = 0; i < r->n_steps; i++) {
		const struct step *s = &r->steps[i];

		snprintf(ms, sizeof(ms), "%.0f ms", s->elapsed * 1000);
		cell(out, s->name);
		cell(out, step_status_name(s->status));
		cell(out, ms);
		cell(out, s->summary);
		cell(out, s->frames);
		fputs("|\n", out);
	}
}

static void
clients(const struct report *r, FILE *out)
{
	char n[16];
	size_t i;

	if (r->n_clients == 0)
		return;
	fprintf(out, "\n## Clients on ccm\\_system\\_windowsauth\n\n"
	    "| Client | User | Verdict | Requests | Last status | Source | "
	    "First | Last |\n|---|---|---|--:|---|---|---|---|\n");
	for (i = 0; i < r->n_clients; i++) {
		const struct client_verdict *cv = &r->clients[i];

		snprintf(n, sizeof(n), "%d", cv->n_requests);
		cell(out, cv->client);
		cell(out, cv->user);
		cell(out, cv->verdict);
		cell(out, n);
		cell(out, cv->last_status);
		cell(out, cv->source);
		cell(out, cv->first);
		cell(out, cv->last);
		fputs("|\n", out);
	}
}

static void
timeline(const struct report *r, FILE *out)
{
	char line[1024], when[40], num[24];
	size_t i;

	if (r->n_events == 0)
		return;
	fprintf(out, "\n## Timeline\n\n| # | Time (UTC) | Source | Event |\n"
	    "|--:|---|---|---|\n");
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		snprintf(num, sizeof(num), "%zu", i + 1);
		event_describe(ev, line, sizeof(line));
		format_time(ev->t, when, sizeof(when));
		cell(out, num);
		cell(out, ev->t > 0 ? when : "");
		cell(out, ev->source);
		cell(out, line);
		fputs("|\n", out);
	}
}

static int
write_markdown(const struct report *r, FILE *out)
{
	char head[64], rest[512], line[1400];
	size_t i;
	int live = strcmp(r->command, "probe") == 0 ||
	    strcmp(r->command, "register") == 0;

	fputs("# ccmdiag report: ", out);
	md_escape(out, r->target);
	fputs("\n\n", out);
	report_verdict(r, head, sizeof(head), rest, sizeof(rest));
	fputs("**Verdict: ", out);
	md_escape(out, head);
	fputs("**", out);
	if (rest[0]) {
		fputs(" \xe2\x80\x94 ", out);
		md_escape(out, rest);
	}
	fputs("\n\n| | |\n|---|---|\n", out);
	if (r->scenario[0]) {
		cell(out, "Lab scenario");
		cell(out, r->scenario);
		fputs("|\n", out);
	}
	cell(out, "Command");
	cell(out, r->command);
	fputs("|\n", out);
	for (i = 0; i < r->n_inputs; i++) {
		report_input_line(&r->inputs[i], line, sizeof(line));
		cell(out, "Input");
		cell(out, line);
		fputs("|\n", out);
	}
	if (live || r->n_inputs == 0) {
		cell(out, live ? "Management point" : "Input");
		cell(out, r->target);
		fputs("|\n", out);
	}
	if (!live || (r->mp_name[0] && strcmp(r->mp_name, r->target) != 0)) {
		cell(out, live ? "Canonical name" : "Management point");
		cell(out, r->mp_name[0] ? r->mp_name : "not seen");
		fputs("|\n", out);
	}
	if (r->mp_realm[0]) {
		cell(out, "MP realm");
		cell(out, r->mp_realm);
		fputs("|\n", out);
	}
	if (r->client[0]) {
		cell(out, "Client");
		cell(out, r->client);
		fputs("|\n", out);
	}
	findings(r, out);
	clients(r, out);
	steps(r, out);
	timeline(r, out);
	return ferror(out) ? -1 : 0;
}

const struct report_writer report_markdown = {
	.name = "markdown",
	.write = write_markdown,
};
