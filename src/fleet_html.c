/* fleet_html.c - a fleet run as one HTML page: the matrix as a table whose
 * every cell links to that target's findings below it (fleet.h). */
#include <stdio.h>
#include <string.h>

#include "fleet.h"
#include "html.h"
#include "util.h"

/* what the fleet page adds to the report's style sheet */
static const char style[] =
".banner.unknown{background:#616e7c}"
".about{color:#52606d;margin:8px 0}"
".scroll{overflow-x:auto}"
"table.matrix{width:auto}"
".matrix th,.matrix td{white-space:nowrap;border:1px solid #e4e7eb}"
".matrix td.ok a{color:#1f7a4d}.matrix td.warn a{color:#b54708}"
".matrix td.bad a{color:#b42318;font-weight:600}"
".matrix td.unknown a{color:#616e7c}"
".target{background:#fff;border:1px solid #d9e0e6;border-left:5px solid "
"#9aa5b1;border-radius:6px;padding:4px 16px 10px;margin:0 0 12px}"
".target.bad{border-left-color:#d92d20}.target.warn{border-left-color:"
"#f79009}.target.ok{border-left-color:#1f7a4d}"
".target h3{margin:8px 0;font-size:15px}.target ul{margin:4px 0;"
"padding-left:20px}"
".ev{color:#52606d;font-size:13px}";

/* the class of a state: ok, warn, bad, unknown */
static const char *
tone(enum nagios_state st)
{
	switch (st) {
	case NAGIOS_OK:
		return "ok";
	case NAGIOS_WARNING:
		return "warn";
	case NAGIOS_CRITICAL:
		return "bad";
	default:
		return "unknown";
	}
}

/* the report's banner colours: good, warn, bad */
static const char *
banner(enum nagios_state st)
{
	return st == NAGIOS_OK ? "good" : st == NAGIOS_WARNING ? "warn" :
	    st == NAGIOS_CRITICAL ? "bad" : "unknown";
}

static void
matrix(const struct fleet_run *run, FILE *out)
{
	size_t rows = fleet_rows(run), cols = fleet_cols(run), r, c;
	char buf[300];
	long t;

	fputs("<div class=\"scroll\"><table class=\"matrix\">\n<tr><th></th>",
	    out);
	for (c = 0; c < cols; c++) {
		fputs("<th>", out);
		html_escape(out, fleet_label(run, 0, c));
		fputs("</th>", out);
	}
	fputs("</tr>\n", out);
	for (r = 0; r < rows; r++) {
		fputs("<tr><th>", out);
		html_escape(out, fleet_label(run, 1, r));
		fputs("</th>", out);
		for (c = 0; c < cols; c++) {
			if ((t = fleet_at(run, r, c)) < 0) {
				fputs("<td>-</td>", out);
				continue;
			}
			fleet_cell_text(&run->results[t], buf, sizeof(buf));
			fprintf(out, "<td class=\"%s\"><a href=\"#t%ld\">",
			    tone(run->results[t].state), t + 1);
			html_escape(out, buf);
			fputs("</a></td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table></div>\n", out);
}

static void
causes(const struct fleet_run *run, FILE *out)
{
	struct fleet_cause *c;
	size_t n, i;

	if (fleet_causes(run, &c, &n) != 0 || n == 0) {
		fleet_causes_free(c, 0);
		return;
	}
	fputs("<h2>Findings by root cause</h2>\n<ul>\n", out);
	for (i = 0; i < n; i++) {
		fputs("<li><code>", out);
		html_escape(out, c[i].id == FID__COUNT ? "not run" :
		    finding_key(c[i].id));
		fputs("</code>: ", out);
		html_escape(out, c[i].where);
		if (c[i].id != FID__COUNT) {
			fputs(" \xe2\x80\x94 ", out);
			html_escape(out, finding_title(c[i].id));
		}
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
	fleet_causes_free(c, n);
}

static void
target(const struct fleet_run *run, size_t t, FILE *out)
{
	const struct fleet_result *res = &run->results[t];
	const struct report *r = &res->r;
	char line[1024];
	size_t i;
	int j;

	fprintf(out, "<div class=\"target %s\" id=\"t%zu\"><h3>", tone(
	    res->state), t + 1);
	html_escape(out, run->targets[t].mp);
	fputs(" as ", out);
	html_escape(out, run->idents[run->targets[t].ident].label);
	fputs(" \xe2\x80\x94 ", out);
	fleet_cell_text(res, line, sizeof(line));
	html_escape(out, line);
	fputs("</h3>\n", out);
	if (res->rc == 3) {
		fputs("<p>ccmdiag could not make the check: ", out);
		html_escape(out, res->why);
		fputs("</p></div>\n", out);
		return;
	}
	fputs("<ul>", out);
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		const char *sev = severity_name(finding_severity(f->id));

		if (finding_severity(f->id) == SEV_INFO)
			continue;
		fprintf(out, "<li><span class=\"sev %s\">%s</span><code>", sev,
		    sev);
		html_escape(out, finding_key(f->id));
		fputs("</code> ", out);
		html_escape(out, finding_title(f->id));
		fputs("<ul>", out);
		for (j = 0; j < f->n_evidence; j++) {
			event_describe(&r->events[f->evidence[j]], line,
			    sizeof(line));
			fputs("<li class=\"ev\">", out);
			html_escape(out, line);
			fputs("</li>", out);
		}
		fputs("</ul></li>\n", out);
	}
	fputs("</ul><p class=\"ev\">", out);
	for (i = 0; i < r->n_steps; i++) {
		snprintf(line, sizeof(line), "%s%s %s %.0f ms", i ? "; " : "",
		    r->steps[i].name, step_status_name(r->steps[i].status),
		    r->steps[i].elapsed * 1000);
		html_escape(out, line);
	}
	fputs("</p></div>\n", out);
}

static int
html_end(const struct fleet_run *run, FILE *out)
{
	char sum[200], about[600];
	size_t i;

	fleet_summary(run, sum, sizeof(sum));
	fleet_about(run, about, sizeof(about));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8"
	    "\">\n<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>ccmdiag fleet: ", out);
	html_escape(out, sum);
	fprintf(out, "</title>\n<style>%s%s</style></head>\n<body><main>\n"
	    "<h1>ccmdiag fleet</h1>\n<div class=\"banner %s\"><div "
	    "class=\"head\">", html_css, style, banner(fleet_state(run)));
	html_escape(out, sum);
	fputs("</div></div>\n<p class=\"about\">", out);
	html_escape(out, about);
	fputs("</p>\n", out);
	matrix(run, out);
	fputs("<p class=\"about\">approved* approved with a warning; - no such "
	    "line in the targets file; each cell links to its findings</p>\n",
	    out);
	causes(run, out);
	fputs("<h2>Targets</h2>\n", out);
	for (i = 0; i < run->n; i++)
		target(run, i, out);
	fputs("<footer>Generated by ccmdiag " VERSION "</footer>\n"
	    "</main></body></html>\n", out);
	return ferror(out) ? -1 : 0;
}

const struct fleet_writer fleet_html = {
	.name = "html",
	.end = html_end,
};
