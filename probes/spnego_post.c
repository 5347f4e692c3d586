/* spnego_post.c - probe: CCM_POST again with Authorization: Negotiate; on
 * 200 verify the MP's mutual-auth token, on 401 decode its KRB-ERROR and
 * try a HOST/<MP> ticket to learn whose key the MP lacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "gss.h"
#include "http_common.h"
#include "krb.h"
#include "spnego.h"
#include "tokev.h"
#include "util.h"

/* The MP's Negotiate token as events: negState, and its KRB-ERROR with the
 * MP's own clock when the MP says the times disagree. */
static void
reply_token(struct probe_ctx *ctx, const struct http_reply *rep,
    const char *sname)
{
	struct gss_tok tok;
	struct event reply, err, ev;
	int has_err;

	event_init(&reply, EV_SPNEGO_REPLY);
	event_init(&err, EV_KRB_ERROR);
	has_err = tokev_reply(rep->token, rep->token_len, sname, &reply, &err,
	    &tok);
	probe_event(ctx, &reply);
	if (!has_err)
		return;
	probe_event(ctx, &err);
	ctx->mp_krb_error = tok.krb.error_code;
	if (tok.krb.stime >= 0 && err.code == 37) {
		/* the MP's own clock, to the microsecond */
		event_init(&ev, EV_CLOCK);
		ev.from = ROLE_MP;
		ev.to = ROLE_MP;
		strlcpy0(ev.name, ctx->canon, sizeof(ev.name));
		ev.offset = (double)tok.krb.stime + (tok.krb.susec >= 0 ?
		    tok.krb.susec / 1e6 : 0.5) - (rep->t_sent + rep->t_recv) / 2;
		ev.uncertainty = (rep->t_recv - rep->t_sent) / 2 + 0.5;
		snprintf(ev.text, sizeof(ev.text), "from the stime of the MP's "
		    "KRB-ERROR");
		probe_event(ctx, &ev);
	}
}

/* One authenticated CCM_POST with token; returns the HTTP status or -1. */
static long
post_token(struct probe_ctx *ctx, const uint8_t *token, size_t len,
    const char *sname)
{
	struct http_reply rep;
	struct event st;
	char *b64;
	long status = -1;

	if ((b64 = crypto_b64encode(token, len)) == NULL)
		return -1;
	if (ccm_post(ctx, b64, sname, &rep) >= 0 && rep.transport_ok) {
		status = rep.status;
		if (rep.token)
			reply_token(ctx, &rep, sname);
		if (rep.token && (status == 200 || status == 401)) {
			krbs_reply(ctx->krb, rep.token, rep.token_len, &st);
			probe_event(ctx, &st);
		}
	}
	crypto_freezero(b64, strlen(b64));
	http_reply_release(&rep);
	return status;
}

static int
spnego_post_run(struct probe_ctx *ctx)
{
	char sname[300], realm[128];
	uint8_t *host_tok = NULL;
	size_t host_len = 0;
	struct event st;
	long status, host_status;

	if (!ctx->mp_reached || !ctx->ticket_ok) {
		probe_step_done(ctx, STEP_SKIPPED, "%s", !ctx->mp_reached ?
		    "the MP was not reached" : "no ticket for the MP");
		return 0;
	}
	snprintf(sname, sizeof(sname), "HTTP/%s", ctx->canon);
	ctx->mp_krb_error = -1;
	status = post_token(ctx, ctx->token, ctx->token_len, sname);
	if (status == 401 && (ctx->mp_krb_error == 37 ||
	    ctx->mp_krb_error == 32 || ctx->mp_krb_error == 33)) {
		/* a clock problem, not a key problem: HOST would say the same */
		probe_step_done(ctx, STEP_FAILED, "HTTP 401: the MP reports "
		    "KRB-ERROR %d (time)", ctx->mp_krb_error);
		return 0;
	}
	if (status != 401) {
		probe_step_done(ctx, status == 200 ? STEP_OK : STEP_FAILED,
		    "HTTP %ld with the HTTP/%s ticket", status, ctx->canon);
		return 0;
	}
	/* Rejected: does the MP accept a ticket for its HOST SPN? */
	krbs_set_timeout(ctx->krb, probe_remaining(ctx) / 2);
	if (krbs_service_ticket(ctx->krb, "host", ctx->canon, realm,
	    sizeof(realm)) != 0 || krbs_token(ctx->krb, "host", ctx->canon,
	    &host_tok, &host_len, &st) != 0) {
		probe_step_done(ctx, STEP_FAILED, "HTTP 401 with the HTTP "
		    "ticket; no HOST ticket to compare");
		return 0;
	}
	snprintf(sname, sizeof(sname), "host/%s", ctx->canon);
	host_status = post_token(ctx, host_tok, host_len, sname);
	crypto_freezero(host_tok, host_len);
	probe_step_done(ctx, STEP_FAILED, "HTTP 401 with the HTTP ticket, "
	    "HTTP %ld with the HOST ticket", host_status);
	return 0;
}

const struct probe probe_spnego_post = {
	.name = "spnego-post",
	.summary = "CCM_POST with Negotiate; verify the MP's reply",
	.run = spnego_post_run,
};
