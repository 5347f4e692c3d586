/* directory.c - the libldap wrapper (see directory.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#define LDAP_DEPRECATED 0
#include <ldap.h>
#include <sasl/sasl.h>

#include "bounded.h"
#include "directory.h"
#include "error.h"
#include "gss.h"
#include "util.h"

/* libldap reads a message in blocking reads once the first byte came (a
 * server that announces 2 GiB and stops would hold it for good): every
 * call that waits on the server runs through bounded_call. */
#define CALL_GRACE 0.5
#define MAX_INCOMING (4 * 1024 * 1024)

struct dir_conn {
	int dead;		/* a call left blocked: ld is its for good */
	LDAP *ld;
	char host[256];
	int port;
	char uri[300];
};

struct dir_result {
	LDAP *ld;
	LDAPMessage *msg;
};

/* The time left as a timeval, at least 10 ms (libldap reads 0 as none). */
static void
left_tv(double deadline, struct timeval *tv)
{
	double left = deadline - now_mono();

	if (left < 0.01)
		left = 0.01;
	tv->tv_sec = (time_t)left;
	tv->tv_usec = (suseconds_t)((left - (double)tv->tv_sec) * 1e6);
}

/* The connect and every wait for a result end by the deadline. */
static void
set_deadline(LDAP *ld, double deadline)
{
	struct timeval tv;

	left_tv(deadline, &tv);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
}

static int
map_rc(int rc)
{
	switch (rc) {
	case LDAP_SUCCESS:
	case LDAP_SIZELIMIT_EXCEEDED:
		return 0;
	case LDAP_TIMEOUT:
	case LDAP_TIMELIMIT_EXCEEDED:
		return ERR_TIMEOUT;
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
		return ERR_REFUSED;
	case LDAP_NO_SUCH_OBJECT:
		return ERR_NOT_FOUND;
	default:
		return ERR_LDAP;
	}
}

/* libldap's own (client side) result codes by name. */
static const char *
rc_name(int rc)
{
#define N(c) case c: return #c
	switch (rc) {
	N(LDAP_SERVER_DOWN); N(LDAP_LOCAL_ERROR); N(LDAP_ENCODING_ERROR);
	N(LDAP_DECODING_ERROR); N(LDAP_TIMEOUT); N(LDAP_AUTH_UNKNOWN);
	N(LDAP_FILTER_ERROR); N(LDAP_USER_CANCELLED); N(LDAP_PARAM_ERROR);
	N(LDAP_NO_MEMORY); N(LDAP_CONNECT_ERROR); N(LDAP_NOT_SUPPORTED);
	N(LDAP_CONTROL_NOT_FOUND); N(LDAP_NO_RESULTS_RETURNED);
	N(LDAP_MORE_RESULTS_TO_RETURN); N(LDAP_CLIENT_LOOP);
	N(LDAP_REFERRAL_LIMIT_EXCEEDED);
	N(LDAP_INVALID_CREDENTIALS); N(LDAP_INSUFFICIENT_ACCESS);
	N(LDAP_NO_SUCH_OBJECT); N(LDAP_UNAVAILABLE); N(LDAP_BUSY);
	N(LDAP_STRONG_AUTH_REQUIRED); N(LDAP_INAPPROPRIATE_AUTH);
	N(LDAP_OTHER); N(LDAP_PROTOCOL_ERROR);
	default:
		return NULL;
	}
#undef N
}

/* "what: <the library's words> (ldap NAME)", with its diagnostic message. */
static void
why_ldap(LDAP *ld, int rc, const char *what, char *why, size_t wn)
{
	char *diag = NULL, msg[400], lib[500];

	if (ld)
		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	snprintf(msg, sizeof(msg), "%s%s%.300s", ldap_err2string(rc),
	    diag && diag[0] ? ": " : "", diag ? diag : "");
	ldap_memfree(diag);
	err_lib(lib, sizeof(lib), ERR_LDAP, rc, rc_name(rc), msg);
	snprintf(why, wn, "%s: %s", what, lib);
}

/* SASL/GSSAPI needs no answers from us; give the defaults. */
static int
interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *it = in;

	(void)ld;
	(void)flags;
	(void)defaults;
	for (; it && it->id != SASL_CB_LIST_END; it++) {
		it->result = it->defresult ? it->defresult : "";
		it->len = (unsigned)strlen(it->result);
	}
	return LDAP_SUCCESS;
}

struct bind_call {
	LDAP *ld;
	int rc;
	char ccache[300];
};

