/*
 * cmlog.c - Configuration Manager logs (CMTrace and the plain
 * "text  $$<component><time><thread>" format): the registration and
 * approval lines of ClientIDManagerStartup.log, MP_RegistrationManager.log,
 * CcmMessaging.log and LocationServices.log become events; a GUID seen with
 * two hardware ids or names, a rejected or a pending registration become
 * findings.  Times carry the writer's bias in minutes (UTC = local + bias).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "error.h"
#include "ingest.h"
#include "logread.h"
#include "util.h"

#define MAX_TEXT	1024		/* message text kept per record */
#define MAX_EVENTS	2000
#define MAX_GUIDS	100000

/* What the file said about one client GUID, first seen. */
struct guid {
	char guid[48];
	char hwid[96], name[64];
	int ev_hwid, ev_name;
};

struct cmlog {
	const char *base;
	struct report *r;
	struct guid *guids;
	size_t n_guids, cap_guids;
	int n_events;
	unsigned long n_records, n_skipped;
	int dup_reported;
	/* a CMTrace record whose text runs over several lines */
	char pending[MAX_TEXT];
	unsigned long pending_line;
	int in_record;
};

struct record {
	char text[MAX_TEXT];
	char component[64];
	char stamp[64];			/* as logged: "05-20-2009 19:35:13.123" */
	int bias, has_bias;		/* minutes */
	double t;			/* UTC, 0 unknown */
	unsigned long line;
};

static const char *const keywords[] = {
	"regist", "approv", "reject", "pending", "GUID:", "ardware",
	"DDR", "Assigned MP", "management point", "AD site", "failed",
	"error", "0x8",
};

/* The whole of c as text; an empty or failed cursor gives "". */
static void
text_of(struct cursor *c, char *buf, size_t n)
{
	if (n > 0)
		buf[0] = '\0';
	if (cur_left(c) > 0)
		cur_str(c, cur_left(c), buf, n);
}

/* Find needle in the record text, any case; offset after it or NULL. */
static const char *
after(const char *text, const char *needle)
{
	const char *p = strcasestr(text, needle);

	return p ? p + strlen(needle) : NULL;
}

