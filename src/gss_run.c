/*
 * gss_run.c - a run of many checks at once (ccmdiag fleet, gss.h): its
 * profile, the KDCs of its realms found once before it starts, each
 * identity's TGT got once and shared.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <krb5.h>

#include "error.h"
#include "gss.h"
#include "gss_int.h"
#include "kdc.h"
#include "util.h"

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
run_locate(const char (*realms)[128], size_t n, double deadline)
{
	krb5_context ctx;
	struct kdc_list l;
	char cfg[1][256], *text = NULL;
	size_t len = 0, i;
	FILE *f;

	if (n == 0 || krb5_init_context(&ctx) != 0)
		return 0;	/* the run's own set-up says why */
	if (!krbs_profile_dns_kdc(ctx)) {
		krb5_free_context(ctx);		/* MIT asks no DNS either */
		return 0;
	}
	if ((run_located = calloc(n, sizeof(*run_located))) == NULL ||
	    (f = open_memstream(&text, &len)) == NULL) {
		krb5_free_context(ctx);
		return ERR_NOMEM;
	}
	fputs("[realms]\n", f);
	for (i = 0; i < n && now_mono() < deadline; i++) {
		if (!profile_safe_realm(realms[i]) ||
		    krbs_profile_kdcs(ctx, realms[i], cfg, 1) > 0 ||
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
krbs_run_begin(double timeout, const char (*realms)[128], size_t n)
{
	double budget = timeout / 2 < 1.0 ? timeout / 2 : 1.0;
	int r;

	if (run_session != NULL)
		return ERR_USAGE;
	if ((r = run_locate(realms, n, now_mono() + budget)) != 0) {
		run_forget_realms();
		return r;
	}
	/* the run's own session writes the profile; those opened while
	 * the run is on read it */
	krbs_run_state(0, run_realms_text, run_located, n_run_located);
	if ((r = krbs_open(&run_session, timeout, NULL, NULL)) != 0) {
		krbs_run_state(0, NULL, NULL, 0);
		run_forget_realms();
		return r;
	}
	krbs_run_state(1, run_realms_text, run_located, n_run_located);
	return 0;
}

void
krbs_run_end(void)
{
	struct krb_session *s = run_session;

	run_session = NULL;
	krbs_run_state(0, NULL, NULL, 0);
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
		krbs_emit(s, &ev);
	}
	format_time(t->when, when, sizeof(when));
	event_init(&ev, EV_NOTE);
	ev.from = ROLE_CLIENT;
	snprintf(ev.text, sizeof(ev.text), "the TGT of %s as got at %s for "
	    "this client's first check of the run, not asked for again",
	    t->princ[0] ? t->princ : "the client", when);
	krbs_emit(s, &ev);
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
		return krbs_bounded_creds(s, keytab, principal, princ, pn, realm, rn);
	princ[0] = realm[0] = '\0';
	s->recording = t;
	code = krbs_bounded_creds(s, keytab, principal, princ, pn, realm, rn);
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
	return krbs_bounded_creds(s, keytab, principal, princ, pn, realm, rn);
}

