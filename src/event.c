/* event.c - events and their one-line description. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "event.h"
#include "krb.h"
#include "report.h"
#include "trust.h"
#include "util.h"

void
event_init(struct event *ev, enum ev_type type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->step = -1;
	ev->t = now_real();
	ev->qtype = ev->rcode = ev->status = ev->msg_type = ev->code = -1;
	ev->etype = ev->kvno = ev->neg_state = ev->frame = -1;
	ev->stime = -1;
	ev->port = -1;
	ev->conn = -1;
	ev->offset = NAN;
	ev->uncertainty = 0;
	switch (type) {
	case EV_SPN_OWNER:
		ev->spn.sam_type = ev->spn.kvno = -1;
		ev->spn.enctypes = -1;
		break;
	case EV_TRUST:
		ev->trust.type = ev->trust.direction = -1;
		break;
	case EV_DIRECTORY:
		ev->dir.forest_level = ev->dir.domain_level = -1;
		break;
	case EV_CM_RECORD:
	case EV_CM_IDENTITY:
		ev->cm.approval = -1;
		break;
	case EV_MP_CERT:
		ev->cert.not_before = ev->cert.not_after = -1;
		break;
	case EV_MP_QUERY:
	case EV_MP_SSL_STATE:
		ev->mp.ssl_state = -1;
		break;
	case EV_REG_REPLY:
	case EV_REG_SIGNATURE:
		ev->reg.status = ev->reg.approval = -1;
		break;
	default:
		break;
	}
}

const char *
event_type_name(enum ev_type type)
{
	static const char *const names[] = {
		"note", "dns", "connect-fail", "http-request", "http-response",
		"krb-request", "krb-reply", "krb-referral", "krb-error",
		"krb-fallback", "kdc-unreachable", "realm-unknown", "ticket",
		"gss-status", "spnego-reply", "clock", "no-credentials",
		"capture", "iis-request", "spn-owner", "trust", "directory",
		"directory-unavailable", "mp-query", "cm-record", "cm-identity",
		"sql-registration", "mp-certificate", "mp-ssl-state",
		"registration-reply", "registration-signature", "tls-failure",
		"resolve", "identity", "input",
	};

	if ((size_t)type >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[type];
}

static const char *
nz(const char *s)
{
	return s ? s : "?";
}

static const char *
role_name(enum ev_role role)
{
	switch (role) {
	case ROLE_CLIENT:
		return "client";
	case ROLE_DNS:
		return "DNS";
	case ROLE_KDC:
		return "KDC";
	case ROLE_MP:
		return "MP";
	default:
		return "?";
	}
}

static const char *
conn_fail_name(int kind, enum ev_role to)
{
	switch (kind) {
	case CONN_RESOLVE:
		return "name not resolved";
	case CONN_REFUSED:
		return "connection refused";
	case CONN_TIMEOUT:
		return "timed out";
	case CONN_TLS:
		return "TLS handshake failed";
	case CONN_PROTOCOL:
		return to == ROLE_MP ? "invalid HTTP reply" : "invalid reply";
	case CONN_INCOMPLETE:
		return "outcome not captured";
	case CONN_NO_ANSWER:
		return "connected, but no answer";
	default:
		return "failed";
	}
}

static void
krb_error_text(const struct event *ev, char *buf, size_t n)
{
	const char *name = krb_err_name(ev->code);

	if (name)
		snprintf(buf, n, "KRB-ERROR %d %s", ev->code, name);
	else
		snprintf(buf, n, "KRB-ERROR %d", ev->code);
}

/* ", etype 18 aes256-cts-hmac-sha1-96, kvno 2", each part only if known */
static void
key_text(const struct event *ev, char *buf, size_t n)
{
	const char *name = krb_etype_name(ev->etype);

	buf[0] = '\0';
	if (ev->etype >= 0)
		snprintf(buf, n, ", etype %d%s%s", ev->etype, name ? " " : "",
		    name ? name : "");
	if (ev->kvno >= 0)
		strappendf(buf, n, ", kvno %d", ev->kvno);
}

/* A signed offset in whole seconds, never "-0". */
static double
whole(double x)
{
	x = round(x);
	return x == 0 ? 0 : x;
}

/* ... and to a tenth of a second, never "-0.0". */
static double
tenths(double x)
{
	x = round(x * 10) / 10;
	return x == 0 ? 0 : x;
}

/* GSS-API major status by name (RFC 2744): the routine error, then any
 * supplementary bits. */
