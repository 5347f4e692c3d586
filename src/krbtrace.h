/*
 * krbtrace.h - MIT krb5's trace lines as events: the requests sent and to
 * which realm, referrals, a guessed fallback realm, the KDC's errors, the
 * service ticket received.  Text only (the Kerberos wrapper, src/gss.c,
 * hands each line over); a line is never kept, since trace lines can carry
 * key material.
 */
#ifndef CCMDIAG_KRBTRACE_H
#define CCMDIAG_KRBTRACE_H

#include "event.h"

/* What the lines so far said about the exchange under way. */
struct krbtrace {
	char realm[128];	/* the realm the request goes to */
	char sname[256];	/* the service asked for */
	char peer[64];		/* the KDC that answered, when known */
	int msg;		/* 10 AS-REQ, 12 TGS-REQ, 0 not yet known */
	int in_locate;		/* a request announced, the KDCs being
				 * located: no exchange has begun */
};

typedef void (*krbtrace_emit)(void *arg, struct event *ev);

/* One trace message ("[pid] sec.usec: text"): events to emit, if any. */
void krbtrace_line(struct krbtrace *t, const char *message,
    krbtrace_emit emit, void *arg);
/* RFC 4120 error number of an MIT library code, or -1. */
int krbtrace_rfc_code(long code);

#endif