/* Copy a token of [A-Za-z0-9:-._{}] after separators (' :=\'"). */
static void
token(const char *p, char *out, size_t n)
{
	size_t o = 0;

	while (*p == ' ' || *p == ':' || *p == '=' || *p == '\'' ||
	    *p == '"' || *p == '[' || *p == '(')
		p++;
	while (*p && o + 1 < n && (strchr("-_.:{}", *p) ||
	    (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
	    (*p >= 'A' && *p <= 'Z')))
		out[o++] = *p++;
	out[o] = '\0';
	while (o > 0 && (out[o - 1] == '.' || out[o - 1] == ':'))
		out[--o] = '\0';
}

/* "MM-DD-YYYY" and "HH:MM:SS.mmm" (local) plus bias to UTC seconds. */
static double
utc_time(const char *date, const char *clock, int bias)
{
	struct tm tm;
	int mo, d, y, h, mi;
	double sec;

	if (sscanf(date, "%2d-%2d-%4d", &mo, &d, &y) != 3 ||
	    sscanf(clock, "%2d:%2d:%lf", &h, &mi, &sec) != 3)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (double)timegm(&tm) + sec + bias * 60.0;
}

/* "19:35:13.123+480" -> clock part and bias. */
static void
split_bias(char *clock, struct record *rec)
{
	char *p = strpbrk(clock, "+-");

	if (p == NULL)
		return;
	rec->bias = atoi(p);
	rec->has_bias = 1;
	*p = '\0';
}

/* Value of attr="..." in the CMTrace trailer. */
static void
attr(struct cursor c, const char *name, char *out, size_t n)
{
	char key[32], probe[32];
	size_t k;
	int found = 1;

	out[0] = '\0';
	snprintf(key, sizeof(key), "%s=\"", name);
	k = strlen(key);
	while (found && !cur_empty(&c)) {
		struct cursor t = c;

		if (cur_left(&t) >= k) {
			cur_str(&t, k, probe, sizeof(probe));
			if (strcmp(probe, key) == 0) {
				struct cursor v = cur_until(&t, '"', &found);

				text_of(&v, out, n);
				return;
			}
		}
		cur_skip(&c, 1);
	}
}

static int
emit(struct cmlog *s, const struct record *rec)
{
	struct event ev;

	if (s->n_events >= MAX_EVENTS) {
		s->n_skipped++;
		return -1;
	}
	event_init(&ev, EV_NOTE);
	ev.t = rec->t;
	snprintf(ev.source, sizeof(ev.source), "%.40s:%lu", s->base, rec->line);
	snprintf(ev.text, sizeof(ev.text), "%s%s%s%.380s", rec->component[0] ?
	    "[" : "", rec->component, rec->component[0] ? "] " : "",
	    rec->text);
	if (rec->has_bias)
		strappendf(ev.text, sizeof(ev.text), " (logged %s local, "
		    "bias %+d min)", rec->stamp, rec->bias);
	s->n_events++;
	return report_add_event(s->r, &ev);
}

static void
finding(struct cmlog *s, enum finding_id id, int ev, int ev2)
{
	int i = report_add_finding(s->r, id);

	if (i < 0)
		return;
	finding_add_evidence(&s->r->findings[i], ev);
	finding_add_evidence(&s->r->findings[i], ev2);
}

static struct guid *
guid_for(struct cmlog *s, const char *g)
{
	struct guid *x;
	size_t i;

	for (i = 0; i < s->n_guids; i++)	/* few per log */
		if (strcasecmp(s->guids[i].guid, g) == 0)
			return &s->guids[i];
	if (s->n_guids >= MAX_GUIDS)
		return NULL;
	if (s->n_guids == s->cap_guids) {
		size_t ncap = s->cap_guids ? 2 * s->cap_guids : 16;

		if ((x = realloc(s->guids, ncap * sizeof(*x))) == NULL)
			return NULL;
		s->guids = x;
		s->cap_guids = ncap;
	}
	x = &s->guids[s->n_guids++];
	memset(x, 0, sizeof(*x));
	strlcpy0(x->guid, g, sizeof(x->guid));
	x->ev_hwid = x->ev_name = -1;
	return x;
}

/* Same GUID, another hardware id or name: a cloned identity. */
static void
identity(struct cmlog *s, const char *text, int ev)
{
	char g[48] = "", hw[96] = "", name[64] = "";
	const char *p;
	struct guid *x;

	if ((p = after(text, "GUID:")) == NULL)
		return;
	token(p, g, sizeof(g));
	if ((p = after(text, "hardware ID")) || (p = after(text, "HardwareID1")) ||
	    (p = after(text, "HardwareID")))
		token(p, hw, sizeof(hw));
	if ((p = after(text, "NetbiosName")) || (p = after(text, "Name '")) ||
	    (p = after(text, "client name")))
		token(p, name, sizeof(name));
	if (!g[0] || (!hw[0] && !name[0]) || (x = guid_for(s, g)) == NULL)
		return;
	if (hw[0] && !x->hwid[0]) {
		strlcpy0(x->hwid, hw, sizeof(x->hwid));
		x->ev_hwid = ev;
	} else if (hw[0] && strcasecmp(hw, x->hwid) != 0) {
		finding(s, FID_DUPLICATE_GUID, x->ev_hwid, ev);
	}
	if (name[0] && !x->name[0]) {
		strlcpy0(x->name, name, sizeof(x->name));
		x->ev_name = ev;
	} else if (name[0] && strcasecmp(name, x->name) != 0) {
		finding(s, FID_DUPLICATE_GUID, x->ev_name, ev);
	}
}

static void
record(struct cmlog *s, struct record *rec)
{
	const char *p;
	size_t i;
	int ev = -1;

	s->n_records++;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcasestr(rec->text, keywords[i]))
			break;
	if (i == sizeof(keywords) / sizeof(keywords[0]))
		return;
	if ((ev = emit(s, rec)) < 0)
		return;
	if (strcasestr(rec->text, "rejected registration") ||
	    strcasestr(rec->text, "registration rejected") ||
	    strcasestr(rec->text, "registration was rejected"))
		finding(s, FID_REGISTRATION_REJECTED, ev, -1);
	if ((p = after(rec->text, "Approval status")) != NULL) {
		char v[16];

		token(p, v, sizeof(v));
		if (strcmp(v, "0") == 0)
			finding(s, FID_REGISTRATION_PENDING, ev, -1);
	}
	if (strcasestr(rec->text, "registration is pending") ||
	    strcasestr(rec->text, "pending approval") ||
	    strcasestr(rec->text, "registration pending"))
		finding(s, FID_REGISTRATION_PENDING, ev, -1);
	identity(s, rec->text, ev);
}

