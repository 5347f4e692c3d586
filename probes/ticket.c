/* ticket.c - probe: a Kerberos ticket for HTTP/<MP> as the Windows client
 * asks for it: the canonical (CNAME-followed) name, never the PTR name,
 * the realm found by referrals only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "gss.h"
#include "probe.h"
#include "spnego.h"
#include "util.h"

/* MIT's message for the KDC's last KRB-ERROR code into that event's text;
 * 1 when there was one. */
static int
cite_krb_error(struct probe_ctx *ctx, int code, const char *what,
    const char *msg)
{
	struct report *r = ctx->report;
	size_t i;

	for (i = r->n_events; i > 0; i--) {
		struct event *ev = &r->events[i - 1];

		if (ev->step != ctx->step)
			break;
		if (ev->type == EV_KRB_ERROR && ev->code == code &&
		    !ev->text[0]) {
			snprintf(ev->text, sizeof(ev->text), "%s: %s", what,
			    msg);
			return 1;
		}
	}
	return 0;
}

/* The library call was left blocked at the deadline: in glibc's resolver
 * (finding the KDCs), or elsewhere. */
static void
krb_hung(struct probe_ctx *ctx, int in_dns, const char *realm,
    const char *why)
{
	struct event ev;

	event_init(&ev, in_dns ? EV_CONNECT_FAIL : EV_NOTE);
	ev.from = ROLE_CLIENT;
	ev.to = in_dns ? ROLE_DNS : ROLE_KDC;
	ev.status = CONN_TIMEOUT;
	ev.flags |= EVF_DEADLINE;
	strlcpy0(ev.realm, realm, sizeof(ev.realm));
	snprintf(ev.name, sizeof(ev.name), "the KDCs of %s", realm);
	strlcpy0(ev.text, why, sizeof(ev.text));
	probe_event(ctx, &ev);
	ctx->kdc_down = 1;
	if (in_dns)
		ctx->dns_silent = 1;
	probe_out_of_time(ctx, ctx->krb_wait);
}

/* Turn a failed library call into the event that names its class. */
static void
krb_failure(struct probe_ctx *ctx, long code, const char *what)
{
	struct event ev;
	char msg[400], realm[128];
	int hung;

	if ((hung = krbs_hung(ctx->krb, realm, sizeof(realm), msg,
	    sizeof(msg))) != 0) {
		krb_hung(ctx, hung == 2, realm, msg);
		return;
	}
	krbs_message(ctx->krb, code, msg, sizeof(msg));
	switch (krbs_classify(code)) {
	case KRBS_KDC_UNREACH:
		/* the transport recorded which KDCs failed, and how */
		event_init(&ev, EV_NOTE);
		ctx->kdc_down = 1;
		probe_out_of_time(ctx, ctx->krb_wait);
		break;
	case KRBS_REALM_UNKNOWN:
		event_init(&ev, EV_REALM_UNKNOWN);
		break;
	case KRBS_NO_CREDS:
		event_init(&ev, EV_NO_CREDENTIALS);
		break;
	case KRBS_SKEW:
		event_init(&ev, EV_KRB_ERROR);
		ev.code = 37;
		break;
	case KRBS_KDC_ERROR:
		/* the trace recorded the KDC's KRB-ERROR: MIT's own words
		 * for it go with it, so the finding it raises cites them */
		if (cite_krb_error(ctx, krbs_rfc_code(code), what, msg))
			return;
		event_init(&ev, EV_NOTE);
		break;
	default:
		event_init(&ev, EV_GSS_STATUS);
		strlcpy0(ev.name, what, sizeof(ev.name));
		ev.major = 0x000d0000;	/* GSS_S_FAILURE: the library failed */
		ev.minor = (unsigned long)(uint32_t)(int32_t)code;
		ev.code = krbs_rfc_code(code);
		break;
	}
	ev.from = ROLE_CLIENT;
	strlcpy0(ev.realm, ctx->client_realm, sizeof(ev.realm));
	snprintf(ev.text, sizeof(ev.text), "%s: %s", what, msg);
	probe_event(ctx, &ev);
}

