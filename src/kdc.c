/* kdc.c - ccmdiag's own KDC transport (see kdc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "error.h"
#include "kdc.h"
#include "krb.h"
#include "proto.h"
#include "resolver.h"
#include "util.h"

#define KDC_ERR_SVC_UNAVAILABLE 29
#define MAX_ADDRS 4

static const char origin_conf[] = "krb5.conf";
static const char origin_srv[] = "DNS SRV";

static void
add_server(struct kdc_list *l, const char *host, const char *addr, int port,
    enum netx_proto proto, const char *origin)
{
	struct kdc_server *s;
	int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->s[i].addr, addr) == 0 && l->s[i].port == port &&
		    l->s[i].proto == proto)
			return;
	if (l->n >= KDC_MAX_SERVERS)
		return;
	s = &l->s[l->n++];
	strlcpy0(s->host, host, sizeof(s->host));
	strlcpy0(s->addr, addr, sizeof(s->addr));
	s->port = port;
	s->proto = proto;
	s->origin = origin;
}

/* host's addresses, as the system resolves it, by the deadline. */
static int
addresses(const char *host, double deadline, char out[][64], int *n)
{
	*n = 0;
	if (is_ip_literal(host)) {
		strlcpy0(out[0], host, 64);
		*n = 1;
		return 0;
	}
	return resolver_system(host, out, MAX_ADDRS, n, NULL, 0, deadline);
}

static void
add_host(struct kdc_list *l, const char *host, int port, int udp, int tcp,
    const char *origin, double deadline)
{
	char addrs[MAX_ADDRS][64];
	int n, i, r;

	if ((r = addresses(host, deadline, addrs, &n)) != 0) {
		if (r == ERR_TIMEOUT)
			l->timed_out = 1;
		strappendf(l->why, sizeof(l->why), "%s%s %s:%d does not "
		    "resolve (%s)", l->why[0] ? "; " : "", origin, host, port,
		    err_str(r));
		return;
	}
	for (i = 0; i < n; i++) {
		if (udp)
			add_server(l, host, addrs[i], port, NETX_UDP, origin);
		if (tcp)
			add_server(l, host, addrs[i], port, NETX_TCP, origin);
	}
}

/* One krb5.conf kdc line: [udp/|tcp/]host[:port], "[v6]:port", or a
 * bare IPv6 address.  0, or -1 for a form ccmdiag does not speak. */
static int
parse_conf(const char *line, char *host, size_t hn, int *port, int *udp,
    int *tcp)
{
	char buf[256], *p = buf, *c;

	strlcpy0(buf, line, sizeof(buf));
	*port = KDC_PORT;
	*udp = *tcp = 1;
	if (strncasecmp(p, "udp/", 4) == 0) {
		*tcp = 0;
		p += 4;
	} else if (strncasecmp(p, "tcp/", 4) == 0) {
		*udp = 0;
		p += 4;
	} else if (strstr(p, "://") != NULL || strncasecmp(p, "kkdcp", 5) ==
	    0) {
		return -1;	/* MS-KKDCP over HTTPS */
	}
	if (*p == '[') {
		if ((c = strchr(p, ']')) == NULL)
			return -1;
		*c = '\0';
		if (c[1] == ':')
			*port = atoi(c + 2);
		p++;
	} else if ((c = strchr(p, ':')) != NULL && strchr(c + 1, ':') ==
	    NULL) {
		*c = '\0';
		*port = atoi(c + 1);
	}
	if (*port <= 0 || *port > 65535 || !*p)
		return -1;
	strlcpy0(host, p, hn);
	return 0;
}

struct srv {
	int prio, weight, port;
	char target[256];
};

static int
srv_cmp(const void *a, const void *b)
{
	const struct srv *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return y->weight - x->weight;
}

