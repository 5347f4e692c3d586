/*
 * cmlog.c - Configuration Manager logs (CMTrace and the plain
 * "text  $$<component><time><thread>" format): the registration and
 * approval lines of ClientIDManagerStartup.log, MP_RegistrationManager.log,
 * CcmMessaging.log and LocationServices.log become events.  A record that
 * names a GUID, a hardware id, a NetBIOS name, an approval status or a
 * rejected or pending registration says so in its event; a client's own
 * log also yields the identity of the machine that wrote it, gathered
 * across its lines (the client writes "Computed HardwareID=" and its GUID
 * on separate lines).  The engine judges them.  Times carry the writer's
 * bias in minutes (UTC = local + bias).
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

struct cmlog {
	const char *base;
	char label[48];			/* the file as sources name it */
	struct report *r;
	int n_events;
	unsigned long n_records, n_skipped;
	/* the machine that wrote the log, as far as its lines tell */
	struct ev_cm own;
	double own_t;
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

/* A SHA-1 thumbprint: forty hex digits. */
static int
is_thumbprint(const char *t)
{
	size_t i;

	for (i = 0; t[i]; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' &&
		    t[i] <= 'f') || (t[i] >= 'A' && t[i] <= 'F')))
			return 0;
	return i == 40;
}

/* What a record says of a client's identity and registration. */
static void
facts(const char *text, struct ev_cm *cm)
{
	const char *p;
	char v[48];

	memset(cm, 0, sizeof(*cm));
	cm->approval = -1;
	if ((p = after(text, "GUID:")) != NULL)
		token(p, cm->guid, sizeof(cm->guid));
	/* "HardwareID1=2:..." (persisted), "Computed HardwareID=2:..."
	 * (client), "hardware ID 2:..." (MP), not "hardware IDs" */
	if ((p = after(text, "HardwareID1")) || (p = after(text, "HardwareID")) ||
	    ((p = after(text, "hardware ID")) && *p != 's' && *p != 'S'))
		token(p, cm->hwid, sizeof(cm->hwid));
	if ((p = after(text, "NetbiosName")) || (p = after(text, "Name '")) ||
	    (p = after(text, "client name")))
		token(p, cm->machine, sizeof(cm->machine));
	if ((p = after(text, "Approval status")) != NULL) {
		token(p, v, sizeof(v));
		if (v[0] >= '0' && v[0] <= '9' && strlen(v) < 4)
			cm->approval = atoi(v);
		if (strcmp(v, "0") == 0)
			cm->state |= CM_PENDING;
	}
	if ((p = after(text, "Thumbprint")) != NULL) {
		token(p, v, sizeof(v));
		if (is_thumbprint(v))
			strlcpy0(cm->thumbprint[0], v, sizeof(cm->thumbprint[0]));
	}
	if (strcasestr(text, "rejected registration") ||
	    strcasestr(text, "registration rejected") ||
	    strcasestr(text, "registration was rejected"))
		cm->state |= CM_REJECTED;
	if (strcasestr(text, "registration is pending") ||
	    strcasestr(text, "pending approval") ||
	    strcasestr(text, "registration pending"))
		cm->state |= CM_PENDING;
}

static int
has_facts(const struct ev_cm *cm)
{
	return cm->guid[0] || cm->hwid[0] || cm->machine[0] ||
	    cm->approval >= 0 || cm->state || cm->thumbprint[0][0];
}

/*
 * Is the record the writer speaking of itself?  An MP's component
 * (MP_RegistrationManager...) and a line about a client ("from Client
 * GUID:...") speak of others.
 */
static int
about_writer(const struct record *rec)
{
	return strncasecmp(rec->component, "MP_", 3) != 0 &&
	    !strcasestr(rec->text, "from Client") &&
	    !strcasestr(rec->text, "for Client");
}

/* Keep the latest of what the writer says of itself, and where. */
static void
own(struct cmlog *s, const struct record *rec, const struct ev_cm *cm)
{
	struct ev_cm *o = &s->own;
	int i;

	if (!about_writer(rec))
		return;
	if (cm->guid[0]) {
		strlcpy0(o->guid, cm->guid, sizeof(o->guid));
		o->line_guid = rec->line;
		s->own_t = rec->t;
	}
	if (cm->hwid[0]) {
		strlcpy0(o->hwid, cm->hwid, sizeof(o->hwid));
		o->line_hwid = rec->line;
	}
	if (cm->machine[0]) {
		strlcpy0(o->machine, cm->machine, sizeof(o->machine));
		o->line_machine = rec->line;
	}
	if (cm->approval >= 0) {
		o->approval = cm->approval;
		o->line_approval = rec->line;
	}
	for (i = 0; cm->thumbprint[0][0] && i < CM_MAX_THUMBPRINTS; i++) {
		if (strcasecmp(o->thumbprint[i], cm->thumbprint[0]) == 0)
			break;
		if (o->thumbprint[i][0] == '\0') {
			strlcpy0(o->thumbprint[i], cm->thumbprint[0],
			    sizeof(o->thumbprint[i]));
			o->line_thumbprint[i] = rec->line;
			break;
		}
	}
}

