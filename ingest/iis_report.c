/* iis_report.c - the IIS reader's clients as verdicts, representative
 * events and notes. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cursor.h"
#include "ingest_iis.h"
#include "sspi.h"
#include "util.h"

/* A stored key or time, printable (non-printables become '?'). */
static void
printable(char *dst, size_t n, const char *src, size_t len)
{
	struct cursor c;

	cur_init(&c, src, len);
	iis_text_of(&c, dst, n);
}


double
iis_log_time(const char *when)
{
	struct tm tm;
	int y, mo, d, h, mi;
	double sec;

	if (sscanf(when, "%4d-%2d-%2d %2d:%2d:%lf", &y, &mo, &d, &h, &mi,
	    &sec) != 6)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (double)timegm(&tm) + sec;	/* IIS logs in UTC */
}


static void
status_text(const struct snap *sn, char *buf, size_t n)
{
	const char *name = sspi_status_name(sn->win32);

	snprintf(buf, n, "%d.%d %u (0x%08X%s%s)", sn->status, sn->sub,
	    sn->win32, sn->win32, name ? " " : "", name ? name : "");
}

/*
 * The same, remembered for the last status: most clients end on one of a
 * few, and formatting it for each of tens of thousands shows.
 */
static void
status_text_cached(const struct snap *sn, char *buf, size_t n)
{
	static __thread struct {
		int status, sub, valid;
		uint32_t win32;
		char text[64];
	} last;

	if (!last.valid || last.status != sn->status || last.sub != sn->sub ||
	    last.win32 != sn->win32) {
		status_text(sn, last.text, sizeof(last.text));
		last.status = sn->status;
		last.sub = sn->sub;
		last.win32 = sn->win32;
		last.valid = 1;
	}
	strlcpy0(buf, last.text, n);
}

/* "%.40s:%lu" of base and line, without printf. */
static void
source_text(char *buf, size_t n, const char *base, unsigned long line)
{
	char digits[24];
	size_t k = 0, o;

	do
		digits[k++] = (char)('0' + line % 10);
	while ((line /= 10) != 0);
	for (o = 0; o < 40 && base[o] && o + 1 < n; o++)
		buf[o] = base[o];
	if (o + 1 < n)
		buf[o++] = ':';
	while (k > 0 && o + 1 < n)
		buf[o++] = digits[--k];
	buf[o] = '\0';
}

static const char *
verdict_of(const struct client *c)
{
	switch (c->outcome) {
	case OUT_KERBEROS:
		return "kerberos";
	case OUT_NTLM:
		return "ntlm";
	case OUT_REJECTED:
		return "rejected";
	case OUT_ANONYMOUS:
		return "anonymous-accepted";
	case OUT_OTHER:
		return "http-error";
	default:
		if (c->ntlm_leg)
			return "ntlm-incomplete";
		return c->saw_401_2 ? "never-authenticated" : "unknown";
	}
}

/*
 * Does the client's story go wrong somewhere (not Kerberos, not an
 * unremarkable error)?  Then its first 401 and its last request show too,
 * not only the one that decided it.
 */
static int
full_story(const struct client *c)
{
	switch (c->outcome) {
	case OUT_KERBEROS:
		return 0;
	case OUT_OTHER:
		return c->decisive.status == 403 || c->decisive.status == 404 ||
		    c->decisive.status >= 500;
	case OUT_NONE:
		return c->ntlm_leg || c->saw_401_2;
	default:
		return 1;
	}
}

static int
same_snap(const struct snap *a, const struct snap *b)
{
	return a->file == b->file && a->line == b->line;
}

/* One request of c as an event; verdict, when given, is the client's,
 * which this request decided. */
static int
emit(struct iis *s, const struct client *c, const struct snap *sn,
    const char *verdict)
{
	const char *name = sspi_status_name(sn->win32);
	const char *why = sspi_status_text(sn->win32);
	struct event ev;

	event_init(&ev, EV_IIS_REQUEST);
	ev.t = iis_log_time(sn->when);
	source_text(ev.source, sizeof(ev.source), s->files[sn->file].base,
	    sn->line);
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_MP;
	printable(ev.peer, sizeof(ev.peer), c->ip, c->ip_len);
	if (sn->authed)
		printable(ev.name, sizeof(ev.name), c->user, c->user_len);
	strlcpy0(ev.value, "CCM_POST /ccm_system_windowsauth/request",
	    sizeof(ev.value));
	ev.status = sn->status;
	ev.iis.substatus = sn->sub;
	ev.iis.win32 = sn->win32;
	if (name)
		snprintf(ev.text, sizeof(ev.text), "%s: %s", name, why);
	if (verdict)
		strlcpy0(ev.iis.verdict, verdict, sizeof(ev.iis.verdict));
	return report_add_event(s->r, &ev);
}

