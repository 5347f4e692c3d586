/* krbtrace.c - MIT krb5's trace lines as events (see krbtrace.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krbtrace.h"
#include "util.h"

#define KRB_BASE (-1765328384L)	/* ERROR_TABLE_BASE_krb5 */

int
krbtrace_rfc_code(long code)
{
	if (code >= KRB_BASE && code < KRB_BASE + 128)
		return (int)(code - KRB_BASE);
	return -1;
}

/* "HTTP/mp.parent.lab@PARENT.LAB" -> name, realm */
static void
split_princ(const char *p, size_t n, char *name, size_t nn, char *realm,
    size_t rn)
{
	char buf[384];
	char *at;

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	at = strrchr(buf, '@');
	if (at) {
		*at = '\0';
		if (realm)
			strlcpy0(realm, at + 1, rn);
	} else if (realm) {
		realm[0] = '\0';
	}
	strlcpy0(name, buf, nn);
}

static const char *
after(const char *msg, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(msg, prefix, n) == 0 ? msg + n : NULL;
}

static size_t
token_len(const char *p, const char *stops)
{
	return strcspn(p, stops);
}

static void
trace_kerr(struct krbtrace *t, const char *p, krbtrace_emit emit, void *arg)
{
	long code = strtol(p, NULL, 10);
	struct event ev;

	if (code == 0)
		return;
	event_init(&ev, EV_KRB_ERROR);
	ev.msg_type = 30;
	ev.code = krbtrace_rfc_code(code);
	strlcpy0(ev.realm, t->realm, sizeof(ev.realm));
	strlcpy0(ev.name, t->sname, sizeof(ev.name));
	strlcpy0(ev.peer, t->peer, sizeof(ev.peer));
	if (ev.code < 0) {
		ev.type = EV_NOTE;
		snprintf(ev.text, sizeof(ev.text), "KDC exchange with %s for "
		    "%s failed: %ld", t->realm, t->sname, code);
	}
	emit(arg, &ev);
}

void
krbtrace_line(struct krbtrace *t, const char *message, krbtrace_emit emit,
    void *arg)
{
	const char *m, *p;
	char line[1024];
	struct event ev;
	size_t n;

	if (message == NULL)
		return;
	/* "[pid] sec.usec: message\n" */
	m = message;
	if (m[0] == '[' && (p = strstr(m, ": ")) != NULL)
		m = p + 2;
	strlcpy0(line, m, sizeof(line));
	line[strcspn(line, "\r\n")] = '\0';
	m = line;
	if ((p = after(m, "Requesting tickets for ")) != NULL) {
		split_princ(p, token_len(p, ","), t->sname,
		    sizeof(t->sname), NULL, 0);
		t->msg = 12;
	} else if ((p = after(m, "Requesting TGT ")) != NULL) {
		char realm[128];

		split_princ(p, token_len(p, " "), t->sname,
		    sizeof(t->sname), realm, sizeof(realm));
		t->msg = 12;
	} else if ((p = after(m, "Getting initial credentials for ")) !=
	    NULL) {
		char realm[128], name[256];

		split_princ(p, token_len(p, " \n"), name, sizeof(name), realm,
		    sizeof(realm));
		snprintf(t->sname, sizeof(t->sname), "krbtgt/%s",
		    realm);
		t->msg = 10;
	} else if ((p = after(m, "Sending request (")) != NULL) {
		p = strstr(p, ") to ");
		if (p == NULL)
			return;
		p += 5;
		n = token_len(p, " \n");
		if (n >= sizeof(t->realm))
			n = sizeof(t->realm) - 1;
		memcpy(t->realm, p, n);
		t->realm[n] = '\0';
		t->peer[0] = '\0';
		/* MIT locates the realm's KDCs, then calls send_hook */
		t->in_locate = 1;
		event_init(&ev, EV_KRB_REQUEST);
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_KDC;
		ev.msg_type = t->msg ? t->msg : 12;
		strlcpy0(ev.realm, t->realm, sizeof(ev.realm));
		strlcpy0(ev.name, t->sname, sizeof(ev.name));
		emit(arg, &ev);
	} else if ((p = after(m, "Sending initial UDP request to dgram ")) ||
	    (p = after(m, "Initiating TCP connection to stream "))) {
		strlcpy0(t->peer, p, sizeof(t->peer));
	} else if ((p = after(m, "Following referral TGT krbtgt/")) != NULL) {
		/* krbtgt/TO@FROM */
		event_init(&ev, EV_KRB_REFERRAL);
		split_princ(p, strlen(p), ev.value, sizeof(ev.value), ev.realm,
		    sizeof(ev.realm));
		strlcpy0(ev.name, t->sname, sizeof(ev.name));
		emit(arg, &ev);
	} else if ((p = after(m, "Local realm referral failed; trying "
	    "fallback realm ")) != NULL) {
		event_init(&ev, EV_KRB_FALLBACK);
		strlcpy0(ev.realm, t->realm, sizeof(ev.realm));
		strlcpy0(ev.value, p, sizeof(ev.value));
		strlcpy0(ev.name, t->sname, sizeof(ev.name));
		emit(arg, &ev);
	} else if ((p = after(m, "TGS request result: ")) != NULL) {
		trace_kerr(t, p, emit, arg);
	} else if ((p = after(m, "Received error from KDC: ")) != NULL) {
		trace_kerr(t, p, emit, arg);
	} else if ((p = after(m, "Received creds for desired service ")) !=
	    NULL) {
		event_init(&ev, EV_KRB_REPLY);
		ev.msg_type = 13;
		split_princ(p, strlen(p), ev.name, sizeof(ev.name), ev.realm,
		    sizeof(ev.realm));
		emit(arg, &ev);
	}
}

