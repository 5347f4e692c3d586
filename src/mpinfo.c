/*
 * mpinfo.c - `ccmdiag mp-info MP_FQDN`: the management point's anonymous
 * getauth.dll answers (/SMS_MP/.sms_aut?MPLIST, MPCERT, MPKEYINFORMATION,
 * SITESIGNCERT), read with libxml2 and recorded as events: the MP list with
 * its HTTPS state (SSLState), the site code, and each certificate's
 * subject, issuer and validity.  The engine judges them (rules_mp.c): the
 * MP unreachable or its TLS failing, MPLIST 500 while MPCERT answers (the
 * site database is out of reach, docs/ccm-protocol.md §2.3), an expired or not
 * yet valid certificate, an HTTPS-only MP.  Read-only: nothing is
 * registered or changed, and the requests are fixed: nothing from a reply
 * goes back into a request.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccmmsg.h"
#include "cli.h"
#include "crypto.h"
#include "engine.h"
#include "http.h"
#include "httpev.h"
#include "mpxml.h"
#include "util.h"

enum { Q_MPLIST, Q_MPCERT, Q_MPKEYINFORMATION, Q_SITESIGNCERT, Q_COUNT };

static const char *const verbs[Q_COUNT] = {
	"MPLIST", "MPCERT", "MPKEYINFORMATION", "SITESIGNCERT",
};

struct mpi {
	struct report *r;
	struct http_request req;
	int step;
	const char *verb;
	char facts[200];		/* for the step's summary: what the
					 * answer says without -v */
	double deadline;		/* --timeout bounds the whole run */
};

/* ev with text, sourced to the query, into the report. */
static int
vput(struct mpi *m, struct event *ev, const char *fmt, va_list ap)
{
	ev->step = m->step;
	snprintf(ev->source, sizeof(ev->source), "mp-info %s", m->verb);
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	return report_add_event(m->r, ev);
}

static int
note(struct mpi *m, const char *fmt, ...) __attribute__((format(printf, 2,
    3)));

static int
note(struct mpi *m, const char *fmt, ...)
{
	struct event ev;
	va_list ap;
	int i;

	event_init(&ev, EV_NOTE);
	va_start(ap, fmt);
	i = vput(m, &ev, fmt, ap);
	va_end(ap);
	return i;
}

