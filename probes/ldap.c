/*
 * ldap.c - probe: what only Active Directory can settle, read over LDAP
 * with the client's own Kerberos credentials (SASL/GSSAPI): the accounts
 * holding HTTP/ and HOST/<mp>, the trustedDomain objects between the
 * client's and the MP's domains, sPNMappings, the DC's clock and functional
 * levels.  The only file that calls libldap.  A directory that cannot be
 * reached is an event naming the check that could not run; the wire
 * evidence stands on its own.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LDAP_DEPRECATED 0
#include <ldap.h>
#include <sasl/sasl.h>

#include "dns.h"
#include "gss.h"
#include "probe.h"
#include "resolver.h"
#include "trust.h"
#include "util.h"

#define QSRV 33
#define MAX_DC 4
#define MAX_SPN 4

struct dc {
	char host[256];
	int port;
};

struct dir {
	LDAP *ld;
	char host[256];
	int port;
	char domain[128];		/* DNS name: "ad.lab" */
	char default_nc[256], config_nc[256];
};

static void
unavailable(struct probe_ctx *ctx, const char *check, const char *peer,
    const char *why)
{
	struct event ev;

	event_init(&ev, EV_DIRECTORY_UNAVAILABLE);
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_KDC;
	strlcpy0(ev.name, check, sizeof(ev.name));
	strlcpy0(ev.peer, peer, sizeof(ev.peer));
	strlcpy0(ev.text, why, sizeof(ev.text));
	probe_event(ctx, &ev);
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Domain controllers of domain from _ldap._tcp.<domain>, best first. */
static int
find_dcs(struct probe_ctx *ctx, const char *domain, struct dc *dcs)
{
	uint8_t buf[4096];
	struct dns_msg msg;
	char name[300];
	struct resolver_trace tr;
	double left = probe_remaining(ctx) / 4;
	int n, i, count = 0, prio, weight, port;
	char target[256];

	snprintf(name, sizeof(name), "_ldap._tcp.%s", domain);
	n = resolver_query(name, QSRV, buf, sizeof(buf), now_mono() +
	    (left > 2 ? 2 : left), &tr);
	if (n < 0 || dns_decode(buf, (size_t)n, &msg) != 0)
		return -1;
	for (i = 0; i < msg.n_an && count < MAX_DC; i++) {
		if (msg.an[i].type != QSRV || sscanf(msg.an[i].data,
		    "%d %d %d %255s", &prio, &weight, &port, target) != 4)
			continue;
		n = (int)strlen(target);
		if (n > 0 && target[n - 1] == '.')
			target[n - 1] = '\0';
		strlcpy0(dcs[count].host, target, sizeof(dcs[count].host));
		dcs[count].port = port;
		count++;
	}
	return count;
}

/* SASL/GSSAPI needs no answers from us; give the defaults. */
static int
interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *it = in;

	for (; it && it->id != SASL_CB_LIST_END; it++) {
		it->result = it->defresult ? it->defresult : "";
		it->len = (unsigned)strlen(it->result);
	}
	return LDAP_SUCCESS;
}

static void
set_timeouts(struct probe_ctx *ctx, LDAP *ld)
{
	struct timeval tv;
	double left = probe_remaining(ctx);

	if (left > 5)
		left = 5;
	if (left < 0.2)
		left = 0.2;
	tv.tv_sec = (time_t)left;
	tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
}

/*
 * Connect to host:port and bind with the probe's Kerberos credentials.
 * 0, or -1 with why filled in.
 */
