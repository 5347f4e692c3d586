/*
 * exchange.c - offline evidence as clients and attempts.
 *
 * A capture holds much besides the management point: browsers, updates,
 * file shares, other clients.  An exchange with an MP is recognised by what
 * makes it ConfigMgr's (a CCM_POST, a /ccm_system* or /SMS_MP path, CCM
 * message headers), or by the MP the user names (analyze --mp).  For each
 * client that talked to an MP, its events (the MP's HTTP, the Kerberos for
 * the MP's tickets and the TGT and referrals before them, the DNS for the
 * MP's name and the KDCs) are cut into attempts, and each attempt is
 * judged with the same rules as a live probe (engine_judge).  A client's
 * verdict is its latest attempt that reached an outcome; everything else
 * in the evidence is background, never the ground of an MP finding.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "krb.h"
#include "proto.h"
#include "util.h"

#define MAX_MPS 32
#define CUT_WINDOW 5.0		/* seconds before the end of its input
				 * within which an unfinished attempt was cut
				 * by the capture, not abandoned */
#define LONE_GAP 60.0		/* seconds of silence that part attempts
				 * with no HTTP (Kerberos only, --mp) */

/* A management point: a server address (and port) or a name. */
struct mp {
	char addr[48];		/* "" known by name only */
	int port;		/* -1 any */
	char name[256];		/* "" not known */
};

enum outcome { OUT_APPROVED, OUT_FAILING, OUT_INCOMPLETE, OUT_TRANSIENT };

/* A growing list of event indices. */
struct evlist {
	int *ev;
	size_t n, cap;
};

struct attempt {
	int *ev;		/* indices into the report's events */
	size_t n, cap;
	int has_request;	/* an HTTP request to the MP */
	int has_connfail;	/* a failed connection to the MP */
	int auth_ok;		/* an authenticated request answered 2xx */
	int reached;		/* the MP answered something */
	int krb;		/* it holds Kerberos traffic of its own */
	int why;		/* an earlier attempt whose failure explains
				 * this one's silence, or -1 */
	double t_first, t_last;	/* of its MP events, else of any */
	enum outcome out;
	struct report sub;	/* judged copy; findings index sub's events */
};

struct xclient {
	int first;		/* its first event: clients in evidence order */
	char addr[48];
	char user[128];
	struct attempt *at;
	size_t n_at, cap_at;
};

#define MAX_INPUTS 64

struct xstate {
	struct report *r;
	struct {
		char name[64];	/* a source's part before " frame N" */
		double end;	/* its last event's time */
	} inputs[MAX_INPUTS];
	int n_inputs;
	struct mp mps[MAX_MPS];
	int n_mps;
	struct xclient *cl;
	size_t n_cl, cap_cl;
	unsigned char *used;	/* per event: belongs to an attempt */
	unsigned char *rel;	/* per event: enum relevance */
};

/* ---- names ---------------------------------------------------------------- */

static int
same_name(const char *a, const char *b)
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
static void
sname_host(const char *sname, char *host, size_t n)
{
	const char *slash = strchr(sname, '/');

	host[0] = '\0';
	if (slash == NULL || strchr(slash + 1, '/'))
		return;
	strlcpy0(host, slash + 1, n);
	host[strcspn(host, ":@")] = '\0';
}

static int
is_service(const char *sname, const char *svc)
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
		    (same_name(m->name, name) || !name[0])) {
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

static int
is_mp_name(const struct xstate *x, const char *name)
{
	char shortn[256];
	int i;

	for (i = 0; i < x->n_mps; i++) {
		if (same_name(x->mps[i].name, name))
			return 1;
		/* a short name the client qualified: mp <-> mp.ad.lab */
		strlcpy0(shortn, x->mps[i].name, sizeof(shortn));
		shortn[strcspn(shortn, ".")] = '\0';
		if (strchr(name, '.') == NULL && same_name(shortn, name))
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

static void
find_mps(struct xstate *x)
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
				sname_host(ev->name, host, sizeof(host));
				if (host[0] && !is_mp_name(x, host))
					mp_add(x, ev->peer, ev->port, host);
			} else if (ev->type == EV_DNS && (ev->qtype == DNS_T_A ||
			    ev->qtype == DNS_T_AAAA) && ev->status > 0 &&
			    is_mp_name(x, ev->name)) {
				mp_from_dns(x, ev, ev->name);
				if (ev->value[0] && !same_name(ev->value,
				    ev->name) && !is_mp_name(x, ev->value))
					mp_add(x, "", -1, ev->value);
			}
		}
	} while (x->n_mps != n0 && x->n_mps < MAX_MPS);
}

/* ---- which events belong to an MP exchange -------------------------------- */

enum relevance { REL_NONE, REL_MP, REL_CONTEXT };