/* SASL's GSSAPI takes the default ccache: ours, for this thread only (not
 * KRB5CCNAME, which every thread of a fleet run would see). */
static void
bind_run(void *arg)
{
	struct bind_call *b = arg;

	krbs_thread_ccache(b->ccache);
	b->rc = ldap_sasl_interactive_bind_s(b->ld, NULL, "GSSAPI", NULL, NULL,
	    LDAP_SASL_QUIET, interact, NULL);
	krbs_thread_ccache(NULL);
}

struct search_call {
	LDAP *ld;
	char *base, *filter, **attrs;
	int scope, sizelimit;
	struct timeval tv;
	LDAPMessage *msg;
	int rc;
};

static void
search_run(void *arg)
{
	struct search_call *c = arg;

	c->rc = ldap_search_ext_s(c->ld, c->base, c->scope, c->filter,
	    c->attrs, 0, NULL, NULL, &c->tv, c->sizelimit, &c->msg);
}

static void
search_call_free(struct search_call *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; c->attrs && c->attrs[i]; i++)
		free(c->attrs[i]);
	free(c->attrs);
	free(c->base);
	free(c->filter);
	free(c);
}

/* A copy an abandoned call may keep: base, filter, attrs. */
static struct search_call *
search_call_new(LDAP *ld, const char *base, int scope, const char *filter,
    const char *const *attrs, int sizelimit)
{
	struct search_call *c;
	int i, n = 0;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->ld = ld;
	c->scope = scope;
	c->sizelimit = sizelimit;
	while (attrs && attrs[n])
		n++;
	if ((c->base = strdup(base)) == NULL ||
	    (c->filter = strdup(filter)) == NULL ||
	    (c->attrs = calloc((size_t)n + 1, sizeof(char *))) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if ((c->attrs[i] = strdup(attrs[i])) == NULL)
			goto fail;
	return c;
fail:
	search_call_free(c);
	return NULL;
}

int
dir_connect(struct dir_conn **out, const char *host, int port,
    const char *ccache, double deadline, char *why, size_t wn)
{
	struct dir_conn *c;
	struct bind_call *b;
	char what[400];
	ber_len_t max = MAX_INCOMING;
	Sockbuf *sb = NULL;
	int v3 = LDAP_VERSION3, rc, r;

	*out = NULL;
	why[0] = '\0';
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ERR_NOMEM;
	strlcpy0(c->host, host, sizeof(c->host));
	c->port = port;
	snprintf(c->uri, sizeof(c->uri), "ldap://%.250s:%d", host, port);
	if ((rc = ldap_initialize(&c->ld, c->uri)) != LDAP_SUCCESS) {
		why_ldap(NULL, rc, c->uri, why, wn);
		free(c);
		return ERR_LDAP;
	}
	ldap_set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	ldap_set_option(c->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	/* the SPN is ldap/<host as given>, never a PTR name (like Windows) */
	ldap_set_option(c->ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
	set_deadline(c->ld, deadline);
	/* no message of the server's may claim more than this */
	if (ldap_get_option(c->ld, LDAP_OPT_SOCKBUF, &sb) == LDAP_OPT_SUCCESS &&
	    sb)
		ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_MAX_INCOMING, &max);
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		rc = LDAP_NO_MEMORY;
	} else {
		b->ld = c->ld;
		strlcpy0(b->ccache, ccache, sizeof(b->ccache));
		if (bounded_call(bind_run, b, deadline + CALL_GRACE) ==
		    ERR_TIMEOUT) {
			/* b and the handle belong to the blocked call */
			c->dead = 1;
			b = NULL;
			rc = LDAP_TIMEOUT;
		} else {
			rc = b->rc;
		}
		free(b);
	}
	if (rc != LDAP_SUCCESS) {
		r = map_rc(rc);
		snprintf(what, sizeof(what), "%s: SASL/GSSAPI bind", c->uri);
		why_ldap(c->dead ? NULL : c->ld, rc, what, why, wn);
		if (c->dead)
			strappendf(why, wn, "; the library was still reading "
			    "when the time ran out");
		dir_close(c);
		return r ? r : ERR_LDAP;
	}
	*out = c;
	return 0;
}

void
dir_close(struct dir_conn *c)
{
	if (c == NULL)
		return;
	if (c->dead)
		return;		/* its handle is still in use */
	if (c->ld)
		ldap_unbind_ext_s(c->ld, NULL, NULL);
	free(c);
}

int
dir_search(struct dir_conn *c, const char *base, enum dir_scope scope,
    const char *filter, const char *const *attrs, int sizelimit,
    double deadline, struct dir_result **out, char *why, size_t wn)
{
	struct dir_result *res;
	struct search_call *sc;
	char what[520];
	int rc;

	*out = NULL;
	why[0] = '\0';
	snprintf(what, sizeof(what), "%s: search %.100s", c->uri,
	    base[0] ? base : "the rootDSE");
	if (c->dead) {
		snprintf(why, wn, "%s: an earlier call is still blocked", what);
		return ERR_TIMEOUT;
	}
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return ERR_NOMEM;
	if ((sc = search_call_new(c->ld, base, scope == DIR_BASE ?
	    LDAP_SCOPE_BASE : LDAP_SCOPE_SUBTREE, filter, attrs,
	    sizelimit)) == NULL) {
		free(res);
		return ERR_NOMEM;
	}
	res->ld = c->ld;
	set_deadline(c->ld, deadline);
	left_tv(deadline, &sc->tv);
	if (bounded_call(search_run, sc, deadline + CALL_GRACE) ==
	    ERR_TIMEOUT) {
		c->dead = 1;
		free(res);
		snprintf(why, wn, "%s: no answer by the deadline; the library "
		    "was still reading when the time ran out", what);
		return ERR_TIMEOUT;
	}
	rc = sc->rc;
	res->msg = sc->msg;
	search_call_free(sc);
	if (map_rc(rc) != 0) {
		why_ldap(c->ld, rc, what, why, wn);
		dir_result_free(res);
		return map_rc(rc);
	}
	*out = res;
	return 0;
}

void
dir_result_free(struct dir_result *r)
{
	if (r == NULL)
		return;
	ldap_msgfree(r->msg);
	free(r);
}

struct dir_entry *
dir_first(struct dir_result *r)
{
	return (struct dir_entry *)ldap_first_entry(r->ld, r->msg);
}

struct dir_entry *
dir_next(struct dir_result *r, struct dir_entry *e)
{
	return (struct dir_entry *)ldap_next_entry(r->ld, (LDAPMessage *)e);
}

void
dir_attr_str(struct dir_result *r, struct dir_entry *e, const char *attr,
    char *buf, size_t n)
{
	struct berval **v = ldap_get_values_len(r->ld, (LDAPMessage *)e, attr);

	buf[0] = '\0';
	if (v && v[0]) {
		size_t len = v[0]->bv_len < n - 1 ? v[0]->bv_len : n - 1;

		memcpy(buf, v[0]->bv_val, len);
		buf[len] = '\0';
	}
	ldap_value_free_len(v);
}

long
dir_attr_num(struct dir_result *r, struct dir_entry *e, const char *attr,
    long dflt)
{
	char buf[32], *end;
	long v;

	dir_attr_str(r, e, attr, buf, sizeof(buf));
	if (!buf[0])
		return dflt;
	v = strtol(buf, &end, 10);
	return *end ? dflt : v;
}

int
dir_has_value(struct dir_result *r, struct dir_entry *e, const char *attr,
    const char *want)
{
	struct berval **v = ldap_get_values_len(r->ld, (LDAPMessage *)e, attr);
	int i, found = 0;

	for (i = 0; v && v[i] && !found; i++)
		found = v[i]->bv_len == strlen(want) &&
		    strncasecmp(v[i]->bv_val, want, v[i]->bv_len) == 0;
	ldap_value_free_len(v);
	return found;
}

int
dir_values(struct dir_result *r, struct dir_entry *e, const char *attr,
    void (*fn)(void *arg, const char *v, size_t len), void *arg)
{
	struct berval **v = ldap_get_values_len(r->ld, (LDAPMessage *)e, attr);
	int i;

	for (i = 0; v && v[i]; i++)
		if (fn)
			fn(arg, v[i]->bv_val, v[i]->bv_len);
	ldap_value_free_len(v);
	return i;
}

int
dir_dn(struct dir_result *r, struct dir_entry *e, char *buf, size_t n)
{
	char *dn = ldap_get_dn(r->ld, (LDAPMessage *)e);

	if (dn == NULL)
		return -1;
	strlcpy0(buf, dn, n);
	ldap_memfree(dn);
	return 0;
}

const char *
dir_host(const struct dir_conn *c)
{
	return c->host;
}

int
dir_port(const struct dir_conn *c)
{
	return c->port;
}
