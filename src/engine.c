/*
 * engine.c - turn a report's events into findings, root cause first.
 * The same rules serve live probes and offline captures: they read only
 * events, never probe state.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"

#define SKEW_LIMIT 300.0	/* Kerberos default tolerance, seconds */

struct facts {
	int authed_ok;		/* authenticated request answered 200 */
	int ev_authed_ok;
	int http_rejected;	/* HTTP/ ticket rejected by the MP */
	int host_tried, host_ok, host_rejected;
	int ev_http_reject, ev_host;
	int referral;		/* any referral seen */
	int fallback;
	int ev_fallback;
};

static struct finding *
add(struct report *r, enum finding_id id, int ev)
{
	int i = report_add_finding(r, id);

	if (i < 0)
		return NULL;
	finding_add_evidence(&r->findings[i], ev);
	return &r->findings[i];
}

static int
is_host_sname(const char *sname)
{
	return strncasecmp(sname, "host/", 5) == 0;
}

static int
is_krbtgt(const char *sname)
{
	return strncasecmp(sname, "krbtgt/", 7) == 0;
}

static int
cannot_decrypt(int code)
{
	/* MIT acceptors say 31 or 44 where Windows says 41 (DESIGN.md) */
	return code == 31 || code == 41 || code == 44 || code == 45 ||
	    code == 35;
}

static int
skew_code(int code)
{
	return code == 37 || code == 32 || code == 33;
}

static int
same_realm(const char *a, const char *b)
{
	return a[0] && b[0] && strcasecmp(a, b) == 0;
}

static void
rule_dns(struct report *r, size_t i)
{
	const struct event *ev = &r->events[i];

	switch (ev->qtype) {
	case 1:			/* A */
	case 28:		/* AAAA */
		if (ev->value[0] && ev->name[0] &&
		    strcasecmp(ev->value, ev->name) != 0)
			add(r, FID_DNS_CNAME_ALIAS, (int)i);
		break;
	case 12:		/* PTR */
		if (ev->rcode == 3 || (ev->rcode == 0 && ev->status == 0))
			add(r, FID_DNS_NO_PTR, (int)i);
		else if (ev->rcode == 0 && r->mp_name[0] &&
		    strcasecmp(ev->value, r->mp_name) != 0)
			add(r, FID_DNS_PTR_MISMATCH, (int)i);
		break;
	}
}

/* A DNS question about the MP's name: so marked by the probe, or (offline)
 * asking for the name the capture shows the client wanted. */
static int
about_mp(const struct report *r, const struct event *ev)
{
	return ev->to == ROLE_MP || (r->mp_name[0] &&
	    strcasecmp(ev->name, r->mp_name) == 0);
}

/* Both A and AAAA empty for the MP name: the name does not resolve. */
static void
rule_no_address(struct report *r)
{
	size_t i;
	int seen = 0, found = 0;

	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type != EV_DNS || (ev->qtype != 1 && ev->qtype != 28) ||
		    !about_mp(r, ev))
			continue;
		seen++;
		if (ev->rcode == 0 && ev->status > 0 && ev->text[0])
			found++;
	}
	if (seen == 0 || found > 0)
		return;
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type == EV_DNS && about_mp(r, ev) &&
		    (ev->qtype == 1 || ev->qtype == 28))
			add(r, FID_DNS_NO_ADDRESS, (int)i);
	}
}

static void
rule_connect(struct report *r, size_t i)
{
	const struct event *ev = &r->events[i];

	if (ev->to != ROLE_MP)
		return;
	switch (ev->status) {
	case CONN_RESOLVE:
		add(r, FID_DNS_NO_ADDRESS, (int)i);
		break;
	case CONN_TLS:
		add(r, FID_MP_TLS_FAILURE, (int)i);
		break;
	case CONN_PROTOCOL:
		add(r, FID_MP_PROTOCOL_ERROR, (int)i);
		break;
	default:
		add(r, FID_MP_UNREACHABLE, (int)i);
		break;
	}
}

