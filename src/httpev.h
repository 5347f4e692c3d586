/* httpev.h - one HTTP exchange with the MP, recorded as events: the
 * request, then the reply or why none came.  probe, register and mp-info
 * all talk to the MP through it. */
#ifndef CCMDIAG_HTTPEV_H
#define CCMDIAG_HTTPEV_H

#include "event.h"
#include "http.h"
#include "report.h"

/* The MP's paths, named once. */
#define CCM_PATH_WINDOWSAUTH "/ccm_system_windowsauth/request"
#define CCM_PATH_ANONYMOUS "/ccm_system/request"
#define CCM_PATH_SMS_AUT "/SMS_MP/.sms_aut"

struct httpev_call {
	struct report *r;
	int step;			/* the events' step index */
	const char *command;		/* "probe", "register", "mp-info" */
	const char *what;		/* added to the request's text, or NULL */
	const char *auth;		/* "Negotiate" with a token, else NULL */
	const char *ticket;		/* the token's service ("HTTP/mp"), or
					 * NULL */
	enum ev_type reply_type;	/* EV_HTTP_RESPONSE or EV_MP_QUERY */
	const char *reply_name;		/* the reply event's name when no auth
					 * was sent (mp-info: the verb) */
};

/* "register" for the step "register", "register confirmation" for the
 * step "confirmation": an event's source, never a word twice. */
void httpev_source(const struct httpev_call *c, char *buf, size_t n);
/* Record the request req is about to make; its event index. */
int httpev_request(const struct httpev_call *c,
    const struct http_request *req);
/* Record what came of it: the reply (c->reply_type, with the body's type
 * and size when out is given) or the connection's failure
 * (EV_CONNECT_FAIL).  Returns that event's index, or -1. */
int httpev_result(const struct httpev_call *c,
    const struct http_request *req, const struct http_reply *rep,
    const struct http_content *out);
/*
 * Both around http_send: the request, the exchange, its result.  Returns
 * the result's event index; -1 when the request could not be sent at all
 * (*err: the ERR_ code, also recorded as a note).
 */
int httpev_exchange(const struct httpev_call *c,
    const struct http_request *req, const struct http_body *body,
    struct http_reply *rep, struct http_content *out, int *err);

#endif
