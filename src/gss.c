/* gss.c - the Kerberos/GSS-API wrapper (see gss.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <profile.h>

#include "bounded.h"
#include "crypto.h"
#include "error.h"
#include "gss.h"
#include "kdc.h"
#include "krb.h"
#include "krbtrace.h"
#include "privs.h"
#include "util.h"

/* One identity's TGT for a run (gss.h). */
struct krbs_tgt {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	enum { TGT_NONE, TGT_GETTING, TGT_DONE } state;
	long code;
	char msg[512];		/* the library's message for code */
	char ccname[128];	/* "MEMORY:...": the TGT, when code is 0 */
	char princ[256], realm[128];
	double when;		/* when it was got */
	struct event *events;	/* what getting it showed */
	size_t n_events, cap_events;
};

struct krb_session {
	krb5_context ctx;
	krb5_ccache mcc;
	krb5_principal client;
	char overlay[300];	/* $TMPDIR/ccmdiag-krb5-XXXXXX */
	char *saved_config;
	int had_config;
	double deadline;	/* now_mono(): the KDC exchanges end by then */
	/* a library call left blocked at its deadline (bounded_call): the
	 * session is its for good; no event leaves it any more */
	pthread_mutex_t emit_mu;
	int dead;
	krb_event_fn fn;
	void *arg;
	struct krbs_tgt *tgt;		/* the run's TGT of this identity */
	struct krbs_tgt *recording;	/* getting it: keep the events */
	struct krbtrace tr;	/* what MIT's trace said so far */
	/* GSS exchange */
	gss_ctx_id_t gctx;
	gss_cred_id_t gcred;
	gss_name_t gname;
};