static void
gss_major_text(unsigned long major, char *buf, size_t n)
{
	static const char *const routine[] = {
		NULL, "GSS_S_BAD_MECH", "GSS_S_BAD_NAME", "GSS_S_BAD_NAMETYPE",
		"GSS_S_BAD_BINDINGS", "GSS_S_BAD_STATUS", "GSS_S_BAD_SIG",
		"GSS_S_NO_CRED", "GSS_S_NO_CONTEXT", "GSS_S_DEFECTIVE_TOKEN",
		"GSS_S_DEFECTIVE_CREDENTIAL", "GSS_S_CREDENTIALS_EXPIRED",
		"GSS_S_CONTEXT_EXPIRED", "GSS_S_FAILURE", "GSS_S_BAD_QOP",
		"GSS_S_UNAUTHORIZED", "GSS_S_UNAVAILABLE",
		"GSS_S_DUPLICATE_ELEMENT", "GSS_S_NAME_NOT_MN",
	};
	unsigned long r = (major >> 16) & 0xff;

	buf[0] = '\0';
	if (r && r < sizeof(routine) / sizeof(routine[0]))
		strappendf(buf, n, "%s", routine[r]);
	else if (r)
		strappendf(buf, n, "routine error %lu", r);
	if (major & 1)
		strappendf(buf, n, "%sGSS_S_CONTINUE_NEEDED", buf[0] ? "|" : "");
	if (!buf[0])
		snprintf(buf, n, major ? "major 0x%lx" : "GSS_S_COMPLETE",
		    major);
}

/* "machine WK02 in X.log: GUID:... (line 9), HardwareID 2:... (line 5)" */
static void
cm_identity_text(const struct event *ev, char *buf, size_t n)
{
	const struct ev_cm *cm = &ev->cm;
	const char *colon = strrchr(ev->source, ':');
	int i;

	snprintf(buf, n, "client identity in %.*s: machine %s", colon ?
	    (int)(colon - ev->source) : (int)strlen(ev->source), ev->source,
	    cm->machine[0] ? cm->machine : "(name not logged)");
	if (cm->line_machine)
		strappendf(buf, n, " (line %lu)", cm->line_machine);
	strappendf(buf, n, ", GUID:%s (line %lu)", cm->guid, cm->line_guid);
	if (cm->hwid[0])
		strappendf(buf, n, ", HardwareID %s (line %lu)", cm->hwid,
		    cm->line_hwid);
	if (cm->approval >= 0)
		strappendf(buf, n, ", approval status %d (line %lu)",
		    cm->approval, cm->line_approval);
	for (i = 0; i < CM_MAX_THUMBPRINTS && cm->thumbprint[i][0]; i++)
		strappendf(buf, n, "%s %s (line %lu)", i ? "," :
		    ", certificate thumbprint", cm->thumbprint[i],
		    cm->line_thumbprint[i]);
}

