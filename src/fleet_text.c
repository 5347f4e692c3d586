/* fleet_text.c - a fleet run as text and as Markdown: the summary, the
 * matrix, the findings grouped by root cause (fleet.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "markdown.h"
#include "util.h"

void
fleet_summary(const struct fleet_run *run, char *buf, size_t n)
{
	size_t i, ok = 0, warn = 0, bad = 0, unrun = 0;

	for (i = 0; i < run->n; i++) {
		const struct fleet_result *res = &run->results[i];

		if (res->rc == 3)
			unrun++;
		else if (res->rc != 0)
			bad++;
		else if (res->state == NAGIOS_WARNING)
			warn++;
		else
			ok++;
	}
	snprintf(buf, n, "%zu of %zu targets approved", ok + warn,
	    run->n);
	if (warn)
		strappendf(buf, n, " (%zu with a warning)", warn);
	strappendf(buf, n, ", %zu failing", bad);
	if (unrun)
		strappendf(buf, n, ", %zu not run", unrun);
}

void
fleet_about(const struct fleet_run *run, char *buf, size_t n)
{
	char when[40];

	format_time(run->started, when, sizeof(when));
	snprintf(buf, n, "%zu client identit%s x %zu MP%s, %d at once, "
	    "%.2f s, on %s at %s", run->n_idents, run->n_idents == 1 ? "y" :
	    "ies", run->n_mps, run->n_mps == 1 ? "" : "s", run->opts->jobs,
	    run->elapsed, run->host, when);
}

/* The words of the cell at row, col; "-" where the file has no target. */
static void
cell(const struct fleet_run *run, size_t row, size_t col, char *buf,
    size_t n)
{
	long t = fleet_at(run, row, col);

	if (t < 0)
		strlcpy0(buf, "-", n);
	else
		fleet_cell_text(&run->results[t], buf, n);
}

static void
text_matrix(const struct fleet_run *run, FILE *out)
{
	size_t rows = fleet_rows(run), cols = fleet_cols(run), r, c, w0 = 0;
	size_t *w;
	char buf[300];

	if ((w = calloc(cols, sizeof(*w))) == NULL)
		return;
	for (r = 0; r < rows; r++)
		if (strlen(fleet_label(run, 1, r)) > w0)
			w0 = strlen(fleet_label(run, 1, r));
	for (c = 0; c < cols; c++) {
		w[c] = strlen(fleet_label(run, 0, c));
		for (r = 0; r < rows; r++) {
			cell(run, r, c, buf, sizeof(buf));
			if (strlen(buf) > w[c])
				w[c] = strlen(buf);
		}
	}
	fprintf(out, "%-*s", (int)w0, "");
	for (c = 0; c < cols; c++)
		fprintf(out, "  %-*s", c + 1 < cols ? (int)w[c] : 0,
		    fleet_label(run, 0, c));
	fputc('\n', out);
	for (r = 0; r < rows; r++) {
		fprintf(out, "%-*s", (int)w0, fleet_label(run, 1, r));
		for (c = 0; c < cols; c++) {
			cell(run, r, c, buf, sizeof(buf));
			fprintf(out, "  %-*s", c + 1 < cols ? (int)w[c] : 0,
			    buf);
		}
		fputc('\n', out);
	}
	free(w);
}

/* "mp01 = mp01.parent.lab" for each column head that is not the name */
static void
mp_legend(const struct fleet_run *run, FILE *out, int md)
{
	size_t i;
	int any = 0;

	for (i = 0; i < run->n_mps; i++) {
		if (strcmp(run->mps[i].label, run->mps[i].name) == 0)
			continue;
		fputs(any ? ", " : "\nMPs: ", out);
		if (md) {
			md_escape(out, run->mps[i].label);
			fputs(" = ", out);
			md_escape(out, run->mps[i].name);
		} else {
			fprintf(out, "%s = %s", run->mps[i].label,
			    run->mps[i].name);
		}
		any = 1;
	}
	if (any)
		fputc('\n', out);
}

static const char *
cause_head(const struct fleet_cause *c)
{
	return c->id == FID__COUNT ? "not run" : finding_key(c->id);
}

static void
text_causes(const struct fleet_run *run, FILE *out)
{
	struct fleet_cause *c;
	size_t n, i, k;

	if (fleet_causes(run, &c, &n) != 0 || n == 0) {
		fleet_causes_free(c, 0);
		return;
	}
	fputs("\nFindings by root cause:\n", out);
	for (i = 0; i < n; i++) {
		if (c[i].id == FID__COUNT) {
			fputs("  not run (ccmdiag could not make the check):\n",
			    out);
			for (k = 0; k < c[i].n; k++) {
				size_t t = c[i].targets[k];

				fprintf(out, "      %s as %s: %s\n",
				    run->targets[t].mp,
				    run->idents[run->targets[t].ident].label,
				    run->results[t].why);
			}
			continue;
		}
		fprintf(out, "  [%s] %s: %s\n      %s\n",
		    severity_name(finding_severity(c[i].id)), cause_head(&c[i]),
		    c[i].where, finding_title(c[i].id));
	}
	fleet_causes_free(c, n);
}

