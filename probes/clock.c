/* clock.c - probe: the KDC's clock without credentials.  An AS-REQ without
 * pre-authentication is answered by KRB-ERROR 25 carrying the KDC's stime
 * and susec; the offset is measured against the midpoint of the exchange. */
#include <sys/socket.h>
#include <sys/types.h>
#include <netdb.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gss.h"
#include "krb.h"
#include "probe.h"
#include "proto.h"
#include "util.h"

#define KDC_WAIT 2.0		/* seconds for one KDC */

/* One UDP exchange; returns reply length or -1 on timeout/error, with
 * *refused set when the port was closed (ICMP port unreachable). */
static ssize_t
udp_exchange(const char *addr, const uint8_t *req, size_t len, uint8_t *buf,
    size_t bufsz, double wait, double *t0, double *t1, int *refused)
{
	struct addrinfo hints, *ai = NULL;
	struct pollfd pfd;
	ssize_t n = -1;
	int fd = -1, ms;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(addr, "88", &hints, &ai) != 0)
		return -1;
	if ((fd = socket(ai->ai_family, SOCK_DGRAM, 0)) < 0)
		goto out;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
		goto out;
	*t0 = now_real();
	if (send(fd, req, len, 0) != (ssize_t)len)
		goto out;
	pfd.fd = fd;
	pfd.events = POLLIN;
	ms = (int)(wait * 1000);
	if (poll(&pfd, 1, ms > 0 ? ms : 1) == 1 &&
	    (n = recv(fd, buf, bufsz, 0)) < 0 && errno == ECONNREFUSED)
		(*refused)++;
	*t1 = now_real();
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return n;
}

/* Addresses of the client realm's KDCs: SRV first, then krb5.conf. */
static int
kdc_list(struct probe_ctx *ctx, char out[][64], int max)
{
	char cfg[PROBE_MAX_ADDR][256];
	int n = 0, i, k;

	for (i = 0; i < ctx->n_kdc_addrs && n < max; i++)
		strlcpy0(out[n++], ctx->kdc_addrs[i], 64);
	if (n)
		return n;
	k = krbs_config_kdcs(ctx->krb, ctx->client_realm, cfg, PROBE_MAX_ADDR);
	for (i = 0; i < k && n < max; i++) {
		struct addrinfo hints, *ai = NULL;
		char host[256], *colon;

		strlcpy0(host, cfg[i], sizeof(host));
		if ((colon = strrchr(host, ':')) && !strchr(colon + 1, ']') &&
		    strchr(host, ':') == colon)
			*colon = '\0';
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_DGRAM;
		if (getaddrinfo(host, NULL, &hints, &ai) != 0)
			continue;
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, out[n], 64, NULL,
		    0, NI_NUMERICHOST) == 0)
			n++;
		freeaddrinfo(ai);
	}
	return n;
}

