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
#include "exchange.h"
#include "proto.h"
#include "rules.h"
#include "util.h"

#define SKEW_LIMIT KRB_CLOCK_SKEW

struct facts {
	int authed_ok;		/* authenticated request answered 200 */
	int ev_authed_ok;
	int http_rejected;	/* HTTP/ ticket rejected by the MP */
	int host_tried, host_ok, host_rejected;
	int ev_http_reject, ev_host;
	int mp_cannot_decrypt;	/* the MP's reply says it cannot read the
				 * ticket (31, 41, 44) */
	int referral;		/* any referral seen */
	int fallback;
	int ev_fallback;
};

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

int
engine_cannot_decrypt(int code)
{
	/* MIT acceptors say 31 or 44 where Windows says 41 (docs/design.md) */
	return code == KRB_AP_ERR_BAD_INTEGRITY ||
	    code == KRB_AP_ERR_MODIFIED || code == KRB_AP_ERR_BADKEYVER ||
	    code == KRB_AP_ERR_NOKEY || code == KRB_AP_ERR_NOT_US;
}

static int
skew_code(int code)
{
	return code == KRB_AP_ERR_SKEW || code == KRB_AP_ERR_TKT_EXPIRED ||
	    code == KRB_AP_ERR_TKT_NYV;
}

/* Evidence read from a capture: its timestamps are the capturing host's
 * clock, which may be anything. */
static int
offline(const struct event *ev)
{
	return ev->frame >= 0;
}

/* name is host, give or take a final dot, up to its end or one of ends */
static int
same_host(const char *name, const char *host, const char *ends)
{
	size_t n = strlen(host);
	const char *e;

	if (n > 1 && host[n - 1] == '.')
		n--;
	if (strncasecmp(name, host, n) != 0)
		return 0;
	e = name + n + (name[n] == '.');
	return *e == '\0' || strchr(ends, *e) != NULL;
}

/*
 * What the PTR's host means: 0 it is a name of the MP (a CNAME's target),
 * 1 another host that no client used, 2 another host that a client asked
 * a ticket for (it builds service names from reverse DNS, as MIT with
 * rdns does, where Windows does not).
 */
static int
ptr_use(const struct report *r, const char *host)
{
	const char *h;
	size_t i;
	int used = 1;

	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type == EV_DNS && (ev->qtype == DNS_T_A ||
		    ev->qtype == DNS_T_AAAA) && ev->value[0] &&
		    same_host(ev->value, host, ""))
			return 0;
		if (ev->type == EV_KRB_REQUEST &&
		    (h = strchr(ev->name, '/')) != NULL &&
		    same_host(h + 1, host, "@:"))
			used = 2;
	}
	return used;
}

static void
rule_dns(struct report *r, size_t i)
{
	const struct event *ev = &r->events[i];
	int use;

	/* only the MP's own names: a capture holds other lookups too */
	switch (ev->qtype) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (ev->value[0] && ev->name[0] &&
		    strcasecmp(ev->value, ev->name) != 0 &&
		    (ev->to == ROLE_MP || (r->mp_name[0] &&
		    strcasecmp(ev->value, r->mp_name) == 0)))
			rules_add(r, FID_DNS_CNAME_ALIAS, (int)i);
		break;
	case DNS_T_PTR:
		if (ev->to != ROLE_MP)
			break;
		if (ev->rcode == DNS_R_NXDOMAIN ||
		    (ev->rcode == DNS_R_NOERROR && ev->status == 0))
			rules_add(r, FID_DNS_NO_PTR, (int)i);
		else if (ev->rcode == DNS_R_NOERROR && r->mp_name[0] &&
		    strcasecmp(ev->value, r->mp_name) != 0 &&
		    (use = ptr_use(r, ev->value)) > 0)
			rules_add(r, use == 2 ? FID_DNS_PTR_MISMATCH :
			    FID_DNS_PTR_OTHER_HOST, (int)i);
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

		if (ev->type != EV_DNS || (ev->qtype != DNS_T_A &&
		    ev->qtype != DNS_T_AAAA) || !about_mp(r, ev))
			continue;
		seen++;
		if (ev->rcode == DNS_R_NOERROR && ev->status > 0 && ev->text[0])
			found++;
	}
	if (seen == 0 || found > 0)
		return;
	/* a question about the MP that no server answered: dns-unreachable */
	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == EV_CONNECT_FAIL &&
		    r->events[i].to == ROLE_DNS &&
		    (r->events[i].qtype == DNS_T_A ||
		    r->events[i].qtype == DNS_T_AAAA))
			return;
	/* the system resolver knows it (hosts file, a literal): said apart */
	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == EV_RESOLVE &&
		    (r->events[i].status == RESOLVE_HOSTS_ONLY ||
		    r->events[i].status == RESOLVE_ADDRESS))
			return;
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type == EV_DNS && about_mp(r, ev) &&
		    (ev->qtype == DNS_T_A || ev->qtype == DNS_T_AAAA))
			rules_add(r, FID_DNS_NO_ADDRESS, (int)i);
	}
}

