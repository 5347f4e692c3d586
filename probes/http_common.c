/* http_common.c - one CCM_POST to the management point, as events. */
#include <stdio.h>
#include <string.h>

#include "http_common.h"
#include "httpev.h"
#include "util.h"

int
ccm_post(struct probe_ctx *ctx, const char *negotiate_b64, const char *sname,
    struct http_reply *rep)
{
	const struct probe_opts *o = ctx->opts;
	struct http_request req;
	struct httpev_call call;
	int i, err;

	memset(&req, 0, sizeof(req));
	req.host = ctx->fqdn[0] ? ctx->fqdn : o->target;
	req.addr = ctx->n_addrs ? ctx->addrs[0] : NULL;
	req.port = o->port ? o->port : (o->https ? 443 : 80);
	req.https = o->https;
	req.cafile = o->cafile;
	req.method = "CCM_POST";
	req.path = CCM_PATH_WINDOWSAUTH;
	req.negotiate_b64 = negotiate_b64;
	/* the first, anonymous request leaves half the time for the
	 * Kerberos steps, however long the MP keeps it waiting */
	req.timeout = probe_remaining(ctx) / (negotiate_b64 ? 1 : 2);

	memset(&call, 0, sizeof(call));
	call.r = ctx->report;
	call.step = ctx->step;
	call.command = "probe";
	call.auth = negotiate_b64 ? "Negotiate" : NULL;
	call.ticket = negotiate_b64 ? sname : NULL;
	call.reply_type = EV_HTTP_RESPONSE;
	i = httpev_exchange(&call, &req, NULL, rep, NULL, &err);
	if (i >= 0 && !rep->transport_ok && (rep->fail == CONN_TIMEOUT ||
	    rep->fail == CONN_NO_ANSWER))
		probe_out_of_time(ctx, req.timeout);
	return i;
}