static void
measure(struct probe_ctx *ctx)
{
	char kdcs[PROBE_MAX_ADDR][64];
	uint8_t *req = NULL, buf[8192];
	struct krb_msg msg;
	struct event ev;
	double t0 = 0, t1 = 0, wait = 0, start;
	size_t len = 0;
	ssize_t n = -1;
	int nk, i, refused = 0;
	long code;

	if (!ctx->have_creds || !ctx->client_realm[0]) {
		probe_step_done(ctx, STEP_SKIPPED, "no client principal");
		return;
	}
	nk = kdc_list(ctx, kdcs, PROBE_MAX_ADDR);
	if (nk == 0) {
		probe_step_done(ctx, STEP_SKIPPED, "no KDC address for %s",
		    ctx->client_realm);
		return;
	}
	if ((code = krbs_as_req(ctx->krb, &req, &len)) != 0) {
		char why[300];

		krbs_message(ctx->krb, code, why, sizeof(why));
		probe_step_done(ctx, STEP_SKIPPED, "cannot build an AS-REQ: %s",
		    why);
		return;
	}
	start = now_real();
	for (i = 0; i < nk && n < 0; i++) {
		wait = probe_remaining(ctx) / 4;
		if (wait > KDC_WAIT)
			wait = KDC_WAIT;
		n = udp_exchange(kdcs[i], req, len, buf, sizeof(buf), wait,
		    &t0, &t1, &refused);
	}
	free(req);
	if (n < 0) {
		event_init(&ev, EV_KDC_UNREACHABLE);
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_KDC;
		strlcpy0(ev.realm, ctx->client_realm, sizeof(ev.realm));
		strlcpy0(ev.peer, kdcs[0], sizeof(ev.peer));
		if (refused == nk)
			snprintf(ev.text, sizeof(ev.text), "UDP port 88 of %s "
			    "refused the AS-REQ (ICMP port unreachable: no KDC "
			    "listens there)", nk == 1 ? kdcs[0] : "every KDC");
		else
			snprintf(ev.text, sizeof(ev.text), "no answer to an "
			    "AS-REQ on UDP port 88 of %d KDC%s in %.1f s%s",
			    nk, nk == 1 ? "" : "s", now_real() - start,
			    refused ? " (some refused it)" : "");
		probe_event(ctx, &ev);
		if (refused < nk)
			probe_out_of_time(ctx, wait);
		ctx->kdc_down = 1;
		if (refused == nk)
			probe_step_done(ctx, STEP_FAILED, "port 88 of the KDC%s "
			    "of %s refused the request: no KDC runs there",
			    nk == 1 ? "" : "s", ctx->client_realm);
		else
			probe_step_done(ctx, STEP_FAILED, "no KDC of %s answered "
			    "in time", ctx->client_realm);
		return;
	}
	if (krb_decode(buf, (size_t)n, &msg) != 0 || msg.msg_type != 30 ||
	    msg.stime < 0) {
		probe_step_done(ctx, STEP_SKIPPED, "the KDC's answer carries "
		    "no server time (%s)", msg.msg_type == 11 ? "AS-REP "
		    "without pre-authentication" : "undecodable");
		return;
	}
	event_init(&ev, EV_KRB_ERROR);
	ev.from = ROLE_KDC;
	ev.to = ROLE_CLIENT;
	ev.code = msg.error_code;
	ev.stime = msg.stime;
	strlcpy0(ev.realm, msg.realm, sizeof(ev.realm));
	strlcpy0(ev.name, msg.sname.text, sizeof(ev.name));
	strlcpy0(ev.peer, kdcs[i - 1], sizeof(ev.peer));
	probe_event(ctx, &ev);

	event_init(&ev, EV_CLOCK);
	ev.from = ROLE_KDC;
	ev.to = ROLE_KDC;
	strlcpy0(ev.name, kdcs[i - 1], sizeof(ev.name));
	strlcpy0(ev.realm, ctx->client_realm, sizeof(ev.realm));
	ev.offset = (double)msg.stime + (msg.susec >= 0 ? msg.susec / 1e6 :
	    0.5) - (t0 + t1) / 2;
	ev.uncertainty = (t1 - t0) / 2 + (msg.susec >= 0 ? 0 : 0.5);
	snprintf(ev.text, sizeof(ev.text), "from the stime of KRB-ERROR %d "
	    "to an AS-REQ without pre-authentication", msg.error_code);
	probe_event(ctx, &ev);
	if (fabs(ev.offset) - ev.uncertainty > KRB_CLOCK_SKEW)
		probe_step_done(ctx, STEP_FAILED, "KDC %s clock %+.1f s from "
		    "ours: beyond Kerberos' %.0f-minute tolerance", kdcs[i - 1],
		    ev.offset, KRB_CLOCK_SKEW / 60);
	else
		probe_step_done(ctx, STEP_OK, "KDC %s clock %+.1f s from ours",
		    kdcs[i - 1], fabs(ev.offset) < 0.05 ? 0 : ev.offset);
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