static int
dir_open(struct probe_ctx *ctx, struct dir *d, const char *host, int port,
    char *why, size_t wn)
{
	char uri[300], ccname[160], *saved = NULL, *diag = NULL;
	const char *old;
	int v3 = LDAP_VERSION3, rc;

	memset(d, 0, sizeof(*d));
	strlcpy0(d->host, host, sizeof(d->host));
	d->port = port;
	snprintf(uri, sizeof(uri), "ldap://%.250s:%d", host, port);
	if ((rc = ldap_initialize(&d->ld, uri)) != LDAP_SUCCESS) {
		snprintf(why, wn, "%.300s: %.100s", uri, ldap_err2string(rc));
		return -1;
	}
	ldap_set_option(d->ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	ldap_set_option(d->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	/* the SPN is ldap/<SRV target>, never a PTR name (like Windows) */
	ldap_set_option(d->ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
	set_timeouts(ctx, d->ld);
	if (krbs_ccache_name(ctx->krb, ccname, sizeof(ccname)) != 0) {
		snprintf(why, wn, "no Kerberos session to bind with");
		return -1;
	}
	/* SASL's GSSAPI reads the default ccache: ours, for this call only */
	if ((old = getenv("KRB5CCNAME")) != NULL)
		saved = strdup(old);
	setenv("KRB5CCNAME", ccname, 1);
	rc = ldap_sasl_interactive_bind_s(d->ld, NULL, "GSSAPI", NULL, NULL,
	    LDAP_SASL_QUIET, interact, NULL);
	if (saved) {
		setenv("KRB5CCNAME", saved, 1);
		free(saved);
	} else {
		unsetenv("KRB5CCNAME");
	}
	if (rc != LDAP_SUCCESS) {
		ldap_get_option(d->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
		snprintf(why, wn, "%.300s: SASL/GSSAPI bind: %.100s%s%.200s", uri,
		    ldap_err2string(rc), diag && diag[0] ? ": " : "",
		    diag ? diag : "");
		ldap_memfree(diag);
		ldap_unbind_ext_s(d->ld, NULL, NULL);
		d->ld = NULL;
		return -1;
	}
	return 0;
}

static void
dir_close(struct dir *d)
{
	if (d->ld)
		ldap_unbind_ext_s(d->ld, NULL, NULL);
	d->ld = NULL;
}

static int
search(struct probe_ctx *ctx, struct dir *d, const char *base, int scope,
    const char *filter, char **attrs, LDAPMessage **res)
{
	struct timeval tv;
	double left = probe_remaining(ctx);

	if (left > 5)
		left = 5;
	tv.tv_sec = (time_t)left;
	tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6);
	*res = NULL;
	return ldap_search_ext_s(d->ld, base, scope, filter, attrs, 0, NULL,
	    NULL, &tv, 200, res);
}

/* The first value of attr as text, into buf ("" when absent). */
static void
attr_str(LDAP *ld, LDAPMessage *e, const char *attr, char *buf, size_t n)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);

	buf[0] = '\0';
	if (v && v[0]) {
		size_t len = v[0]->bv_len < n - 1 ? v[0]->bv_len : n - 1;

		memcpy(buf, v[0]->bv_val, len);
		buf[len] = '\0';
	}
	ldap_value_free_len(v);
}

static long
attr_num(LDAP *ld, LDAPMessage *e, const char *attr, long dflt)
{
	char buf[32], *end;
	long v;

	attr_str(ld, e, attr, buf, sizeof(buf));
	if (!buf[0])
		return dflt;
	v = strtol(buf, &end, 10);
	return *end ? dflt : v;
}

static int
has_value(LDAP *ld, LDAPMessage *e, const char *attr, const char *want)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	int i, found = 0;

	for (i = 0; v && v[i] && !found; i++)
		found = v[i]->bv_len == strlen(want) &&
		    strncasecmp(v[i]->bv_val, want, v[i]->bv_len) == 0;
	ldap_value_free_len(v);
	return found;
}

/* "20240101120000.0Z" -> seconds since the epoch, or -1 */
static double
generalized_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (double)timegm(&tm);
}