/* "<![LOG[text]LOG]!><time=... >" possibly after continuation lines. */
static void
cmtrace(struct cmlog *s, struct cursor c, unsigned long lineno)
{
	static const char end[] = "]LOG]!>";
	struct record rec;
	char date[32], clock[32], frag[MAX_TEXT];
	struct cursor text = c;
	int found = 0;

	/* the text ends at "]LOG]!>": find it with cursor steps */
	while (!cur_empty(&c)) {
		struct cursor t;
		char probe[8];

		(void)cur_until(&c, ']', &found);
		if (!found)
			break;
		t = c;
		if (cur_left(&t) >= sizeof(end) - 2) {
			cur_str(&t, sizeof(end) - 2, probe, sizeof(probe));
			if (strcmp(probe, end + 1) == 0) {
				found = 2;
				break;
			}
		}
	}
	if (found != 2) {	/* the record's text continues */
		text_of(&text, frag, sizeof(frag));
		strappendf(s->pending, sizeof(s->pending), "%s%s",
		    s->pending[0] ? " " : "", frag);
		return;
	}
	memset(&rec, 0, sizeof(rec));
	/* text runs from the start to the ']' just consumed */
	{
		size_t tlen = text.len - cur_left(&c) - 1;
		struct cursor tt = cur_sub(&text, tlen);

		text_of(&tt, frag, sizeof(frag));
	}
	strlcpy0(rec.text, s->pending, sizeof(rec.text));
	strappendf(rec.text, sizeof(rec.text), "%s%s",
	    s->pending[0] ? " " : "", frag);
	rec.line = s->in_record ? s->pending_line : lineno;
	s->pending[0] = '\0';
	s->in_record = 0;
	attr(c, "component", rec.component, sizeof(rec.component));
	attr(c, "date", date, sizeof(date));
	attr(c, "time", clock, sizeof(clock));
	split_bias(clock, &rec);
	snprintf(rec.stamp, sizeof(rec.stamp), "%s %s", date, clock);
	rec.t = utc_time(date, clock, rec.bias);
	record(s, &rec);
}

/* "text  $$<component><MM-DD-YYYY HH:MM:SS.mmm+bias><thread=...>" */
static void
plain(struct cmlog *s, struct cursor c, unsigned long lineno)
{
	struct record rec;
	struct cursor text = c, f;
	char stamp[64], date[32], clock[32];
	int found = 0;

	memset(&rec, 0, sizeof(rec));
	rec.line = lineno;
	while (!cur_empty(&c)) {
		struct cursor t;
		uint8_t b;

		(void)cur_until(&c, '$', &found);
		if (!found)
			return;
		t = c;
		if (cur_peek_u8(&t, &b) && b == '$') {
			cur_skip(&t, 1);
			if (cur_peek_u8(&t, &b) && b == '<') {
				size_t tlen = text.len - cur_left(&c) - 1;
				struct cursor tt = cur_sub(&text, tlen);

				text_of(&tt, rec.text,
				    sizeof(rec.text));
				c = t;
				break;
			}
		}
	}
	cur_skip(&c, 1);		/* '<' */
	f = cur_until(&c, '>', &found);
	text_of(&f, rec.component, sizeof(rec.component));
	cur_skip(&c, 1);		/* '<' */
	f = cur_until(&c, '>', &found);
	text_of(&f, stamp, sizeof(stamp));
	if (sscanf(stamp, "%31s %31s", date, clock) == 2) {
		split_bias(clock, &rec);
		snprintf(rec.stamp, sizeof(rec.stamp), "%s %s", date, clock);
		rec.t = utc_time(date, clock, rec.bias);
	}
	/* trim the two spaces before $$ */
	while (rec.text[0] && rec.text[strlen(rec.text) - 1] == ' ')
		rec.text[strlen(rec.text) - 1] = '\0';
	record(s, &rec);
}

