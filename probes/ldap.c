/*
 * ldap.c - probe: what only Active Directory can settle, read over LDAP
 * with the client's own Kerberos credentials (SASL/GSSAPI): the accounts
 * holding HTTP/ and HOST/<mp>, the trustedDomain objects between the
 * client's and the MP's domains, sPNMappings, the DC's clock and functional
 * levels, through the libldap wrapper (src/directory.c).  A directory that
 * cannot be reached is an event naming the check that could not run; the
 * wire evidence stands on its own.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "directory.h"
#include "dns.h"
#include "error.h"
#include "gss.h"
#include "probe.h"
#include "resolver.h"
#include "trust.h"
#include "util.h"

#define QSRV 33
#define MAX_DC 4
#define MAX_SPN 4
#define SIZE_LIMIT 200
#define OP_WAIT 5.0		/* seconds at most for one directory call */

struct dc {
	char host[256];
	int port;
};

struct dir {
	struct dir_conn *c;
	char host[256];
	int port;
	char domain[128];		/* DNS name: "ad.lab" */
	char default_nc[256], config_nc[256];
};

static void
unavailable(struct probe_ctx *ctx, const char *check, const char *peer,
    const char *why, int deadline)
{
	struct event ev;

	event_init(&ev, EV_DIRECTORY_UNAVAILABLE);
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_KDC;
	if (deadline)
		ev.flags |= EVF_DEADLINE;
	strlcpy0(ev.name, check, sizeof(ev.name));
	strlcpy0(ev.peer, peer, sizeof(ev.peer));
	strlcpy0(ev.text, why, sizeof(ev.text));
	probe_event(ctx, &ev);
}

