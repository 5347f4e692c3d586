/* common.c - running the probes in order, and what they share. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "crypto.h"
#include "error.h"
#include "gss.h"
#include "probe.h"
#include "privs.h"
#include "util.h"
#include <unistd.h>

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

static void
capture_note(struct probe_ctx *ctx, enum ev_type type, const char *text)
{
	struct event ev;

	event_init(&ev, type);
	strlcpy0(ev.text, text, sizeof(ev.text));
	strlcpy0(ev.source, "capture", sizeof(ev.source));
	report_add_event(ctx->report, &ev);
}

/* Open the capture while privileged, then give the privileges up. */
static void
capture_begin(struct probe_ctx *ctx)
{
	const struct probe_opts *o = ctx->opts;
	char filter[128], err[512];
	int fd, port = o->port ? o->port : (o->https ? 443 : 80);

	if (!o->capture)
		return;
	if (o->evidence_dir) {
		snprintf(ctx->cap_path, sizeof(ctx->cap_path),
		    "%s/capture.pcap", o->evidence_dir);
	} else {
		strlcpy0(ctx->cap_path, "/tmp/ccmdiag-capture-XXXXXX",
		    sizeof(ctx->cap_path));
		if ((fd = mkstemp(ctx->cap_path)) < 0) {
			ctx->cap_path[0] = '\0';
			capture_note(ctx, EV_CAPTURE, "no capture: cannot "
			    "create a temporary file");
			return;
		}
		close(fd);
	}
	snprintf(filter, sizeof(filter), "port 53 or port 88 or icmp or icmp6 "
	    "or tcp port %d",
	    port);
	if (capture_live_open(&ctx->cap, o->capture_iface, filter,
	    ctx->cap_path, err, sizeof(err)) != 0) {
		capture_note(ctx, EV_CAPTURE, err);
		if (!o->evidence_dir)
			unlink(ctx->cap_path);
		ctx->cap_path[0] = '\0';
		return;
	}
	if (privs_drop() != 0)
		capture_note(ctx, EV_NOTE, "could not drop privileges after "
		    "opening the capture");
	if (capture_live_start(ctx->cap, err, sizeof(err)) != 0) {
		capture_note(ctx, EV_CAPTURE, err);
		capture_live_stop(ctx->cap);
		ctx->cap = NULL;
	}
}

/* Once the MP's addresses are known, keep only its traffic, DNS and KDCs. */
static void
capture_narrow(struct probe_ctx *ctx)
{
	const struct probe_opts *o = ctx->opts;
	char filter[1024], err[256];
	int i, port = o->port ? o->port : (o->https ? 443 : 80);

	if (ctx->cap == NULL || ctx->n_addrs == 0)
		return;
	snprintf(filter, sizeof(filter), "port 53 or port 88 or icmp or icmp6 "
	    "or (tcp port %d "
	    "and (", port);
	for (i = 0; i < ctx->n_addrs; i++)
		strappendf(filter, sizeof(filter), "%shost %s", i ? " or " : "",
		    ctx->addrs[i]);
	strappendf(filter, sizeof(filter), "))");
	capture_live_filter(ctx->cap, filter, err, sizeof(err));
}

struct frame_times {
	double *t;
	size_t n, cap;
};

static void
on_frame(void *arg, const struct capture_pkt *pkt)
{
	struct frame_times *ft = arg;
	double *p;

	if (ft->n == ft->cap) {
		if (ft->cap >= 1000000)
			return;
		ft->cap = ft->cap ? ft->cap * 2 : 256;
		if ((p = realloc(ft->t, ft->cap * sizeof(*p))) == NULL) {
			ft->cap = ft->n;
			return;
		}
		ft->t = p;
	}
	ft->t[ft->n++] = pkt->t;
}

/* Name each step's frames by time: "frames 4-10". */
static void
link_frames(struct probe_ctx *ctx)
{
	struct frame_times ft = { NULL, 0, 0 };
	char err[256];
	size_t s, k;
	int cut;

	if (capture_read_file(ctx->cap_path, on_frame, &ft, &cut, err,
	    sizeof(err)) != 0)
		return;
	/* a frame belongs to the last step that had started when it was
	 * seen (the kernel stamps a packet as it passes, a few us late) */
	for (s = 0; s < ctx->report->n_steps; s++) {
		struct step *st = &ctx->report->steps[s];
		double from = st->start - 0.00005, to;
		long first = -1, last = -1;

		to = s + 1 < ctx->report->n_steps ?
		    ctx->report->steps[s + 1].start - 0.00005 : 1e300;
		for (k = 0; k < ft.n; k++) {
			if (ft.t[k] < from || ft.t[k] >= to)
				continue;
			if (first < 0)
				first = (long)k + 1;
			last = (long)k + 1;
		}
		if (first > 0 && first == last)
			snprintf(st->frames, sizeof(st->frames), "frame %ld",
			    first);
		else if (first > 0)
			snprintf(st->frames, sizeof(st->frames),
			    "frames %ld-%ld", first, last);
	}
	free(ft.t);
}

static void
capture_end(struct probe_ctx *ctx)
{
	char text[600];
	unsigned long n;

	if (ctx->cap == NULL)
		return;
	n = capture_live_stop(ctx->cap);
	ctx->cap = NULL;
	link_frames(ctx);
	if (ctx->opts->evidence_dir)
		snprintf(text, sizeof(text), "%lu packets captured on %s, "
		    "saved to %s", n, ctx->opts->capture_iface ?
		    ctx->opts->capture_iface : "all interfaces", ctx->cap_path);
	else
		snprintf(text, sizeof(text), "%lu packets captured on %s "
		    "(--evidence DIR keeps them)", n,
		    ctx->opts->capture_iface ? ctx->opts->capture_iface :
		    "all interfaces");
	capture_note(ctx, EV_NOTE, text);
	if (!ctx->opts->evidence_dir)
		unlink(ctx->cap_path);
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
	capture_begin(&ctx);
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
		if (i == 0)
			capture_narrow(&ctx);
	}
	capture_end(&ctx);
	strlcpy0(r->client, ctx.client_principal, sizeof(r->client));
	strlcpy0(r->client_realm, ctx.client_realm, sizeof(r->client_realm));
	strlcpy0(r->mp_realm, ctx.ticket_realm[0] ? ctx.ticket_realm :
	    ctx.mp_realm_guess, sizeof(r->mp_realm));
	strlcpy0(r->mp_name, ctx.canon[0] ? ctx.canon : opts->target,
	    sizeof(r->mp_name));
	probe_ctx_release(&ctx);
	return rc;
}
