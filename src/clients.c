/*
 * clients.c - one story per client, whatever the evidence it comes from.
 * A capture and an IIS log that show the same address are one client; a
 * CM log's identity (NetBIOS name, GUID) joins the client whose account
 * (DOMAIN\NAME$, NAME$@REALM) names the same machine.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exchange.h"
#include "rules.h"
#include "util.h"

/* "CHILD\WS01$" or "WS01$@CHILD.PARENT.LAB" -> "WS01"; "" for a user. */
static void
machine_of(const char *user, char *out, size_t n)
{
	const char *p = strchr(user, '\\') ? strchr(user, '\\') + 1 : user;
	size_t len = strcspn(p, "@");

	out[0] = '\0';
	if (len < 2 || p[len - 1] != '$' || len >= n)
		return;
	memcpy(out, p, len - 1);
	out[len - 1] = '\0';
}

/* The IIS requests that carry a verdict, sorted by source (then by their
 * place in the report), so that each row finds its own in log time. */
struct iis_index {
	const struct report *r;
	size_t *ev;
	size_t n;
};

static int
by_source(const void *a, const void *b, void *arg)
{
	const struct report *r = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(r->events[i].source, r->events[j].source);

	return c ? c : (i > j) - (i < j);
}

static void
iis_index_build(const struct report *r, struct iis_index *x)
{
	size_t i;

	x->r = r;
	x->n = 0;
	x->ev = NULL;
	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == EV_IIS_REQUEST &&
		    r->events[i].iis.verdict[0])
			x->n++;
	if (x->n == 0 || (x->ev = calloc(x->n, sizeof(*x->ev))) == NULL) {
		x->n = 0;
		return;
	}
	x->n = 0;
	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == EV_IIS_REQUEST &&
		    r->events[i].iis.verdict[0])
			x->ev[x->n++] = i;
	qsort_r(x->ev, x->n, sizeof(*x->ev), by_source, (void *)r);
}

/* The first IIS request with a verdict from this source, or NULL. */
static const struct event *
iis_index_find(const struct iis_index *x, const char *source)
{
	size_t lo = 0, hi = x->n, mid;

	while (lo < hi) {	/* the first whose source is >= source */
		mid = lo + (hi - lo) / 2;
		if (strcmp(x->r->events[x->ev[mid]].source, source) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < x->n && strcmp(x->r->events[x->ev[lo]].source, source) == 0)
		return &x->r->events[x->ev[lo]];
	return NULL;
}

/* An IIS row's approval and root cause, from the request that decided
 * it. */
static void
iis_outcome(const struct iis_index *x, struct client_verdict *cv)
{
	enum finding_id id = FID__COUNT;
	const struct event *ev;

	if (cv->approval != CV_UNKNOWN || !cv->verdict[0])
		return;
	if ((ev = iis_index_find(x, cv->source)) != NULL)
		id = rules_iis_finding(ev);
	cv->approval = strcmp(cv->verdict, "kerberos") == 0 ? CV_APPROVED :
	    CV_NOT_APPROVED;
	if (cv->approval == CV_NOT_APPROVED && id != FID__COUNT)
		strlcpy0(cv->root_cause, finding_key(id),
		    sizeof(cv->root_cause));
}

/* Do two rows' accounts allow them to be one client? */
static int
same_account(const struct client_verdict *a, const struct client_verdict *b)
{
	char ma[64], mb[64];

	if (!a->user[0] || !b->user[0])
		return 1;
	machine_of(a->user, ma, sizeof(ma));
	machine_of(b->user, mb, sizeof(mb));
	return ma[0] && strcasecmp(ma, mb) == 0;
}

/* Fold capture row c into IIS row w (same client): the later evidence
 * decides, the history tells both. */
static void
fold(struct client_verdict *w, const struct client_verdict *c)
{
	char hist[512];
	int capture_later = strcmp(c->last, w->last) > 0;

	strlcpy0(hist, "capture: ", sizeof(hist));
	strappendf(hist, sizeof(hist), "%s; IIS log: %s %s (%s .. %s)",
	    c->history ? c->history : c->verdict, w->verdict,
	    w->last_status, w->first, w->last);
	(void)client_set_history(w, hist);	/* none, when out of memory */
	w->n_attempts = c->n_attempts;
	if (capture_later) {
		w->approval = c->approval;
		strlcpy0(w->root_cause, c->root_cause, sizeof(w->root_cause));
		strlcpy0(w->source, c->source, sizeof(w->source));
	}
	if (strcmp(c->first, w->first) < 0)
		strlcpy0(w->first, c->first, sizeof(w->first));
	if (capture_later)
		strlcpy0(w->last, c->last, sizeof(w->last));
	if (!w->user[0])
		strlcpy0(w->user, c->user, sizeof(w->user));
}

void
clients_run(struct report *r)
{
	struct iis_index x;
	size_t i, j, k, n_cm = 0;

	iis_index_build(r, &x);
	for (i = 0; i < r->n_clients; i++)
		if (r->clients[i].n_attempts == 0)
			iis_outcome(&x, &r->clients[i]);
	free(x.ev);
	/* a capture's client that an IIS log shows too */
	for (i = 0; i < r->n_clients; i++) {
		const struct client_verdict *c = &r->clients[i];

		if (c->n_attempts == 0)
			continue;
		for (j = 0; j < r->n_clients; j++) {
			struct client_verdict *w = &r->clients[j];

			if (w->n_attempts != 0 || strcmp(w->client, c->client) ||
			    !same_account(w, c))
				continue;
			fold(w, c);
			free(r->clients[i].history);
			memmove(&r->clients[i], &r->clients[i + 1],
			    (r->n_clients - i - 1) * sizeof(*r->clients));
			r->n_clients--;
			i--;
			break;
		}
	}
	/* the machine each row names, and its GUID from a CM log */
	for (k = 0; k < r->n_events; k++)
		if (r->events[k].type == EV_CM_IDENTITY)
			n_cm++;
	for (i = 0; i < r->n_clients; i++) {
		struct client_verdict *cv = &r->clients[i];

		machine_of(cv->user, cv->machine, sizeof(cv->machine));
		for (k = 0; n_cm && cv->machine[0] && k < r->n_events; k++) {
			const struct event *ev = &r->events[k];

			if (ev->type == EV_CM_IDENTITY &&
			    strcasecmp(ev->cm.machine, cv->machine) == 0 &&
			    ev->cm.guid[0]) {
				strlcpy0(cv->guid, ev->cm.guid,
				    sizeof(cv->guid));
				break;
			}
		}
	}
}
