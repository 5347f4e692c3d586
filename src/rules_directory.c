/*
 * rules_directory.c - what only the directory (LDAP) can settle: who owns
 * the MP's SPN and with which keys (spn-misbound, spn-duplicate, a stale
 * key), what a trust is (external, forest level), and a directory check
 * that could not run.  They refine the wire's findings (rules_retag).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules.h"
#include "trust.h"
#include "util.h"

#define SAM_USER_OBJECT 805306368	/* sAMAccountType of a user */

/* "HTTP/mp.ad.lab" names the MP (FQDN or short name) in service class svc. */
static int
spn_is(const char *spn, const char *svc, const char *mp)
{
	size_t ls = strlen(svc), lshort;
	const char *host, *dot;

	if (!mp[0] || strncasecmp(spn, svc, ls) != 0 || spn[ls] != '/')
		return 0;
	host = spn + ls + 1;
	if (strcasecmp(host, mp) == 0)
		return 1;
	dot = strchr(mp, '.');
	lshort = dot ? (size_t)(dot - mp) : strlen(mp);
	return strlen(host) == lshort && strncasecmp(host, mp, lshort) == 0;
}

/* The first event holding spn (any owner), or -1. */
static int
owner_of(const struct report *r, const char *spn)
{
	size_t i;

	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type == EV_SPN_OWNER && ev->value[0] &&
		    strcasecmp(ev->name, spn) == 0)
			return (int)i;
	}
	return -1;
}

/* Number of distinct accounts holding the SPN of event i. */
static int
owners_count(const struct report *r, size_t i)
{
	size_t j, k;
	int n = 0;

	for (j = 0; j < r->n_events; j++) {
		const struct event *a = &r->events[j];

		if (a->type != EV_SPN_OWNER || !a->value[0] ||
		    strcasecmp(a->name, r->events[i].name) != 0)
			continue;
		for (k = 0; k < j; k++) {
			const struct event *b = &r->events[k];

			if (b->type == EV_SPN_OWNER &&
			    strcasecmp(b->name, a->name) == 0 &&
			    strcasecmp(b->value, a->value) == 0)
				break;
		}
		if (k == j)
			n++;
	}
	return n;
}

static unsigned
etype_bit(int etype)
{
	switch (etype) {
	case 1:
		return 0x1;	/* des-cbc-crc */
	case 3:
		return 0x2;	/* des-cbc-md5 */
	case 23:
		return 0x4;	/* rc4-hmac */
	case 17:
		return 0x8;	/* aes128-cts-hmac-sha1-96 */
	case 18:
		return 0x10;	/* aes256-cts-hmac-sha1-96 */
	default:
		return 0;
	}
}

/* SPN owners: duplicate, missing confirmed, misbound, and the account the
 * ticket was made for against the ticket (kvno, etype). */
