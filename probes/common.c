/* common.c - running the probes in order, and what they share. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "crypto.h"
#include "pcapng.h"
#include "error.h"
#include "gss.h"
#include "http.h"
#include "probe.h"
#include "privs.h"
#include "resolver.h"
#include "util.h"
#include <unistd.h>

double
probe_remaining(const struct probe_ctx *ctx)
{
	double left = ctx->deadline - now_mono();

	return left > 0 ? left : 0;
}

int
probe_out_of_time(struct probe_ctx *ctx, double allowed)
{
	if (allowed >= PROBE_MIN_WAIT)
		return 0;
	if (!ctx->short_step[0] && ctx->step >= 0) {
		strlcpy0(ctx->short_step, ctx->report->steps[ctx->step].name,
		    sizeof(ctx->short_step));
		ctx->short_wait = allowed;
	}
	return 1;
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

/* DNS, the KDCs' ports (88 and any other krb5.conf or SRV named), ICMP;
 * the MP's port, on its addresses once they are known. */
static void
capture_filter(const struct probe_ctx *ctx, char *buf, size_t n)
{
	const struct probe_opts *o = ctx->opts;
	int i, port = o->port ? o->port : (o->https ? 443 : 80);

	snprintf(buf, n, "port 53 or port 88 or icmp or icmp6");
	for (i = 0; i < ctx->n_kdc_ports; i++)
		strappendf(buf, n, " or port %d", ctx->kdc_ports[i]);
	strappendf(buf, n, " or (tcp port %d", port);
	for (i = 0; i < ctx->n_addrs; i++)
		strappendf(buf, n, "%shost %s", i ? " or " : " and (",
		    ctx->addrs[i]);
	strappendf(buf, n, "%s)", ctx->n_addrs ? ")" : "");
}

void
probe_capture_kdc_port(struct probe_ctx *ctx, int port)
{
	char filter[1200], err[256];
	int i;

	if (port == 88 || ctx->n_kdc_ports >= PROBE_MAX_ADDR)
		return;
	for (i = 0; i < ctx->n_kdc_ports; i++)
		if (ctx->kdc_ports[i] == port)
			return;
	ctx->kdc_ports[ctx->n_kdc_ports++] = port;
	if (ctx->cap == NULL)
		return;
	capture_filter(ctx, filter, sizeof(filter));
	capture_live_filter(ctx->cap, filter, err, sizeof(err));
}

