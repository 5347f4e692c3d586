/* fleet_json.c - a fleet run as JSON (one document holding every target's),
 * JSON Lines (a document a target, as each is done) and a monitoring
 * plugin's summary (fleet.h). */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "fleet.h"
#include "jsonl.h"
#include "util.h"

#define PLAIN (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* What the run adds to a target's document. */
static void
run_of(const struct fleet_run *run, size_t i, struct jsonl_run *jr)
{
	const struct fleet_target *t = &run->targets[i];
	const struct fleet_result *res = &run->results[i];

	memset(jr, 0, sizeof(*jr));
	jr->id = run->id;
	jr->host = run->host;
	jr->principal = t->principal[0] ? t->principal :
	    run->idents[t->ident].label;
	jr->error = res->rc == 3 ? res->why : NULL;
	jr->line = t->line;
	jr->index = (int)i + 1;
	jr->of = (int)run->n;
}

static int
jsonl_target(const struct fleet_run *run, size_t i, FILE *out)
{
	struct jsonl_run jr;

	run_of(run, i, &jr);
	return jsonl_write(&run->results[i].r, &jr, out);
}

const struct fleet_writer fleet_jsonl = {
	.name = "jsonl",
	.target = jsonl_target,
};

/* ---- one JSON document ---- */

static int
json_begin(const struct fleet_run *run, FILE *out)
{
	(void)run;
	fputs("{\n  \"schema\": \"ccmdiag/1\",\n  \"command\": \"fleet\",\n"
	    "  \"targets\": [", out);
	return ferror(out) ? -1 : 0;
}

static int
json_target(const struct fleet_run *run, size_t i, FILE *out)
{
	struct jsonl_run jr;
	json_object *doc;
	const char *s;

	run_of(run, i, &jr);
	if ((doc = jsonl_document(&run->results[i].r, &jr)) == NULL ||
	    (s = json_object_to_json_string_ext(doc, PLAIN)) == NULL) {
		json_object_put(doc);
		return -1;
	}
	fprintf(out, "%s\n    %s", i ? "," : "", s);
	json_object_put(doc);
	return ferror(out) ? -1 : 0;
}

static json_object *
str(const char *s)
{
	return json_object_new_string(s);
}

static json_object *
matrix(const struct fleet_run *run)
{
	json_object *m = json_object_new_object(), *a, *row;
	size_t i, j;
	char buf[300];
	long t;

	a = json_object_new_array();
	for (i = 0; i < run->n_idents; i++)
		json_object_array_add(a, str(run->idents[i].label));
	json_object_object_add(m, "clients", a);
	a = json_object_new_array();
	for (j = 0; j < run->n_mps; j++)
		json_object_array_add(a, str(run->mps[j].name));
	json_object_object_add(m, "mps", a);
	/* cells[client][mp]: the cell's words and its target's number */
	a = json_object_new_array();
	for (i = 0; i < run->n_idents; i++) {
		row = json_object_new_array();
		for (j = 0; j < run->n_mps; j++) {
			json_object *c;

			if ((t = fleet_cell(run, i, j)) < 0) {
				json_object_array_add(row, NULL);
				continue;
			}
			c = json_object_new_object();
			fleet_cell_text(&run->results[t], buf, sizeof(buf));
			json_object_object_add(c, "cell", str(buf));
			json_object_object_add(c, "target",
			    json_object_new_int((int)t + 1));
			json_object_array_add(row, c);
		}
		json_object_array_add(a, row);
	}
	json_object_object_add(m, "cells", a);
	return m;
}

static json_object *
causes(const struct fleet_run *run)
{
	json_object *a = json_object_new_array(), *o, *ts;
	struct fleet_cause *c;
	size_t n, i, k;

	if (fleet_causes(run, &c, &n) != 0)
		return a;
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id", str(c[i].id == FID__COUNT ?
		    "not-run" : finding_key(c[i].id)));
		json_object_object_add(o, "severity", str(c[i].id ==
		    FID__COUNT ? "unknown" :
		    severity_name(finding_severity(c[i].id))));
		if (c[i].id != FID__COUNT)
			json_object_object_add(o, "title",
			    str(finding_title(c[i].id)));
		json_object_object_add(o, "where", str(c[i].where));
		ts = json_object_new_array();
		for (k = 0; k < c[i].n; k++)
			json_object_array_add(ts,
			    json_object_new_int((int)c[i].targets[k] + 1));
		json_object_object_add(o, "targets", ts);
		json_object_array_add(a, o);
	}
	fleet_causes_free(c, n);
	return a;
}