/* An event of a kind with its facts set, and its text. */
static int
fact(struct mpi *m, struct event *ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fact(struct mpi *m, struct event *ev, const char *fmt, ...)
{
	va_list ap;
	int i;

	va_start(ap, fmt);
	i = vput(m, ev, fmt, ap);
	va_end(ap);
	return i;
}

static void
step_done(struct mpi *m, enum step_status st, const char *summary)
{
	struct step *s = &m->r->steps[m->step];

	s->status = st;
	s->elapsed = now_real() - s->start;
	strlcpy0(s->summary, summary, sizeof(s->summary));
}

/* One certificate of an answer: an event with its validity, judged
 * against the time now. */
static void
on_cert(void *arg, const char *elem, const char *hex)
{
	struct mpi *m = arg;
	struct crypto_cert cc;
	struct event ev;
	uint8_t *der = NULL;
	size_t len = 0, i;
	char nb[40], na[40], sha[48];
	double now = now_real();
	int bad;

	if (ccm_unhex(hex, 1 << 20, &der, &len) != 0 ||
	    crypto_cert_decode(der, len, &cc) != 0) {
		note(m, "%s: %zu hex digits, not an X.509 certificate", elem,
		    strlen(hex));
		free(der);
		return;
	}
	format_time(cc.not_before, nb, sizeof(nb));
	format_time(cc.not_after, na, sizeof(na));
	for (i = 0; i < 20; i++)
		snprintf(sha + 2 * i, 3, "%02X", cc.sha1[i]);
	bad = cc.not_after >= 0 && now > cc.not_after ? 1 :
	    cc.not_before >= 0 && now < cc.not_before ? 2 : 0;
	event_init(&ev, EV_MP_CERT);
	ev.t = now;
	ev.cert.not_before = cc.not_before;
	ev.cert.not_after = cc.not_after;
	fact(m, &ev, "%s: certificate %s, issuer %s%s, valid %s to "
	    "%s%s, %s %d bits, thumbprint %s", elem, cc.subject, cc.issuer,
	    cc.self_signed ? " (self-signed)" : "", nb, na, bad == 1 ?
	    " EXPIRED" : bad == 2 ? " NOT YET VALID" : "", cc.key_type,
	    cc.key_bits, sha);
	strappendf(m->facts, sizeof(m->facts), "; %s %s %.10s%s",
	    cc.subject, bad == 2 ? "valid from" : "valid to", bad == 2 ? nb :
	    na, bad == 1 ? " EXPIRED" : bad == 2 ? " NOT YET VALID" : "");
	crypto_cert_release(&cc);
	free(der);
}

/* SSLState of each MP in an MPLIST summary ("MPList/MP Name=.. FQDN=.."
 * then "MPList/MP/Capabilities/Property Name="SSLState" Value="N""). */
static void
on_mplist(struct mpi *m, const char *sum)
{
	const char *line, *nl, *p;
	char mp[160] = "", buf[200];
	struct event ev;
	long v;

	for (line = sum; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		snprintf(buf, sizeof(buf), "%.*s", nl ? (int)(nl - line) :
		    (int)strlen(line), line);
		if ((p = strstr(buf, " FQDN=\"")) != NULL &&
		    strncmp(buf, "MPList/MP ", 10) == 0) {
			snprintf(mp, sizeof(mp), "%s", p + 7);
			if (strchr(mp, '"'))
				*strchr(mp, '"') = '\0';
			continue;
		}
		if ((p = strstr(buf, "Name=\"SSLState\" Value=\"")) == NULL)
			continue;
		v = strtol(p + 23, NULL, 10);
		event_init(&ev, EV_MP_SSL_STATE);
		ev.mp.ssl_state = v;
		fact(m, &ev, "MP %s: SSLState %ld (%s)",
		    mp[0] ? mp : "?", v, v & 1 ? "HTTPS" : "HTTP");
		strappendf(m->facts, sizeof(m->facts), "; MP %s %s (SSLState "
		    "%ld)", mp[0] ? mp : "?", v & 1 ? "HTTPS" : "HTTP", v);
	}
}

/* One GET; -1 only when ccmdiag could not send it at all, 1 when the MP
 * could not be reached (the rest would fail alike). */
static int
query(struct mpi *m, int q)
{
	struct http_request req = m->req;
	struct http_reply rep;
	struct http_content body;
	struct httpev_call call;
	char path[64], *xml = NULL, *sum = NULL, summary[256];
	const char *line, *nl;
	int r = 0, answer, err;

	m->verb = verbs[q];
	m->facts[0] = '\0';
	m->step = report_add_step(m->r, verbs[q]);
	snprintf(path, sizeof(path), CCM_PATH_SMS_AUT "?%s", verbs[q]);
	req.path = path;
	req.method = "GET";
	req.timeout = m->deadline - now_mono();
	if (req.timeout <= 0) {
		step_done(m, STEP_SKIPPED, "--timeout ran out");
		return 1;
	}
	memset(&rep, 0, sizeof(rep));
	memset(&body, 0, sizeof(body));

	memset(&call, 0, sizeof(call));
	call.r = m->r;
	call.step = m->step;
	call.command = "mp-info";
	call.reply_type = EV_MP_QUERY;
	call.reply_name = verbs[q];
	if ((answer = httpev_exchange(&call, &req, NULL, &rep, &body,
	    &err)) < 0) {
		step_done(m, STEP_FAILED, "not sent");
		return -1;
	}
	if (!rep.transport_ok) {
		step_done(m, STEP_FAILED, now_mono() >= m->deadline - 0.05 ?
		    "no answer before --timeout ran out" : "no answer");
		r = 1;
		goto out;
	}
	if (rep.status != 200 || body.len == 0) {
		snprintf(summary, sizeof(summary), "HTTP %ld", rep.status);
		step_done(m, STEP_FAILED, summary);
		goto out;
	}
	if ((xml = malloc(body.len + 1)) == NULL ||
	    (sum = malloc(8192)) == NULL) {
		note(m, "out of memory");
		r = -1;
		goto out;
	}
	memcpy(xml, body.data, body.len);
	xml[body.len] = '\0';
	if (mpxml_summary(xml, body.len, sum, 8192) != 0) {
		note(m, "the answer is not well-formed XML");
		step_done(m, STEP_WARN, "HTTP 200, not XML");
		goto out;
	}
	if (answer >= 0)
		m->r->events[answer].mp.xml = 1;
	for (line = sum; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		note(m, "%.*s", nl ? (int)(nl - line) : (int)strlen(line), line);
		if (strncmp(line, "MPKEYINFORMATION/SITECODE: ", 27) == 0)
			strappendf(m->facts, sizeof(m->facts), "; site %.*s",
			    (int)strcspn(line + 27, "\n"), line + 27);
	}
	if (q == Q_MPLIST)
		on_mplist(m, sum);
	(void)mpxml_hex_values(xml, body.len, 200, on_cert, m);
	snprintf(summary, sizeof(summary), "HTTP 200, XML%s", m->facts);
	step_done(m, STEP_OK, summary);
out:
	free(sum);
	free(xml);
	http_content_release(&body);
	http_reply_release(&rep);
	return r;
}

int
mpinfo_run(const struct mpinfo_opts *o, struct report *r)
{
	struct mpi m;
	int q, rc = 0;

	memset(&m, 0, sizeof(m));
	m.req.host = o->host;
	m.req.https = o->https;
	m.req.cafile = o->cacert;
	m.req.port = o->port ? o->port : o->https ? 443 : 80;
	m.deadline = now_mono() + o->timeout;
	strlcpy0(r->mp_name, o->host, sizeof(r->mp_name));
	m.r = r;
	for (q = 0; q < Q_COUNT && rc == 0; q++)
		rc = query(&m, q);
	if (rc < 0) {
		fprintf(stderr, "ccmdiag: could not send the %s request\n",
		    m.verb);
		return 3;
	}
	for (; q < Q_COUNT; q++) {
		m.step = report_add_step(r, verbs[q]);
		step_done(&m, STEP_SKIPPED, now_mono() >= m.deadline ?
		    "--timeout ran out" : "the MP did not answer");
	}
	return 0;
}
