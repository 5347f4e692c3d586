/*
 * exchange_story.c - each client's story from its judged attempts: the
 * attempt that decides, what earlier ones explain, the history; and what
 * the report keeps of them (findings with their evidence, the background,
 * or that the evidence holds no exchange).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exchange.h"
#include "krb.h"
#include "proto.h"
#include "util.h"

/* ---- the report ----------------------------------------------------------- */

static const char *
outcome_name(enum outcome o)
{
	switch (o) {
	case OUT_APPROVED:
		return "approved";
	case OUT_FAILING:
		return "failing";
	case OUT_TRANSIENT:
		return "transient failure";
	default:
		return "incomplete";
	}
}

/* The attempt whose findings stand for a: itself, or the earlier one
 * that explains its silence. */
const struct attempt *
exch_effective(const struct xclient *c, const struct attempt *a)
{
	return a->why >= 0 ? &c->at[a->why] : a;
}

static const char *
root_of(const struct xclient *c, const struct attempt *a)
{
	if (a->out == OUT_APPROVED)
		return "";
	a = exch_effective(c, a);
	if (a->sub.n_findings == 0)
		return "";
	return finding_key(a->sub.findings[0].id);
}

static void
hhmmss(double t, char *buf, size_t n)
{
	char full[40];

	format_time(t, full, sizeof(full));	/* 2026-11-22T01:02:03.456Z */
	strlcpy0(buf, strlen(full) > 19 ? full + 11 : full, n);
	buf[8 < n ? 8 : n - 1] = '\0';
}

/* "approved 10:02:11 (x2); failing since 10:07:40: mp-cannot-decrypt" */
static void
history(const struct xclient *c, char *buf, size_t n)
{
	size_t i, j;
	char when[16];

	buf[0] = '\0';
	for (i = 0; i < c->n_at; i = j) {
		const struct attempt *a = &c->at[i];

		for (j = i + 1; j < c->n_at && c->at[j].out == a->out &&
		    strcmp(root_of(c, &c->at[j]), root_of(c, a)) == 0; j++)
			;
		hhmmss(a->t_first, when, sizeof(when));
		strappendf(buf, n, "%s%s %s%s", buf[0] ? "; " : "",
		    outcome_name(a->out), j == c->n_at && a->out ==
		    OUT_FAILING && c->n_at > 1 ? "since " : "", when);
		if (j - i > 1)
			strappendf(buf, n, " (%zu attempts)", j - i);
		if (root_of(c, a)[0])
			strappendf(buf, n, ": %s", root_of(c, a));
	}
}

/* The attempt that decides: the latest with an outcome. */
const struct attempt *
exch_deciding(const struct xclient *c)
{
	size_t i;

	for (i = c->n_at; i-- > 0;)
		if (c->at[i].out == OUT_APPROVED ||
		    c->at[i].out == OUT_FAILING)
			return &c->at[i];
	return c->n_at ? &c->at[c->n_at - 1] : NULL;
}

/*
 * The MP refused one client for time while it accepted others with
 * Kerberos in the same quarter hour: the MP's clock is fine, that
 * client's is not.  (A capture at the MP shows no KDC to measure against;
 * the other clients are the measure.)
 */
void
exch_skew_by_peers(struct xstate *x)
{
	size_t k, j, i, l;

	for (k = 0; k < x->n_cl; k++) {
		struct xclient *c = &x->cl[k];

		for (j = 0; j < c->n_at; j++) {
			struct report *sub = &c->at[j].sub;
			int kdc_clock = 0, peer_ok = 0;

			if (!report_has_finding(sub, FID_CLOCK_SKEW_MP))
				continue;
			for (i = 0; i < sub->n_events; i++)
				if (sub->events[i].type == EV_CLOCK &&
				    sub->events[i].to != ROLE_MP)
					kdc_clock = 1;
			for (i = 0; i < x->n_cl && !kdc_clock; i++)
				for (l = 0; i != k && l < x->cl[i].n_at; l++)
					if (x->cl[i].at[l].out == OUT_APPROVED &&
					    fabs(x->cl[i].at[l].t_first -
					    c->at[j].t_first) < 900)
						peer_ok = 1;
			if (kdc_clock || !peer_ok)
				continue;
			for (i = 0; i < sub->n_findings; i++)
				if (sub->findings[i].id == FID_CLOCK_SKEW_MP)
					sub->findings[i].id = FID_CLOCK_SKEW;
			report_sort_findings(sub);
		}
	}
}

/* A Kerberos cause: what keeps a client from getting a ticket. */
static int
ticket_cause(enum finding_id id)
{
	switch (id) {
	case FID_DNS_NO_KDC_SRV:
	case FID_KDC_UNREACHABLE:
	case FID_NO_CREDENTIALS:
	case FID_CLOCK_SKEW:
	case FID_NO_TRUST_PATH:
	case FID_TRUST_EXTERNAL:
	case FID_TRUST_BROKEN:
	case FID_SPN_MISSING:
	case FID_SPN_DUPLICATE:
	case FID_ENCTYPE_UNSUPPORTED:
	case FID_KERBEROS_FAILED:
		return 1;
	default:
		return 0;
	}
}

