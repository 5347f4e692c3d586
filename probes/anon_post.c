/* anon_post.c - probe: CCM_POST without credentials, as the client's first
 * request; the MP should answer 401 offering Negotiate. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "http_common.h"
#include "util.h"

static int
anon_post_run(struct probe_ctx *ctx)
{
	struct http_reply rep;
	struct event ev;

	if (!ctx->resolved) {
		probe_step_done(ctx, STEP_SKIPPED, "no address for the MP");
		return 0;
	}
	if (ccm_post(ctx, NULL, NULL, &rep) < 0 || !rep.transport_ok) {
		probe_step_done(ctx, STEP_FAILED, "%s", rep.errtext[0] ?
		    rep.errtext : "request failed");
		http_reply_release(&rep);
		return 0;
	}
	ctx->mp_reached = 1;
	if (rep.date >= 0) {
		/* Date has one-second resolution */
		event_init(&ev, EV_CLOCK);
		ev.from = ROLE_MP;
		ev.to = ROLE_MP;
		strlcpy0(ev.name, ctx->canon, sizeof(ev.name));
		ev.offset = rep.date + 0.5 - (rep.t_sent + rep.t_recv) / 2;
		ev.uncertainty = 0.5 + (rep.t_recv - rep.t_sent) / 2;
		snprintf(ev.text, sizeof(ev.text), "from the HTTP Date header");
		probe_event(ctx, &ev);
	}
	probe_step_done(ctx, rep.status == 401 && rep.negotiate_offered ?
	    STEP_OK : STEP_FAILED, "HTTP %ld, offers %s", rep.status,
	    rep.schemes[0] ? rep.schemes : "no authentication");
	http_reply_release(&rep);
	return 0;
}

const struct probe probe_anon_post = {
	.name = "anon-post",
	.summary = "CCM_POST without credentials; expect 401 Negotiate",
	.run = anon_post_run,
};
