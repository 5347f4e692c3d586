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
				 * value (method uri), status, iis (struct
				 * ev_iis), text (meaning) */
	EV_SPN_OWNER,		/* directory: spn (struct ev_spn) */
	EV_TRUST,		/* directory: trust (struct ev_trust) */
	EV_DIRECTORY,		/* rootDSE: dir (struct ev_dir), text = spn
				 * mappings */
	EV_DIRECTORY_UNAVAILABLE, /* name = the directory check that could
				 * not run, peer = DC, text = why */
	EV_MP_QUERY,		/* an anonymous .sms_aut query answered: name =
				 * verb, status = HTTP status, value =
				 * Content-Type, peer, text = what it showed,
				 * mp.xml */
	EV_CM_RECORD,		/* a CM log record about registration: text
				 * (the record as logged), cm */
	EV_CM_IDENTITY,		/* who the machine that wrote a CM log is, as
				 * its lines tell it: cm */
	EV_SQL_REGISTRATION,	/* what an spUpdateClientRegistration call
				 * showed: name = parameter, text, sql */
	EV_MP_CERT,		/* a certificate in an MP's answer: text,
				 * cert (t: when it was judged) */
	EV_MP_SSL_STATE,	/* an MP's SSLState in MPLIST: text, mp */
	EV_REG_REPLY,		/* what came back for a registration
				 * message: text, reg */
	EV_REG_SIGNATURE,	/* the registration reply's signature: text,
				 * reg */
	EV_TLS_FAILURE,		/* a TLS handshake refused: text, tls */
	EV_RESOLVE,		/* the system resolver (NSS) on the MP's name:
				 * name = as given, value = the FQDN the client
				 * builds the SPN from, status = enum
				 * resolve_how, text = the addresses, peer =
				 * the first one */
	EV_IDENTITY,		/* who the live client acts as: name =
				 * principal, realm, status = 1 a machine
				 * account (NAME$), 0 not, value = where its
				 * credentials came from */
	EV_INPUT,		/* an offline input cut short or unreadable:
				 * name = path as given, value = kind, status
				 * = enum input_status, text = where and why */
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

/*
 * The facts of the newer kinds, one group per kind (a union member of
 * struct event: only the event's own kind's group holds anything), named
 * after what it holds rather than lent a field of another kind.  Unused
 * numbers are -1 (0 for lines and flags), unused strings empty.
 */

/* EV_CM_RECORD, EV_CM_IDENTITY: a CM client's identity and registration
 * state.  Lines are those of the log the event's source names (FILE:LINE),
 * 0 when not seen; a record's own line is its source's. */
#define CM_MAX_THUMBPRINTS	2
enum cm_state_flags {
	CM_PENDING = 1 << 0,	/* registration pending, approval status 0 */
	CM_REJECTED = 1 << 1,	/* the registration was rejected */
};
struct ev_cm {
	char guid[48];		/* the client's SMS GUID ("EEAF9390-...") */
	char hwid[64];		/* HardwareID ("2:D4D8AD...") */
	char machine[64];	/* NetBIOS name */
	int approval;		/* "Approval status N", -1 */
	int state;		/* enum cm_state_flags: what the record says */
	char thumbprint[CM_MAX_THUMBPRINTS][44];	/* certificates, SHA-1 */
	unsigned long line_guid, line_hwid, line_machine, line_approval;
	unsigned long line_thumbprint[CM_MAX_THUMBPRINTS];
};

/* EV_SPN_OWNER: an account holding an SPN (name the SPN, value the
 * sAMAccountName, "" when none holds it, text its kind, realm its domain,
 * peer the DC). */
struct ev_spn {
	int sam_type;		/* sAMAccountType, -1 */
	int kvno;		/* msDS-KeyVersionNumber, -1 */
	long enctypes;		/* msDS-SupportedEncryptionTypes, -1 unset */
};

/* EV_TRUST: a trustedDomain object (name the partner, realm the domain
 * holding it, value its kind). */
struct ev_trust {
	int type;		/* trustType, -1 */
	int direction;		/* trustDirection, -1 */
	unsigned attributes;	/* trustAttributes */
	int forest_info;	/* msDS-TrustForestTrustInfo present */
};

/* EV_DIRECTORY: a DC's rootDSE (name the DC, realm its domain). */
struct ev_dir {
	int forest_level;	/* forestFunctionality, -1 */
	int domain_level;	/* domainFunctionality, -1 */
};

