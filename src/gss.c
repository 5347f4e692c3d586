/* gss.c - the Kerberos/GSS-API wrapper (see gss.h): a session, its KDC
 * transport and the GSS-API exchange; gss_run.c and gss_ident.c hold the
 * rest (gss_int.h). */
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
#include "gss_int.h"
#include "kdc.h"
#include "krb.h"
#include "krbtrace.h"
#include "privs.h"
#include "util.h"

/*
 * A run as gss_run.c sets it (krbs_run_state): on while the run's profile
 * is in KRB5_CONFIG, the profile's lines, and the realms whose kdc lines
 * in it are the run's own (krb5.conf names none for them).
 */
static int run_on;
static const char *run_text;
static char (*run_realms)[128];
static size_t n_run_realms;

static gss_OID_desc spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };
static gss_OID_desc krb5_oid = { 9,
	(void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02" };

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

void
krbs_emit(struct krb_session *s, struct event *ev)
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
	krbs_emit(arg, ev);
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
	const char *text;
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
	if ((text = run_text) != NULL &&
	    (n = (int)strlen(text)) > 0 && write(fd, text, (size_t)n) != n)
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
		krbs_emit(s, &ev);
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
	if (!run_on && ((r = write_overlay(s)) != 0 ||
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

void
krbs_unparse(krb5_context ctx, krb5_const_principal p, char *buf, size_t n)
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
		krbs_unparse(s->ctx, s->client, princ, pn);
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

long
krbs_bounded_creds(struct krb_session *s, const char *keytab,
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

void
krbs_run_state(int on, const char *text, char (*realms)[128], size_t n)
{
	run_on = on;
	run_text = text;
	run_realms = realms;
	n_run_realms = n;
}

int
krbs_profile_kdcs(krb5_context ctx, const char *realm, char out[][256], int max)
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

/* A realm whose kdc lines are the run's own. */
static int
run_realm(const char *realm)
{
	size_t i;

	for (i = 0; i < n_run_realms; i++)
		if (strcmp(run_realms[i], realm) == 0)
			return 1;
	return 0;
}

int
krbs_config_kdcs(struct krb_session *s, const char *realm, char out[][256],
    int max)
{
	if (s->dead || run_realm(realm))
		return 0;
	return krbs_profile_kdcs(s->ctx, realm, out, max);
}

int
krbs_profile_dns_kdc(krb5_context ctx)
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
	return krbs_profile_dns_kdc(s->ctx);
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
