/* json.c - the ccmdiag/1 JSON report (docs/json.md). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <json-c/printbuf.h>

#include "json.h"
#include "report.h"
#include "util.h"

static void
set_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void
set_int(json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

#define JSON_FLAGS \
	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * Writes o the way json-c prints it depth levels down the tree.  json-c
 * only prints at the top level, so each line after the first is shifted
 * here; a JSON string never holds a raw newline, so every one is json-c's.
 */
static int
put_value(FILE *out, json_object *o, int depth)
{
	static const char nl_indent[] = "\n      ";
	const char *s, *nl;

	if ((size_t)(1 + 2 * depth) >= sizeof(nl_indent) ||
	    (s = json_object_to_json_string_ext(o, JSON_FLAGS)) == NULL)
		return -1;
	while ((nl = strchr(s, '\n')) != NULL) {
		fwrite(s, 1, nl - s, out);
		fwrite(nl_indent, 1, 1 + 2 * depth, out);
		s = nl + 1;
	}
	fputs(s, out);
	return 0;
}

/* Starts the root's nth member; keys are our own, nothing to escape. */
static void
put_key(FILE *out, const char *k, int n)
{
	fprintf(out, "%s\n  \"%s\":", n ? "," : "", k);
}

/* Writes element i of an array in the root, then frees it. */
static int
put_elem(FILE *out, size_t i, json_object *o)
{
	int rc;

	fputs(i ? ",\n    " : "\n    ", out);
	rc = put_value(out, o, 2);
	json_object_put(o);
	/* no point formatting thousands more for a full disk */
	return rc == -1 || ferror(out) ? -1 : 0;
}

/*
 * A string as json-c prints it, quoted and escaped, through one string
 * object reused for every field: for tens of thousands of clients much
 * cheaper than an object tree each.
 */
static const char *
quoted(json_object *tmp, const char *s)
{
	const char *q;

	if (json_object_set_string(tmp, s) == 0 ||
	    (q = json_object_to_json_string_ext(tmp, JSON_FLAGS)) == NULL)
		return NULL;
	return q;
}

/* Append n bytes; -1 when out of memory.  Inline while they fit. */
static int
pb_put(struct printbuf *pb, const char *s, size_t n)
{
	if (n < (size_t)(pb->size - pb->bpos)) {
		memcpy(pb->buf + pb->bpos, s, n);
		pb->bpos += (int)n;
		pb->buf[pb->bpos] = '\0';
		return 0;
	}
	return printbuf_memappend(pb, s, (int)n) < 0 ? -1 : 0;
}

/* Append a NUL-terminated string. */
static int
pb_add(struct printbuf *pb, const char *s)
{
	return pb_put(pb, s, strlen(s));
}

/*
 * s quoted as json-c quotes it.  Text of printable ASCII other than '"' and
 * '\\' is what json-c leaves as it is (with NOSLASHESCAPE), so it is only
 * put between quotes here; json-c escapes everything else.
 */
static int
add_quoted(struct printbuf *pb, json_object *tmp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *q;

	while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
		p++;
	if (*p == '\0')
		return pb_put(pb, "\"", 1) != 0 ||
		    pb_put(pb, s, (size_t)(p - (const unsigned char *)s)) != 0 ||
		    pb_put(pb, "\"", 1) != 0 ? -1 : 0;
	if ((q = quoted(tmp, s)) == NULL)
		return -1;
	return pb_add(pb, q);
}

/* A string member of a client at depth 2, as json-c would print it. */
static int
add_str(struct printbuf *pb, json_object *tmp, const char *k, const char *v)
{
	if (pb_add(pb, ",\n      \"") != 0 || pb_add(pb, k) != 0 ||
	    pb_add(pb, "\":") != 0 || add_quoted(pb, tmp, v) != 0)
		return -1;
	return 0;
}

/*
 * Element i of the clients array, built in pb and written at once: tens
 * of thousands of clients make a call per piece add up.
 */
static int
put_client(FILE *out, struct printbuf *pb, json_object *tmp, size_t i,
    const struct client_verdict *cv)
{
	char num[160];

	printbuf_reset(pb);
	snprintf(num, sizeof(num), ",\n      \"requests\":%d", cv->n_requests);
	if (cv->approval != CV_UNKNOWN)	/* undecided: not known approved */
		strappendf(num, sizeof(num), ",\n      \"approved\":%s",
		    cv->approval == CV_APPROVED ? "true" : "false");
	if (cv->n_attempts > 0)
		strappendf(num, sizeof(num), ",\n      \"attempts\":%d",
		    cv->n_attempts);
	if (pb_add(pb, i ? ",\n    {\n      \"client\":" :
	    "\n    {\n      \"client\":") != 0 ||
	    add_quoted(pb, tmp, cv->client) != 0 ||
	    (cv->user[0] && add_str(pb, tmp, "user", cv->user) != 0) ||
	    add_str(pb, tmp, "verdict", cv->verdict) != 0 ||
	    pb_add(pb, num) != 0 ||
	    (cv->root_cause[0] && add_str(pb, tmp, "root_cause",
	    cv->root_cause) != 0) ||
	    (cv->history && add_str(pb, tmp, "history",
	    cv->history) != 0) ||
	    (cv->machine[0] && add_str(pb, tmp, "machine",
	    cv->machine) != 0) ||
	    (cv->guid[0] && add_str(pb, tmp, "guid", cv->guid) != 0) ||
	    add_str(pb, tmp, "status", cv->last_status) != 0 ||
	    add_str(pb, tmp, "first", cv->first) != 0 ||
	    add_str(pb, tmp, "last", cv->last) != 0 ||
	    add_str(pb, tmp, "source", cv->source) != 0 ||
	    pb_add(pb, "\n    }") != 0)
		return -1;
	fwrite(pb->buf, 1, (size_t)pb->bpos, out);
	return ferror(out) ? -1 : 0;
}

