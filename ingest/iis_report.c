/* iis_report.c - the IIS reader's clients as verdicts, findings,
 * representative events and notes. */
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


static double
log_time(const char *when)
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

static enum finding_id
finding_of(const struct client *c)
{
	switch (c->outcome) {
	case OUT_KERBEROS:
		return FID__COUNT;
	case OUT_NTLM:
		return FID_IIS_NTLM_ONLY;
	case OUT_REJECTED:
		return FID_IIS_KERBEROS_REJECTED;
	case OUT_ANONYMOUS:
		return FID_MP_ANONYMOUS_ACCEPTED;
	case OUT_OTHER:
		if (c->decisive.status == 403)
			return FID_MP_FORBIDDEN;
		if (c->decisive.status == 404)
			return FID_MP_NOT_MP;
		if (c->decisive.status >= 500)
			return FID_MP_SERVER_ERROR;
		return FID__COUNT;
	default:
		if (c->ntlm_leg)
			return FID_IIS_NTLM_ONLY;
		return c->saw_401_2 ? FID_IIS_NEVER_AUTHENTICATED : FID__COUNT;
	}
}

static int
emit(struct iis *s, const struct client *c, const struct snap *sn)
{
	const char *name = sspi_status_name(sn->win32);
	const char *why = sspi_status_text(sn->win32);
	struct event ev;

	event_init(&ev, EV_IIS_REQUEST);
	ev.t = log_time(sn->when);
	snprintf(ev.source, sizeof(ev.source), "%.40s:%lu", s->base,
	    sn->line);
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_MP;
	printable(ev.peer, sizeof(ev.peer), c->ip, c->ip_len);
	if (sn->authed)
		printable(ev.name, sizeof(ev.name), c->user, c->user_len);
	strlcpy0(ev.value, "CCM_POST /ccm_system_windowsauth/request",
	    sizeof(ev.value));
	ev.status = sn->status;
	ev.code = sn->sub;
	ev.ntstatus = sn->win32;
	if (name)
		snprintf(ev.text, sizeof(ev.text), "%s: %s", name, why);
	return report_add_event(s->r, &ev);
}

void
iis_finish(struct iis *s)
{
	size_t i;
	int budget = MAX_EVENTS;

	for (i = 0; i < s->n_clients; i++) {
		struct client view, *c = &view;
		const struct snap *dec;
		struct client_verdict cv;
		enum finding_id fid;
		int ev_dec, fi;

		iis_client(s, i, c);
		dec = c->decisive.line ? &c->decisive : &c->last;
		fid = finding_of(c);
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
		source_text(cv.source, sizeof(cv.source), s->base, dec->line);
		(void)report_add_client(s->r, &cv);

		/* a few events per client: first 401, the deciding one, last */
		if (budget <= 0)
			continue;
		if (fid != FID__COUNT && c->first401.line &&
		    c->first401.line != dec->line) {
			(void)emit(s, c, &c->first401);
			budget--;
		}
		ev_dec = emit(s, c, dec);
		budget--;
		if (fid != FID__COUNT && c->last.line != dec->line &&
		    c->last.line != c->first401.line) {
			(void)emit(s, c, &c->last);
			budget--;
		}
		if (fid == FID__COUNT || (fi = report_add_finding(s->r, fid)) < 0)
			continue;
		finding_add_evidence(&s->r->findings[fi], ev_dec);
	}
}

void
iis_summary(struct iis *s, const struct logread *lr)
{
	double t = log_time(s->first_when);

	iis_note(s, t, "IIS log %s: %lu lines%s%s%s, %lu CCM_POST requests on "
	    "ccm_system_windowsauth from %zu clients", s->base, s->n_lines,
	    lr->gzipped ? ", gzip" : "", lr->enc != LOGREAD_BYTES ? ", " : "",
	    lr->enc != LOGREAD_BYTES ? logread_enc_name(lr->enc) : "",
	    s->n_relevant, s->n_clients);
	if (s->n_long)
		iis_note(s, t, "%s: %lu lines longer than %d bytes skipped, the "
		    "first at %s:%lu", s->base, s->n_long, LOGREAD_MAX_LINE,
		    s->base, s->first_long);
	if (s->n_no_fields)
		iis_note(s, t, "%s: %lu lines before any #Fields directive "
		    "skipped", s->base, s->n_no_fields);
	if (s->n_short)
		iis_note(s, t, "%s: %lu lines with fewer fields than their "
		    "#Fields directive skipped", s->base, s->n_short);
	if (s->n_dropped)
		iis_note(s, t, "%s: more clients than ccmdiag follows (%d, "
		    "%d in each half of the addresses): %lu requests of later "
		    "clients not followed", s->base, MAX_CLIENTS,
		    MAX_CLIENTS / NSHARD, s->n_dropped);
	if (s->n_nomem)
		iis_note(s, t, "%s: out of memory: %lu requests not followed",
		    s->base, s->n_nomem);
}
