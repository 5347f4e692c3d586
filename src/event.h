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
	EV_RESOLVE,		/* the system resolver (NSS) on the MP's name:
				 * name = as given, value = the FQDN the client
				 * builds the SPN from, status = enum
				 * resolve_how, text = the addresses, peer =
				 * the first one */
	EV_IDENTITY,		/* who the live client acts as: name =
				 * principal, realm, status = 1 a machine
				 * account (NAME$), 0 not, value = where its
				 * credentials came from */
};

/* How the system resolver knew the MP's name (EV_RESOLVE status). */
enum resolve_how {
	RESOLVE_NONE = 1,	/* it does not know the name */
	RESOLVE_DNS,		/* DNS has an address for the name */
	RESOLVE_HOSTS_ONLY,	/* known to this machine only (hosts file or
				 * another NSS source), not to DNS */
	RESOLVE_ADDRESS,	/* the name is an address literal or localhost:
				 * no SPN can exist for it */
};

enum conn_fail {
	CONN_RESOLVE = 1, CONN_REFUSED, CONN_TIMEOUT, CONN_TLS, CONN_PROTOCOL,
	CONN_OTHER,
	CONN_INCOMPLETE,	/* capture: the connection's fate is not in the
				 * evidence (it ended before a retransmission
				 * or a reply could have come) */
	CONN_NO_ANSWER,		/* connected, the request sent, no byte of a
				 * reply before the time ran out */
};

/* What the event's own bytes say about it (flags). */
enum ev_flags {
	EVF_CCM = 1 << 0,	/* an HTTP request that is ConfigMgr's: CCM_POST,
				 * a CCM path (ccm_system*, SMS_MP) or CCM
				 * message headers */
	EVF_SMS_MP = 1 << 1,	/* ... to the anonymous /SMS_MP/.sms_aut */
	EVF_WINDOWSAUTH = 1 << 4, /* ... to /ccm_system_windowsauth: the
				 * approval exchange (its answer, ticket and
				 * reply token carry the flag too) */
	EVF_PREAUTH = 1 << 2,	/* AS-REQ carrying PA-ENC-TIMESTAMP */
	EVF_REFERRAL_TGT = 1 << 3, /* TGS-REQ presenting a cross-realm TGT */
	EVF_DEADLINE = 1 << 5,	/* the exchange's wait ended because the time
				 * ccmdiag allowed it ran out (--timeout), not
				 * by an answer or a refusal */
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
	char peer[64];		/* address of the other side: the server
				 * (DNS, KDC, MP) for a client's exchange */
	/* Who and where, so that the engine can follow one client through
	 * evidence that holds many: */
	char client[48];	/* the client's address ("" live) */
	int port;		/* the server's port, -1 */
	long conn;		/* TCP connection within its input, -1 */
	unsigned flags;		/* enum ev_flags */
	char host[128];		/* HTTP request: the host it named (Host) */
	char uri[256];		/* HTTP request: its path, without a query */
};

void event_init(struct event *ev, enum ev_type type);
/* One line describing ev for a report; never fails. */
void event_describe(const struct event *ev, char *buf, size_t bufsz);
const char *event_type_name(enum ev_type type);

#endif