/* The reverse name of an IPv4 address: "4.3.2.1.in-addr.arpa" */
static int
is_reverse_of_mp(const struct xstate *x, const char *qname)
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
static enum relevance
relevance(const struct xstate *x, const struct event *ev)
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
		if (is_service(ev->name, "HTTP") ||
		    is_service(ev->name, "HOST")) {
			sname_host(ev->name, host, sizeof(host));
			if (is_mp_name(x, host))
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
			return is_reverse_of_mp(x, ev->name) ? REL_CONTEXT :
			    REL_NONE;
		if ((ev->qtype == DNS_T_A || ev->qtype == DNS_T_AAAA ||
		    ev->qtype == DNS_T_CNAME) && is_mp_name(x, ev->name))
			return REL_CONTEXT;
		return REL_NONE;
	default:
		return REL_NONE;
	}
}

/* ---- clients and their attempts -------------------------------------------- */

static struct xclient *
client_get(struct xstate *x, const char *addr)
{
	struct xclient *c;
	size_t i;

	for (i = 0; i < x->n_cl; i++)
		if (strcmp(x->cl[i].addr, addr) == 0)
			return &x->cl[i];
	if (x->n_cl == x->cap_cl) {
		size_t ncap = x->cap_cl ? x->cap_cl * 2 : 16;
		struct xclient *n = realloc(x->cl, ncap * sizeof(*n));

		if (n == NULL)
			return NULL;
		x->cl = n;
		x->cap_cl = ncap;
	}
	c = &x->cl[x->n_cl++];
	memset(c, 0, sizeof(*c));
	strlcpy0(c->addr, addr, sizeof(c->addr));
	return c;
}

static struct attempt *
attempt_new(struct xclient *c)
{
	struct attempt *a;

	if (c->n_at == c->cap_at) {
		size_t ncap = c->cap_at ? c->cap_at * 2 : 4;
		struct attempt *n = realloc(c->at, ncap * sizeof(*n));

		if (n == NULL)
			return NULL;
		c->at = n;
		c->cap_at = ncap;
	}
	a = &c->at[c->n_at++];
	memset(a, 0, sizeof(*a));
	a->t_first = NAN;
	return a;
}

static void
evlist_push(int **ev, size_t *n, size_t *cap, int i)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		int *nv = realloc(*ev, ncap * sizeof(*nv));

		if (nv == NULL)
			return;
		*ev = nv;
		*cap = ncap;
	}
	(*ev)[(*n)++] = i;
}

static void
attempt_push(struct attempt *a, int ev)
{
	evlist_push(&a->ev, &a->n, &a->cap, ev);
}

/* Context events waiting to learn which attempt they lead to. */
static void
pending_flush(struct evlist *p, struct attempt *a)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		attempt_push(a, p->ev[i]);
	p->n = 0;
}

/* Does MP event ev start a new attempt after a? */
static int
starts_attempt(const struct attempt *a, const struct event *ev)
{
	if (a == NULL)
		return 1;
	if (ev->type == EV_HTTP_REQUEST) {
		if (!ev->name[0])	/* anonymous: the exchange's start */
			return a->has_request || a->has_connfail;
		return a->auth_ok;	/* after a success, a new one */
	}
	if (ev->type == EV_CONNECT_FAIL)
		return a->has_request || a->has_connfail;
	return 0;
}

static void
attempt_note(struct attempt *a, const struct event *ev)
{
	if (isnan(a->t_first))
		a->t_first = ev->t;
	a->t_last = ev->t;
	switch (ev->type) {
	case EV_HTTP_REQUEST:
		a->has_request = 1;
		break;
	case EV_CONNECT_FAIL:
		if (ev->status != CONN_INCOMPLETE)
			a->has_connfail = 1;
		break;
	case EV_HTTP_RESPONSE:
		a->reached = 1;
		if (ev->name[0] && strcasecmp(ev->name, "Negotiate") == 0 &&
		    ev->status >= 200 && ev->status < 300)
			a->auth_ok = 1;
		break;
	default:
		break;
	}
}

/* Events of one client in evidence order (the order they were read). */
static void
split_attempts(struct xstate *x, struct xclient *c, const int *evs, size_t n)
{
	const struct report *r = x->r;
	struct attempt *cur = NULL;
	struct evlist pend = { NULL, 0, 0 };
	int has_mp = 0;
	double t_prev = NAN;
	size_t i;

	for (i = 0; i < n; i++)
		if (x->rel[evs[i]] == REL_MP)
			has_mp = 1;
	for (i = 0; i < n; i++) {
		const struct event *ev = &r->events[evs[i]];

		if (!has_mp) {
			/* Kerberos and DNS only (the user named the MP):
			 * silence parts attempts */
			if (cur == NULL || (!isnan(t_prev) &&
			    ev->t - t_prev > LONE_GAP))
				cur = attempt_new(c);
			if (cur == NULL)
				break;
			attempt_push(cur, evs[i]);
			if (isnan(cur->t_first))
				cur->t_first = ev->t;
			cur->t_last = ev->t;
			t_prev = ev->t;
			continue;
		}
		if (x->rel[evs[i]] != REL_MP) {
			evlist_push(&pend.ev, &pend.n, &pend.cap, evs[i]);
			continue;
		}
		if (starts_attempt(cur, ev) && (cur = attempt_new(c)) == NULL)
			break;
		pending_flush(&pend, cur);
		attempt_push(cur, evs[i]);
		attempt_note(cur, ev);
	}
	if (cur && pend.n)
		pending_flush(&pend, cur);	/* what followed the last */
	free(pend.ev);
}