static int
starts(const struct cursor *c, const char *p)
{
	struct cursor t = *c;
	char buf[16];
	size_t k = strlen(p);

	if (cur_left(&t) < k || k >= sizeof(buf))
		return 0;
	cur_str(&t, k, buf, sizeof(buf));
	return strcmp(buf, p) == 0;
}

static void
line(struct cmlog *s, struct cursor c, unsigned long lineno)
{
	if (starts(&c, "<![LOG[")) {
		if (s->in_record)	/* previous record never closed */
			s->pending[0] = '\0';
		cur_skip(&c, 7);
		s->in_record = 1;
		s->pending_line = lineno;
		cmtrace(s, c, lineno);
	} else if (s->in_record) {
		cmtrace(s, c, lineno);
	} else if (!cur_empty(&c)) {
		plain(s, c, lineno);
	}
}

static int
cmlog_read(struct ingest_file *f, struct report *r, struct input *res)
{
	struct logread lr;
	struct cursor c;
	struct event ev;
	struct cmlog *s;
	int rc, too_long;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(res->detail, sizeof(res->detail), "out of memory");
		return ERR_NOMEM;
	}
	s->base = f->name;
	s->r = r;
	if ((rc = logread_start(&lr, f, res->detail,
	    sizeof(res->detail))) != 0) {
		free(s);
		return rc;
	}
	while ((rc = logread_next(&lr, &c, &too_long)) > 0)
		if (!too_long)
			line(s, c, lr.lineno);
	event_init(&ev, EV_NOTE);
	ev.t = 0;
	snprintf(ev.source, sizeof(ev.source), "%.60s", s->base);
	snprintf(ev.text, sizeof(ev.text), "CM log %s: %lu lines, %lu records, "
	    "%d kept as events%s%s", s->base, lr.lineno, s->n_records,
	    s->n_events, lr.gzipped ? ", gzip" : "",
	    lr.enc != LOGREAD_BYTES ? ", UTF-16" : "");
	if (lr.n_long)
		strappendf(ev.text, sizeof(ev.text), "; %lu lines over %d bytes "
		    "skipped, the first at %s:%lu", lr.n_long, LOGREAD_MAX_LINE,
		    s->base, lr.first_long);
	if (s->n_skipped)
		strappendf(ev.text, sizeof(ev.text), "; %lu more matching "
		    "records not kept", s->n_skipped);
	if (rc < 0)
		strappendf(ev.text, sizeof(ev.text), "; read error after line "
		    "%lu (%s)", lr.lineno, logread_error(&lr));
	(void)report_add_event(r, &ev);
	logread_result(&lr, lr.lineno, res);
	logread_close(&lr);
	free(s->guids);
	free(s);
	return 0;
}

static int
cmlog_sniff(const uint8_t *head, size_t n)
{
	uint8_t text[4096];
	struct cursor c, l;
	int found = 1;

	cur_init(&c, text, logread_head(head, n, text, sizeof(text)));
	while (found && !cur_empty(&c)) {
		l = cur_line(&c, &found);
		if (starts(&l, "<![LOG["))
			return 1;
		while (!cur_empty(&l)) {
			int f2;

			(void)cur_until(&l, '$', &f2);
			if (f2 && starts(&l, "$<"))
				return 1;
		}
	}
	return 0;
}

const struct ingest_reader ingest_cmlog = {
	.name = "cmlog",
	.kind = "cmlog",
	.sniff = cmlog_sniff,
	.read = cmlog_read,
};