static json_object *
event_json(const struct event *ev)
{
	json_object *o = json_object_new_object();
	char line[1024], when[40];

	event_describe(ev, line, sizeof(line));
	format_time(ev->t, when, sizeof(when));
	set_str(o, "type", event_type_name(ev->type));
	if (ev->t > 0)		/* none when the evidence gives none */
		set_str(o, "time", when);
	set_str(o, "source", ev->source);
	set_str(o, "text", line);
	if (ev->frame >= 0)
		set_int(o, "frame", ev->frame);
	if (ev->name[0])
		set_str(o, "name", ev->name);
	if (ev->realm[0])
		set_str(o, "realm", ev->realm);
	if (ev->client[0])
		set_str(o, "client", ev->client);
	/* each kind's own fields, under names that mean the same everywhere */
	switch (ev->type) {
	case EV_HTTP_REQUEST:
		if (ev->host[0])
			set_str(o, "host", ev->host);
		if (ev->uri[0])
			set_str(o, "path", ev->uri);
		break;
	case EV_HTTP_RESPONSE:
	case EV_MP_QUERY:
		if (ev->status >= 0)
			set_int(o, "status", ev->status);
		break;
	case EV_IIS_REQUEST:
		set_int(o, "status", ev->status);
		set_int(o, "substatus", ev->iis.substatus);
		set_int(o, "win32_status", ev->iis.win32);
		if (ev->peer[0] && !ev->client[0])
			set_str(o, "client", ev->peer);
		break;
	case EV_DNS:
		if (ev->rcode >= 0)
			set_int(o, "rcode", ev->rcode);
		break;
	case EV_CONNECT_FAIL:
	case EV_KDC_UNREACHABLE:
		if (ev->peer[0])
			set_str(o, "server", ev->peer);
		if (ev->port >= 0)
			set_int(o, "port", ev->port);
		break;
	case EV_KRB_REQUEST:
	case EV_KRB_REPLY:
	case EV_KRB_ERROR:
	case EV_TICKET:
	case EV_SPNEGO_REPLY:
	case EV_GSS_STATUS:
		if (ev->code >= 0)
			set_int(o, "krb_error", ev->code);
		if (ev->etype >= 0)
			set_int(o, "etype", ev->etype);
		if (ev->kvno >= 0)
			set_int(o, "kvno", ev->kvno);
		break;
	case EV_SPN_OWNER:
		if (ev->spn.kvno >= 0)
			set_int(o, "kvno", ev->spn.kvno);
		break;
	default:
		break;
	}
	if (!isnan(ev->offset))
		json_object_object_add(o, "offset",
		    json_object_new_double(ev->offset));
	if (ev->flags & EVF_DEADLINE)
		json_object_object_add(o, "deadline",
		    json_object_new_boolean(1));
	if (ev->type == EV_GSS_STATUS) {
		set_int(o, "gss_major", (long long)ev->major);
		set_int(o, "gss_minor", (long long)ev->minor);
	}
	return o;
}