/* ---- judging an attempt ----------------------------------------------------- */

/* The input an event came from: its source up to " frame N" ("" when
 * the source is just "frame N"). */
static size_t
input_prefix(const struct event *ev)
{
	const char *sep = strstr(ev->source, " frame ");

	return sep ? (size_t)(sep - ev->source) : 0;
}

/* Each input's last capture time, once. */
static void
input_ends(struct xstate *x)
{
	const struct report *r = x->r;
	size_t i, p;
	int k;

	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->frame < 0)
			continue;
		p = input_prefix(ev);
		for (k = 0; k < x->n_inputs; k++)
			if (strlen(x->inputs[k].name) == p &&
			    strncmp(x->inputs[k].name, ev->source, p) == 0)
				break;
		if (k == x->n_inputs) {
			if (k == MAX_INPUTS)
				continue;
			x->n_inputs++;
			snprintf(x->inputs[k].name, sizeof(x->inputs[k].name),
			    "%.*s", (int)p, ev->source);
			x->inputs[k].end = ev->t;
		}
		if (ev->t > x->inputs[k].end)
			x->inputs[k].end = ev->t;
	}
}

/* The capture time of the last event of the input ev came from. */
static double
input_end(const struct xstate *x, const struct event *ev)
{
	size_t p = input_prefix(ev);
	int k;

	for (k = 0; k < x->n_inputs; k++)
		if (strlen(x->inputs[k].name) == p &&
		    strncmp(x->inputs[k].name, ev->source, p) == 0)
			return x->inputs[k].end;
	return ev->t;
}

static int
has_finding(const struct report *r, enum finding_id id)
{
	size_t i;

	for (i = 0; i < r->n_findings; i++)
		if (r->findings[i].id == id)
			return 1;
	return 0;
}

/* Names for the rules: the MP's, the client's realm, the MP's realm. */
static void
attempt_names(const struct xstate *x, const struct attempt *a,
    struct report *sub)
{
	const struct report *r = x->r;
	char host[256];
	size_t i;

	for (i = 0; i < a->n; i++) {
		const struct event *ev = &r->events[a->ev[i]];

		if (!sub->mp_name[0] && ev->type == EV_HTTP_REQUEST &&
		    ev->host[0] && is_mp_name(x, ev->host))
			strlcpy0(sub->mp_name, ev->host, sizeof(sub->mp_name));
		if (!sub->mp_realm[0] && ev->type == EV_TICKET)
			strlcpy0(sub->mp_realm, ev->realm,
			    sizeof(sub->mp_realm));
		if (!sub->client_realm[0] && ev->type == EV_KRB_REQUEST &&
		    ev->realm[0] && !(ev->flags & EVF_REFERRAL_TGT))
			strlcpy0(sub->client_realm, ev->realm,
			    sizeof(sub->client_realm));
	}
	for (i = 0; i < a->n && !sub->mp_name[0]; i++) {
		const struct event *ev = &r->events[a->ev[i]];

		if ((ev->type == EV_TICKET || ev->type == EV_KRB_REQUEST) &&
		    (is_service(ev->name, "HTTP") ||
		    is_service(ev->name, "HOST"))) {
			sname_host(ev->name, host, sizeof(host));
			if (is_mp_name(x, host))
				strlcpy0(sub->mp_name, host,
				    sizeof(sub->mp_name));
		}
	}
	for (i = 0; i < (size_t)x->n_mps && !sub->mp_name[0]; i++)
		if (x->mps[i].name[0])
			strlcpy0(sub->mp_name, x->mps[i].name,
			    sizeof(sub->mp_name));
	/* the canonical name, as the client asks its ticket for it */
	for (i = 0; i < a->n; i++) {
		const struct event *ev = &r->events[a->ev[i]];

		if (ev->type == EV_DNS && (ev->qtype == DNS_T_A ||
		    ev->qtype == DNS_T_AAAA) && ev->status > 0 &&
		    ev->value[0] && same_name(ev->name, sub->mp_name) &&
		    !same_name(ev->value, ev->name)) {
			strlcpy0(sub->mp_name, ev->value, sizeof(sub->mp_name));
			break;
		}
	}
	/* a ticket for the MP from a realm's KDC names the MP's realm */
	for (i = 0; i < a->n && !sub->mp_realm[0]; i++) {
		const struct event *ev = &r->events[a->ev[i]];

		if (ev->type == EV_KRB_REPLY && (is_service(ev->name, "HTTP")
		    || is_service(ev->name, "HOST")))
			strlcpy0(sub->mp_realm, ev->realm,
			    sizeof(sub->mp_realm));
	}
}

