/*
 * exchange_mp.c - which servers in offline evidence are management
 * points, and which events belong to a client's exchange with one: what
 * makes a request ConfigMgr's, the names and addresses that lead to it,
 * the Kerberos and DNS on the way.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exchange.h"
#include "krb.h"
#include "proto.h"
#include "util.h"

/* ---- names ---------------------------------------------------------------- */

int
exch_same_name(const char *a, const char *b)
{
	size_t la, lb;

	if (!a[0] || !b[0])
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* "HTTP/mp.example.com" -> "mp.example.com" (with its port cut off) */
void
exch_sname_host(const char *sname, char *host, size_t n)
{
	const char *slash = strchr(sname, '/');

	host[0] = '\0';
	if (slash == NULL || strchr(slash + 1, '/'))
		return;
	strlcpy0(host, slash + 1, n);
	host[strcspn(host, ":@")] = '\0';
}

int
exch_is_service(const char *sname, const char *svc)
{
	size_t n = strlen(svc);

	return strncasecmp(sname, svc, n) == 0 && sname[n] == '/';
}

/* ---- which servers are management points ---------------------------------- */

static struct mp *
mp_add(struct xstate *x, const char *addr, int port, const char *name)
{
	struct mp *m;
	int i;

	for (i = 0; i < x->n_mps; i++) {
		m = &x->mps[i];
		if (strcmp(m->addr, addr) == 0 && m->port == port &&
		    (exch_same_name(m->name, name) || !name[0])) {
			return m;
		}
		if (strcmp(m->addr, addr) == 0 && m->port == port &&
		    !m->name[0]) {
			strlcpy0(m->name, name, sizeof(m->name));
			return m;
		}
	}
	if (x->n_mps == MAX_MPS)
		return NULL;
	m = &x->mps[x->n_mps++];
	strlcpy0(m->addr, addr, sizeof(m->addr));
	m->port = port;
	strlcpy0(m->name, name, sizeof(m->name));
	return m;
}

int
exch_is_mp_name(const struct xstate *x, const char *name)
{
	char shortn[256];
	int i;

	for (i = 0; i < x->n_mps; i++) {
		if (exch_same_name(x->mps[i].name, name))
			return 1;
		/* a short name the client qualified: mp <-> mp.ad.lab */
		strlcpy0(shortn, x->mps[i].name, sizeof(shortn));
		shortn[strcspn(shortn, ".")] = '\0';
		if (strchr(name, '.') == NULL && exch_same_name(shortn, name))
			return 1;
	}
	return 0;
}

/* Is addr:port a management point?  port -1: any port of it. */
static int
is_mp_server(const struct xstate *x, const char *addr, int port)
{
	int i;

	if (!addr[0])
		return 0;
	for (i = 0; i < x->n_mps; i++)
		if (strcmp(x->mps[i].addr, addr) == 0 &&
		    (x->mps[i].port < 0 || port < 0 ||
		    x->mps[i].port == port))
			return 1;
	return 0;
}

/* The addresses a DNS answer for name gave ("A 10.0.0.1; AAAA ..."), each
 * made an MP (any port) under that name. */
static void
mp_from_dns(struct xstate *x, const struct event *ev, const char *name)
{
	char buf[sizeof(ev->text)], *tok, *save = NULL;

	strlcpy0(buf, ev->text, sizeof(buf));
	for (tok = strtok_r(buf, ";", &save); tok;
	    tok = strtok_r(NULL, ";", &save)) {
		while (*tok == ' ')
			tok++;
		if (strncmp(tok, "A ", 2) == 0)
			mp_add(x, tok + 2, -1, name);
		else if (strncmp(tok, "AAAA ", 5) == 0)
			mp_add(x, tok + 5, -1, name);
	}
}

void
exch_find_mps(struct xstate *x)
{
	const struct report *r = x->r;
	size_t i;
	int k, n0;

	for (k = 0; k < r->n_mp_given; k++)
		mp_add(x, "", -1, r->mp_given[k]);
	/* what makes a request ConfigMgr's */
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->frame >= 0 && ev->type == EV_HTTP_REQUEST &&
		    (ev->flags & EVF_CCM))
			mp_add(x, ev->peer, ev->port, ev->host);
	}
	/* the names and addresses that lead to them: tickets presented to
	 * them, the MP names' DNS answers and CNAME targets */
	do {
		n0 = x->n_mps;
		for (i = 0; i < r->n_events; i++) {
			const struct event *ev = &r->events[i];
			char host[256];

			if (ev->frame < 0)
				continue;
			if (ev->type == EV_TICKET && is_mp_server(x, ev->peer,
			    ev->port)) {
				exch_sname_host(ev->name, host, sizeof(host));
				if (host[0] && !exch_is_mp_name(x, host))
					mp_add(x, ev->peer, ev->port, host);
			} else if (ev->type == EV_DNS && (ev->qtype == DNS_T_A ||
			    ev->qtype == DNS_T_AAAA) && ev->status > 0 &&
			    exch_is_mp_name(x, ev->name)) {
				mp_from_dns(x, ev, ev->name);
				if (ev->value[0] && !exch_same_name(ev->value,
				    ev->name) && !exch_is_mp_name(x, ev->value))
					mp_add(x, "", -1, ev->value);
			}
		}
	} while (x->n_mps != n0 && x->n_mps < MAX_MPS);
}