static void
rule_connect(struct report *r, size_t i)
{
	const struct event *ev = &r->events[i];

	if (ev->to == ROLE_DNS && ev->frame < 0) {
		/* the live probe's own questions: no server answered them */
		rules_add(r, FID_DNS_UNREACHABLE, (int)i);
		return;
	}
	if (ev->to != ROLE_MP)
		return;
	switch (ev->status) {
	case CONN_INCOMPLETE:
		break;		/* not a failure: its outcome is not known */
	case CONN_RESOLVE:
		rules_add(r, FID_DNS_NO_ADDRESS, (int)i);
		break;
	case CONN_TLS:
		rules_add(r, FID_MP_TLS_FAILURE, (int)i);
		break;
	case CONN_NO_ANSWER:
		rules_add(r, FID_MP_NO_ANSWER, (int)i);
		break;
	case CONN_PROTOCOL:
		rules_add(r, FID_MP_PROTOCOL_ERROR, (int)i);
		break;
	default:
		rules_add(r, FID_MP_UNREACHABLE, (int)i);
		break;
	}
}

static void
rule_http(struct report *r, size_t i, struct facts *f)
{
	const struct event *ev = &r->events[i];
	int anonymous = ev->name[0] == '\0';

	if (ev->has_token < 0) {
		rules_add(r, FID_MP_PROTOCOL_ERROR, (int)i);
		return;
	}
	if (ev->status >= 500) {
		rules_add(r, FID_MP_SERVER_ERROR, (int)i);
		return;
	}
	if (ev->status == 404) {
		rules_add(r, FID_MP_NOT_MP, (int)i);
		return;
	}
	if (ev->status == 403) {
		rules_add(r, FID_MP_FORBIDDEN, (int)i);
		return;
	}
	if (anonymous) {
		if (ev->status >= 200 && ev->status < 300)
			rules_add(r, FID_MP_ANONYMOUS_ACCEPTED, (int)i);
		else if (ev->status == 401 &&
		    strcasestr(ev->text, "negotiate") == NULL)
			rules_add(r, FID_MP_NO_NEGOTIATE, (int)i);
		return;
	}
	/* authenticated, but not with Kerberos: no automatic approval */
	if (strcasecmp(ev->name, "Negotiate") != 0) {
		if (ev->status >= 200 && ev->status < 300 &&
		    strcasestr(ev->name, "NTLM"))
			rules_add(r, FID_IIS_NTLM_ONLY, (int)i);
		return;
	}
	/* a Kerberos attempt; value holds the ticket's service */
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

/*
 * Whether a KDC that answered "principal unknown" for a service speaks for
 * the realm that should hold it: the MP's realm, or a realm a referral sent
 * the client to.  A KDC of a realm that is neither, and that never gave a
 * referral either (an untrusted client realm's), says there is no path; one
 * that gave referrals is in a trust, and its "unknown" means no account in
 * the forest holds the name (an AD KDC refers only to a realm whose global
 * catalog entry it found).  Without the realms, any referral seen decides.
 */
static int
answered_in_target_realm(const struct report *r, const struct event *ev,
    const struct facts *f)
{
	size_t i;

	if (!r->mp_realm[0] || rules_same_realm(ev->realm, r->mp_realm) ||
	    rules_same_realm(r->client_realm, r->mp_realm))
		return 1;
	if (!ev->realm[0])
		return f->referral;
	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == EV_KRB_REFERRAL &&
		    (rules_same_realm(r->events[i].value, ev->realm) ||
		    rules_same_realm(r->events[i].realm, ev->realm)))
			return 1;
	return 0;
}