/*
 * An attempt that was challenged and never came back with a ticket, with
 * no Kerberos of its own, after one that failed to get a ticket: the
 * client did not try again (as Windows remembers a KDC it could not find,
 * or a ticket it could not get), the earlier failure explains it.
 */
void
exch_explain_silence(struct xclient *c)
{
	size_t j, k;

	for (j = 1; j < c->n_at; j++) {
		struct attempt *a = &c->at[j];

		if (a->out != OUT_FAILING || a->krb ||
		    a->sub.n_findings == 0 || a->sub.findings[0].id !=
		    FID_IIS_NEVER_AUTHENTICATED)
			continue;
		for (k = j; k-- > 0;) {
			const struct attempt *e = &c->at[k];

			if (e->out == OUT_APPROVED)
				break;
			if (e->out == OUT_FAILING && e->why < 0 &&
			    e->sub.n_findings && ticket_cause(
			    e->sub.findings[0].id)) {
				a->why = (int)k;
				break;
			}
		}
	}
}

/* A failed connection that a later attempt of the client got past. */
void
exch_transient(struct xclient *c)
{
	size_t j, l;

	for (j = 0; j < c->n_at; j++) {
		struct attempt *a = &c->at[j];

		if (a->out != OUT_FAILING || a->reached ||
		    !report_has_finding(&a->sub, FID_MP_UNREACHABLE) ||
		    report_errors(&a->sub) != 1)
			continue;
		for (l = j + 1; l < c->n_at; l++)
			if (c->at[l].reached)
				a->out = OUT_TRANSIENT;
	}
}

/* Copy attempt a's findings into r, evidence mapped back. */
void
exch_report_findings(struct xstate *x, const struct attempt *a)
{
	struct report *r = x->r;
	size_t i;
	int j, k;

	for (i = 0; i < a->sub.n_findings; i++) {
		const struct finding *f = &a->sub.findings[i];

		if ((k = report_add_finding(r, f->id)) < 0)
			continue;
		for (j = 0; j < f->n_evidence; j++)
			finding_add_evidence(&r->findings[k],
			    a->ev[f->evidence[j]]);
	}
}

static void
client_user(const struct xstate *x, struct xclient *c)
{
	size_t i, k;

	for (k = 0; k < c->n_at && !c->user[0]; k++)
		for (i = 0; i < c->at[k].n; i++) {
			const struct event *ev = &x->r->events[c->at[k].ev[i]];

			/* the principal whose TGT came before the MP's ticket */
			if (ev->type == EV_KRB_REQUEST && ev->value[0] &&
			    ev->msg_type == KRB_AS_REQ) {
				strlcpy0(c->user, ev->value, sizeof(c->user));
				strappendf(c->user, sizeof(c->user), "@%s",
				    ev->realm);
				break;
			}
		}
}

void
exch_client_verdict(struct xstate *x, struct xclient *c)
{
	const struct attempt *d = exch_deciding(c);
	struct client_verdict cv;
	char first[40], last[40], hist[384];

	if (d == NULL)
		return;
	memset(&cv, 0, sizeof(cv));
	client_user(x, c);
	strlcpy0(cv.client, c->addr, sizeof(cv.client));
	strlcpy0(cv.user, c->user, sizeof(cv.user));
	strlcpy0(cv.verdict, d->out == OUT_APPROVED ? "approved" :
	    d->out == OUT_FAILING ? "failing" : "incomplete",
	    sizeof(cv.verdict));
	cv.approval = d->out == OUT_APPROVED ? CV_APPROVED :
	    d->out == OUT_FAILING ? CV_NOT_APPROVED : CV_UNDECIDED;
	strlcpy0(cv.root_cause, root_of(c, d), sizeof(cv.root_cause));
	cv.n_attempts = (int)c->n_at;
	history(c, hist, sizeof(hist));
	cv.history = hist;
	/* as IIS logs write times, so that rows of both sources compare */
	format_time(c->at[0].t_first, first, sizeof(first));
	format_time(c->at[c->n_at - 1].t_last, last, sizeof(last));
	first[10] = last[10] = ' ';
	first[19] = last[19] = '\0';
	strlcpy0(cv.first, first, sizeof(cv.first));
	strlcpy0(cv.last, last, sizeof(cv.last));
	if (d->n)
		strlcpy0(cv.source, x->r->events[d->ev[d->n - 1]].source,
		    sizeof(cv.source));
	report_add_client(x->r, &cv);
}