/* _kerberos._udp or _kerberos._tcp of realm, as servers of proto. */
static void
add_srv(struct kdc_list *l, const char *realm, enum netx_proto proto,
    double deadline)
{
	struct resolver_trace tr;
	struct dns_msg msg;
	struct srv srv[32];
	uint8_t buf[4096];
	char name[300];
	int n, i, k = 0;
	size_t len;

	snprintf(name, sizeof(name), "_kerberos.%s.%.200s", proto == NETX_UDP ?
	    "_udp" : "_tcp", realm);
	n = resolver_query(name, DNS_T_SRV, buf, sizeof(buf), deadline, &tr);
	if (n < 0) {
		if (tr.err == ERR_TIMEOUT)
			l->timed_out = 1;
		strappendf(l->why, sizeof(l->why), "%sSRV %s: %s%s%s",
		    l->why[0] ? "; " : "", name, err_str(tr.err),
		    tr.text[0] ? ": " : "", tr.text);
		return;
	}
	if (dns_decode(buf, (size_t)n, &msg) != 0 || msg.rcode != DNS_R_NOERROR)
		return;
	for (i = 0; i < msg.n_an && k < 32; i++) {
		if (msg.an[i].type != DNS_T_SRV || sscanf(msg.an[i].data,
		    "%d %d %d %255s", &srv[k].prio, &srv[k].weight,
		    &srv[k].port, srv[k].target) != 4)
			continue;
		len = strlen(srv[k].target);
		if (len > 0 && srv[k].target[len - 1] == '.')
			srv[k].target[--len] = '\0';
		/* "." says no service here (RFC 2782) */
		if (len > 0 && srv[k].port > 0)
			k++;
	}
	qsort(srv, (size_t)k, sizeof(srv[0]), srv_cmp);
	for (i = 0; i < k; i++)
		add_host(l, srv[i].target, srv[i].port, proto == NETX_UDP,
		    proto == NETX_TCP, origin_srv, deadline);
}

/* UDP servers first, each group in the order found. */
static void
udp_first(struct kdc_list *l)
{
	struct kdc_server tmp[KDC_MAX_SERVERS];
	int i, k = 0;

	for (i = 0; i < l->n; i++)
		if (l->s[i].proto == NETX_UDP)
			tmp[k++] = l->s[i];
	for (i = 0; i < l->n; i++)
		if (l->s[i].proto == NETX_TCP)
			tmp[k++] = l->s[i];
	memcpy(l->s, tmp, sizeof(tmp[0]) * (size_t)k);
}

int
kdc_locate(const char *realm, char cfg[][256], int ncfg, int dns,
    double deadline, struct kdc_list *out)
{
	char host[256];
	int i, port, udp, tcp, skipped = 0;

	memset(out, 0, sizeof(*out));
	strlcpy0(out->realm, realm, sizeof(out->realm));
	for (i = 0; i < ncfg; i++) {
		if (parse_conf(cfg[i], host, sizeof(host), &port, &udp,
		    &tcp) != 0) {
			skipped++;
			strappendf(out->why, sizeof(out->why), "%skrb5.conf kdc "
			    "= %.100s: not a form ccmdiag sends to",
			    out->why[0] ? "; " : "", cfg[i]);
			continue;
		}
		add_host(out, host, port, udp, tcp, origin_conf, deadline);
	}
	if (ncfg == 0 && dns) {
		add_srv(out, realm, NETX_UDP, deadline);
		add_srv(out, realm, NETX_TCP, deadline);
	}
	udp_first(out);
	if (out->n > 0)
		return 0;
	if (!out->why[0])
		snprintf(out->why, sizeof(out->why), "%s", ncfg ? "no kdc line "
		    "of krb5.conf names a usable host" : dns ? "no _kerberos "
		    "SRV record" : "no kdc line in krb5.conf and "
		    "dns_lookup_kdc is off");
	return ERR_NOT_FOUND;
}

static int
request_type(const uint8_t *req, size_t len)
{
	if (len == 0)
		return -1;
	/* [APPLICATION 10] and [APPLICATION 12], constructed */
	return req[0] == 0x6a ? KRB_AS_REQ : req[0] == 0x6c ? KRB_TGS_REQ : -1;
}

/*
 * Is this the reply?  1 yes; 0 with a->garbage or a->krb_error saying why
 * the exchange goes on.
 */