void
iis_verdicts(struct iis *s)
{
	size_t i;
	int budget = MAX_EVENTS;

	(void)report_reserve_clients(s->r, s->n_clients);

	for (i = 0; i < s->n_clients; i++) {
		struct client view, *c = &view;
		const struct snap *dec;
		struct client_verdict cv;
		int shown;

		iis_client(s, i, c);
		dec = c->decisive.line ? &c->decisive : &c->last;
		shown = full_story(c);
		memset(&cv, 0, sizeof(cv));
		printable(cv.client, sizeof(cv.client), c->ip, c->ip_len);
		printable(cv.user, sizeof(cv.user), c->user, c->user_len);
		strlcpy0(cv.verdict, verdict_of(c), sizeof(cv.verdict));
		cv.n_requests = c->n;
		status_text_cached(dec, cv.last_status, sizeof(cv.last_status));
		printable(cv.first, sizeof(cv.first), c->first.when,
		    strlen(c->first.when));
		printable(cv.last, sizeof(cv.last), c->last.when,
		    strlen(c->last.when));
		source_text(cv.source, sizeof(cv.source),
		    s->files[dec->file].base, dec->line);
		(void)report_add_client(s->r, &cv);

		/* a few events per client: first 401, the deciding one, last */
		if (budget <= 0)
			continue;
		if (shown && c->first401.line && !same_snap(&c->first401,
		    dec)) {
			(void)emit(s, c, &c->first401, NULL);
			budget--;
		}
		(void)emit(s, c, dec, cv.verdict);
		budget--;
		if (shown && !same_snap(&c->last, dec) &&
		    !same_snap(&c->last, &c->first401)) {
			(void)emit(s, c, &c->last, NULL);
			budget--;
		}
	}
}

/* The time of the first request of f, for the notes. */
static double
first_time(const struct iis_file *f)
{
	return iis_log_time(f->first_when);
}

void
iis_summary(struct iis *s, const struct iis_file *f)
{
	double t = first_time(f);
	const char *b = f->base;

	iis_note(s, b, t, "IIS log %s: %lu lines%s%s%s, %lu CCM_POST requests "
	    "on ccm_system_windowsauth from %zu clients", b, f->n_lines,
	    f->gzipped ? ", gzip" : "", f->enc != LOGREAD_BYTES ? ", " : "",
	    f->enc != LOGREAD_BYTES ? logread_enc_name(f->enc) : "",
	    f->n_relevant, f->n_clients);
	if (f->n_long)
		iis_note(s, b, t, "%s: %lu lines longer than %d bytes skipped, "
		    "the first at %s:%lu", b, f->n_long, LOGREAD_MAX_LINE, b,
		    f->first_long);
	if (f->n_no_fields)
		iis_note(s, b, t, "%s: %lu lines before any #Fields directive "
		    "skipped", b, f->n_no_fields);
	if (f->n_short)
		iis_note(s, b, t, "%s: %lu lines with fewer fields than their "
		    "#Fields directive skipped", b, f->n_short);
	if (f->n_dropped)
		iis_note(s, b, t, "%s: more clients than ccmdiag follows (%d, "
		    "%d in each half of the addresses): %lu requests of later "
		    "clients not followed", b, MAX_CLIENTS,
		    MAX_CLIENTS / NSHARD, f->n_dropped);
	if (f->n_nomem)
		iis_note(s, b, t, "%s: out of memory: %lu requests not followed",
		    b, f->n_nomem);
}

/*
 * Several logs make one story per client: they were read in order of
 * their first request.  Logs whose times overlap (two sites, two MPs)
 * were still read one after the other: say so.
 */
void
iis_set_summary(struct iis *s)
{
	char text[sizeof(((struct event *)0)->text)];
	unsigned long n = 0;
	size_t k;

	if (s->n_files < 2)
		return;
	snprintf(text, sizeof(text), "IIS logs: %zu read as one, in order of "
	    "their first request:", s->n_files);
	for (k = 0; k < s->n_files; k++) {
		strappendf(text, sizeof(text), "%s %s (%s)", k ? "," : "",
		    s->files[k].base, s->files[k].first_when[0] ?
		    s->files[k].first_when : "no request");
		n += s->files[k].n_relevant;
	}
	strappendf(text, sizeof(text), "; %lu CCM_POST requests on "
	    "ccm_system_windowsauth from %zu clients", n, s->n_clients);
	iis_note(s, "IIS logs", first_time(&s->files[0]), "%s", text);
	for (k = 1; k < s->n_files; k++) {
		const struct iis_file *a = &s->files[k - 1], *b = &s->files[k];

		if (a->last_when[0] && b->first_when[0] &&
		    iis_log_time(b->first_when) < iis_log_time(a->last_when))
			iis_note(s, "IIS logs", first_time(b), "%s (from %s) "
			    "overlaps %s (to %s): their requests were followed "
			    "one file after the other, not merged by time",
			    b->base, b->first_when, a->base, a->last_when);
	}
}
