/*
 * rules_mp.c - findings from what `register` and `mp-info` recorded: the
 * registration reply (its framing, its signature, the Status the
 * registration ended on), a refused TLS handshake, and the MP's anonymous
 * .sms_aut answers (certificates, SSLState, MPLIST 500 beside MPCERT 200).
 */
#include <string.h>

#include "rules.h"

static void
rule_reply(struct report *r, size_t i)
{
	static const enum finding_id problem[] = {
		[REG_REPLY_RESPONSE] = FID__COUNT,
		[REG_REPLY_TOO_LARGE] = FID_REGISTRATION_REPLY_TOO_LARGE,
		[REG_REPLY_TRUNCATED] = FID_REGISTRATION_REPLY_TRUNCATED,
		[REG_REPLY_EMPTY] = FID_REGISTRATION_REPLY_EMPTY,
		[REG_REPLY_HTML] = FID_REGISTRATION_REPLY_HTML,
		[REG_REPLY_NOT_MULTIPART] = FID_REGISTRATION_REPLY_INVALID,
		[REG_REPLY_BAD_ZLIB] = FID_REGISTRATION_REPLY_BAD_ZLIB,
		[REG_REPLY_BAD_UTF16] = FID_REGISTRATION_REPLY_BAD_UTF16,
		[REG_REPLY_BAD_PAYLOAD] = FID_REGISTRATION_REPLY_INVALID,
	};
	const struct ev_reg *g = &r->events[i].reg;
	enum finding_id id;

	if ((size_t)g->reply >= sizeof(problem) / sizeof(problem[0]))
		return;
	if (g->reply != REG_REPLY_RESPONSE) {
		(void)rules_add(r, problem[g->reply], (int)i);
		return;
	}
	/* a Pending that was confirmed is a step, not an outcome */
	if (!g->final)
		return;
	switch (g->status) {
	case 0:			/* Registered */
		id = g->approval == 1 || g->approval == 2 ?
		    FID_REGISTRATION_APPROVED : FID_REGISTRATION_UNAPPROVED;
		break;
	case 1:			/* Pending until the time ran out */
		id = g->smsid_valid ? FID_REGISTRATION_PENDING :
		    FID_REGISTRATION_REPLY_INVALID;
		break;
	case 2:
		id = FID_REGISTRATION_RESET;
		break;
	case 4:
		id = FID_REGISTRATION_CERT_CONFLICT;
		break;
	default:
		id = FID_REGISTRATION_REJECTED;
		break;
	}
	(void)rules_add(r, id, (int)i);
}

static void
rule_signature(struct report *r, size_t i)
{
	const struct ev_reg *g = &r->events[i].reg;

	switch (g->signature) {
	case REG_SIG_UNSIGNED:
		/* only a client that holds the MP's certificates drops it */
		if (g->trusted)
			(void)rules_add(r, FID_REGISTRATION_REPLY_UNSIGNED,
			    (int)i);
		break;
	case REG_SIG_VERIFIED:
		(void)rules_add(r, FID_REGISTRATION_REPLY_VERIFIED, (int)i);
		break;
	case REG_SIG_BAD:
		(void)rules_add(r, FID_REGISTRATION_REPLY_BAD_SIGNATURE,
		    (int)i);
		break;
	default:
		break;
	}
}

static void
rule_tls(struct report *r, size_t i)
{
	static const enum finding_id ids[] = {
		[TLS_FAIL_NONE] = FID__COUNT,
		[TLS_FAIL_CLIENT_CERT_REJECTED] = FID_MP_CLIENT_CERT_REJECTED,
		[TLS_FAIL_CLIENT_CERT_REVOKED] = FID_CLIENT_CERT_REVOKED,
		[TLS_FAIL_SERVER_CERT_REVOKED] = FID_MP_CERT_REVOKED,
		[TLS_FAIL_CRL_UNUSABLE] = FID_MP_CRL_UNUSABLE,
	};
	enum tls_failure t = r->events[i].tls;

	if ((size_t)t < sizeof(ids) / sizeof(ids[0]) && ids[t] != FID__COUNT)
		(void)rules_add(r, ids[t], (int)i);
}

/* A certificate the MP handed out, outside its validity when it came. */
static void
rule_mp_cert(struct report *r, size_t i)
{
	const struct event *ev = &r->events[i];

	if ((ev->cert.not_after >= 0 && ev->t > ev->cert.not_after) ||
	    (ev->cert.not_before >= 0 && ev->t < ev->cert.not_before))
		(void)rules_add(r, FID_MP_CERT_EXPIRED, (int)i);
}

static void
rule_ssl_state(struct report *r, size_t i)
{
	if (r->events[i].mp.ssl_state >= 0 && (r->events[i].mp.ssl_state & 1))
		(void)rules_add(r, FID_MP_HTTPS_ONLY, (int)i);
}

/* The first answer to verb, or -1. */
static int
answer(const struct report *r, const char *verb)
{
	size_t i;

	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == EV_MP_QUERY &&
		    strcmp(r->events[i].name, verb) == 0)
			return (int)i;
	return -1;
}

/*
 * What the .sms_aut answers say together: MPLIST failing with 500 while
 * MPCERT answers means the MP cannot reach the site database
 * (ccm-protocol.md §2.3); other 5xx and 403 speak for themselves; answers
 * that came but none as XML, with nothing else to say why, mean getauth.dll
 * is not there.
 */
static void
rule_mp_answers(struct report *r)
{
	struct finding *f;
	size_t i;
	int list = answer(r, "MPLIST"), cert = answer(r, "MPCERT");
	int site_db, xml = 0, errors = 0;

	site_db = list >= 0 && r->events[list].status >= 500 && cert >= 0 &&
	    r->events[cert].status == 200;
	if (site_db && (f = rules_add(r, FID_MP_SITE_DB_UNREACHABLE, list)))
		finding_add_evidence(f, cert);
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type != EV_MP_QUERY)
			continue;
		xml += ev->mp.xml;
		if (ev->status >= 500 && !(site_db && (int)i == list))
			(void)rules_add(r, FID_MP_SERVER_ERROR, (int)i);
		else if (ev->status == 403)
			(void)rules_add(r, FID_MP_FORBIDDEN, (int)i);
	}
	if (xml > 0)
		return;
	for (i = 0; i < r->n_findings; i++)
		if (finding_severity(r->findings[i].id) == SEV_ERROR)
			errors++;
	if (errors > 0)
		return;
	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == EV_MP_QUERY &&
		    r->events[i].status >= 0)
			(void)rules_add(r, FID_MP_GETAUTH_UNAVAILABLE, (int)i);
}

void
rules_mp(struct report *r)
{
	size_t i;

	for (i = 0; i < r->n_events; i++) {
		switch (r->events[i].type) {
		case EV_REG_REPLY:
			rule_reply(r, i);
			break;
		case EV_REG_SIGNATURE:
			rule_signature(r, i);
			break;
		case EV_TLS_FAILURE:
			rule_tls(r, i);
			break;
		case EV_MP_CERT:
			rule_mp_cert(r, i);
			break;
		case EV_MP_SSL_STATE:
			rule_ssl_state(r, i);
			break;
		default:
			break;
		}
	}
	rule_mp_answers(r);
}