/* Open the capture while privileged, then give the privileges up. */
static void
capture_begin(struct probe_ctx *ctx)
{
	const struct probe_opts *o = ctx->opts;
	char filter[1200], err[512];
	int fd;

	if (!o->capture)
		return;
	/* the raw capture; --evidence gets it as annotated pcapng */
	snprintf(ctx->cap_path, sizeof(ctx->cap_path), "%s/.ccmdiag-capture-"
	    "XXXXXX", o->evidence_dir ? o->evidence_dir : tmp_dir());
	if ((fd = mkstemp(ctx->cap_path)) < 0) {
		ctx->cap_path[0] = '\0';
		capture_note(ctx, EV_CAPTURE, "no capture: cannot create a "
		    "temporary file");
		return;
	}
	close(fd);
	privs_tmp_add(ctx->cap_path);
	capture_filter(ctx, filter, sizeof(filter));
	if (capture_live_open(&ctx->cap, o->capture_iface, filter,
	    ctx->cap_path, err, sizeof(err)) != 0) {
		capture_note(ctx, EV_CAPTURE, err);
		unlink(ctx->cap_path);
		privs_tmp_forget(ctx->cap_path);
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
	char filter[1200], err[256];

	if (ctx->cap == NULL || ctx->n_addrs == 0)
		return;
	capture_filter(ctx, filter, sizeof(filter));
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

/*
 * The step a packet stamped t belongs to: the last one that had started
 * (the kernel stamps a packet as it passes, a few us late); -1 before any.
 */
static int
step_of(const struct report *r, double t)
{
	int s;

	for (s = (int)r->n_steps - 1; s >= 0; s--)
		if (t >= r->steps[s].start - 0.00005)
			return s;
	return -1;
}

/* Name each step's frames by time: "frames 4-10". */
static void
link_frames(struct probe_ctx *ctx)
{
	struct frame_times ft = { NULL, 0, 0 };
	struct report *r = ctx->report;
	char err[256];
	long first[64], last[64];
	size_t k, s;
	int cut, st;

	if (capture_read_file(ctx->cap_path, on_frame, &ft, &cut, err,
	    sizeof(err)) != 0)
		return;
	for (s = 0; s < 64; s++)
		first[s] = last[s] = -1;
	for (k = 0; k < ft.n; k++) {
		if ((st = step_of(r, ft.t[k])) < 0 || st >= 64)
			continue;
		if (first[st] < 0)
			first[st] = (long)k + 1;
		last[st] = (long)k + 1;
	}
	for (s = 0; s < r->n_steps && s < 64; s++) {
		if (first[s] > 0 && first[s] == last[s])
			snprintf(r->steps[s].frames, sizeof(r->steps[s].frames),
			    "frame %ld", first[s]);
		else if (first[s] > 0)
			snprintf(r->steps[s].frames, sizeof(r->steps[s].frames),
			    "frames %ld-%ld", first[s], last[s]);
	}
	free(ft.t);
}

struct annotate {
	struct pcapng_writer *w;
	const struct report *r;
	int last_step, err;
};

/* Copy one frame to the pcapng file; the first frame of each step says
 * which step sent it, so Wireshark shows the ladder's rungs. */
static void
on_annotate(void *arg, const struct capture_pkt *pkt)
{
	struct annotate *a = arg;
	char comment[400];
	int st = step_of(a->r, pkt->t);

	comment[0] = '\0';
	if (st >= 0 && st != a->last_step) {
		snprintf(comment, sizeof(comment), "ccmdiag step %s: %s",
		    a->r->steps[st].name, a->r->steps[st].summary);
		a->last_step = st;
	}
	if (pcapng_write(a->w, pkt->t, pkt->data, pkt->caplen, pkt->len,
	    comment[0] ? comment : NULL) != 0)
		a->err = 1;
}

/* DIR/capture.pcapng from the raw capture; 0 or an ERR_ code. */
static int
write_evidence_capture(struct probe_ctx *ctx, char *path, size_t n)
{
	struct annotate a = { NULL, ctx->report, -1, 0 };
	char err[256], app[128];
	int cut, r, linktype = -1;
	FILE *f;
	uint8_t hdr[24];

	snprintf(path, n, "%s/capture.pcapng", ctx->opts->evidence_dir);
	/* the link type of the raw pcap: its header's last field */
	if ((f = fopen(ctx->cap_path, "rb")) == NULL)
		return ERR_IO;
	if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr))
		linktype = hdr[20] | hdr[21] << 8;
	fclose(f);
	if (linktype < 0)
		return ERR_IO;
	snprintf(app, sizeof(app), "ccmdiag %s probe %s", VERSION,
	    ctx->opts->target);
	if ((r = pcapng_open(&a.w, path, linktype, app)) != 0)
		return r;
	r = capture_read_file(ctx->cap_path, on_annotate, &a, &cut, err,
	    sizeof(err));
	if (pcapng_close(a.w) != 0 || a.err)
		r = ERR_IO;
	return r;
}