static void
rule_directory_spn(struct report *r)
{
	struct finding *fi;
	char spn[300];
	size_t i;
	int searched = 0, owned = 0, dup = 0, http = -1, host = -1, tkt = -1;
	int acct = -1;

	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type == EV_TICKET && tkt < 0)
			tkt = (int)i;
		if (ev->type != EV_SPN_OWNER)
			continue;
		searched++;
		if (!ev->value[0])
			continue;
		owned++;
		if (owners_count(r, i) > 1)
			dup = 1;
		if (http < 0 && spn_is(ev->name, "HTTP", r->mp_name))
			http = (int)i;
		if (host < 0 && spn_is(ev->name, "HOST", r->mp_name))
			host = (int)i;
	}
	if (searched == 0)
		return;
	/* the owners found, or the searches that found none */
	if ((fi = rules_add(r, FID_SPN_OWNERS, -1)) != NULL)
		for (i = 0; i < r->n_events; i++)
			if (r->events[i].type == EV_SPN_OWNER &&
			    (owned == 0 || r->events[i].value[0]))
				finding_add_evidence(fi, (int)i);

	if (dup) {
		/* AD answers 7 for a duplicate: the wire said "missing" */
		if ((fi = rules_retag(r, FID_SPN_MISSING, FID_SPN_DUPLICATE)) == NULL)
			fi = rules_retag(r, FID_MP_REJECTED, FID_SPN_DUPLICATE);
		if (fi == NULL)
			fi = rules_add(r, FID_SPN_DUPLICATE, -1);
		for (i = 0; fi && i < r->n_events; i++)
			if (r->events[i].type == EV_SPN_OWNER &&
			    r->events[i].value[0] && owners_count(r, i) > 1)
				finding_add_evidence(fi, (int)i);
		return;
	}
	if (report_has_finding(r, FID_SPN_MISSING)) {
		fi = rules_add(r, FID_SPN_MISSING, -1);
		for (i = 0; fi && i < r->n_events; i++)
			if (r->events[i].type == EV_SPN_OWNER &&
			    (owned == 0 || r->events[i].value[0]))
				finding_add_evidence(fi, (int)i);
	}

	/* HTTP/<mp> on another account than HOST/<mp>, or on a user */
	if (http >= 0 && (host < 0 || r->events[http].spn.sam_type ==
	    SAM_USER_OBJECT || strcasecmp(r->events[http].value,
	    r->events[host].value) != 0)) {
		if ((fi = rules_retag(r, FID_MP_REJECTED, FID_SPN_MISBOUND)) == NULL &&
		    (fi = rules_retag(r, FID_MP_CANNOT_DECRYPT,
		    FID_SPN_MISBOUND)) == NULL)
			fi = rules_retag(r, FID_MP_KEY_STALE, FID_SPN_MISBOUND);
		if (fi == NULL && report_has_finding(r, FID_SPN_MISBOUND))
			fi = rules_add(r, FID_SPN_MISBOUND, -1);
		if (fi) {
			finding_add_evidence(fi, http);
			finding_add_evidence(fi, host);
		}
		return;
	}

	/* the account the ticket's key belongs to (HTTP/ maps to HOST/) */
	if (tkt >= 0) {
		acct = owner_of(r, r->events[tkt].name);
		if (acct < 0 && strchr(r->events[tkt].name, '/')) {
			snprintf(spn, sizeof(spn), "HOST%s",
			    strchr(r->events[tkt].name, '/'));
			acct = owner_of(r, spn);
		}
	}
	if (acct < 0)
		return;
	if (r->events[acct].spn.enctypes > 0 &&
	    etype_bit(r->events[tkt].etype) &&
	    !(etype_bit(r->events[tkt].etype) &
	    (unsigned long)r->events[acct].spn.enctypes)) {
		if ((fi = rules_retag(r, FID_MP_REJECTED,
		    FID_ENCTYPE_UNSUPPORTED)) == NULL &&
		    (fi = rules_retag(r, FID_MP_CANNOT_DECRYPT,
		    FID_ENCTYPE_UNSUPPORTED)) == NULL)
			fi = rules_retag(r, FID_MP_KEY_STALE,
			    FID_ENCTYPE_UNSUPPORTED);
		if (fi == NULL)
			fi = rules_add(r, FID_ENCTYPE_UNSUPPORTED, tkt);
		if (fi) {
			finding_add_evidence(fi, tkt);
			finding_add_evidence(fi, acct);
		}
		return;
	}
	if (report_has_finding(r, FID_ENCTYPE_UNSUPPORTED)) {
		fi = rules_add(r, FID_ENCTYPE_UNSUPPORTED, tkt);
		if (fi)
			finding_add_evidence(fi, acct);
		return;
	}
	/* the MP's own account, and the MP cannot read the ticket: its key
	 * is older than the directory's (ticket kvno says which) */
	if ((fi = rules_retag(r, FID_MP_REJECTED, FID_MP_KEY_STALE)) == NULL)
		fi = rules_retag(r, FID_MP_CANNOT_DECRYPT, FID_MP_KEY_STALE);
	if (fi == NULL && report_has_finding(r, FID_MP_KEY_STALE))
		fi = rules_add(r, FID_MP_KEY_STALE, -1);
	if (fi == NULL && r->events[acct].spn.kvno >= 0 &&
	    r->events[tkt].kvno >= 0 &&
	    r->events[acct].spn.kvno != r->events[tkt].kvno)
		fi = rules_add(r, FID_MP_KEY_STALE, -1);
	if (fi) {
		finding_add_evidence(fi, tkt);
		finding_add_evidence(fi, acct);
	}
}

