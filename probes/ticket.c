/* ticket.c - probe: a Kerberos ticket for HTTP/<MP> as the Windows client
 * asks for it: the canonical (CNAME-followed) name, never the PTR name,
 * the realm found by referrals only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "gss.h"
#include "probe.h"
#include "spnego.h"
#include "util.h"

/* Turn a failed library call into the event that names its class. */
static void
krb_failure(struct probe_ctx *ctx, long code, const char *what)
{
	struct event ev;
	char msg[256];

	krbs_message(ctx->krb, code, msg, sizeof(msg));
	switch (krbs_classify(code)) {
	case KRBS_KDC_UNREACH:
		event_init(&ev, EV_KDC_UNREACHABLE);
		ctx->kdc_down = 1;
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
		/* the trace already recorded the KDC's KRB-ERROR */
		event_init(&ev, EV_NOTE);
		break;
	default:
		event_init(&ev, EV_GSS_STATUS);
		strlcpy0(ev.name, what, sizeof(ev.name));
		ev.minor = (unsigned long)code;
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

static int
ticket_run(struct probe_ctx *ctx)
{
	const struct probe_opts *o = ctx->opts;
	struct event st;
	long code;

	if (!ctx->have_creds) {
		event_init(&st, EV_NO_CREDENTIALS);
		snprintf(st.text, sizeof(st.text), "no credential cache and "
		    "no --keytab/--principal: nothing to authenticate with");
		probe_event(ctx, &st);
		probe_step_done(ctx, STEP_FAILED, "no credentials");
		return 0;
	}
	if (ctx->kdc_down) {
		probe_step_done(ctx, STEP_SKIPPED, "the client's KDC did not "
		    "answer");
		return 0;
	}
	krbs_set_timeout(ctx->krb, probe_remaining(ctx) / 2);
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
	krbs_set_timeout(ctx->krb, probe_remaining(ctx) / 2);
	code = krbs_service_ticket(ctx->krb, "HTTP", ctx->canon,
	    ctx->ticket_realm, sizeof(ctx->ticket_realm));
	if (code != 0) {
		krb_failure(ctx, code, "ticket for HTTP/<mp>");
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
