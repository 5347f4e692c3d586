/* httpev.c - one HTTP exchange with the MP, recorded as events. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "httpev.h"
#include "util.h"

static int
add(const struct httpev_call *c, struct event *ev)
{
	ev->step = c->step;
	httpev_source(c, ev->source, sizeof(ev->source));
	return report_add_event(c->r, ev);
}

void
httpev_source(const struct httpev_call *c, char *buf, size_t n)
{
	const char *step = c->step >= 0 && (size_t)c->step < c->r->n_steps ?
	    c->r->steps[c->step].name : "";

	if (!step[0] || strcmp(step, c->command) == 0)
		snprintf(buf, n, "%s", c->command);
	else
		snprintf(buf, n, "%s %s", c->command, step);
}

static int
port_of(const struct http_request *req)
{
	return req->port ? req->port : req->https ? 443 : 80;
}

int
httpev_request(const struct httpev_call *c, const struct http_request *req)
{
	struct event ev;
	int v6 = strchr(req->host, ':') != NULL;

	event_init(&ev, EV_HTTP_REQUEST);
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_MP;
	snprintf(ev.text, sizeof(ev.text), "%s %s://%s%s%s:%d%s%s%s",
	    req->method, req->https ? "https" : "http", v6 ? "[" : "",
	    req->host, v6 ? "]" : "", port_of(req), req->path,
	    c->what ? ", " : "", c->what ? c->what : "");
	if (c->auth) {
		strlcpy0(ev.name, c->auth, sizeof(ev.name));
		if (c->ticket)
			strlcpy0(ev.value, c->ticket, sizeof(ev.value));
	}
	strlcpy0(ev.peer, req->addr ? req->addr : "", sizeof(ev.peer));
	return add(c, &ev);
}

int
httpev_result(const struct httpev_call *c, const struct http_request *req,
    const struct http_reply *rep, const struct http_content *out)
{
	struct event ev;

	if (!rep->transport_ok) {
		event_init(&ev, EV_CONNECT_FAIL);
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_MP;
		ev.status = rep->fail;
		snprintf(ev.name, sizeof(ev.name), "%.240s:%d", req->host,
		    port_of(req));
		strlcpy0(ev.peer, req->addr ? req->addr : rep->peer,
		    sizeof(ev.peer));
		strlcpy0(ev.text, rep->errtext, sizeof(ev.text));
		ev.port = port_of(req);
		if (rep->at_deadline)
			ev.flags |= EVF_DEADLINE;
		return add(c, &ev);
	}
	event_init(&ev, c->reply_type);
	ev.from = ROLE_MP;
	ev.to = ROLE_CLIENT;
	ev.status = (int)rep->status;
	strlcpy0(ev.peer, rep->peer, sizeof(ev.peer));
	if (c->reply_type == EV_MP_QUERY) {
		strlcpy0(ev.name, c->reply_name ? c->reply_name : "",
		    sizeof(ev.name));
		if (out) {
			strlcpy0(ev.value, out->content_type, sizeof(ev.value));
			snprintf(ev.text, sizeof(ev.text), "%zu bytes%s",
			    out->len, rep->too_large ? ", cut at the bound" :
			    "");
		}
		return add(c, &ev);
	}
	strlcpy0(ev.text, rep->schemes, sizeof(ev.text));
	if (rep->token_garbage)
		strappendf(ev.text, sizeof(ev.text), " (the Negotiate value "
		    "is not base64)");
	if (c->auth) {
		strlcpy0(ev.name, c->auth, sizeof(ev.name));
		if (c->ticket)
			strlcpy0(ev.value, c->ticket, sizeof(ev.value));
	} else if (c->reply_name) {
		strlcpy0(ev.name, c->reply_name, sizeof(ev.name));
	}
	ev.has_token = rep->token_garbage ? -1 : rep->token != NULL;
	if (rep->date >= 0)
		ev.offset = rep->date - (rep->t_sent + rep->t_recv) / 2;
	return add(c, &ev);
}

int
httpev_exchange(const struct httpev_call *c, const struct http_request *req,
    const struct http_body *body, struct http_reply *rep,
    struct http_content *out, int *err)
{
	struct event ev;

	httpev_request(c, req);
	if ((*err = http_send(req, body, rep, out)) != 0) {
		event_init(&ev, EV_NOTE);
		snprintf(ev.text, sizeof(ev.text), "the request could not be "
		    "sent: %s", err_str(*err));
		add(c, &ev);
		return -1;
	}
	return httpev_result(c, req, rep, out);
}
