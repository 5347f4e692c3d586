/* html.c - one self-contained HTML page: verdict banner, findings, clients,
 * steps, a ladder diagram of the exchange (inline SVG) and the timeline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "report.h"
#include "util.h"

#define TIMELINE_MAX_ROWS	2000

/*
 * The one place text enters the page: the five characters HTML gives a
 * meaning to become references, control characters become spaces.  Used
 * for element content and for attribute values alike (always quoted).
 */
void
html_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s,
			    out);
		}
	}
}

static const char css[] =
"*{box-sizing:border-box}"
"body{margin:0;font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,"
"'DejaVu Sans',sans-serif;color:#1f2933;background:#f4f6f8}"
"main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}"
"h1{font-size:20px;margin:0 0 4px;font-weight:600}"
"h2{font-size:16px;margin:32px 0 12px;padding-bottom:6px;"
"border-bottom:1px solid #d9e0e6;font-weight:600;color:#323f4b}"
"code,.mono{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;"
"font-size:12.5px}"
".banner{border-radius:8px;padding:18px 22px;color:#fff;"
"box-shadow:0 1px 3px rgba(0,0,0,.15)}"
".banner.bad{background:#b42318}.banner.good{background:#1f7a4d}"
".banner.warn{background:#b54708}"
".banner .head{font-size:22px;font-weight:700;letter-spacing:.02em}"
".banner .why{font-size:15px;margin-top:4px;opacity:.95}"
".facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;"
"margin:14px 0 0;padding:12px 16px;background:#fff;border-radius:8px;"
"border:1px solid #d9e0e6}"
".facts dt{color:#616e7c}.facts dd{margin:0;overflow-wrap:anywhere}"
"nav{margin-top:10px;font-size:13px}nav a{margin-right:14px}"
"a{color:#1d4ed8;text-decoration:none}a:hover{text-decoration:underline}"
".finding{background:#fff;border:1px solid #d9e0e6;border-left:5px solid "
"#9aa5b1;border-radius:6px;padding:12px 16px;margin:0 0 12px}"
".finding.error{border-left-color:#d92d20}"
".finding.warning{border-left-color:#f79009}"
".finding.info{border-left-color:#2e90fa}"
".finding h3{margin:0;font-size:15px;font-weight:600}"
".finding .id{color:#616e7c;font-weight:400;margin-left:6px}"
".sev{display:inline-block;font-size:11px;font-weight:700;"
"text-transform:uppercase;border-radius:4px;padding:1px 7px;"
"margin-right:8px;vertical-align:1px;color:#fff;background:#7b8794}"
".sev.error{background:#d92d20}.sev.warning{background:#dc6803}"
".sev.info{background:#2e90fa}"
".root{font-size:11px;font-weight:600;color:#b42318;margin-left:8px}"
".finding ul{margin:8px 0;padding-left:20px}.finding li{margin:3px 0}"
".src{background:#eef2f6;border-radius:3px;padding:0 5px;"
"margin-right:6px;white-space:nowrap}"
".remedy{background:#f0f7ff;border-radius:4px;padding:8px 12px;"
"margin-top:8px}.remedy b{color:#1849a9}"
"table{border-collapse:collapse;width:100%;background:#fff;"
"border:1px solid #d9e0e6;border-radius:6px;font-size:13px}"
"th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e4e7eb;"
"vertical-align:top}"
"th{background:#f5f7fa;font-weight:600;color:#3e4c59}"
"tr:nth-child(even) td{background:#fafbfc}"
"td.n{text-align:right;white-space:nowrap}td.t,td.mono{white-space:nowrap}"
"tr.hit td{background:#fff4f2}"
".st{font-weight:600}.st.ok{color:#1f7a4d}.st.failed{color:#b42318}"
".st.warning{color:#b54708}.st.skipped{color:#7b8794}"
".ladder{background:#fff;border:1px solid #d9e0e6;border-radius:6px;"
"padding:8px 0}"
".ladder a{text-decoration:none}.ladder a:hover text{"
"text-decoration:underline}"
".ladder svg{display:block;width:100%;max-width:1120px;height:auto;"
"margin:0 auto;font-family:system-ui,'DejaVu Sans',sans-serif}"
".ladder svg+svg{margin-top:10px;border-top:1px dashed #d9e0e6}"
".note{color:#616e7c;font-size:13px;margin:6px 0}"
".legend{font-size:12px;color:#52606d;margin:6px 2px}"
".legend span{margin-right:16px}"
".legend i{display:inline-block;width:22px;height:0;border-top:2px solid;"
"vertical-align:middle;margin-right:5px}"
"footer{margin-top:36px;color:#7b8794;font-size:12px}"
"footer code{color:#52606d;word-break:break-all}"
"@page{size:A4;margin:12mm}"
"@media print{body{background:#fff;font-size:12px}"
"main{max-width:none;padding:0}"
".banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
".ladder svg{break-inside:avoid}.finding{break-inside:avoid}"
"td.t,td.mono,.src{white-space:normal;overflow-wrap:anywhere}"
"td.when{white-space:nowrap}"
"nav{display:none}}";