static void
capture_end(struct probe_ctx *ctx)
{
	char text[1200], path[600];
	unsigned long n;
	int r;

	if (ctx->cap == NULL) {
		if (ctx->cap_path[0]) {
			unlink(ctx->cap_path);
			privs_tmp_forget(ctx->cap_path);
		}
		return;
	}
	n = capture_live_stop(ctx->cap);
	ctx->cap = NULL;
	link_frames(ctx);
	if (ctx->opts->evidence_dir && (r = write_evidence_capture(ctx, path,
	    sizeof(path))) != 0)
		snprintf(text, sizeof(text), "%lu packets captured on %s; "
		    "writing %s failed: %s", n, ctx->opts->capture_iface ?
		    ctx->opts->capture_iface : "all interfaces", path,
		    err_str(r));
	else if (ctx->opts->evidence_dir)
		snprintf(text, sizeof(text), "%lu packets captured on %s, "
		    "saved to %s", n, ctx->opts->capture_iface ?
		    ctx->opts->capture_iface : "all interfaces", path);
	else
		snprintf(text, sizeof(text), "%lu packets captured on %s "
		    "(--evidence DIR keeps them)", n,
		    ctx->opts->capture_iface ? ctx->opts->capture_iface :
		    "all interfaces");
	capture_note(ctx, EV_NOTE, text);
	unlink(ctx->cap_path);
	privs_tmp_forget(ctx->cap_path);
}

/* The user's credentials as given: one line (in why) and exit 3 when they
 * cannot serve, before anything goes on the wire. */
static int
check_credentials(struct probe_ctx *ctx, struct probe_opts *o, char *chosen,
    size_t cn, char *why, size_t wn)
{
	if (o->keytab) {
		if (krbs_check_keytab(ctx->krb, o->keytab, o->principal, chosen,
		    cn, why, wn) != 0)
			return 3;
		/* said once, by the command, when checks run by the dozen */
		if (o->principal == NULL && o->shared == NULL)
			fprintf(stderr, "ccmdiag: --keytab without --principal: "
			    "acting as %s, the keytab's first machine "
			    "account\n", chosen);
		o->principal = chosen;
		return 0;
	}
	return krbs_check_ccache(ctx->krb, why, wn) != 0 ? 3 : 0;
}

int
probe_run_target(const struct probe_opts *opts, struct report *r, char *why,
    size_t wn)
{
	struct probe_opts o = *opts;
	struct probe_ctx ctx;
	char chosen[256];
	int i, rc = 0;

	why[0] = '\0';
	memset(&ctx, 0, sizeof(ctx));
	ctx.opts = &o;
	ctx.report = r;
	ctx.step = -1;
	ctx.deadline = now_mono() + opts->timeout;
	/* the lookups libraries make on their own wait a second per server
	 * (set in the environment: once for a run, before its threads) */
	if (o.shared == NULL)
		resolver_bound_libraries(1);
	if ((rc = krbs_open(&ctx.krb, opts->timeout / 2, on_krb_event,
	    &ctx)) != 0) {
		snprintf(why, wn, "cannot set up Kerberos (a temporary profile "
		    "in %s): %s", tmp_dir(), err_str(rc));
		return 3;
	}
	if (o.shared)
		krbs_share_tgt(ctx.krb, o.shared->tgt);
	if (check_credentials(&ctx, &o, chosen, sizeof(chosen), why,
	    wn) != 0) {
		probe_ctx_release(&ctx);
		return 3;
	}
	capture_begin(&ctx);
	(void)http_session_begin();	/* without it, a connection a request */
	if (krbs_peek_client(ctx.krb, o.principal, ctx.client_principal,
	    sizeof(ctx.client_principal), ctx.client_realm,
	    sizeof(ctx.client_realm)) == 0)
		ctx.have_creds = 1;
	for (i = 0; probes[i]; i++) {
		if ((ctx.step = report_add_step(r, probes[i]->name)) < 0) {
			snprintf(why, wn, "out of memory");
			rc = 3;
			break;
		}
		if (probes[i]->run(&ctx) != 0) {
			snprintf(why, wn, "the %s step could not run",
			    probes[i]->name);
			rc = 3;
			break;
		}
		r->steps[ctx.step].elapsed = now_real() -
		    r->steps[ctx.step].start;
		if (i == 0)
			capture_narrow(&ctx);
	}
	http_session_end();
	capture_end(&ctx);
	strlcpy0(r->client, ctx.client_principal, sizeof(r->client));
	strlcpy0(r->client_realm, ctx.client_realm, sizeof(r->client_realm));
	strlcpy0(r->mp_realm, ctx.ticket_realm[0] ? ctx.ticket_realm :
	    ctx.mp_realm_guess, sizeof(r->mp_realm));
	strlcpy0(r->mp_name, ctx.canon[0] ? ctx.canon : o.target,
	    sizeof(r->mp_name));
	if (rc == 0 && ctx.short_step[0]) {
		snprintf(why, wn, "--timeout %g s is too short: the %s step had "
		    "%.2f s left for an answer and ran out; give more time "
		    "(default 10)", o.timeout, ctx.short_step, ctx.short_wait);
		rc = 3;
	}
	probe_ctx_release(&ctx);
	return rc;
}