/* The roles the rules expect: DNS about the MP, and its PTR. */
static void
mark_roles(const struct xstate *x, struct report *sub)
{
	size_t i;

	for (i = 0; i < sub->n_events; i++) {
		struct event *ev = &sub->events[i];

		if (ev->type != EV_DNS)
			continue;
		if ((ev->qtype == DNS_T_A || ev->qtype == DNS_T_AAAA) &&
		    is_mp_name(x, ev->name))
			ev->to = ROLE_MP;
		else if (ev->qtype == DNS_T_PTR &&
		    is_reverse_of_mp(x, ev->name))
			ev->to = ROLE_MP;
	}
}

static void
judge_attempt(struct xstate *x, struct attempt *a, int last)
{
	const struct report *r = x->r;
	struct report *sub = &a->sub;
	int auth_ok, anon_challenged = 0, cut = 0, krb = 0;
	size_t i;

	report_init(sub, "analyze", r->target);
	sub->started = r->started;
	for (i = 0; i < a->n; i++)
		report_add_event(sub, &r->events[a->ev[i]]);
	attempt_names(x, a, sub);
	mark_roles(x, sub);
	auth_ok = engine_judge(sub);
	for (i = 0; i < sub->n_events; i++) {
		const struct event *ev = &sub->events[i];

		if (ev->type == EV_HTTP_RESPONSE && !ev->name[0] &&
		    ev->status == 401 && strcasestr(ev->text, "negotiate"))
			anon_challenged = 1;
		if (ev->type == EV_CONNECT_FAIL && ev->status ==
		    CONN_INCOMPLETE)
			cut = 1;
		if (ev->type == EV_KRB_REQUEST || ev->type == EV_KRB_ERROR ||
		    ev->type == EV_KRB_REPLY)
			krb = 1;
	}
	/* only a client's last attempt can be cut by the end of the
	 * capture: an earlier one was followed by another */
	a->krb = krb;
	a->why = -1;
	if (last && a->n && input_end(x, &r->events[a->ev[a->n - 1]]) -
	    r->events[a->ev[a->n - 1]].t <= CUT_WINDOW)
		cut |= !auth_ok;
	if (engine_errors(sub) > 0) {
		a->out = OUT_FAILING;
	} else if (auth_ok) {
		a->out = OUT_APPROVED;
	} else if (cut || !a->has_request) {
		a->out = OUT_INCOMPLETE;
	} else if (anon_challenged) {
		/* challenged, and the client never came back with a ticket
		 * (whatever stopped it is not in this evidence when krb is
		 * 0: an MP-side capture) */
		report_add_finding(sub, FID_IIS_NEVER_AUTHENTICATED);
		finding_add_evidence(&sub->findings[sub->n_findings - 1],
		    (int)sub->n_events - 1);
		engine_sort(sub);
		a->out = OUT_FAILING;
	} else {
		a->out = OUT_INCOMPLETE;
	}
}

/* An earlier accepted ticket for the same service with an older key
 * version: the account's key changed and the MP did not follow. */
static void
decide_by_kvno(struct xclient *c, size_t k)
{
	struct report *sub = &c->at[k].sub;
	const struct event *now = NULL;
	size_t i, j;

	if (!has_finding(sub, FID_MP_CANNOT_DECRYPT))
		return;
	for (i = 0; i < sub->n_events; i++)
		if (sub->events[i].type == EV_TICKET)
			now = &sub->events[i];
	if (now == NULL || now->kvno < 0)
		return;
	for (j = 0; j < k; j++) {
		const struct report *old = &c->at[j].sub;

		if (c->at[j].out != OUT_APPROVED)
			continue;
		for (i = 0; i < old->n_events; i++) {
			const struct event *t = &old->events[i];

			if (t->type != EV_TICKET || t->kvno < 0 ||
			    strcasecmp(t->name, now->name) != 0 ||
			    strcasecmp(t->realm, now->realm) != 0 ||
			    t->kvno >= now->kvno)
				continue;
			for (i = 0; i < sub->n_findings; i++)
				if (sub->findings[i].id ==
				    FID_MP_CANNOT_DECRYPT)
					sub->findings[i].id = FID_MP_KEY_STALE;
			engine_sort(sub);
			return;
		}
	}
}

