/*
 * rules_logs.c - findings from what the offline log readers recorded: an
 * IIS client's verdict on the request that decided it, a CM log record's
 * registration state, client identities that share a GUID across CM logs,
 * and what SQL traces of spUpdateClientRegistration showed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules.h"

enum finding_id
rules_iis_finding(const struct event *ev)
{
	static const struct {
		const char *verdict;
		enum finding_id id;
	} map[] = {
		{ "ntlm", FID_IIS_NTLM_ONLY },
		{ "ntlm-incomplete", FID_IIS_NTLM_ONLY },
		{ "rejected", FID_IIS_KERBEROS_REJECTED },
		{ "anonymous-accepted", FID_MP_ANONYMOUS_ACCEPTED },
		{ "never-authenticated", FID_IIS_NEVER_AUTHENTICATED },
	};
	const char *v = ev->iis.verdict;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(v, map[i].verdict) == 0)
			return map[i].id;
	if (strcmp(v, "http-error") == 0) {
		if (ev->status == 403)
			return FID_MP_FORBIDDEN;
		if (ev->status == 404)
			return FID_MP_NOT_MP;
		if (ev->status >= 500)
			return FID_MP_SERVER_ERROR;
	}
	return FID__COUNT;
}

static void
rule_iis(struct report *r, size_t i)
{
	enum finding_id id = rules_iis_finding(&r->events[i]);

	if (id != FID__COUNT)
		(void)rules_add(r, id, (int)i);
}

static void
rule_cm_state(struct report *r, size_t i)
{
	int state = r->events[i].cm.state;

	if (state & CM_REJECTED)
		(void)rules_add(r, FID_REGISTRATION_REJECTED, (int)i);
	if (state & CM_PENDING)
		(void)rules_add(r, FID_REGISTRATION_PENDING, (int)i);
}

static void
rule_sql(struct report *r, size_t i)
{
	static const enum finding_id ids[] = {
		[SQL_CHECK_NOTED] = FID__COUNT,
		[SQL_CHECK_CERT_UNREADABLE] = FID_SQL_CERT_UNREADABLE,
		[SQL_CHECK_THUMBPRINT_MISMATCH] = FID_SQL_THUMBPRINT_MISMATCH,
		[SQL_CHECK_PUBLICKEY_MISMATCH] = FID_SQL_PUBLICKEY_MISMATCH,
		[SQL_CHECK_NOT_INTEGRATED_AUTH] = FID_SQL_NOT_INTEGRATED_AUTH,
	};
	enum sql_check c = r->events[i].sql.check;

	if ((size_t)c < sizeof(ids) / sizeof(ids[0]) && ids[c] != FID__COUNT)
		(void)rules_add(r, ids[c], (int)i);
	/* every call is worth reading, whatever it showed */
	(void)rules_add(r, FID_SQL_REGISTRATION, (int)i);
}

/* --- one GUID, two machines ---------------------------------------------- */

enum { BY_HWID, BY_NAME };

/* The first hardware id and name seen for one GUID, and who said so. */
struct guid_seen {
	const char *guid;
	const char *hwid, *name;
	int ev_hwid, ev_name;
};

struct guids {
	struct guid_seen *v;
	size_t n, cap;
};

static struct guid_seen *
guid_seen(struct guids *g, const char *guid)
{
	struct guid_seen *x;
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcasecmp(g->v[i].guid, guid) == 0)
			return &g->v[i];
	if (g->n == g->cap) {
		size_t ncap = g->cap ? 2 * g->cap : 16;

		if ((x = realloc(g->v, ncap * sizeof(*x))) == NULL)
			return NULL;
		g->v = x;
		g->cap = ncap;
	}
	x = &g->v[g->n++];
	memset(x, 0, sizeof(*x));
	x->guid = guid;
	x->ev_hwid = x->ev_name = -1;
	return x;
}

/* The record event at line of the log event ev is from, or -1. */
static int
record_at(const struct report *r, const struct event *ev, unsigned long line)
{
	const char *colon = strrchr(ev->source, ':');
	char src[sizeof(ev->source)];
	size_t i;

	if (line == 0 || colon == NULL)
		return -1;
	snprintf(src, sizeof(src), "%.*s:%lu", (int)(colon - ev->source),
	    ev->source, line);
	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == EV_CM_RECORD &&
		    strcmp(r->events[i].source, src) == 0)
			return (int)i;
	return -1;
}

/*
 * What proves event i's claim: a record names GUID, hardware id and name
 * on its own line; an identity gathered from a log's lines is cited with
 * the records where its GUID and the hardware id or name were seen.
 */
static void
cite(struct report *r, struct finding *f, int i, int what)
{
	const struct event *ev = &r->events[i];

	finding_add_evidence(f, i);
	if (ev->type != EV_CM_IDENTITY)
		return;
	finding_add_evidence(f, record_at(r, ev, ev->cm.line_guid));
	finding_add_evidence(f, record_at(r, ev, what == BY_HWID ?
	    ev->cm.line_hwid : ev->cm.line_machine));
}

static void
duplicate(struct report *r, int first, int other, int what)
{
	struct finding *f = rules_add(r, FID_DUPLICATE_GUID, -1);

	if (f == NULL)
		return;
	cite(r, f, first, what);
	cite(r, f, other, what);
}

/*
 * A GUID claimed with another hardware id or NetBIOS name than the first
 * claim of it: two machines share one identity (a cloned image, a copied
 * certificate store).  Claims come from MP logs' records, one per request,
 * and from each client log's own identity, in the order of the timeline.
 */
static void
rule_duplicate_guid(struct report *r)
{
	struct guids g;
	size_t i;

	memset(&g, 0, sizeof(g));
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];
		const struct ev_cm *cm = &ev->cm;
		struct guid_seen *x;

		if ((ev->type != EV_CM_RECORD && ev->type != EV_CM_IDENTITY) ||
		    !cm->guid[0] || (!cm->hwid[0] && !cm->machine[0]) ||
		    (x = guid_seen(&g, cm->guid)) == NULL)
			continue;
		if (cm->hwid[0] && x->hwid == NULL) {
			x->hwid = cm->hwid;
			x->ev_hwid = (int)i;
		} else if (cm->hwid[0] && strcasecmp(cm->hwid, x->hwid) != 0) {
			duplicate(r, x->ev_hwid, (int)i, BY_HWID);
		}
		if (cm->machine[0] && x->name == NULL) {
			x->name = cm->machine;
			x->ev_name = (int)i;
		} else if (cm->machine[0] &&
		    strcasecmp(cm->machine, x->name) != 0) {
			duplicate(r, x->ev_name, (int)i, BY_NAME);
		}
	}
	free(g.v);
}

void
rules_logs(struct report *r)
{
	size_t i;

	for (i = 0; i < r->n_events; i++) {
		switch (r->events[i].type) {
		case EV_IIS_REQUEST:
			rule_iis(r, i);
			break;
		case EV_CM_RECORD:
			rule_cm_state(r, i);
			break;
		case EV_SQL_REGISTRATION:
			rule_sql(r, i);
			break;
		default:
			break;
		}
	}
	rule_duplicate_guid(r);
}