int
probe_run_all(const struct probe_opts *opts, struct report *r)
{
	char why[1200];
	int rc;

	if ((rc = probe_run_target(opts, r, why, sizeof(why))) != 0)
		fprintf(stderr, "ccmdiag: %s\n", why);
	return rc;
}

/* ---- what the checks of one identity share in a run ---- */

struct probe_memo {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	enum { MEMO_NONE, MEMO_FINDING, MEMO_DONE } state;
	struct event *events;
	size_t n_events;
	enum step_status status;
	char summary[256];
	int kdc_down;
	double when;		/* when it was found */
};

struct probe_memo *
probe_memo_new(void)
{
	struct probe_memo *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	pthread_mutex_init(&m->mu, NULL);
	mono_cond_init(&m->cv);
	return m;
}

void
probe_memo_free(struct probe_memo *m)
{
	if (m == NULL)
		return;
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	free(m->events);
	free(m);
}

/* The step's outcome as m has it, into ctx's report. */
static void
replay(struct probe_ctx *ctx, const struct probe_memo *m)
{
	struct step *s = &ctx->report->steps[ctx->step];
	struct event ev;
	char when[40];
	size_t i;

	for (i = 0; i < m->n_events; i++) {
		ev = m->events[i];
		probe_event(ctx, &ev);
	}
	format_time(m->when, when, sizeof(when));
	event_init(&ev, EV_NOTE);
	snprintf(ev.text, sizeof(ev.text), "%s: as found at %s for this "
	    "client's first check of the run, not asked again", s->name,
	    when);
	probe_event(ctx, &ev);
	s->status = m->status;
	strlcpy0(s->summary, m->summary, sizeof(s->summary));
	ctx->kdc_down |= m->kdc_down;
}

int
probe_memo_take(struct probe_ctx *ctx, struct probe_memo *m)
{
	struct timespec until;
	int done;

	mono_timespec(ctx->deadline, &until);
	pthread_mutex_lock(&m->mu);
	while (m->state == MEMO_FINDING)
		if (pthread_cond_timedwait(&m->cv, &m->mu, &until) != 0)
			break;
	if (m->state == MEMO_NONE)
		m->state = MEMO_FINDING;
	done = m->state == MEMO_DONE;
	pthread_mutex_unlock(&m->mu);
	if (done)
		replay(ctx, m);
	return done;
}

void
probe_memo_keep(struct probe_ctx *ctx, struct probe_memo *m,
    size_t first_event)
{
	const struct report *r = ctx->report;
	const struct step *s = &r->steps[ctx->step];
	size_t n = r->n_events > first_event ? r->n_events - first_event : 0;

	pthread_mutex_lock(&m->mu);
	if (m->state != MEMO_DONE) {
		free(m->events);
		m->events = NULL;
		m->n_events = 0;
		if (n && (m->events = malloc(n * sizeof(*m->events))) != NULL) {
			memcpy(m->events, r->events + first_event,
			    n * sizeof(*m->events));
			m->n_events = n;
		}
		m->status = s->status;
		strlcpy0(m->summary, s->summary, sizeof(m->summary));
		m->kdc_down = ctx->kdc_down;
		m->when = s->start;
		m->state = MEMO_DONE;
	}
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
}