/* ---- the report ----------------------------------------------------------- */

static const char *
outcome_name(enum outcome o)
{
	switch (o) {
	case OUT_APPROVED:
		return "approved";
	case OUT_FAILING:
		return "failing";
	case OUT_TRANSIENT:
		return "transient failure";
	default:
		return "incomplete";
	}
}

/* The attempt whose findings stand for a: itself, or the earlier one
 * that explains its silence. */
static const struct attempt *
effective(const struct xclient *c, const struct attempt *a)
{
	return a->why >= 0 ? &c->at[a->why] : a;
}

static const char *
root_of(const struct xclient *c, const struct attempt *a)
{
	if (a->out == OUT_APPROVED)
		return "";
	a = effective(c, a);
	if (a->sub.n_findings == 0)
		return "";
	return finding_key(a->sub.findings[0].id);
}

static void
hhmmss(double t, char *buf, size_t n)
{
	char full[40];

	format_time(t, full, sizeof(full));	/* 2026-11-22T01:02:03.456Z */
	strlcpy0(buf, strlen(full) > 19 ? full + 11 : full, n);
	buf[8 < n ? 8 : n - 1] = '\0';
}

/* "approved 10:02:11 (x2); failing since 10:07:40: mp-cannot-decrypt" */
static void
history(const struct xclient *c, char *buf, size_t n)
{
	size_t i, j;
	char when[16];

	buf[0] = '\0';
	for (i = 0; i < c->n_at; i = j) {
		const struct attempt *a = &c->at[i];

		for (j = i + 1; j < c->n_at && c->at[j].out == a->out &&
		    strcmp(root_of(c, &c->at[j]), root_of(c, a)) == 0; j++)
			;
		hhmmss(a->t_first, when, sizeof(when));
		strappendf(buf, n, "%s%s %s%s", buf[0] ? "; " : "",
		    outcome_name(a->out), j == c->n_at && a->out ==
		    OUT_FAILING && c->n_at > 1 ? "since " : "", when);
		if (j - i > 1)
			strappendf(buf, n, " (%zu attempts)", j - i);
		if (root_of(c, a)[0])
			strappendf(buf, n, ": %s", root_of(c, a));
	}
}

/* The attempt that decides: the latest with an outcome. */
static const struct attempt *
deciding(const struct xclient *c)
{
	size_t i;

	for (i = c->n_at; i-- > 0;)
		if (c->at[i].out == OUT_APPROVED ||
		    c->at[i].out == OUT_FAILING)
			return &c->at[i];
	return c->n_at ? &c->at[c->n_at - 1] : NULL;
}

/*
 * The MP refused one client for time while it accepted others with
 * Kerberos in the same quarter hour: the MP's clock is fine, that
 * client's is not.  (A capture at the MP shows no KDC to measure against;
 * the other clients are the measure.)
 */
static void
skew_by_peers(struct xstate *x)
{
	size_t k, j, i, l;

	for (k = 0; k < x->n_cl; k++) {
		struct xclient *c = &x->cl[k];

		for (j = 0; j < c->n_at; j++) {
			struct report *sub = &c->at[j].sub;
			int kdc_clock = 0, peer_ok = 0;

			if (!has_finding(sub, FID_CLOCK_SKEW_MP))
				continue;
			for (i = 0; i < sub->n_events; i++)
				if (sub->events[i].type == EV_CLOCK &&
				    sub->events[i].to != ROLE_MP)
					kdc_clock = 1;
			for (i = 0; i < x->n_cl && !kdc_clock; i++)
				for (l = 0; i != k && l < x->cl[i].n_at; l++)
					if (x->cl[i].at[l].out == OUT_APPROVED &&
					    fabs(x->cl[i].at[l].t_first -
					    c->at[j].t_first) < 900)
						peer_ok = 1;
			if (kdc_clock || !peer_ok)
				continue;
			for (i = 0; i < sub->n_findings; i++)
				if (sub->findings[i].id == FID_CLOCK_SKEW_MP)
					sub->findings[i].id = FID_CLOCK_SKEW;
			engine_sort(sub);
		}
	}
}

/* A Kerberos cause: what keeps a client from getting a ticket. */
static int
ticket_cause(enum finding_id id)
{
	switch (id) {
	case FID_DNS_NO_KDC_SRV:
	case FID_KDC_UNREACHABLE:
	case FID_NO_CREDENTIALS:
	case FID_CLOCK_SKEW:
	case FID_NO_TRUST_PATH:
	case FID_TRUST_EXTERNAL:
	case FID_TRUST_BROKEN:
	case FID_SPN_MISSING:
	case FID_SPN_DUPLICATE:
	case FID_ENCTYPE_UNSUPPORTED:
	case FID_KERBEROS_FAILED:
		return 1;
	default:
		return 0;
	}
}