/* Does f cite an error like ev already (code, service, realm)? */
static int
cited_like(const struct report *r, const struct finding *f,
    const struct event *ev)
{
	int j;

	for (j = 0; j < f->n_evidence; j++) {
		const struct event *o = &r->events[f->evidence[j]];

		if (o->code == ev->code && strcmp(o->name, ev->name) == 0 &&
		    strcmp(o->realm, ev->realm) == 0)
			return 1;
	}
	return 0;
}

/* Kerberos errors of other services: shown, never the MP's fault. */
void
exch_background_kerberos(struct xstate *x)
{
	struct report *r = x->r;
	size_t i;
	int k = -1;

	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->frame < 0 || x->used[i] || ev->type != EV_KRB_ERROR ||
		    ev->from == ROLE_MP || ev->code ==
		    KDC_ERR_PREAUTH_REQUIRED || ev->code ==
		    KRB_ERR_RESPONSE_TOO_BIG)
			continue;
		if (k < 0 && (k = report_add_finding(r,
		    FID_KERBEROS_OTHER_SERVICE)) < 0)
			return;
		if (!cited_like(r, &r->findings[k], ev))
			finding_add_evidence(&r->findings[k], (int)i);
	}
}

/* Whether r holds evidence other than captures to judge: a log or trace
 * that was read, or what the readers of those found. */
int
exch_has_log_evidence(const struct report *r)
{
	size_t i;

	if (r->n_clients)
		return 1;
	for (i = 0; i < r->n_inputs; i++)
		if (r->inputs[i].status != INPUT_UNREADABLE &&
		    (strcmp(r->inputs[i].kind, "iis") == 0 ||
		    strcmp(r->inputs[i].kind, "cmlog") == 0 ||
		    strcmp(r->inputs[i].kind, "sql") == 0))
			return 1;
	for (i = 0; i < r->n_events; i++)
		switch (r->events[i].type) {
		case EV_IIS_REQUEST:
		case EV_CM_RECORD:
		case EV_CM_IDENTITY:
		case EV_SQL_REGISTRATION:
			return 1;
		default:
			break;
		}
	return 0;
}

/* Up to four distinct names, "a, b, c and 2 more" (the count in *n). */
static void
names_add(char *list, size_t size, int *n, const char *name)
{
	if (!name[0] || strstr(list, name) != NULL)
		return;
	if (++*n <= 4)
		strappendf(list, size, "%s%s", list[0] ? ", " : "", name);
}

static void
names_end(char *list, size_t size, int n)
{
	if (n > 4)
		strappendf(list, size, " and %d more", n - 4);
}

/* No exchange: say what the evidence holds instead. */
void
exch_no_exchange(struct xstate *x)
{
	struct report *r = x->r;
	unsigned long http = 0, krb = 0, dns = 0;
	char hosts[150] = "", svcs[150] = "";	/* the note fits ev.text */
	int n_hosts = 0, n_svcs = 0, k;
	struct event ev;
	size_t i;

	for (i = 0; i < r->n_events; i++) {
		const struct event *e = &r->events[i];

		switch (e->type) {
		case EV_HTTP_REQUEST:
			http++;
			names_add(hosts, sizeof(hosts), &n_hosts, e->host[0] ?
			    e->host : e->peer);
			break;
		case EV_KRB_REQUEST:
			if (strncasecmp(e->name, "krbtgt/", 7) != 0)
				names_add(svcs, sizeof(svcs), &n_svcs, e->name);
			/* FALLTHROUGH */
		case EV_KRB_REPLY:
		case EV_KRB_ERROR:
			krb++;
			break;
		case EV_DNS:
			dns++;
			break;
		default:
			break;
		}
	}
	names_end(hosts, sizeof(hosts), n_hosts);
	names_end(svcs, sizeof(svcs), n_svcs);
	event_init(&ev, EV_NOTE);
	ev.t = r->n_events ? r->events[0].t : 0;
	strlcpy0(ev.source, "evidence", sizeof(ev.source));
	snprintf(ev.text, sizeof(ev.text), "no ConfigMgr request and no "
	    "traffic for a named MP; seen: %lu HTTP request%s%s%s%s, %lu "
	    "Kerberos message%s%s%s%s, %lu DNS answer%s", http,
	    http == 1 ? "" : "s", hosts[0] ? " (to " : "", hosts,
	    hosts[0] ? ")" : "", krb, krb == 1 ? "" : "s",
	    svcs[0] ? " (tickets for " : "", svcs, svcs[0] ? ")" : "", dns,
	    dns == 1 ? "" : "s");
	if ((k = report_add_event(r, &ev)) < 0)
		return;
	i = (size_t)report_add_finding(r, FID_NO_MP_EXCHANGE);
	if ((int)i >= 0)
		finding_add_evidence(&r->findings[i], k);
	r->basis = BASIS_NO_EXCHANGE;
}