/* The deadline of one directory call. */
static double
op_deadline(struct probe_ctx *ctx)
{
	double left = probe_remaining(ctx);

	return now_mono() + (left > OP_WAIT ? OP_WAIT : left);
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

/*
 * Connect to host:port and bind with the probe's Kerberos credentials.
 * The ticket for ldap/<host> is fetched first through the session, whose
 * KDC exchanges end by the deadline, so that the bind asks no KDC itself.
 * 0, or an ERR_ code with why filled in.
 */
static int
dir_open(struct probe_ctx *ctx, struct dir *d, const char *host, int port,
    char *why, size_t wn)
{
	char ccname[160], realm[128], msg[300], addrs[1][64];
	double deadline = op_deadline(ctx);
	long code;
	int n = 0, r;

	memset(d, 0, sizeof(*d));
	strlcpy0(d->host, host, sizeof(d->host));
	d->port = port;
	if ((r = resolver_system(host, addrs, 1, &n, NULL, 0, deadline)) != 0) {
		snprintf(why, wn, "ldap://%.250s:%d: the name does not resolve "
		    "(%s)", host, port, err_str(r));
		return r;
	}
	if (krbs_ccache_name(ctx->krb, ccname, sizeof(ccname)) != 0) {
		snprintf(why, wn, "no Kerberos session to bind with");
		return ERR_NOT_FOUND;
	}
	krbs_set_timeout(ctx->krb, deadline - now_mono());
	if ((code = krbs_service_ticket(ctx->krb, "ldap", host, realm,
	    sizeof(realm))) != 0) {
		krbs_message(ctx->krb, code, msg, sizeof(msg));
		snprintf(why, wn, "ldap://%.200s:%d: no ticket for ldap/%.200s: ",
		    host, port, host);
		strappendf(why, wn, "%s", msg);
		return krbs_classify(code) == KRBS_KDC_UNREACH ? ERR_TIMEOUT :
		    ERR_KRB5;
	}
	return dir_connect(&d->c, host, port, ccname, deadline, why, wn);
}

static void
dir_shut(struct dir *d)
{
	dir_close(d->c);
	d->c = NULL;
}

static int
search(struct probe_ctx *ctx, struct dir *d, const char *base,
    enum dir_scope scope, const char *filter, const char *const *attrs,
    struct dir_result **res)
{
	char why[600];

	return dir_search(d->c, base, scope, filter, attrs, SIZE_LIMIT,
	    op_deadline(ctx), res, why, sizeof(why));
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

/* rootDSE: naming contexts, functional levels, the DC's clock.  0, or the
 * ERR_ code of the search with why filled. */
static int
root_dse(struct probe_ctx *ctx, struct dir *d, const char *domain,
    char *why, size_t wn)
{
	static const char *const attrs[] = { "currentTime",
		"forestFunctionality", "domainFunctionality",
		"defaultNamingContext", "configurationNamingContext",
		"dnsHostName", NULL };
	struct dir_result *res = NULL;
	struct dir_entry *e;
	struct event ev;
	char now[64];
	double t0, t1, dc;
	int r;

	t0 = now_real();
	r = dir_search(d->c, "", DIR_BASE, "(objectClass=*)", attrs,
	    SIZE_LIMIT, op_deadline(ctx), &res, why, wn);
	t1 = now_real();
	if (r != 0 || (e = dir_first(res)) == NULL) {
		if (r == 0)
			snprintf(why, wn, "ldap://%.250s:%d: no rootDSE", d->host,
			    d->port);
		dir_result_free(res);
		return r ? r : ERR_NOT_FOUND;
	}
	dir_attr_str(res, e, "defaultNamingContext", d->default_nc,
	    sizeof(d->default_nc));
	dir_attr_str(res, e, "configurationNamingContext", d->config_nc,
	    sizeof(d->config_nc));
	strlcpy0(d->domain, domain, sizeof(d->domain));
	event_init(&ev, EV_DIRECTORY);
	ev.from = ROLE_KDC;
	ev.to = ROLE_CLIENT;
	strlcpy0(ev.name, d->host, sizeof(ev.name));
	strlcpy0(ev.realm, domain, sizeof(ev.realm));
	ev.dir.forest_level = (int)dir_attr_num(res, e,
	    "forestFunctionality", -1);
	ev.dir.domain_level = (int)dir_attr_num(res, e,
	    "domainFunctionality", -1);
	probe_event(ctx, &ev);

	dir_attr_str(res, e, "currentTime", now, sizeof(now));
	dir_result_free(res);
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

/* One sPNMappings value, "host=alerter,http,...": does HOST/ cover HTTP/? */
static void
mapping(void *arg, const char *v, size_t len)
{
	int *covers = arg;
	char m[2048], *tok, *sp;

	if (len > sizeof(m) - 1)
		len = sizeof(m) - 1;
	memcpy(m, v, len);
	m[len] = '\0';
	if (strncasecmp(m, "host=", 5) != 0)
		return;
	for (tok = strtok_r(m + 5, ",", &sp); tok; tok = strtok_r(NULL, ",",
	    &sp))
		if (strcasecmp(tok, "http") == 0)
			*covers = 1;
}

/* Which service classes HOST/ stands for (sPNMappings), into the
 * directory event's text. */
static void
spn_mappings(struct probe_ctx *ctx, struct dir *d)
{
	static const char *const attrs[] = { "sPNMappings", NULL };
	char base[400];
	struct dir_result *res = NULL;
	struct dir_entry *e;
	struct event *dev = NULL;
	size_t i;
	int covers = 0;

	if (!d->config_nc[0])
		return;
	snprintf(base, sizeof(base), "CN=Directory Service,CN=Windows NT,"
	    "CN=Services,%s", d->config_nc);
	if (search(ctx, d, base, DIR_BASE, "(objectClass=*)", attrs,
	    &res) != 0 || !(e = dir_first(res))) {
		dir_result_free(res);
		return;
	}
	dir_values(res, e, "sPNMappings", mapping, &covers);
	dir_result_free(res);
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
	static const char *const attrs[] = { "msDS-KeyVersionNumber", NULL };
	struct dir_result *res = NULL;
	struct dir_entry *e;
	long kvno = -1;

	if (d && d->c && search(ctx, d, dn, DIR_BASE, "(objectClass=*)",
	    attrs, &res) == 0 && (e = dir_first(res)) != NULL)
		kvno = dir_attr_num(res, e, "msDS-KeyVersionNumber", -1);
	dir_result_free(res);
	return kvno;
}

static const char *
account_kind(struct dir_result *res, struct dir_entry *e)
{
	if (dir_has_value(res, e, "objectClass", "computer"))
		return "computer";
	if (dir_has_value(res, e, "objectClass", "user"))
		return "user";
	return "object";
}

/*
 * Owners of HTTP/ and HOST/ with the MP's FQDN and short name: one event
 * per (SPN, owner), one with no owner for an SPN nobody holds.  gc is the
 * global catalog connection (or the domain's), dom the domain's own.
 * 0, or the search's ERR_ code with why filled.
 */
static int
spn_owners(struct probe_ctx *ctx, struct dir *gc, struct dir *dom,
    const char *fqdn, char *why, size_t wn)
{
	static const char *const attrs[] = { "objectClass", "sAMAccountName",
		"sAMAccountType", "msDS-KeyVersionNumber",
		"msDS-SupportedEncryptionTypes", "servicePrincipalName", NULL };
	char spns[MAX_SPN][300], filter[1400], shortname[128], *dot, dn[512];
	int held[MAX_SPN] = { 0 };
	struct dir_result *res = NULL;
	struct dir_entry *e;
	struct event ev;
	int i, r;
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
	r = dir_search(gc->c, base, DIR_SUBTREE, filter, attrs, SIZE_LIMIT,
	    op_deadline(ctx), &res, why, wn);
	if (r != 0 && r != ERR_TIMEOUT && base[0] == '\0')
		r = dir_search(gc->c, gc->default_nc, DIR_SUBTREE, filter,
		    attrs, SIZE_LIMIT, op_deadline(ctx), &res, why, wn);
	if (r != 0)
		return r;
	for (e = dir_first(res); e; e = dir_next(res, e)) {
		event_init(&ev, EV_SPN_OWNER);
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		strlcpy0(ev.realm, dom->domain[0] ? dom->domain : gc->domain,
		    sizeof(ev.realm));
		strlcpy0(ev.peer, gc->host, sizeof(ev.peer));
		dir_attr_str(res, e, "sAMAccountName", ev.value,
		    sizeof(ev.value));
		strlcpy0(ev.text, account_kind(res, e), sizeof(ev.text));
		ev.spn.sam_type = (int)dir_attr_num(res, e, "sAMAccountType",
		    -1);
		ev.spn.enctypes = dir_attr_num(res, e,
		    "msDS-SupportedEncryptionTypes", -1);
		ev.spn.kvno = (int)dir_attr_num(res, e,
		    "msDS-KeyVersionNumber", -1);
		if (ev.spn.kvno < 0 && dir_dn(res, e, dn, sizeof(dn)) == 0)
			ev.spn.kvno = (int)key_version(ctx, dom, dn);
		for (i = 0; i < MAX_SPN; i++) {
			if (!dir_has_value(res, e, "servicePrincipalName",
			    spns[i]))
				continue;
			held[i]++;
			strlcpy0(ev.name, spns[i], sizeof(ev.name));
			probe_event(ctx, &ev);
		}
	}
	dir_result_free(res);
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
	return 0;
}

/* trustedDomain objects of one domain; 0 or the ERR_ code, why filled. */
static int
trusts(struct probe_ctx *ctx, struct dir *d, int *count, char *why,
    size_t wn)
{
	static const char *const attrs[] = { "trustPartner", "trustType",
		"trustDirection", "trustAttributes",
		"msDS-TrustForestTrustInfo", NULL };
	struct dir_result *res = NULL;
	struct dir_entry *e;
	struct trust_info ti;
	struct event ev;
	int r;

	if (!d->default_nc[0]) {
		snprintf(why, wn, "no default naming context");
		return ERR_NOT_FOUND;
	}
	if ((r = dir_search(d->c, d->default_nc, DIR_SUBTREE,
	    "(objectClass=trustedDomain)", attrs, SIZE_LIMIT,
	    op_deadline(ctx), &res, why, wn)) != 0)
		return r;
	for (e = dir_first(res); e; e = dir_next(res, e)) {
		event_init(&ev, EV_TRUST);
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		strlcpy0(ev.realm, d->domain, sizeof(ev.realm));
		strlcpy0(ev.peer, d->host, sizeof(ev.peer));
		dir_attr_str(res, e, "trustPartner", ev.name, sizeof(ev.name));
		ev.trust.type = (int)dir_attr_num(res, e, "trustType", -1);
		ev.trust.direction = (int)dir_attr_num(res, e,
		    "trustDirection", -1);
		ev.trust.attributes = (unsigned)dir_attr_num(res, e,
		    "trustAttributes", 0);
		ev.trust.forest_info = dir_values(res, e,
		    "msDS-TrustForestTrustInfo", NULL, NULL) > 0;
		trust_classify(ev.trust.type, ev.trust.attributes,
		    ev.trust.direction, d->domain, ev.name, &ti);
		snprintf(ev.value, sizeof(ev.value), "%s%s%s",
		    trust_kind_name(ti.kind), ti.selective ?
		    " (selective authentication)" : "", ti.disabled ?
		    " (disabled)" : "");
		probe_event(ctx, &ev);
		(*count)++;
	}
	dir_result_free(res);
	return 0;
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
	char why[600] = "", peer[64] = "";
	int n, i, p, r = 0;
	static const int gc_ports[] = { 3268, 389 };

	if (probe_remaining(ctx) < PROBE_MIN_WAIT / 5) {
		unavailable(ctx, check, "", "no time was left for it "
		    "(--timeout)", 1);
		return -1;
	}
	if ((n = find_dcs(ctx, domain, dcs)) <= 0) {
		snprintf(why, sizeof(why), "no domain controller found: %s%s",
		    n < 0 ? "DNS did not answer for _ldap._tcp." :
		    "no SRV record _ldap._tcp.", domain);
		unavailable(ctx, check, "", why, 0);
		return -1;
	}
	for (i = 0; i < n && probe_remaining(ctx) > 0.2; i++) {
		for (p = gc ? 0 : 1; p < 2 && probe_remaining(ctx) > 0.2;
		    p++) {
			int port = p == 0 ? gc_ports[0] : dcs[i].port;

			if ((r = dir_open(ctx, d, dcs[i].host, port, why,
			    sizeof(why))) == 0 && (r = root_dse(ctx, d, domain,
			    why, sizeof(why))) == 0)
				return 0;
			dir_shut(d);
			strlcpy0(peer, dcs[i].host, sizeof(peer));
		}
	}
	unavailable(ctx, check, peer, why[0] ? why : "out of time",
	    r == ERR_TIMEOUT || !why[0]);
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
	char mp_domain[128], cl_domain[128], why[600];
	const char *fqdn = ctx->canon[0] ? ctx->canon : ctx->opts->target;
	int n_trusts = 0, spn_ok = 0, r, same, have_mpd = 0;

	memset(&gc, 0, sizeof(gc));
	memset(&mpd, 0, sizeof(mpd));
	memset(&cld, 0, sizeof(cld));
	domain_of(fqdn, mp_domain, sizeof(mp_domain));
	strlcpy0(cl_domain, ctx->client_realm, sizeof(cl_domain));
	lower(cl_domain);
	same = strcasecmp(mp_domain, cl_domain) == 0;
	if (!ctx->have_creds || !mp_domain[0] || ctx->dns_silent ||
	    ctx->kdc_down) {
		unavailable(ctx, "SPN owners", "", !mp_domain[0] ?
		    "the MP's name has no domain" : ctx->dns_silent ?
		    "the DNS servers did not answer: no domain controller can "
		    "be found" : ctx->kdc_down ? "the client's KDC did not "
		    "answer: no ticket to bind with" : "no Kerberos "
		    "credentials to bind with", 0);
		probe_step_done(ctx, STEP_SKIPPED, "no directory check");
		return 0;
	}

	/* SPN owners: the MP's forest's global catalog */
	if (open_domain(ctx, mp_domain, 1, &gc, "SPN owners") == 0) {
		if (gc.port == 3268 && open_domain(ctx, mp_domain, 0, &mpd,
		    "msDS-KeyVersionNumber") == 0)
			have_mpd = 1;
		r = spn_owners(ctx, &gc, have_mpd ? &mpd : &gc, fqdn, why,
		    sizeof(why));
		if (r != 0)
			unavailable(ctx, "SPN owners", gc.host, why,
			    r == ERR_TIMEOUT);
		else
			spn_ok = 1;
		spn_mappings(ctx, have_mpd ? &mpd : &gc);
		if (!have_mpd) {
			mpd = gc;
			gc.c = NULL;
			have_mpd = 1;
		}
	}

	/* trusts: held by both domains, read where each is held */
	if (!same) {
		if (have_mpd && mpd.port != 3268 && (r = trusts(ctx, &mpd,
		    &n_trusts, why, sizeof(why))) != 0)
			unavailable(ctx, "trusts", mpd.host, why,
			    r == ERR_TIMEOUT);
		if (open_domain(ctx, cl_domain, 0, &cld, "trusts") == 0 &&
		    (r = trusts(ctx, &cld, &n_trusts, why, sizeof(why))) != 0)
			unavailable(ctx, "trusts", cld.host, why,
			    r == ERR_TIMEOUT);
	}
	dir_shut(&gc);
	dir_shut(&mpd);
	dir_shut(&cld);
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