static void
rule_http(struct report *r, size_t i, struct facts *f)
{
	const struct event *ev = &r->events[i];
	int anonymous = ev->name[0] == '\0';

	if (ev->has_token < 0) {
		add(r, FID_MP_PROTOCOL_ERROR, (int)i);
		return;
	}
	if (ev->status >= 500) {
		add(r, FID_MP_SERVER_ERROR, (int)i);
		return;
	}
	if (ev->status == 404) {
		add(r, FID_MP_NOT_MP, (int)i);
		return;
	}
	if (ev->status == 403) {
		add(r, FID_MP_FORBIDDEN, (int)i);
		return;
	}
	if (anonymous) {
		if (ev->status >= 200 && ev->status < 300)
			add(r, FID_MP_ANONYMOUS_ACCEPTED, (int)i);
		else if (ev->status == 401 &&
		    strcasestr(ev->text, "negotiate") == NULL)
			add(r, FID_MP_NO_NEGOTIATE, (int)i);
		return;
	}
	/* an authenticated attempt; name holds the ticket's service */
	if (ev->status >= 200 && ev->status < 300) {
		if (is_host_sname(ev->value)) {
			f->host_ok = 1;
			f->ev_host = (int)i;
		} else {
			f->authed_ok = 1;
			f->ev_authed_ok = (int)i;
		}
	} else if (ev->status == 401) {
		if (is_host_sname(ev->value)) {
			f->host_rejected = 1;
			f->ev_host = (int)i;
		} else {
			f->http_rejected = 1;
			if (f->ev_http_reject < 0)
				f->ev_http_reject = (int)i;
		}
	}
	if (is_host_sname(ev->value))
		f->host_tried = 1;
}

/* A KDC's error: which step of the path failed, and why. */
static void
rule_kdc_error(struct report *r, size_t i, const struct facts *f)
{
	const struct event *ev = &r->events[i];
	int target_realm;

	if (ev->code == 25 || ev->code == 6 || ev->code == 24 ||
	    ev->code == 52 || ev->code == 68)
		return;		/* the protocol's normal detours */
	if (skew_code(ev->code)) {
		add(r, FID_CLOCK_SKEW, (int)i);
		return;
	}
	if (ev->code == 14) {
		add(r, FID_ENCTYPE_UNSUPPORTED, (int)i);
		return;
	}
	if (cannot_decrypt(ev->code)) {
		/* a KDC that cannot read the TGT it was given: cross-realm key */
		add(r, f->referral ? FID_TRUST_BROKEN : FID_KERBEROS_FAILED,
		    (int)i);
		return;
	}
	if (ev->code == 7 || ev->code == 8) {
		target_realm = f->referral ||
		    same_realm(ev->realm, r->mp_realm) ||
		    (!r->mp_realm[0]) ||
		    same_realm(r->client_realm, r->mp_realm);
		if (is_krbtgt(ev->name) || !target_realm)
			add(r, FID_NO_TRUST_PATH, (int)i);
		else
			add(r, FID_SPN_MISSING, (int)i);
		return;
	}
	add(r, FID_KERBEROS_FAILED, (int)i);
}

static void
rule_mp_reply(struct report *r, size_t i)
{
	const struct event *ev = &r->events[i];

	if (skew_code(ev->code))
		add(r, FID_CLOCK_SKEW_MP, (int)i);
	else if (ev->code == 14)
		add(r, FID_ENCTYPE_UNSUPPORTED, (int)i);
}

/*
 * Every _kerberos SRV question for a realm came back empty and no Kerberos
 * message ever went to that realm: its KDCs cannot be located.  (Live, MIT
 * also says so; offline this is the only sign.)
 */