void
event_describe(const struct event *ev, char *buf, size_t n)
{
	char a[96], b[64];

	buf[0] = '\0';
	switch (ev->type) {
	case EV_DNS:
		snprintf(buf, n, "DNS %s %s: %s%s%s", nz(dns_type_name(ev->qtype)),
		    ev->name, nz(dns_rcode_name(ev->rcode)),
		    ev->text[0] ? ", " : ", no answer", ev->text);
		break;
	case EV_CONNECT_FAIL:
		snprintf(buf, n, "connection to %s %s%s%s: %s%s%s",
		    role_name(ev->to), ev->name, ev->peer[0] ? " at " : "",
		    ev->peer, conn_fail_name(ev->status, ev->to),
		    ev->text[0] ? " - " : "", ev->text);
		break;
	case EV_HTTP_REQUEST:
		snprintf(buf, n, "request %s%s%s", ev->text,
		    ev->name[0] ? " with Authorization: " : " without credentials",
		    ev->name);
		break;
	case EV_HTTP_RESPONSE:
		snprintf(buf, n, "HTTP %d to the %s request%s%s%s%s",
		    ev->status, ev->name[0] ? ev->name : "anonymous",
		    ev->value[0] ? " (ticket " : "", ev->value,
		    ev->value[0] ? ")" : "", "");
		if (ev->text[0])
			strappendf(buf, n, "; WWW-Authenticate: %s", ev->text);
		else if (ev->status == 401)
			strappendf(buf, n, "; no WWW-Authenticate header");
		if (!isnan(ev->offset))
			strappendf(buf, n, "; Date header %+.0f s from ours",
			    whole(ev->offset));
		break;
	case EV_KRB_REQUEST:
		snprintf(buf, n, "%s%s%s sent to a KDC of %s%s%s",
		    nz(krb_msg_name(ev->msg_type)), ev->name[0] ? " for " : "",
		    ev->name, ev->realm, ev->peer[0] ? " at " : "", ev->peer);
		if (ev->msg_type == 10 && ev->value[0])
			strappendf(buf, n, " by %s", ev->value);
		break;
	case EV_KRB_REPLY:
		key_text(ev, a, sizeof(a));
		snprintf(buf, n, "%s from %s: ticket for %s%s%s%s",
		    nz(krb_msg_name(ev->msg_type)), ev->realm, ev->name,
		    a[0] ? " (" : "", a[0] ? a + 2 : "", a[0] ? ")" : "");
		break;
	case EV_KRB_REFERRAL:
		snprintf(buf, n, "KDC of %s referred the client to realm %s",
		    ev->realm, ev->value);
		break;
	case EV_KRB_ERROR:
		krb_error_text(ev, a, sizeof(a));
		snprintf(buf, n, "%s from the %s%s%s%s", a,
		    ev->from == ROLE_MP ? "MP" : ev->realm[0] ? "KDC of " :
		    "KDC", ev->from == ROLE_MP ? "" : ev->realm,
		    ev->name[0] ? " for " : "", ev->name);
		if (ev->stime >= 0) {
			format_time((double)ev->stime, b, sizeof(b));
			strappendf(buf, n, " (server time %s)", b);
		}
		if (ev->ntstatus)
			strappendf(buf, n, " NTSTATUS 0x%08X", ev->ntstatus);
		if (ev->text[0])
			strappendf(buf, n, ": %s", ev->text);
		break;
	case EV_KRB_FALLBACK:
		snprintf(buf, n, "no referral came from %s; MIT Kerberos "
		    "guessed realm %s from the host name (Windows does not)",
		    ev->realm, ev->value);
		break;
	case EV_KDC_UNREACHABLE:
		snprintf(buf, n, "no KDC of %s answered%s%s", ev->realm,
		    ev->text[0] ? ": " : "", ev->text);
		break;
	case EV_REALM_UNKNOWN:
		snprintf(buf, n, "no KDC can be located for %s%s%s", ev->realm,
		    ev->text[0] ? ": " : "", ev->text);
		break;
	case EV_TICKET:
		key_text(ev, a, sizeof(a));
		snprintf(buf, n, "service ticket %s@%s%s", ev->name, ev->realm,
		    a);
		break;
	case EV_GSS_STATUS:
		gss_major_text(ev->major, a, sizeof(a));
		snprintf(buf, n, "GSS-API %s: %s", ev->name, a);
		if (ev->minor) {
			/* MIT's minor codes are signed 32-bit com_err codes */
			long minor = (long)(int32_t)(uint32_t)ev->minor;

			strappendf(buf, n, ", minor %ld", minor);
			if (ev->code >= 0 && krb_err_name(ev->code))
				strappendf(buf, n, " KRB5%s",
				    krb_err_name(ev->code));
		}
		if (ev->text[0] && strcmp(ev->text, "complete") != 0)
			strappendf(buf, n, ": %s", ev->text);
		break;
	case EV_SPNEGO_REPLY:
		snprintf(buf, n, "MP's Negotiate token%s%s: %s", 
		    ev->name[0] ? " for " : "", ev->name, ev->text);
		break;
	case EV_RESOLVE:
		switch (ev->status) {
		case RESOLVE_ADDRESS:
			snprintf(buf, n, "the MP is named by %s%s: no SPN can "
			    "name it%s%s", ev->name, strchr(ev->name, '.') ||
			    strchr(ev->name, ':') ? ", an address" :
			    ", this machine's own name", ev->text[0] ?
			    "; it resolves to " : "", ev->text);
			break;
		case RESOLVE_HOSTS_ONLY:
			snprintf(buf, n, "this machine resolves %s to %s, but "
			    "DNS has no address for %s (hosts file)", ev->name,
			    ev->text, ev->value);
			break;
		case RESOLVE_NONE:
			snprintf(buf, n, "the system resolver does not know %s",
			    ev->name);
			break;
		default:
			snprintf(buf, n, "the system resolver gives %s for %s",
			    ev->text[0] ? ev->text : "no address", ev->name);
			break;
		}
		if (ev->status != RESOLVE_ADDRESS && ev->value[0] &&
		    strcasecmp(ev->value, ev->name) != 0)
			strappendf(buf, n, "; qualified as %s", ev->value);
		break;
	case EV_IDENTITY:
		snprintf(buf, n, "the client acts as %s (from the %s)%s",
		    ev->name, ev->value[0] ? ev->value : "credentials",
		    ev->status ? ", a machine account" : ": a user, not the "
		    "machine account (NAME$) a client registers as");
		break;
	case EV_NO_CREDENTIALS:
		snprintf(buf, n, "no credentials: %s", ev->text[0] ? ev->text :
		    "nothing to authenticate with");
		break;
	case EV_CLOCK:
		snprintf(buf, n, "clock of the %s %s: %+.1f s from the client's "
		    "(+/- %.1f s)%s%s", role_name(ev->to), ev->name,
		    tenths(ev->offset), ev->uncertainty, ev->text[0] ? "; " : "",
		    ev->text);
		break;
	case EV_IIS_REQUEST:
		snprintf(buf, n, "IIS: %s from %s%s%s answered %d.%d, "
		    "sc-win32-status %u (0x%08X)%s%s", ev->value, ev->peer,
		    ev->name[0] ? " as " : " anonymous", ev->name, ev->status,
		    ev->iis.substatus, ev->iis.win32, ev->iis.win32,
		    ev->text[0] ? " " : "", ev->text);
		break;
	case EV_SPN_OWNER:
		if (!ev->value[0]) {
			snprintf(buf, n, "directory of %s: no account holds %s",
			    ev->realm, ev->name);
			break;
		}
		snprintf(buf, n, "directory of %s: %s is held by %s %s "
		    "(sAMAccountType %d, msDS-KeyVersionNumber %d", ev->realm,
		    ev->name, ev->text, ev->value, ev->spn.sam_type,
		    ev->spn.kvno);
		if (ev->spn.enctypes >= 0)
			strappendf(buf, n, ", msDS-SupportedEncryptionTypes "
			    "0x%lx)", (unsigned long)ev->spn.enctypes);
		else
			strappendf(buf, n, ", msDS-SupportedEncryptionTypes "
			    "unset)");
		break;
	case EV_TRUST:
		snprintf(buf, n, "directory of %s: %s trust with %s, "
		    "direction %s (trustType %d, trustAttributes 0x%x%s)",
		    ev->realm, ev->value, ev->name,
		    trust_direction_name(ev->trust.direction), ev->trust.type,
		    ev->trust.attributes, ev->trust.forest_info ?
		    ", msDS-TrustForestTrustInfo" : "");
		break;
	case EV_DIRECTORY:
		snprintf(buf, n, "directory of %s at %s: forest functional "
		    "level %d, domain functional level %d%s%s", ev->realm,
		    ev->name, ev->dir.forest_level, ev->dir.domain_level,
		    ev->text[0] ? "; " : "", ev->text);
		break;
	case EV_DIRECTORY_UNAVAILABLE:
		snprintf(buf, n, "directory check \"%s\" could not run%s%s: "
		    "%s", ev->name, ev->peer[0] ? " against " : "", ev->peer,
		    ev->text);
		break;
	case EV_MP_QUERY:
		snprintf(buf, n, "%s answered HTTP %d%s%s%s%s", ev->name,
		    ev->status, ev->value[0] ? " (" : "", ev->value,
		    ev->value[0] ? ")" : "", ev->text[0] ? ": " : "");
		strappendf(buf, n, "%s", ev->text);
		break;
	case EV_CM_IDENTITY:
		cm_identity_text(ev, buf, n);
		break;
	case EV_INPUT:
		snprintf(buf, n, "%s (%s) %s: %s", ev->name, ev->value[0] ?
		    ev->value : "unknown", ev->status == INPUT_CUT ?
		    "is cut short" : "could not be read", ev->text);
		break;
	case EV_NOTE:
	case EV_CAPTURE:
	case EV_CM_RECORD:
	case EV_SQL_REGISTRATION:
	case EV_MP_CERT:
	case EV_MP_SSL_STATE:
	case EV_REG_REPLY:
	case EV_REG_SIGNATURE:
	case EV_TLS_FAILURE:
	default:
		snprintf(buf, n, "%s", ev->text);
		break;
	}
}