/* rootDSE: naming contexts, functional levels, the DC's clock. */
static int
root_dse(struct probe_ctx *ctx, struct dir *d, const char *domain)
{
	char *attrs[] = { "currentTime", "forestFunctionality",
		"domainFunctionality", "defaultNamingContext",
		"configurationNamingContext", "dnsHostName", NULL };
	LDAPMessage *res = NULL, *e;
	struct event ev;
	char now[64];
	double t0, t1, dc;
	int rc;

	t0 = now_real();
	rc = search(ctx, d, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs,
	    &res);
	t1 = now_real();
	if (rc != LDAP_SUCCESS || (e = ldap_first_entry(d->ld, res)) == NULL) {
		ldap_msgfree(res);
		return -1;
	}
	attr_str(d->ld, e, "defaultNamingContext", d->default_nc,
	    sizeof(d->default_nc));
	attr_str(d->ld, e, "configurationNamingContext", d->config_nc,
	    sizeof(d->config_nc));
	strlcpy0(d->domain, domain, sizeof(d->domain));
	event_init(&ev, EV_DIRECTORY);
	ev.from = ROLE_KDC;
	ev.to = ROLE_CLIENT;
	strlcpy0(ev.name, d->host, sizeof(ev.name));
	strlcpy0(ev.realm, domain, sizeof(ev.realm));
	ev.code = (int)attr_num(d->ld, e, "forestFunctionality", -1);
	ev.rcode = (int)attr_num(d->ld, e, "domainFunctionality", -1);
	probe_event(ctx, &ev);

	attr_str(d->ld, e, "currentTime", now, sizeof(now));
	ldap_msgfree(res);
	if ((dc = generalized_time(now)) >= 0) {
		/* a third clock: the DC's, with one-second granularity */
		event_init(&ev, EV_CLOCK);
		ev.from = ROLE_KDC;
		ev.to = ROLE_KDC;
		snprintf(ev.name, sizeof(ev.name), "%.200s (LDAP currentTime)",
		    d->host);
		ev.offset = dc + 0.5 - (t0 + t1) / 2;
		ev.uncertainty = (t1 - t0) / 2 + 0.5;
		probe_event(ctx, &ev);
	}
	return 0;
}

/* Which service classes HOST/ stands for (sPNMappings), into the
 * directory event's text. */
static void
spn_mappings(struct probe_ctx *ctx, struct dir *d)
{
	char base[400], *attrs[] = { "sPNMappings", NULL };
	LDAPMessage *res = NULL, *e;
	struct berval **v;
	struct event *dev = NULL;
	size_t i;
	int k, covers = 0;

	if (!d->config_nc[0])
		return;
	snprintf(base, sizeof(base), "CN=Directory Service,CN=Windows NT,"
	    "CN=Services,%s", d->config_nc);
	if (search(ctx, d, base, LDAP_SCOPE_BASE, "(objectClass=*)", attrs,
	    &res) != LDAP_SUCCESS || !(e = ldap_first_entry(d->ld, res))) {
		ldap_msgfree(res);
		return;
	}
	v = ldap_get_values_len(d->ld, e, "sPNMappings");
	for (k = 0; v && v[k]; k++) {
		/* "host=alerter,http,..." */
		char m[2048], *tok, *sp;
		size_t len = v[k]->bv_len < sizeof(m) - 1 ? v[k]->bv_len :
		    sizeof(m) - 1;

		memcpy(m, v[k]->bv_val, len);
		m[len] = '\0';
		if (strncasecmp(m, "host=", 5) != 0)
			continue;
		for (tok = strtok_r(m + 5, ",", &sp); tok;
		    tok = strtok_r(NULL, ",", &sp))
			if (strcasecmp(tok, "http") == 0)
				covers = 1;
	}
	ldap_value_free_len(v);
	ldap_msgfree(res);
	for (i = ctx->report->n_events; i > 0; i--)
		if (ctx->report->events[i - 1].type == EV_DIRECTORY) {
			dev = &ctx->report->events[i - 1];
			break;
		}
	if (dev)
		snprintf(dev->text, sizeof(dev->text), "sPNMappings: HOST/ %s "
		    "HTTP/", covers ? "stands for" : "does not stand for");
}