/* A KDC's error: which step of the path failed, and why. */
static void
rule_kdc_error(struct report *r, size_t i, const struct facts *f)
{
	const struct event *ev = &r->events[i];
	int target_realm;

	if (ev->code == KDC_ERR_PREAUTH_REQUIRED ||
	    ev->code == KDC_ERR_C_PRINCIPAL_UNKNOWN ||
	    ev->code == KDC_ERR_PREAUTH_FAILED ||
	    ev->code == KRB_ERR_RESPONSE_TOO_BIG ||
	    ev->code == KDC_ERR_WRONG_REALM)
		return;		/* the protocol's normal detours */
	if (skew_code(ev->code)) {
		rules_add(r, FID_CLOCK_SKEW, (int)i);
		return;
	}
	if (ev->code == KDC_ERR_ETYPE_NOSUPP) {
		rules_add(r, FID_ENCTYPE_UNSUPPORTED, (int)i);
		return;
	}
	if (engine_cannot_decrypt(ev->code)) {
		/* a KDC that cannot read the TGT it was given: cross-realm
		 * key (a KDC of another realm than the client's only ever
		 * gets a referral TGT) */
		rules_add(r, f->referral || (ev->realm[0] && r->client_realm[0] &&
		    !rules_same_realm(ev->realm, r->client_realm)) ?
		    FID_TRUST_BROKEN : FID_KERBEROS_FAILED, (int)i);
		return;
	}
	if (ev->code == KDC_ERR_S_PRINCIPAL_UNKNOWN ||
	    ev->code == KDC_ERR_PRINCIPAL_NOT_UNIQUE) {
		target_realm = answered_in_target_realm(r, ev, f);
		if (is_krbtgt(ev->name) || !target_realm)
			rules_add(r, FID_NO_TRUST_PATH, (int)i);
		else
			rules_add(r, FID_SPN_MISSING, (int)i);
		return;
	}
	rules_add(r, FID_KERBEROS_FAILED, (int)i);
}

