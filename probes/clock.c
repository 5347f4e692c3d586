/* clock.c - probe: the KDC's clock without credentials.  An AS-REQ without
 * pre-authentication, sent as the client would (src/kdc.c: the KDCs and
 * ports krb5.conf or the SRV records name, UDP then TCP), is answered by
 * KRB-ERROR 25 carrying the KDC's stime and susec; the offset is measured
 * against the midpoint of the exchange that answered. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "gss.h"
#include "kdc.h"
#include "krb.h"
#include "probe.h"
#include "proto.h"
#include "util.h"

#define CLOCK_WAIT 5.0		/* seconds at most for the KDCs' answer */

static void
on_event(void *arg, struct event *ev)
{
	probe_event(arg, ev);
}

static void
measure(struct probe_ctx *ctx)
{
	struct kdc_list l;
	struct kdc_exchange x;
	uint8_t *req = NULL, *buf = NULL;
	struct krb_msg msg;
	struct event ev;
	const struct kdc_server *kdc;
	double t0, t1, wait, deadline;
	size_t len = 0, n = 0;
	int r;
	long code;

	if (!ctx->have_creds || !ctx->client_realm[0]) {
		probe_step_done(ctx, STEP_SKIPPED, "no client principal");
		return;
	}
	if (ctx->dns_silent) {
		probe_step_done(ctx, STEP_SKIPPED, "the DNS servers did not "
		    "answer: the KDCs of %s cannot be located",
		    ctx->client_realm);
		return;
	}
	/* the KDCs as the client finds them, on their own ports */
	wait = probe_remaining(ctx) / 2;
	if (wait > CLOCK_WAIT)
		wait = CLOCK_WAIT;
	deadline = now_mono() + wait;
	krbs_set_timeout(ctx->krb, wait);
	if (krbs_locate(ctx->krb, ctx->client_realm, &l) != 0) {
		probe_step_done(ctx, STEP_SKIPPED, "no KDC address for %s: %s",
		    ctx->client_realm, l.why);
		return;
	}
	for (r = 0; r < l.n; r++)
		probe_capture_kdc_port(ctx, l.s[r].port);
	if ((code = krbs_as_req(ctx->krb, &req, &len)) != 0) {
		char why[300];

		krbs_message(ctx->krb, code, why, sizeof(why));
		probe_step_done(ctx, STEP_SKIPPED, "cannot build an AS-REQ: %s",
		    why);
		return;
	}
	t0 = now_real();
	r = kdc_send(&l, req, len, deadline, &buf, &n, &x);
	t1 = now_real();
	free(req);
	kdc_events(&l, &x, on_event, ctx);
	if (r != 0) {
		if (x.at_deadline)
			probe_out_of_time(ctx, wait);
		ctx->kdc_down = 1;
		probe_step_done(ctx, STEP_FAILED, "no KDC of %s answered: %s",
		    ctx->client_realm, r == ERR_REFUSED ? "every one refused "
		    "the request" : r == ERR_MALFORMED ? "what came back is no "
		    "Kerberos reply" : "no reply in the time allowed");
		return;
	}
	kdc = &x.a[x.answered].server;
	/* the reply's own exchange, not the failures before it */
	t0 = t1 - x.a[x.answered].res.elapsed;
	if (krb_decode(buf, n, &msg) != 0 || msg.msg_type != 30 ||
	    msg.stime < 0) {
		free(buf);
		probe_step_done(ctx, STEP_SKIPPED, "the KDC's answer carries "
		    "no server time (%s)", msg.msg_type == 11 ? "AS-REP "
		    "without pre-authentication" : "undecodable");
		return;
	}
	free(buf);
	event_init(&ev, EV_KRB_ERROR);
	ev.from = ROLE_KDC;
	ev.to = ROLE_CLIENT;
	ev.code = msg.error_code;
	ev.stime = msg.stime;
	ev.port = kdc->port;
	strlcpy0(ev.realm, msg.realm, sizeof(ev.realm));
	strlcpy0(ev.name, msg.sname.text, sizeof(ev.name));
	strlcpy0(ev.peer, kdc->addr, sizeof(ev.peer));
	probe_event(ctx, &ev);

	event_init(&ev, EV_CLOCK);
	ev.from = ROLE_KDC;
	ev.to = ROLE_KDC;
	snprintf(ev.name, sizeof(ev.name), "%s", kdc->addr);
	strlcpy0(ev.realm, ctx->client_realm, sizeof(ev.realm));
	ev.offset = (double)msg.stime + (msg.susec >= 0 ? msg.susec / 1e6 :
	    0.5) - (t0 + t1) / 2;
	ev.uncertainty = (t1 - t0) / 2 + (msg.susec >= 0 ? 0 : 0.5);
	snprintf(ev.text, sizeof(ev.text), "from the stime of KRB-ERROR %d "
	    "to an AS-REQ without pre-authentication (%s port %d)",
	    msg.error_code, netx_proto_name(kdc->proto), kdc->port);
	probe_event(ctx, &ev);
	if (fabs(ev.offset) - ev.uncertainty > KRB_CLOCK_SKEW)
		probe_step_done(ctx, STEP_FAILED, "KDC %s clock %+.1f s from "
		    "ours: beyond Kerberos' %.0f-minute tolerance", kdc->addr,
		    ev.offset, KRB_CLOCK_SKEW / 60);
	else
		probe_step_done(ctx, STEP_OK, "KDC %s:%d clock %+.1f s from "
		    "ours", kdc->addr, kdc->port, fabs(ev.offset) < 0.05 ? 0 :
		    ev.offset);
	return;
}

/* In a run, a client's KDC is asked for its clock once (probe_memo). */
static int
clock_run(struct probe_ctx *ctx)
{
	struct probe_memo *m = ctx->opts->shared ? ctx->opts->shared->clock :
	    NULL;
	size_t first = ctx->report->n_events;

	if (m && probe_memo_take(ctx, m))
		return 0;
	measure(ctx);
	if (m)
		probe_memo_keep(ctx, m, first);
	return 0;
}

const struct probe probe_clock = {
	.name = "clock",
	.summary = "client-KDC offset from an unauthenticated AS exchange",
	.run = clock_run,
};