/* EV_IIS_REQUEST (status: the HTTP status, name the user, peer c-ip) */
struct ev_iis {
	int substatus;		/* sc-substatus */
	uint32_t win32;		/* sc-win32-status */
	char verdict[24];	/* the client's verdict (clients[].verdict)
				 * when this request decided it, else "" */
};

/* EV_SQL_REGISTRATION: what one parameter (or the call) showed. */
enum sql_check {
	SQL_CHECK_NOTED,		/* nothing wrong seen */
	SQL_CHECK_CERT_UNREADABLE,	/* not an X.509 certificate */
	SQL_CHECK_THUMBPRINT_MISMATCH,	/* not the certificate's SHA-1 */
	SQL_CHECK_PUBLICKEY_MISMATCH,	/* not the signing certificate's key */
	SQL_CHECK_NOT_INTEGRATED_AUTH,	/* @IsIntegratedAuth 0 */
};
struct ev_sql {
	enum sql_check check;
	int call;		/* the call's number in its file, from 1 */
};

/* EV_MP_CERT: the validity of a certificate, seconds since the epoch,
 * -1 unknown. */
struct ev_cert {
	double not_before, not_after;
};

/* EV_MP_QUERY, EV_MP_SSL_STATE */
struct ev_mp {
	int xml;		/* the answer was well-formed XML */
	long ssl_state;		/* SSLState, -1 */
};

/* EV_REG_REPLY, EV_REG_SIGNATURE: a registration exchange's outcome. */
enum reg_reply {
	REG_REPLY_RESPONSE,	/* a ClientRegistrationResponse: status... */
	REG_REPLY_TOO_LARGE,	/* the body passed the bound on a reply */
	REG_REPLY_TRUNCATED,	/* shorter than announced, or cut short */
	REG_REPLY_EMPTY,
	REG_REPLY_HTML,		/* an HTML error page */
	REG_REPLY_NOT_MULTIPART,
	REG_REPLY_BAD_ZLIB,
	REG_REPLY_BAD_UTF16,
	REG_REPLY_BAD_PAYLOAD,	/* not a ClientRegistrationResponse */
};
enum reg_signature {
	REG_SIG_UNSIGNED,	/* no Hook2 authenticate signature */
	REG_SIG_UNCHECKED,	/* signed; no trusted certificates given */
	REG_SIG_VERIFIED,
	REG_SIG_BAD,		/* does not verify, or cannot be read */
};
struct ev_reg {
	enum reg_reply reply;
	int status;		/* Status (0 Registered, 1 Pending...), -1 */
	int approval;		/* ApprovalStatus, -1 Unknown, -2 absent */
	char smsid[64];
	int smsid_valid;	/* "GUID:" and hex */
	int final;		/* the reply the registration ended on */
	enum reg_signature signature;
	int trusted;		/* trusted MP signing certificates were given */
};

/* EV_TLS_FAILURE */
enum tls_failure {
	TLS_FAIL_NONE,
	TLS_FAIL_CLIENT_CERT_REJECTED,	/* the MP wants a (trusted) one */
	TLS_FAIL_CLIENT_CERT_REVOKED,	/* the MP found ours in its CRL */
	TLS_FAIL_SERVER_CERT_REVOKED,	/* the MP's is in our CRL */
	TLS_FAIL_CRL_UNUSABLE,		/* no CRL of the issuer, or stale */
};

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
	union {			/* each kind's own facts (see above) */
		struct ev_spn spn;	/* EV_SPN_OWNER */
		struct ev_trust trust;	/* EV_TRUST */
		struct ev_dir dir;	/* EV_DIRECTORY */
		struct ev_cm cm;	/* EV_CM_RECORD, EV_CM_IDENTITY */
		struct ev_iis iis;	/* EV_IIS_REQUEST */
		struct ev_sql sql;	/* EV_SQL_REGISTRATION */
		struct ev_cert cert;	/* EV_MP_CERT */
		struct ev_mp mp;	/* EV_MP_QUERY, EV_MP_SSL_STATE */
		struct ev_reg reg;	/* EV_REG_REPLY, EV_REG_SIGNATURE */
		enum tls_failure tls;	/* EV_TLS_FAILURE */
	};
};

/* All fields unused, but for the type; the kind's group as unused. */
void event_init(struct event *ev, enum ev_type type);
/* One line describing ev for a report; never fails. */
void event_describe(const struct event *ev, char *buf, size_t bufsz);
const char *event_type_name(enum ev_type type);

#endif