static void
rule_mp_reply(struct report *r, size_t i)
{
	const struct event *ev = &r->events[i];

	if (skew_code(ev->code))
		rules_add(r, FID_CLOCK_SKEW_MP, (int)i);
	else if (ev->code == KDC_ERR_ETYPE_NOSUPP)
		rules_add(r, FID_ENCTYPE_UNSUPPORTED, (int)i);
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

		if (ev->type != EV_DNS || ev->qtype != DNS_T_SRV ||
		    strncasecmp(ev->name, "_kerberos._", 11) != 0 ||
		    (realm = strchr(ev->name + 11, '.')) == NULL)
			continue;
		realm++;
		for (j = 0; j < r->n_events; j++) {
			const struct event *o = &r->events[j];

			if (o->type == EV_DNS && o->qtype == DNS_T_SRV &&
			    strncasecmp(o->name, "_kerberos._", 11) == 0 &&
			    strchr(o->name + 11, '.') &&
			    strcasecmp(strchr(o->name + 11, '.') + 1,
			    realm) == 0 && o->rcode == DNS_R_NOERROR &&
			    o->status > 0)
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
			rules_add(r, FID_DNS_NO_KDC_SRV, (int)i);
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
	int kdc = -1, mp = -1, client_off = 0;
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
	/*
	 * A capture's timestamps are the clock of the host that captured,
	 * which may be anything (a host without a real-time clock says
	 * 1970): offline, a KDC's offset alone proves nothing.  The KDC's
	 * own KRB_AP_ERR_SKEW does (rule_kdc_error), and the MP's offset is
	 * judged against the KDC's, both read on the same clock.
	 */
	if (kdc >= 0 && !offline(&r->events[kdc])) {
		const struct event *k = &r->events[kdc];

		client_off = fabs(k->offset) - k->uncertainty > SKEW_LIMIT;
		rules_add(r, client_off ? FID_CLOCK_SKEW : FID_KDC_TIMESYNC_HIDDEN,
		    kdc);
	}
	if (mp >= 0 && (kdc >= 0 || !offline(&r->events[mp]))) {
		const struct event *m = &r->events[mp];

		d = m->offset - (kdc >= 0 ? r->events[kdc].offset : 0);
		if (fabs(d) - m->uncertainty > SKEW_LIMIT) {
			struct finding *f = rules_add(r, FID_CLOCK_SKEW_MP, mp);

			if (f && kdc >= 0)
				finding_add_evidence(f, kdc);
		} else if (client_off) {
			/* the MP agrees with the KDC: the client's clock is
			 * the odd one out, the MP's offset proves it again */
			rules_add(r, FID_CLOCK_SKEW, mp);
		} else if (fabs(m->offset) - m->uncertainty > SKEW_LIMIT) {
			/* unmeasured KDC: an offset beyond the tolerance is
			 * never "no action needed" */
			rules_add(r, FID_CLOCK_SKEW_MP, mp);
		} else {
			rules_add(r, FID_KDC_TIMESYNC_HIDDEN, mp);
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
		fi = rules_add(r, FID_SPN_MISBOUND, f->ev_http_reject);
	else if (f->host_rejected)
		fi = rules_add(r, FID_MP_KEY_STALE, f->ev_http_reject);
	else if (f->mp_cannot_decrypt)
		fi = rules_add(r, FID_MP_CANNOT_DECRYPT, f->ev_http_reject);
	else
		fi = rules_add(r, FID_MP_REJECTED, f->ev_http_reject);
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

/* An input cut short or unreadable: the verdict rests on what was read. */
static void
rule_inputs(struct report *r)
{
	size_t i;

	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == EV_INPUT)
			rules_add(r, r->events[i].status == INPUT_CUT ?
			    FID_INPUT_CUT : FID_USAGE_INPUT, (int)i);
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
				if (ev->type == EV_DNS && ev->qtype == DNS_T_SRV)
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

/*
 * MIT's guess of a realm, as a capture shows it: the client's KDC answered
 * KDC_ERR_S_PRINCIPAL_UNKNOWN for the MP's service (no referral), and the
 * client then asked that KDC for krbtgt/OTHER itself.  Windows stops at
 * the error.  The index of that request, or -1.
 */
static int
wire_fallback(const struct report *r)
{
	size_t i, j;

	for (i = 0; i < r->n_events; i++) {
		const struct event *e = &r->events[i];

		if (e->type != EV_KRB_ERROR || e->from == ROLE_MP ||
		    e->code != KDC_ERR_S_PRINCIPAL_UNKNOWN ||
		    is_krbtgt(e->name) || !e->realm[0])
			continue;
		for (j = i + 1; j < r->n_events; j++) {
			const struct event *q = &r->events[j];

			if (q->type == EV_KRB_REFERRAL)
				break;
			if (q->type == EV_KRB_REQUEST && is_krbtgt(q->name) &&
			    rules_same_realm(q->realm, e->realm) &&
			    !rules_same_realm(q->name + 7, e->realm))
				return (int)j;
		}
	}
	return -1;
}

/* After MIT's guess, did the client get a ticket for the MP anyway? */
static int
ticket_after(const struct report *r, int from)
{
	size_t i;

	for (i = (size_t)from; i < r->n_events; i++) {
		const struct event *e = &r->events[i];

		if (e->type == EV_TICKET || (e->type == EV_KRB_REPLY &&
		    (strncasecmp(e->name, "HTTP/", 5) == 0 ||
		    is_host_sname(e->name))))
			return 1;
	}
	return 0;
}

/* Every rule over r's events; f says what the HTTP exchange showed. */
static void
judge(struct report *r, struct facts *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->ev_http_reject = f->ev_host = f->ev_fallback = -1;
	for (i = 0; i < r->n_events; i++) {
		if (r->events[i].type == EV_KRB_FALLBACK) {
			f->fallback = 1;
			f->ev_fallback = (int)i;
			break;
		}
	}
	if (!f->fallback && (f->ev_fallback = wire_fallback(r)) >= 0) {
		f->fallback = 1;
		/* the realm MIT guessed for the MP, when nothing else says */
		if (!r->mp_realm[0])
			strlcpy0(r->mp_realm, r->events[f->ev_fallback].name + 7,
			    sizeof(r->mp_realm));
	}
	/* the cross-realm TGT MIT's guess fetched was no referral */
	for (i = 0; i < r->n_events && (!f->fallback ||
	    (int)i < f->ev_fallback); i++)
		if (r->events[i].type == EV_KRB_REFERRAL)
			f->referral = 1;
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
			rule_http(r, i, f);
			break;
		case EV_KRB_ERROR:
			if (ev->from == ROLE_MP)
				rule_mp_reply(r, i);
			else
				rule_kdc_error(r, i, f);
			break;
		case EV_SPNEGO_REPLY:
			if (ev->code >= 0)
				rule_mp_reply(r, i);
			if (engine_cannot_decrypt(ev->code))
				f->mp_cannot_decrypt = 1;
			break;
		case EV_GSS_STATUS:
			if (f->authed_ok && ev->major != 0 &&
			    strcmp(ev->name, "verify reply") == 0)
				rules_add(r, FID_MUTUAL_AUTH_FAILED, (int)i);
			break;
		case EV_KDC_UNREACHABLE:
			rules_add(r, FID_KDC_UNREACHABLE, (int)i);
			break;
		case EV_REALM_UNKNOWN:
			rules_add(r, FID_DNS_NO_KDC_SRV, (int)i);
			break;
		case EV_NO_CREDENTIALS:
			rules_add(r, FID_NO_CREDENTIALS, (int)i);
			break;
		case EV_RESOLVE:
			if (ev->status == RESOLVE_ADDRESS)
				rules_add(r, FID_MP_NAME_IS_ADDRESS, (int)i);
			else if (ev->status == RESOLVE_HOSTS_ONLY)
				rules_add(r, FID_DNS_HOSTS_FILE_ONLY, (int)i);
			break;
		case EV_IDENTITY:
			if (ev->status == 0)
				rules_add(r, FID_IDENTITY_NOT_MACHINE, (int)i);
			break;
		case EV_CAPTURE:
			rules_add(r, FID_CAPTURE_UNAVAILABLE, (int)i);
			break;
		default:
			break;
		}
	}
	/*
	 * A ticket only through MIT's guessed realm: Windows gets none.  If
	 * the guess worked, a trust exists that gives no referral: an
	 * external trust (the directory, when read, confirms the kind).
	 */
	if (f->fallback) {
		struct finding *fi = NULL;

		rules_add(r, FID_MIT_FALLBACK_REALM, f->ev_fallback);
		if (ticket_after(r, f->ev_fallback) &&
		    (fi = rules_retag(r, FID_NO_TRUST_PATH, FID_TRUST_EXTERNAL)) ==
		    NULL)
			fi = rules_add(r, FID_TRUST_EXTERNAL, f->ev_fallback);
		if (fi)
			finding_add_evidence(fi, f->ev_fallback);
		else
			rules_add(r, FID_NO_TRUST_PATH, f->ev_fallback);
	}
	rule_rejection(r, f);
	rules_directory(r);
	attach_context(r);
}

int
engine_judge(struct report *r)
{
	struct facts f;

	judge(r, &f);
	r->approved = report_errors(r) == 0;
	report_sort_findings(r);
	return f.authed_ok;
}

/* The client never got in and no rule named why: what the libraries said
 * is the evidence, their own words first, then each KDC error once. */
static void
kerberos_failed(struct report *r)
{
	struct finding *fi = rules_add(r, FID_KERBEROS_FAILED, -1);
	size_t i, j;
	int pass, seen;

	for (pass = 0; fi && pass < 2; pass++) {
		for (i = 0; i < r->n_events; i++) {
			const struct event *ev = &r->events[i];

			if (pass == 0 && ((ev->type == EV_GSS_STATUS &&
			    ev->major != 0 && ev->major != 1) ||
			    (ev->type == EV_NOTE && ev->step >= 0 &&
			    ev->text[0] && strncmp(ev->source, "probe ticket",
			    12) == 0)))
				finding_add_evidence(fi, (int)i);
			if (pass == 0 || ev->type != EV_KRB_ERROR)
				continue;
			for (j = 0, seen = 0; j < i && !seen; j++)
				seen = r->events[j].type == EV_KRB_ERROR &&
				    r->events[j].code == ev->code &&
				    strcmp(r->events[j].realm, ev->realm) == 0;
			if (!seen)
				finding_add_evidence(fi, (int)i);
		}
	}
}

void
engine_run(struct report *r)
{
	struct facts f;

	rules_logs(r);
	rules_mp(r);
	rule_inputs(r);
	if (strcmp(r->command, "analyze") == 0) {
		exchange_run(r, engine_judge);
		clients_run(r);
		r->approved = report_errors(r) == 0 && r->basis == BASIS_JUDGED;
		report_sort_findings(r);
		return;
	}
	judge(r, &f);
	if (report_errors(r) == 0 && !f.authed_ok &&
	    strcmp(r->command, "probe") == 0)
		/* nothing failed loudly, yet the client never got in */
		kerberos_failed(r);
	r->approved = report_errors(r) == 0;
	report_sort_findings(r);
}

int
engine_exit_code(const struct report *r)
{
	if (r->basis != BASIS_JUDGED && report_errors(r) == 0)
		return 3;	/* the check could not be made */
	return r->approved ? 0 : 1;
}
