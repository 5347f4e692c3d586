/*
 * clients.c - one story per client, whatever the evidence it comes from.
 * A capture and an IIS log that show the same address are one client; a
 * CM log's identity (NetBIOS name, GUID) joins the client whose account
 * (DOMAIN\NAME$, NAME$@REALM) names the same machine.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
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

/* An IIS row's approval and root cause, from the request that decided
 * it. */
static void
iis_outcome(const struct report *r, struct client_verdict *cv)
{
	enum finding_id id = FID__COUNT;
	size_t i;

	if (cv->approval != CV_UNKNOWN || !cv->verdict[0])
		return;
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type == EV_IIS_REQUEST && ev->iis.verdict[0] &&
		    strcmp(ev->source, cv->source) == 0) {
			id = rules_iis_finding(ev);
			break;
		}
	}
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
	char hist[sizeof(w->history)];
	int capture_later = strcmp(c->last, w->last) > 0;

	strlcpy0(hist, "capture: ", sizeof(hist));
	strappendf(hist, sizeof(hist), "%s; IIS log: %s %s (%s .. %s)",
	    c->history[0] ? c->history : c->verdict, w->verdict,
	    w->last_status, w->first, w->last);
	strlcpy0(w->history, hist, sizeof(w->history));
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
engine_clients(struct report *r)
{
	size_t i, j, k;

	for (i = 0; i < r->n_clients; i++)
		if (r->clients[i].n_attempts == 0)
			iis_outcome(r, &r->clients[i]);
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
			memmove(&r->clients[i], &r->clients[i + 1],
			    (r->n_clients - i - 1) * sizeof(*r->clients));
			r->n_clients--;
			i--;
			break;
		}
	}
	/* the machine each row names, and its GUID from a CM log */
	for (i = 0; i < r->n_clients; i++) {
		struct client_verdict *cv = &r->clients[i];

		machine_of(cv->user, cv->machine, sizeof(cv->machine));
		for (k = 0; cv->machine[0] && k < r->n_events; k++) {
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