static int
json_end(const struct fleet_run *run, FILE *out)
{
	json_object *v, *r;
	char sum[200], when[40];
	const char *s;

	fleet_summary(run, sum, sizeof(sum));
	v = json_object_new_object();
	json_object_object_add(v, "approved",
	    json_object_new_boolean(fleet_exit_code(run) == 0));
	json_object_object_add(v, "summary", str(sum));
	json_object_object_add(v, "state",
	    str(nagios_state_key(fleet_state(run))));
	r = json_object_new_object();
	json_object_object_add(r, "id", str(run->id));
	json_object_object_add(r, "host", str(run->host));
	json_object_object_add(r, "version", str(VERSION));
	format_time(run->started, when, sizeof(when));
	json_object_object_add(r, "started", str(when));
	json_object_object_add(r, "elapsed_s",
	    json_object_new_double(run->elapsed));
	json_object_object_add(r, "jobs", json_object_new_int(run->opts->jobs));
	json_object_object_add(r, "timeout_s",
	    json_object_new_double(run->opts->timeout));
	fputs("\n  ],\n  \"verdict\": ", out);
	s = json_object_to_json_string_ext(v, PLAIN);
	fputs(s ? s : "null", out);
	fputs(",\n  \"run\": ", out);
	s = json_object_to_json_string_ext(r, PLAIN);
	fputs(s ? s : "null", out);
	json_object_put(v);
	json_object_put(r);
	v = matrix(run);
	fputs(",\n  \"matrix\": ", out);
	s = json_object_to_json_string_ext(v, PLAIN);
	fputs(s ? s : "null", out);
	json_object_put(v);
	v = causes(run);
	fputs(",\n  \"causes\": ", out);
	s = json_object_to_json_string_ext(v, PLAIN);
	fputs(s ? s : "null", out);
	json_object_put(v);
	fputs("\n}\n", out);
	return ferror(out) ? -1 : 0;
}

const struct fleet_writer fleet_json = {
	.name = "json",
	.begin = json_begin,
	.target = json_target,
	.end = json_end,
};

/* ---- a monitoring plugin's summary ---- */

static int
nagios_end(const struct fleet_run *run, FILE *out)
{
	enum nagios_state st = fleet_state(run);
	struct fleet_cause *c = NULL;
	size_t n = 0, i, count[4] = { 0, 0, 0, 0 };
	char line[2048], sum[200];

	for (i = 0; i < run->n; i++)
		count[run->results[i].state]++;
	fleet_summary(run, sum, sizeof(sum));
	snprintf(line, sizeof(line), "%s", sum);
	if (fleet_causes(run, &c, &n) == 0)
		for (i = 0; i < n && i < 3; i++)
			strappendf(line, sizeof(line), "%s%s (%s)", i ? "; " :
			    ": ", c[i].id == FID__COUNT ? "not run" :
			    finding_key(c[i].id), c[i].where);
	if (n > 3)
		strappendf(line, sizeof(line), "; %zu more", n - 3);
	nagios_clean(line);
	fprintf(out, "CCMDIAG %s - %s | 'targets'=%zu;;;0 'ok'=%zu;;;0 "
	    "'warning'=%zu;;;0 'critical'=%zu;;;0 'unknown'=%zu;;;0 "
	    "'time'=%.3fs;;;0\n", nagios_state_name(st), line, run->n,
	    count[NAGIOS_OK], count[NAGIOS_WARNING], count[NAGIOS_CRITICAL],
	    count[NAGIOS_UNKNOWN], run->elapsed);
	/* long output: every group, then every target that is not OK */
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s: %s", c[i].id == FID__COUNT ?
		    "not run" : finding_key(c[i].id), c[i].where);
		nagios_clean(line);
		fprintf(out, "%s\n", line);
	}
	fleet_causes_free(c, n);
	for (i = 0; i < run->n; i++) {
		const struct fleet_result *res = &run->results[i];
		char cellw[300];

		if (res->state == NAGIOS_OK)
			continue;
		fleet_cell_text(res, cellw, sizeof(cellw));
		snprintf(line, sizeof(line), "%s %s as %s: %s%s%s",
		    nagios_state_name(res->state), run->targets[i].mp,
		    run->idents[run->targets[i].ident].label, cellw,
		    res->rc == 3 ? ": " : "", res->rc == 3 ? res->why : "");
		nagios_clean(line);
		fprintf(out, "%s\n", line);
	}
	return ferror(out) ? -1 : 0;
}

const struct fleet_writer fleet_nagios = {
	.name = "nagios",
	.end = nagios_end,
};