static void
rule_kdc_srv(struct report *r)
{
	size_t i, j;

	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];
		const char *realm;
		int found = 0, used = 0;

		if (ev->type != EV_DNS || ev->qtype != 33 ||
		    strncasecmp(ev->name, "_kerberos._", 11) != 0 ||
		    (realm = strchr(ev->name + 11, '.')) == NULL)
			continue;
		realm++;
		for (j = 0; j < r->n_events; j++) {
			const struct event *o = &r->events[j];

			if (o->type == EV_DNS && o->qtype == 33 &&
			    strncasecmp(o->name, "_kerberos._", 11) == 0 &&
			    strchr(o->name + 11, '.') &&
			    strcasecmp(strchr(o->name + 11, '.') + 1,
			    realm) == 0 && o->rcode == 0 && o->status > 0)
				found = 1;
			if ((o->type == EV_KRB_REQUEST || o->type ==
			    EV_KRB_REPLY || o->type == EV_KRB_ERROR) &&
			    o->from != ROLE_MP && strcasecmp(o->realm,
			    realm) == 0)
				used = 1;
		}
		/* only the client's own realm decides: without it nothing
		 * starts; a missing record elsewhere may be harmless */
		if (!found && !used && (strcasecmp(realm, r->client_realm) ==
		    0 || !r->client_realm[0]))
			add(r, FID_DNS_NO_KDC_SRV, (int)i);
	}
}

/*
 * Clocks: client-KDC from the KDC's stime, client-MP from the MP's Date or
 * KRB-ERROR.  The MP's own skew is judged against the KDC when both are
 * known, so a skewed client is not blamed on the MP.
 */
static void
rule_clocks(struct report *r)
{
	size_t i;
	int kdc = -1, mp = -1;
	double d;

	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type != EV_CLOCK || isnan(ev->offset))
			continue;
		if (ev->to == ROLE_MP) {
			/* prefer the precise KRB-ERROR stime */
			if (mp < 0 || ev->uncertainty <
			    r->events[mp].uncertainty)
				mp = (int)i;
		} else if (kdc < 0) {
			kdc = (int)i;
		}
	}
	if (kdc >= 0) {
		const struct event *k = &r->events[kdc];

		add(r, fabs(k->offset) - k->uncertainty > SKEW_LIMIT ?
		    FID_CLOCK_SKEW : FID_KDC_TIMESYNC_HIDDEN, kdc);
	}
	if (mp >= 0) {
		const struct event *m = &r->events[mp];

		d = m->offset - (kdc >= 0 ? r->events[kdc].offset : 0);
		if (fabs(d) - m->uncertainty > SKEW_LIMIT) {
			struct finding *f = add(r, FID_CLOCK_SKEW_MP, mp);

			if (f && kdc >= 0)
				finding_add_evidence(f, kdc);
		} else {
			add(r, FID_KDC_TIMESYNC_HIDDEN, mp);
		}
	}
}

/* The MP refused the HTTP ticket: HOST tells whose key is wrong. */
static void
rule_rejection(struct report *r, struct facts *f)
{
	size_t i;
	struct finding *fi = NULL;

	if (!f->http_rejected || f->authed_ok)
		return;
	for (i = 0; i < r->n_findings; i++) {
		enum finding_id id = r->findings[i].id;

		if (id == FID_CLOCK_SKEW_MP || id == FID_CLOCK_SKEW ||
		    id == FID_ENCTYPE_UNSUPPORTED)
			return;	/* already explained */
	}
	if (f->host_ok)
		fi = add(r, FID_SPN_MISBOUND, f->ev_http_reject);
	else if (f->host_rejected)
		fi = add(r, FID_MP_KEY_STALE, f->ev_http_reject);
	else
		fi = add(r, FID_MP_REJECTED, f->ev_http_reject);
	if (fi == NULL)
		return;
	if (f->ev_host >= 0)
		finding_add_evidence(fi, f->ev_host);
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type == EV_TICKET || (ev->type == EV_SPNEGO_REPLY &&
		    ev->code >= 0))
			finding_add_evidence(fi, (int)i);
	}
}