static int
is_evidence(const struct report *r, size_t ev)
{
	size_t i;
	int j;

	for (i = 0; i < r->n_findings; i++)
		for (j = 0; j < r->findings[i].n_evidence; j++)
			if ((size_t)r->findings[i].evidence[j] == ev)
				return 1;
	return 0;
}

/* ---- the page --------------------------------------------------------- */

static void
td(FILE *out, const char *cls, const char *s)
{
	fprintf(out, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "",
	    cls ? "\"" : "");
	html_escape(out, s[0] ? s : "-");
	fputs("</td>", out);
}

static void
fact(FILE *out, const char *k, const char *v)
{
	fputs("<dt>", out);
	html_escape(out, k);
	fputs("</dt><dd>", out);
	html_escape(out, v);
	fputs("</dd>", out);
}

static void
findings(const struct report *r, FILE *out)
{
	char line[1024];
	size_t i;
	int j;

	fputs("<h2 id=\"findings\">Findings, most likely root cause first</h2>"
	    "\n", out);
	if (r->n_findings == 0)
		fputs("<p class=\"note\">No findings.</p>\n", out);
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		const char *sev = severity_name(finding_severity(f->id));

		fprintf(out, "<div class=\"finding %s\"><h3><span class=\"sev "
		    "%s\">%s</span>", sev, sev, sev);
		html_escape(out, finding_title(f->id));
		fputs("<code class=\"id\">", out);
		html_escape(out, finding_key(f->id));
		fputs("</code>", out);
		if (i == 0 && !r->approved)
			fputs("<span class=\"root\">ROOT CAUSE</span>", out);
		fputs("</h3>\n<ul>", out);
		for (j = 0; j < f->n_evidence; j++) {
			const struct event *ev = &r->events[f->evidence[j]];

			event_describe(ev, line, sizeof(line));
			fprintf(out, "<li><a class=\"src mono\" href=\"#e%d\">",
			    f->evidence[j] + 1);
			html_escape(out, ev->source);
			fputs("</a>", out);
			html_escape(out, line);
			fputs("</li>", out);
		}
		fputs("</ul>\n<div class=\"remedy\"><b>Remedy.</b> ", out);
		html_escape(out, finding_remedy(f->id));
		fputs("</div></div>\n", out);
	}
}