/* The members before clients and timeline, as a tree. */
static json_object *
json_head(const struct report *r)
{
	json_object *root = json_object_new_object(), *v, *arr, *o, *ev;
	const struct finding *top = r->n_findings ? &r->findings[0] : NULL;
	char summary[600], head[32];
	size_t i;
	int j;

	set_str(root, "schema", "ccmdiag/1");
	set_str(root, "command", r->command);
	set_str(root, "target", r->target);
	if (r->n_inputs) {
		arr = json_object_new_array();
		for (i = 0; i < r->n_inputs; i++) {
			o = json_object_new_object();
			set_str(o, "path", r->inputs[i].path);
			set_str(o, "kind", r->inputs[i].kind);
			set_str(o, "status",
			    input_status_name(r->inputs[i].status));
			set_str(o, "detail", r->inputs[i].detail);
			json_object_array_add(arr, o);
		}
		json_object_object_add(root, "inputs", arr);
	}
	if (r->client[0])
		set_str(root, "client", r->client);
	if (r->client_realm[0])
		set_str(root, "client_realm", r->client_realm);
	if (r->mp_realm[0])
		set_str(root, "mp_realm", r->mp_realm);
	if (r->scenario[0])
		set_str(root, "scenario", r->scenario);
	v = json_object_new_object();
	json_object_object_add(v, "approved",
	    json_object_new_boolean(r->approved));
	report_verdict(r, head, sizeof(head), summary, sizeof(summary));
	set_str(v, "summary", summary);
	if (!r->approved && top &&
	    finding_severity(top->id) == SEV_ERROR)
		set_str(v, "root_cause", finding_key(top->id));
	if (strcmp(r->command, "analyze") == 0) {
		set_str(v, "basis", r->basis == BASIS_NO_EXCHANGE ?
		    "no-exchange" : r->basis == BASIS_INCOMPLETE ?
		    "incomplete" : "judged");
		set_int(v, "exchanges", r->n_exchanges);
	}
	json_object_object_add(root, "verdict", v);

	arr = json_object_new_array();
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];

		o = json_object_new_object();
		set_str(o, "id", finding_key(f->id));
		set_str(o, "severity", severity_name(finding_severity(f->id)));
		set_str(o, "title", finding_title(f->id));
		ev = json_object_new_array();
		for (j = 0; j < f->n_evidence; j++)
			json_object_array_add(ev,
			    event_json(&r->events[f->evidence[j]]));
		json_object_object_add(o, "evidence", ev);
		set_str(o, "remedy", finding_remedy(f->id));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "findings", arr);

	arr = json_object_new_array();
	for (i = 0; i < r->n_steps; i++) {
		const struct step *s = &r->steps[i];

		o = json_object_new_object();
		set_str(o, "name", s->name);
		set_str(o, "status", step_status_name(s->status));
		json_object_object_add(o, "elapsed_ms",
		    json_object_new_double(round(s->elapsed * 1e4) / 10));
		set_str(o, "summary", s->summary);
		if (s->frames[0])
			set_str(o, "frames", s->frames);
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "steps", arr);
	return root;
}

/* A client of the clients array, as put_client writes it. */
static json_object *
client_json(const struct client_verdict *cv)
{
	json_object *o = json_object_new_object();

	set_str(o, "client", cv->client);
	if (cv->user[0])
		set_str(o, "user", cv->user);
	set_str(o, "verdict", cv->verdict);
	set_int(o, "requests", cv->n_requests);
	if (cv->approval != CV_UNKNOWN)
		json_object_object_add(o, "approved", json_object_new_boolean(
		    cv->approval == CV_APPROVED));
	if (cv->n_attempts > 0)
		set_int(o, "attempts", cv->n_attempts);
	if (cv->root_cause[0])
		set_str(o, "root_cause", cv->root_cause);
	if (cv->history)
		set_str(o, "history", cv->history);
	if (cv->machine[0])
		set_str(o, "machine", cv->machine);
	if (cv->guid[0])
		set_str(o, "guid", cv->guid);
	set_str(o, "status", cv->last_status);
	set_str(o, "first", cv->first);
	set_str(o, "last", cv->last);
	set_str(o, "source", cv->source);
	return o;
}

json_object *
json_report_tree(const struct report *r)
{
	json_object *root = json_head(r), *arr;
	size_t i;

	if (r->n_clients) {
		arr = json_object_new_array_ext((int)r->n_clients);
		for (i = 0; i < r->n_clients; i++)
			json_object_array_add(arr, client_json(&r->clients[i]));
		json_object_object_add(root, "clients", arr);
	}
	arr = json_object_new_array_ext((int)r->n_events);
	for (i = 0; i < r->n_events; i++)
		json_object_array_add(arr, event_json(&r->events[i]));
	json_object_object_add(root, "timeline", arr);
	return root;
}

static int
write_json(const struct report *r, FILE *out)
{
	json_object *root = json_head(r);
	struct json_object_iter it;
	size_t i;
	int n;

	/*
	 * With tens of thousands of clients or events, one tree for the whole
	 * report costs more to build and free than to print, so clients and
	 * timeline go out one element at a time after the small members.
	 */
	n = 0;
	fputc('{', out);
	json_object_object_foreachC(root, it) {
		put_key(out, it.key, n++);
		if (put_value(out, it.val, 1) == -1) {
			json_object_put(root);
			return -1;
		}
	}
	json_object_put(root);

	if (r->n_clients) {
		json_object *tmp = json_object_new_string("");
		struct printbuf *pb = printbuf_new();
		int rc = tmp && pb ? 0 : -1;

		put_key(out, "clients", n++);
		fputc('[', out);
		for (i = 0; rc == 0 && i < r->n_clients; i++)
			rc = put_client(out, pb, tmp, i, &r->clients[i]);
		json_object_put(tmp);
		if (pb)
			printbuf_free(pb);
		if (rc != 0)
			return -1;
		fputs("\n  ]", out);
	}

	put_key(out, "timeline", n++);
	fputc('[', out);
	for (i = 0; i < r->n_events; i++)
		if (put_elem(out, i, event_json(&r->events[i])) == -1)
			return -1;
	fputs("\n  ]\n}\n", out);
	return ferror(out) ? -1 : 0;
}

const struct report_writer report_json = {
	.name = "json",
	.write = write_json,
};