/* Whether a and b are the two domains of this diagnosis, either way. */
static int
between(const struct report *r, const char *a, const char *b)
{
	return (rules_same_realm(a, r->client_realm) && rules_same_realm(b, r->mp_realm)) ||
	    (rules_same_realm(a, r->mp_realm) && rules_same_realm(b, r->client_realm));
}

/* Trusts between the client's and the MP's domains, as the directory
 * holds them: external trusts give no referral, forest trusts need both
 * forests at 2003 level. */
static void
rule_directory_trust(struct report *r)
{
	struct trust_info ti;
	struct finding *info = NULL, *fi;
	size_t i, j;
	int external = -1, routable = 0, forest = -1, low = -1;

	if (rules_same_realm(r->client_realm, r->mp_realm))
		return;
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		if (ev->type != EV_TRUST || !between(r, ev->realm, ev->name))
			continue;
		if (info == NULL) {
			int k = report_add_finding(r, FID_TRUST_CLASSIFIED);

			info = k < 0 ? NULL : &r->findings[k];
		}
		if (info)
			finding_add_evidence(info, (int)i);
		trust_classify(ev->trust.type, ev->trust.attributes,
		    ev->trust.direction, ev->realm, ev->name, &ti);
		switch (ti.kind) {
		case TRUST_KIND_EXTERNAL:
		case TRUST_KIND_DOWNLEVEL:
			if (external < 0)
				external = (int)i;
			break;
		case TRUST_KIND_FOREST:
			if (forest < 0)
				forest = (int)i;
			routable = 1;
			break;
		case TRUST_KIND_PARENT_CHILD:
		case TRUST_KIND_TREE_ROOT:
		case TRUST_KIND_REALM:
			routable = 1;
			break;
		default:
			break;
		}
	}
	if (external >= 0 && !routable) {
		if ((fi = rules_retag(r, FID_NO_TRUST_PATH, FID_TRUST_EXTERNAL)) ==
		    NULL)
			fi = rules_add(r, FID_TRUST_EXTERNAL, external);
		for (i = 0; fi && i < r->n_events; i++)
			if (r->events[i].type == EV_TRUST &&
			    between(r, r->events[i].realm, r->events[i].name))
				finding_add_evidence(fi, (int)i);
		return;
	}
	if (forest < 0)
		return;
	for (j = 0; j < r->n_events; j++) {
		const struct event *ev = &r->events[j];

		/* 2 = Windows Server 2003 */
		if (ev->type == EV_DIRECTORY && ev->dir.forest_level >= 0 &&
		    ev->dir.forest_level < 2 &&
		    (rules_same_realm(ev->realm, r->client_realm) ||
		    rules_same_realm(ev->realm, r->mp_realm)))
			low = (int)j;
	}
	if (low >= 0 && (fi = rules_add(r, FID_TRUST_FOREST_LEVEL, low)) != NULL)
		finding_add_evidence(fi, forest);
}

/* A directory check that could not run: a note, the wire verdict stands. */
static void
rule_directory_unavailable(struct report *r)
{
	size_t i;

	for (i = 0; i < r->n_events; i++)
		if (r->events[i].type == EV_DIRECTORY_UNAVAILABLE)
			rules_add(r, FID_DIRECTORY_UNAVAILABLE, (int)i);
}

void
rules_directory(struct report *r)
{
	rule_directory_spn(r);
	rule_directory_trust(r);
	rule_directory_unavailable(r);
}