/*
 * An attempt that was challenged and never came back with a ticket, with
 * no Kerberos of its own, after one that failed to get a ticket: the
 * client did not try again (as Windows remembers a KDC it could not find,
 * or a ticket it could not get), the earlier failure explains it.
 */
static void
explain_silence(struct xclient *c)
{
	size_t j, k;

	for (j = 1; j < c->n_at; j++) {
		struct attempt *a = &c->at[j];

		if (a->out != OUT_FAILING || a->krb ||
		    a->sub.n_findings == 0 || a->sub.findings[0].id !=
		    FID_IIS_NEVER_AUTHENTICATED)
			continue;
		for (k = j; k-- > 0;) {
			const struct attempt *e = &c->at[k];

			if (e->out == OUT_APPROVED)
				break;
			if (e->out == OUT_FAILING && e->why < 0 &&
			    e->sub.n_findings && ticket_cause(
			    e->sub.findings[0].id)) {
				a->why = (int)k;
				break;
			}
		}
	}
}

/* A failed connection that a later attempt of the client got past. */
static void
transient(struct xclient *c)
{
	size_t j, l;

	for (j = 0; j < c->n_at; j++) {
		struct attempt *a = &c->at[j];

		if (a->out != OUT_FAILING || a->reached ||
		    !has_finding(&a->sub, FID_MP_UNREACHABLE) ||
		    engine_errors(&a->sub) != 1)
			continue;
		for (l = j + 1; l < c->n_at; l++)
			if (c->at[l].reached)
				a->out = OUT_TRANSIENT;
	}
}

/* Copy attempt a's findings into r, evidence mapped back. */
static void
report_findings(struct xstate *x, const struct attempt *a)
{
	struct report *r = x->r;
	size_t i;
	int j, k;

	for (i = 0; i < a->sub.n_findings; i++) {
		const struct finding *f = &a->sub.findings[i];

		if ((k = report_add_finding(r, f->id)) < 0)
			continue;
		for (j = 0; j < f->n_evidence; j++)
			finding_add_evidence(&r->findings[k],
			    a->ev[f->evidence[j]]);
	}
}

static void
client_user(const struct xstate *x, struct xclient *c)
{
	size_t i, k;

	for (k = 0; k < c->n_at && !c->user[0]; k++)
		for (i = 0; i < c->at[k].n; i++) {
			const struct event *ev = &x->r->events[c->at[k].ev[i]];

			/* the principal whose TGT came before the MP's ticket */
			if (ev->type == EV_KRB_REQUEST && ev->value[0] &&
			    ev->msg_type == KRB_AS_REQ) {
				strlcpy0(c->user, ev->value, sizeof(c->user));
				strappendf(c->user, sizeof(c->user), "@%s",
				    ev->realm);
				break;
			}
		}
}

static void
client_verdict(struct xstate *x, struct xclient *c)
{
	const struct attempt *d = deciding(c);
	struct client_verdict cv;
	char first[40], last[40];

	if (d == NULL)
		return;
	memset(&cv, 0, sizeof(cv));
	client_user(x, c);
	strlcpy0(cv.client, c->addr, sizeof(cv.client));
	strlcpy0(cv.user, c->user, sizeof(cv.user));
	strlcpy0(cv.verdict, d->out == OUT_APPROVED ? "approved" :
	    d->out == OUT_FAILING ? "failing" : "incomplete",
	    sizeof(cv.verdict));
	cv.approval = d->out == OUT_APPROVED ? CV_APPROVED :
	    d->out == OUT_FAILING ? CV_NOT_APPROVED : CV_UNDECIDED;
	strlcpy0(cv.root_cause, root_of(c, d), sizeof(cv.root_cause));
	cv.n_attempts = (int)c->n_at;
	history(c, cv.history, sizeof(cv.history));
	/* as IIS logs write times, so that rows of both sources compare */
	format_time(c->at[0].t_first, first, sizeof(first));
	format_time(c->at[c->n_at - 1].t_last, last, sizeof(last));
	first[10] = last[10] = ' ';
	first[19] = last[19] = '\0';
	strlcpy0(cv.first, first, sizeof(cv.first));
	strlcpy0(cv.last, last, sizeof(cv.last));
	if (d->n)
		strlcpy0(cv.source, x->r->events[d->ev[d->n - 1]].source,
		    sizeof(cv.source));
	report_add_client(x->r, &cv);
}

/* Does f cite an error like ev already (code, service, realm)? */
static int
cited_like(const struct report *r, const struct finding *f,
    const struct event *ev)
{
	int j;

	for (j = 0; j < f->n_evidence; j++) {
		const struct event *o = &r->events[f->evidence[j]];

		if (o->code == ev->code && strcmp(o->name, ev->name) == 0 &&
		    strcmp(o->realm, ev->realm) == 0)
			return 1;
	}
	return 0;
}