/* The msDS-KeyVersionNumber of dn (constructed: ask the domain's DC). */
static long
key_version(struct probe_ctx *ctx, struct dir *d, const char *dn)
{
	char *attrs[] = { "msDS-KeyVersionNumber", NULL };
	LDAPMessage *res = NULL, *e;
	long kvno = -1;

	if (d && d->ld && search(ctx, d, dn, LDAP_SCOPE_BASE,
	    "(objectClass=*)", attrs, &res) == LDAP_SUCCESS &&
	    (e = ldap_first_entry(d->ld, res)) != NULL)
		kvno = attr_num(d->ld, e, "msDS-KeyVersionNumber", -1);
	ldap_msgfree(res);
	return kvno;
}

static const char *
account_kind(LDAP *ld, LDAPMessage *e)
{
	if (has_value(ld, e, "objectClass", "computer"))
		return "computer";
	if (has_value(ld, e, "objectClass", "user"))
		return "user";
	return "object";
}

/*
 * Owners of HTTP/ and HOST/ with the MP's FQDN and short name: one event
 * per (SPN, owner), one with no owner for an SPN nobody holds.  gc is the
 * global catalog connection (or the domain's), dom the domain's own.
 */
static int
spn_owners(struct probe_ctx *ctx, struct dir *gc, struct dir *dom,
    const char *fqdn)
{
	char spns[MAX_SPN][300], filter[1400], shortname[128], *dot, dn[512];
	char *attrs[] = { "objectClass", "sAMAccountName", "sAMAccountType",
		"msDS-KeyVersionNumber", "msDS-SupportedEncryptionTypes",
		"servicePrincipalName", NULL };
	int held[MAX_SPN] = { 0 };
	LDAPMessage *res = NULL, *e;
	struct event ev;
	char *edn;
	int i, rc, n = 0;
	const char *base;

	strlcpy0(shortname, fqdn, sizeof(shortname));
	if ((dot = strchr(shortname, '.')) != NULL)
		*dot = '\0';
	snprintf(spns[0], sizeof(spns[0]), "HTTP/%s", fqdn);
	snprintf(spns[1], sizeof(spns[1]), "HOST/%s", fqdn);
	snprintf(spns[2], sizeof(spns[2]), "HTTP/%s", shortname);
	snprintf(spns[3], sizeof(spns[3]), "HOST/%s", shortname);
	snprintf(filter, sizeof(filter), "(|(servicePrincipalName=%s)"
	    "(servicePrincipalName=%s)(servicePrincipalName=%s)"
	    "(servicePrincipalName=%s))", spns[0], spns[1], spns[2], spns[3]);
	/* the whole forest from the GC's phantom root, else the domain */
	base = gc->port == 3268 ? "" : gc->default_nc;
	rc = search(ctx, gc, base, LDAP_SCOPE_SUBTREE, filter, attrs, &res);
	if (rc != LDAP_SUCCESS && base[0] == '\0') {
		ldap_msgfree(res);
		rc = search(ctx, gc, gc->default_nc, LDAP_SCOPE_SUBTREE,
		    filter, attrs, &res);
	}
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		return rc;
	}
	for (e = ldap_first_entry(gc->ld, res); e;
	    e = ldap_next_entry(gc->ld, e)) {
		event_init(&ev, EV_SPN_OWNER);
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		strlcpy0(ev.realm, dom->domain[0] ? dom->domain : gc->domain,
		    sizeof(ev.realm));
		strlcpy0(ev.peer, gc->host, sizeof(ev.peer));
		attr_str(gc->ld, e, "sAMAccountName", ev.value,
		    sizeof(ev.value));
		strlcpy0(ev.text, account_kind(gc->ld, e), sizeof(ev.text));
		ev.status = (int)attr_num(gc->ld, e, "sAMAccountType", -1);
		ev.etype = (int)attr_num(gc->ld, e,
		    "msDS-SupportedEncryptionTypes", -1);
		ev.kvno = (int)attr_num(gc->ld, e, "msDS-KeyVersionNumber", -1);
		if (ev.kvno < 0 && (edn = ldap_get_dn(gc->ld, e)) != NULL) {
			strlcpy0(dn, edn, sizeof(dn));
			ldap_memfree(edn);
			ev.kvno = (int)key_version(ctx, dom, dn);
		}
		for (i = 0; i < MAX_SPN; i++) {
			if (!has_value(gc->ld, e, "servicePrincipalName",
			    spns[i]))
				continue;
			held[i]++;
			strlcpy0(ev.name, spns[i], sizeof(ev.name));
			probe_event(ctx, &ev);
			n++;
		}
	}
	ldap_msgfree(res);
	for (i = 0; i < MAX_SPN; i++) {
		if (held[i])
			continue;
		event_init(&ev, EV_SPN_OWNER);
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		strlcpy0(ev.name, spns[i], sizeof(ev.name));
		strlcpy0(ev.realm, gc->domain, sizeof(ev.realm));
		strlcpy0(ev.peer, gc->host, sizeof(ev.peer));
		probe_event(ctx, &ev);
	}
	return LDAP_SUCCESS;
}

