/* jsonl.c - a report as one line of JSON (jsonl.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "json.h"
#include "jsonl.h"
#include "nagios.h"
#include "util.h"

void
jsonl_host(char *buf, size_t n)
{
	if (gethostname(buf, n) != 0 || buf[0] == '\0')
		strlcpy0(buf, "localhost", n);
	buf[n - 1] = '\0';
}

void
jsonl_run_id(const char *host, double t, char *buf, size_t n)
{
	struct tm tm;
	time_t s = (time_t)t;
	char when[32];

	gmtime_r(&s, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, n, "%s-%s-%ld", host, when, (long)getpid());
}

static void
add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/* A check that could not run has no verdict of its own: say why. */
static void
not_run(json_object *doc, const char *why)
{
	json_object *v = json_object_new_object();
	char summary[700];

	json_object_object_add(v, "approved", json_object_new_boolean(0));
	snprintf(summary, sizeof(summary), "ccmdiag could not run the check: "
	    "%s", why);
	add_str(v, "summary", summary);
	json_object_object_add(doc, "verdict", v);
	add_str(doc, "error", why);
}

json_object *
jsonl_document(const struct report *r, const struct jsonl_run *run)
{
	static const struct jsonl_run none;
	json_object *doc, *o;
	char when[40], host[256], id[400];
	enum nagios_state st;

	if (run == NULL)
		run = &none;
	if ((doc = json_report_tree(r)) == NULL)
		return NULL;
	format_time(r->started, when, sizeof(when));
	add_str(doc, "time", when);
	/* what log shippers and data streams take as the event's time */
	add_str(doc, "@timestamp", when);
	if (run->principal && run->principal[0])
		add_str(doc, "principal", run->principal);
	else if (r->client[0])
		add_str(doc, "principal", r->client);
	st = run->error ? NAGIOS_UNKNOWN : nagios_state(r);
	add_str(doc, "state", nagios_state_key(st));
	if (run->error)
		not_run(doc, run->error);
	if (run->host)
		strlcpy0(host, run->host, sizeof(host));
	else
		jsonl_host(host, sizeof(host));
	o = json_object_new_object();
	add_str(o, "host", host);
	if (run->id)
		add_str(o, "id", run->id);
	else {
		jsonl_run_id(host, r->started, id, sizeof(id));
		add_str(o, "id", id);
	}
	add_str(o, "version", VERSION);
	if (run->line)
		json_object_object_add(o, "line",
		    json_object_new_int64((long long)run->line));
	if (run->of) {
		json_object_object_add(o, "index",
		    json_object_new_int(run->index));
		json_object_object_add(o, "of", json_object_new_int(run->of));
	}
	json_object_object_add(doc, "run", o);
	return doc;
}

int
jsonl_write(const struct report *r, const struct jsonl_run *run, FILE *out)
{
	json_object *doc;
	const char *s;
	int rc = -1;

	if ((doc = jsonl_document(r, run)) == NULL)
		return -1;
	s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s && fprintf(out, "%s\n", s) >= 0)
		rc = 0;
	json_object_put(doc);
	return rc == 0 && !ferror(out) ? 0 : -1;
}

static int
write_jsonl(const struct report *r, FILE *out)
{
	return jsonl_write(r, NULL, out);
}

const struct report_writer report_jsonl = {
	.name = "jsonl",
	.write = write_jsonl,
};