/* Record the ticket the AP-REQ carries: realm, service, etype, kvno. */
static void
ticket_event(struct probe_ctx *ctx)
{
	struct gss_tok tok;
	struct event ev;

	if (gss_tok_decode(ctx->token, ctx->token_len, &tok) != 0 ||
	    tok.krb_tok_id != 0x0100 || !tok.krb.has_ticket)
		return;
	event_init(&ev, EV_TICKET);
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_MP;
	strlcpy0(ev.name, tok.krb.tkt_sname.text, sizeof(ev.name));
	strlcpy0(ev.realm, tok.krb.tkt_realm, sizeof(ev.realm));
	ev.etype = tok.krb.tkt_etype;
	ev.kvno = tok.krb.tkt_kvno;
	probe_event(ctx, &ev);
	/* a referral-realm request names no realm: the ticket does */
	strlcpy0(ctx->ticket_realm, tok.krb.tkt_realm,
	    sizeof(ctx->ticket_realm));
}

/* Who the client acts as: the MP will see the machine account. */
static void
identity_event(struct probe_ctx *ctx)
{
	const char *p = ctx->client_principal;
	size_t n = strcspn(p, "@");
	struct event ev;

	event_init(&ev, EV_IDENTITY);
	ev.from = ROLE_CLIENT;
	strlcpy0(ev.name, p, sizeof(ev.name));
	strlcpy0(ev.realm, ctx->client_realm, sizeof(ev.realm));
	ev.status = (n > 1 && p[n - 1] == '$' && memchr(p, '/', n) == NULL) ||
	    strncasecmp(p, "host/", 5) == 0;
	snprintf(ev.value, sizeof(ev.value), "%s", ctx->opts->keytab ?
	    "keytab" : "credential cache");
	probe_event(ctx, &ev);
}

static int
ticket_run(struct probe_ctx *ctx)
{
	const struct probe_opts *o = ctx->opts;
	struct event st;
	char what[300], cfg[1][256];
	long code;

	if (!ctx->have_creds) {
		event_init(&st, EV_NO_CREDENTIALS);
		snprintf(st.text, sizeof(st.text), "the client principal could "
		    "not be read from the %s", o->keytab ? "keytab" :
		    "credential cache");
		probe_event(ctx, &st);
		probe_step_done(ctx, STEP_FAILED, "no credentials");
		return 0;
	}
	if (ctx->name_is_address) {
		probe_step_done(ctx, STEP_SKIPPED, "no SPN can name %s: a "
		    "Windows client gets no Kerberos ticket for it",
		    ctx->opts->target);
		return 0;
	}
	if (ctx->kdc_down) {
		probe_step_done(ctx, STEP_SKIPPED, "the client's KDC did not "
		    "answer");
		return 0;
	}
	if (ctx->dns_silent && krbs_config_kdcs(ctx->krb, ctx->client_realm,
	    cfg, 1) == 0) {
		probe_step_done(ctx, STEP_SKIPPED, "the DNS servers did not "
		    "answer: the KDCs of %s cannot be located",
		    ctx->client_realm);
		return 0;
	}
	ctx->krb_wait = probe_remaining(ctx) / 2;
	krbs_set_timeout(ctx->krb, ctx->krb_wait);
	code = krbs_creds(ctx->krb, o->keytab, o->principal,
	    ctx->client_principal, sizeof(ctx->client_principal),
	    ctx->client_realm, sizeof(ctx->client_realm));
	if (code != 0) {
		krb_failure(ctx, code, o->keytab ? "initial ticket from the "
		    "keytab" : "reading the credential cache");
		probe_step_done(ctx, STEP_FAILED, "no TGT for %s",
		    ctx->client_principal);
		return 0;
	}
	identity_event(ctx);
	ctx->krb_wait = probe_remaining(ctx) / 2;
	krbs_set_timeout(ctx->krb, ctx->krb_wait);
	code = krbs_service_ticket(ctx->krb, "HTTP", ctx->canon,
	    ctx->ticket_realm, sizeof(ctx->ticket_realm));
	if (code != 0) {
		snprintf(what, sizeof(what), "ticket for HTTP/%s", ctx->canon);
		krb_failure(ctx, code, what);
		probe_step_done(ctx, STEP_FAILED, "no ticket for HTTP/%s",
		    ctx->canon);
		return 0;
	}
	if (krbs_token(ctx->krb, "HTTP", ctx->canon, &ctx->token,
	    &ctx->token_len, &st) != 0) {
		probe_event(ctx, &st);
		probe_step_done(ctx, STEP_FAILED, "GSS-API could not build the "
		    "Negotiate token");
		return 0;
	}
	ctx->ticket_ok = 1;
	ticket_event(ctx);
	probe_step_done(ctx, STEP_OK, "ticket for HTTP/%s@%s", ctx->canon,
	    ctx->ticket_realm);
	return 0;
}

const struct probe probe_ticket = {
	.name = "ticket",
	.summary = "Kerberos ticket for HTTP/<mp> through referrals",
	.run = ticket_run,
};