static int
text_end(const struct fleet_run *run, FILE *out)
{
	char sum[200], about[600];

	fleet_summary(run, sum, sizeof(sum));
	fleet_about(run, about, sizeof(about));
	fprintf(out, "FLEET: %s\n(%s)\n\n", sum, about);
	text_matrix(run, out);
	fputs("(approved* approved with a warning; - no such line in the "
	    "targets file)\n", out);
	text_causes(run, out);
	mp_legend(run, out, 0);
	return ferror(out) ? -1 : 0;
}

const struct fleet_writer fleet_text = {
	.name = "text",
	.end = text_end,
};

/* ---- Markdown ---- */

static void
md_cell(FILE *out, const char *s)
{
	fputs("| ", out);
	md_escape(out, s);
	fputc(' ', out);
}

static void
md_matrix(const struct fleet_run *run, FILE *out)
{
	size_t rows = fleet_rows(run), cols = fleet_cols(run), r, c;
	char buf[300];

	fputs("\n|  ", out);
	for (c = 0; c < cols; c++)
		md_cell(out, fleet_label(run, 0, c));
	fputs("|\n|---", out);
	for (c = 0; c < cols; c++)
		fputs("|---", out);
	fputs("|\n", out);
	for (r = 0; r < rows; r++) {
		md_cell(out, fleet_label(run, 1, r));
		for (c = 0; c < cols; c++) {
			cell(run, r, c, buf, sizeof(buf));
			md_cell(out, buf);
		}
		fputs("|\n", out);
	}
}

static void
md_target(const struct fleet_run *run, size_t t, FILE *out)
{
	const struct fleet_result *res = &run->results[t];
	const struct report *r = &res->r;
	char line[1024];
	size_t i;
	int j;

	fputs("\n### ", out);
	md_escape(out, run->targets[t].mp);
	fputs(" as ", out);
	md_escape(out, run->idents[run->targets[t].ident].label);
	fputs("\n\n", out);
	if (res->rc == 3) {
		fputs("Not run: ", out);
		md_escape(out, res->why);
		fputs("\n", out);
		return;
	}
	fleet_cell_text(res, line, sizeof(line));
	fputs("**", out);
	md_escape(out, line);
	fputs("**\n", out);
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];

		if (finding_severity(f->id) == SEV_INFO)
			continue;
		fputs("\n- ", out);
		md_escape(out, severity_name(finding_severity(f->id)));
		fputs(" **", out);
		md_escape(out, finding_key(f->id));
		fputs("**: ", out);
		md_escape(out, finding_title(f->id));
		for (j = 0; j < f->n_evidence; j++) {
			event_describe(&r->events[f->evidence[j]], line,
			    sizeof(line));
			fputs("\n  - ", out);
			md_escape(out, line);
		}
	}
	fputc('\n', out);
}

static int
md_end(const struct fleet_run *run, FILE *out)
{
	struct fleet_cause *c;
	char sum[200], about[600];
	size_t n, i;

	fleet_summary(run, sum, sizeof(sum));
	fleet_about(run, about, sizeof(about));
	fputs("# ccmdiag fleet\n\n**", out);
	md_escape(out, sum);
	fputs("** (", out);
	md_escape(out, about);
	fputs(")\n", out);
	md_matrix(run, out);
	fputs("\napproved\\* approved with a warning; - no such line in the "
	    "targets file\n", out);
	mp_legend(run, out, 1);
	if (fleet_causes(run, &c, &n) == 0 && n > 0) {
		fputs("\n## Findings by root cause\n\n", out);
		for (i = 0; i < n; i++) {
			fputs("- **", out);
			md_escape(out, cause_head(&c[i]));
			fputs("**: ", out);
			md_escape(out, c[i].where);
			if (c[i].id != FID__COUNT) {
				fputs(" \xe2\x80\x94 ", out);
				md_escape(out, finding_title(c[i].id));
			}
			fputc('\n', out);
		}
	}
	fleet_causes_free(c, n);
	fputs("\n## Targets\n", out);
	for (i = 0; i < run->n; i++)
		md_target(run, i, out);
	return ferror(out) ? -1 : 0;
}

const struct fleet_writer fleet_markdown = {
	.name = "markdown",
	.end = md_end,
};