static gss_OID_desc spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };
static gss_OID_desc krb5_oid = { 9,
	(void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02" };

/* The session of the run's profile (krbs_run_begin), NULL outside a run. */
static struct krb_session *run_session;
/*
 * The realms whose KDCs a run found before it began (krbs_run_begin), as
 * "REALM = { kdc = ... }" lines for the run's profile, and their names:
 * krb5.conf names no KDC for them, so their kdc lines are the run's own
 * and krbs_config_kdcs does not give them.  Written before any thread
 * starts, read-only until krbs_run_end.
 */
static char *run_realms_text;
static char (*run_located)[128];
static size_t n_run_located;

static int config_kdcs(krb5_context, const char *, char [][256], int);
static int dns_lookup_kdc_of(krb5_context);
static int run_located_realm(const char *);

static void
record(struct krbs_tgt *t, const struct event *ev)
{
	struct event *p;
	size_t ncap;

	if (t->n_events == t->cap_events) {
		ncap = t->cap_events ? t->cap_events * 2 : 16;
		if ((p = realloc(t->events, ncap * sizeof(*p))) == NULL)
			return;
		t->events = p;
		t->cap_events = ncap;
	}
	t->events[t->n_events++] = *ev;
}

static void
emit(struct krb_session *s, struct event *ev)
{
	ev->from = ev->from ? ev->from : ROLE_KDC;
	pthread_mutex_lock(&s->emit_mu);
	if (s->recording && !s->dead)
		record(s->recording, ev);
	if (s->fn && !s->dead)
		s->fn(s->arg, ev);
	pthread_mutex_unlock(&s->emit_mu);
}

static void
emit_cb(void *arg, struct event *ev)
{
	emit(arg, ev);
}

static void KRB5_CALLCONV
on_trace(krb5_context ctx, const krb5_trace_info *info, void *data)
{
	struct krb_session *s = data;

	(void)ctx;
	if (info != NULL)
		krbtrace_line(&s->tr, info->message, emit_cb, s);
}

static int
write_overlay_fd(int fd)
{
	char buf[512];
	int n;

	/* no timeouts here: KDC traffic goes through ccmdiag's own
	 * transport (send_hook), which ends each exchange by the deadline.
	 * MIT still locates the KDCs itself before it calls the hook: not
	 * by URI records, which neither Windows nor the hook reads. */
	n = snprintf(buf, sizeof(buf),
	    "# written by ccmdiag for one run; behave like a Windows client\n"
	    "[libdefaults]\n"
	    "\trdns = false\n"
	    "\tdns_canonicalize_hostname = false\n"
	    "\tqualify_shortname = \"\"\n"
	    "\tdns_uri_lookup = false\n");
	if (write(fd, buf, (size_t)n) != n)
		goto fail;
	/* the KDCs the run found already: MIT looks up none of them again
	 * before each request, only to hand the request to the hook */
	if (run_realms_text && (n = (int)strlen(run_realms_text)) > 0 &&
	    write(fd, run_realms_text, (size_t)n) != n)
		goto fail;
	return close(fd) == 0 ? 0 : ERR_IO;
fail:
	close(fd);
	return ERR_IO;
}

static int
write_overlay(struct krb_session *s)
{
	int fd;

	if ((size_t)snprintf(s->overlay, sizeof(s->overlay),
	    "%s/ccmdiag-krb5-XXXXXX", tmp_dir()) >= sizeof(s->overlay) ||
	    (fd = mkstemp(s->overlay)) < 0) {
		s->overlay[0] = '\0';
		return ERR_IO;
	}
	privs_tmp_add(s->overlay);
	return write_overlay_fd(fd);
}

static int
set_config_env(struct krb_session *s)
{
	const char *old = getenv("KRB5_CONFIG");
	char *val;
	size_t n;

	s->had_config = old != NULL;
	if (old && (s->saved_config = strdup(old)) == NULL)
		return ERR_NOMEM;
	if (!old)
		old = "/etc/krb5.conf";
	n = strlen(s->overlay) + strlen(old) + 2;
	if ((val = malloc(n)) == NULL)
		return ERR_NOMEM;
	snprintf(val, n, "%s:%s", s->overlay, old);
	setenv("KRB5_CONFIG", val, 1);
	free(val);
	return 0;
}

/*
 * MIT's KDC send hook: every request the library makes goes out through
 * ccmdiag's own transport (src/kdc.c), to the KDCs krb5.conf or the SRV
 * records name, on their ports, and ends by the session's deadline; the
 * reply, or the error, goes back to the library as if it had sent it.
 */
static krb5_error_code KRB5_CALLCONV
send_hook(krb5_context ctx, void *data, const krb5_data *realm,
    const krb5_data *message, krb5_data **new_message_out,
    krb5_data **new_reply_out)
{
	struct krb_session *s = data;
	struct kdc_list l;
	struct kdc_exchange x;
	krb5_data d;
	uint8_t *reply = NULL;
	size_t rlen = 0;
	char name[128], text[600];
	krb5_error_code code;

	*new_message_out = NULL;
	*new_reply_out = NULL;
	s->tr.in_locate = 0;
	snprintf(name, sizeof(name), "%.*s", (int)realm->length, realm->data);
	if (krbs_locate(s, name, &l) != 0 && !l.timed_out) {
		krb5_set_error_message(ctx, KRB5_REALM_CANT_RESOLVE, "Cannot "
		    "find KDC for realm \"%s\": %s", name, l.why);
		return KRB5_REALM_CANT_RESOLVE;
	}
	if (l.n == 0) {
		/* the time ran out while finding them: no KDC was asked */
		struct event ev;

		event_init(&ev, EV_KDC_UNREACHABLE);
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_KDC;
		ev.flags |= EVF_DEADLINE;
		strlcpy0(ev.realm, name, sizeof(ev.realm));
		snprintf(ev.text, sizeof(ev.text), "the KDCs of %s could not be "
		    "located in the time left: %.300s", name, l.why);
		emit(s, &ev);
		krb5_set_error_message(ctx, KRB5_KDC_UNREACH, "Cannot contact "
		    "any KDC for realm '%s': %s", name, ev.text);
		return KRB5_KDC_UNREACH;
	}
	if (kdc_send(&l, (const uint8_t *)message->data, message->length,
	    s->deadline, &reply, &rlen, &x) != 0) {
		kdc_events(&l, &x, emit_cb, s);
		kdc_describe(&x, text, sizeof(text));
		krb5_set_error_message(ctx, KRB5_KDC_UNREACH, "Cannot contact "
		    "any KDC for realm '%s': %s", name, text);
		return KRB5_KDC_UNREACH;
	}
	kdc_events(&l, &x, emit_cb, s);
	strlcpy0(s->tr.peer, x.a[x.answered].server.addr, sizeof(s->tr.peer));
	d.magic = KV5M_DATA;
	d.data = (char *)reply;
	d.length = (unsigned int)rlen;
	code = krb5_copy_data(ctx, &d, new_reply_out);
	free(reply);
	return code;
}

int
krbs_open(struct krb_session **out, double timeout, krb_event_fn fn,
    void *arg)
{
	struct krb_session *s;
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ERR_NOMEM;
	s->fn = fn;
	s->arg = arg;
	s->deadline = now_mono() + timeout;
	pthread_mutex_init(&s->emit_mu, NULL);
	s->gctx = GSS_C_NO_CONTEXT;
	s->gcred = GSS_C_NO_CREDENTIAL;
	s->gname = GSS_C_NO_NAME;
	/* in a run, the run's profile is in KRB5_CONFIG already */
	if (run_session == NULL && ((r = write_overlay(s)) != 0 ||
	    (r = set_config_env(s)) != 0))
		goto fail;
	if (krb5_init_context(&s->ctx) != 0) {
		r = ERR_LIBRARY;
		goto fail;
	}
	krb5_set_trace_callback(s->ctx, on_trace, s);
	krb5_set_kdc_send_hook(s->ctx, send_hook, s);
	if (krb5_cc_new_unique(s->ctx, "MEMORY", NULL, &s->mcc) != 0) {
		r = ERR_LIBRARY;
		goto fail;
	}
	*out = s;
	return 0;
fail:
	krbs_close(s);
	return r;
}

void
krbs_set_timeout(struct krb_session *s, double timeout)
{
	s->deadline = now_mono() + timeout;
}

/* The profile and KRB5_CONFIG as they were, for a session that changed
 * them (one of a run did not). */
static void
restore_files(struct krb_session *s)
{
	if (!s->overlay[0])
		return;
	unlink(s->overlay);
	privs_tmp_forget(s->overlay);
	s->overlay[0] = '\0';
	if (s->had_config)
		setenv("KRB5_CONFIG", s->saved_config, 1);
	else
		unsetenv("KRB5_CONFIG");
}

void
krbs_close(struct krb_session *s)
{
	OM_uint32 min;

	if (s == NULL)
		return;
	if (s->dead) {
		/* a call still runs on s: give the files and the environment
		 * back, leave the rest to it */
		restore_files(s);
		return;
	}
	if (s->gctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &s->gctx, GSS_C_NO_BUFFER);
	if (s->gcred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&min, &s->gcred);
	if (s->gname != GSS_C_NO_NAME)
		gss_release_name(&min, &s->gname);
	if (s->ctx) {
		krb5_set_trace_callback(s->ctx, NULL, NULL);
		if (s->mcc)
			krb5_cc_destroy(s->ctx, s->mcc);
		if (s->client)
			krb5_free_principal(s->ctx, s->client);
		krb5_free_context(s->ctx);
	}
	restore_files(s);
	free(s->saved_config);
	pthread_mutex_destroy(&s->emit_mu);
	free(s);
}

int
krbs_rfc_code(long code)
{
	return krbtrace_rfc_code(code);
}

enum krbs_class
krbs_classify(long code)
{
	switch (code) {
	case 0:
		return KRBS_OK;
	case KRB5_KDC_UNREACH:
		return KRBS_KDC_UNREACH;
	case KRB5_REALM_UNKNOWN:
	case KRB5_REALM_CANT_RESOLVE:
		return KRBS_REALM_UNKNOWN;
	case KRB5_FCC_NOFILE:
	case KRB5_CC_NOTFOUND:
	case KRB5_KT_NOTFOUND:
	case KRB5_KT_END:
	case ENOENT:
	case KRB5_CC_BADNAME:
	case KRB5_NO_TKT_SUPPLIED:
		return KRBS_NO_CREDS;
	case KRB5KRB_AP_ERR_SKEW:
	case KRB5_KDCREP_SKEW:
		return KRBS_SKEW;
	default:
		return krbs_rfc_code(code) >= 0 ? KRBS_KDC_ERROR : KRBS_OTHER;
	}
}

/* MIT's own codes the probes meet, by the name its error table gives. */
static const char *
mit_code_name(long code)
{
#define N(c) { c, #c }
	static const struct {
		long code;
		const char *name;
	} names[] = {
		N(KRB5_KDC_UNREACH), N(KRB5_REALM_UNKNOWN),
		N(KRB5_REALM_CANT_RESOLVE), N(KRB5_FCC_NOFILE),
		N(KRB5_FCC_PERM), N(KRB5_CC_NOTFOUND), N(KRB5_CC_END),
		N(KRB5_CC_FORMAT), N(KRB5_CCACHE_BADVNO), N(KRB5_CC_BADNAME), N(KRB5_KT_NOTFOUND),
		N(KRB5_KT_END), N(KRB5_KEYTAB_BADVNO), N(KRB5_NO_TKT_SUPPLIED),
		N(KRB5_KDCREP_SKEW), N(KRB5_KDCREP_MODIFIED),
		N(KRB5_PREAUTH_FAILED), N(KRB5_GET_IN_TKT_LOOP),
		N(KRB5_ERR_HOST_REALM_UNKNOWN), N(KRB5_BAD_ENCTYPE),
		N(KRB5_PROG_ETYPE_NOSUPP), N(KRB5_PARSE_MALFORMED),
		N(KRB5_CONFIG_BADFORMAT), N(KRB5_CC_IO), N(KRB5_FCC_INTERNAL),
	};
#undef N
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return NULL;
}

void
krbs_message(struct krb_session *s, long code, char *buf, size_t n)
{
	krb5_context ctx = s && !s->dead ? s->ctx : NULL;
	const char *msg = krb5_get_error_message(ctx, (krb5_error_code)code);
	const char *name = mit_code_name(code);
	char rfc[64];
	int r = krbs_rfc_code(code);

	if (name == NULL && r >= 0 && krb_err_name(r)) {
		snprintf(rfc, sizeof(rfc), "KRB5%s", krb_err_name(r));
		name = rfc;
	}
	err_lib(buf, n, ERR_KRB5, code, name, msg);
	krb5_free_error_message(ctx, msg);
}

static void
unparse(krb5_context ctx, krb5_const_principal p, char *buf, size_t n)
{
	char *name = NULL;

	if (krb5_unparse_name(ctx, p, &name) == 0) {
		strlcpy0(buf, name, n);
		krb5_free_unparsed_name(ctx, name);
	} else {
		strlcpy0(buf, "?", n);
	}
}

static long
get_creds(struct krb_session *s, const char *keytab, const char *principal,
    char *princ, size_t pn, char *realm, size_t rn)
{
	krb5_keytab kt = NULL;
	krb5_ccache def = NULL;
	krb5_creds creds;
	krb5_get_init_creds_opt *opt = NULL;
	long code;

	memset(&creds, 0, sizeof(creds));
	if (s->client) {
		krb5_free_principal(s->ctx, s->client);
		s->client = NULL;
	}
	if (keytab) {
		if ((code = krb5_parse_name(s->ctx, principal, &s->client)) ||
		    (code = krb5_kt_resolve(s->ctx, keytab, &kt)) ||
		    (code = krb5_get_init_creds_opt_alloc(s->ctx, &opt)))
			goto out;
		krb5_get_init_creds_opt_set_forwardable(opt, 0);
		code = krb5_get_init_creds_keytab(s->ctx, &creds, s->client,
		    kt, 0, NULL, opt);
		if (code == 0 && (code = krb5_cc_initialize(s->ctx, s->mcc,
		    s->client)) == 0)
			code = krb5_cc_store_cred(s->ctx, s->mcc, &creds);
	} else {
		/* read the user's cache, work on a copy */
		if ((code = krb5_cc_default(s->ctx, &def)) ||
		    (code = krb5_cc_get_principal(s->ctx, def, &s->client)) ||
		    (code = krb5_cc_initialize(s->ctx, s->mcc, s->client)))
			goto out;
		code = krb5_cc_copy_creds(s->ctx, def, s->mcc);
	}
out:
	if (s->client) {
		unparse(s->ctx, s->client, princ, pn);
		snprintf(realm, rn, "%.*s", (int)s->client->realm.length,
		    s->client->realm.data);
	}
	krb5_free_cred_contents(s->ctx, &creds);
	if (opt)
		krb5_get_init_creds_opt_free(s->ctx, opt);
	if (kt)
		krb5_kt_close(s->ctx, kt);
	if (def)
		krb5_cc_close(s->ctx, def);
	return code;
}

static long
get_ticket(struct krb_session *s, const char *service, const char *host,
    char *realm, size_t rn)
{
	krb5_principal server = NULL;
	krb5_creds in, *out = NULL;
	long code;

	memset(&in, 0, sizeof(in));
	realm[0] = '\0';
	if (s->client == NULL)
		return KRB5_CC_NOTFOUND;
	if ((code = krb5_sname_to_principal(s->ctx, host, service,
	    KRB5_NT_SRV_HST, &server)) != 0)
		goto out;
	in.client = s->client;
	in.server = server;
	code = krb5_get_credentials(s->ctx, 0, s->mcc, &in, &out);
	if (code == 0)
		snprintf(realm, rn, "%.*s", (int)out->server->realm.length,
		    out->server->realm.data);
out:
	if (out)
		krb5_free_creds(s->ctx, out);
	if (server)
		krb5_free_principal(s->ctx, server);
	return code;
}

/*
 * A call into MIT that may reach the network, run by bounded_call: MIT
 * finds a realm's KDCs through glibc's resolver before send_hook is called,
 * and that resolver can block without end.  Everything the call reads is
 * copied here, since an abandoned call outlives its caller.
 */
struct lib_call {
	struct krb_session *s;
	int ticket;		/* get_ticket, else get_creds */
	char keytab[1024], principal[512];	/* or service, host */
	int has_keytab;
	char princ[256], realm[128];
	long code;
};

static void
lib_call_run(void *arg)
{
	struct lib_call *c = arg;

	if (c->ticket)
		c->code = get_ticket(c->s, c->keytab, c->principal, c->realm,
		    sizeof(c->realm));
	else
		c->code = get_creds(c->s, c->has_keytab ? c->keytab : NULL,
		    c->principal, c->princ, sizeof(c->princ), c->realm,
		    sizeof(c->realm));
}

/* A little past the deadline: send_hook ends its exchange at it, and MIT
 * must then be let return. */
#define CALL_GRACE 0.5

static long
lib_call(struct krb_session *s, struct lib_call *c)
{
	long code;
	int r;

	if (s->dead) {
		free(c);
		return KRB5_KDC_UNREACH;
	}
	c->s = s;
	r = bounded_call(lib_call_run, c, s->deadline + CALL_GRACE);
	if (r == ERR_TIMEOUT) {
		/* c and s now belong to the blocked call */
		pthread_mutex_lock(&s->emit_mu);
		s->dead = 1;
		pthread_mutex_unlock(&s->emit_mu);
		return KRB5_KDC_UNREACH;
	}
	if (r != 0)
		lib_call_run(c);
	code = c->code;
	return code;
}

static long
bounded_creds(struct krb_session *s, const char *keytab,
    const char *principal, char *princ, size_t pn, char *realm, size_t rn)
{
	struct lib_call *c;
	long code;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ENOMEM;
	if (keytab) {
		c->has_keytab = 1;
		strlcpy0(c->keytab, keytab, sizeof(c->keytab));
	}
	if (principal)
		strlcpy0(c->principal, principal, sizeof(c->principal));
	code = lib_call(s, c);
	if (s->dead)
		return code;
	strlcpy0(princ, c->princ, pn);
	strlcpy0(realm, c->realm, rn);
	free(c);
	return code;
}

/* ---- a run's shared profile and TGTs (gss.h) ---- */

/* A realm name that may go into a profile as it is. */
static int
profile_safe_realm(const char *realm)
{
	size_t n = strlen(realm);

	return n > 0 && n < 128 && strspn(realm, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789.-_") == n;
}

/* The lines of one realm's KDCs, each address and port once. */
static void
put_realm(FILE *f, const struct kdc_list *l)
{
	int i, j;

	fprintf(f, "\t%s = {\n", l->realm);
	for (i = 0; i < l->n; i++) {
		for (j = 0; j < i; j++)
			if (l->s[j].port == l->s[i].port &&
			    strcmp(l->s[j].addr, l->s[i].addr) == 0)
				break;
		if (j == i)
			fprintf(f, strchr(l->s[i].addr, ':') ?
			    "\t\tkdc = [%s]:%d\n" : "\t\tkdc = %s:%d\n",
			    l->s[i].addr, l->s[i].port);
	}
	fputs("\t}\n", f);
}

/*
 * Before a run: the KDCs of each realm it names that krb5.conf names none
 * for, found as a check finds them (src/kdc.c: the SRV records) by the
 * deadline, written as the run's profile lines (run_realms_text).  MIT
 * locates a realm's KDCs before each request it makes, though the send
 * hook is what sends it: with these lines it asks DNS nothing more.  A
 * realm not found in time is left to the library as before.
 */
static int
run_locate(const char *const *realms, size_t n, double deadline)
{
	krb5_context ctx;
	struct kdc_list l;
	char cfg[1][256], *text = NULL;
	size_t len = 0, i;
	FILE *f;

	if (n == 0 || krb5_init_context(&ctx) != 0)
		return 0;	/* the run's own set-up says why */
	if ((run_located = calloc(n, sizeof(*run_located))) == NULL ||
	    (f = open_memstream(&text, &len)) == NULL) {
		krb5_free_context(ctx);
		return ERR_NOMEM;
	}
	fputs("[realms]\n", f);
	for (i = 0; i < n && dns_lookup_kdc_of(ctx) && now_mono() < deadline;
	    i++) {
		if (!profile_safe_realm(realms[i]) ||
		    run_located_realm(realms[i]) ||
		    config_kdcs(ctx, realms[i], cfg, 1) > 0 ||
		    kdc_locate(realms[i], NULL, 0, 1, deadline, &l) != 0)
			continue;
		put_realm(f, &l);
		strlcpy0(run_located[n_run_located++], realms[i],
		    sizeof(run_located[0]));
	}
	krb5_free_context(ctx);
	if (fclose(f) != 0 || n_run_located == 0) {
		free(text);
		return 0;
	}
	run_realms_text = text;
	return 0;
}

static void
run_forget_realms(void)
{
	free(run_realms_text);
	free(run_located);
	run_realms_text = NULL;
	run_located = NULL;
	n_run_located = 0;
}

int
krbs_run_begin(double timeout, const char *const *realms, size_t n)
{
	double budget = timeout / 2 < 1.0 ? timeout / 2 : 1.0;
	int r;

	if (run_session != NULL)
		return ERR_USAGE;
	if ((r = run_locate(realms, n, now_mono() + budget)) != 0 ||
	    (r = krbs_open(&run_session, timeout, NULL, NULL)) != 0) {
		run_forget_realms();
		return r;
	}
	return 0;
}

void
krbs_run_end(void)
{
	struct krb_session *s = run_session;

	run_session = NULL;
	krbs_close(s);
	run_forget_realms();
}

struct krbs_tgt *
krbs_tgt_new(void)
{
	struct krbs_tgt *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	pthread_mutex_init(&t->mu, NULL);
	mono_cond_init(&t->cv);
	return t;
}

void
krbs_tgt_free(struct krbs_tgt *t)
{
	krb5_context ctx;
	krb5_ccache cc;

	if (t == NULL)
		return;
	if (t->ccname[0] && krb5_init_context(&ctx) == 0) {
		if (krb5_cc_resolve(ctx, t->ccname, &cc) == 0)
			krb5_cc_destroy(ctx, cc);
		krb5_free_context(ctx);
	}
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t->events);
	free(t);
}

void
krbs_share_tgt(struct krb_session *s, struct krbs_tgt *t)
{
	s->tgt = t;
}

/* Every credential of from into to (initialised for from's client). */
static krb5_error_code
copy_ccache(krb5_context ctx, krb5_ccache from, krb5_ccache to,
    krb5_principal *client)
{
	krb5_error_code code;

	if ((code = krb5_cc_get_principal(ctx, from, client)) != 0)
		return code;
	if ((code = krb5_cc_initialize(ctx, to, *client)) != 0)
		return code;
	return krb5_cc_copy_creds(ctx, from, to);
}

/* Keep the TGT s just got in a MEMORY ccache of the run's. */
static void
keep_tgt(struct krb_session *s, struct krbs_tgt *t)
{
	krb5_ccache cc = NULL;
	krb5_principal p = NULL;

	if (krb5_cc_new_unique(s->ctx, "MEMORY", NULL, &cc) != 0)
		return;
	if (copy_ccache(s->ctx, s->mcc, cc, &p) == 0)
		snprintf(t->ccname, sizeof(t->ccname), "MEMORY:%s",
		    krb5_cc_get_name(s->ctx, cc));
	if (p)
		krb5_free_principal(s->ctx, p);
	if (t->ccname[0])
		krb5_cc_close(s->ctx, cc);
	else
		krb5_cc_destroy(s->ctx, cc);
}

/* Take the run's TGT as t has it: its events again, its credentials
 * copied, its error and the library's words for it. */
static long
take_tgt(struct krb_session *s, struct krbs_tgt *t, char *princ, size_t pn,
    char *realm, size_t rn)
{
	krb5_ccache cc = NULL;
	struct event ev;
	char when[40];
	size_t i;
	long code = t->code;

	for (i = 0; i < t->n_events; i++) {
		ev = t->events[i];
		emit(s, &ev);
	}
	format_time(t->when, when, sizeof(when));
	event_init(&ev, EV_NOTE);
	ev.from = ROLE_CLIENT;
	snprintf(ev.text, sizeof(ev.text), "the TGT of %s as got at %s for "
	    "this client's first check of the run, not asked for again",
	    t->princ[0] ? t->princ : "the client", when);
	emit(s, &ev);
	strlcpy0(princ, t->princ, pn);
	strlcpy0(realm, t->realm, rn);
	if (s->client) {
		krb5_free_principal(s->ctx, s->client);
		s->client = NULL;
	}
	if (code == 0 && (code = krb5_cc_resolve(s->ctx, t->ccname,
	    &cc)) == 0) {
		code = copy_ccache(s->ctx, cc, s->mcc, &s->client);
		krb5_cc_close(s->ctx, cc);
	}
	if (code != 0 && code == t->code && t->msg[0])
		krb5_set_error_message(s->ctx, (krb5_error_code)code, "%s",
		    t->msg);
	return code;
}

/*
 * The first session of an identity gets its TGT (an AS exchange) and keeps
 * it with what the exchange showed; the others wait for it and take it, as
 * a client keeps its TGT for every server it then asks for.  A session
 * that waited its whole timeout gets one itself.
 */
static long
shared_creds(struct krb_session *s, struct krbs_tgt *t, const char *keytab,
    const char *principal, char *princ, size_t pn, char *realm, size_t rn)
{
	struct timespec until;
	const char *msg;
	long code;
	int mine = 0;

	mono_timespec(s->deadline, &until);
	pthread_mutex_lock(&t->mu);
	while (t->state == TGT_GETTING)
		if (pthread_cond_timedwait(&t->cv, &t->mu, &until) != 0)
			break;
	if (t->state == TGT_NONE) {
		t->state = TGT_GETTING;
		mine = 1;
	}
	if (t->state == TGT_DONE) {
		pthread_mutex_unlock(&t->mu);
		return take_tgt(s, t, princ, pn, realm, rn);
	}
	pthread_mutex_unlock(&t->mu);
	if (!mine)
		return bounded_creds(s, keytab, principal, princ, pn, realm, rn);
	princ[0] = realm[0] = '\0';
	s->recording = t;
	code = bounded_creds(s, keytab, principal, princ, pn, realm, rn);
	if (s->dead) {
		/* the call still runs on s: its words, not the library's */
		krbs_hung(s, t->realm, sizeof(t->realm), t->msg,
		    sizeof(t->msg));
	} else {
		s->recording = NULL;
		if (code == 0)
			keep_tgt(s, t);
		if ((msg = krb5_get_error_message(s->ctx,
		    (krb5_error_code)code))) {
			strlcpy0(t->msg, msg, sizeof(t->msg));
			krb5_free_error_message(s->ctx, msg);
		}
	}
	pthread_mutex_lock(&t->mu);
	t->code = code == 0 && !t->ccname[0] ? KRB5_CC_NOMEM : code;
	strlcpy0(t->princ, princ, sizeof(t->princ));
	if (!s->dead)
		strlcpy0(t->realm, realm, sizeof(t->realm));
	t->when = now_real();
	t->state = TGT_DONE;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	return code;
}

long
krbs_creds(struct krb_session *s, const char *keytab, const char *principal,
    char *princ, size_t pn, char *realm, size_t rn)
{
	if (s->tgt)
		return shared_creds(s, s->tgt, keytab, principal, princ, pn,
		    realm, rn);
	return bounded_creds(s, keytab, principal, princ, pn, realm, rn);
}

long
krbs_service_ticket(struct krb_session *s, const char *service,
    const char *host, char *realm, size_t rn)
{
	struct lib_call *c;
	long code;

	realm[0] = '\0';
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ENOMEM;
	c->ticket = 1;
	strlcpy0(c->keytab, service, sizeof(c->keytab));
	strlcpy0(c->principal, host, sizeof(c->principal));
	code = lib_call(s, c);
	if (s->dead)
		return code;
	strlcpy0(realm, c->realm, rn);
	free(c);
	return code;
}

int
krbs_hung(struct krb_session *s, char *realm, size_t rn, char *why,
    size_t wn)
{
	if (!s->dead)
		return 0;
	strlcpy0(realm, s->tr.realm, rn);
	if (s->tr.in_locate)
		snprintf(why, wn, "the Kerberos library was still looking up "
		    "the KDCs of %s in DNS when the time ran out (glibc's "
		    "resolver waits without end for an answer over TCP after a "
		    "truncated one)", s->tr.realm);
	else
		snprintf(why, wn, "the Kerberos library had not returned when "
		    "the time ran out");
	return s->tr.in_locate ? 2 : 1;
}

/* MIT's messages put two spaces between sentences: one is enough. */
static void
squeeze(char *s)
{
	const char *r;
	char *w = s;

	for (r = s; *r; r++)
		if (*r != ' ' || w == s || w[-1] != ' ')
			*w++ = *r;
	*w = '\0';
}

static void
gss_status_event(struct event *ev, const char *what, OM_uint32 maj,
    OM_uint32 min)
{
	OM_uint32 m, ctx = 0;
	gss_buffer_desc buf = GSS_C_EMPTY_BUFFER;

	event_init(ev, EV_GSS_STATUS);
	ev->from = ROLE_CLIENT;
	strlcpy0(ev->name, what, sizeof(ev->name));
	ev->major = maj;
	ev->minor = min;
	ev->code = krbs_rfc_code((long)(int32_t)min);
	if (maj == GSS_S_COMPLETE || maj == GSS_S_CONTINUE_NEEDED) {
		snprintf(ev->text, sizeof(ev->text), "%s",
		    maj ? "continue needed" : "complete");
		return;
	}
	gss_display_status(&m, maj, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &buf);
	snprintf(ev->text, sizeof(ev->text), "%.*s", (int)buf.length,
	    (char *)buf.value);
	gss_release_buffer(&m, &buf);
	ctx = 0;
	if (min) {
		gss_display_status(&m, min, GSS_C_MECH_CODE, &krb5_oid, &ctx,
		    &buf);
		strappendf(ev->text, sizeof(ev->text), "; %.*s",
		    (int)buf.length, (char *)buf.value);
		gss_release_buffer(&m, &buf);
	}
	squeeze(ev->text);
}

int
krbs_token(struct krb_session *s, const char *service, const char *host,
    uint8_t **tok, size_t *len, struct event *status)
{
	OM_uint32 maj, min, flags = 0;
	gss_buffer_desc name = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	gss_OID_set_desc spnego_set = { 1, &spnego_oid };
	gss_OID_set_desc krb5_set = { 1, &krb5_oid };
	gss_key_value_element_desc el;
	gss_key_value_set_desc store = { 1, &el };
	char hbs[512], ccname[160];
	int r = ERR_LIBRARY;

	*tok = NULL;
	*len = 0;
	if (s->dead) {
		gss_status_event(status, "init_sec_context", GSS_S_FAILURE, 0);
		return r;
	}
	if (s->gctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &s->gctx, GSS_C_NO_BUFFER);
	if (s->gname != GSS_C_NO_NAME)
		gss_release_name(&min, &s->gname);
	if (s->gcred == GSS_C_NO_CREDENTIAL) {
		/* a SPNEGO credential over our private cache only: never the
		 * default ccache, and Kerberos as the only mechanism */
		snprintf(ccname, sizeof(ccname), "MEMORY:%s",
		    krb5_cc_get_name(s->ctx, s->mcc));
		el.key = "ccache";
		el.value = ccname;
		maj = gss_acquire_cred_from(&min, GSS_C_NO_NAME,
		    GSS_C_INDEFINITE, &spnego_set, GSS_C_INITIATE, &store,
		    &s->gcred, NULL, NULL);
		if (GSS_ERROR(maj)) {
			gss_status_event(status, "acquire credentials", maj,
			    min);
			return r;
		}
		gss_set_neg_mechs(&min, s->gcred, &krb5_set);
	}
	snprintf(hbs, sizeof(hbs), "%s@%s", service, host);
	name.value = hbs;
	name.length = strlen(hbs);
	maj = gss_import_name(&min, &name, GSS_C_NT_HOSTBASED_SERVICE,
	    &s->gname);
	if (GSS_ERROR(maj)) {
		gss_status_event(status, "import name", maj, min);
		return r;
	}
	maj = gss_init_sec_context(&min, s->gcred, &s->gctx, s->gname,
	    &spnego_oid, GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG, 0,
	    GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, NULL, &out, &flags,
	    NULL);
	gss_status_event(status, "init_sec_context", maj, min);
	if (!GSS_ERROR(maj) && out.length > 0) {
		if ((*tok = malloc(out.length)) != NULL) {
			memcpy(*tok, out.value, out.length);
			*len = out.length;
			r = 0;
		} else {
			r = ERR_NOMEM;
		}
	}
	if (out.value)
		explicit_bzero(out.value, out.length);
	gss_release_buffer(&min, &out);
	return r;
}

int
krbs_reply(struct krb_session *s, const uint8_t *tok, size_t len,
    struct event *status)
{
	OM_uint32 maj, min, flags = 0;
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;

	if (s->dead || s->gctx == GSS_C_NO_CONTEXT) {
		gss_status_event(status, "verify reply", GSS_S_NO_CONTEXT, 0);
		return ERR_LIBRARY;
	}
	in.value = (void *)tok;
	in.length = len;
	maj = gss_init_sec_context(&min, s->gcred, &s->gctx, s->gname,
	    &spnego_oid, GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG, 0,
	    GSS_C_NO_CHANNEL_BINDINGS, &in, NULL, &out, &flags, NULL);
	gss_release_buffer(&min, &out);
	gss_status_event(status, "verify reply", maj, min);
	return maj == GSS_S_COMPLETE ? 0 : ERR_REFUSED;
}

long
krbs_as_req(struct krb_session *s, uint8_t **req, size_t *len)
{
	krb5_init_creds_context ictx = NULL;
	krb5_data in = { 0 }, out = { 0 }, realm = { 0 };
	unsigned int flags = 0;
	long code;

	*req = NULL;
	*len = 0;
	if (s->dead || s->client == NULL)
		return KRB5_CC_NOTFOUND;
	if ((code = krb5_init_creds_init(s->ctx, s->client, NULL, NULL, 0,
	    NULL, &ictx)) != 0)
		return code;
	code = krb5_init_creds_step(s->ctx, ictx, &in, &out, &realm, &flags);
	if (code == 0 && out.length > 0) {
		if ((*req = malloc(out.length)) != NULL) {
			memcpy(*req, out.data, out.length);
			*len = out.length;
		} else {
			code = ENOMEM;
		}
	}
	krb5_free_data_contents(s->ctx, &out);
	krb5_free_data_contents(s->ctx, &realm);
	krb5_init_creds_free(s->ctx, ictx);
	return code;
}

/* The kdc lines of realm in the profile of ctx. */
static int
config_kdcs(krb5_context ctx, const char *realm, char out[][256], int max)
{
	profile_t prof = NULL;
	char **vals = NULL;
	const char *names[4];
	int n = 0, i;

	if (krb5_get_profile(ctx, &prof) != 0)
		return 0;
	names[0] = "realms";
	names[1] = realm;
	names[2] = "kdc";
	names[3] = NULL;
	if (profile_get_values(prof, names, &vals) == 0) {
		for (i = 0; vals[i] && n < max; i++)
			strlcpy0(out[n++], vals[i], 256);
		profile_free_list(vals);
	}
	profile_release(prof);
	return n;
}

static int
run_located_realm(const char *realm)
{
	size_t i;

	for (i = 0; i < n_run_located; i++)
		if (strcmp(run_located[i], realm) == 0)
			return 1;
	return 0;
}

int
krbs_config_kdcs(struct krb_session *s, const char *realm, char out[][256],
    int max)
{
	if (s->dead || run_located_realm(realm))
		return 0;
	return config_kdcs(s->ctx, realm, out, max);
}

/* dns_lookup_kdc of krb5.conf; MIT's default is on. */
static int
dns_lookup_kdc_of(krb5_context ctx)
{
	profile_t prof = NULL;
	int on = 1;

	if (krb5_get_profile(ctx, &prof) != 0)
		return 1;
	if (profile_get_boolean(prof, "libdefaults", "dns_lookup_kdc", NULL, 1,
	    &on) != 0)
		on = 1;
	profile_release(prof);
	return on;
}

static int
dns_lookup_kdc(struct krb_session *s)
{
	return dns_lookup_kdc_of(s->ctx);
}

int
krbs_locate(struct krb_session *s, const char *realm, struct kdc_list *out)
{
	char cfg[KDC_MAX_SERVERS][256];
	int n;

	if (s->dead) {
		memset(out, 0, sizeof(*out));
		snprintf(out->why, sizeof(out->why), "the Kerberos library did "
		    "not return");
		return ERR_TIMEOUT;
	}
	n = krbs_config_kdcs(s, realm, cfg, KDC_MAX_SERVERS);
	return kdc_locate(realm, cfg, n, dns_lookup_kdc(s), s->deadline, out);
}

long
krbs_peek_client(struct krb_session *s, const char *principal, char *princ,
    size_t pn, char *realm, size_t rn)
{
	krb5_principal p = NULL;
	krb5_ccache def = NULL;
	long code;

	princ[0] = realm[0] = '\0';
	if (principal)
		code = krb5_parse_name(s->ctx, principal, &p);
	else if ((code = krb5_cc_default(s->ctx, &def)) == 0)
		code = krb5_cc_get_principal(s->ctx, def, &p);
	if (code == 0) {
		unparse(s->ctx, p, princ, pn);
		snprintf(realm, rn, "%.*s", (int)p->realm.length,
		    p->realm.data);
		if (s->client)
			krb5_free_principal(s->ctx, s->client);
		s->client = p;
		p = NULL;
	}
	if (p)
		krb5_free_principal(s->ctx, p);
	if (def)
		krb5_cc_close(s->ctx, def);
	return code;
}

void
krbs_thread_ccache(const char *name)
{
	OM_uint32 min;

	gss_krb5_ccache_name(&min, name, NULL);
}

int
krbs_ccache_name(struct krb_session *s, char *buf, size_t n)
{
	if (s == NULL || s->dead || s->ctx == NULL || s->mcc == NULL)
		return -1;
	snprintf(buf, n, "MEMORY:%s", krb5_cc_get_name(s->ctx, s->mcc));
	return 0;
}

/* Up to 512 bytes of "a, b, c": the principals keytab kt holds. */
static int
keytab_scan(krb5_context ctx, krb5_keytab kt, krb5_const_principal want,
    char *list, size_t ln, char *machine, size_t mn, int *found)
{
	krb5_kt_cursor cur;
	krb5_keytab_entry e;
	char name[256];
	long code;
	int n = 0;

	list[0] = '\0';
	if (machine)
		machine[0] = '\0';
	*found = 0;
	if ((code = krb5_kt_start_seq_get(ctx, kt, &cur)) != 0)
		return (int)code;
	while ((code = krb5_kt_next_entry(ctx, kt, &e, &cur)) == 0) {
		unparse(ctx, e.principal, name, sizeof(name));
		if (want && krb5_principal_compare(ctx, want, e.principal))
			*found = 1;
		if (machine && !machine[0] && e.principal->length == 1 &&
		    e.principal->data[0].length > 1 &&
		    e.principal->data[0].data[e.principal->data[0].length -
		    1] == '$')
			strlcpy0(machine, name, mn);
		/* each name once: entries of one principal come together */
		if (!list[0] || strstr(list, name) == NULL) {
			if (n++ < 8)
				strappendf(list, ln, "%s%s", list[0] ? ", " :
				    "", name);
			else if (n == 9)
				strappendf(list, ln, ", ...");
		}
		krb5_free_keytab_entry_contents(ctx, &e);
	}
	krb5_kt_end_seq_get(ctx, kt, &cur);
	return code == KRB5_KT_END ? 0 : (int)code;
}

int
krbs_check_keytab(struct krb_session *s, const char *keytab,
    const char *principal, char *chosen, size_t cn, char *why, size_t wn)
{
	krb5_keytab kt = NULL;
	krb5_principal want = NULL;
	char list[512], machine[256], msg[256], path[1100];
	long code;
	int found = 0, r = ERR_MALFORMED;

	chosen[0] = why[0] = '\0';
	snprintf(path, sizeof(path), "%s%s", strchr(keytab, ':') ? "" :
	    "FILE:", keytab);
	if (principal && (code = krb5_parse_name(s->ctx, principal,
	    &want)) != 0) {
		krbs_message(s, code, msg, sizeof(msg));
		snprintf(why, wn, "--principal %s is not a principal name: %s",
		    principal, msg);
		goto out;
	}
	if ((code = krb5_kt_resolve(s->ctx, path, &kt)) != 0 ||
	    (code = keytab_scan(s->ctx, kt, want, list, sizeof(list), machine,
	    sizeof(machine), &found)) != 0) {
		krbs_message(s, code, msg, sizeof(msg));
		snprintf(why, wn, "--keytab %s is not a usable keytab: %s",
		    keytab, msg);
		goto out;
	}
	r = ERR_NOT_FOUND;
	if (!list[0])
		snprintf(why, wn, "--keytab %s holds no keys", keytab);
	else if (principal && !found)
		snprintf(why, wn, "--keytab %s holds no key for %s; it holds: "
		    "%s", keytab, principal, list);
	else if (!principal && !machine[0])
		snprintf(why, wn, "--keytab %s holds no machine account "
		    "(NAME$): name one with --principal; it holds: %s", keytab,
		    list);
	else
		r = 0;
	if (r == 0)
		strlcpy0(chosen, principal ? principal : machine, cn);
out:
	if (want)
		krb5_free_principal(s->ctx, want);
	if (kt)
		krb5_kt_close(s->ctx, kt);
	return r;
}

int
krbs_check_ccache(struct krb_session *s, char *why, size_t wn)
{
	krb5_ccache cc = NULL;
	krb5_principal client = NULL;
	krb5_cc_cursor cur;
	krb5_creds c;
	char name[300], msg[256], when[40];
	const char *env = getenv("KRB5CCNAME");
	long code;
	int r = ERR_MALFORMED, tgt = 0, live = 0;
	double expired = 0;

	why[0] = '\0';
	snprintf(name, sizeof(name), "%s%s", krb5_cc_default_name(s->ctx),
	    env ? " (KRB5CCNAME)" : "");
	if ((code = krb5_cc_default(s->ctx, &cc)) != 0) {
		krbs_message(s, code, msg, sizeof(msg));
		snprintf(why, wn, "the credential cache %s cannot be opened: "
		    "%s", name, msg);
		goto out;
	}
	if ((code = krb5_cc_get_principal(s->ctx, cc, &client)) != 0) {
		krbs_message(s, code, msg, sizeof(msg));
		if (code == KRB5_FCC_NOFILE || code == KRB5_CC_NOTFOUND ||
		    code == ENOENT) {
			r = ERR_NOT_FOUND;
			snprintf(why, wn, "no credential cache at %s: run kinit, "
			    "or give the machine's --keytab", name);
		} else {
			snprintf(why, wn, "the credential cache %s is not "
			    "readable as one (corrupt?): %s", name, msg);
		}
		goto out;
	}
	if ((code = krb5_cc_start_seq_get(s->ctx, cc, &cur)) != 0) {
		krbs_message(s, code, msg, sizeof(msg));
		snprintf(why, wn, "the credential cache %s is not readable as "
		    "one (corrupt?): %s", name, msg);
		goto out;
	}
	while ((code = krb5_cc_next_cred(s->ctx, cc, &cur, &c)) == 0) {
		if (c.server->length == 2 && c.server->data[0].length == 6 &&
		    memcmp(c.server->data[0].data, "krbtgt", 6) == 0 &&
		    krb5_realm_compare(s->ctx, c.server, client)) {
			tgt = 1;
			if ((double)(uint32_t)c.times.endtime > now_real())
				live = 1;
			else
				expired = (double)(uint32_t)c.times.endtime;
		}
		krb5_free_cred_contents(s->ctx, &c);
	}
	krb5_cc_end_seq_get(s->ctx, cc, &cur);
	if (code != KRB5_CC_END) {
		krbs_message(s, code, msg, sizeof(msg));
		snprintf(why, wn, "the credential cache %s is cut short or "
		    "corrupt: %s", name, msg);
		goto out;
	}
	r = ERR_NOT_FOUND;
	if (!tgt) {
		snprintf(why, wn, "the credential cache %s holds no ticket-"
		    "granting ticket of its own realm: run kinit", name);
	} else if (!live) {
		format_time(expired, when, sizeof(when));
		snprintf(why, wn, "the ticket-granting ticket in %s expired at "
		    "%s: run kinit again", name, when);
	} else {
		r = 0;
	}
out:
	if (client)
		krb5_free_principal(s->ctx, client);
	if (cc)
		krb5_cc_close(s->ctx, cc);
	return r;
}