static int
take_reply(struct kdc_attempt *a, int req_type, const uint8_t *p, size_t n)
{
	struct krb_msg m;
	int r, want = req_type == KRB_AS_REQ ? KRB_AS_REP : req_type ==
	    KRB_TGS_REQ ? KRB_TGS_REP : -1;

	if ((r = krb_decode(p, n, &m)) != 0) {
		snprintf(a->garbage, sizeof(a->garbage), "answered garbage: "
		    "%zu bytes that are no Kerberos message (%s)", n, err_str(r));
		return 0;
	}
	if (m.msg_type == KRB_ERROR) {
		if ((m.error_code == KRB_ERR_RESPONSE_TOO_BIG &&
		    a->server.proto == NETX_UDP) ||
		    m.error_code == KDC_ERR_SVC_UNAVAILABLE) {
			a->krb_error = m.error_code;
			snprintf(a->garbage, sizeof(a->garbage), "KRB-ERROR %d "
			    "%s", m.error_code, krb_err_name(m.error_code));
			return 0;
		}
		return 1;
	}
	if (want < 0 || m.msg_type == want)
		return 1;
	snprintf(a->garbage, sizeof(a->garbage), "answered garbage: %s "
	    "(msg-type %d) to %s", krb_msg_name(m.msg_type) ?
	    krb_msg_name(m.msg_type) : "a message", m.msg_type,
	    krb_msg_name(req_type));
	return 0;
}

/* One server until `until`; 0 with the reply, else the error. */
static int
attempt(struct kdc_exchange *x, const struct kdc_server *s,
    enum netx_proto proto, const uint8_t *req, size_t len, double until,
    uint8_t **reply, size_t *rlen)
{
	struct kdc_attempt *a = &x->a[x->n++];
	uint8_t *p = NULL;
	size_t n = 0;
	int r;

	memset(a, 0, sizeof(*a));
	a->server = *s;
	a->server.proto = proto;
	a->krb_error = -1;
	r = netx_exchange(s->addr, s->port, proto, 4, req, len, KDC_MAX_REPLY,
	    until, NULL, NULL, &p, &n, &a->res);
	if (r != 0)
		return r;
	if (!take_reply(a, x->msg_type, p, n)) {
		free(p);
		return a->krb_error >= 0 ? ERR_REFUSED : ERR_MALFORMED;
	}
	*reply = p;
	*rlen = n;
	x->answered = x->n - 1;
	return 0;
}

/* The kind of failure the attempts add up to (enum conn_fail). */
static int
failure_kind(const struct kdc_exchange *x)
{
	int i, silent = 0, refused = 0;

	for (i = 0; i < x->n; i++) {
		switch (x->a[i].res.outcome) {
		case NETX_ANSWERED:
			if (x->a[i].krb_error < 0)
				return CONN_PROTOCOL;
			break;
		case NETX_CUT:
		case NETX_OVERSIZED:
		case NETX_REJECTED:
			return CONN_PROTOCOL;
		case NETX_SILENT:
		case NETX_PARTIAL:
			silent++;
			break;
		case NETX_REFUSED:
			refused++;
			break;
		default:
			break;
		}
	}
	return silent || x->n == 0 ? CONN_TIMEOUT : refused ? CONN_REFUSED :
	    CONN_OTHER;
}

/* Is there a TCP server in l after index i? */
static int
tcp_later(const struct kdc_list *l, int i)
{
	for (i++; i < l->n; i++)
		if (l->s[i].proto == NETX_TCP)
			return 1;
	return 0;
}