/* ---- which events belong to an MP exchange -------------------------------- */

/* The reverse name of an IPv4 address: "4.3.2.1.in-addr.arpa" */
int
exch_is_reverse_of_mp(const struct xstate *x, const char *qname)
{
	unsigned a, b, c, d;
	char addr[48];
	int i;

	if (sscanf(qname, "%u.%u.%u.%u.in-addr.arpa", &d, &c, &b, &a) != 4)
		return 0;
	snprintf(addr, sizeof(addr), "%u.%u.%u.%u", a, b, c, d);
	for (i = 0; i < x->n_mps; i++)
		if (strcmp(x->mps[i].addr, addr) == 0)
			return 1;
	return 0;
}

/*
 * REL_MP: the client's exchange with an MP itself (the windowsauth
 * request, its answer, the ticket in it, a failed connection to the MP).
 * REL_CONTEXT: what a client does on the way to the MP (the MP's tickets,
 * its TGT and the referrals, DNS for the MP and the KDCs).
 */
enum relevance
exch_relevance(const struct xstate *x, const struct event *ev)
{
	char host[256];

	if (ev->frame < 0 || !ev->client[0])
		return REL_NONE;
	switch (ev->type) {
	case EV_HTTP_REQUEST:
	case EV_HTTP_RESPONSE:
	case EV_TICKET:
	case EV_SPNEGO_REPLY:
		if (!is_mp_server(x, ev->peer, ev->port))
			return REL_NONE;
		/* the approval exchange: windowsauth, or Windows
		 * authentication on any path of the MP; the anonymous
		 * queries (.sms_aut) and ccm_system are its normal business */
		if ((ev->flags & EVF_WINDOWSAUTH) || ev->type == EV_TICKET ||
		    ((ev->type == EV_HTTP_REQUEST ||
		    ev->type == EV_HTTP_RESPONSE) && ev->name[0]) ||
		    (ev->type == EV_SPNEGO_REPLY && ev->name[0]))
			return REL_MP;
		return REL_NONE;
	case EV_CONNECT_FAIL:
		if (is_mp_server(x, ev->peer, ev->port) ||
		    ((ev->port == 80 || ev->port == 443) &&
		    is_mp_server(x, ev->peer, -1)))
			return REL_MP;
		return REL_NONE;
	case EV_KRB_ERROR:
		if (ev->from == ROLE_MP)
			return is_mp_server(x, ev->peer, ev->port) &&
			    ((ev->flags & EVF_WINDOWSAUTH) || ev->name[0]) ?
			    REL_MP : REL_NONE;
		/* FALLTHROUGH */
	case EV_KRB_REQUEST:
	case EV_KRB_REPLY:
		if (ev->type == EV_KRB_REQUEST && ev->msg_type == KRB_AS_REQ)
			return REL_CONTEXT;	/* a TGT */
		if (strncasecmp(ev->name, "krbtgt/", 7) == 0)
			return REL_CONTEXT;	/* TGT, referral chain */
		if (exch_is_service(ev->name, "HTTP") ||
		    exch_is_service(ev->name, "HOST")) {
			exch_sname_host(ev->name, host, sizeof(host));
			if (exch_is_mp_name(x, host))
				return REL_CONTEXT;
		}
		return REL_NONE;
	case EV_KRB_REFERRAL:
	case EV_KRB_FALLBACK:
	case EV_KDC_UNREACHABLE:
	case EV_CLOCK:
		return REL_CONTEXT;
	case EV_DNS:
		if (ev->qtype == DNS_T_SRV)
			return strncasecmp(ev->name, "_kerberos.", 10) == 0 ?
			    REL_CONTEXT : REL_NONE;
		if (ev->qtype == DNS_T_PTR)
			return exch_is_reverse_of_mp(x, ev->name) ? REL_CONTEXT :
			    REL_NONE;
		if ((ev->qtype == DNS_T_A || ev->qtype == DNS_T_AAAA ||
		    ev->qtype == DNS_T_CNAME) && exch_is_mp_name(x, ev->name))
			return REL_CONTEXT;
		return REL_NONE;
	default:
		return REL_NONE;
	}
}

void
exch_mp_summary(struct xstate *x)
{
	struct report *r = x->r;
	int i;

	for (i = 0; i < x->n_mps && !r->mp_name[0]; i++)
		if (x->mps[i].name[0])
			strlcpy0(r->mp_name, x->mps[i].name,
			    sizeof(r->mp_name));
	for (i = 0; i < x->n_mps && !r->mp_name[0]; i++)
		strlcpy0(r->mp_name, x->mps[i].addr, sizeof(r->mp_name));
}

