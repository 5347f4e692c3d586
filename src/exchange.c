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
 * judged with the same rules as a live probe (the judge engine_run gives).  A client's
 * verdict is its latest attempt that reached an outcome; everything else
 * in the evidence is background, never the ground of an MP finding.
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
		    ev->host[0] && exch_is_mp_name(x, ev->host))
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
		    (exch_is_service(ev->name, "HTTP") ||
		    exch_is_service(ev->name, "HOST"))) {
			exch_sname_host(ev->name, host, sizeof(host));
			if (exch_is_mp_name(x, host))
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
		    ev->value[0] && exch_same_name(ev->name, sub->mp_name) &&
		    !exch_same_name(ev->value, ev->name)) {
			strlcpy0(sub->mp_name, ev->value, sizeof(sub->mp_name));
			break;
		}
	}
	/* a ticket for the MP from a realm's KDC names the MP's realm */
	for (i = 0; i < a->n && !sub->mp_realm[0]; i++) {
		const struct event *ev = &r->events[a->ev[i]];

		if (ev->type == EV_KRB_REPLY && (exch_is_service(ev->name, "HTTP")
		    || exch_is_service(ev->name, "HOST")))
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
		    exch_is_mp_name(x, ev->name))
			ev->to = ROLE_MP;
		else if (ev->qtype == DNS_T_PTR &&
		    exch_is_reverse_of_mp(x, ev->name))
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
	auth_ok = x->judge(sub);
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
	if (report_errors(sub) > 0) {
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
		report_sort_findings(sub);
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

	if (!report_has_finding(sub, FID_MP_CANNOT_DECRYPT))
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
			report_sort_findings(sub);
			return;
		}
	}
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
exchange_run(struct report *r, int (*judge)(struct report *))
{
	struct xstate x;
	struct xclient *c;
	int *byc = NULL;
	size_t i, j, k, l, n;
	int n_judged = 0, n_attempts = 0, logs = exch_has_log_evidence(r);

	memset(&x, 0, sizeof(x));
	x.r = r;
	x.judge = judge;
	r->basis = BASIS_JUDGED;
	if ((x.used = calloc(r->n_events + 1, 1)) == NULL ||
	    (x.rel = calloc(r->n_events + 1, 1)) == NULL ||
	    (byc = malloc((r->n_events + 1) * sizeof(*byc))) == NULL)
		goto out;
	exch_find_mps(&x);
	input_ends(&x);
	/* each event's relevance, and the relevant ones by client */
	for (i = 0, n = 0; i < r->n_events; i++)
		if ((x.rel[i] = (unsigned char)exch_relevance(&x, &r->events[i])) !=
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
		exch_transient(c);
		exch_explain_silence(c);
	}
	if (x.n_cl > 1)
		qsort(x.cl, x.n_cl, sizeof(*x.cl), first_order);
	exch_skew_by_peers(&x);
	for (k = 0; k < x.n_cl; k++) {
		const struct attempt *d = exch_deciding(c = &x.cl[k]);

		if (d && (d->out == OUT_APPROVED || d->out == OUT_FAILING))
			n_judged++;
		if (d)
			exch_report_findings(&x, exch_effective(c, d));
		if (d && d->out == OUT_INCOMPLETE) {
			int f = report_add_finding(r, FID_ATTEMPT_INCOMPLETE);

			if (f >= 0 && d->n)
				finding_add_evidence(&r->findings[f],
				    d->ev[d->n - 1]);
		}
		exch_client_verdict(&x, c);
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
	exch_mp_summary(&x);
	exch_background_kerberos(&x);
	if (n_attempts == 0 && !logs)
		exch_no_exchange(&x);
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