int
kdc_send(const struct kdc_list *l, const uint8_t *req, size_t len,
    double deadline, uint8_t **reply, size_t *rlen, struct kdc_exchange *x)
{
	const struct kdc_server *s;
	double left, wait, until;
	int i, r, kind, tcp_only = 0;

	*reply = NULL;
	*rlen = 0;
	memset(x, 0, sizeof(*x));
	x->answered = -1;
	x->msg_type = request_type(req, len);
	for (i = 0; i < l->n && x->n < KDC_MAX_ATTEMPTS; i++) {
		s = &l->s[i];
		if (tcp_only && s->proto == NETX_UDP)
			continue;
		if ((left = deadline - now_mono()) <= 0) {
			x->at_deadline = 1;
			break;
		}
		wait = left / (l->n - i);
		if (s->proto == NETX_UDP && wait > KDC_UDP_WAIT)
			wait = KDC_UDP_WAIT;
		until = i == l->n - 1 ? deadline : now_mono() + wait;
		r = attempt(x, s, s->proto, req, len, until, reply, rlen);
		if (r == 0)
			return 0;
		if (x->a[x->n - 1].krb_error == KRB_ERR_RESPONSE_TOO_BIG) {
			/* the KDC says: ask again over TCP, as MIT does (the
			 * TCP servers of the list, else this one) */
			tcp_only = 1;
			if (tcp_later(l, i))
				continue;
			until = deadline;
			if ((r = attempt(x, s, NETX_TCP, req, len, until,
			    reply, rlen)) == 0)
				return 0;
		}
		x->at_deadline = x->a[x->n - 1].res.at_deadline &&
		    until >= deadline;
	}
	kind = failure_kind(x);
	return kind == CONN_PROTOCOL ? ERR_MALFORMED : kind == CONN_REFUSED ?
	    ERR_REFUSED : ERR_TIMEOUT;
}

static void
attempt_text(const struct kdc_attempt *a, char *buf, size_t n)
{
	char what[200];
	int named = strcmp(a->server.host, a->server.addr) != 0;

	if (a->garbage[0])
		strlcpy0(what, a->garbage, sizeof(what));
	else
		netx_describe(&a->res, a->server.proto, what, sizeof(what));
	snprintf(buf, n, "%s %s:%d", netx_proto_name(a->server.proto),
	    a->server.addr, a->server.port);
	if (named)
		strappendf(buf, n, " (%s)", a->server.host);
	strappendf(buf, n, ": %s", what);
}

void
kdc_describe(const struct kdc_exchange *x, char *buf, size_t n)
{
	char one[400];
	int i;

	buf[0] = '\0';
	for (i = 0; i < x->n; i++) {
		if (i == x->answered)
			continue;
		attempt_text(&x->a[i], one, sizeof(one));
		strappendf(buf, n, "%s%s", buf[0] ? "; " : "", one);
	}
	if (x->n == 0)
		snprintf(buf, n, "no time was left to ask");
	else if (x->at_deadline)
		strappendf(buf, n, " (the time allowed ran out)");
}

void
kdc_events(const struct kdc_list *l, const struct kdc_exchange *x,
    void (*emit)(void *arg, struct event *ev), void *arg)
{
	struct event ev;
	int i;

	if (x->answered < 0) {
		event_init(&ev, EV_KDC_UNREACHABLE);
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_KDC;
		ev.msg_type = x->msg_type;
		ev.status = failure_kind(x);
		strlcpy0(ev.realm, l->realm, sizeof(ev.realm));
		if (x->n > 0) {
			strlcpy0(ev.name, x->a[0].server.host, sizeof(ev.name));
			strlcpy0(ev.peer, x->a[0].server.addr, sizeof(ev.peer));
			ev.port = x->a[0].server.port;
		}
		if (x->at_deadline)
			ev.flags |= EVF_DEADLINE;
		kdc_describe(x, ev.text, sizeof(ev.text));
		emit(arg, &ev);
		return;
	}
	for (i = 0; i < x->answered; i++) {
		const struct kdc_attempt *a = &x->a[i];

		if (a->krb_error == KRB_ERR_RESPONSE_TOO_BIG)
			continue;	/* the protocol's normal detour */
		event_init(&ev, EV_CONNECT_FAIL);
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_KDC;
		ev.status = a->res.outcome == NETX_REFUSED ? CONN_REFUSED :
		    a->res.outcome == NETX_SILENT ? CONN_TIMEOUT :
		    a->krb_error >= 0 ? CONN_OTHER : CONN_PROTOCOL;
		strlcpy0(ev.realm, l->realm, sizeof(ev.realm));
		strlcpy0(ev.name, a->server.host, sizeof(ev.name));
		strlcpy0(ev.peer, a->server.addr, sizeof(ev.peer));
		ev.port = a->server.port;
		attempt_text(a, ev.text, sizeof(ev.text));
		strappendf(ev.text, sizeof(ev.text), "; %s:%d answered next",
		    x->a[x->answered].server.addr,
		    x->a[x->answered].server.port);
		emit(arg, &ev);
	}
}