/* Attach the events that explain a finding but did not trigger it. */
static void
attach_context(struct report *r)
{
	size_t i, j;

	for (i = 0; i < r->n_findings; i++) {
		struct finding *fi = &r->findings[i];

		for (j = 0; j < r->n_events; j++) {
			const struct event *ev = &r->events[j];

			switch (fi->id) {
			case FID_NO_TRUST_PATH:
				if (ev->type == EV_KRB_FALLBACK ||
				    ev->type == EV_KRB_REFERRAL)
					finding_add_evidence(fi, (int)j);
				break;
			case FID_SPN_MISSING:
			case FID_TRUST_BROKEN:
				if (ev->type == EV_KRB_REFERRAL)
					finding_add_evidence(fi, (int)j);
				break;
			case FID_DNS_NO_KDC_SRV:
				if (ev->type == EV_DNS && ev->qtype == 33)
					finding_add_evidence(fi, (int)j);
				break;
			case FID_CLOCK_SKEW_MP:
				if (ev->type == EV_CLOCK)
					finding_add_evidence(fi, (int)j);
				break;
			default:
				break;
			}
		}
	}
}

static int
finding_cmp(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	enum severity sx = finding_severity(x->id), sy = finding_severity(y->id);

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return (int)x->id - (int)y->id;
}

void
engine_run(struct report *r)
{
	struct facts f;
	size_t i;
	int errors = 0;

	memset(&f, 0, sizeof(f));
	f.ev_http_reject = f.ev_host = f.ev_fallback = -1;
	for (i = 0; i < r->n_events; i++) {
		if (r->events[i].type == EV_KRB_REFERRAL)
			f.referral = 1;
		if (r->events[i].type == EV_KRB_FALLBACK) {
			f.fallback = 1;
			f.ev_fallback = (int)i;
		}
	}
	rule_no_address(r);
	rule_kdc_srv(r);
	rule_clocks(r);
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		switch (ev->type) {
		case EV_DNS:
			rule_dns(r, i);
			break;
		case EV_CONNECT_FAIL:
			rule_connect(r, i);
			break;
		case EV_HTTP_RESPONSE:
			rule_http(r, i, &f);
			break;
		case EV_KRB_ERROR:
			if (ev->from == ROLE_MP)
				rule_mp_reply(r, i);
			else
				rule_kdc_error(r, i, &f);
			break;
		case EV_SPNEGO_REPLY:
			if (ev->code >= 0)
				rule_mp_reply(r, i);
			break;
		case EV_GSS_STATUS:
			if (f.authed_ok && ev->major != 0 &&
			    strcmp(ev->name, "verify reply") == 0)
				add(r, FID_MUTUAL_AUTH_FAILED, (int)i);
			break;
		case EV_KDC_UNREACHABLE:
			add(r, FID_KDC_UNREACHABLE, (int)i);
			break;
		case EV_REALM_UNKNOWN:
			add(r, FID_DNS_NO_KDC_SRV, (int)i);
			break;
		case EV_NO_CREDENTIALS:
			add(r, FID_NO_CREDENTIALS, (int)i);
			break;
		case EV_CAPTURE:
			add(r, FID_CAPTURE_UNAVAILABLE, (int)i);
			break;
		default:
			break;
		}
	}
	/* A ticket only through MIT's guessed realm: Windows gets none. */
	if (f.fallback) {
		add(r, FID_MIT_FALLBACK_REALM, f.ev_fallback);
		add(r, FID_NO_TRUST_PATH, f.ev_fallback);
	}
	rule_rejection(r, &f);
	attach_context(r);

	for (i = 0; i < r->n_findings; i++)
		if (finding_severity(r->findings[i].id) == SEV_ERROR)
			errors++;
	if (errors == 0 && !f.authed_ok && strcmp(r->command, "probe") == 0) {
		/* nothing failed loudly, yet the client never got in */
		add(r, FID_KERBEROS_FAILED, -1);
		errors++;
	}
	r->approved = errors == 0;
	if (r->n_findings > 1)
		qsort(r->findings, r->n_findings, sizeof(*r->findings),
		    finding_cmp);
}

int
engine_exit_code(const struct report *r)
{
	return r->approved ? 0 : 1;
}