static void
clients(const struct report *r, FILE *out)
{
	char n[16];
	size_t i;

	if (r->n_clients == 0)
		return;
	fputs("<h2 id=\"clients\">Clients on ccm_system_windowsauth</h2>\n"
	    "<table><tr><th>Client</th><th>User</th><th>Verdict</th>"
	    "<th>Requests</th><th>Last status</th><th>Source</th><th>First"
	    "</th><th>Last</th></tr>\n", out);
	for (i = 0; i < r->n_clients; i++) {
		const struct client_verdict *cv = &r->clients[i];
		int good = strcmp(cv->verdict, "kerberos") == 0;

		snprintf(n, sizeof(n), "%d", cv->n_requests);
		fprintf(out, "<tr%s>", good ? "" : " class=\"hit\"");
		td(out, "mono", cv->client);
		td(out, "mono", cv->user);
		fprintf(out, "<td class=\"st %s\">", good ? "ok" : "failed");
		html_escape(out, cv->verdict);
		fputs("</td>", out);
		td(out, "n", n);
		td(out, NULL, cv->last_status);
		td(out, "mono t", cv->source);
		td(out, "t when", cv->first);
		td(out, "t when", cv->last);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void
steps(const struct report *r, FILE *out)
{
	char ms[32];
	size_t i;
	int frames = 0;

	if (r->n_steps == 0)
		return;
	/* frame numbers only when there is a capture to look them up in */
	for (i = 0; i < r->n_steps; i++)
		frames |= r->steps[i].frames[0] != '\0';
	fprintf(out, "<h2 id=\"steps\">Steps</h2>\n<table><tr><th>Step</th>"
	    "<th>Status</th><th>Time</th><th>Summary</th>%s</tr>\n", frames ?
	    "<th>Frames</th>" : "");
	for (i = 0; i < r->n_steps; i++) {
		const struct step *s = &r->steps[i];
		const char *st = step_status_name(s->status);

		snprintf(ms, sizeof(ms), "%.0f ms", s->elapsed * 1000);
		fputs("<tr>", out);
		td(out, "mono", s->name);
		fprintf(out, "<td class=\"st %s\">%s</td>", st, st);
		td(out, "n", ms);
		td(out, NULL, s->summary);
		if (frames)
			td(out, "t", s->frames);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void
timeline(const struct report *r, FILE *out)
{
	char line[1024], when[40];
	size_t i;

	fputs("<h2 id=\"timeline\">Timeline</h2>\n", out);
	if (r->n_events == 0) {
		fputs("<p class=\"note\">No events.</p>\n", out);
		return;
	}
	fputs("<table><tr><th>#</th><th>Time (UTC)</th><th>Source</th>"
	    "<th>Event</th></tr>\n", out);
	for (i = 0; i < r->n_events && i < TIMELINE_MAX_ROWS; i++) {
		const struct event *ev = &r->events[i];

		event_describe(ev, line, sizeof(line));
		format_time(ev->t, when, sizeof(when));
		fprintf(out, "<tr id=\"e%zu\"%s><td class=\"n\">%zu</td>", i + 1,
		    is_evidence(r, i) ? " class=\"hit\"" : "", i + 1);
		td(out, "mono t when", ev->t > 0 ? when : "-");
		td(out, "mono t", ev->source);
		td(out, NULL, line);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
	if (r->n_events > TIMELINE_MAX_ROWS)
		fprintf(out, "<p class=\"note\">The first %d of %zu events; "
		    "the JSON report holds them all.</p>\n", TIMELINE_MAX_ROWS,
		    r->n_events);
}

/* What made the page: the version, the command, and for a live run its
 * time (an offline analysis depends on its inputs alone, byte for byte,
 * and its times are the evidence's). */
static void
footer(const struct report *r, FILE *out)
{
	char when[40];

	fputs("<footer>Generated by ccmdiag " VERSION, out);
	if (r->live_time) {
		format_time(r->started, when, sizeof(when));
		fprintf(out, " on %.10s at %.8s UTC", when, when + 11);
	} else {
		fputs(" from the inputs listed above (an offline analysis: "
		    "the times are the evidence's)", out);
	}
	fputs(".", out);
	if (r->cmdline) {
		fputs("<br>Command: <code>", out);
		html_escape(out, r->cmdline);
		fputs("</code>", out);
	}
	fputs("</footer>\n", out);
}

static int
write_html(const struct report *r, FILE *out)
{
	char head[64], rest[512], line[1400];
	size_t i;
	int live = strcmp(r->command, "probe") == 0 ||
	    strcmp(r->command, "register") == 0;
	const char *tone = !r->approved ? "bad" : r->n_findings &&
	    finding_severity(r->findings[0].id) == SEV_WARNING ? "warn" :
	    "good";

	report_verdict(r, head, sizeof(head), rest, sizeof(rest));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8"
	    "\">\n<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>ccmdiag: ", out);
	html_escape(out, head);
	fputs(" \xe2\x80\x94 ", out);
	html_escape(out, r->target);
	fprintf(out, "</title>\n<style>%s</style></head>\n<body><main>\n", css);
	fputs("<h1>ccmdiag ", out);
	html_escape(out, r->command);
	fputs(" report</h1>\n", out);
	fprintf(out, "<div class=\"banner %s\"><div class=\"head\">", tone);
	html_escape(out, head);
	fputs("</div><div class=\"why\">", out);
	html_escape(out, rest);
	fputs("</div></div>\n<dl class=\"facts\">", out);
	if (r->scenario[0])
		fact(out, "Lab scenario", r->scenario);
	for (i = 0; i < r->n_inputs; i++) {
		report_input_line(&r->inputs[i], line, sizeof(line));
		fact(out, "Input", line);
	}
	if (live || r->n_inputs == 0)
		fact(out, live ? "Management point" : "Input", r->target);
	if (!live || (r->mp_name[0] && strcmp(r->mp_name, r->target) != 0))
		fact(out, live ? "Canonical name" : "Management point",
		    r->mp_name[0] ? r->mp_name : "not seen");
	if (r->mp_realm[0])
		fact(out, "MP realm", r->mp_realm);
	if (r->client[0])
		fact(out, "Client", r->client);
	if (r->client_realm[0])
		fact(out, "Client realm", r->client_realm);
	fputs("</dl>\n<nav><a href=\"#findings\">Findings</a>", out);
	if (r->n_clients)
		fputs("<a href=\"#clients\">Clients</a>", out);
	if (r->n_steps)
		fputs("<a href=\"#steps\">Steps</a>", out);
	fputs("<a href=\"#ladder\">Ladder diagram</a><a href=\"#timeline\">"
	    "Timeline</a></nav>\n", out);
	findings(r, out);
	clients(r, out);
	steps(r, out);
	fputs("<h2 id=\"ladder\">Exchange</h2>\n", out);
	html_ladder(r, out);
	timeline(r, out);
	footer(r, out);
	fputs("</main></body></html>\n", out);
	return ferror(out) ? -1 : 0;
}

const struct report_writer report_html = {
	.name = "html",
	.write = write_html,
};
