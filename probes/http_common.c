/* http_common.c - one CCM_POST to the management point, as events. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "http_common.h"
#include "util.h"

int
ccm_post(struct probe_ctx *ctx, const char *negotiate_b64, const char *sname,
    struct http_reply *rep)
{
	const struct probe_opts *o = ctx->opts;
	struct http_request req;
	struct event ev;
	const char *host = ctx->fqdn[0] ? ctx->fqdn : o->target;
	int port = o->port ? o->port : (o->https ? 443 : 80);

	memset(&req, 0, sizeof(req));
	req.host = host;
	req.addr = ctx->n_addrs ? ctx->addrs[0] : NULL;
	req.port = port;
	req.https = o->https;
	req.cafile = o->cafile;
	req.method = "CCM_POST";
	req.path = CCM_WINDOWSAUTH_PATH;
	req.negotiate_b64 = negotiate_b64;
	/* the first, anonymous request leaves half the time for the
	 * Kerberos steps, however long the MP keeps it waiting */
	req.timeout = probe_remaining(ctx) / (negotiate_b64 ? 1 : 2);

	event_init(&ev, EV_HTTP_REQUEST);
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_MP;
	snprintf(ev.text, sizeof(ev.text), "CCM_POST %s://%s:%d%s",
	    o->https ? "https" : "http", host, port, req.path);
	if (negotiate_b64) {
		strlcpy0(ev.name, "Negotiate", sizeof(ev.name));
		strlcpy0(ev.value, sname, sizeof(ev.value));
	}
	strlcpy0(ev.peer, req.addr ? req.addr : "", sizeof(ev.peer));
	probe_event(ctx, &ev);

	if (http_exchange(&req, rep) != 0) {
		event_init(&ev, EV_NOTE);
		snprintf(ev.text, sizeof(ev.text), "could not send the request");
		probe_event(ctx, &ev);
		return -1;
	}
	if (!rep->transport_ok) {
		event_init(&ev, EV_CONNECT_FAIL);
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_MP;
		ev.status = rep->fail;
		snprintf(ev.name, sizeof(ev.name), "%.240s:%d", host, port);
		if (rep->fail == CONN_TIMEOUT || rep->fail == CONN_NO_ANSWER)
			probe_out_of_time(ctx, req.timeout);
		strlcpy0(ev.peer, req.addr ? req.addr : rep->peer,
		    sizeof(ev.peer));
		strlcpy0(ev.text, rep->errtext, sizeof(ev.text));
		return probe_event(ctx, &ev);
	}
	event_init(&ev, EV_HTTP_RESPONSE);
	ev.from = ROLE_MP;
	ev.to = ROLE_CLIENT;
	ev.status = (int)rep->status;
	strlcpy0(ev.text, rep->schemes, sizeof(ev.text));
	if (rep->token_garbage)
		strappendf(ev.text, sizeof(ev.text), " (the Negotiate value "
		    "is not base64)");
	if (negotiate_b64) {
		strlcpy0(ev.name, "Negotiate", sizeof(ev.name));
		strlcpy0(ev.value, sname, sizeof(ev.value));
	}
	ev.has_token = rep->token_garbage ? -1 : rep->token != NULL;
	strlcpy0(ev.peer, rep->peer, sizeof(ev.peer));
	if (rep->date >= 0)
		ev.offset = rep->date - (rep->t_sent + rep->t_recv) / 2;
	return probe_event(ctx, &ev);
}
