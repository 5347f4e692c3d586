/* event.c - events and their one-line description. */
#include <math.h>
#include <stdio.h>
#include <string.h>

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
	ev->offset = NAN;
	ev->uncertainty = 0;
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
		"directory-unavailable", "mp-query", "input",
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
conn_fail_name(int kind)
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
		return "invalid HTTP reply";
	default:
		return "failed";
	}
}

static void
krb_error_text(const struct event *ev, char *buf, size_t n)
{
	const char *name = krb_err_name(ev->code);

	snprintf(buf, n, "KRB-ERROR %d %s", ev->code, name ? name : "");
}

static void
etype_text(const struct event *ev, char *buf, size_t n)
{
	const char *name = krb_etype_name(ev->etype);

	if (ev->etype < 0)
		snprintf(buf, n, "etype unknown");
	else
		snprintf(buf, n, "etype %d %s", ev->etype, name ? name : "");
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
		    ev->peer, conn_fail_name(ev->status),
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
			    ev->offset);
		break;
	case EV_KRB_REQUEST:
		snprintf(buf, n, "%s for %s sent to a KDC of %s%s%s",
		    nz(krb_msg_name(ev->msg_type)), ev->name, ev->realm,
		    ev->peer[0] ? " at " : "", ev->peer);
		break;
	case EV_KRB_REPLY:
		etype_text(ev, a, sizeof(a));
		snprintf(buf, n, "%s from %s: ticket for %s (%s, kvno %d)",
		    nz(krb_msg_name(ev->msg_type)), ev->realm, ev->name, a,
		    ev->kvno);
		break;
	case EV_KRB_REFERRAL:
		snprintf(buf, n, "KDC of %s referred the client to realm %s",
		    ev->realm, ev->value);
		break;
	case EV_KRB_ERROR:
		krb_error_text(ev, a, sizeof(a));
		snprintf(buf, n, "%s from the %s%s%s%s%s", a,
		    ev->from == ROLE_MP ? "MP" : "KDC of ",
		    ev->from == ROLE_MP ? "" : ev->realm,
		    ev->name[0] ? " for " : "", ev->name,
		    ev->peer[0] ? "" : "");
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
		etype_text(ev, a, sizeof(a));
		snprintf(buf, n, "service ticket %s@%s, %s, kvno %d", ev->name,
		    ev->realm, a, ev->kvno);
		break;
	case EV_GSS_STATUS:
		snprintf(buf, n, "GSS-API %s: major 0x%lx minor %lu%s%s",
		    ev->name, ev->major, ev->minor, ev->text[0] ? ": " : "",
		    ev->text);
		break;
	case EV_SPNEGO_REPLY:
		snprintf(buf, n, "MP's Negotiate token%s%s: %s", 
		    ev->name[0] ? " for " : "", ev->name, ev->text);
		break;
	case EV_CLOCK:
		snprintf(buf, n, "clock of the %s %s: %+.1f s from the client's "
		    "(+/- %.1f s)%s%s", role_name(ev->to), ev->name, ev->offset,
		    ev->uncertainty, ev->text[0] ? "; " : "", ev->text);
		break;
	case EV_IIS_REQUEST:
		snprintf(buf, n, "IIS: %s from %s%s%s answered %d.%d, "
		    "sc-win32-status %u (0x%08X)%s%s", ev->value, ev->peer,
		    ev->name[0] ? " as " : " anonymous", ev->name, ev->status,
		    ev->code, ev->ntstatus, ev->ntstatus,
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
		    ev->name, ev->text, ev->value, ev->status, ev->kvno);
		if (ev->etype >= 0)
			strappendf(buf, n, ", msDS-SupportedEncryptionTypes "
			    "0x%x)", (unsigned)ev->etype);
		else
			strappendf(buf, n, ", msDS-SupportedEncryptionTypes "
			    "unset)");
		break;
	case EV_TRUST:
		snprintf(buf, n, "directory of %s: %s trust with %s, "
		    "direction %s (trustType %d, trustAttributes 0x%x%s)",
		    ev->realm, ev->value, ev->name,
		    trust_direction_name(ev->qtype), ev->code,
		    (unsigned)ev->status, ev->has_token > 0 ?
		    ", msDS-TrustForestTrustInfo" : "");
		break;
	case EV_DIRECTORY:
		snprintf(buf, n, "directory of %s at %s: forest functional "
		    "level %d, domain functional level %d%s%s", ev->realm,
		    ev->name, ev->code, ev->rcode, ev->text[0] ? "; " : "",
		    ev->text);
		break;
	case EV_DIRECTORY_UNAVAILABLE:
		snprintf(buf, n, "directory check \"%s\" could not run%s%s: "
		    "%s", ev->name, ev->peer[0] ? " against " : "", ev->peer,
		    ev->text);
		break;
	case EV_NO_CREDENTIALS:
	case EV_MP_QUERY:
		snprintf(buf, n, "%s answered HTTP %d%s%s%s%s", ev->name,
		    ev->status, ev->value[0] ? " (" : "", ev->value,
		    ev->value[0] ? ")" : "", ev->text[0] ? ": " : "");
		strappendf(buf, n, "%s", ev->text);
		break;
	case EV_INPUT:
		snprintf(buf, n, "%s (%s) %s: %s", ev->name, ev->value[0] ?
		    ev->value : "unknown", ev->status == INPUT_CUT ?
		    "is cut short" : "could not be read", ev->text);
		break;
	case EV_NOTE:
	case EV_CAPTURE:
	default:
		snprintf(buf, n, "%s", ev->text);
		break;
	}
}
