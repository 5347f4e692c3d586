/* common.c - running the probes in order, and what they share. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "gss.h"
#include "probe.h"
#include "util.h"

double
probe_remaining(const struct probe_ctx *ctx)
{
	double left = ctx->deadline - now_mono();

	return left > 0 ? left : 0;
}

int
probe_event(struct probe_ctx *ctx, struct event *ev)
{
	ev->step = ctx->step;
	if (ev->source[0] == '\0' && ctx->step >= 0)
		snprintf(ev->source, sizeof(ev->source), "probe %s",
		    ctx->report->steps[ctx->step].name);
	return report_add_event(ctx->report, ev);
}

void
probe_step_done(struct probe_ctx *ctx, enum step_status st, const char *fmt,
    ...)
{
	struct step *s = &ctx->report->steps[ctx->step];
	va_list ap;

	s->status = st;
	s->elapsed = now_real() - s->start;
	va_start(ap, fmt);
	vsnprintf(s->summary, sizeof(s->summary), fmt, ap);
	va_end(ap);
}

static void
on_krb_event(void *arg, struct event *ev)
{
	probe_event(arg, ev);
}

void
probe_ctx_release(struct probe_ctx *ctx)
{
	krbs_close(ctx->krb);
	ctx->krb = NULL;
	crypto_freezero(ctx->token, ctx->token_len);
	ctx->token = NULL;
	ctx->token_len = 0;
}

int
probe_run_all(const struct probe_opts *opts, struct report *r)
{
	struct probe_ctx ctx;
	int i, rc = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.opts = opts;
	ctx.report = r;
	ctx.step = -1;
	ctx.deadline = now_mono() + opts->timeout;
	ctx.mp_date_offset = -1e9;
	if (krbs_open(&ctx.krb, opts->timeout / 2, on_krb_event, &ctx) != 0) {
		fprintf(stderr, "ccmdiag: cannot set up Kerberos (temporary "
		    "configuration in /tmp)\n");
		return 3;
	}
	if (krbs_peek_client(ctx.krb, opts->principal, ctx.client_principal,
	    sizeof(ctx.client_principal), ctx.client_realm,
	    sizeof(ctx.client_realm)) == 0)
		ctx.have_creds = 1;
	for (i = 0; probes[i]; i++) {
		if ((ctx.step = report_add_step(r, probes[i]->name)) < 0) {
			rc = 3;
			break;
		}
		if (probes[i]->run(&ctx) != 0) {
			rc = 3;
			break;
		}
		r->steps[ctx.step].elapsed = now_real() -
		    r->steps[ctx.step].start;
	}
	strlcpy0(r->client, ctx.client_principal, sizeof(r->client));
	strlcpy0(r->client_realm, ctx.client_realm, sizeof(r->client_realm));
	strlcpy0(r->mp_realm, ctx.ticket_realm[0] ? ctx.ticket_realm :
	    ctx.mp_realm_guess, sizeof(r->mp_realm));
	strlcpy0(r->mp_name, ctx.canon[0] ? ctx.canon : opts->target,
	    sizeof(r->mp_name));
	probe_ctx_release(&ctx);
	return rc;
}