/* Kerberos errors of other services: shown, never the MP's fault. */
static void
background_kerberos(struct xstate *x)
{
	struct report *r = x->r;
	size_t i;
	int k = -1;

	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->frame < 0 || x->used[i] || ev->type != EV_KRB_ERROR ||
		    ev->from == ROLE_MP || ev->code ==
		    KDC_ERR_PREAUTH_REQUIRED || ev->code ==
		    KRB_ERR_RESPONSE_TOO_BIG)
			continue;
		if (k < 0 && (k = report_add_finding(r,
		    FID_KERBEROS_OTHER_SERVICE)) < 0)
			return;
		if (!cited_like(r, &r->findings[k], ev))
			finding_add_evidence(&r->findings[k], (int)i);
	}
}

/* Whether r holds evidence other than captures to judge: a log or trace
 * that was read, or what the readers of those found. */
static int
has_log_evidence(const struct report *r)
{
	size_t i;

	if (r->n_clients)
		return 1;
	for (i = 0; i < r->n_inputs; i++)
		if (r->inputs[i].status != INPUT_UNREADABLE &&
		    (strcmp(r->inputs[i].kind, "iis") == 0 ||
		    strcmp(r->inputs[i].kind, "cmlog") == 0 ||
		    strcmp(r->inputs[i].kind, "sql") == 0))
			return 1;
	for (i = 0; i < r->n_events; i++)
		switch (r->events[i].type) {
		case EV_IIS_REQUEST:
		case EV_CM_RECORD:
		case EV_CM_IDENTITY:
		case EV_SQL_REGISTRATION:
			return 1;
		default:
			break;
		}
	return 0;
}

/* Up to four distinct names, "a, b, c and 2 more" (the count in *n). */
static void
names_add(char *list, size_t size, int *n, const char *name)
{
	if (!name[0] || strstr(list, name) != NULL)
		return;
	if (++*n <= 4)
		strappendf(list, size, "%s%s", list[0] ? ", " : "", name);
}

static void
names_end(char *list, size_t size, int n)
{
	if (n > 4)
		strappendf(list, size, " and %d more", n - 4);
}

/* No exchange: say what the evidence holds instead. */
static void
no_exchange(struct xstate *x)
{
	struct report *r = x->r;
	unsigned long http = 0, krb = 0, dns = 0;
	char hosts[200] = "", svcs[200] = "";
	int n_hosts = 0, n_svcs = 0, k;
	struct event ev;
	size_t i;

	for (i = 0; i < r->n_events; i++) {
		const struct event *e = &r->events[i];

		switch (e->type) {
		case EV_HTTP_REQUEST:
			http++;
			names_add(hosts, sizeof(hosts), &n_hosts, e->host[0] ?
			    e->host : e->peer);
			break;
		case EV_KRB_REQUEST:
			if (strncasecmp(e->name, "krbtgt/", 7) != 0)
				names_add(svcs, sizeof(svcs), &n_svcs, e->name);
			/* FALLTHROUGH */
		case EV_KRB_REPLY:
		case EV_KRB_ERROR:
			krb++;
			break;
		case EV_DNS:
			dns++;
			break;
		default:
			break;
		}
	}
	names_end(hosts, sizeof(hosts), n_hosts);
	names_end(svcs, sizeof(svcs), n_svcs);
	event_init(&ev, EV_NOTE);
	ev.t = r->n_events ? r->events[0].t : 0;
	strlcpy0(ev.source, "evidence", sizeof(ev.source));
	snprintf(ev.text, sizeof(ev.text), "no ConfigMgr request and no "
	    "traffic for a named MP; seen: %lu HTTP request%s%s%s%s, %lu "
	    "Kerberos message%s%s%s%s, %lu DNS answer%s", http,
	    http == 1 ? "" : "s", hosts[0] ? " (to " : "", hosts,
	    hosts[0] ? ")" : "", krb, krb == 1 ? "" : "s",
	    svcs[0] ? " (tickets for " : "", svcs, svcs[0] ? ")" : "", dns,
	    dns == 1 ? "" : "s");
	if ((k = report_add_event(r, &ev)) < 0)
		return;
	i = (size_t)report_add_finding(r, FID_NO_MP_EXCHANGE);
	if ((int)i >= 0)
		finding_add_evidence(&r->findings[i], k);
	r->basis = BASIS_NO_EXCHANGE;
}

static void
mp_summary(struct xstate *x)
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

/* Event indices by client, then in evidence order (qsort has no context
 * argument in C: the report being sorted). */
static const struct report *by_client;

static int
client_order(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;
	int c = strcmp(by_client->events[i].client,
	    by_client->events[j].client);

	return c ? c : (i > j) - (i < j);
}