/* trustedDomain objects of one domain. */
static int
trusts(struct probe_ctx *ctx, struct dir *d, int *count)
{
	char *attrs[] = { "trustPartner", "trustType", "trustDirection",
		"trustAttributes", "msDS-TrustForestTrustInfo", NULL };
	LDAPMessage *res = NULL, *e;
	struct trust_info ti;
	struct event ev;
	struct berval **fti;
	int rc;

	if (!d->default_nc[0])
		return LDAP_NO_SUCH_OBJECT;
	rc = search(ctx, d, d->default_nc, LDAP_SCOPE_SUBTREE,
	    "(objectClass=trustedDomain)", attrs, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return rc;
	}
	for (e = ldap_first_entry(d->ld, res); e;
	    e = ldap_next_entry(d->ld, e)) {
		event_init(&ev, EV_TRUST);
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		strlcpy0(ev.realm, d->domain, sizeof(ev.realm));
		strlcpy0(ev.peer, d->host, sizeof(ev.peer));
		attr_str(d->ld, e, "trustPartner", ev.name, sizeof(ev.name));
		ev.code = (int)attr_num(d->ld, e, "trustType", -1);
		ev.qtype = (int)attr_num(d->ld, e, "trustDirection", -1);
		ev.status = (int)attr_num(d->ld, e, "trustAttributes", 0);
		fti = ldap_get_values_len(d->ld, e, "msDS-TrustForestTrustInfo");
		ev.has_token = fti && fti[0] ? 1 : 0;
		ldap_value_free_len(fti);
		trust_classify(ev.code, (unsigned)ev.status, ev.qtype,
		    d->domain, ev.name, &ti);
		snprintf(ev.value, sizeof(ev.value), "%s%s%s",
		    trust_kind_name(ti.kind), ti.selective ?
		    " (selective authentication)" : "", ti.disabled ?
		    " (disabled)" : "");
		probe_event(ctx, &ev);
		(*count)++;
	}
	ldap_msgfree(res);
	return LDAP_SUCCESS;
}

/*
 * Open a directory of domain: the global catalog first when gc is set,
 * else LDAP; one DC after the other.  0 or -1 (event emitted).
 */
static int
open_domain(struct probe_ctx *ctx, const char *domain, int gc, struct dir *d,
    const char *check)
{
	struct dc dcs[MAX_DC];
	char why[512] = "", peer[64] = "";
	int n, i, p;
	static const int gc_ports[] = { 3268, 389 };

	if ((n = find_dcs(ctx, domain, dcs)) <= 0) {
		snprintf(why, sizeof(why), "no domain controller found: %s%s",
		    n < 0 ? "DNS did not answer for _ldap._tcp." :
		    "no SRV record _ldap._tcp.", domain);
		unavailable(ctx, check, "", why);
		return -1;
	}
	for (i = 0; i < n && probe_remaining(ctx) > 0.2; i++) {
		for (p = gc ? 0 : 1; p < 2; p++) {
			int port = p == 0 ? gc_ports[0] : dcs[i].port;

			if (dir_open(ctx, d, dcs[i].host, port, why,
			    sizeof(why)) == 0 && root_dse(ctx, d, domain) == 0)
				return 0;
			if (d->ld) {
				snprintf(why, sizeof(why), "ldap://%.300s:%d: "
				    "rootDSE unreadable", dcs[i].host, port);
				dir_close(d);
			}
			strlcpy0(peer, dcs[i].host, sizeof(peer));
		}
	}
	unavailable(ctx, check, peer, why[0] ? why : "out of time");
	return -1;
}