static void
emit(struct cmlog *s, const struct record *rec, const struct ev_cm *cm)
{
	struct event ev;

	if (s->n_events >= MAX_EVENTS) {
		s->n_skipped++;
		return;
	}
	event_init(&ev, has_facts(cm) ? EV_CM_RECORD : EV_NOTE);
	ev.t = rec->t;
	snprintf(ev.source, sizeof(ev.source), "%.40s:%lu", s->label,
	    rec->line);
	snprintf(ev.text, sizeof(ev.text), "%s%s%s%.380s", rec->component[0] ?
	    "[" : "", rec->component, rec->component[0] ? "] " : "",
	    rec->text);
	if (rec->has_bias)
		strappendf(ev.text, sizeof(ev.text), " (logged %s local, "
		    "bias %+d min)", rec->stamp, rec->bias);
	if (ev.type == EV_CM_RECORD)
		ev.cm = *cm;
	s->n_events++;
	(void)report_add_event(s->r, &ev);
}

static void
record(struct cmlog *s, struct record *rec)
{
	struct ev_cm cm;
	size_t i;

	s->n_records++;
	facts(rec->text, &cm);
	own(s, rec, &cm);
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcasestr(rec->text, keywords[i]))
			break;
	if (i < sizeof(keywords) / sizeof(keywords[0]))
		emit(s, rec, &cm);
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

/* Does an event already cite a file of this name? */
static int
name_taken(const struct report *r, const char *name)
{
	char cut[48];
	size_t i, k;

	snprintf(cut, sizeof(cut), "%.40s", name);
	k = strlen(cut);
	for (i = 0; i < r->n_events; i++) {
		const char *src = r->events[i].source;

		if (strncmp(src, cut, k) == 0 && (src[k] == ':' ||
		    src[k] == '\0'))
			return 1;
	}
	return 0;
}

/*
 * The name sources give the file: its own, or, when a log of that name was
 * read before (two machines' ClientIDManagerStartup.log), with its
 * directory ("wk09/ClientIDManagerStartup.log") or a number.
 */
static void
label_of(const struct report *r, const char *path, const char *base,
    char *out, size_t n)
{
	const char *dir = base;
	int k;

	strlcpy0(out, base, n);
	if (!name_taken(r, out))
		return;
	if (base > path) {
		for (dir = base - 1; dir > path && dir[-1] != '/'; dir--)
			;
		snprintf(out, n, "%.*s%s", (int)(base - dir), dir, base);
		if (!name_taken(r, out))
			return;
	}
	for (k = 2; k < 1000; k++) {
		snprintf(out, n, "%.40s#%d", base, k);
		if (!name_taken(r, out))
			return;
	}
}

/* The writer's identity, when its lines name a GUID and a hardware id
 * or name: what tells one machine's log from another's. */
static void
own_identity(struct cmlog *s)
{
	struct event ev;

	if (!s->own.guid[0] || (!s->own.hwid[0] && !s->own.machine[0]))
		return;
	event_init(&ev, EV_CM_IDENTITY);
	ev.t = s->own_t;
	snprintf(ev.source, sizeof(ev.source), "%.40s:%lu", s->label,
	    s->own.line_guid);
	ev.cm = s->own;
	(void)report_add_event(s->r, &ev);
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
	s->own.approval = -1;
	if ((rc = logread_start(&lr, f, res->detail,
	    sizeof(res->detail))) != 0) {
		free(s);
		return rc;
	}
	{
		/* the name's directory comes from the path when the name is
		 * the path's last part (not for stdin or a zip member) */
		const char *slash = strrchr(f->path, '/');
		const char *last = slash ? slash + 1 : f->path;

		if (strcmp(last, f->name) == 0)
			label_of(r, f->path, last, s->label, sizeof(s->label));
		else
			label_of(r, f->name, f->name, s->label,
			    sizeof(s->label));
	}
	while ((rc = logread_next(&lr, &c, &too_long)) > 0)
		if (!too_long)
			line(s, c, lr.lineno);
	own_identity(s);
	event_init(&ev, EV_NOTE);
	ev.t = 0;
	snprintf(ev.source, sizeof(ev.source), "%.60s", s->label);
	snprintf(ev.text, sizeof(ev.text), "CM log %s: %lu lines, %lu records, "
	    "%d kept as events%s%s", s->label, lr.lineno, s->n_records,
	    s->n_events, lr.gzipped ? ", gzip" : "",
	    lr.enc != LOGREAD_BYTES ? ", UTF-16" : "");
	if (lr.n_long)
		strappendf(ev.text, sizeof(ev.text), "; %lu lines over %d bytes "
		    "skipped, the first at %s:%lu", lr.n_long, LOGREAD_MAX_LINE,
		    s->label, lr.first_long);
	if (s->n_skipped)
		strappendf(ev.text, sizeof(ev.text), "; %lu more matching "
		    "records not kept", s->n_skipped);
	if (rc < 0)
		strappendf(ev.text, sizeof(ev.text), "; read error after line "
		    "%lu (%s)", lr.lineno, logread_error(&lr));
	(void)report_add_event(r, &ev);
	logread_result(&lr, lr.lineno, res);
	logread_close(&lr);
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