static int
first_order(const void *a, const void *b)
{
	const struct xclient *x = a, *y = b;

	return (x->first > y->first) - (x->first < y->first);
}

/* Does event i show its client going to an MP: the exchange itself, or,
 * for a named MP, asking for its name or its ticket? */
static int
talked_to_mp(const struct xstate *x, int i)
{
	const struct event *ev = &x->r->events[i];

	if (x->rel[i] == REL_MP)
		return 1;
	return x->rel[i] == REL_CONTEXT && x->r->n_mp_given &&
	    ev->type != EV_CLOCK && ev->type != EV_KRB_REFERRAL &&
	    ev->type != EV_KDC_UNREACHABLE &&
	    strncasecmp(ev->name, "krbtgt/", 7) != 0 &&
	    !(ev->type == EV_DNS && ev->qtype == DNS_T_SRV) &&
	    !(ev->type == EV_KRB_REQUEST && ev->msg_type == KRB_AS_REQ);
}

void
exchange_run(struct report *r)
{
	struct xstate x;
	struct xclient *c;
	int *byc = NULL;
	size_t i, j, k, l, n;
	int n_judged = 0, n_attempts = 0, logs = has_log_evidence(r);

	memset(&x, 0, sizeof(x));
	x.r = r;
	r->basis = BASIS_JUDGED;
	if ((x.used = calloc(r->n_events + 1, 1)) == NULL ||
	    (x.rel = calloc(r->n_events + 1, 1)) == NULL ||
	    (byc = malloc((r->n_events + 1) * sizeof(*byc))) == NULL)
		goto out;
	find_mps(&x);
	input_ends(&x);
	/* each event's relevance, and the relevant ones by client */
	for (i = 0, n = 0; i < r->n_events; i++)
		if ((x.rel[i] = (unsigned char)relevance(&x, &r->events[i])) !=
		    REL_NONE)
			byc[n++] = (int)i;
	by_client = r;
	qsort(byc, n, sizeof(*byc), client_order);
	for (i = 0; i < n; i = j) {
		const char *who = r->events[byc[i]].client;
		int talked = 0;

		for (j = i; j < n && strcmp(r->events[byc[j]].client,
		    who) == 0; j++)
			talked |= talked_to_mp(&x, byc[j]);
		/* a client that talked to an MP (or, named, asked for it) */
		if (!talked)
			continue;
		if ((c = client_get(&x, who)) == NULL)
			break;
		c->first = byc[i];
		split_attempts(&x, c, byc + i, j - i);
		for (k = 0; k < c->n_at; k++) {
			for (l = 0; l < c->at[k].n; l++)
				x.used[c->at[k].ev[l]] = 1;
			judge_attempt(&x, &c->at[k], k + 1 == c->n_at);
			decide_by_kvno(c, k);
			n_attempts++;
		}
		transient(c);
		explain_silence(c);
	}
	if (x.n_cl > 1)
		qsort(x.cl, x.n_cl, sizeof(*x.cl), first_order);
	skew_by_peers(&x);
	for (k = 0; k < x.n_cl; k++) {
		const struct attempt *d = deciding(c = &x.cl[k]);

		if (d && (d->out == OUT_APPROVED || d->out == OUT_FAILING))
			n_judged++;
		if (d)
			report_findings(&x, effective(c, d));
		if (d && d->out == OUT_INCOMPLETE) {
			int f = report_add_finding(r, FID_ATTEMPT_INCOMPLETE);

			if (f >= 0 && d->n)
				finding_add_evidence(&r->findings[f],
				    d->ev[d->n - 1]);
		}
		client_verdict(&x, c);
		if (!r->mp_realm[0] && c->n_at)
			strlcpy0(r->mp_realm, c->at[c->n_at - 1].sub.mp_realm,
			    sizeof(r->mp_realm));
		if (!r->client_realm[0] && c->n_at)
			strlcpy0(r->client_realm,
			    c->at[c->n_at - 1].sub.client_realm,
			    sizeof(r->client_realm));
	}
	r->n_exchanges = n_attempts;
	if (x.n_cl == 1)
		strlcpy0(r->client, x.cl[0].user[0] ? x.cl[0].user :
		    x.cl[0].addr, sizeof(r->client));
	mp_summary(&x);
	background_kerberos(&x);
	if (n_attempts == 0 && !logs)
		no_exchange(&x);
	else if (n_attempts > 0 && n_judged == 0 && !logs)
		r->basis = BASIS_INCOMPLETE;
out:
	for (k = 0; k < x.n_cl; k++) {
		for (j = 0; j < x.cl[k].n_at; j++) {
			free(x.cl[k].at[j].ev);
			report_release(&x.cl[k].at[j].sub);
		}
		free(x.cl[k].at);
	}
	free(x.cl);
	free(x.used);
	free(x.rel);
	free(byc);
}