static void
domain_of(const char *fqdn, char *out, size_t n)
{
	const char *dot = strchr(fqdn, '.');

	strlcpy0(out, dot ? dot + 1 : "", n);
	lower(out);
}

static int
ldap_run(struct probe_ctx *ctx)
{
	struct dir gc, mpd, cld;
	char mp_domain[128], cl_domain[128], why[96];
	const char *fqdn = ctx->canon[0] ? ctx->canon : ctx->opts->target;
	int n_trusts = 0, spn_ok = 0, rc, same, have_mpd = 0;

	memset(&gc, 0, sizeof(gc));
	memset(&mpd, 0, sizeof(mpd));
	memset(&cld, 0, sizeof(cld));
	domain_of(fqdn, mp_domain, sizeof(mp_domain));
	strlcpy0(cl_domain, ctx->client_realm, sizeof(cl_domain));
	lower(cl_domain);
	same = strcasecmp(mp_domain, cl_domain) == 0;
	if (!ctx->have_creds || !mp_domain[0]) {
		unavailable(ctx, "SPN owners", "", !mp_domain[0] ?
		    "the MP's name has no domain" : "no Kerberos credentials "
		    "to bind with");
		probe_step_done(ctx, STEP_SKIPPED, "no directory check");
		return 0;
	}

	/* SPN owners: the MP's forest's global catalog */
	if (open_domain(ctx, mp_domain, 1, &gc, "SPN owners") == 0) {
		if (gc.port == 3268 && open_domain(ctx, mp_domain, 0, &mpd,
		    "msDS-KeyVersionNumber") == 0)
			have_mpd = 1;
		rc = spn_owners(ctx, &gc, have_mpd ? &mpd : &gc, fqdn);
		if (rc != LDAP_SUCCESS) {
			snprintf(why, sizeof(why), "search failed: %s",
			    ldap_err2string(rc));
			unavailable(ctx, "SPN owners", gc.host, why);
		} else {
			spn_ok = 1;
		}
		spn_mappings(ctx, have_mpd ? &mpd : &gc);
		if (!have_mpd) {
			mpd = gc;
			gc.ld = NULL;
			have_mpd = 1;
		}
	}

	/* trusts: held by both domains, read where each is held */
	if (!same) {
		if (have_mpd && mpd.port != 3268 &&
		    (rc = trusts(ctx, &mpd, &n_trusts)) != LDAP_SUCCESS)
			unavailable(ctx, "trusts", mpd.host,
			    ldap_err2string(rc));
		if (open_domain(ctx, cl_domain, 0, &cld, "trusts") == 0 &&
		    (rc = trusts(ctx, &cld, &n_trusts)) != LDAP_SUCCESS)
			unavailable(ctx, "trusts", cld.host,
			    ldap_err2string(rc));
	}
	dir_close(&gc);
	dir_close(&mpd);
	dir_close(&cld);
	if (!spn_ok)
		probe_step_done(ctx, STEP_WARN, "directory not readable: "
		    "wire evidence only");
	else
		probe_step_done(ctx, STEP_OK, "SPN owners%s read from %s",
		    same ? "" : " and trusts", mp_domain);
	return 0;
}

const struct probe probe_ldap = {
	.name = "ldap",
	.summary = "SPN owners, trusts and the DC's clock from the directory",
	.run = ldap_run,
};
