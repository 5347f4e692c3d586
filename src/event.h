/* event.h - facts observed by probes and ingest, the engine's only input. */
#ifndef CCMDIAG_EVENT_H
#define CCMDIAG_EVENT_H

#include <stddef.h>
#include <stdint.h>

/*
 * An event is one fact with a time and a source.  The fields in use depend
 * on the type; unused numbers are -1 and unused strings empty.  Strings hold
 * only printable text and never a ticket, token, key or password.
 */
enum ev_type {
	EV_NOTE,		/* text only */
	EV_DNS,			/* name, qtype, rcode, answers in text */
	EV_CONNECT_FAIL,	/* peer, kind (enum conn_fail), text */
	EV_HTTP_REQUEST,	/* method, uri, auth scheme sent (text) */
	EV_HTTP_RESPONSE,	/* status, schemes, date_offset, has_token */
	EV_KRB_REQUEST,		/* msg_type, realm (sent to), sname, cname */
	EV_KRB_REPLY,		/* msg_type, realm, sname (ticket), etype, kvno */
	EV_KRB_REFERRAL,	/* realm (from), name (to realm) */
	EV_KRB_ERROR,		/* code, realm, sname, stime, ntstatus */
	EV_KRB_FALLBACK,	/* name = guessed realm */
	EV_KDC_UNREACHABLE,	/* realm, text */
	EV_REALM_UNKNOWN,	/* realm: no KDC could be located */
	EV_TICKET,		/* AP-REQ ticket: realm, sname, etype, kvno */
	EV_GSS_STATUS,		/* major, minor, code (krb error or -1), text */
	EV_SPNEGO_REPLY,	/* neg_state, code (krb error or -1), text */
	EV_CLOCK,		/* peer (kdc|mp), offset seconds, uncertainty */
	EV_NO_CREDENTIALS,	/* text */
	EV_CAPTURE,		/* text */
	EV_IIS_REQUEST,		/* one IIS log line: peer (c-ip), name (user),
				 * value (method uri), status, code (sub-status),
				 * ntstatus (sc-win32-status), text (meaning) */
	EV_SPN_OWNER,		/* directory: name = SPN searched, value =
				 * sAMAccountName ("" none holds it), text =
				 * kind (user, computer, ...), status =
				 * sAMAccountType, kvno = msDS-KeyVersionNumber,
				 * etype = msDS-SupportedEncryptionTypes (-1
				 * unset), realm = domain, peer = DC */
	EV_TRUST,		/* directory: name = partner, realm = domain
				 * holding the trustedDomain object, status =
				 * trustAttributes, code = trustType, qtype =
				 * trustDirection, has_token = 1 with
				 * msDS-TrustForestTrustInfo, value = kind */
	EV_DIRECTORY,		/* rootDSE: name = DC, realm = domain, code =
				 * forestFunctionality, rcode =
				 * domainFunctionality, text = spn mappings */
	EV_DIRECTORY_UNAVAILABLE, /* name = the directory check that could
				 * not run, peer = DC, text = why */
	EV_MP_QUERY,		/* an anonymous .sms_aut query answered: name =
				 * verb, status = HTTP status, value =
				 * Content-Type, peer, text = what it showed */
	EV_INPUT,		/* an offline input cut short or unreadable:
				 * name = path as given, value = kind, status
				 * = enum input_status, text = where and why */
};

enum conn_fail {
	CONN_RESOLVE = 1, CONN_REFUSED, CONN_TIMEOUT, CONN_TLS, CONN_PROTOCOL,
	CONN_OTHER,
};

enum ev_role { ROLE_NONE, ROLE_CLIENT, ROLE_DNS, ROLE_KDC, ROLE_MP };

struct event {
	enum ev_type type;
	int step;		/* index of the probe step, -1 for ingest */
	double t;		/* seconds since the epoch */
	char source[64];	/* "probe dns", "frame 13", "u_ex.log:42" */
	enum ev_role from, to;
	char name[256];		/* qname, sname, principal, peer */
	char realm[128];
	char value[256];	/* canonical name, PTR target, realm referred to */
	char text[512];		/* answers, schemes, library message */
	int qtype, rcode;	/* DNS */
	int status;		/* HTTP status, conn_fail kind */
	int msg_type;		/* Kerberos message type */
	int code;		/* Kerberos error code */
	int etype, kvno;
	long long stime;	/* KRB-ERROR stime, seconds */
	uint32_t ntstatus;
	int neg_state;
	int has_token;
	unsigned long major, minor;
	double offset, uncertainty;
	int frame;		/* capture frame, -1 none */
	char peer[64];		/* address */
};

void event_init(struct event *ev, enum ev_type type);
/* One line describing ev for a report; never fails. */
void event_describe(const struct event *ev, char *buf, size_t bufsz);
const char *event_type_name(enum ev_type type);

#endif
